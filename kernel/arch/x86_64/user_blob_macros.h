/*
 * kernel/arch/x86_64/user_blob_macros.h: assembler macros shared by the
 * ring-3 test programs (*_test_blobs.S), included after <keel/syscall.h>.
 * Assembly only.
 */
#ifndef KEEL_ARCH_X86_64_USER_BLOB_MACROS_H
#define KEEL_ARCH_X86_64_USER_BLOB_MACROS_H

/* System call `nr` with the arguments already in rdi rsi rdx r10 r8 r9. */
.macro SYS nr
	movl $\nr, %eax
	syscall
.endm

/*
 * Step checks of the programs that count their steps in %r15 and exit with
 * the number of the step that went wrong: the last call returned -err ...
 */
.macro EXPECT err, fail
	cmpq $-(\err), %rax
	jne \fail
	incq %r15
.endm

/* ... or a handle or key (> 0). */
.macro EXPECT_POSITIVE fail
	testq %rax, %rax
	jle \fail
	incq %r15
.endm

#endif
