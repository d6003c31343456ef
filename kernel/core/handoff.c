/*
 * kernel/core/handoff.c: checking the handoff from keel.efi (handoff.h).
 */
#include "handoff.h"

#include "core/boot.h"
#include "lib/bootmap.h"
#include "lib/fmt.h"

static bool handoff_has_nul(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '\0')
			return true;
	return false;
}

int handoff_check_address(uint64_t addr, char *why, size_t why_size)
{
	uint64_t end = KEEL_DIRECT_MAP_BASE + KEEL_DIRECT_MAP_MAX;

	if (addr < KEEL_DIRECT_MAP_BASE || addr > end - sizeof(struct keel_handoff) ||
	    addr % 8 != 0) {
		fmt_snprintf(why, why_size,
			     "address 0x%lx is not an aligned direct-map address (0x%lx..0x%lx)",
			     (unsigned long)addr, (unsigned long)KEEL_DIRECT_MAP_BASE,
			     (unsigned long)end);
		return HANDOFF_EADDRESS;
	}
	return HANDOFF_OK;
}

/* Magic, version, size and direct_map_size: what placing any other field needs. */
static int handoff_check_header(const struct keel_handoff *h, char *why, size_t why_size)
{
	uint64_t dm;

	if (h->magic != KEEL_HANDOFF_MAGIC) {
		fmt_snprintf(why, why_size, "magic 0x%016lx, expected 0x%016lx (\"KHANDOFF\")",
			     (unsigned long)h->magic, (unsigned long)KEEL_HANDOFF_MAGIC);
		return HANDOFF_EMAGIC;
	}
	if (h->version != KEEL_HANDOFF_VERSION) {
		fmt_snprintf(why, why_size, "version %u, this kernel understands %u", h->version,
			     KEEL_HANDOFF_VERSION);
		return HANDOFF_EVERSION;
	}
	if (h->size != sizeof(struct keel_handoff)) {
		fmt_snprintf(why, why_size, "size %u bytes, version %u has %zu", h->size,
			     KEEL_HANDOFF_VERSION, sizeof(struct keel_handoff));
		return HANDOFF_ESIZE;
	}
	/* From here on every field is where this kernel expects it. */
	dm = h->direct_map_size;
	if (dm == 0 || dm % KEEL_PAGE_SIZE != 0 || dm > KEEL_DIRECT_MAP_MAX) {
		fmt_snprintf(why, why_size,
			     "direct_map_size 0x%lx, expected a non-zero page multiple <= 0x%lx",
			     (unsigned long)dm, (unsigned long)KEEL_DIRECT_MAP_MAX);
		return HANDOFF_EDIRECTMAP;
	}
	return HANDOFF_OK;
}

bool handoff_header_ok(const struct keel_handoff *h)
{
	return handoff_check_header(h, NULL, 0) == HANDOFF_OK;
}

/* One range on its own: alignment, size, end, type, RAM inside the direct map. */
static int handoff_check_range(const struct keel_mem_range *r, uint32_t i, uint64_t dm, char *why,
			       size_t why_size)
{
	if (r->size == 0 || r->size % KEEL_PAGE_SIZE != 0 || r->base % KEEL_PAGE_SIZE != 0) {
		fmt_snprintf(why, why_size,
			     "range %u (base 0x%lx size 0x%lx) is empty or not page-aligned", i,
			     (unsigned long)r->base, (unsigned long)r->size);
		return HANDOFF_EMEMMAP;
	}
	/* Ends below 2^64, so that base + size never wraps in the checks after this one. */
	if (r->size > UINT64_MAX - r->base) {
		fmt_snprintf(why, why_size, "range %u (base 0x%lx size 0x%lx) runs past 2^64", i,
			     (unsigned long)r->base, (unsigned long)r->size);
		return HANDOFF_EMEMMAP;
	}
	if (r->type == 0 || r->type > KEEL_RANGE_TYPE_MAX) {
		fmt_snprintf(why, why_size, "range %u (base 0x%lx) has unknown type %u", i,
			     (unsigned long)r->base, r->type);
		return HANDOFF_EMEMMAP;
	}
	if (bootmap_type_is_ram(r->type) && !boot_phys_in_direct_map(r->base, r->size, dm)) {
		fmt_snprintf(
		    why, why_size,
		    "range %u (%s, 0x%lx + 0x%lx) lies beyond the direct map (0x%lx bytes)", i,
		    bootmap_type_name(r->type), (unsigned long)r->base, (unsigned long)r->size,
		    (unsigned long)dm);
		return HANDOFF_EMEMMAP;
	}
	return HANDOFF_OK;
}

