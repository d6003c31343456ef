/*
 * tests/unit/test_handoff.c: kernel/core/handoff.c, the kernel's check of
 * the handoff from keel.efi. Each test breaks one field of a good handoff.
 */
#include <string.h>

#include "core/handoff.h"
#include "ktest.h"

static char why[256];

static struct keel_handoff good(void)
{
	struct keel_handoff h;

	memset(&h, 0, sizeof(h));
	h.magic = KEEL_HANDOFF_MAGIC;
	h.version = KEEL_HANDOFF_VERSION;
	h.size = sizeof(h);
	h.range_count = 40;
	h.ranges = 0x7000000;
	h.direct_map_size = 256ull << 20;
	h.initrd_base = 0x6000000;
	h.initrd_size = 1536;
	strcpy(h.cmdline, "test test.mem=256");
	strcpy(h.fw_vendor, "EDK II");
	return h;
}

static int check(const struct keel_handoff *h)
{
	why[0] = '\0';
	return handoff_check(h, why, sizeof(why));
}

static const char *test_good_handoff_passes(void)
{
	struct keel_handoff h = good();

	KT_EQ(check(&h), HANDOFF_OK);
	KT_ASSERT(handoff_layout_known(&h));
	/* No initrd at all is fine. */
	h.initrd_base = 0;
	h.initrd_size = 0;
	KT_EQ(check(&h), HANDOFF_OK);
	return NULL;
}

static const char *test_wrong_magic(void)
{
	struct keel_handoff h = good();

	h.magic ^= 1;
	KT_EQ(check(&h), HANDOFF_EMAGIC);
	KT_ASSERT(strstr(why, "magic 0x46464f444e41484a") != NULL);
	KT_ASSERT(!handoff_layout_known(&h));
	return NULL;
}

static const char *test_unknown_version(void)
{
	struct keel_handoff h = good();

	h.version = 2;
	KT_EQ(check(&h), HANDOFF_EVERSION);
	KT_ASSERT(strcmp(why, "version 2, this kernel understands 1") == 0);
	KT_ASSERT(!handoff_layout_known(&h));
	return NULL;
}

static const char *test_wrong_size(void)
{
	struct keel_handoff h = good();

	h.size = sizeof(h) - 8;
	KT_EQ(check(&h), HANDOFF_ESIZE);
	KT_ASSERT(strstr(why, "size") != NULL);
	/* Magic and version are right: the framebuffer may show the error. */
	KT_ASSERT(handoff_layout_known(&h));
	h.size = sizeof(h) + 8;
	KT_EQ(check(&h), HANDOFF_ESIZE);
	return NULL;
}

static const char *test_range_count_absurd(void)
{
	struct keel_handoff h = good();

	h.range_count = 0;
	KT_EQ(check(&h), HANDOFF_ERANGES);
	KT_ASSERT(strstr(why, "range_count 0") != NULL);
	h.range_count = HANDOFF_MAX_RANGES + 1;
	KT_EQ(check(&h), HANDOFF_ERANGES);
	h.range_count = HANDOFF_MAX_RANGES;
	KT_EQ(check(&h), HANDOFF_OK);
	return NULL;
}

static const char *test_ranges_outside_direct_map(void)
{
	struct keel_handoff h = good();

	h.ranges = h.direct_map_size - 16; /* the array runs past the end */
	KT_EQ(check(&h), HANDOFF_ERANGES);
	h.ranges = UINT64_MAX - 15; /* would wrap */
	KT_EQ(check(&h), HANDOFF_ERANGES);
	h.ranges = 0x7000004; /* misaligned */
	KT_EQ(check(&h), HANDOFF_ERANGES);
	return NULL;
}

static const char *test_strings_not_terminated(void)
{
	struct keel_handoff h = good();

	memset(h.cmdline, 'a', sizeof(h.cmdline));
	KT_EQ(check(&h), HANDOFF_ESTRING);
	KT_ASSERT(strstr(why, "cmdline") != NULL);
	h = good();
	memset(h.fw_vendor, 'v', sizeof(h.fw_vendor));
	KT_EQ(check(&h), HANDOFF_ESTRING);
	KT_ASSERT(strstr(why, "fw_vendor") != NULL);
	/* A NUL in the very last byte is enough. */
	h.fw_vendor[sizeof(h.fw_vendor) - 1] = '\0';
	KT_EQ(check(&h), HANDOFF_OK);
	return NULL;
}

static const char *test_direct_map_size_bad(void)
{
	struct keel_handoff h = good();

	h.direct_map_size = 0;
	KT_EQ(check(&h), HANDOFF_EDIRECTMAP);
	h.direct_map_size = (256ull << 20) + 1;
	KT_EQ(check(&h), HANDOFF_EDIRECTMAP);
	h.direct_map_size = HANDOFF_MAX_DIRECT_MAP + KEEL_PAGE_SIZE;
	KT_EQ(check(&h), HANDOFF_EDIRECTMAP);
	return NULL;
}

static const char *test_initrd_outside_direct_map(void)
{
	struct keel_handoff h = good();

	h.initrd_base = h.direct_map_size - 4096;
	h.initrd_size = 8192;
	KT_EQ(check(&h), HANDOFF_EINITRD);
	h.initrd_base = UINT64_MAX - 100;
	h.initrd_size = 200;
	KT_EQ(check(&h), HANDOFF_EINITRD);
	return NULL;
}

static const char *test_address_check(void)
{
	KT_EQ(handoff_check_address(KEEL_DIRECT_MAP_BASE + 0x7fff000, why, sizeof(why)),
	      HANDOFF_OK);
	KT_EQ(handoff_check_address(0x7fff000, why, sizeof(why)), HANDOFF_EADDRESS);
	KT_ASSERT(strstr(why, "0x7fff000") != NULL);
	KT_EQ(handoff_check_address(KEEL_DIRECT_MAP_BASE + 0x7fff004, why, sizeof(why)),
	      HANDOFF_EADDRESS);
	KT_EQ(handoff_check_address(KEEL_KERNEL_BASE, why, sizeof(why)), HANDOFF_EADDRESS);
	KT_EQ(handoff_check_address(0, why, sizeof(why)), HANDOFF_EADDRESS);
	return NULL;
}

static const struct ktest tests[] = {
    KTEST(test_good_handoff_passes),       KTEST(test_wrong_magic),
    KTEST(test_unknown_version),           KTEST(test_wrong_size),
    KTEST(test_range_count_absurd),        KTEST(test_ranges_outside_direct_map),
    KTEST(test_strings_not_terminated),    KTEST(test_direct_map_size_bad),
    KTEST(test_initrd_outside_direct_map), KTEST(test_address_check),
};

int main(void)
{
	return ktest_main(tests, KTEST_COUNT(tests));
}
