/*
 * kernel/arch/x86_64/peer_test_blobs.S: tiny user programs for the wait
 * timeout, peer death and supervisor tests (core/peer_tests.c), as data:
 * position-independent code the test copies to the start of a user page.
 *
 * Register contract of each blob: entered at its first byte in ring 3 with
 * rsp at the top of a stack and rdi = its first handle; it reads further
 * words (PARAM(i)) that the test wrote at byte PEER_PARAMS of its own code
 * page, and ends with the exit call (status in rdi), or by faulting.
 */
#include <keel/syscall.h>

#include "user_blob_macros.h"

#define PEER_PARAMS 0x800 /* peer_tests.c: PEER_PARAMS */
#define PARAM(i)    (8 * (i))(%r15)
#define ANY         -1 /* a parameter that matches every value */

/* r15 = the parameters, after the blob at the start of this page. */
.macro PARAMS blob
	leaq \blob(%rip), %r15
	addq $PEER_PARAMS, %r15
.endm

/* \reg = KEEL_INFO_CLOCK (ns); uses the 8 bytes at rsp. */
.macro CLOCK reg
	movl $KEEL_INFO_CLOCK, %edi
	xorl %esi, %esi
	movq %rsp, %rdx
	movl $8, %r10d
	SYS KEEL_SYS_INFO
	movq (%rsp), \reg
.endm

	.section .rodata

	.globl peer_blob_timed_waiter, peer_blob_timed_waiter_end
/*
 * rdi: a notification (wait). PARAM(0) = n; waits i = 1..n with timeout
 * PARAM(i), each expecting bit 1 << (i - 1) from a signaller; then a wait of
 * PARAM(7) ns that nobody signals, which must end with -KEEL_ETIMEDOUT.
 * exit(ns that last wait took, by KEEL_INFO_CLOCK), or on a wrong result
 * exit(-(i << 16 | the result's low 16 bits)).
 */
peer_blob_timed_waiter:
	movq %rdi, %rbx
	PARAMS peer_blob_timed_waiter
	subq $16, %rsp
	movl $1, %r12d /* i */
	movl $1, %r13d /* the bit expected */
1:	cmpq PARAM(0), %r12
	ja 2f
	movq %rbx, %rdi
	movq (%r15, %r12, 8), %rsi
	SYS KEEL_SYS_WAIT
	cmpq %r13, %rax
	jne 9f
	shlq $1, %r13
	incq %r12
	jmp 1b
2:	CLOCK %r14
	movq %rbx, %rdi
	movq PARAM(7), %rsi
	SYS KEEL_SYS_WAIT
	cmpq $-KEEL_ETIMEDOUT, %rax
	jne 9f
	CLOCK %rax
	subq %r14, %rax
	movq %rax, %rdi
	SYS KEEL_SYS_EXIT
9:	movzwl %ax, %eax
	movq %r12, %rdi
	shlq $16, %rdi
	orq %rax, %rdi
	negq %rdi
	SYS KEEL_SYS_EXIT
peer_blob_timed_waiter_end:

	.globl peer_blob_signaller, peer_blob_signaller_end
/* rdi: a notification (signal). Signal bits 1, 2, 4, ... PARAM(0) times; exit(0), or exit(the error). */
peer_blob_signaller:
	movq %rdi, %rbx
	PARAMS peer_blob_signaller
	xorl %r12d, %r12d
	movl $1, %r13d
1:	cmpq PARAM(0), %r12
	jae 2f
	movq %rbx, %rdi
	movq %r13, %rsi
	SYS KEEL_SYS_SIGNAL
	testq %rax, %rax
	jnz 9f
	shlq $1, %r13
	incq %r12
	jmp 1b
2:	xorl %eax, %eax
9:	movq %rax, %rdi
	SYS KEEL_SYS_EXIT
peer_blob_signaller_end:

	.globl peer_blob_caller, peer_blob_caller_end
/*
 * rdi: an endpoint (write). Call it twice, with words (1, 2, 3, 4);
 * exit((-r1) | (-r2) << 8) of the two results.
 */
peer_blob_caller:
	movq %rdi, %rbx
	movl $1, %esi
	movl $2, %edx
	movl $3, %r10d
	movl $4, %r8d
	SYS KEEL_SYS_CALL
	negq %rax
	movq %rax, %r12
	movq %rbx, %rdi
	SYS KEEL_SYS_CALL
	negq %rax
	shlq $8, %rax
	orq %r12, %rax
	movq %rax, %rdi
	SYS KEEL_SYS_EXIT