int handoff_check_ranges(const struct keel_mem_range *r, uint32_t count, uint64_t direct_map_size,
			 char *why, size_t why_size)
{
	for (uint32_t i = 0; i < count; i++) {
		int err = handoff_check_range(&r[i], i, direct_map_size, why, why_size);

		if (err != HANDOFF_OK)
			return err;
		/* r[i - 1] passed the checks above: its end does not wrap. */
		if (i > 0 && r[i].base < r[i - 1].base + r[i - 1].size) {
			fmt_snprintf(
			    why, why_size,
			    "ranges %u (0x%lx + 0x%lx) and %u (0x%lx) overlap or are unsorted",
			    i - 1, (unsigned long)r[i - 1].base, (unsigned long)r[i - 1].size, i,
			    (unsigned long)r[i].base);
			return HANDOFF_EMEMMAP;
		}
	}
	return HANDOFF_OK;
}

int handoff_check(const struct keel_handoff *h, uintptr_t phys_window, char *why, size_t why_size)
{
	uint64_t dm, ranges_bytes;
	int err = handoff_check_header(h, why, why_size);

	if (err != HANDOFF_OK)
		return err;
	dm = h->direct_map_size;
	if (!handoff_has_nul(h->cmdline, sizeof(h->cmdline))) {
		fmt_snprintf(why, why_size, "cmdline not NUL-terminated within %zu bytes",
			     sizeof(h->cmdline));
		return HANDOFF_ESTRING;
	}
	if (!handoff_has_nul(h->fw_vendor, sizeof(h->fw_vendor))) {
		fmt_snprintf(why, why_size, "fw_vendor not NUL-terminated within %zu bytes",
			     sizeof(h->fw_vendor));
		return HANDOFF_ESTRING;
	}
	if (h->range_count == 0 || h->range_count > KEEL_HANDOFF_MAX_RANGES) {
		fmt_snprintf(why, why_size, "range_count %u, expected 1..%u", h->range_count,
			     KEEL_HANDOFF_MAX_RANGES);
		return HANDOFF_ERANGES;
	}
	ranges_bytes = (uint64_t)h->range_count * sizeof(struct keel_mem_range);
	if (h->ranges % 8 != 0 || !boot_phys_in_direct_map(h->ranges, ranges_bytes, dm)) {
		fmt_snprintf(
		    why, why_size,
		    "ranges at 0x%lx (%lu bytes) unaligned or outside the direct map (0x%lx bytes)",
		    (unsigned long)h->ranges, (unsigned long)ranges_bytes, (unsigned long)dm);
		return HANDOFF_ERANGES;
	}
	if (h->initrd_size != 0 && !boot_phys_in_direct_map(h->initrd_base, h->initrd_size, dm)) {
		fmt_snprintf(why, why_size,
			     "initrd at 0x%lx (%lu bytes) outside the direct map (0x%lx bytes)",
			     (unsigned long)h->initrd_base, (unsigned long)h->initrd_size,
			     (unsigned long)dm);
		return HANDOFF_EINITRD;
	}
	/* The array is readable now; its contents are checked like any other input. */
	return handoff_check_ranges(
	    (const struct keel_mem_range *)(phys_window + (uintptr_t)h->ranges), h->range_count, dm,
	    why, why_size);
}
