/*
 * kernel/core/ktest.c: the KTAP runner for in-kernel tests (ktest.h).
 */
#include "core/ktest.h"

#include <stdarg.h>

#include "core/console.h"
#include "core/thread.h"
#include "lib/fmt.h"
#include "lib/kstring.h"

static char ktest_message[256];
/* Told apart from a failure by its address. */
static char ktest_skip_message[256];

const char *ktest_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(ktest_message, sizeof(ktest_message), fmt, ap);
	va_end(ap);
	return ktest_message;
}

const char *ktest_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(ktest_skip_message, sizeof(ktest_skip_message), fmt, ap);
	va_end(ap);
	return ktest_skip_message;
}

size_t ktest_run(const struct ktest_suite *const *suites, size_t suite_count, const char *only,
		 size_t only_len)
{
	size_t total = 0, number = 0, failed = 0;

	for (size_t s = 0; s < suite_count; s++)
		total += suites[s]->count;
	kprintf("KTAP version 1\n1..%zu\n", total);
	for (size_t s = 0; s < suite_count; s++) {
		for (size_t i = 0; i < suites[s]->count; i++) {
			const struct ktest *t = &suites[s]->tests[i];
			const char *err;
			uint32_t hangs;

			number++;
			if (only && strncmp(t->name, only, only_len) != 0) {
				kprintf("ok %zu %s # SKIP not selected by test.only=%.*s\n", number,
					t->name, (int)only_len, only);
				continue;
			}
			hangs = sched_hangs();
			err = t->run();
			/* Whatever the case said: it waited for processes that never ended. */
			if (sched_hangs() != hangs)
				err = ktest_fail("hung: the watchdog killed its processes (every "
						 "thread is listed above)");
			if (err == ktest_skip_message) {
				kprintf("ok %zu %s # SKIP %s\n", number, t->name, err);
			} else if (err) {
				failed++;
				kprintf("not ok %zu %s # %s\n", number, t->name, err);
			} else {
				kprintf("ok %zu %s\n", number, t->name);
			}
		}
	}
	return failed;
}