peer_blob_caller_end:

	.globl peer_blob_server, peer_blob_server_end
/*
 * rdi: an endpoint handle. PARAM(0) says what to do:
 *   0: receive one call and exit(0) without replying (-1: recv failed);
 *   1: receive one call and fault (ud2) without replying;
 *   2: close the handle and exit(the close's result);
 *   3: exit(0) at once (the handle closes as the process ends);
 *   4: receive and exit(the result): -KEEL_ECLOSED when the writers go;
 *   5: receive, receive again (giving the first caller up), exit(0).
 */
peer_blob_server:
	movq %rdi, %rbx
	PARAMS peer_blob_server
	movq PARAM(0), %r12
	cmpq $2, %r12
	je 2f
	cmpq $3, %r12
	je 3f
	SYS KEEL_SYS_RECV
	cmpq $4, %r12
	je 4f
	cmpq $5, %r12
	jne 6f
	movq %rbx, %rdi
	SYS KEEL_SYS_RECV
6:
	testq %rax, %rax
	js 5f
	cmpq $1, %r12
	jne 3f
	ud2
2:	movq %rbx, %rdi
	SYS KEEL_SYS_HANDLE_CLOSE
4:	movq %rax, %rdi
	SYS KEEL_SYS_EXIT
3:	xorl %edi, %edi
	SYS KEEL_SYS_EXIT
5:	movq $-1, %rdi
	SYS KEEL_SYS_EXIT
peer_blob_server_end:

	.globl peer_blob_supervisor, peer_blob_supervisor_end
/*
 * rdi: an endpoint (read) that receives fault messages. Each must carry
 * badge PARAM(5) and words PARAM(1..4) (ANY: not checked). Answers
 * KEEL_FAULT_RESUME to the first PARAM(0), then 0 to the next (kill) and
 * exits with the number of messages seen. PARAM(6) = 1: exit(200 + seen) on
 * the first message without replying. A wrong message: exit(1000 + 16 *
 * seen + which part (1-4: words, 5: badge)) without replying; a failed
 * recv: exit(900 + seen).
 */
.macro CHECK reg, param, which
	movq PARAM(\param), %r13
	cmpq $ANY, %r13
	je 10f
	cmpq %r13, \reg
	movl $\which, %r14d
	jne 7f
10:
.endm

peer_blob_supervisor:
	movq %rdi, %rbx
	PARAMS peer_blob_supervisor
	xorl %r12d, %r12d /* messages seen */
	movq %rbx, %rdi
	SYS KEEL_SYS_RECV
1:	incq %r12
	testq %rax, %rax
	js 8f
	cmpq $1, PARAM(6)
	je 6f
	CHECK %rax, 5, 5
	CHECK %rsi, 1, 1
	CHECK %rdx, 2, 2
	CHECK %r10, 3, 3
	CHECK %r8, 4, 4
	cmpq PARAM(0), %r12
	ja 3f
	movq %rbx, %rdi
	movl $KEEL_FAULT_RESUME, %esi
	SYS KEEL_SYS_REPLY_RECV
	jmp 1b
3:	xorl %edi, %edi /* KEEL_HANDLE_SELF: reply only, word 0 = 0: kill */
	xorl %esi, %esi
	SYS KEEL_SYS_REPLY_RECV
	movq %r12, %rdi
	SYS KEEL_SYS_EXIT
6:	leaq 200(%r12), %rdi
	SYS KEEL_SYS_EXIT
7:	movq %r12, %rdi
	shlq $4, %rdi
	addq %r14, %rdi
	addq $1000, %rdi
	SYS KEEL_SYS_EXIT
8:	leaq 900(%r12), %rdi
	SYS KEEL_SYS_EXIT
peer_blob_supervisor_end:

	.globl peer_blob_ud2, peer_blob_ud2_end
/* An invalid opcode at its first byte, again each time it is resumed. */
peer_blob_ud2:
	ud2
peer_blob_ud2_end:

	.globl peer_blob_page_fault, peer_blob_page_fault_end
