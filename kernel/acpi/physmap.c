/*
 * kernel/acpi/physmap.c: reading firmware tables through the direct map
 * (physmap.h).
 */
#include "acpi/physmap.h"

#include <stdbool.h>

static bool physmap_type_ok(uint32_t type)
{
	return type == KEEL_RANGE_ACPI_RECLAIM || type == KEEL_RANGE_ACPI_NVS ||
	       type == KEEL_RANGE_RESERVED;
}

const void *acpi_physmap_map(void *ctx, uint64_t phys, size_t len)
{
	const struct acpi_physmap *pm = ctx;
	uint64_t dm = pm->direct_map_size;
	uint64_t at = phys, end;

	/* Inside the direct map without computing phys + len first: it may wrap. */
	if (len == 0 || phys > dm || len > dm - phys)
		return NULL;
	end = phys + len;
	/*
	 * Sorted, disjoint ranges: walk them while they cover `at` one after
	 * another. A range that starts past `at` leaves a hole: refused.
	 */
	for (uint32_t i = 0; i < pm->range_count && at < end; i++) {
		const struct keel_mem_range *r = &pm->ranges[i];

		if (r->base + r->size <= at)
			continue;
		if (r->base > at || !physmap_type_ok(r->type))
			return NULL;
		at = r->base + r->size;
	}
	if (at < end)
		return NULL;
	return (const void *)(pm->window + phys);
}
