/*
 * kernel/arch/x86_64/vmo_test_blobs.h: what vmo_test_blobs.S and its test
 * (core/vmo_tests.c) agree on. Included by C and assembly.
 */
#ifndef KEEL_ARCH_X86_64_VMO_TEST_BLOBS_H
#define KEEL_ARCH_X86_64_VMO_TEST_BLOBS_H

#define VMO_BLOB_CODE_VA 0x400000 /* where the test puts the program */
#define VMO_BLOB_VA      0x600000 /* mappings go here and up to 1 MiB above */
#define VMO_BLOB_MAGIC   0x1122334455667788
#define VMO_BLOB_A       0xa11ce
#define VMO_BLOB_B       0xb0b
#define VMO_BLOB_DONE    0xd0e

/* KEEL_MAP_* and KEEL_RIGHT_* as the assembler can read them (vmo_tests.c checks). */
#define VMO_BLOB_MAP_READ    1
#define VMO_BLOB_MAP_WRITE   2
#define VMO_BLOB_MAP_EXEC    4
#define VMO_BLOB_RIGHT_READ  1
#define VMO_BLOB_RIGHT_WRITE 2
#define VMO_BLOB_RIGHT_MAP   4

#endif
