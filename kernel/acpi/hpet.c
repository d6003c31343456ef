/*
 * kernel/acpi/hpet.c: the HPET description table (IA-PC HPET specification
 * 1.0a, §3.2.4): Event Timer Block ID at 36, the registers' Generic Address
 * Structure at 40, the HPET number at 52 and the minimum clock tick at 53.
 * Only the first HPET block is kept. The counter's period is not here: the
 * kernel reads it from the registers.
 */
#include "acpi/parse.h"

#define HPET_BLOCK_ID 36
#define HPET_ADDRESS  40
#define HPET_NUMBER   52
#define HPET_MIN_TICK 53

/* The registers are 64 bits wide, so the block is 8-byte aligned at least. */
#define HPET_ALIGN 8

void acpi_hpet_parse(struct acpi_parse *ps, const struct acpi_table *t)
{
	struct acpi_hpet *h = &ps->info->hpet;
	struct acpi_gas g = acpi_get_gas(t->bytes + HPET_ADDRESS);

	/* The HPET specification allows only system memory here. */
	if (g.space != ACPI_SPACE_MEMORY || g.address == 0 || g.address % HPET_ALIGN != 0) {
		acpi_warn(ps, ACPI_WARN_HPET_ADDRESS, t->signature, t->phys);
		return;
	}
	h->present = true;
	h->phys = t->phys;
	h->address = g.address;
	h->block_id = acpi_get32(t->bytes + HPET_BLOCK_ID);
	h->number = t->bytes[HPET_NUMBER];
	h->min_tick = acpi_get16(t->bytes + HPET_MIN_TICK);
}
