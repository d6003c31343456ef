/*
 * kernel/acpi/boot.c: the boot-time ACPI parse (boot.h).
 */
#include "acpi/boot.h"

#include "acpi/physmap.h"
#include "core/console.h"

/* About 11 KiB: static, not on the boot stack. Written once, at boot, on one CPU. */
static struct acpi_info acpi_info;

static void acpi_boot_print(const struct acpi_info *a)
{
	const struct acpi_madt *m = &a->madt;

	if (m->present) {
		uint32_t enabled = 0;

		for (uint32_t i = 0; i < m->cpu_count; i++)
			enabled += (m->cpus[i].flags & ACPI_CPU_ENABLED) != 0;
		kprintf("acpi: MADT: %u CPUs enabled of %u, %u IOAPIC(s)", enabled, m->cpu_count,
			m->ioapic_count);
		if (m->ioapic_count)
			kprintf(" (first at 0x%x, GSI %u)", m->ioapics[0].address,
				m->ioapics[0].gsi_base);
		kprintf(", %u overrides, LAPIC at 0x%llx%s\n", m->override_count,
			(unsigned long long)m->lapic_address, m->pcat_compat ? ", 8259 PICs" : "");
	} else {
		kprintf("acpi: no MADT\n");
	}
	if (a->hpet.present)
		kprintf("acpi: HPET at 0x%llx\n", (unsigned long long)a->hpet.address);
	if (a->mcfg.present && a->mcfg.count)
		kprintf("acpi: MCFG: %u segment(s), first ECAM at 0x%llx buses %u-%u\n",
			a->mcfg.count, (unsigned long long)a->mcfg.segments[0].base,
			a->mcfg.segments[0].bus_start, a->mcfg.segments[0].bus_end);
	if (a->fadt.present)
		kprintf("acpi: FADT revision %u, PM timer %s, reset register %s\n",
			a->fadt.revision,
			a->fadt.pm_timer ? (a->fadt.pm_timer_32bit ? "32-bit" : "24-bit") : "none",
			a->fadt.reset ? "present" : "none");
	for (uint32_t i = 0; i < a->warning_count; i++)
		kprintf("acpi: %.4s at 0x%llx: %s\n", a->warnings[i].signature,
			(unsigned long long)a->warnings[i].phys,
			acpi_warning_text(a->warnings[i].code));
	if (a->warnings_dropped)
		kprintf("acpi: %u more warnings not shown\n", a->warnings_dropped);
}

void acpi_boot_init(const struct boot_info *bi)
{
	const struct keel_handoff *h = bi->handoff;
	struct acpi_physmap pm = {
	    .window = KEEL_DIRECT_MAP_BASE,
	    .direct_map_size = h->direct_map_size,
	    .ranges = bi->ranges,
	    .range_count = h->range_count,
	};
	struct acpi_mem mem = {acpi_physmap_map, &pm};
	const char *why = NULL;
	int rc;

	if (!(h->flags & KEEL_HANDOFF_HAS_RSDP))
		return; /* the boot summary has said "acpi: no RSDP" */
	rc = acpi_parse(&mem, h->rsdp, &acpi_info, &why);
	if (rc != ACPI_OK) {
		kprintf("acpi: %s%s%s: running without ACPI tables\n", acpi_strerror(rc),
			why ? ": " : "", why ? why : "");
		return;
	}
	acpi_boot_print(&acpi_info);
}

const struct acpi_info *acpi_boot_info(void)
{
	return &acpi_info;
}

void acpi_boot_platform(struct keel_platform *out)
{
	const struct acpi_mcfg *m = &acpi_info.mcfg;
	const struct acpi_fadt *f = &acpi_info.fadt;

	*out = (struct keel_platform){0};
	if (m->present && m->count > 0) {
		out->ecam_base = m->segments[0].base;
		out->ecam_segment = m->segments[0].segment;
		out->ecam_bus_first = m->segments[0].bus_start;
		out->ecam_bus_last = m->segments[0].bus_end;
	}
	/* fadt.c keeps `reset` only for a sound 8-bit register; PCI config space: not given. */
	if (f->present && f->reset && f->reset_reg.space != ACPI_SPACE_PCI_CONFIG) {
		out->reset_space =
		    f->reset_reg.space == ACPI_SPACE_IO ? KEEL_RESET_IO : KEEL_RESET_MEMORY;
		out->reset_address = f->reset_reg.address;
		out->reset_value = f->reset_value;
	}
}
