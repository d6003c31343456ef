/*
 * tests/unit/ktest.h: a tiny KTAP harness for host unit tests.
 *
 * A test is a function that returns NULL when it passes, or a message that
 * says what broke (HelenOS style). KT_ASSERT and KT_EQ return such a message
 * with the file and line. ktest_main() prints KTAP version 1 and returns the
 * process status: 0 when every test passed.
 *
 *   static const char *test_empty(void) { KT_EQ(parse(""), -1); return NULL; }
 *   static const struct ktest tests[] = { KTEST(test_empty) };
 *   int main(void) { return ktest_main(tests, KTEST_COUNT(tests)); }
 */
#ifndef KEEL_TESTS_KTEST_H
#define KEEL_TESTS_KTEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

struct ktest {
	const char *name;
	const char *(*fn)(void);
};

#define KTEST(fn)                                                                                  \
	{                                                                                          \
#fn, fn                                                                            \
	}
#define KTEST_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Format a failure message into a static buffer (tests run one at a time). */
static inline const char *ktest_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline const char *ktest_msg(const char *fmt, ...)
{
	static char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return buf;
}

#define KT_ASSERT(cond)                                                                            \
	do {                                                                                       \
		if (!(cond))                                                                       \
			return ktest_msg("%s:%d: %s", __FILE__, __LINE__, #cond);                  \
	} while (0)

/* Return what broke, if the check `expr` (a test's helper) says something did. */
#define KT_TRY(expr)                                                                               \
	do {                                                                                       \
		const char *kt_err_ = (expr);                                                      \
		if (kt_err_)                                                                       \
			return kt_err_;                                                            \
	} while (0)

#define KT_EQ(a, b)                                                                                \
	do {                                                                                       \
		long long ka_ = (long long)(a), kb_ = (long long)(b);                              \
		if (ka_ != kb_)                                                                    \
			return ktest_msg("%s:%d: %s == %lld, expected %s == %lld", __FILE__,       \
					 __LINE__, #a, ka_, #b, kb_);                              \
	} while (0)

/*
 * Every code from 0 down to `last` has a message of its own from `fn` (a
 * library's strerror): not NULL, not the message of an unknown code, and no
 * two alike. NULL when so, else what broke.
 */
static inline const char *ktest_strerror_distinct(const char *(*fn)(int), int last,
						  const char *name)
{
	for (int e = 0; e >= last; e--) {
		const char *m = fn(e);

		if (m == NULL || strcmp(m, fn(-1000)) == 0)
			return ktest_msg("%s(%d) has no message of its own", name, e);
		for (int f = e + 1; f <= 0; f++) {
			if (strcmp(m, fn(f)) == 0)
				return ktest_msg("%s(%d) == %s(%d)", name, e, name, f);
		}
	}
	return NULL;
}

/* Set the byte at `at` so that the bytes [0, n) sum to 0 (ACPI checksums). */
static inline void ktest_fix_sum8(unsigned char *p, size_t n, size_t at)
{
	unsigned char sum = 0;

	p[at] = 0;
	for (size_t i = 0; i < n; i++)
		sum = (unsigned char)(sum + p[i]);
	p[at] = (unsigned char)-sum;
}

static inline int ktest_main(const struct ktest *tests, size_t count)
{
	size_t failed = 0;
	printf("KTAP version 1\n1..%zu\n", count);
	for (size_t i = 0; i < count; i++) {
		const char *err = tests[i].fn();
		if (err) {
			failed++;
			printf("not ok %zu %s # %s\n", i + 1, tests[i].name, err);
		} else {
			printf("ok %zu %s\n", i + 1, tests[i].name);
		}
	}
	fflush(stdout);
	return failed ? 1 : 0;
}

#endif
