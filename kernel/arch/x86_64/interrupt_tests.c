/*
 * kernel/arch/x86_64/interrupt_tests.c: in-kernel tests of the interrupt and
 * time hardware, run with interrupts on and the tick running. What to expect
 * from ACPI comes from test.acpi=0|1 on the command line: without ACPI (Bochs)
 * there is no IOAPIC, and the TSC is measured against the PIT.
 */
#include <stdbool.h>

#include "acpi/boot.h"
#include "core/arch.h"
#include "core/boot.h"
#include "core/console.h"
#include "cpu.h"
#include "ioapic.h"
#include "irq.h"
#include "lapic.h"
#include "lib/bootargs.h"
#include "timer.h"
#include "tsc.h"

#define TEST_TICKS     20 /* 200 ms at 100 Hz */
#define TEST_TOLERANCE 10 /* per cent */

#define CPUID_X2APIC_LEAF 0xb

/* test.acpi: 1 or 0 in *want, or a failure message. */
static const char *test_acpi_expected(bool *want)
{
	uint64_t v;

	if (bootargs_get_u64(boot_info.handoff->cmdline, "test.acpi", &v) != BOOTARGS_OK || v > 1)
		return ktest_fail("no test.acpi=0 or test.acpi=1 on the command line");
	*want = v == 1;
	return NULL;
}

/* Whether a and b differ by at most TEST_TOLERANCE per cent of b. */
static bool test_close(uint64_t a, uint64_t b)
{
	uint64_t d = a > b ? a - b : b - a;

	return d * 100 <= b * TEST_TOLERANCE;
}

/*
 * The LAPIC's ID is the MADT's first enabled CPU (the boot CPU is listed
 * first) and CPUID's own idea of this CPU's APIC ID.
 */
static const char *test_lapic_id(void)
{
	const struct acpi_madt *m = &acpi_boot_info()->madt;
	uint32_t id = lapic_id(), cpuid_id;
	bool acpi;
	const char *err = test_acpi_expected(&acpi);

	if (err)
		return err;
	cpuid_id =
	    lapic_x2apic_mode() ? cpu_cpuid(CPUID_X2APIC_LEAF, 0).edx : cpu_cpuid(1, 0).ebx >> 24;
	if (id != cpuid_id)
		return ktest_fail("LAPIC ID %u, CPUID says %u", id, cpuid_id);
	kprintf("# lapic_id: %u (%s)\n", id, lapic_x2apic_mode() ? "x2APIC" : "xAPIC");
	if (!acpi)
		return NULL;
	for (uint32_t i = 0; i < m->cpu_count; i++) {
		if (!(m->cpus[i].flags & ACPI_CPU_ENABLED))
			continue;
		return m->cpus[i].apic_id == id
			   ? NULL
			   : ktest_fail("LAPIC ID %u, the MADT's first enabled CPU has %u", id,
					m->cpus[i].apic_id);
	}
	return ktest_fail("the MADT lists no enabled CPU");
}

/* Every IOAPIC of the MADT is in use with all its inputs masked; none without ACPI. */
static const char *test_ioapic_masked(void)
{
	const struct acpi_madt *m = &acpi_boot_info()->madt;
	bool acpi;
	const char *err = test_acpi_expected(&acpi);

	if (err)
		return err;
	if (!acpi)
		return ioapic_count() == 0 ? NULL
					   : ktest_fail("%u IOAPICs without ACPI", ioapic_count());
	if (ioapic_count() == 0 || ioapic_count() != m->ioapic_count)
		return ktest_fail("%u IOAPICs in use, the MADT lists %u", ioapic_count(),
				  m->ioapic_count);
	for (uint32_t i = 0; i < ioapic_count(); i++) {
		const struct ioapic *io = ioapic_get(i);

		for (uint32_t pin = 0; pin < io->inputs; pin++) {
			uint64_t e = ioapic_read_entry(i, pin);

			if (!(e & (1u << 16)))
				return ktest_fail("IOAPIC %u input %u is not masked (0x%lx)",
						  io->id, pin, (unsigned long)e);
		}
	}
	return NULL;
}

