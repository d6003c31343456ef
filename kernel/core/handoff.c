/*
 * kernel/core/handoff.c: checking the handoff from keel.efi (handoff.h).
 */
#include "handoff.h"

#include "lib/fmt.h"

/* Whether phys [base, base + size) lies inside the direct map, without wrapping. */
static bool handoff_in_direct_map(uint64_t base, uint64_t size, uint64_t dm_size)
{
	return base <= dm_size && size <= dm_size - base;
}

static bool handoff_has_nul(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '\0')
			return true;
	return false;
}

int handoff_check_address(uint64_t addr, char *why, size_t why_size)
{
	uint64_t end = KEEL_DIRECT_MAP_BASE + HANDOFF_MAX_DIRECT_MAP;

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

bool handoff_layout_known(const struct keel_handoff *h)
{
	return h->magic == KEEL_HANDOFF_MAGIC && h->version == KEEL_HANDOFF_VERSION;
}

int handoff_check(const struct keel_handoff *h, char *why, size_t why_size)
{
	uint64_t dm, ranges_bytes;

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
	if (dm == 0 || dm % KEEL_PAGE_SIZE != 0 || dm > HANDOFF_MAX_DIRECT_MAP) {
		fmt_snprintf(why, why_size,
			     "direct_map_size 0x%lx, expected a non-zero page multiple <= 0x%lx",
			     (unsigned long)dm, (unsigned long)HANDOFF_MAX_DIRECT_MAP);
		return HANDOFF_EDIRECTMAP;
	}
	if (h->range_count == 0 || h->range_count > HANDOFF_MAX_RANGES) {
		fmt_snprintf(why, why_size, "range_count %u, expected 1..%u", h->range_count,
			     HANDOFF_MAX_RANGES);
		return HANDOFF_ERANGES;
	}
	ranges_bytes = (uint64_t)h->range_count * sizeof(struct keel_mem_range);
	if (h->ranges % 8 != 0 || !handoff_in_direct_map(h->ranges, ranges_bytes, dm)) {
		fmt_snprintf(
		    why, why_size,
		    "ranges at 0x%lx (%lu bytes) unaligned or outside the direct map (0x%lx bytes)",
		    (unsigned long)h->ranges, (unsigned long)ranges_bytes, (unsigned long)dm);
		return HANDOFF_ERANGES;
	}
	if (h->initrd_size != 0 && !handoff_in_direct_map(h->initrd_base, h->initrd_size, dm)) {
		fmt_snprintf(why, why_size,
			     "initrd at 0x%lx (%lu bytes) outside the direct map (0x%lx bytes)",
			     (unsigned long)h->initrd_base, (unsigned long)h->initrd_size,
			     (unsigned long)dm);
		return HANDOFF_EINITRD;
	}
	return HANDOFF_OK;
}
