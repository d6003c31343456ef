/*
 * kernel/lib/bootmap.c: the UEFI memory map turned into Keel's ranges (bootmap.h).
 *
 * Steps: validate and convert every descriptor into out[], sort by base,
 * reject overlaps, merge neighbours, apply the overlays one by one, merge
 * again. Between steps out[0..n) is sorted and disjoint (the invariant every
 * step relies on). Ranges are kept as [base, base + size) with base + size
 * never reaching 2^64, so no end computation wraps.
 */
#include "bootmap.h"

#include "kstring.h"

#define BOOTMAP_PAGE KEEL_PAGE_SIZE

uint32_t bootmap_type_from_uefi(uint32_t uefi_type)
{
	switch (uefi_type) {
	case UEFI_CONVENTIONAL_MEMORY: return KEEL_RANGE_USABLE;
	case UEFI_LOADER_CODE:
	case UEFI_LOADER_DATA:
	case UEFI_BOOT_SERVICES_CODE:
	case UEFI_BOOT_SERVICES_DATA: return KEEL_RANGE_BOOT_RECLAIM;
	case UEFI_ACPI_RECLAIM_MEMORY: return KEEL_RANGE_ACPI_RECLAIM;
	case UEFI_ACPI_MEMORY_NVS: return KEEL_RANGE_ACPI_NVS;
	case UEFI_MEMORY_MAPPED_IO:
	case UEFI_MEMORY_MAPPED_IO_PORT_SPACE: return KEEL_RANGE_MMIO;
	default:
		/*
		 * Reserved, unusable, runtime services, PAL code, persistent and
		 * unaccepted memory, OEM/OS types: nothing Keel may hand out.
		 */
		return KEEL_RANGE_RESERVED;
	}
}

static uint64_t bootmap_end(const struct keel_mem_range *r)
{
	return r->base + r->size;
}

/*
 * A page-aligned, non-empty range of `pages` pages at `base` whose end stays
 * below 2^64. Returns BOOTMAP_OK or the error for a descriptor.
 */
static int bootmap_check_pages(uint64_t base, uint64_t pages)
{
	if (pages == 0)
		return BOOTMAP_EEMPTY;
	if (base % BOOTMAP_PAGE != 0)
		return BOOTMAP_EALIGN;
	if (pages > (UINT64_MAX - base) / BOOTMAP_PAGE)
		return BOOTMAP_EWRAP;
	return BOOTMAP_OK;
}

/* Insertion sort by base: the map holds a few hundred entries at most. */
static void bootmap_sort(struct keel_mem_range *r, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct keel_mem_range key = r[i];
		size_t j = i;

		while (j > 0 && r[j - 1].base > key.base) {
			r[j] = r[j - 1];
			j--;
		}
		r[j] = key;
	}
}

/* Merge touching neighbours of one type; returns the new count. */
static size_t bootmap_merge(struct keel_mem_range *r, size_t n)
{
	size_t w = 0;

	for (size_t i = 0; i < n; i++) {
		if (w > 0 && bootmap_end(&r[w - 1]) == r[i].base && r[w - 1].type == r[i].type)
			r[w - 1].size += r[i].size;
		else
			r[w++] = r[i];
	}
	return w;
}

/*
 * Replace r[i..j) by `count` slots (contents to be written by the caller),
 * shifting the tail. The caller has checked the capacity.
 */
static void bootmap_splice(struct keel_mem_range *r, size_t *n, size_t i, size_t j, size_t count)
{
	memmove(&r[i + count], &r[j], (*n - j) * sizeof(*r));
	*n = *n - (j - i) + count;
}

/*
 * Give the overlay's pages to the overlay: ranges it covers partly are cut,
 * a range that contains it is split in two, ranges it covers are dropped,
 * and the overlay is inserted in order. Keeps r[0..*n) sorted and disjoint.
 */
static int bootmap_apply_overlay(struct keel_mem_range *r, size_t *n, size_t cap,
				 const struct bootmap_overlay *o)
{
	struct keel_mem_range ov = {.base = o->base, .size = o->size, .type = o->type};
	uint64_t oend = bootmap_end(&ov);
	size_t i = 0;

	/* First range that ends after the overlay starts. */
	while (i < *n && bootmap_end(&r[i]) <= ov.base)
		i++;

	if (i < *n && r[i].base < ov.base && bootmap_end(&r[i]) > oend) {
		/* r[i] contains the overlay with room on both sides: split it. */
		if (*n + 2 > cap)
			return BOOTMAP_ENOSPACE;
		struct keel_mem_range right = r[i];

		right.base = oend;
		right.size = bootmap_end(&r[i]) - oend;
		r[i].size = ov.base - r[i].base;
		bootmap_splice(r, n, i + 1, i + 1, 2);
		r[i + 1] = ov;
		r[i + 2] = right;
		return BOOTMAP_OK;
	}

	if (i < *n && r[i].base < ov.base) {
		/* r[i] sticks out on the left only: keep its head. */
		r[i].size = ov.base - r[i].base;
		i++;
	}
	size_t j = i;

	while (j < *n && bootmap_end(&r[j]) <= oend)
		j++; /* r[i..j) lie inside the overlay: dropped */
	if (j < *n && r[j].base < oend) {
		/* r[j] sticks out on the right only: keep its tail. */
		r[j].size = bootmap_end(&r[j]) - oend;
		r[j].base = oend;
	}

	if (j == i && *n + 1 > cap)
		return BOOTMAP_ENOSPACE;
	bootmap_splice(r, n, i, j, 1);
	r[i] = ov;
	return BOOTMAP_OK;
}

