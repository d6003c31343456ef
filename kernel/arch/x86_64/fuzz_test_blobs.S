/*
 * kernel/arch/x86_64/fuzz_test_blobs.S: the two ring-3 programs of the
 * notification race test (core/fuzz_tests.c), position-independent code
 * copied to a user page like user_test_blobs.S.
 *
 * Both take rdi = N | A << 32: N the notification raced on, A a second one
 * the waiter answers on. The signaller (SIGNAL on N, WAIT on A) signals bit
 * k of 0..RACE_BITS-1 in turn RACE_SIGNALS times, then RACE_BIT_END. The
 * waiter (WAIT on N, SIGNAL on A) waits forever and accumulates what it
 * gets until RACE_BIT_END, then signals 1 << verdict on A and exits with the
 * verdict; the signaller, polling A, exits with the same one. Verdicts: 0
 * every bit seen, 1 a wait returned 0 or an error, 2 a bit missing, 3 no
 * answer within RACE_TIMEOUT_NS (the signaller then sends RACE_BIT_TIMEOUT,
 * which ends the waiter too), 4 a signal failed. Whichever ends last, its
 * status is the verdict, so the test needs only the last exit status.
 */
#include <keel/syscall.h>

#include "user_blob_macros.h"

#define RACE_SIGNALS     10000
#define RACE_BITS        60
#define RACE_BIT_TIMEOUT 60
#define RACE_BIT_END     62
#define RACE_TIMEOUT_NS  5000000000

	.section .rodata
	.globl fuzz_blob_race_signaller, fuzz_blob_race_signaller_end
fuzz_blob_race_signaller:
	movl %edi, %r12d		/* N */
	movq %rdi, %r13
	shrq $32, %r13			/* A */
	xorl %ebx, %ebx			/* signals sent */
	xorl %r14d, %r14d		/* the next bit */
1:	movq %r12, %rdi
	movl $1, %esi
	movl %r14d, %ecx
	shlq %cl, %rsi
	SYS KEEL_SYS_SIGNAL
	testq %rax, %rax
	jnz 8f
	incl %r14d
	cmpl $RACE_BITS, %r14d
	jb 2f
	xorl %r14d, %r14d
2:	incl %ebx
	cmpl $RACE_SIGNALS, %ebx
	jb 1b
	movq %r12, %rdi
	movabsq $(1 << RACE_BIT_END), %rsi
	SYS KEEL_SYS_SIGNAL
	testq %rax, %rax
	jnz 8f
	/* Poll A until the answer or the deadline (r15, by the clock). */
	subq $16, %rsp
	call 7f
	movq (%rsp), %r15
	movabsq $RACE_TIMEOUT_NS, %rax
	addq %rax, %r15
3:	movq %r13, %rdi
	xorl %esi, %esi
	SYS KEEL_SYS_WAIT
	testq %rax, %rax
	jg 5f
	cmpq $-KEEL_ETIMEDOUT, %rax
	jne 8f
	SYS KEEL_SYS_YIELD
	call 7f
	cmpq %r15, (%rsp)
	jb 3b
	/* No answer: free the waiter, and fail. */
	movq %r12, %rdi
	movabsq $(1 << RACE_BIT_TIMEOUT), %rsi
	SYS KEEL_SYS_SIGNAL
	movl $3, %edi
	SYS KEEL_SYS_EXIT
5:	bsfq %rax, %rdi			/* the waiter's verdict */
	SYS KEEL_SYS_EXIT
	/* The clock into (rsp + 8) as seen by the caller (rsp after the call's push). */
7:	movl $KEEL_INFO_CLOCK, %edi
	xorl %esi, %esi
	leaq 8(%rsp), %rdx
	movl $8, %r10d
	SYS KEEL_SYS_INFO
	ret
8:	movq %r12, %rdi
	movabsq $(1 << RACE_BIT_TIMEOUT), %rsi
	SYS KEEL_SYS_SIGNAL
	movl $4, %edi
	SYS KEEL_SYS_EXIT
fuzz_blob_race_signaller_end:

	.globl fuzz_blob_race_waiter, fuzz_blob_race_waiter_end
fuzz_blob_race_waiter:
	movl %edi, %r12d		/* N */
	movq %rdi, %r13
	shrq $32, %r13			/* A */
	xorl %ebx, %ebx			/* bits seen */
1:	movq %r12, %rdi
	movq $-1, %rsi			/* KEEL_FOREVER */
	SYS KEEL_SYS_WAIT
	testq %rax, %rax
	jle 4f
	orq %rax, %rbx
	btq $RACE_BIT_TIMEOUT, %rbx
	jc 5f
	btq $RACE_BIT_END, %rbx
	jnc 1b
	movabsq $((1 << RACE_BITS) - 1), %rcx
	movq %rbx, %rax
	andq %rcx, %rax
	cmpq %rcx, %rax
	jne 3f
	xorl %r14d, %r14d		/* verdict 0 */
	jmp 6f
3:	movl $2, %r14d
	jmp 6f
4:	movl $1, %r14d
	jmp 6f
5:	movl $3, %r14d
6:	movq %r13, %rdi
	movl $1, %esi
	movl %r14d, %ecx
	shlq %cl, %rsi
	SYS KEEL_SYS_SIGNAL
	movq %r14, %rdi
	SYS KEEL_SYS_EXIT
fuzz_blob_race_waiter_end:
