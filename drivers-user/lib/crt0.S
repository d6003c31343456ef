/*
 * drivers-user/lib/crt0.S: _start, the first instruction of every Keel user
 * program (user.ld puts .text.start first and names it the ELF entry).
 *
 * Register contract on entry, set by the kernel (KEEL_SYS_THREAD_CREATE for
 * later threads of the same shape):
 *   rsp  the top of the initial stack, 16-byte aligned (nothing pushed)
 *   rdi  the kernel's one argument to the program (for init: its bootstrap
 *        handle), passed on to main unchanged
 *   rbp  0, the end of the frame-pointer chain (zeroed again here, so a
 *        kernel that forgets cannot give a backtrace a bogus frame)
 *   other registers: undefined; flags: DF clear (the psABI needs it), IF set
 *
 * _start calls keel_start(arg) (start.c: main, then keel_exit), which never
 * returns; the call pushes a return address, so keel_start sees the
 * psABI's rsp % 16 == 8 at entry like any function. ud2 stops a return.
 */
	.section .text.start, "ax", @progbits
	.globl _start
	.type _start, @function
_start:
	xorl	%ebp, %ebp
	andq	$-16, %rsp	/* a no-op for a kernel that keeps the contract */
	cld
	call	keel_start
	ud2
	.size _start, . - _start

	.section .note.GNU-stack, "", @progbits
