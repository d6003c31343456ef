/*
 * kernel/arch/x86_64/vmo_test_blobs.S: the user programs of the VMO, map,
 * unmap and protection-key tests (core/vmo_tests.c), as data like
 * user_test_blobs.S: position-independent code that the test copies to a
 * user page and runs as a process of its own.
 *
 * Register contract of each blob: entered at its first byte in ring 3 with
 * rsp at the top of a stack and rdi as each one says; the range
 * [VMO_BLOB_VA, VMO_BLOB_VA + 1 MiB) is free for mappings (vmo_test_blobs.h).
 * Each ends with exit (0, or the number of the step that went wrong) or by
 * faulting on purpose.
 */
#include <keel/syscall.h>

#include "user_blob_macros.h"

#include "vmo_test_blobs.h"

/* map(proc, vmo, va, offset, size, flags): each a register or an immediate. */
.macro MAP proc, vmo, va, off, size, flags
	movq \proc, %rdi
	movq \vmo, %rsi
	movq \va, %rdx
	movq \off, %r10
	movq \size, %r8
	movq \flags, %r9
	SYS KEEL_SYS_MAP
.endm

.macro UNMAP proc, va, size
	movq \proc, %rdi
	movq \va, %rsi
	movq \size, %rdx
	SYS KEEL_SYS_UNMAP
.endm

/*
 * keel/syscall.h writes flags and rights as C unsigned constants (1u << n),
 * which the assembler cannot read: the values again, checked against it in
 * vmo_tests.c.
 */
#define MAP_R      VMO_BLOB_MAP_READ
#define MAP_W      VMO_BLOB_MAP_WRITE
#define MAP_X      VMO_BLOB_MAP_EXEC
#define MAP_KEY(k) ((k) << KEEL_MAP_PKEY_SHIFT)
#define RW         (MAP_R | MAP_W)
#define VA VMO_BLOB_VA

	.section .rodata

	.globl user_blob_vmo_rw, user_blob_vmo_rw_end
/*
 * rdi: a handle to a VMO of two pages. Map it read-write, write
 * VMO_BLOB_MAGIC at byte 0 and at byte 4096 + 8 and read them back, unmap
 * it, then touch it again: killed by #PF. exit(step) if a step fails.
 */
user_blob_vmo_rw:
	movq %rdi, %rbx
	movl $1, %r15d
	MAP $0, %rbx, $VA, $0, $8192, $RW
	EXPECT 0, 9f
	movabsq $VMO_BLOB_MAGIC, %rax
	movl $VA, %ecx
	movq %rax, (%rcx)
	movq %rax, 4104(%rcx)
	cmpq (%rcx), %rax
	jne 9f
	cmpq 4104(%rcx), %rax
	jne 9f
	incq %r15
	UNMAP $0, $VA, $8192
	EXPECT 0, 9f
	movl $VA, %ecx
	movq (%rcx), %rax /* unmapped: #PF */
	movl $99, %edi
	SYS KEEL_SYS_EXIT
9:	movq %r15, %rdi
	SYS KEEL_SYS_EXIT
user_blob_vmo_rw_end:

	.globl user_blob_vmo_share, user_blob_vmo_share_end
/*
 * rdi: a handle to a VMO that two copies of this program map at once. Each
 * takes a ticket from word 0 (lock xadd). Ticket 0 writes VMO_BLOB_A to word
 * 1 and waits for VMO_BLOB_B in word 2, then writes VMO_BLOB_DONE to word 3;
 * ticket 1 waits for VMO_BLOB_A in word 1 and writes VMO_BLOB_B to word 2.
 * Waits yield, and give up (exit(step)) after 1,000,000 rounds.
 */
user_blob_vmo_share:
	movq %rdi, %rbx
	movl $1, %r15d
	MAP $0, %rbx, $VA, $0, $4096, $RW
	EXPECT 0, 9f
	movl $VA, %r12d
	movl $1, %eax
	lock xaddq %rax, (%r12)
	movl $1000000, %r13d
	testq %rax, %rax
	jnz 3f
	movq $VMO_BLOB_A, 8(%r12)
1:	cmpq $VMO_BLOB_B, 16(%r12)
	je 2f
	SYS KEEL_SYS_YIELD
	decq %r13
	jnz 1b
	jmp 9f
2:	movq $VMO_BLOB_DONE, 24(%r12)
	xorl %edi, %edi
	SYS KEEL_SYS_EXIT
3:	incq %r15
4:	cmpq $VMO_BLOB_A, 8(%r12)
	je 5f
	SYS KEEL_SYS_YIELD
	decq %r13
	jnz 4b
	jmp 9f
5:	movq $VMO_BLOB_B, 16(%r12)
	xorl %edi, %edi
	SYS KEEL_SYS_EXIT
9:	movq %r15, %rdi
	SYS KEEL_SYS_EXIT
user_blob_vmo_share_end:

	.globl user_blob_vmo_args, user_blob_vmo_args_end
/*
 * rdi: 1 when PKU is on, else 0. Every class of bad argument of
 * object_create(VMO), map, unmap and pkey_alloc, each expecting its own
 * code (vmo.h), and the good calls between them. A VMO stays mapped (and
 * its handle closed) at exit, for the exit path to clean up. exit(0), or
 * exit(the step that went wrong).
 */
user_blob_vmo_args:
	movq %rdi, %rbp
	movl $1, %r15d
	/* object_create(VMO): size 0, too big, then good ones. */
	movl $KEEL_OBJ_VMO, %edi
	xorl %esi, %esi
	SYS KEEL_SYS_OBJECT_CREATE
	EXPECT KEEL_EINVAL, 9f /* 1 */
	movl $KEEL_OBJ_VMO, %edi
	movl $0x40000001, %esi
	SYS KEEL_SYS_OBJECT_CREATE
	EXPECT KEEL_E2BIG, 9f /* 2 */
	movl $KEEL_OBJ_VMO, %edi
	movq $-1, %rsi
	SYS KEEL_SYS_OBJECT_CREATE
	EXPECT KEEL_E2BIG, 9f /* 3 */
	movl $KEEL_OBJ_VMO, %edi
	movl $8000, %esi /* rounded up to two pages */
	SYS KEEL_SYS_OBJECT_CREATE
	EXPECT_POSITIVE 9f /* 4 */
	movq %rax, %rbx
	movl $KEEL_OBJ_ENDPOINT, %edi
	xorl %esi, %esi
	SYS KEEL_SYS_OBJECT_CREATE
	EXPECT_POSITIVE 9f /* 5 */
	movq %rax, %r12
	movq %rbx, %rdi
	movl $(VMO_BLOB_RIGHT_READ | VMO_BLOB_RIGHT_WRITE), %esi
	SYS KEEL_SYS_HANDLE_DUP
	EXPECT_POSITIVE 9f /* 6 */
	movq %rax, %r13 /* no KEEL_RIGHT_MAP */
	movq %rbx, %rdi
	movl $(VMO_BLOB_RIGHT_MAP | VMO_BLOB_RIGHT_WRITE), %esi
	SYS KEEL_SYS_HANDLE_DUP
	EXPECT_POSITIVE 9f /* 7 */
	movq %rax, %r14 /* no KEEL_RIGHT_READ */

	/* map: handles, then arguments, then types and rights, then overlap. */
	MAP $5, %rbx, $VA, $0, $4096, $RW
	EXPECT KEEL_EBADH, 9f /* 8: a process handle */
	MAP $0, $0x12345, $VA, $0, $4096, $MAP_R
	EXPECT KEEL_EBADH, 9f /* 9: not a handle */
	MAP $0, %r12, $VA, $0, $4096, $MAP_R
	EXPECT KEEL_ETYPE, 9f /* 10: an endpoint */
	MAP $0, %r13, $VA, $0, $4096, $MAP_R
	EXPECT KEEL_EPERM, 9f /* 11: no map right */
	MAP $0, %r14, $VA, $0, $4096, $MAP_R
	EXPECT KEEL_EPERM, 9f /* 12: no read right */
	MAP $0, %rbx, $(VA + 1), $0, $4096, $MAP_R
	EXPECT KEEL_EINVAL, 9f /* 13: misaligned address */
	MAP $0, %rbx, $VA, $1, $4096, $MAP_R
	EXPECT KEEL_EINVAL, 9f /* 14: misaligned offset */
	MAP $0, %rbx, $VA, $0, $100, $MAP_R
	EXPECT KEEL_EINVAL, 9f /* 15: misaligned size */
	MAP $0, %rbx, $VA, $0, $0, $MAP_R
	EXPECT KEEL_EINVAL, 9f /* 16: size 0 */
	MAP $0, %rbx, $VA, $0, $4096, $MAP_W
	EXPECT KEEL_EINVAL, 9f /* 17: not readable */
	MAP $0, %rbx, $VA, $0, $4096, $(RW | MAP_X)
	EXPECT KEEL_EINVAL, 9f /* 18: W+X */
	MAP $0, %rbx, $VA, $0, $4096, $(MAP_R | 0x10)
	EXPECT KEEL_EINVAL, 9f /* 19: an unknown flag */
	MAP $0, %rbx, $VA, $0, $4096, $(MAP_R | MAP_KEY(3))
	EXPECT KEEL_EINVAL, 9f /* 20: a key not allocated */
	MAP $0, %rbx, $-0x80000000, $0, $4096, $MAP_R
	EXPECT KEEL_ERANGE, 9f /* 21: a kernel address */
	MAP $0, %rbx, $0x1000, $0, $4096, $MAP_R
	EXPECT KEEL_ERANGE, 9f /* 22: below KEEL_USER_BASE */
	MAP $0, %rbx, $VA, $0, $12288, $MAP_R
	EXPECT KEEL_ERANGE, 9f /* 23: past the VMO's end */
	MAP $0, %rbx, $VA, $8192, $4096, $MAP_R
	EXPECT KEEL_ERANGE, 9f /* 24: offset at the VMO's end */
	MAP $0, %r12, $VA, $1, $4096, $MAP_R
	EXPECT KEEL_EINVAL, 9f /* 25: a bad argument before the wrong type */
	MAP $0, %rbx, $VA, $0, $8192, $RW
	EXPECT 0, 9f /* 26 */
	MAP $0, %rbx, $(VA + 4096), $0, $4096, $MAP_R
	EXPECT KEEL_EBUSY, 9f /* 27: over a VMO mapping */
	MAP $0, %rbx, $VMO_BLOB_CODE_VA, $0, $4096, $MAP_R
	EXPECT KEEL_EBUSY, 9f /* 28: over the program */

	/* unmap. */
	UNMAP $0, $VA, $4096
	EXPECT KEEL_EINVAL, 9f /* 29: half a mapping */
	UNMAP $0, $(VA + 1), $4096
	EXPECT KEEL_EINVAL, 9f /* 30: misaligned */
	UNMAP $0, $VA, $0
	EXPECT KEEL_EINVAL, 9f /* 31: size 0 */
	UNMAP $0, $-0x80000000, $4096
	EXPECT KEEL_ERANGE, 9f /* 32: a kernel address */
	UNMAP $3, $VA, $8192
	EXPECT KEEL_EBADH, 9f /* 33: a process handle */
	UNMAP $0, $(VA - 0x100000), $0x100000
	EXPECT KEEL_ENOENT, 9f /* 34: nothing there */
	UNMAP $0, $VA, $8192
	EXPECT 0, 9f /* 35 */
	UNMAP $0, $VA, $8192
	EXPECT KEEL_ENOENT, 9f /* 36: gone */
	movl $VA, %ecx
	MAP $0, %rbx, $VA, $4096, $4096, $MAP_R
	EXPECT 0, 9f /* 37: the second page, read-only */
	MAP $0, %rbx, $(VA + 0x10000), $0, $8192, $RW
	EXPECT 0, 9f /* 38 */
	movl $(VA + 0x10000 + 4096), %ecx
	movq $VMO_BLOB_A, (%rcx)  /* page 1 through the second mapping ... */
	movl $VA, %ecx
	cmpq $VMO_BLOB_A, (%rcx)  /* ... is what the first one shows */
	jne 9f
	incq %r15 /* 39 */
	UNMAP $0, $VA, $0x20000
	EXPECT 0, 9f /* 40: both in one call */

	/* A mapping keeps its VMO when every handle is closed. */
	MAP $0, %rbx, $VA, $0, $4096, $RW
	EXPECT 0, 9f /* 41 */
	movq %rbx, %rdi
	SYS KEEL_SYS_HANDLE_CLOSE
	EXPECT 0, 9f /* 42 */
	movq %r13, %rdi
	SYS KEEL_SYS_HANDLE_CLOSE
	EXPECT 0, 9f /* 43 */
	movq %r14, %rdi
	SYS KEEL_SYS_HANDLE_CLOSE
	EXPECT 0, 9f /* 44 */
	movl $VA, %ecx
	movq $VMO_BLOB_B, (%rcx)
	cmpq $VMO_BLOB_B, (%rcx)
	jne 9f
	incq %r15 /* 45 */
	UNMAP $0, $VA, $4096
	EXPECT 0, 9f /* 46: the VMO goes now */
	MAP $0, %rbx, $VA, $0, $4096, $MAP_R
	EXPECT KEEL_EBADH, 9f /* 47: a closed handle */
	movl $KEEL_OBJ_VMO, %edi
	movl $4096, %esi
	SYS KEEL_SYS_OBJECT_CREATE
	EXPECT_POSITIVE 9f /* 48 */
	movq %rax, %rbx

	/* Protection keys. */
	testq %rbp, %rbp
	jz 5f
	movl $1, %r12d
1:	SYS KEEL_SYS_PKEY_ALLOC
	cmpq %r12, %rax
	jne 9f
	incq %r12
	cmpq $16, %r12
	jb 1b
	incq %r15 /* 49: keys 1 to 15 in order */
	SYS KEEL_SYS_PKEY_ALLOC
	EXPECT KEEL_ENOMEM, 9f /* 50: none left */
	MAP $0, %rbx, $VA, $0, $4096, $(RW | MAP_KEY(15))
	EXPECT 0, 9f /* 51: left mapped at exit */
	jmp 8f
5:	SYS KEEL_SYS_PKEY_ALLOC
	EXPECT KEEL_ENOSYS, 9f /* 49: no PKU */
	MAP $0, %rbx, $VA, $0, $4096, $(RW | MAP_KEY(1))
	EXPECT KEEL_EINVAL, 9f /* 50: no key can be allocated */
	MAP $0, %rbx, $VA, $0, $4096, $RW
	EXPECT 0, 9f /* 51: left mapped at exit */
8:	xorl %edi, %edi
	SYS KEEL_SYS_EXIT
9:	movq %r15, %rdi
	SYS KEEL_SYS_EXIT
user_blob_vmo_args_end:

	.globl user_blob_vmo_pkey, user_blob_vmo_pkey_end
/*
 * rdi: a handle to a one-page VMO; PKU on. Allocate a key, map the VMO under
 * it, and with WRPKRU: allow the key and write VMO_BLOB_A to word 0; deny it
 * and allow it again and write VMO_BLOB_B to word 1; deny it and read word
 * 0: killed as a protection-key violation. exit(step) if a step fails.
 */
user_blob_vmo_pkey:
	movq %rdi, %rbx
	movl $1, %r15d
	SYS KEEL_SYS_PKEY_ALLOC
	EXPECT_POSITIVE 9f /* 1 */
	movq %rax, %r12 /* the key */
	movq %r12, %r9
	shlq $KEEL_MAP_PKEY_SHIFT, %r9
	orq $RW, %r9
	MAP $0, %rbx, $VA, $0, $4096, %r9
	EXPECT 0, 9f /* 2 */
	/* r13d: PKRU with the key allowed; r14d: with its access-disable bit set. */
	xorl %ecx, %ecx
	rdpkru
	leal (%r12, %r12), %ecx /* bit 2k: AD, 2k + 1: WD */
	movl $3, %esi
	shll %cl, %esi
	notl %esi
	andl %esi, %eax
	movl %eax, %r13d
	movl $1, %esi
	shll %cl, %esi
	orl %esi, %eax
	movl %eax, %r14d
	movl $VA, %r8d
	/* Allow: works. */
	movl %r13d, %eax
	xorl %ecx, %ecx
	xorl %edx, %edx
	wrpkru
	movq $VMO_BLOB_A, (%r8)
	cmpq $VMO_BLOB_A, (%r8)
	jne 9f
	incq %r15 /* 3 */
	/* Revoke and restore: works again. */
	movl %r14d, %eax
	wrpkru
	movl %r13d, %eax
	wrpkru
	movq $VMO_BLOB_B, 8(%r8)
	cmpq $VMO_BLOB_B, 8(%r8)
	jne 9f
	incq %r15 /* 4 */
	/* Revoke and touch: killed. */
	movl %r14d, %eax
	wrpkru
	movq (%r8), %rax
	movl $99, %edi
	SYS KEEL_SYS_EXIT
9:	movq %r15, %rdi
	SYS KEEL_SYS_EXIT
user_blob_vmo_pkey_end:
