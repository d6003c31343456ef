/*
 * kernel/arch/x86_64/traps.S: one entry stub per exception vector (0-31)
 * and per interrupt vector (32-255, irq.h).
 *
 * Register contract:
 *   in:  the CPU's exception frame on the stack (ss, rsp, rflags, cs, rip,
 *        and for some vectors an error code), interrupts off (interrupt gates).
 *   Each stub pushes a 0 where the CPU pushes no error code, then its vector,
 *   so that every frame has the same layout; trap_common saves all fifteen
 *   other general registers and calls trap_dispatch(rdi = struct trap_frame *,
 *   trap.h). If it returns, every register is restored as it was and iretq
 *   resumes the interrupted code.
 *   Then it pushes a frame record (the trapped rbp and rip) and points rbp
 *   at it, which links the handler's frame-pointer chain to the trapped
 *   code's (backtrace.h); rip is the 17th word of struct trap_frame.
 *   From ring 3 (the saved CS has RPL 3) the stub swaps GS first, so that
 *   GS points at the per-CPU data in the kernel, and swaps it back just
 *   before the iretq (trap_exit, which new user threads also start from).
 *   Stack alignment: the CPU aligns rsp to 16 before pushing its frame; the 5
 *   words of that frame, error code, vector, 15 registers and the 2-word
 *   record make 24 words, so rsp is 16-byte aligned at the call, as the C
 *   ABI requires.
 *
 * Vectors with a CPU error code (SDM Vol. 3A, Table 6-1): 8 #DF, 10 #TS,
 * 11 #NP, 12 #SS, 13 #GP, 14 #PF, 17 #AC, 21 #CP, 29 #VC, 30 #SX. This list
 * must agree with trap_has_error_code() in trapinfo.c.
 */

.macro TRAP_STUB vec
	.balign 16
trap_stub_\vec:
	.if (\vec == 8) || (\vec >= 10 && \vec <= 14) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
	/* the CPU pushed the error code */
	.else
	pushq $0
	.endif
	pushq $\vec
	jmp trap_common
.endm

	.text
.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	TRAP_STUB \v
.endr

/*
 * Vectors 32-255 (irq.h): no error code from the CPU, so each stub pushes 0
 * and its vector and calls irq_dispatch instead of trap_dispatch.
 */
.macro IRQ_STUB vec
	.balign 16
irq_stub_\vec:
	pushq $0
	pushq $\vec
	jmp irq_common
.endm

.altmacro
.set irq_vec, 32
.rept 224
	IRQ_STUB %irq_vec
	.set irq_vec, irq_vec + 1
.endr

/*
 * Save the registers, call \handler(rdi = struct trap_frame *), restore them
 * and return from the interrupt: the common path of exceptions and IRQs.
 */
.macro TRAP_COMMON name, handler
	.balign 16
\name:
	testb $3, 24(%rsp) /* the saved CS, above vector, error code and rip */
	jz 1f
	swapgs
1:	pushq %rax
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
	/*
	 * A frame record {rbp, rip} of the trapped code, so that a backtrace
	 * taken in the handler goes on through it (backtrace.h).
	 */
	pushq 17*8(%rdi)
	pushq %rbp
	movq %rsp, %rbp
	cld
	call \handler
	addq $16, %rsp /* the frame record */
	jmp trap_exit
.endm

	TRAP_COMMON trap_common, trap_dispatch
	TRAP_COMMON irq_common, irq_dispatch

/*
 * trap_exit: rsp at a struct trap_frame; restore it and return to where it
 * says (swapping GS back for ring 3).
 */
	.globl trap_exit
	.balign 16
trap_exit:
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp /* vector and error code */
	testb $3, 8(%rsp) /* the CS to return to */
	jz 2f
	swapgs
2:	iretq

/* The stubs' addresses, in vector order, for idt_init(). */
	.section .rodata
	.balign 8
	.globl trap_stubs
trap_stubs:
.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad trap_stub_\v
.endr

/* The IRQ stubs' addresses, vectors 32-255 in order, for arch_trap_init(). */
	.globl irq_stubs
irq_stubs:
.macro IRQ_STUB_ADDRESS vec
	.quad irq_stub_\vec
.endm
.set irq_vec, 32
.rept 224
	IRQ_STUB_ADDRESS %irq_vec
	.set irq_vec, irq_vec + 1
.endr
