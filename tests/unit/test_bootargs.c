/*
 * tests/unit/test_bootargs.c: kernel/lib/bootargs.c, reading the kernel
 * command line.
 */
#include <string.h>

#include "ktest.h"
#include "lib/bootargs.h"

static const char *test_flags(void)
{
	const char *cl = "  test\tquiet test.mem=256 ";

	KT_ASSERT(bootargs_has_flag(cl, "test"));
	KT_ASSERT(bootargs_has_flag(cl, "quiet"));
	KT_ASSERT(!bootargs_has_flag(cl, "tes"));
	KT_ASSERT(!bootargs_has_flag(cl, "tests"));
	KT_ASSERT(!bootargs_has_flag(cl, "test.mem")); /* a key, not a flag */
	KT_ASSERT(!bootargs_has_flag("", "test"));
	KT_ASSERT(!bootargs_has_flag("test=1", "test"));
	return NULL;
}

static const char *test_values(void)
{
	const char *cl = "test test.mem=256 test.fb=1 console=serial,fb empty=";
	const char *v;
	size_t len = 99;

	v = bootargs_get(cl, "test.mem", &len);
	KT_ASSERT(v && len == 3 && memcmp(v, "256", 3) == 0);
	v = bootargs_get(cl, "console", &len);
	KT_ASSERT(v && len == 9 && memcmp(v, "serial,fb", 9) == 0);
	v = bootargs_get(cl, "empty", &len);
	KT_ASSERT(v && len == 0);
	KT_ASSERT(bootargs_get(cl, "test", &len) == NULL);   /* flag, no value */
	KT_ASSERT(bootargs_get(cl, "test.m", &len) == NULL); /* exact key only */
	KT_ASSERT(bootargs_get(cl, "mem", &len) == NULL);
	return NULL;
}

static const char *test_last_one_wins(void)
{
	const char *v;
	size_t len;

	v = bootargs_get("a=1 b=2 a=33", "a", &len);
	KT_ASSERT(v && len == 2 && memcmp(v, "33", 2) == 0);
	return NULL;
}

static const char *test_numbers(void)
{
	uint64_t n = 7;

	KT_EQ(bootargs_get_u64("test.mem=256", "test.mem", &n), BOOTARGS_OK);
	KT_EQ(n, 256);
	KT_EQ(bootargs_get_u64("x=18446744073709551615", "x", &n), BOOTARGS_OK);
	KT_ASSERT(n == UINT64_MAX);
	KT_EQ(bootargs_get_u64("x=18446744073709551616", "x", &n), BOOTARGS_EINVALID);
	KT_EQ(bootargs_get_u64("x=12a", "x", &n), BOOTARGS_EINVALID);
	KT_EQ(bootargs_get_u64("x=-1", "x", &n), BOOTARGS_EINVALID);
	KT_EQ(bootargs_get_u64("x=", "x", &n), BOOTARGS_EINVALID);
	KT_EQ(bootargs_get_u64("y=1", "x", &n), BOOTARGS_EABSENT);
	KT_EQ(bootargs_get_u64("x", "x", &n), BOOTARGS_EABSENT);
	return NULL;
}

static const struct ktest tests[] = {
    KTEST(test_flags),
    KTEST(test_values),
    KTEST(test_last_one_wins),
    KTEST(test_numbers),
};

int main(void)
{
	return ktest_main(tests, KTEST_COUNT(tests));
}
