/*
 * kernel/acpi/mcfg.c: the PCI Express memory-mapped configuration table,
 * signature "MCFG" (PCI Firmware Specification 3.2, §4.1.2): 8 reserved bytes
 * after the header, then 16-byte entries { base address (8), segment (2),
 * start bus (1), end bus (1), reserved (4) }. The base is where bus 0 of the
 * segment would be, whatever the start bus: bus b is at base + (b << 20).
 */
#include "acpi/parse.h"

#define MCFG_ENTRIES      44
#define MCFG_ENTRY_LENGTH 16
#define MCFG_BUS_SHIFT    20 /* 1 MiB of configuration space per bus */

/* A window that exists: buses in order, aligned to a bus, not wrapping. */
static bool mcfg_segment_ok(const struct acpi_mcfg_segment *s)
{
	uint64_t end_offset = ((uint64_t)s->bus_end + 1) << MCFG_BUS_SHIFT;

	return s->base != 0 && s->base % (1ull << MCFG_BUS_SHIFT) == 0 &&
	       s->bus_start <= s->bus_end && s->base <= UINT64_MAX - end_offset + 1;
}

void acpi_mcfg_parse(struct acpi_parse *ps, const struct acpi_table *t)
{
	struct acpi_mcfg *m = &ps->info->mcfg;
	uint32_t count = (t->length - MCFG_ENTRIES) / MCFG_ENTRY_LENGTH;

	m->present = true;
	m->phys = t->phys;
	if ((t->length - MCFG_ENTRIES) % MCFG_ENTRY_LENGTH != 0)
		acpi_warn(ps, ACPI_WARN_RAGGED, t->signature, t->phys);
	for (uint32_t i = 0; i < count; i++) {
		const uint8_t *e = t->bytes + MCFG_ENTRIES + i * MCFG_ENTRY_LENGTH;
		uint64_t e_phys = t->phys + MCFG_ENTRIES + i * MCFG_ENTRY_LENGTH;
		struct acpi_mcfg_segment s = {
		    .base = acpi_get64(e),
		    .segment = acpi_get16(e + 8),
		    .bus_start = e[10],
		    .bus_end = e[11],
		};

		if (!mcfg_segment_ok(&s)) {
			acpi_warn(ps, ACPI_WARN_BAD_ENTRY, t->signature, e_phys);
			continue;
		}
		if (m->count == ACPI_MAX_MCFG) {
			acpi_warn(ps, ACPI_WARN_TOO_MANY_MCFG, t->signature, e_phys);
			return;
		}
		m->segments[m->count++] = s;
	}
}
