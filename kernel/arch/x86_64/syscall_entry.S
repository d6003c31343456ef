/*
 * kernel/arch/x86_64/syscall_entry.S: syscall_entry, where the SYSCALL
 * instruction lands (IA32_LSTAR, syscall.c).
 *
 * Register contract (include/keel/syscall.h):
 *   in:  rax = call number, rdi rsi rdx r10 r8 r9 = arguments, rcx = the
 *        user rip to return to, r11 = the user rflags; rsp is the user's;
 *        CPL 0 with CS/SS from STAR, IF/TF/DF/AC cleared by IA32_FMASK.
 *   It swaps GS (the per-CPU data), switches to the running thread's kernel
 *   stack (gs:PERCPU_KSTACK_TOP), builds a struct trap_frame there exactly as
 *   an exception from ring 3 would (vector SYSCALL_VECTOR), enables
 *   interrupts and calls syscall_table[rax] (numbers past the table take its
 *   last entry, which refuses them) with the six arguments still in rdi rsi
 *   rdx rcx(from r10) r8 r9: no copy, no second dispatch. The result goes to
 *   the frame's rax. A handler that needs the frame finds it below the
 *   kernel stack's top (syscall.h). call and reply_recv with r9 0 skip the
 *   table and the sti: ipc_fast.c's entries run with interrupts off. If the
 *   tick or a wake-up asked for a switch (gs:PERCPU_NEED_RESCHED),
 *   sched_return_to_user runs first.
 *   out: back in ring 3 with every register as saved in the frame (rcx and
 *        r11 excepted on the SYSRET path). SYSRET is used unless a handler
 *        changed the frame (syscall_frame_changed): then rip, CS and SS may
 *        be anything, and SYSRET with a non-canonical rcx faults in ring 0 on
 *        Intel CPUs with the user's rsp, so the exit goes through trap_exit
 *        and iretq, which fault in ring 3 instead.
 */
#include "gdt.h"
#include "percpu.h"
#include "syscall.h"
#include <keel/syscall.h>

	.text
	.globl syscall_entry
	.balign 16
syscall_entry:
	swapgs
	movq %rsp, %gs:PERCPU_USER_RSP
	movq %gs:PERCPU_KSTACK_TOP, %rsp
	pushq $(GDT_USER_DATA | GDT_RPL_USER) /* ss */
	pushq %gs:PERCPU_USER_RSP             /* rsp */
	pushq %r11                            /* rflags */
	pushq $(GDT_USER_CODE | GDT_RPL_USER) /* cs */
	pushq %rcx                            /* rip */
	pushq $0                              /* error code */
	pushq $SYSCALL_VECTOR
	/*
	 * The C ABI preserves rbx, rbp and r12-r15 (also across any thread
	 * switch inside the call: switch_stacks saves them), so their frame
	 * slots are skipped here and written only on the IRET exit, which reads
	 * the whole frame.
	 */
	pushq %rax
	subq $8, %rsp /* rbx */
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	subq $8, %rsp /* rbp */
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	subq $32, %rsp /* r12-r15 */
	/* Every argument register still holds its value; the fourth moves to rcx (C ABI). */
	movq %r10, %rcx
	cmpq $KEEL_SYS_COUNT, %rax
	jb 2f
	movl $KEEL_SYS_COUNT, %eax /* the table's last entry: -KEEL_ENOSYS */
2:	sti
	call *syscall_table(, %rax, 8)
	cli
	/*
	 * Exit work: a switch wanted, or a frame a handler changed (both bytes
	 * at once). The result stays in rax on the fast path; the slow one
	 * keeps it in the frame.
	 */
4:	cmpw $0, %gs:PERCPU_NEED_RESCHED
	jne 3f
	/*
	 * SYSRET: rcx, the rip SYSCALL saved, is canonical (the CPU was running
	 * there), and nothing changed the frame (PERCPU_FRAME_CHANGED).
	 */
	addq $32, %rsp /* r12-r15: still in their registers */
	popq %r11 /* replaced below by the frame's rflags */
	popq %r10
	popq %r9
	popq %r8
	addq $8, %rsp /* rbp */
	popq %rdi
	popq %rsi
	popq %rdx
	addq $24, %rsp /* rcx (replaced below by the frame's rip), rbx, rax (the result is in rax) */
	movq 16(%rsp), %rcx /* rip */
	movq 32(%rsp), %r11 /* rflags */
	movq 40(%rsp), %rsp /* the user rsp, last: nothing uses the kernel stack after */
	swapgs
	sysretq
3:	movq %rax, 14*8(%rsp) /* the frame's rax: the result survives a switch there */
	cmpb $0, %gs:PERCPU_NEED_RESCHED
	je 1f
	call sched_return_to_user /* interrupts off, as it wants */
	movq 14*8(%rsp), %rax
	jmp 4b
	/* A changed frame leaves through IRET, which checks what SYSRET would not. */
1:	movb $0, %gs:PERCPU_FRAME_CHANGED
	movq %r15, 0*8(%rsp)
	movq %r14, 1*8(%rsp)
	movq %r13, 2*8(%rsp)
	movq %r12, 3*8(%rsp)
	movq %rbp, 8*8(%rsp)
	movq %rbx, 13*8(%rsp)
	jmp trap_exit

/*
 * The table's entries for call and reply_recv (syscall.c): with r9 0 (four
 * words, no message) they go on to the IPC fast path's entries in
 * ipc_fast.c with interrupts off, else to the slow path with them on. Each
 * is a tail call, so the handler returns straight to syscall_entry. Here
 * rather than a test in syscall_entry: other calls pay nothing for it.
 */
	.globl syscall_ipc_call
	.balign 16
syscall_ipc_call:
	testq %r9, %r9
	jnz ipc_fast_call
	cli
	jmp ipc_fast_call_entry

	.globl syscall_ipc_reply_recv
	.balign 16
syscall_ipc_reply_recv:
	testq %r9, %r9
	jnz ipc_fast_reply_recv
	cli
	jmp ipc_fast_reply_recv_entry
