/*
 * kernel/arch/x86_64/fpu_test_blobs.S: the user program of the per-thread
 * register state tests (core/fpu_tests.c), as data like user_test_blobs.S:
 * position-independent code that the test copies to a user page.
 *
 * Register contract: entered at its first byte in ring 3 with rsp at the top
 * of a stack, rdi = FPU_BLOB_* flags | seed << FPU_BLOB_SEED_SHIFT, and a
 * writable data page at FPU_BLOB_DATA. It
 *   1. checks that it starts clean: xmm0-15 (ymm0-15 with AVX) zero, MXCSR
 *      0x1f80, FCW 0x37f, PKRU 0xfffffffc (with PKU), FS and GS bases 0
 *      (with FSGSBASE);
 *   2. loads a pattern made from the seed into all of them (and x87 st0);
 *   3. yields FPU_BLOB_LOOPS times, or spins as long (FPU_BLOB_SPIN: only
 *      the tick's preemption switches away);
 *   4. checks every one against the pattern (made from seed ^ 1 with
 *      FPU_BLOB_CORRUPT, to prove the check can fail).
 * It ends with debug_log("fpu state ok") and exit(0), or, at the first
 * register that is wrong, with exit(code) and no log line: 1-16 xmm/ymm
 * 0-15, 17 MXCSR, 18 FCW, 19 st0, 20 PKRU, 21 FS base, 22 GS base, 23 a
 * load through FS, 24 a load through GS; 32-47 xmm/ymm 0-15 not clean at
 * the start, 50 MXCSR, 51 FCW, 52 PKRU, 53 FS base, 54 GS base.
 *
 * Registers: rbx the flags, r12 the seed, r13 the loop count, r14 the exit
 * code; the pattern is built at 0(%rsp) and registers are stored at
 * 32(%rsp) to be compared. Qword k of register i holds
 * seed << 16 | i << 8 | k.
 */
#include <keel/syscall.h>

#include "user_blob_macros.h"

#include "fpu_test_blobs.h"

/* The four pattern qwords of register \i for seed %rdx at 0(%rsp). */
.macro PATTERN i
	movq %rdx, %rax
	shlq $16, %rax
	orq $(\i << 8), %rax
	movq %rax, 0(%rsp)
	incq %rax
	movq %rax, 8(%rsp)
	incq %rax
	movq %rax, 16(%rsp)
	incq %rax
	movq %rax, 24(%rsp)
.endm

/* Store register \i at 32(%rsp): all 32 bytes with AVX, else the low 16. */
.macro STORE i
	testl $FPU_BLOB_AVX, %ebx
	jz 1f
	vmovdqu %ymm\i, 32(%rsp)
	jmp 2f
1:	movdqu %xmm\i, 32(%rsp)
2:
.endm

/* Compare qwords 0-1 (0-3 with AVX) of 0(%rsp) and 32(%rsp); jne if unequal. */
.macro COMPARE
	movq 0(%rsp), %rax
	cmpq %rax, 32(%rsp)
	jne 3f
	movq 8(%rsp), %rax
	cmpq %rax, 40(%rsp)
	jne 3f
	testl $FPU_BLOB_AVX, %ebx
	jz 3f /* ZF is set: equal */
	movq 16(%rsp), %rax
	cmpq %rax, 48(%rsp)
	jne 3f
	movq 24(%rsp), %rax
	cmpq %rax, 56(%rsp)
3:
.endm

.macro CHECK_CLEAN i
	movq $0, 0(%rsp)
	movq $0, 8(%rsp)
	movq $0, 16(%rsp)
	movq $0, 24(%rsp)
	STORE \i
	COMPARE
	movl $(32 + \i), %r14d
	jne fpu_blob_fail
.endm

.macro LOAD i
	PATTERN \i
	testl $FPU_BLOB_AVX, %ebx
	jz 1f
	vmovdqu 0(%rsp), %ymm\i
	jmp 2f
1:	movdqu 0(%rsp), %xmm\i
2:
.endm

.macro CHECK i
	PATTERN \i
	STORE \i
	COMPARE
	movl $(1 + \i), %r14d
	jne fpu_blob_fail
.endm

	.section .rodata
	.globl user_blob_fpu, user_blob_fpu_end
user_blob_fpu:
	movq %rdi, %rbx
	movq %rdi, %r12
	shrq $FPU_BLOB_SEED_SHIFT, %r12
	subq $64, %rsp
	andq $-32, %rsp

	/* 1. A clean start. */
.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	CHECK_CLEAN \i
.endr
	stmxcsr 0(%rsp)
	movl $50, %r14d
	cmpl $FPU_BLOB_MXCSR_DEFAULT, 0(%rsp)
	jne fpu_blob_fail
	fnstcw 0(%rsp)
	movl $51, %r14d
	cmpw $FPU_BLOB_FCW_DEFAULT, 0(%rsp)
	jne fpu_blob_fail
	testl $FPU_BLOB_PKU, %ebx
	jz 1f
	xorl %ecx, %ecx
	rdpkru
	movl $52, %r14d
	cmpl $FPU_BLOB_PKRU_DEFAULT, %eax
	jne fpu_blob_fail
