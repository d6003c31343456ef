/*
 * kernel/arch/x86_64/switch.S: switch_stacks, the kernel-stack half of a
 * context switch (sched.c does the rest: address space, TSS, per-CPU data).
 *
 * Register contract:
 *   in:  rdi = where to store the current stack pointer, rsi = the stack
 *        pointer to resume (saved by an earlier switch_stacks, or prepared by
 *        thread.c for a new thread: six callee-saved words, then the address
 *        to "return" to).
 *   It pushes the System V callee-saved registers (rbx, rbp, r12-r15) on the
 *   current stack, saves rsp, loads the other one, pops them and returns
 *   into the other thread. Caller-saved registers are the caller's business;
 *   interrupts must be off (a thread half switched would be resumed twice).
 */
	.text
	.globl switch_stacks
	.balign 16
switch_stacks:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