/* A read of 0x100000 (never mapped in these tests) at its first byte; exit(0) if it returns. */
peer_blob_page_fault:
	movb 0x100000, %al
	xorl %edi, %edi
	SYS KEEL_SYS_EXIT
peer_blob_page_fault_end:

	.globl peer_blob_step_regs, peer_blob_step_regs_end
/*
 * The message words' registers survive a fault sent to the supervisor: set
 * rsi, rdx, r10 and r8, then single-step a few instructions (TF: a #DB trap
 * after each, resumed after it), clear TF, and ud2 if all four registers are
 * unchanged, else execute int3 (a #GP from ring 3). The supervisor resumes
 * every message up to its limit, then kills: by vector 6 or 13.
 */
peer_blob_step_regs:
	movl $0x1111, %esi
	movl $0x2222, %edx
	movl $0x3333, %r10d
	movl $0x4444, %r8d
	pushfq
	orq $0x100, (%rsp)
	popfq
	nop
	nop
	pushfq
	andq $~0x100, (%rsp)
	popfq
	cmpq $0x1111, %rsi
	jne 1f
	cmpq $0x2222, %rdx
	jne 1f
	cmpq $0x3333, %r10
	jne 1f
	cmpq $0x4444, %r8
	jne 1f
	ud2
1:	int3
	ud2
peer_blob_step_regs_end:

	.globl peer_blob_race_waiter, peer_blob_race_waiter_end
/*
 * rdi: notification A (wait); PARAM(7): notification B (signal). PARAM(0)
 * = K rounds: wait on A with a 1 ns timeout (it ends at the next tick if
 * nothing came) until bit 1 arrives, then acknowledge it on B. Every wait
 * must return 1 or -KEEL_ETIMEDOUT. exit(K | timeouts << 32), or on a wrong
 * result exit(-(the round << 16 | its low 16 bits)).
 */
peer_blob_race_waiter:
	movq %rdi, %rbx
	PARAMS peer_blob_race_waiter
	movq PARAM(7), %r13
	xorl %r12d, %r12d /* rounds done */
	xorl %r14d, %r14d /* timeouts seen */
1:	cmpq PARAM(0), %r12
	jae 3f
	movq %rbx, %rdi
	movl $1, %esi
	SYS KEEL_SYS_WAIT
	cmpq $-KEEL_ETIMEDOUT, %rax
	je 2f
	cmpq $1, %rax
	jne 9f
	incq %r12
	movq %r13, %rdi
	movl $1, %esi
	SYS KEEL_SYS_SIGNAL
	jmp 1b
2:	incq %r14
	jmp 1b
3:	shlq $32, %r14
	orq %r14, %r12
	movq %r12, %rdi
	SYS KEEL_SYS_EXIT
9:	movzwl %ax, %eax
	movq %r12, %rdi
	shlq $16, %rdi
	orq %rax, %rdi
	negq %rdi
	SYS KEEL_SYS_EXIT
peer_blob_race_waiter_end:

	.globl peer_blob_race_signaller, peer_blob_race_signaller_end
/*
 * rdi: notification A (signal); PARAM(7): notification B (wait). PARAM(0)
 * = K rounds: spin a while (0 to 100,000 pauses, varying), signal bit 1 on
 * A, and wait up to 2 s for the acknowledgement on B. exit(0), or exit(1000
 * + the round) when an acknowledgement never came (a bit lost).
 */
peer_blob_race_signaller:
	movq %rdi, %rbx
	PARAMS peer_blob_race_signaller
	movq PARAM(7), %r13
	xorl %r12d, %r12d
1:	cmpq PARAM(0), %r12
	jae 3f
	imulq $7919, %r12, %rcx
	movq %rcx, %rax
	xorl %edx, %edx
	movl $100000, %ecx
	divq %rcx /* rdx: the spin count */
2:	pause
	subq $1, %rdx
	jae 2b
	movq %rbx, %rdi
	movl $1, %esi
	SYS KEEL_SYS_SIGNAL
	movq %r13, %rdi
	movabsq $2000000000, %rsi
	SYS KEEL_SYS_WAIT
	cmpq $1, %rax
	jne 9f
	incq %r12
	jmp 1b
3:	xorl %edi, %edi
	SYS KEEL_SYS_EXIT
9:	leaq 1000(%r12), %rdi
	SYS KEEL_SYS_EXIT
peer_blob_race_signaller_end:
