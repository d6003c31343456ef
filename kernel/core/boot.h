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

/* Whether a range type is RAM (as opposed to MMIO, reserved or the framebuffer). */
static inline bool boot_range_is_ram(uint32_t type)
{
	switch (type) {
	case KEEL_RANGE_USABLE:
	case KEEL_RANGE_BOOT_RECLAIM:
	case KEEL_RANGE_ACPI_RECLAIM:
	case KEEL_RANGE_ACPI_NVS:
	case KEEL_RANGE_KERNEL:
	case KEEL_RANGE_INITRD:
	case KEEL_RANGE_TRAMPOLINE:
		return true;
	default:
		return false;
	}
}

#endif
