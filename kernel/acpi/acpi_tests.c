/*
 * kernel/acpi/acpi_tests.c: in-kernel tests of the boot-time ACPI parse on
 * the firmware's real tables (DESIGN.md §8). What to expect comes from the
 * test runner on the command line: test.acpi=0|1 (whether the firmware has
 * ACPI tables at all) and test.cpus=N.
 */
#include <stdbool.h>

#include "acpi/boot.h"
#include "core/console.h"
#include "lib/bootargs.h"

/* test.acpi: 1 or 0 in *want, or a failure message. */
static const char *acpi_expected(bool *want)
{
	uint64_t v;

	if (bootargs_get_u64(boot_info.handoff->cmdline, "test.acpi", &v) != BOOTARGS_OK || v > 1)
		return ktest_fail("no test.acpi=0 or test.acpi=1 on the command line");
	*want = v == 1;
	return NULL;
}

static const char *test_acpi_madt_cpus(void)
{
	const struct acpi_madt *m = &acpi_boot_info()->madt;
	uint64_t want;
	uint32_t enabled = 0;
	bool acpi;
	const char *err = acpi_expected(&acpi);

	if (err)
		return err;
	if (!acpi)
		return m->present ? ktest_fail("a MADT was parsed, but test.acpi=0") : NULL;
	if (bootargs_get_u64(boot_info.handoff->cmdline, "test.cpus", &want) != BOOTARGS_OK)
		return ktest_fail("no test.cpus=N on the command line");
	if (!m->present)
		return ktest_fail("no MADT was parsed");
	for (uint32_t i = 0; i < m->cpu_count; i++)
		enabled += (m->cpus[i].flags & ACPI_CPU_ENABLED) != 0;
	if (enabled != want)
		return ktest_fail("MADT lists %u enabled CPUs, the machine has %llu", enabled,
				  (unsigned long long)want);
	if (m->ioapic_count == 0)
		return ktest_fail("MADT lists no IOAPIC");
	return NULL;
}

/* QEMU's own tables are sound: a warning means the parser or accessor is wrong. */
static const char *test_acpi_no_warnings(void)
{
	const struct acpi_info *a = acpi_boot_info();
	bool acpi;
	const char *err = acpi_expected(&acpi);

	if (err)
		return err;
	if (!acpi)
		return a->fadt.present || a->table_count
			   ? ktest_fail("tables parsed, but test.acpi=0")
			   : NULL;
	if (!a->fadt.present)
		return ktest_fail("no FADT was parsed");
	if (a->warning_count != 0)
		return ktest_fail("%u warnings, the first: %.4s at 0x%llx: %s", a->warning_count,
				  a->warnings[0].signature, (unsigned long long)a->warnings[0].phys,
				  acpi_warning_text(a->warnings[0].code));
	return NULL;
}

/*
 * KEEL_INFO_PLATFORM's answer is what the parse found: the MCFG's first
 * segment (no ECAM without one) and the FADT's reset register.
 */
static const char *test_acpi_platform(void)
{
	const struct acpi_info *a = acpi_boot_info();
	const struct acpi_mcfg_segment *s = &a->mcfg.segments[0];
	const struct acpi_fadt *f = &a->fadt;
	struct keel_platform p;

	acpi_boot_platform(&p);
	if (a->mcfg.count == 0) {
		if (p.ecam_base || p.ecam_segment || p.ecam_bus_first || p.ecam_bus_last)
			return ktest_fail("no MCFG segment, but ECAM at 0x%llx",
					  (unsigned long long)p.ecam_base);
	} else if (p.ecam_base != s->base || p.ecam_segment != s->segment ||
		   p.ecam_bus_first != s->bus_start || p.ecam_bus_last != s->bus_end) {
		return ktest_fail("ECAM 0x%llx seg %u buses %u-%u, MCFG 0x%llx seg %u buses %u-%u",
				  (unsigned long long)p.ecam_base, p.ecam_segment, p.ecam_bus_first,
				  p.ecam_bus_last, (unsigned long long)s->base, s->segment,
				  s->bus_start, s->bus_end);
	} else if (p.ecam_base % (1ull << 20) != 0) {
		return ktest_fail("ECAM base 0x%llx not 1 MiB aligned",
				  (unsigned long long)p.ecam_base);
	}
	if (!f->present || !f->reset || f->reset_reg.space == ACPI_SPACE_PCI_CONFIG)
		return p.reset_space == KEEL_RESET_NONE && p.reset_address == 0
			   ? NULL
			   : ktest_fail("no usable FADT reset register, but space %u at 0x%llx",
					p.reset_space, (unsigned long long)p.reset_address);
	if (p.reset_space !=
		(f->reset_reg.space == ACPI_SPACE_IO ? KEEL_RESET_IO : KEEL_RESET_MEMORY) ||
	    p.reset_address != f->reset_reg.address || p.reset_value != f->reset_value)
		return ktest_fail("reset space %u 0x%llx value 0x%x, FADT space %u 0x%llx 0x%x",
				  p.reset_space, (unsigned long long)p.reset_address, p.reset_value,
				  f->reset_reg.space, (unsigned long long)f->reset_reg.address,
				  f->reset_value);
	kprintf("# platform: ecam 0x%llx buses %u-%u, reset space %u 0x%llx value 0x%x\n",
		(unsigned long long)p.ecam_base, p.ecam_bus_first, p.ecam_bus_last, p.reset_space,
		(unsigned long long)p.reset_address, p.reset_value);
	return NULL;
}

static const struct ktest acpi_tests[] = {
    KTEST(acpi_madt_cpus),
    KTEST(acpi_no_warnings),
    KTEST(acpi_platform),
};

const struct ktest_suite acpi_test_suite = {acpi_tests, KTEST_COUNT(acpi_tests)};
