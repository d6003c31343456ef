/*
 * kernel/arch/x86_64/lapic.h: this CPU's local APIC, in x2APIC mode (MSRs)
 * where cpufeatures says x2apic=on, else in xAPIC mode (MMIO at the MADT's
 * address, or IA32_APIC_BASE's without a MADT). SDM Vol. 3A, chapter 11.
 */
#ifndef KEEL_ARCH_X86_64_LAPIC_H
#define KEEL_ARCH_X86_64_LAPIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Register offsets in the xAPIC page; x2APIC MSR = 0x800 + offset / 16. */
#define LAPIC_REG_ID        0x020
#define LAPIC_REG_VERSION   0x030
#define LAPIC_REG_TPR       0x080
#define LAPIC_REG_EOI       0x0b0
#define LAPIC_REG_SVR       0x0f0
#define LAPIC_REG_ISR       0x100 /* eight 32-bit registers, 0x10 apart */
#define LAPIC_REG_ESR       0x280
#define LAPIC_REG_LVT_TMR   0x320
#define LAPIC_REG_LVT_LINT0 0x350
#define LAPIC_REG_LVT_ERR   0x370
#define LAPIC_REG_TMR_INIT  0x380
#define LAPIC_REG_TMR_CUR   0x390
#define LAPIC_REG_TMR_DIV   0x3e0

#define LAPIC_LVT_MASKED       (1u << 16)
#define LAPIC_LVT_TMR_PERIODIC (1u << 17)
#define LAPIC_LVT_TMR_DEADLINE (2u << 17)

/*
 * Enable this CPU's LAPIC with the spurious vector, accept every priority,
 * mask LINT0 (the 8259s' ExtINT path) and the timer. The boot CPU's call
 * chooses the mode and maps the xAPIC registers for all; each AP calls it
 * once for its own LAPIC. 0, or -1 with why.
 */
int lapic_init(char *why, size_t why_size);

bool lapic_x2apic_mode(void);

/* This CPU's APIC ID (32 bits in x2APIC mode, 8 in xAPIC mode). */
uint32_t lapic_id(void);

uint32_t lapic_read(uint32_t reg);
void lapic_write(uint32_t reg, uint32_t v);

/* Signal the end of the interrupt in service. */
void lapic_eoi(void);

/* Whether the LAPIC has `vector` in service (its ISR bit). */
bool lapic_in_service(uint32_t vector);

/*
 * Inter-processor interrupts to the LAPIC `apic_id` (physical destination):
 * a fixed interrupt on `vector`; INIT; a start-up IPI that starts the CPU in
 * real mode at page `page` (address page << 12). 0, or -1 when the IPI could
 * not be sent (xAPIC: an ID above 255, or the previous IPI never left).
 */
int lapic_send_ipi(uint32_t apic_id, uint8_t vector);
int lapic_send_init(uint32_t apic_id);
int lapic_send_startup(uint32_t apic_id, uint8_t page);

#endif