/*
 * Route ISA IRQ 0 (the PIT) as the MADT's overrides say, read the entry back,
 * and mask it again. Interrupts stay off meanwhile; a PIT edge that slips
 * through in between is an unowned vector, acknowledged by irq_dispatch.
 */
static const char *test_ioapic_route(void)
{
	uint32_t gsi, id = lapic_id(), pin = 0, i;
	uint8_t polarity, trigger;
	uint64_t e, want, flags;
	bool acpi;
	const char *err = test_acpi_expected(&acpi);
	int r;

	if (err)
		return err;
	ioapic_isa_irq(&acpi_boot_info()->madt, 0, &gsi, &polarity, &trigger);
	if (!acpi)
		return ioapic_route_gsi(gsi, polarity, trigger, IRQ_VECTOR_IO_FIRST, id) ==
			       IOAPIC_ENOENT
			   ? NULL
			   : ktest_fail("routing GSI %u without an IOAPIC did not fail", gsi);
	for (i = 0; i < ioapic_count(); i++) {
		const struct ioapic *io = ioapic_get(i);

		if (gsi >= io->gsi_base && gsi - io->gsi_base < io->inputs) {
			pin = gsi - io->gsi_base;
			break;
		}
	}
	want = IRQ_VECTOR_IO_FIRST | (polarity == ACPI_POLARITY_LOW ? 1u << 13 : 0) |
	       (trigger == ACPI_TRIGGER_LEVEL ? 1u << 15 : 0) | (uint64_t)id << 56;
	if (ioapic_route_gsi(gsi, polarity, trigger, 0x10, id) != IOAPIC_EINVAL)
		return ktest_fail("vector 0x10 (an exception) was accepted");
	flags = cpu_irq_save();
	r = ioapic_route_gsi(gsi, polarity, trigger, IRQ_VECTOR_IO_FIRST, id);
	/* Without the read-only bits: delivery status (12) and remote IRR (14). */
	e = ioapic_read_entry(i, pin) & ~(uint64_t)(1u << 12 | 1u << 14);
	ioapic_mask_gsi(gsi);
	cpu_irq_restore(flags);
	kprintf("# ioapic_route: ISA IRQ 0 -> GSI %u (IOAPIC %u input %u), entry 0x%lx\n", gsi, i,
		pin, (unsigned long)e);
	if (r != IOAPIC_OK)
		return ktest_fail("routing GSI %u: %s", gsi, ioapic_strerror(r));
	if (e != want)
		return ktest_fail("entry 0x%lx, expected 0x%lx", (unsigned long)e,
				  (unsigned long)want);
	e = ioapic_read_entry(i, pin);
	return (e & (1u << 16)) ? NULL : ktest_fail("not masked again: 0x%lx", (unsigned long)e);
}

/* An INT to a vector nobody owns, and to the spurious vector, is counted and survived. */
static const char *test_unused_vector(void)
{
	struct irq_counters before;
	uint64_t flags = cpu_irq_save();
	uint64_t unexpected, last, spurious;

	before = irq_counters;
	__asm__ volatile("int %0" : : "i"(IRQ_VECTOR_UNUSED) : "memory");
	unexpected = irq_counters.unexpected;
	last = irq_counters.last_unexpected;
	__asm__ volatile("int %0" : : "i"(IRQ_VECTOR_SPURIOUS) : "memory");
	spurious = irq_counters.spurious;
	cpu_irq_restore(flags);
	if (unexpected != before.unexpected + 1 || last != IRQ_VECTOR_UNUSED)
		return ktest_fail("int 0x%x: unexpected %lu -> %lu, last vector 0x%lx",
				  IRQ_VECTOR_UNUSED, (unsigned long)before.unexpected,
				  (unsigned long)unexpected, (unsigned long)last);
	if (spurious != before.spurious + 1)
		return ktest_fail("int 0x%x: spurious %lu -> %lu", IRQ_VECTOR_SPURIOUS,
				  (unsigned long)before.spurious, (unsigned long)spurious);
	return NULL;
}

