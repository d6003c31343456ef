/*
 * kernel/arch/x86_64/ioapic_check.c: the sanity check of a probed IOAPIC's
 * registers (ioapic_check.h). The version register holds the version in bits
 * 7:0 and the highest redirection entry's index in bits 23:16; bits 15:8 and
 * 31:24 are reserved, except bit 15 (the PCI IRQ assertion register flag of
 * version 0x20 IOAPICs).
 */
#include "ioapic_check.h"

#define VERSION_RESERVED 0xff007f00u

uint32_t ioapic_check_inputs(uint32_t id_reg, uint32_t version_reg)
{
	uint32_t version = version_reg & 0xff;
	uint32_t inputs = ((version_reg >> 16) & 0xff) + 1;

	if (id_reg == 0xffffffffu || version_reg == 0xffffffffu)
		return 0;
	if (version_reg & VERSION_RESERVED)
		return 0;
	if (version < IOAPIC_VERSION_MIN || version > IOAPIC_VERSION_MAX)
		return 0;
	if (inputs < IOAPIC_INPUTS_MIN || inputs > IOAPIC_INPUTS_MAX)
		return 0;
	return inputs;
}
