/*
 * kernel/core/ktest.h: in-kernel tests, run when the command line has `test`
 * (DESIGN.md §8). HelenOS style: a test is a function that returns NULL when
 * it passes and a message saying what broke when it fails. Results are
 * printed as KTAP version 1 on every console. A test that cannot run on
 * this machine returns ktest_skip's message and is reported as a KTAP skip.
 */
#ifndef KEEL_CORE_KTEST_H
#define KEEL_CORE_KTEST_H

#include <stddef.h>

struct ktest {
	const char *name;
	const char *(*run)(void);
};

struct ktest_suite {
	const struct ktest *tests;
	size_t count;
};

/* One line: clang-format would spread the braced initialiser over four. */
/* clang-format off */
#define KTEST(fn) { .name = #fn, .run = test_##fn }
/* clang-format on */
#define KTEST_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Format a failure message into a static buffer and return it (tests run one
 * at a time, and the runner prints the message before the next test).
 */
const char *ktest_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Format why a test cannot run here and return it: the runner prints the
 * case as "ok N name # SKIP why" (KTAP's directive), neither passed nor
 * failed. A test returns ktest_skip(...) before it checks anything.
 */
const char *ktest_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Run every test of every suite, numbered 1..N across them; returns failures.
 * With `only` (not NUL-terminated, `only_len` bytes; NULL for all), a test
 * whose name does not start with it is reported as a skip and not run, so
 * the plan and the numbers stay those of a whole run (`test.only=`).
 */
size_t ktest_run(const struct ktest_suite *const *suites, size_t suite_count, const char *only,
		 size_t only_len);

#endif
