/*
 * kernel/arch/x86_64/mmio.h: 32- and 64-bit device register accesses, for
 * registers that mm/vm.h's vm_map_mmio mapped uncached. Volatile, so that
 * each access happens once and in program order.
 */
#ifndef KEEL_ARCH_X86_64_MMIO_H
#define KEEL_ARCH_X86_64_MMIO_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Whether any byte of physical [phys, phys + len) is RAM in the handoff's
 * map: a device address from a firmware table that points there is refused,
 * since writing "registers" in RAM would corrupt whatever lives there.
 */
bool mmio_overlaps_ram(uint64_t phys, uint64_t len);

static inline uint32_t mmio_read32(const volatile void *p)
{
	return *(const volatile uint32_t *)p;
}

static inline void mmio_write32(volatile void *p, uint32_t v)
{
	*(volatile uint32_t *)p = v;
}

static inline uint64_t mmio_read64(const volatile void *p)
{
	return *(const volatile uint64_t *)p;
}

static inline void mmio_write64(volatile void *p, uint64_t v)
{
	*(volatile uint64_t *)p = v;
}

#endif
