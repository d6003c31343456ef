/*
 * tests/unit/test_fmt.c: kernel/lib/fmt.c against the host's snprintf where
 * the two are meant to agree (SAME), and against fixed strings where Keel
 * chooses otherwise (EXPECT). Each check also formats into heap buffers of
 * every size from 0 to the full length + 2: the result must be the prefix
 * that fits, NUL-terminated, the return value the full length, and ASan
 * catches a write past the end.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ktest.h"
#include "lib/fmt.h"

/*
 * Not marked as printf-like on purpose: it takes the formats the compiler
 * would warn about (unknown conversions, flags C calls undefined).
 */
static const char *check_fmt(int line, const char *want, int wn, const char *fmt, ...)
{
	va_list ap, aq;

	va_start(ap, fmt);
	for (size_t size = 0; size <= (size_t)wn + 2; size++) {
		char *buf = malloc(size ? size : 1);
		int r;

		memset(buf, '~', size ? size : 1);
		va_copy(aq, ap);
		/* Size 0 twice: once with NULL, which C allows. */
		r = fmt_vsnprintf(size == 0 ? NULL : buf, size, fmt, aq);
		va_end(aq);
		size_t k = size == 0 ? 0 : ((size_t)wn < size - 1 ? (size_t)wn : size - 1);
		int ok = r == wn && (size == 0 || (memcmp(buf, want, k) == 0 && buf[k] == '\0'));
		if (size == 0 && ok) {
			va_copy(aq, ap);
			ok = fmt_vsnprintf(buf, 0, fmt, aq) == wn && buf[0] != '\0';
			va_end(aq);
		}
		if (!ok) {
			static char got[64];

			snprintf(got, sizeof(got), "%.*s", (int)k, size ? buf : "");
			free(buf);
			va_end(ap);
			return ktest_msg(
			    "line %d: \"%s\" in %zu bytes gave %d \"%s\", expected %d \"%.*s\"",
			    line, fmt, size, r, got, wn, (int)k, want);
		}
		free(buf);
	}
	va_end(ap);
	return NULL;
}

/* Same output as the host's snprintf. */
#define SAME(...)                                                                                  \
	do {                                                                                       \
		char want_[1024];                                                                  \
		int wn_ = snprintf(want_, sizeof(want_), __VA_ARGS__);                             \
		const char *e_ = check_fmt(__LINE__, want_, wn_, __VA_ARGS__);                     \
		if (e_)                                                                            \
			return e_;                                                                 \
	} while (0)

/*
 * The host's snprintf without the compiler's format check: clang warns about
 * every int passed to %hh or %h, yet narrowing one is exactly what C defines.
 */
static int host_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

#define SAME_UNCHECKED(...)                                                                        \
	do {                                                                                       \
		char want_[1024];                                                                  \
		int wn_ = host_snprintf(want_, sizeof(want_), __VA_ARGS__);                        \
		const char *e_ = check_fmt(__LINE__, want_, wn_, __VA_ARGS__);                     \
		if (e_)                                                                            \
			return e_;                                                                 \
	} while (0)

/* Output fixed by Keel's own rules (fmt.h, fmt.c). */
#define EXPECT(want, ...)                                                                          \
	do {                                                                                       \
		const char *e_ = check_fmt(__LINE__, want, (int)strlen(want), __VA_ARGS__);        \
		if (e_)                                                                            \
			return e_;                                                                 \
	} while (0)

static const char *test_plain(void)
{
	SAME("");
	SAME("hello, world");
	SAME("100%% sure, %%d stays");
	SAME("%s=%d (%#x)%c%u", "irq", 11, 0xb, '!', 7u);
	return NULL;
}

static const char *test_signed(void)
{
	static const int v[] = {0, 1, -1, 42, -42, 1000000, INT_MAX, INT_MIN};

	for (size_t i = 0; i < KTEST_COUNT(v); i++) {
		SAME("%d", v[i]);
		SAME("%i", v[i]);
		SAME("[%8d]", v[i]);
		SAME("[%-8d]", v[i]);
		SAME("[%08d]", v[i]);
		SAME("[%+d]", v[i]);
		SAME("[% d]", v[i]);
		SAME("[% 08d]", v[i]);
		SAME("[%+08d]", v[i]);
		SAME("[%.3d]", v[i]);
		SAME("[%8.3d]", v[i]);
		SAME("[%-8.3d]", v[i]);
		SAME("[%.0d]", v[i]);
		SAME("[%5.0d]", v[i]);
		SAME("[%+.0d]", v[i]);
		SAME("[%.12d]", v[i]);
	}
	return NULL;
}

static const char *test_unsigned(void)
{
	static const unsigned v[] = {0, 1, 7, 8, 9, 15, 16, 255, 0xdeadbeef, UINT_MAX};

	for (size_t i = 0; i < KTEST_COUNT(v); i++) {
		SAME("%u %x %X %o", v[i], v[i], v[i], v[i]);
		SAME("[%#x] [%#X] [%#o]", v[i], v[i], v[i]);
		SAME("[%10x] [%-10X] [%010o]", v[i], v[i], v[i]);
		SAME("[%#10x] [%#-10X] [%#010x] [%#010o]", v[i], v[i], v[i], v[i]);
		SAME("[%.5u] [%.5x] [%#.5x] [%#.5o] [%#.0o] [%#.0x] [%.0u]", v[i], v[i], v[i], v[i],
		     v[i], v[i], v[i]);
		SAME("[%12.5x] [%-#12.5x] [%012.5u]", v[i], v[i], v[i]);
	}
	return NULL;
}

