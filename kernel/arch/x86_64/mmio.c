/*
 * kernel/arch/x86_64/mmio.c: the check that device addresses from firmware
 * tables are not RAM (mmio.h).
 */
#include "mmio.h"

#include "core/boot.h"
#include "lib/bootmap.h"

bool mmio_overlaps_ram(uint64_t phys, uint64_t len)
{
	const struct keel_mem_range *r = boot_info.ranges;

	if (len == 0 || len - 1 > UINT64_MAX - phys)
		return true; /* wraps: refuse it as if it were RAM */
	for (uint32_t i = 0; i < boot_info.handoff->range_count; i++) {
		if (!bootmap_type_is_ram(r[i].type))
			continue;
		/* Both inclusive ends, so that nothing here can overflow. */
		if (phys <= r[i].base + (r[i].size - 1) && r[i].base <= phys + (len - 1))
			return true;
	}
	return false;
}
