/*
 * kernel/arch/x86_64/ioapic_check.h: whether what answers at an address
 * looks like an IOAPIC, from its ID and version registers (82093AA data
 * sheet §3.2.1-3.2.2). Pure: the host unit test (tests/unit/test_ioapic_check.c)
 * feeds it register values.
 */
#ifndef KEEL_ARCH_X86_64_IOAPIC_CHECK_H
#define KEEL_ARCH_X86_64_IOAPIC_CHECK_H

#include <stdint.h>

/* Sane versions: 0x11 is the 82093AA's, 0x20 the newest of the ICH/PCH IOAPICs. */
#define IOAPIC_VERSION_MIN 0x11u
#define IOAPIC_VERSION_MAX 0x20u
/* Sane sizes of the redirection table: 16 (the ISA IRQs) to 240 (the I/O vectors). */
#define IOAPIC_INPUTS_MIN  16u
#define IOAPIC_INPUTS_MAX  240u

/*
 * The number of redirection entries of an IOAPIC whose ID register (index 0)
 * read id_reg and whose version register (index 1) read version_reg; 0 when
 * the values are not an IOAPIC's: all ones (nothing decodes the address), a
 * version outside 0x11-0x20, a table outside 16-240 entries, or reserved
 * bits set in the version register.
 */
uint32_t ioapic_check_inputs(uint32_t id_reg, uint32_t version_reg);

/* The 4-bit APIC ID in bits 27:24 of the ID register. */
static inline uint8_t ioapic_check_id(uint32_t id_reg)
{
	return (uint8_t)((id_reg >> 24) & 0xf);
}

#endif
