/*
 * tests/unit/test_bootmap.c: kernel/lib/bootmap.c against hand-made UEFI maps
 * and against a page-by-page model on thousands of random ones. Outputs are
 * heap blocks of exactly `cap` ranges, so ASan catches a write past the end.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ktest.h"
#include "ktest_rng.h"
#include "ktest_ranges.h"
#include "lib/bootmap.h"

#define PAGE 4096ull

struct desc {
	uint32_t type;
	uint64_t start, pages;
};

/*
 * Like QEMU's OVMF map, in a scrambled order: low memory, ACPI NVS islands,
 * loader and boot services memory, runtime services, OEM and newer types,
 * PCIe ECAM, the framebuffer BAR as MMIO, IOAPIC, flash, RAM above 4 GiB.
 */
static const struct desc ovmf[] = {
    {UEFI_LOADER_DATA, 0x3A00000, 0x400},
    {UEFI_CONVENTIONAL_MEMORY, 0x100000000, 0x40000},
    {UEFI_BOOT_SERVICES_CODE, 0x0, 1},
    {UEFI_ACPI_MEMORY_NVS, 0x810000, 0xF0},
    {UEFI_MEMORY_MAPPED_IO, 0xFFC00000, 0x400},
    {UEFI_CONVENTIONAL_MEMORY, 0x1000, 0x9F},
    {UEFI_RUNTIME_SERVICES_DATA, 0x3E80000, 0x20},
    {UEFI_CONVENTIONAL_MEMORY, 0x100000, 0x700},
    {0x80000001u, 0x4000000, 1}, /* OEM type */
    {UEFI_ACPI_MEMORY_NVS, 0x800000, 8},
    {UEFI_CONVENTIONAL_MEMORY, 0x808000, 3},
    {UEFI_MEMORY_MAPPED_IO_PORT_SPACE, 0xA0000, 0x20},
    {UEFI_ACPI_MEMORY_NVS, 0x80B000, 1},
    {UEFI_CONVENTIONAL_MEMORY, 0x80C000, 4},
    {UEFI_BOOT_SERVICES_DATA, 0x900000, 0x1000},
    {UEFI_RESERVED_MEMORY, 0xB0000000, 0x10000},
    {UEFI_CONVENTIONAL_MEMORY, 0x1900000, 0x2000},
    {UEFI_LOADER_CODE, 0x3900000, 0x100},
    {UEFI_PAL_CODE, 0x7002000, 1},
    {UEFI_BOOT_SERVICES_CODE, 0x3E00000, 0x80},
    {UEFI_ACPI_RECLAIM_MEMORY, 0x3EA0000, 0x10},
    {UEFI_ACPI_MEMORY_NVS, 0x3EB0000, 0x20},
    {UEFI_MEMORY_MAPPED_IO, 0x80000000, 0x1000},
    {UEFI_RUNTIME_SERVICES_CODE, 0x3ED0000, 0x30},
    {UEFI_RESERVED_MEMORY, 0x3F00000, 0x100},
    {UEFI_UNUSABLE_MEMORY, 0x5000000, 1},
    {UEFI_PERSISTENT_MEMORY, 0x6000000, 1},
    {UEFI_UNACCEPTED_MEMORY, 0x7000000, 2},
    {UEFI_MEMORY_MAPPED_IO, 0xFEC00000, 1},
};

/* The map above converted by hand: sorted, merged. */
static const struct keel_mem_range ovmf_ranges[] = {
    {0x0, 0x1000, BR, 0},
    {0x1000, 0x9F000, U, 0},
    {0xA0000, 0x20000, MM, 0},
    {0x100000, 0x700000, U, 0},
    {0x800000, 0x8000, NV, 0},
    {0x808000, 0x3000, U, 0},
    {0x80B000, 0x1000, NV, 0},
    {0x80C000, 0x4000, U, 0},
    {0x810000, 0xF0000, NV, 0},
    {0x900000, 0x1000000, BR, 0},
    {0x1900000, 0x2000000, U, 0},
    {0x3900000, 0x580000, BR, 0}, /* loader code + loader data + boot services code */
    {0x3E80000, 0x20000, RS, 0},
    {0x3EA0000, 0x10000, AR, 0},
    {0x3EB0000, 0x20000, NV, 0},
    {0x3ED0000, 0x131000, RS, 0}, /* runtime code + reserved + OEM */
    {0x5000000, 0x1000, RS, 0},
    {0x6000000, 0x1000, RS, 0},
    {0x7000000, 0x3000, RS, 0}, /* unaccepted + PAL code */
    {0x80000000, 0x1000000, MM, 0},
    {0xB0000000, 0x10000000, RS, 0},
    {0xFEC00000, 0x1000, MM, 0},
    {0xFFC00000, 0x400000, MM, 0},
    {0x100000000, 0x40000000, U, 0},
};

