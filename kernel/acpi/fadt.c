/*
 * kernel/acpi/fadt.c: the Fixed ACPI Description Table, signature "FACP"
 * (ACPI 6.5 §5.2.9, Table 5.9). Its length grew with each ACPI version: 116
 * bytes in ACPI 1.0 (through Flags), 244 from ACPI 2.0, 276 today. A field
 * past the table's length counts as absent, and a 64-bit X_ field that is 0
 * gives way to its 32-bit predecessor.
 */
#include "acpi/parse.h"

#define FADT_DSDT           40
#define FADT_SCI_INT        46
#define FADT_PM_TMR_BLK     76
#define FADT_PM_TMR_LEN     91
#define FADT_IAPC_BOOT_ARCH 109
#define FADT_FLAGS          112
#define FADT_RESET_REG      116
#define FADT_RESET_VALUE    128
#define FADT_X_DSDT         140
#define FADT_X_PM_TMR_BLK   208

#define GAS_LENGTH 12

/* IAPC_BOOT_ARCH was reserved before the ACPI 2.0 FADT, revision 3. */
#define FADT_BOOT_ARCH_REV 3

/* The PM timer is one 32-bit I/O register (§4.8.3.3); ports are 16-bit. */
#define PM_TMR_LENGTH 4
#define IO_PORT_END   0x10000u

/* Whether the table holds the `size` bytes at `offset`. */
static bool fadt_has(const struct acpi_table *t, uint32_t offset, uint32_t size)
{
	return t->length >= offset + size;
}

/* A PM timer register: in I/O space with all 4 ports below 0x10000, or in memory. */
static bool fadt_pm_timer_ok(const struct acpi_gas *g)
{
	if (g->address == 0)
		return false;
	if (g->space == ACPI_SPACE_IO)
		return g->address <= IO_PORT_END - PM_TMR_LENGTH;
	return g->space == ACPI_SPACE_MEMORY;
}

/*
 * X_PM_TMR_BLK when it is set, else PM_TMR_BLK, a port whose PM_TMR_LEN
 * must be 4. A hardware-reduced platform has no PM timer: both are ignored.
 */
static void fadt_pm_timer(struct acpi_parse *ps, const struct acpi_table *t, struct acpi_fadt *f)
{
	struct acpi_gas legacy = {
	    .space = ACPI_SPACE_IO,
	    .bit_width = 32,
	    .access_size = 3, /* dword */
	    .address = acpi_get32(t->bytes + FADT_PM_TMR_BLK),
	};

	if (f->flags & ACPI_FADT_HW_REDUCED_ACPI)
		return;
	if (fadt_has(t, FADT_X_PM_TMR_BLK, GAS_LENGTH)) {
		struct acpi_gas x = acpi_get_gas(t->bytes + FADT_X_PM_TMR_BLK);

		if (fadt_pm_timer_ok(&x)) {
			f->pm_timer_reg = x;
			f->pm_timer = true;
			return;
		}
		if (x.address != 0)
			acpi_warn(ps, ACPI_WARN_PM_TIMER, t->signature, t->phys);
	}
	if (legacy.address == 0)
		return;
	if (t->bytes[FADT_PM_TMR_LEN] != PM_TMR_LENGTH || !fadt_pm_timer_ok(&legacy)) {
		acpi_warn(ps, ACPI_WARN_PM_TIMER, t->signature, t->phys);
		return;
	}
	f->pm_timer_reg = legacy;
	f->pm_timer = true;
}

/*
 * RESET_REG, valid when RESET_REG_SUP is set: 8 bits wide at bit offset 0,
 * in system memory, I/O space, or the configuration space of a PCI function
 * on bus 0, whose address is device << 32 | function << 16 | offset (§4.8.3.6,
 * §5.2.3.2).
 */
static bool fadt_reset_ok(const struct acpi_gas *g)
{
	if (g->bit_width != 8 || g->bit_offset != 0 || g->address == 0)
		return false;
	switch (g->space) {
	case ACPI_SPACE_MEMORY: return true;
	case ACPI_SPACE_IO: return g->address < IO_PORT_END;
	case ACPI_SPACE_PCI_CONFIG:
		return (g->address >> 48) == 0 && ((g->address >> 32) & 0xffff) < 32 &&
		       ((g->address >> 16) & 0xffff) < 8 && (g->address & 0xffff) < 256;
	default: return false;
	}
}

static void fadt_reset(struct acpi_parse *ps, const struct acpi_table *t, struct acpi_fadt *f)
{
	struct acpi_gas g;

	if (!(f->flags & ACPI_FADT_RESET_REG_SUP))
		return;
	if (!fadt_has(t, FADT_RESET_VALUE, 1)) {
		acpi_warn(ps, ACPI_WARN_RESET_REG, t->signature, t->phys);
		return;
	}
	g = acpi_get_gas(t->bytes + FADT_RESET_REG);
	if (!fadt_reset_ok(&g)) {
		acpi_warn(ps, ACPI_WARN_RESET_REG, t->signature, t->phys);
		return;
	}
	f->reset = true;
	f->reset_reg = g;
	f->reset_value = t->bytes[FADT_RESET_VALUE];
}

void acpi_fadt_parse(struct acpi_parse *ps, const struct acpi_table *t)
{
	struct acpi_fadt *f = &ps->info->fadt;

	f->present = true;
	f->phys = t->phys;
	f->revision = t->revision;
	f->flags = acpi_get32(t->bytes + FADT_FLAGS);
	f->sci_irq = acpi_get16(t->bytes + FADT_SCI_INT);
	if (t->revision >= FADT_BOOT_ARCH_REV)
		f->boot_arch = acpi_get16(t->bytes + FADT_IAPC_BOOT_ARCH);
	f->dsdt = acpi_get32(t->bytes + FADT_DSDT);
	if (fadt_has(t, FADT_X_DSDT, 8) && acpi_get64(t->bytes + FADT_X_DSDT) != 0)
		f->dsdt = acpi_get64(t->bytes + FADT_X_DSDT);
	fadt_pm_timer(ps, t, f);
	f->pm_timer_32bit = f->pm_timer && (f->flags & ACPI_FADT_TMR_VAL_EXT);
	fadt_reset(ps, t, f);
}
