/*
 * tests/unit/test_handoff.c: kernel/core/handoff.c, the kernel's check of
 * the handoff from keel.efi. Each test breaks one field of a good handoff, or
 * one entry of its ranges array.
 */
#include <string.h>

#include "core/handoff.h"
#include "ktest.h"

#define PAGE      KEEL_PAGE_SIZE
#define DM_SIZE   (256ull << 20)
#define RANGES_AT 0x7000000ull /* where the handoff says the array is (physical) */

static char why[256];

/* The array the handoff's ranges field stands for: room for the most ranges allowed. */
static struct keel_mem_range ranges[KEEL_HANDOFF_MAX_RANGES];

/*
 * A good handoff with 40 ranges; every entry of ranges[] is valid, so any
 * count up to the maximum passes: one-page ranges two pages apart (well
 * inside the direct map), cycling through the known types.
 */
static struct keel_handoff good(void)
{
	struct keel_handoff h;

	for (uint32_t i = 0; i < KEEL_HANDOFF_MAX_RANGES; i++)
		ranges[i] = (struct keel_mem_range){
		    .base = 2 * i * PAGE, .size = PAGE, .type = 1 + i % KEEL_RANGE_TYPE_MAX};
	memset(&h, 0, sizeof(h));
	h.magic = KEEL_HANDOFF_MAGIC;
	h.version = KEEL_HANDOFF_VERSION;
	h.size = sizeof(h);
	h.range_count = 40;
	h.ranges = RANGES_AT;
	h.direct_map_size = DM_SIZE;
	h.initrd_base = 0x6000000;
	h.initrd_size = 1536;
	strcpy(h.cmdline, "test test.mem=256");
	strcpy(h.fw_vendor, "EDK II");
	return h;
}

/* handoff_check with physical RANGES_AT standing for ranges[]. */
static int check(const struct keel_handoff *h)
{
	why[0] = '\0';
	return handoff_check(h, (uintptr_t)ranges - RANGES_AT, why, sizeof(why));
}

static const char *test_good_handoff_passes(void)
{
	struct keel_handoff h = good();

	KT_EQ(check(&h), HANDOFF_OK);
	KT_ASSERT(handoff_header_ok(&h));
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
	KT_ASSERT(!handoff_header_ok(&h));
	return NULL;
}

static const char *test_unknown_version(void)
{
	struct keel_handoff h = good();

	char want[80];

	/* A newer stub, and an older one (version 1 reserved a one-page trampoline). */
	for (uint32_t v = KEEL_HANDOFF_VERSION - 1; v <= KEEL_HANDOFF_VERSION + 1; v += 2) {
		h.version = v;
		KT_EQ(check(&h), HANDOFF_EVERSION);
		snprintf(want, sizeof(want), "version %u, this kernel understands %u", v,
			 KEEL_HANDOFF_VERSION);
		KT_ASSERT(strcmp(why, want) == 0);
		KT_ASSERT(!handoff_header_ok(&h));
	}
	return NULL;
}

static const char *test_wrong_size(void)
{
	struct keel_handoff h = good();

	h.size = sizeof(h) - 8;
	KT_EQ(check(&h), HANDOFF_ESIZE);
	KT_ASSERT(strstr(why, "size") != NULL);
	/* The fields may have moved: the framebuffer must not be trusted. */
	KT_ASSERT(!handoff_header_ok(&h));
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
	/* A rejection for another reason may still be shown on the framebuffer. */
	KT_ASSERT(handoff_header_ok(&h));
	h.range_count = KEEL_HANDOFF_MAX_RANGES + 1;
	KT_EQ(check(&h), HANDOFF_ERANGES);
	h.range_count = KEEL_HANDOFF_MAX_RANGES;
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
	h.ranges = RANGES_AT + 4; /* misaligned */
	KT_EQ(check(&h), HANDOFF_ERANGES);
	return NULL;
}

static const char *test_strings_not_terminated(void)
{
	struct keel_handoff h = good();

	memset(h.cmdline, 'a', sizeof(h.cmdline));
	KT_EQ(check(&h), HANDOFF_ESTRING);
	KT_ASSERT(strstr(why, "cmdline") != NULL);
	KT_ASSERT(handoff_header_ok(&h));
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
	/* Without a sane direct map the framebuffer cannot be judged. */
	KT_ASSERT(!handoff_header_ok(&h));
	h.direct_map_size = DM_SIZE + 1;
	KT_EQ(check(&h), HANDOFF_EDIRECTMAP);
	h.direct_map_size = KEEL_DIRECT_MAP_MAX + PAGE;
	KT_EQ(check(&h), HANDOFF_EDIRECTMAP);
	KT_ASSERT(!handoff_header_ok(&h));
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

/* Untidy but safe range arrays pass. */
static const char *test_ranges_accepted(void)
{
	struct keel_handoff h = good();

	/* Adjacent ranges of one type, not merged. */
	ranges[1] = (struct keel_mem_range){PAGE, PAGE, ranges[0].type, 0};
	KT_EQ(check(&h), HANDOFF_OK);
	/* Device memory may lie beyond the direct map, up to the last page below 2^64. */
	h = good();
	h.range_count = 3;
	ranges[1] = (struct keel_mem_range){DM_SIZE, PAGE, KEEL_RANGE_MMIO, 0};
	ranges[2] =
	    (struct keel_mem_range){UINT64_MAX - 2 * PAGE + 1, PAGE, KEEL_RANGE_RESERVED, 0};
	KT_EQ(check(&h), HANDOFF_OK);
	/* RAM may end exactly where the direct map does. */
	ranges[1] = (struct keel_mem_range){DM_SIZE - PAGE, PAGE, KEEL_RANGE_USABLE, 0};
	KT_EQ(check(&h), HANDOFF_OK);
	return NULL;
}

static const char *test_range_empty_or_unaligned(void)
{
	struct keel_handoff h = good();

	ranges[3].size = 0;
	KT_EQ(check(&h), HANDOFF_EMEMMAP);
	KT_ASSERT(strstr(why, "range 3 (base 0x6000 size 0x0) is empty") != NULL);
	KT_ASSERT(handoff_header_ok(&h));
	h = good();
	ranges[5].size = PAGE / 2;
	KT_EQ(check(&h), HANDOFF_EMEMMAP);
	KT_ASSERT(strstr(why, "range 5") != NULL);
	h = good();
	ranges[39].base += 8;
	KT_EQ(check(&h), HANDOFF_EMEMMAP);
	KT_ASSERT(strstr(why, "range 39") != NULL);
	return NULL;
}

static const char *test_range_wraps(void)
{
	struct keel_handoff h = good();

	/* The last page below 2^64 ends at 2^64: refused, so that no end wraps to 0. */
	h.range_count = 2;
	ranges[1] = (struct keel_mem_range){UINT64_MAX - PAGE + 1, PAGE, KEEL_RANGE_RESERVED, 0};
	KT_EQ(check(&h), HANDOFF_EMEMMAP);
	KT_ASSERT(strstr(why, "range 1 (base 0xfffffffffffff000 size 0x1000) runs past 2^64") !=
		  NULL);
	ranges[1] = (struct keel_mem_range){1ull << 63, 1ull << 63, KEEL_RANGE_MMIO, 0};
	KT_EQ(check(&h), HANDOFF_EMEMMAP);
	ranges[1] = (struct keel_mem_range){4 * PAGE, UINT64_MAX - PAGE + 1, KEEL_RANGE_MMIO, 0};
	KT_EQ(check(&h), HANDOFF_EMEMMAP);
	return NULL;
}

static const char *test_range_unknown_type(void)
{
	struct keel_handoff h = good();

	ranges[7].type = 0;
	KT_EQ(check(&h), HANDOFF_EMEMMAP);
	KT_ASSERT(strstr(why, "range 7 (base 0xe000) has unknown type 0") != NULL);
	h = good();
	ranges[0].type = KEEL_RANGE_TYPE_MAX + 1;
	KT_EQ(check(&h), HANDOFF_EMEMMAP);
	KT_ASSERT(strstr(why, "unknown type 11") != NULL);
	return NULL;
}

static const char *test_ranges_unsorted_or_overlapping(void)
{
	struct keel_handoff h = good();
	struct keel_mem_range tmp;

	/* Two entries swapped. */
	tmp = ranges[10];
	ranges[10] = ranges[11];
	ranges[11] = tmp;
	KT_EQ(check(&h), HANDOFF_EMEMMAP);
	KT_ASSERT(strstr(why, "ranges 10 (0x16000 + 0x1000) and 11 (0x14000) overlap or are "
			      "unsorted") != NULL);
	/* One page of overlap. */
	h = good();
	ranges[20].size = 2 * PAGE + PAGE;
	KT_EQ(check(&h), HANDOFF_EMEMMAP);
	KT_ASSERT(strstr(why, "ranges 20") != NULL);
	/* The same range twice, and one range inside another. */
	h = good();
	ranges[21] = ranges[20];
	KT_EQ(check(&h), HANDOFF_EMEMMAP);
	h = good();
	ranges[30].size = 8 * PAGE;
	ranges[31] = (struct keel_mem_range){ranges[30].base + PAGE, PAGE, KEEL_RANGE_MMIO, 0};
	ranges[32].base = ranges[30].base + 8 * PAGE;
	KT_EQ(check(&h), HANDOFF_EMEMMAP);
	KT_ASSERT(strstr(why, "ranges 30") != NULL);
	/* The last of the maximum count, out of order. */
	h = good();
	h.range_count = KEEL_HANDOFF_MAX_RANGES;
	ranges[KEEL_HANDOFF_MAX_RANGES - 1].base = 0;
	KT_EQ(check(&h), HANDOFF_EMEMMAP);
	return NULL;
}

static const char *test_ram_beyond_direct_map(void)
{
	static const uint32_t ram[] = {KEEL_RANGE_USABLE,       KEEL_RANGE_BOOT_RECLAIM,
				       KEEL_RANGE_ACPI_RECLAIM, KEEL_RANGE_ACPI_NVS,
				       KEEL_RANGE_KERNEL,       KEEL_RANGE_INITRD,
				       KEEL_RANGE_TRAMPOLINE};
	struct keel_handoff h;

	for (size_t i = 0; i < KTEST_COUNT(ram); i++) {
		h = good();
		h.range_count = 2;
		/* Straddles the end of the direct map. */
		ranges[1] = (struct keel_mem_range){DM_SIZE - PAGE, 2 * PAGE, ram[i], 0};
		KT_EQ(check(&h), HANDOFF_EMEMMAP);
		KT_ASSERT(strstr(why, "beyond the direct map") != NULL);
		/* Wholly above it. */
		ranges[1].base = DM_SIZE;
		ranges[1].size = PAGE;
		KT_EQ(check(&h), HANDOFF_EMEMMAP);
	}
	/* Called directly, as the boot test does. */
	KT_EQ(handoff_check_ranges(ranges, 2, DM_SIZE, why, sizeof(why)), HANDOFF_EMEMMAP);
	KT_ASSERT(strstr(why, "range 1 (trampoline, 0x10000000 + 0x1000)") != NULL);
	KT_EQ(handoff_check_ranges(ranges, 2, DM_SIZE + PAGE, why, sizeof(why)), HANDOFF_OK);
	return NULL;
}

static const struct ktest tests[] = {
    KTEST(test_good_handoff_passes),
    KTEST(test_wrong_magic),
    KTEST(test_unknown_version),
    KTEST(test_wrong_size),
    KTEST(test_range_count_absurd),
    KTEST(test_ranges_outside_direct_map),
    KTEST(test_strings_not_terminated),
    KTEST(test_direct_map_size_bad),
    KTEST(test_initrd_outside_direct_map),
    KTEST(test_address_check),
    KTEST(test_ranges_accepted),
    KTEST(test_range_empty_or_unaligned),
    KTEST(test_range_wraps),
    KTEST(test_range_unknown_type),
    KTEST(test_ranges_unsorted_or_overlapping),
    KTEST(test_ram_beyond_direct_map),
};

int main(void)
{
	return ktest_main(tests, KTEST_COUNT(tests));
}