#define NOVMF   KTEST_COUNT(ovmf)
#define NRANGES KTEST_COUNT(ovmf_ranges)

/* A firmware-style map: descriptors `stride` bytes apart, the gap filled with junk. */
static uint8_t *map_build(const struct desc *d, size_t n, size_t stride)
{
	uint8_t *map = malloc(n * stride ? n * stride : 1);

	memset(map, 0xab, n * stride);
	for (size_t i = 0; i < n; i++) {
		struct uefi_memory_descriptor u = {
		    .type = d[i].type,
		    .pad = 0x5a5a5a5a,
		    .physical_start = d[i].start,
		    .virtual_start = 0xdead000,
		    .number_of_pages = d[i].pages,
		    .attribute = 0x800000000000000full,
		};
		memcpy(map + i * stride, &u, sizeof(u));
	}
	return map;
}

/* Convert with an output of exactly `cap` ranges; the result is copied to res[]. */
static int convert(const struct desc *d, size_t n, size_t stride, const struct bootmap_overlay *ov,
		   size_t nov, size_t cap, struct keel_mem_range *res, size_t *count)
{
	uint8_t *map = map_build(d, n, stride);
	struct keel_mem_range *out = malloc(cap ? cap * sizeof(*out) : 1);
	int r = bootmap_from_uefi(map, n * stride, stride, ov, nov, out, cap, count);

	if (r == BOOTMAP_OK)
		memcpy(res, out, *count * sizeof(*out));
	free(out);
	free(map);
	return r;
}

/* Sorted, disjoint, maximally merged, page-aligned, non-empty, valid types. */
static const char *check_shape(const struct keel_mem_range *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (r[i].size == 0 || r[i].base % PAGE || r[i].size % PAGE)
			return ktest_msg("range %zu [%#llx +%#llx] empty or unaligned", i,
					 (unsigned long long)r[i].base,
					 (unsigned long long)r[i].size);
		if (r[i].type < 1 || r[i].type > KEEL_RANGE_TYPE_MAX || r[i].reserved != 0)
			return ktest_msg("range %zu has type %u reserved %u", i, r[i].type,
					 r[i].reserved);
		if (i == 0)
			continue;
		uint64_t prev_end = r[i - 1].base + r[i - 1].size;
		if (prev_end > r[i].base)
			return ktest_msg("ranges %zu and %zu overlap or are out of order", i - 1,
					 i);
		if (prev_end == r[i].base && r[i - 1].type == r[i].type)
			return ktest_msg("ranges %zu and %zu touch with one type: not merged",
					 i - 1, i);
	}
	return NULL;
}

static const char *check_equal(const struct keel_mem_range *got, size_t n,
			       const struct keel_mem_range *want, size_t wn)
{
	for (size_t i = 0; i < n && i < wn; i++) {
		if (got[i].base != want[i].base || got[i].size != want[i].size ||
		    got[i].type != want[i].type)
			return ktest_msg(
			    "range %zu is [%#llx +%#llx %s], expected [%#llx +%#llx %s]", i,
			    (unsigned long long)got[i].base, (unsigned long long)got[i].size,
			    bootmap_type_name(got[i].type), (unsigned long long)want[i].base,
			    (unsigned long long)want[i].size, bootmap_type_name(want[i].type));
	}
	if (n != wn)
		return ktest_msg("%zu ranges, expected %zu", n, wn);
	return NULL;
}