/* Wait until the tick count passes `target`; false when `limit` TSC ticks pass first. */
static bool test_wait_ticks(uint64_t target, uint64_t limit)
{
	uint64_t t0 = tsc_read();

	while (timer_ticks < target)
		if (tsc_read() - t0 > limit)
			return false;
	return true;
}

/*
 * TEST_TICKS ticks take TEST_TICKS periods of the TSC, within TEST_TOLERANCE.
 * Timed from one tick to another, so no partial period blurs the count.
 */
static const char *test_timer_tick_rate(void)
{
	uint64_t period = timer_info.period_tsc, want = TEST_TICKS * period;
	uint64_t start, first, elapsed;

	if (timer_info.mode == TIMER_MODE_NONE)
		return ktest_fail("no tick is running");
	if (!(__builtin_ia32_readeflags_u64() & CPU_RFLAGS_IF))
		return ktest_fail("interrupts are off");
	if (!test_wait_ticks(timer_ticks + 1, 10 * period))
		return ktest_fail("no tick within 10 periods (%lu ticks so far)",
				  (unsigned long)timer_ticks);
	/* Under QEMU's -icount these TSC figures are instruction counts (FACTS.md). */
	kprintf("# timer_tick_rate: %s; TSC from kernel entry: tick armed %lu, first tick %lu\n",
		timer_mode_name(timer_info.mode),
		(unsigned long)(timer_info.start_tsc - boot_info.tsc_entry),
		(unsigned long)(timer_first_tick_tsc - boot_info.tsc_entry));
	start = tsc_read();
	first = timer_ticks;

	if (!test_wait_ticks(first + TEST_TICKS, 4 * want))
		return ktest_fail("%lu ticks in 4x the time %u should take",
				  (unsigned long)(timer_ticks - first), TEST_TICKS);
	elapsed = tsc_read() - start;
	kprintf("# timer_tick_rate: %u ticks in %lu TSC ticks, expected %lu\n", TEST_TICKS,
		(unsigned long)elapsed, (unsigned long)want);
	return test_close(elapsed, want)
		   ? NULL
		   : ktest_fail("%u ticks took %lu TSC ticks, expected %lu", TEST_TICKS,
				(unsigned long)elapsed, (unsigned long)want);
}

/*
 * Measure the TSC against the reference timer again: the same rate within
 * TEST_TOLERANCE, and the reference the machine should have (HPET or PM
 * timer with ACPI, the PIT without).
 */
static const char *test_tsc_reference(void)
{
	uint64_t ticks, flags, hz;
	enum reftimer_kind k;
	bool acpi;
	const char *err = test_acpi_expected(&acpi);

	if (err)
		return err;
	if (tsc_info.source != TSC_SOURCE_MEASURED)
		return ktest_fail("the TSC's rate was not measured (source %d)", tsc_info.source);
	flags = cpu_irq_save();
	k = reftimer_measure_tsc(acpi_boot_info(), 20000, &ticks);
	cpu_irq_restore(flags);
	hz = ticks * 50;
	kprintf("# tsc_reference: %lu kHz against %s, boot said %lu kHz; CPUID 0x15/0x16 says "
		"%lu kHz\n",
		(unsigned long)(hz / 1000), reftimer_name(k), (unsigned long)(tsc_info.hz / 1000),
		(unsigned long)(tsc_cpuid_hz() / 1000));
	if (k != tsc_info.reference)
		return ktest_fail("measured against %s now, %s at boot", reftimer_name(k),
				  reftimer_name(tsc_info.reference));
	if (acpi ? k == REFTIMER_PIT : k != REFTIMER_PIT)
		return ktest_fail("reference %s with test.acpi=%d", reftimer_name(k), acpi);
	return test_close(hz, tsc_info.hz) ? NULL
					   : ktest_fail("the rate differs by more than 10 %%");
}

static const struct ktest interrupt_tests[] = {
    KTEST(lapic_id),      KTEST(ioapic_masked),   KTEST(ioapic_route),
    KTEST(unused_vector), KTEST(timer_tick_rate), KTEST(tsc_reference),
};

const struct ktest_suite interrupt_test_suite = {interrupt_tests, KTEST_COUNT(interrupt_tests)};
