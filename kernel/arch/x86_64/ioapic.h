/*
 * kernel/arch/x86_64/ioapic.h: the IOAPICs the MADT lists, or the PC default
 * when there is no MADT (82093AA data sheet: IOREGSEL/IOWIN, version
 * register, redirection table). All inputs start masked; a driver's interrupt is routed to a vector
 * on the boot CPU.
 */
#ifndef KEEL_ARCH_X86_64_IOAPIC_H
#define KEEL_ARCH_X86_64_IOAPIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acpi/acpi.h"

enum ioapic_error {
	IOAPIC_OK = 0,
	IOAPIC_ENOENT = -1, /* no IOAPIC handles that GSI */
	IOAPIC_EINVAL = -2, /* a vector outside the IOAPIC range, or a bad polarity/trigger */
	IOAPIC_EDEST = -3,  /* the CPU's APIC ID does not fit the 8-bit destination */
};

/* One IOAPIC in use. */
struct ioapic {
	volatile uint8_t *regs;
	uint32_t phys; /* the register page's physical address */
	uint32_t gsi_base;
	uint32_t inputs; /* redirection entries: GSIs gsi_base .. gsi_base + inputs - 1 */
	uint8_t id;
};

/*
 * Map every IOAPIC of the MADT and mask all its inputs. An IOAPIC that cannot
 * be mapped, does not answer, or overlaps another's GSIs is left out with a
 * line saying why. Without a MADT, the PC default at 0xfec00000 when it
 * answers like an IOAPIC (ISA identity mapping: GSI n is IRQ n).
 */
void ioapic_init(const struct acpi_madt *m);

uint32_t ioapic_count(void);
const struct ioapic *ioapic_get(uint32_t i);

/* The raw 64-bit redirection entry of input `pin` of IOAPIC i. */
uint64_t ioapic_read_entry(uint32_t i, uint32_t pin);

/* Route a GSI (ACPI_POLARITY_*, ACPI_TRIGGER_* as in the MADT) to `vector` on APIC ID dest,
 * unmasked. */
int ioapic_route_gsi(uint32_t gsi, uint8_t polarity, uint8_t trigger, uint32_t vector,
		     uint32_t dest);

/*
 * The GSI, polarity and trigger of ISA IRQ `irq` after the MADT's interrupt
 * source overrides (ISA default: GSI = IRQ, active high, edge).
 */
void ioapic_isa_irq(const struct acpi_madt *m, uint8_t irq, uint32_t *gsi, uint8_t *polarity,
		    uint8_t *trigger);

/* Mask one GSI again (its entry cleared: unrouted). */
int ioapic_mask_gsi(uint32_t gsi);

/* Mask or unmask a routed GSI, leaving the rest of its entry as it is. */
int ioapic_set_masked(uint32_t gsi, bool masked);

/* Whether an IOAPIC in use has this GSI. */
bool ioapic_has_gsi(uint32_t gsi);

const char *ioapic_strerror(int err);

#endif