static const char *test_ovmf_map(void)
{
	struct keel_mem_range res[64];
	size_t n = 0;
	const char *err;
	uint64_t usable = 0;

	/* Firmware strides of 40 (the struct itself), 48 (OVMF) and 64. */
	static const size_t strides[] = {40, 48, 64};
	for (size_t s = 0; s < KTEST_COUNT(strides); s++) {
		KT_EQ(convert(ovmf, NOVMF, strides[s], NULL, 0, NOVMF + 1, res, &n), BOOTMAP_OK);
		if ((err = check_shape(res, n)) ||
		    (err = check_equal(res, n, ovmf_ranges, NRANGES)))
			return err;
	}
	for (size_t i = 0; i < NOVMF; i++) {
		if (ovmf[i].type == UEFI_CONVENTIONAL_MEMORY)
			usable += ovmf[i].pages * PAGE;
	}
	KT_EQ(bootmap_total(res, n, U), usable);
	KT_EQ(bootmap_total(res, n, BR), 0x1000 + 0x1000000 + 0x580000);
	KT_EQ(bootmap_total(res, n, MM), 0x20000 + 0x1000000 + 0x1000 + 0x400000);
	KT_EQ(bootmap_total(res, n, KEEL_RANGE_KERNEL), 0);
	return NULL;
}

static const char *test_type_mapping(void)
{
	static const uint32_t want[] = {
	    [UEFI_RESERVED_MEMORY] = RS,
	    [UEFI_LOADER_CODE] = BR,
	    [UEFI_LOADER_DATA] = BR,
	    [UEFI_BOOT_SERVICES_CODE] = BR,
	    [UEFI_BOOT_SERVICES_DATA] = BR,
	    [UEFI_RUNTIME_SERVICES_CODE] = RS,
	    [UEFI_RUNTIME_SERVICES_DATA] = RS,
	    [UEFI_CONVENTIONAL_MEMORY] = U,
	    [UEFI_UNUSABLE_MEMORY] = RS,
	    [UEFI_ACPI_RECLAIM_MEMORY] = AR,
	    [UEFI_ACPI_MEMORY_NVS] = NV,
	    [UEFI_MEMORY_MAPPED_IO] = MM,
	    [UEFI_MEMORY_MAPPED_IO_PORT_SPACE] = MM,
	    [UEFI_PAL_CODE] = RS,
	    [UEFI_PERSISTENT_MEMORY] = RS,
	    [UEFI_UNACCEPTED_MEMORY] = RS,
	};
	for (uint32_t t = 0; t < KTEST_COUNT(want); t++) {
		if (bootmap_type_from_uefi(t) != want[t])
			return ktest_msg("UEFI type %u became %u, expected %u", t,
					 bootmap_type_from_uefi(t), want[t]);
	}
	KT_EQ(bootmap_type_from_uefi(16), RS);
	KT_EQ(bootmap_type_from_uefi(0x6fffffff), RS);
	KT_EQ(bootmap_type_from_uefi(0x70000000), RS);
	KT_EQ(bootmap_type_from_uefi(0xffffffff), RS);
	return NULL;
}

/* The expected OVMF ranges with ranges [at, at + drop) replaced by `ins`. */
static size_t splice_expected(struct keel_mem_range *dst, size_t at, size_t drop,
			      const struct keel_mem_range *ins, size_t nins)
{
	size_t n = 0;

	for (size_t i = 0; i < at; i++)
		dst[n++] = ovmf_ranges[i];
	for (size_t i = 0; i < nins; i++)
		dst[n++] = ins[i];
	for (size_t i = at + drop; i < NRANGES; i++)
		dst[n++] = ovmf_ranges[i];
	return n;
}

static const char *check_overlays(const struct bootmap_overlay *ov, size_t nov, size_t at,
				  size_t drop, const struct keel_mem_range *ins, size_t nins)
{
	struct keel_mem_range res[64], want[64];
	size_t n = 0, wn = splice_expected(want, at, drop, ins, nins);
	int r = convert(ovmf, NOVMF, 48, ov, nov, NOVMF + 2 * nov + 1, res, &n);
	const char *err;

	if (r != BOOTMAP_OK)
		return ktest_msg("bootmap_from_uefi gave %d (%s)", r, bootmap_strerror(r));
	if ((err = check_shape(res, n)) || (err = check_equal(res, n, want, wn)))
		return err;
	return NULL;
}

static const char *test_overlay_split(void)
{
	/* The kernel inside the merged loader/boot range [0x3900000, 0x3E80000). */
	static const struct bootmap_overlay k[] = {{0x3B00000, 0x200000, KEEL_RANGE_KERNEL}};
	static const struct keel_mem_range k_want[] = {
	    {0x3900000, 0x200000, BR, 0},
	    {0x3B00000, 0x200000, KEEL_RANGE_KERNEL, 0},
	    {0x3D00000, 0x180000, BR, 0},
	};
	const char *err = check_overlays(k, 1, 11, 1, k_want, 3);

	if (err)
		return err;
	/* Then the initrd inside the second piece, and the kernel touching it. */
	static const struct bootmap_overlay ki[] = {
	    {0x3B00000, 0x200000, KEEL_RANGE_KERNEL},
	    {0x3D00000, 0x10000, KEEL_RANGE_INITRD},
	};
	static const struct keel_mem_range ki_want[] = {
	    {0x3900000, 0x200000, BR, 0},
	    {0x3B00000, 0x200000, KEEL_RANGE_KERNEL, 0},
	    {0x3D00000, 0x10000, KEEL_RANGE_INITRD, 0},
	    {0x3D10000, 0x170000, BR, 0},
	};
	return check_overlays(ki, 2, 11, 1, ki_want, 4);
}

static const char *test_overlay_spanning(void)
{
	/* Over usable [0x808000..), all of NVS [0x80B000..) and the head of usable [0x80C000..). */
	static const struct bootmap_overlay t[] = {{0x80A000, 0x3000, KEEL_RANGE_TRAMPOLINE}};
	static const struct keel_mem_range want[] = {
	    {0x808000, 0x2000, U, 0},
	    {0x80A000, 0x3000, KEEL_RANGE_TRAMPOLINE, 0},
	    {0x80D000, 0x3000, U, 0},
	};
	return check_overlays(t, 1, 5, 3, want, 3);
}

static const char *test_overlay_outside_map(void)
{
	/* Past the end of the map, and in the hole [0xC0000, 0x100000). */
	static const struct bootmap_overlay o[] = {
	    {0x200000000, 0x1000, KEEL_RANGE_INITRD},
	    {0xC0000, 0x40000, KEEL_RANGE_RESERVED},
	};
	struct keel_mem_range res[64];
	size_t n;
	const char *err;

	KT_EQ(convert(ovmf, NOVMF, 48, o, 2, NOVMF + 5, res, &n), BOOTMAP_OK);
	if ((err = check_shape(res, n)))
		return err;
	KT_EQ(n, NRANGES + 2);
	KT_EQ(res[n - 1].base, 0x200000000);
	KT_EQ(res[n - 1].type, KEEL_RANGE_INITRD);
	KT_EQ(res[3].base, 0xC0000);
	KT_EQ(res[3].size, 0x40000);
	KT_EQ(res[3].type, RS);
	return NULL;
}

static const char *test_overlay_framebuffer(void)
{
	/* The framebuffer BAR that the firmware lists as MMIO, all of it. */
	static const struct bootmap_overlay fb[] = {
	    {0x80000000, 0x1000000, KEEL_RANGE_FRAMEBUFFER}};
	static const struct keel_mem_range want[] = {
	    {0x80000000, 0x1000000, KEEL_RANGE_FRAMEBUFFER, 0},
	};
	const char *err = check_overlays(fb, 1, 19, 1, want, 1);

	if (err)
		return err;
	/* Its first 3 MiB only (the visible part), then the same again: later wins. */
	static const struct bootmap_overlay fb2[] = {
	    {0x80000000, 0x300000, KEEL_RANGE_RESERVED},
	    {0x80000000, 0x300000, KEEL_RANGE_FRAMEBUFFER},
	};
	static const struct keel_mem_range want2[] = {
	    {0x80000000, 0x300000, KEEL_RANGE_FRAMEBUFFER, 0},
	    {0x80300000, 0xD00000, MM, 0},
	};
	return check_overlays(fb2, 2, 19, 1, want2, 2);
}

