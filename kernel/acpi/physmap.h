/*
 * kernel/acpi/physmap.h: the kernel's struct acpi_mem (acpi.h) over the
 * direct map. A read is allowed only inside the direct map and only where
 * the handoff's ranges say firmware tables may live: ACPI reclaimable, ACPI
 * NVS or reserved memory (UEFI 2.10 §2.3.6 puts ACPI tables in the first
 * two; legacy firmware areas show up as reserved). RAM the allocator may
 * hand out, MMIO and holes are refused, so a hostile table address can
 * neither read device registers nor memory that changes under the parser.
 * Pure logic: the host test passes any window.
 */
#ifndef KEEL_ACPI_PHYSMAP_H
#define KEEL_ACPI_PHYSMAP_H

#include <stddef.h>
#include <stdint.h>

#include <keel/boot.h>

struct acpi_physmap {
	uintptr_t window;                    /* where physical 0 appears: KEEL_DIRECT_MAP_BASE */
	uint64_t direct_map_size;            /* bytes mapped from physical 0 */
	const struct keel_mem_range *ranges; /* sorted and disjoint (handoff_check) */
	uint32_t range_count;
};

/*
 * The acpi_mem map function; ctx is a struct acpi_physmap. window + phys
 * when [phys, phys + len) is non-empty, inside the direct map and covered
 * without a gap by ranges of the types above; NULL otherwise.
 */
const void *acpi_physmap_map(void *ctx, uint64_t phys, size_t len);

#endif