int bootmap_from_uefi(const void *map, size_t map_size, size_t desc_size,
		      const struct bootmap_overlay *overlays, size_t overlay_count,
		      struct keel_mem_range *out, size_t cap, size_t *count)
{
	const uint8_t *p = map;
	size_t n = 0;
	int err;

	/* The firmware's stride may exceed our struct, but never fall short of it. */
	if (desc_size < sizeof(struct uefi_memory_descriptor) || desc_size % 8 != 0 ||
	    map_size % desc_size != 0)
		return BOOTMAP_EDESCSIZE;
	if (map_size / desc_size > BOOTMAP_MAX_DESCRIPTORS)
		return BOOTMAP_ETOOMANY;

	for (size_t off = 0; off < map_size; off += desc_size) {
		struct uefi_memory_descriptor d;

		memcpy(&d, p + off, sizeof(d)); /* the map need not be aligned */
		err = bootmap_check_pages(d.physical_start, d.number_of_pages);
		if (err != BOOTMAP_OK)
			return err;
		if (n == cap)
			return BOOTMAP_ENOSPACE;
		out[n].base = d.physical_start;
		out[n].size = d.number_of_pages * BOOTMAP_PAGE;
		out[n].type = bootmap_type_from_uefi(d.type);
		out[n].reserved = 0;
		n++;
	}

	bootmap_sort(out, n);
	for (size_t i = 1; i < n; i++) {
		if (bootmap_end(&out[i - 1]) > out[i].base)
			return BOOTMAP_EOVERLAP;
	}
	/* Merging first leaves the overlays more room in out[]. */
	n = bootmap_merge(out, n);

	/* In the order given: a later overlay wins over an earlier one. */
	for (size_t k = 0; k < overlay_count; k++) {
		const struct bootmap_overlay *o = &overlays[k];

		if (o->size % BOOTMAP_PAGE != 0 || o->type == 0 || o->type > KEEL_RANGE_TYPE_MAX ||
		    bootmap_check_pages(o->base, o->size / BOOTMAP_PAGE) != BOOTMAP_OK)
			return BOOTMAP_EOVERLAY;
		err = bootmap_apply_overlay(out, &n, cap, o);
		if (err != BOOTMAP_OK)
			return err;
	}

	*count = bootmap_merge(out, n);
	return BOOTMAP_OK;
}

uint64_t bootmap_total(const struct keel_mem_range *r, size_t count, uint32_t type)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < count; i++) {
		if (r[i].type == type)
			sum += r[i].size;
	}
	return sum;
}

int bootmap_type_is_ram(uint32_t keel_type)
{
	switch (keel_type) {
	case KEEL_RANGE_USABLE:
	case KEEL_RANGE_BOOT_RECLAIM:
	case KEEL_RANGE_ACPI_RECLAIM:
	case KEEL_RANGE_ACPI_NVS:
	case KEEL_RANGE_KERNEL:
	case KEEL_RANGE_INITRD:
	case KEEL_RANGE_TRAMPOLINE: return 1;
	default: return 0;
	}
}

uint64_t bootmap_ram_total(const struct keel_mem_range *r, size_t count)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < count; i++) {
		if (bootmap_type_is_ram(r[i].type))
			sum += r[i].size;
	}
	return sum;
}

const char *bootmap_strerror(int err)
{
	switch (err) {
	case BOOTMAP_OK: return "ok";
	case BOOTMAP_EDESCSIZE: return "bad memory map descriptor size";
	case BOOTMAP_EEMPTY: return "memory map descriptor of zero pages";
	case BOOTMAP_EALIGN: return "memory map descriptor not page-aligned";
	case BOOTMAP_EWRAP: return "memory map descriptor wraps around";
	case BOOTMAP_EOVERLAP: return "memory map descriptors overlap";
	case BOOTMAP_ENOSPACE: return "too many memory ranges";
	case BOOTMAP_EOVERLAY: return "bad overlay range";
	case BOOTMAP_ETOOMANY: return "memory map of more than 8192 descriptors";
	default: return "unknown memory map error";
	}
}

const char *bootmap_type_name(uint32_t keel_type)
{
	switch (keel_type) {
	case KEEL_RANGE_USABLE: return "usable";
	case KEEL_RANGE_RESERVED: return "reserved";
	case KEEL_RANGE_ACPI_RECLAIM: return "acpi-reclaim";
	case KEEL_RANGE_ACPI_NVS: return "acpi-nvs";
	case KEEL_RANGE_BOOT_RECLAIM: return "boot-reclaim";
	case KEEL_RANGE_KERNEL: return "kernel";
	case KEEL_RANGE_INITRD: return "initrd";
	case KEEL_RANGE_FRAMEBUFFER: return "framebuffer";
	case KEEL_RANGE_MMIO: return "mmio";
	case KEEL_RANGE_TRAMPOLINE: return "trampoline";
	default: return "unknown";
	}
}