static const char *test_bad_overlays(void)
{
	static const struct bootmap_overlay bad[] = {
	    {0x1000, 0, KEEL_RANGE_KERNEL},                    /* empty */
	    {0x1800, 0x1000, KEEL_RANGE_KERNEL},               /* unaligned base */
	    {0x1000, 0x1800, KEEL_RANGE_KERNEL},               /* unaligned size */
	    {0xfffffffffff00000, 0x200000, KEEL_RANGE_KERNEL}, /* wraps */
	    {0x1000, 0x1000, 0},                               /* no type */
	    {0x1000, 0x1000, KEEL_RANGE_TYPE_MAX + 1},
	};
	struct keel_mem_range res[64];
	size_t n;

	for (size_t i = 0; i < KTEST_COUNT(bad); i++) {
		int r = convert(ovmf, NOVMF, 48, &bad[i], 1, 64, res, &n);

		if (r != BOOTMAP_EOVERLAY)
			return ktest_msg("bad overlay %zu gave %d, expected BOOTMAP_EOVERLAY", i,
					 r);
	}
	return NULL;
}

static const char *test_bad_descriptors(void)
{
	struct keel_mem_range res[8];
	size_t n;
	static const struct {
		struct desc d[2];
		int want;
	} cases[] = {
	    {{{7, 0x1000, 0}, {7, 0x100000, 1}}, BOOTMAP_EEMPTY},
	    {{{7, 0x100000, 1}, {7, 0x1234, 1}}, BOOTMAP_EALIGN},
	    {{{7, 0x100000, 1}, {7, 0xffffffffffff0000, 0x20}}, BOOTMAP_EWRAP},
	    {{{7, 0xfffffffffffff000, 1}, {7, 0, 1}}, BOOTMAP_EWRAP}, /* ends at 2^64 */
	    {{{7, 0x100000, 0xffffffffffffffff}, {7, 0, 1}}, BOOTMAP_EWRAP},
	    {{{7, 0x100000, 0x10}, {4, 0x10f000, 2}}, BOOTMAP_EOVERLAP},
	    {{{4, 0x200000, 2}, {7, 0x100000, 0x101}}, BOOTMAP_EOVERLAP},
	    {{{7, 0x100000, 0x10}, {7, 0x100000, 0x10}}, BOOTMAP_EOVERLAP}, /* identical */
	    {{{7, 0x100000, 0x10}, {7, 0x104000, 1}}, BOOTMAP_EOVERLAP},    /* inside */
	};
	for (size_t i = 0; i < KTEST_COUNT(cases); i++) {
		int r = convert(cases[i].d, 2, 48, NULL, 0, 8, res, &n);

		if (r != cases[i].want)
			return ktest_msg("case %zu gave %d (%s), expected %d (%s)", i, r,
					 bootmap_strerror(r), cases[i].want,
					 bootmap_strerror(cases[i].want));
	}
	/* Touching descriptors are fine. */
	static const struct desc touching[] = {{7, 0x100000, 0x10}, {7, 0x110000, 1}};
	KT_EQ(convert(touching, 2, 48, NULL, 0, 8, res, &n), BOOTMAP_OK);
	KT_EQ(n, 1);
	KT_EQ(res[0].size, 0x11000);
	return NULL;
}