1:	testl $FPU_BLOB_FSGSBASE, %ebx
	jz 1f
	rdfsbase %rax
	movl $53, %r14d
	testq %rax, %rax
	jnz fpu_blob_fail
	rdgsbase %rax
	movl $54, %r14d
	testq %rax, %rax
	jnz fpu_blob_fail
1:

	/* 2. The pattern of this seed everywhere. */
	movq %r12, %rdx
.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	LOAD \i
.endr
	call fpu_blob_mxcsr /* eax */
	movl %eax, 0(%rsp)
	ldmxcsr 0(%rsp)
	call fpu_blob_fcw
	movw %ax, 0(%rsp)
	fldcw 0(%rsp)
	movq %r12, 0(%rsp)
	fildq 0(%rsp)
	testl $FPU_BLOB_PKU, %ebx
	jz 1f
	call fpu_blob_pkru
	xorl %ecx, %ecx
	xorl %edx, %edx
	wrpkru
1:	testl $FPU_BLOB_FSGSBASE, %ebx
	jz 1f
	movq $FPU_BLOB_DATA, %rax
	movq %r12, 0(%rax)
	notq 0(%rax)         /* ~seed through GS */
	movq %r12, 8(%rax)   /* seed through FS */
	wrgsbase %rax
	addq $8, %rax
	wrfsbase %rax
1:

	/* 3. Switch away many times. */
	movl $FPU_BLOB_LOOPS, %r13d
4:	testl $FPU_BLOB_SPIN, %ebx
	jz 5f
	movl $FPU_BLOB_SPIN_INNER, %ecx
6:	decl %ecx
	jnz 6b
	jmp 7f
5:	SYS KEEL_SYS_YIELD
7:	decl %r13d
	jnz 4b

	/* 4. Everything still as loaded (against seed ^ 1 when told to corrupt). */
	testl $FPU_BLOB_CORRUPT, %ebx
	jz 1f
	xorq $1, %r12
1:	movq %r12, %rdx
.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	CHECK \i
.endr
	call fpu_blob_mxcsr
	stmxcsr 0(%rsp)
	movl $17, %r14d
	cmpl %eax, 0(%rsp)
	jne fpu_blob_fail
	call fpu_blob_fcw
	fnstcw 0(%rsp)
	movl $18, %r14d
	cmpw %ax, 0(%rsp)
	jne fpu_blob_fail
	fistpq 0(%rsp)
	movl $19, %r14d
	cmpq %r12, 0(%rsp)
	jne fpu_blob_fail
	testl $FPU_BLOB_PKU, %ebx
	jz 1f
	call fpu_blob_pkru
	movl %eax, %r15d
	xorl %ecx, %ecx
	rdpkru
	movl $20, %r14d
	cmpl %r15d, %eax
	jne fpu_blob_fail
1:	testl $FPU_BLOB_FSGSBASE, %ebx
	jz 1f
	rdfsbase %rax
	movl $21, %r14d
	cmpq $(FPU_BLOB_DATA + 8), %rax
	jne fpu_blob_fail
	rdgsbase %rax
	movl $22, %r14d
	cmpq $FPU_BLOB_DATA, %rax
	jne fpu_blob_fail
	movq %fs:0, %rax
	movl $23, %r14d
	cmpq %r12, %rax
	jne fpu_blob_fail
	movq %gs:0, %rax
	notq %rax
	movl $24, %r14d
	cmpq %r12, %rax
	jne fpu_blob_fail
1:
	leaq fpu_blob_ok(%rip), %rdi
	movl $(fpu_blob_ok_end - fpu_blob_ok), %esi
	SYS KEEL_SYS_DEBUG_LOG
	xorl %edi, %edi
	SYS KEEL_SYS_EXIT
	ud2
fpu_blob_fail:
	movl %r14d, %edi
	SYS KEEL_SYS_EXIT
	ud2

/* The values of seed %r12 in eax: MXCSR with rounding control (bits 13-14) from it. */
fpu_blob_mxcsr:
	movl %r12d, %eax
	andl $3, %eax
	shll $13, %eax
	orl $FPU_BLOB_MXCSR_DEFAULT, %eax
	ret
/* FCW with rounding control (bits 10-11) from it. */
fpu_blob_fcw:
	movl %r12d, %eax
	andl $3, %eax
	shll $10, %eax
	orl $FPU_BLOB_FCW_DEFAULT, %eax
	ret
/* PKRU: keys 1-15 from the seed, key 0 (the stack's and the code's) allowed. */
fpu_blob_pkru:
	movl %r12d, %eax
	shll $2, %eax
	xorl $0x55555554, %eax
	ret
fpu_blob_ok:
	.ascii "fpu state ok"
fpu_blob_ok_end:
user_blob_fpu_end:
