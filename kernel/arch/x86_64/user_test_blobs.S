/*
 * kernel/arch/x86_64/user_test_blobs.S: tiny user programs for the in-kernel
 * user tests (core/user_tests.c), as data: each blob is position-independent
 * code that the test copies to a user page and runs as a process of its own.
 * Until the ramdisk carries real test programs, these exercise the entry,
 * the system calls and the fault paths with nothing else involved.
 *
 * Register contract of each blob: entered at its first byte in ring 3 with
 * rsp at the top of a stack; it ends with the exit call (status in rdi), or
 * by faulting on purpose.
 */
#include <keel/syscall.h>

#include "user_blob_macros.h"

#define KERNEL_BASE 0xffffffff80000000 /* KEEL_KERNEL_BASE (keel/boot.h is C only) */

	.section .rodata
	.globl user_blob_hello, user_blob_hello_end
/* debug_log("hello from ring 3"), then exit(7). */
user_blob_hello:
	leaq 1f(%rip), %rdi
	movl $(2f - 1f), %esi
	SYS KEEL_SYS_DEBUG_LOG
	movl $7, %edi
	SYS KEEL_SYS_EXIT
	ud2
1:	.ascii "hello from ring 3"
2:
user_blob_hello_end:

	.globl user_blob_kernel_read, user_blob_kernel_read_end
/* Read the kernel's first byte: a page fault that kills the process. */
user_blob_kernel_read:
	movabsq $KERNEL_BASE, %rax
	movb (%rax), %al
	movl $0, %edi
	SYS KEEL_SYS_EXIT
user_blob_kernel_read_end:

	.globl user_blob_bad_pointers, user_blob_bad_pointers_end
/*
 * debug_log with a kernel pointer, then with an unmapped user pointer, then
 * with a length past the limit: each must fail with its own code. Exits with
 * the three results packed: (-r1) | (-r2) << 8 | (-r3) << 16.
 */
user_blob_bad_pointers:
	movabsq $KERNEL_BASE, %rdi
	movl $4, %esi
	SYS KEEL_SYS_DEBUG_LOG
	negq %rax
	movq %rax, %rbx
	movl $0x100000, %edi /* user half, never mapped in these tests */
	movl $4, %esi
	SYS KEEL_SYS_DEBUG_LOG
	negq %rax
	shlq $8, %rax
	orq %rax, %rbx
	leaq user_blob_bad_pointers(%rip), %rdi
	movl $100000, %esi
	SYS KEEL_SYS_DEBUG_LOG
	negq %rax
	shlq $16, %rax
	orq %rax, %rbx
	movq %rbx, %rdi
	SYS KEEL_SYS_EXIT
user_blob_bad_pointers_end:

	.globl user_blob_yield, user_blob_yield_end
/* Yield 500 times, keeping a count in rbx and r12 alike; exit(count) if they agree. */
user_blob_yield:
	xorl %ebx, %ebx
	xorl %r12d, %r12d
1:	SYS KEEL_SYS_YIELD
	incq %rbx
	incq %r12
	cmpq $500, %rbx
	jb 1b
	movq %rbx, %rdi
	cmpq %rbx, %r12
	je 2f
	movq $-1, %rdi
2:	SYS KEEL_SYS_EXIT
user_blob_yield_end:

	.globl user_blob_spin, user_blob_spin_end
/* Spin for rdi iterations (no system call: only the tick can switch away), then exit(0). */
user_blob_spin:
1:	decq %rdi
	jnz 1b
	SYS KEEL_SYS_EXIT
user_blob_spin_end:

	.globl user_blob_privileged, user_blob_privileged_end
/* cli in ring 3: #GP, the process is killed. */
user_blob_privileged:
	cli
	movl $0, %edi
	SYS KEEL_SYS_EXIT
user_blob_privileged_end:

	.globl user_blob_ipc_server, user_blob_ipc_server_end
/*
 * An echo server on the endpoint handle in rdi: each request's words come
 * back with word 0 plus one; a request with word 0 = -1 is answered (reply
 * only) and ends the server with exit(requests served).
 */
user_blob_ipc_server:
	movq %rdi, %rbx /* the endpoint: rbx survives system calls */
	xorl %r12d, %r12d
	movq %rbx, %rdi
	SYS KEEL_SYS_RECV
1:	testq %rax, %rax
	js 3f
	cmpq $-1, %rsi
	je 2f
	incq %r12
	incq %rsi
	movq %rbx, %rdi
	SYS KEEL_SYS_REPLY_RECV
	jmp 1b
2:	xorl %edi, %edi /* KEEL_HANDLE_SELF: reply only */
	SYS KEEL_SYS_REPLY_RECV
	movq %r12, %rdi
	SYS KEEL_SYS_EXIT
3:	movq %rax, %rdi /* an error: exit with it */
	SYS KEEL_SYS_EXIT
user_blob_ipc_server_end:

	.globl user_blob_ipc_client, user_blob_ipc_client_end
/*
 * 1,000 calls on the endpoint handle in rdi with words (i, i^1, i^2, i^3);
 * each reply must be (i + 1, i^1, i^2, i^3) with result 0. Then the -1
 * request ends the server. exit(0) when every reply was right, else exit(the
 * first wrong round + 1).
 */
user_blob_ipc_client:
	movq %rdi, %rbx
	xorl %r12d, %r12d /* i */
1:	movq %rbx, %rdi
	movq %r12, %rsi
	movq %r12, %rdx
	xorq $1, %rdx
	movq %r12, %r10
	xorq $2, %r10
	movq %r12, %r8
	xorq $3, %r8
	SYS KEEL_SYS_CALL
	testq %rax, %rax
	jnz 4f
	leaq 1(%r12), %rax
	cmpq %rax, %rsi
	jne 4f
	movq %r12, %rax
	xorq $1, %rax
	cmpq %rax, %rdx
	jne 4f
	movq %r12, %rax
	xorq $2, %rax
	cmpq %rax, %r10
	jne 4f
	movq %r12, %rax
	xorq $3, %rax
	cmpq %rax, %r8
	jne 4f
	incq %r12
	cmpq $1000, %r12
	jb 1b
	movq %rbx, %rdi
	movq $-1, %rsi
	SYS KEEL_SYS_CALL
	xorl %edi, %edi
	SYS KEEL_SYS_EXIT
4:	leaq 1(%r12), %rdi
	SYS KEEL_SYS_EXIT
user_blob_ipc_client_end:

/* struct keel_msg (include/keel/syscall.h): words, handle, data_len, data. */
#define MSG_HANDLE   32
#define MSG_DATA_LEN 40
#define MSG_DATA     48
#define MSG_SIZE     304

	.globl user_blob_xfer_client, user_blob_xfer_client_end
/*
 * Moves a handle to a server through the endpoint in rdi: creates a
 * notification, duplicates the handle, sends the duplicate with 5 bytes of
 * data ("hello") in a struct keel_msg, and waits on its own handle for the
 * server's signal. exit(the bits) when the moved handle is gone from its own
 * table (close says -KEEL_EBADH), else exit(1); any error: exit(2).
 */
user_blob_xfer_client:
	movq %rdi, %rbx
	subq $MSG_SIZE, %rsp
	movl $KEEL_OBJ_NOTIFICATION, %edi
	xorl %esi, %esi
	SYS KEEL_SYS_OBJECT_CREATE
	testq %rax, %rax
	js 8f
	movq %rax, %r12 /* the notification */
	movq %r12, %rdi
	movl $0xff, %esi /* KEEL_RIGHTS_ALL */
	SYS KEEL_SYS_HANDLE_DUP
	testq %rax, %rax
	js 8f
	movq %rax, %r13 /* the duplicate, to send */
	movq %r13, MSG_HANDLE(%rsp)
	movq $5, MSG_DATA_LEN(%rsp)
	movl $0x6c6c6568, MSG_DATA(%rsp) /* "hell" */
	movb $0x6f, MSG_DATA+4(%rsp)     /* "o" */
	movq %rbx, %rdi
	movq %rsp, %r9
	SYS KEEL_SYS_CALL
	testq %rax, %rax
	jnz 8f
	movq %r12, %rdi
	movq $-1, %rsi /* KEEL_FOREVER */
	SYS KEEL_SYS_WAIT
	movq %rax, %r14
	movq %r13, %rdi
	SYS KEEL_SYS_HANDLE_CLOSE
	cmpq $-KEEL_EBADH, %rax
	jne 9f
	movq %r14, %rdi
	SYS KEEL_SYS_EXIT
8:	movl $2, %edi
	SYS KEEL_SYS_EXIT
9:	movl $1, %edi
	SYS KEEL_SYS_EXIT
user_blob_xfer_client_end:

	.globl user_blob_xfer_server, user_blob_xfer_server_end
/*
 * Receives one struct keel_msg on the endpoint in rdi, checks its 5 bytes of
 * data, signals bits 0x5a on the handle it carried, replies and exits 0;
 * exit(3) when the message is not as sent.
 */
user_blob_xfer_server:
	movq %rdi, %rbx
	subq $MSG_SIZE, %rsp
	movq %rbx, %rdi
	movq %rsp, %r9
	SYS KEEL_SYS_RECV
	testq %rax, %rax
	js 9f
	cmpq $5, MSG_DATA_LEN(%rsp)
	jne 9f
	cmpl $0x6c6c6568, MSG_DATA(%rsp)
	jne 9f
	movq MSG_HANDLE(%rsp), %rdi
	cmpq $-1, %rdi /* KEEL_MSG_NO_HANDLE */
	je 9f
	movl $0x5a, %esi
	SYS KEEL_SYS_SIGNAL
	testq %rax, %rax
	jnz 9f
	xorl %edi, %edi /* reply only */
	xorl %r9d, %r9d
	SYS KEEL_SYS_REPLY_RECV
	xorl %edi, %edi
	SYS KEEL_SYS_EXIT
9:	movl $3, %edi
	SYS KEEL_SYS_EXIT
user_blob_xfer_server_end:
