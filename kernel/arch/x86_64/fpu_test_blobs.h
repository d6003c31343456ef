/*
 * kernel/arch/x86_64/fpu_test_blobs.h: the interface of user_blob_fpu
 * (fpu_test_blobs.S), shared with its tests (core/fpu_tests.c). Plain
 * numbers: the assembly includes it too.
 */
#ifndef KEEL_ARCH_X86_64_FPU_TEST_BLOBS_H
#define KEEL_ARCH_X86_64_FPU_TEST_BLOBS_H

/* rdi: these flags | seed << FPU_BLOB_SEED_SHIFT. */
#define FPU_BLOB_AVX        0x1  /* ymm registers too (the CPU and XCR0 have AVX) */
#define FPU_BLOB_PKU        0x2  /* PKRU too (CR4.PKE is set) */
#define FPU_BLOB_FSGSBASE   0x4  /* FS and GS bases too (CR4.FSGSBASE is set) */
#define FPU_BLOB_CORRUPT    0x8  /* check against another seed: must fail with code 1 */
#define FPU_BLOB_SPIN       0x10 /* spin instead of yielding: only preemption switches */
#define FPU_BLOB_SEED_SHIFT 8

#define FPU_BLOB_DATA       0x500000 /* a writable user page (FS and GS point into it) */
#define FPU_BLOB_LOOPS      300      /* yields, or spins of FPU_BLOB_SPIN_INNER iterations */
#define FPU_BLOB_SPIN_INNER 100000

#define FPU_BLOB_MXCSR_DEFAULT 0x1f80
#define FPU_BLOB_FCW_DEFAULT   0x37f
#define FPU_BLOB_PKRU_DEFAULT  0xfffffffc

/* Exit codes besides 0 (fpu_test_blobs.S lists them all). */
#define FPU_BLOB_FAIL_XMM0  1
#define FPU_BLOB_FAIL_CLEAN 32 /* 32 + i: register i was not zero at the start */

#endif