static const char *test_bad_sizes(void)
{
	uint8_t *map = map_build(ovmf, NOVMF, 48);
	struct keel_mem_range out[64];
	size_t n;
	static const size_t bad_stride[] = {0, 8, 32, 39, 44, 47, 52};
	int r[KTEST_COUNT(bad_stride)];

	for (size_t i = 0; i < KTEST_COUNT(bad_stride); i++)
		r[i] = bootmap_from_uefi(map, 48 * 4, bad_stride[i], NULL, 0, out, 64, &n);
	int r_partial = bootmap_from_uefi(map, 48 * 4 + 8, 48, NULL, 0, out, 64, &n);
	int r_empty = bootmap_from_uefi(map, 0, 48, NULL, 0, out, 64, &n);
	size_t n_empty = n;

	free(map);
	for (size_t i = 0; i < KTEST_COUNT(bad_stride); i++) {
		if (r[i] != BOOTMAP_EDESCSIZE)
			return ktest_msg("desc_size %zu gave %d, expected BOOTMAP_EDESCSIZE",
					 bad_stride[i], r[i]);
	}
	KT_EQ(r_partial, BOOTMAP_EDESCSIZE);
	KT_EQ(r_empty, BOOTMAP_OK);
	KT_EQ(n_empty, 0);
	return NULL;
}

/* A map past BOOTMAP_MAX_DESCRIPTORS is refused before any sorting. */
static const char *test_too_many(void)
{
	size_t count = BOOTMAP_MAX_DESCRIPTORS + 1;
	struct desc *d = calloc(count, sizeof(*d));
	struct keel_mem_range *out = calloc(count, sizeof(*out));
	size_t n = 0;

	for (size_t i = 0; i < count; i++)
		d[i] = (struct desc){UEFI_CONVENTIONAL_MEMORY, (count - i) * 2 * PAGE, 1};
	uint8_t *map = map_build(d, count, 48);
	int r_over = bootmap_from_uefi(map, 48 * count, 48, NULL, 0, out, count, &n);
	int r_max = bootmap_from_uefi(map, 48 * (count - 1), 48, NULL, 0, out, count, &n);
	size_t n_max = n;

	free(map);
	free(out);
	free(d);
	KT_EQ(r_over, BOOTMAP_ETOOMANY);
	KT_EQ(r_max, BOOTMAP_OK);
	KT_EQ(n_max, BOOTMAP_MAX_DESCRIPTORS);
	return NULL;
}

/* RAM types and their total. */
static const char *test_ram_total(void)
{
	static const struct keel_mem_range r[] = {
	    {0x0, 0x1000, KEEL_RANGE_BOOT_RECLAIM, 0},    {0x1000, 0x1000, KEEL_RANGE_USABLE, 0},
	    {0x2000, 0x1000, KEEL_RANGE_TRAMPOLINE, 0},   {0x3000, 0x1000, KEEL_RANGE_RESERVED, 0},
	    {0x4000, 0x2000, KEEL_RANGE_ACPI_RECLAIM, 0}, {0x6000, 0x1000, KEEL_RANGE_ACPI_NVS, 0},
	    {0x7000, 0x1000, KEEL_RANGE_KERNEL, 0},       {0x8000, 0x1000, KEEL_RANGE_INITRD, 0},
	    {0x9000, 0x1000, KEEL_RANGE_FRAMEBUFFER, 0},  {0xa000, 0x1000, KEEL_RANGE_MMIO, 0},
	};

	KT_EQ(bootmap_ram_total(r, KTEST_COUNT(r)), 8 * PAGE);
	KT_EQ(bootmap_type_is_ram(0), 0);
	KT_EQ(bootmap_type_is_ram(KEEL_RANGE_TYPE_MAX + 1), 0);
	return NULL;
}

#define CANARY 0xc0ffee00c0ffee00ull

static const char *test_no_space(void)
{
	uint8_t *map = map_build(ovmf, NOVMF, 48);
	struct keel_mem_range out[NOVMF + 4];
	/* Three overlays, each splitting a different range: two more ranges each. */
	static const struct bootmap_overlay ov[] = {
	    {0x3B00000, 0x200000, KEEL_RANGE_KERNEL},
	    {0x2000000, 0x1000, KEEL_RANGE_INITRD},
	    {0x8000, 0x1000, KEEL_RANGE_TRAMPOLINE},
	};
	size_t n;
	int r[4];

	/* Too small for the descriptors themselves. */
	static const size_t caps[] = {0, 5, NOVMF - 1};
	for (size_t i = 0; i < KTEST_COUNT(caps); i++) {
		out[caps[i]].base = CANARY;
		r[i] = bootmap_from_uefi(map, NOVMF * 48, 48, NULL, 0, out, caps[i], &n);
		if (r[i] != BOOTMAP_ENOSPACE || out[caps[i]].base != CANARY) {
			free(map);
			return ktest_msg("cap %zu: result %d, canary %s", caps[i], r[i],
					 out[caps[i]].base == CANARY ? "intact" : "overwritten");
		}
	}
	/*
	 * Room for the descriptors (29), which merge into NRANGES (24); the
	 * overlays need 24 + 6 = 30: one short.
	 */
	out[NOVMF].base = CANARY;
	r[3] = bootmap_from_uefi(map, NOVMF * 48, 48, ov, 3, out, NOVMF, &n);
	int canary = out[NOVMF].base == CANARY;
	int r_fit = bootmap_from_uefi(map, NOVMF * 48, 48, ov, 3, out, NOVMF + 1, &n);

	free(map);
	KT_EQ(r[3], BOOTMAP_ENOSPACE);
	KT_ASSERT(canary);
	KT_EQ(r_fit, BOOTMAP_OK);
	KT_EQ(n, NRANGES + 6);

	/* A full output and an overlay in a hole: inserting it needs one more. */
	static const struct desc two[] = {{7, 0x100000, 1}, {7, 0x300000, 1}};
	static const struct bootmap_overlay hole = {0x200000, 0x1000, KEEL_RANGE_INITRD};
	struct keel_mem_range res[4];
	KT_EQ(convert(two, 2, 48, &hole, 1, 2, res, &n), BOOTMAP_ENOSPACE);
	KT_EQ(convert(two, 2, 48, &hole, 1, 3, res, &n), BOOTMAP_OK);
	KT_EQ(n, 3);
	return NULL;
}

/* ---- randomized comparison with a page-by-page model ---- */

#define MODEL_PAGES 192
#define MODEL_BASE  0x7fff0000000ull /* far from 0: catches base/index mix-ups */
#define ROUNDS      4000

static const uint32_t uefi_types[] = {0, 1,  2,  3,  4,  5,  6,  7,  7,           7,          8,
				      9, 10, 11, 12, 13, 14, 15, 16, 0x70000000u, 0x80000000u};

static const char *random_round(int round)
{
	struct desc d[MODEL_PAGES];
	struct bootmap_overlay ov[6];
	uint8_t model[MODEL_PAGES + 64] = {0}; /* overlays may reach past the map */
	size_t n = 0;

	/* Random disjoint ranges: random gaps, lengths and types; then shuffled. */
	for (uint64_t p = ktest_rng_below(3); p < MODEL_PAGES;) {
		uint64_t len = 1 + ktest_rng_below(8);

		if (p + len > MODEL_PAGES)
			len = MODEL_PAGES - p;
		d[n].type = uefi_types[ktest_rng_below(KTEST_COUNT(uefi_types))];
		d[n].start = MODEL_BASE + p * PAGE;
		d[n].pages = len;
		for (uint64_t i = p; i < p + len; i++)
			model[i] = (uint8_t)bootmap_type_from_uefi(d[n].type);
		n++;
		p += len + (ktest_rng_below(3) == 0 ? ktest_rng_below(4) : 0);
	}
	for (size_t i = n; i > 1; i--) {
		size_t j = ktest_rng_below(i);
		struct desc t = d[i - 1];

		d[i - 1] = d[j];
		d[j] = t;
	}
	size_t nov = ktest_rng_below(KTEST_COUNT(ov) + 1);
	for (size_t k = 0; k < nov; k++) {
		uint64_t p = ktest_rng_below(MODEL_PAGES + 32), len = 1 + ktest_rng_below(32);

		ov[k].base = MODEL_BASE + p * PAGE;
		ov[k].size = len * PAGE;
		ov[k].type = 1 + (uint32_t)ktest_rng_below(KEEL_RANGE_TYPE_MAX);
		for (uint64_t i = p; i < p + len; i++)
			model[i] = (uint8_t)ov[k].type;
	}

	static const size_t strides[] = {40, 48, 56, 64};
	size_t stride = strides[ktest_rng_below(4)], cap = n + 2 * nov + 1, count = 0;
	struct keel_mem_range res[MODEL_PAGES * 2 + 16];
	int r = convert(d, n, stride, ov, nov, cap, res, &count);
	const char *err;

	if (r != BOOTMAP_OK)
		return ktest_msg("round %d: %d (%s) with cap %zu", round, r, bootmap_strerror(r),
				 cap);
	if ((err = check_shape(res, count)))
		return ktest_msg("round %d: %s", round, err);

	uint8_t seen[MODEL_PAGES + 64] = {0};
	for (size_t i = 0; i < count; i++) {
		if (res[i].base < MODEL_BASE ||
		    res[i].base + res[i].size > MODEL_BASE + sizeof(model) * PAGE)
			return ktest_msg("round %d: range %zu outside every input", round, i);
		for (uint64_t a = res[i].base; a < res[i].base + res[i].size; a += PAGE) {
			size_t pg = (a - MODEL_BASE) / PAGE;

			if (model[pg] != res[i].type)
				return ktest_msg("round %d: page %zu is %u, model says %u", round,
						 pg, res[i].type, model[pg]);
			seen[pg] = 1;
		}
	}
	for (size_t pg = 0; pg < sizeof(model); pg++) {
		if (model[pg] != 0 && !seen[pg])
			return ktest_msg("round %d: page %zu (type %u) missing", round, pg,
					 model[pg]);
	}

	/* A smaller output: either the same answer or ENOSPACE, never a write past cap. */
	/* Half the time at least n: the overlays, not the descriptors, run out of room. */
	size_t small =
	    ktest_rng_below(2) || cap == n ? ktest_rng_below(cap) : n + ktest_rng_below(cap - n);
	size_t count2 = 0;
	struct keel_mem_range res2[MODEL_PAGES * 2 + 16];
	r = convert(d, n, stride, ov, nov, small, res2, &count2);
	if (r == BOOTMAP_OK && (count2 != count || memcmp(res2, res, count * sizeof(*res)) != 0))
		return ktest_msg("round %d: cap %zu gave another answer", round, small);
	if (r != BOOTMAP_OK && r != BOOTMAP_ENOSPACE)
		return ktest_msg("round %d: cap %zu gave %d", round, small, r);
	return NULL;
}

static const char *test_random_against_model(void)
{
	for (int round = 0; round < ROUNDS; round++) {
		const char *err = random_round(round);

		if (err)
			return err;
	}
	return NULL;
}

static const char *test_names(void)
{
	static const char *const names[] = {
	    "unknown", "usable", "reserved",    "acpi-reclaim", "acpi-nvs",  "boot-reclaim",
	    "kernel",  "initrd", "framebuffer", "mmio",         "trampoline"};
	for (uint32_t t = 0; t <= KEEL_RANGE_TYPE_MAX; t++) {
		if (strcmp(bootmap_type_name(t), names[t]) != 0)
			return ktest_msg("type %u is named \"%s\", expected \"%s\"", t,
					 bootmap_type_name(t), names[t]);
	}
	KT_ASSERT(strcmp(bootmap_type_name(KEEL_RANGE_TYPE_MAX + 1), "unknown") == 0);
	return ktest_strerror_distinct(bootmap_strerror, BOOTMAP_ETOOMANY, "bootmap_strerror");
}

static const struct ktest tests[] = {
    KTEST(test_ovmf_map),
    KTEST(test_type_mapping),
    KTEST(test_overlay_split),
    KTEST(test_overlay_spanning),
    KTEST(test_overlay_outside_map),
    KTEST(test_overlay_framebuffer),
    KTEST(test_bad_overlays),
    KTEST(test_bad_descriptors),
    KTEST(test_bad_sizes),
    KTEST(test_no_space),
    KTEST(test_too_many),
    KTEST(test_ram_total),
    KTEST(test_random_against_model),
    KTEST(test_names),
};

int main(void)
{
	return ktest_main(tests, KTEST_COUNT(tests));
}