static const char *test_lengths(void)
{
	/* Ints out of range for hh and h: the conversion narrows them. */
	SAME_UNCHECKED("%hhd %hhd %hhu %hhx %hhi", 200, -129, 257, 0x1ff, 128);
	SAME_UNCHECKED("%hd %hd %hu %ho %hX", 70000, -32769, 65537, 0x1ffff, -1);
	SAME("%ld %ld %lu %lx", LONG_MIN, LONG_MAX, ULONG_MAX, ULONG_MAX);
	SAME("%lld %lld %llu %llo", LLONG_MIN, LLONG_MAX, ULLONG_MAX, ULLONG_MAX);
	SAME("%zu %zx %zd %zd", SIZE_MAX, (size_t)0x1234, (ptrdiff_t)-5, PTRDIFF_MAX);
	SAME("%jd %jd %ju %jX", INTMAX_MIN, INTMAX_MAX, UINTMAX_MAX, UINTMAX_MAX);
	SAME("%td %td %tu", PTRDIFF_MIN, PTRDIFF_MAX, (ptrdiff_t)-1);
	/* The argument after a wide one is still found. */
	SAME("%lld|%d|%hhd|%jx|%s", -1LL, 5, (signed char)3, (uintmax_t)1 << 63, "end");
	SAME("[%+25lld] [%-#25llx] [%025llo]", LLONG_MIN, ULLONG_MAX, ULLONG_MAX);
	return NULL;
}

static const char *test_char_and_string(void)
{
	static const char abc[3] = {'a', 'b', 'c'}; /* no NUL: precision must stop reading */

	SAME("%c%c%c", 'k', 'e', 'l');
	SAME("[%3c] [%-3c]", 'x', 'y');
	SAME("[%c]", 0); /* a NUL inside the output */
	SAME("%s", "hello");
	SAME("[%10s] [%-10s] [%2s]", "hello", "hello", "hello");
	SAME("[%.3s] [%10.3s] [%-10.3s] [%.0s] [%.10s]", "hello", "hello", "hello", "hello",
	     "hello");
	SAME("[%.3s]", abc);
	SAME("[%s] [%5s]", "", "");
	return NULL;
}

static const char *test_star(void)
{
	SAME("[%*d]", 6, 42);
	SAME("[%*d]", -6, 42);
	SAME("[%-*d]", -6, 42);
	SAME("[%.*d]", 4, 42);
	SAME("[%.*d]", -1, 42);
	SAME("[%.*d]", 0, 0);
	SAME("[%*.*d]", 8, 4, -42);
	SAME("[%.*s]", 2, "hello");
	SAME("[%*s]", 7, "ab");
	SAME("[%0*x]", 6, 0xab);
	return NULL;
}

static const char *test_keel_choices(void)
{
	const char *null = NULL;
	int n = 0;

	EXPECT("0x00000000deadbeef", "%p", (void *)(uintptr_t)0xdeadbeefu);
	EXPECT("0x0000000000000000", "%p", (void *)0);
	EXPECT("0xffff800000001000", "%p", (void *)(uintptr_t)0xffff800000001000ull);
	EXPECT("[    0x0000000000000010]", "[%22p]", (void *)(uintptr_t)16);
	EXPECT("[0x0000000000000010    ]", "[%-22p]", (void *)(uintptr_t)16);
	EXPECT("(null)", "%s", null);
	EXPECT("[(nu]", "[%.3s]", null);
	EXPECT("[  (null)]", "[%8s]", null);
	/* Flags C leaves undefined or ignores, given a fixed meaning here. */
	EXPECT("[42   ]", "[%-05d]", 42);
	EXPECT("[+42]", "[%+ d]", 42);
	EXPECT("[42]", "[%+u]", 42u);
	EXPECT("[   ab]", "[%05s]", "ab");
	/* Unknown conversions and a lone '%' are copied as written. */
	EXPECT("a%qb", "a%qb");
	EXPECT("[%5k]", "[%5k]");
	EXPECT("end%", "end%");
	EXPECT("end%-5", "end%-5");
	EXPECT("%llq", "%llq");
	/* %n is not supported: it writes nothing through the pointer. */
	EXPECT("[%n]", "[%n]", &n);
	KT_EQ(n, 0);
	return NULL;
}

static const char *test_huge(void)
{
	char buf[16];
	int r;

	/* A wide field costs as much as the buffer, not the width. */
	SAME("[%600d]", 1);
	SAME("[%-600s]", "x");
	SAME("[%.500d]", -7);
	r = fmt_snprintf(buf, sizeof(buf), "%2147483646d", 1);
	KT_EQ(r, INT_MAX - 1);
	KT_ASSERT(strcmp(buf, "               ") == 0);
	r = fmt_snprintf(buf, sizeof(buf), "%.2147483647d", 0);
	KT_EQ(r, INT_MAX);
	KT_ASSERT(strcmp(buf, "000000000000000") == 0);
	/* Past INT_MAX: -1 (like C's EOVERFLOW), and the buffer is still a string. */
	r = fmt_snprintf(buf, sizeof(buf), "ab%2147483647d", 1);
	KT_EQ(r, -1);
	KT_ASSERT(strcmp(buf, "ab             ") == 0);
	/* A width too long for an int saturates (and still fails cleanly). */
	memset(buf, 'z', sizeof(buf));
	r = fmt_snprintf(buf, sizeof(buf), "x%99999999999999999999dy", 1);
	KT_EQ(r, -1);
	KT_EQ(buf[15], '\0');
	return NULL;
}

static const struct ktest tests[] = {
    KTEST(test_plain),           KTEST(test_signed), KTEST(test_unsigned),     KTEST(test_lengths),
    KTEST(test_char_and_string), KTEST(test_star),   KTEST(test_keel_choices), KTEST(test_huge),
};

int main(void)
{
	return ktest_main(tests, KTEST_COUNT(tests));
}
