/*
 * kernel/core/init_start.h: starting init with its start block
 * (include/keel/syscall.h, struct keel_start): the root handles, the ramdisk
 * and the kernel's command line, at the top of its stack, its address in rdi.
 */
#ifndef KEEL_CORE_INIT_START_H
#define KEEL_CORE_INIT_START_H

#include <stddef.h>
#include <stdint.h>

/*
 * Start the ramdisk program `path` as init. 0, or a negative KEEL_E* code
 * with the reason in why.
 */
int init_start(const char *path, char *why, size_t why_size);

/*
 * Start a test program the same way, at application priority, with `arg` in
 * its start block and init's handles (the ramdisk, the device resource).
 * Same results.
 */
int init_start_test(const char *path, const char *name, uint64_t arg, char *why, size_t why_size);

struct ktest_suite;

/* core/drivers_tests.c: bin/init as the supervisor, on etc/test/N.conf. */
extern const struct ktest_suite drivers_test_suite;

/* The keyboard typing case alone: what a `keys` boot (test.keys=1) runs (main.c). */
extern const struct ktest_suite keys_test_suite;

/* The data disk's cases, each alone: a `disk` boot's first (test.disk=1) and second (=2). */
extern const struct ktest_suite disk_write_test_suite;
extern const struct ktest_suite disk_readback_test_suite;

#endif
