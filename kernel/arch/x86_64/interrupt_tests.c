/*
 * kernel/arch/x86_64/interrupt_tests.c: in-kernel tests of the interrupt and
 * time hardware, run with interrupts on and the tick running. What to expect
 * from ACPI comes from test.acpi=0|1 on the command line: without ACPI (Bochs)
 * the IOAPIC is the PC default ioapic.c probed, and the TSC is measured
 * against the PIT.
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

#define TEST_TICKS        20 /* 200 ms at 100 Hz */
#define TEST_TOLERANCE    10 /* per cent */
/* Sample pairs to try: on a loaded host a vCPU may be paused for whole periods. */
#define TEST_SAMPLE_TRIES 64

#define CPUID_X2APIC_LEAF  0xb
/* A GSI no IOAPIC of the machines tested has (theirs start at 0, 24 inputs each). */
#define IOAPIC_NO_SUCH_GSI 0xfffffff0u

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

/*
 * Every IOAPIC of the MADT is in use with all its inputs masked. Without ACPI
 * the one in use is the PC default at 0xfec00000 with GSIs from 0 (the only
 * machine run with test.acpi=0, Bochs, has it).
 */
static const char *test_ioapic_masked(void)
{
	const struct acpi_madt *m = &acpi_boot_info()->madt;
	const struct ioapic *first = ioapic_get(0);
	bool acpi;
	const char *err = test_acpi_expected(&acpi);

	if (err)
		return err;
	if (!acpi) {
		if (ioapic_count() != 1 || first->phys != 0xfec00000u || first->gsi_base != 0)
			return ktest_fail(
			    "without ACPI: %u IOAPICs, the first at 0x%x from GSI %u; "
			    "expected the PC default alone",
			    ioapic_count(), first ? first->phys : 0, first ? first->gsi_base : 0);
	} else if (ioapic_count() == 0 || ioapic_count() != m->ioapic_count)
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
	/* Without ACPI: no overrides, so GSI 0, edge, active high on the PC default. */
	ioapic_isa_irq(&acpi_boot_info()->madt, 0, &gsi, &polarity, &trigger);
	if (!acpi && (gsi != 0 || polarity != ACPI_POLARITY_HIGH || trigger != ACPI_TRIGGER_EDGE))
		return ktest_fail("without ACPI, ISA IRQ 0 is GSI %u polarity %u trigger %u", gsi,
				  polarity, trigger);
	if (ioapic_route_gsi(IOAPIC_NO_SUCH_GSI, polarity, trigger, IRQ_VECTOR_IO_FIRST, id) !=
	    IOAPIC_ENOENT)
		return ktest_fail("routing GSI %u (no IOAPIC has it) did not fail",
				  IOAPIC_NO_SUCH_GSI);
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

	while (timer_this_cpu()->ticks < target)
		if (tsc_read() - t0 > limit)
			return false;
	return true;
}

/*
 * Periodic mode: the LAPIC timer counts down at the calibrated lapic_hz.
 * Two samples a quarter period apart; a pair spoilt by a reload or a pause is
 * taken again.
 */
static const char *test_lapic_count_rate(void)
{
	uint64_t t0, t1, gap = timer_info.period_tsc / 4, rate;
	uint32_t c0, c1;

	for (int attempt = 0; attempt < TEST_SAMPLE_TRIES; attempt++) {
		timer_sample_lapic_count(&t0, &c0);
		while (tsc_read() - t0 < gap)
			;
		timer_sample_lapic_count(&t1, &c1);
		/*
		 * Less than a period apart, a reload shows as a rising count; a
		 * vCPU paused for a period or more makes the pair meaningless.
		 */
		if (c1 >= c0 || t1 <= t0 || t1 - t0 >= timer_info.period_tsc)
			continue;
		rate = (uint64_t)(c0 - c1) * tsc_info.hz / (t1 - t0);
		kprintf("# timer_tick_rate: LAPIC timer counts at %lu Hz, calibrated %lu Hz\n",
			(unsigned long)rate, (unsigned long)timer_info.lapic_hz);
		return test_close(rate, timer_info.lapic_hz)
			   ? NULL
			   : ktest_fail("the LAPIC timer counts at %lu Hz, calibrated %lu Hz",
					(unsigned long)rate, (unsigned long)timer_info.lapic_hz);
	}
	return ktest_fail("no two LAPIC timer samples within one period in %d tries",
			  TEST_SAMPLE_TRIES);
}

/*
 * The tick runs at the calibrated rate. What decides the rate is the timer's
 * own clock, so that is what is measured: in periodic mode the LAPIC
 * counter against the TSC; in TSC-deadline mode the deadline is the TSC
 * itself (tsc_reference checks its rate), armed one period_tsc apart.
 * Counting delivered interrupts would not do: an emulator on a loaded host
 * delivers a descheduled vCPU's ticks late or merged, which says nothing
 * about what the kernel programmed. Delivered ticks are still checked to
 * arrive, and never faster than the rate.
 */
static const char *test_timer_tick_rate(void)
{
	/* The tests run on the boot CPU: its tick, and its first tick since kernel entry. */
	const struct timer_cpu *t = timer_this_cpu();
	uint64_t period = timer_info.period_tsc, start, first, got;

	if (timer_info.mode == TIMER_MODE_NONE)
		return ktest_fail("no tick is running");
	if (!(__builtin_ia32_readeflags_u64() & CPU_RFLAGS_IF))
		return ktest_fail("interrupts are off");
	if (!test_close(period, tsc_info.hz / TIMER_HZ))
		return ktest_fail("period of %lu TSC ticks for %u Hz at a %lu Hz TSC",
				  (unsigned long)period, TIMER_HZ, (unsigned long)tsc_info.hz);
	if (!test_wait_ticks(t->ticks + 1, 10 * period))
		return ktest_fail("no tick within 10 periods (%lu ticks so far)",
				  (unsigned long)t->ticks);
	/* Under QEMU's -icount these TSC figures are instruction counts (FACTS.md). */
	kprintf("# timer_tick_rate: %s; TSC from kernel entry: tick armed %lu, first tick %lu\n",
		timer_mode_name(timer_info.mode),
		(unsigned long)(timer_info.start_tsc - boot_info.tsc_entry),
		(unsigned long)(t->first_tick_tsc - boot_info.tsc_entry));
	start = tsc_read();
	first = t->ticks;
	while (tsc_read() - start < TEST_TICKS * period)
		;
	got = t->ticks - first;
	kprintf("# timer_tick_rate: %lu ticks delivered in %u periods\n", (unsigned long)got,
		TEST_TICKS);
	if (got == 0)
		return ktest_fail("no tick delivered in %u periods", TEST_TICKS);
	if (got > TEST_TICKS + 1)
		return ktest_fail("%lu ticks in %u periods: faster than programmed",
				  (unsigned long)got, TEST_TICKS);
	return timer_info.mode == TIMER_MODE_PERIODIC ? test_lapic_count_rate() : NULL;
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
