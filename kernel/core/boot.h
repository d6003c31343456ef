/*
 * kernel/core/boot.h: what the kernel keeps from boot, set by kernel_main once
 * handoff_check() has accepted the handoff. The handoff and its ranges live in
 * BOOT_RECLAIM memory, which nothing reclaims yet: pointers into it stay good.
 */
#ifndef KEEL_CORE_BOOT_H
#define KEEL_CORE_BOOT_H

#include <stdbool.h>
#include <stdint.h>

#include <keel/boot.h>

struct boot_info {
	const struct keel_handoff *handoff;  /* checked (core/handoff.h) */
	const struct keel_mem_range *ranges; /* handoff->range_count of them */
	uint64_t tsc_entry;                  /* TSC read first thing in kernel_entry */
};

extern struct boot_info boot_info;

/* Where physical address `phys` is in the direct map. */
static inline void *boot_phys_to_virt(uint64_t phys)
{
	return (void *)(uintptr_t)(KEEL_DIRECT_MAP_BASE + phys);
}

/*
 * Whether physical [base, base + size) lies inside a direct map of
 * direct_map_size bytes, without computing base + size (it may wrap).
 */
static inline bool boot_phys_in_direct_map(uint64_t base, uint64_t size, uint64_t direct_map_size)
{
	return base <= direct_map_size && size <= direct_map_size - base;
}

#endif
