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
 *   interrupts and calls syscall_dispatch(rdi = frame), which leaves the
 *   result in the frame's rax.
 *   out: back in ring 3 with every register as saved in the frame (rcx and
 *        r11 excepted on the SYSRET path). SYSRET is used only when the
 *        frame's rip is canonical and CS/SS are the user selectors: SYSRET
 *        with a non-canonical rcx faults in ring 0 on Intel CPUs, with the
 *        user's rsp. Otherwise (a signal-like frame change, or a thread that
 *        set an odd rip) the exit goes through trap_exit and iretq.
 */
#include "gdt.h"
#include "percpu.h"
#include "syscall.h"

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
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, %rdi
	xorl %ebp, %ebp /* backtraces end here: the user's rbp means nothing to them */
	sti
	call syscall_dispatch
	cli
	/* SYSRET only for a canonical rip and the user selectors (see above). */
	movq 17*8(%rsp), %rcx
	movq %rcx, %r11
	sarq $47, %r11
	jnz 1f /* not in the lower canonical half: includes every kernel address */
	cmpq $(GDT_USER_CODE | GDT_RPL_USER), 18*8(%rsp)
	jne 1f
	cmpq $(GDT_USER_DATA | GDT_RPL_USER), 21*8(%rsp)
	jne 1f
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11 /* replaced below by the frame's rflags */
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx /* replaced below by the frame's rip */
	popq %rbx
	popq %rax
	movq 16(%rsp), %rcx /* rip */
	movq 32(%rsp), %r11 /* rflags */
	movq 40(%rsp), %rsp /* the user rsp, last: nothing uses the kernel stack after */
	swapgs
	sysretq
1:	jmp trap_exit
