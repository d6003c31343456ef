/*
 * kernel/arch/x86_64/smp_tests.c: in-kernel tests of the other CPUs: how
 * many came online, cross-calls and their IPI counts, per-CPU data through
 * GS, and that every AP runs with the boot CPU's features, tables and tick.
 * The expected CPU count comes from the runner: test.cpus=N with
 * test.acpi=1 (without ACPI tables the system stays on one CPU).
 */
#include "acpi/boot.h"
#include "core/arch.h"
#include "core/boot.h"
#include "cpu.h"
#include "gdt.h"
#include "irq.h"
#include "lapic.h"
#include "lib/bootargs.h"
#include "mm/pmm.h"
#include "percpu.h"
#include "smp.h"
#include "timer.h"
#include "tlb.h"
#include "tsc.h"

#define MSR_GS_BASE     0xc0000101
#define MSR_PAT         0x277
#define TEST_PMM_ROUNDS 64
#define TEST_TICKS_WAIT 50 /* periods to wait for every AP's next tick */

/* What one CPU saw while running a cross-call. */
struct test_cpu_view {
	uint32_t runs;
	uint32_t index, apic_id;
	uint64_t gs_base, self;
	uint64_t cr0, cr4, efer, pat, xcr0;
	uint16_t tr;
	uint64_t gdt_base;
	uint64_t invlpg_delta;
};

static struct test_cpu_view test_views[PERCPU_MAX];

/* The machine's CPUs (test.cpus), one without ACPI tables, at most maxcpus=N. */
static const char *test_expected_cpus(uint32_t *want)
{
	const char *cmdline = boot_info.handoff->cmdline;
	uint64_t cpus, acpi, max;

	if (bootargs_get_u64(cmdline, "test.cpus", &cpus) != BOOTARGS_OK ||
	    bootargs_get_u64(cmdline, "test.acpi", &acpi) != BOOTARGS_OK || cpus == 0 ||
	    cpus > PERCPU_MAX)
		return ktest_fail("no test.cpus=N and test.acpi=0|1 on the command line");
	*want = acpi ? (uint32_t)cpus : 1;
	if (bootargs_get_u64(cmdline, "maxcpus", &max) == BOOTARGS_OK && max >= 1 && max < *want)
		*want = (uint32_t)max;
	return NULL;
}

static const char *test_cpus_online(void)
{
	uint32_t want;
	const char *err = test_expected_cpus(&want);

	if (err)
		return err;
	kprintf("# cpus_online: %u online, mask 0x%llx\n", arch_cpu_count(),
		(unsigned long long)arch_cpus_online());
	if (arch_cpu_count() != want)
		return ktest_fail("%u CPUs online, the machine has %u", arch_cpu_count(), want);
	/* Indices are dense: CPUs 0 .. n-1. */
	if (arch_cpus_online() != (want == 64 ? ~0ull : (1ull << want) - 1))
		return ktest_fail("online mask 0x%llx", (unsigned long long)arch_cpus_online());
	return NULL;
}

/* Runs on each CPU: record what it sees. */
static void test_record_view(void *arg)
{
	struct percpu *p = percpu_this();
	struct test_cpu_view *v = &test_views[p->index];
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) gdtr;

	(void)arg;
	v->runs++;
	v->index = p->index;
	v->apic_id = lapic_id();
	v->gs_base = cpu_rdmsr(MSR_GS_BASE);
	v->self = (uint64_t)(uintptr_t)p->self;
	v->cr0 = cpu_read_cr0();
	v->cr4 = cpu_read_cr4();
	v->efer = cpu_rdmsr(CPU_MSR_EFER);
	v->pat = cpu_rdmsr(MSR_PAT);
	v->xcr0 = (v->cr4 & CPU_CR4_OSXSAVE) ? cpu_xgetbv(0) : 0;
	__asm__ volatile("str %0" : "=r"(v->tr));
	__asm__ volatile("sgdt %0" : "=m"(gdtr));
	v->gdt_base = gdtr.base;
}

static void test_clear_views(void)
{
	for (uint32_t i = 0; i < PERCPU_MAX; i++)
		test_views[i] = (struct test_cpu_view){0};
}

/* The IPI counters of every CPU, for before/after comparisons. */
static void test_read_xcall(struct xcall_cpu out[PERCPU_MAX])
{
	for (uint32_t i = 0; i < PERCPU_MAX; i++) {
		struct percpu *p = percpu_get(i);

		out[i] = p ? p->xcall : (struct xcall_cpu){0};
	}
}

/*
 * A cross-call to every CPU runs exactly once on each, on the right CPU
 * (its GS data and its LAPIC), with one IPI per other CPU, sent by this CPU
 * and received by each target.
 */
static const char *test_xcall_reaches_every_cpu(void)
{
	static struct xcall_cpu before[PERCPU_MAX], after[PERCPU_MAX];
	uint64_t online = arch_cpus_online();
	uint32_t me = arch_cpu_index(), n = arch_cpu_count();

	test_clear_views();
	test_read_xcall(before);
	if (arch_cross_call(online, test_record_view, NULL) != 0)
		return ktest_fail("the cross-call reported an error");
	test_read_xcall(after);
	for (uint32_t i = 0; i < PERCPU_MAX; i++) {
		const struct test_cpu_view *v = &test_views[i];
		struct percpu *p = percpu_get(i);
		bool on = online & (1ull << i);

		if (!on) {
			if (v->runs)
				return ktest_fail("CPU %u is offline but ran the call", i);
			continue;
		}
		if (v->runs != 1)
			return ktest_fail("CPU %u ran the call %u times", i, v->runs);
		if (v->index != i || v->apic_id != p->apic_id)
			return ktest_fail("CPU %u's call saw index %u and APIC ID %u (expected %u)",
					  i, v->index, v->apic_id, p->apic_id);
		if (i == me)
			continue;
		if (after[i].ipis_received != before[i].ipis_received + 1 ||
		    after[i].calls_run != before[i].calls_run + 1)
			return ktest_fail(
			    "CPU %u: %llu IPIs received, %llu calls run (expected 1 each)", i,
			    (unsigned long long)(after[i].ipis_received - before[i].ipis_received),
			    (unsigned long long)(after[i].calls_run - before[i].calls_run));
	}
	if (after[me].ipis_sent != before[me].ipis_sent + n - 1)
		return ktest_fail("%llu IPIs sent for %u other CPUs",
				  (unsigned long long)(after[me].ipis_sent - before[me].ipis_sent),
				  n - 1);
	if (after[me].ipis_received != before[me].ipis_received)
		return ktest_fail("the caller received an IPI of its own call");
	kprintf("# xcall_reaches_every_cpu: %u CPUs ran it, %u IPIs\n", n, n - 1);
	return NULL;
}

/* A call to the last CPU alone: only it runs it, one IPI. A call to this CPU alone: no IPI. */
static const char *test_xcall_subset(void)
{
	static struct xcall_cpu before[PERCPU_MAX], after[PERCPU_MAX];
	uint32_t me = arch_cpu_index(), last = arch_cpu_count() - 1;

	test_clear_views();
	test_read_xcall(before);
	arch_cross_call(1ull << me, test_record_view, NULL);
	test_read_xcall(after);
	if (test_views[me].runs != 1 || after[me].ipis_sent != before[me].ipis_sent)
		return ktest_fail("a call to this CPU alone: %u runs, %llu IPIs",
				  test_views[me].runs,
				  (unsigned long long)(after[me].ipis_sent - before[me].ipis_sent));
	if (last == me)
		return NULL;
	test_clear_views();
	arch_cross_call(1ull << last, test_record_view, NULL);
	for (uint32_t i = 0; i <= last; i++)
		if (test_views[i].runs != (i == last))
			return ktest_fail("a call to CPU %u alone ran %u times on CPU %u", last,
					  test_views[i].runs, i);
	return NULL;
}

/* Each CPU has its own GS data, GDT and TSS, and the boot CPU's control registers. */
static const char *test_ap_state_matches(void)
{
	const struct test_cpu_view *b = &test_views[0];
	uint64_t online = arch_cpus_online();

	test_clear_views();
	arch_cross_call(online, test_record_view, NULL);
	for (uint32_t i = 0; i < PERCPU_MAX; i++) {
		const struct test_cpu_view *v = &test_views[i];
		struct percpu *p = percpu_get(i);

		if (!(online & (1ull << i)))
			continue;
		if (v->gs_base != (uint64_t)(uintptr_t)p || v->self != v->gs_base)
			return ktest_fail("CPU %u: GS base 0x%llx, its struct at %p", i,
					  (unsigned long long)v->gs_base, (void *)p);
		if (v->tr != GDT_TSS || v->gdt_base != (uint64_t)(uintptr_t)p->gdt.table)
			return ktest_fail("CPU %u: TR 0x%x, GDT at 0x%llx (its own at %p)", i,
					  v->tr, (unsigned long long)v->gdt_base,
					  (void *)p->gdt.table);
		for (uint32_t j = 0; j < i; j++)
			if (p->ist_top[0] == percpu_get(j)->ist_top[0])
				return ktest_fail("CPUs %u and %u share a #DF stack", j, i);
		if (v->cr0 != b->cr0 || v->cr4 != b->cr4 || v->efer != b->efer ||
		    v->pat != b->pat || v->xcr0 != b->xcr0)
			return ktest_fail(
			    "CPU %u: CR0 0x%llx CR4 0x%llx EFER 0x%llx PAT 0x%llx XCR0 "
			    "0x%llx; CPU 0: 0x%llx 0x%llx 0x%llx 0x%llx 0x%llx",
			    i, (unsigned long long)v->cr0, (unsigned long long)v->cr4,
			    (unsigned long long)v->efer, (unsigned long long)v->pat,
			    (unsigned long long)v->xcr0, (unsigned long long)b->cr0,
			    (unsigned long long)b->cr4, (unsigned long long)b->efer,
			    (unsigned long long)b->pat, (unsigned long long)b->xcr0);
	}
	kprintf("# ap_state_matches: CR4 0x%llx EFER 0x%llx on every CPU\n",
		(unsigned long long)b->cr4, (unsigned long long)b->efer);
	return NULL;
}

/* Runs on each CPU: flush one page and see this CPU's INVLPG counter, and only it, move. */
static void test_flush_one_page(void *arg)
{
	const struct tlb_counters *c = tlb_this_cpu_counters();
	uint64_t before = c->invlpg;

	tlb_flush_page(arg);
	test_views[arch_cpu_index()].invlpg_delta = c->invlpg - before;
}

static const char *test_tlb_counters_per_cpu(void)
{
	static uint64_t page[512] __attribute__((aligned(4096)));
	uint32_t n = arch_cpu_count(), last = n - 1;
	uint64_t others_before = 0, others_after = 0;

	test_clear_views();
	arch_cross_call(arch_cpus_online(), test_flush_one_page, page);
	for (uint32_t i = 0; i < n; i++)
		if (test_views[i].invlpg_delta != 1)
			return ktest_fail("CPU %u counted %llu INVLPGs for one", i,
					  (unsigned long long)test_views[i].invlpg_delta);
	/* A flush on the last CPU alone leaves every other CPU's counter as it was. */
	for (uint32_t i = 0; i < last; i++)
		others_before += percpu_get(i)->tlb.counters.invlpg;
	arch_cross_call(1ull << last, test_flush_one_page, page);
	for (uint32_t i = 0; i < last; i++)
		others_after += percpu_get(i)->tlb.counters.invlpg;
	if (others_after != others_before)
		return ktest_fail("a flush on CPU %u moved other CPUs' counters by %llu", last,
				  (unsigned long long)(others_after - others_before));
	return NULL;
}

/* Runs on each CPU at once: allocate and free pages, racing the others for the lock. */
static void test_pmm_churn(void *arg)
{
	volatile uint32_t *errors = arg;
	uint64_t pages[TEST_PMM_ROUNDS];

	for (int i = 0; i < TEST_PMM_ROUNDS; i++)
		if (pmm_alloc_pages((unsigned)i % 3, &pages[i]) != 0)
			pages[i] = 0;
	for (int i = 0; i < TEST_PMM_ROUNDS; i++)
		if (pages[i] && pmm_free_pages(pages[i], (unsigned)i % 3) != 0)
			__atomic_fetch_add(errors, 1, __ATOMIC_RELAXED);
}

static const char *test_pmm_from_every_cpu(void)
{
	struct buddy_stats before, after;
	volatile uint32_t errors = 0;

	pmm_read_stats(&before);
	arch_cross_call(arch_cpus_online(), test_pmm_churn, (void *)&errors);
	pmm_read_stats(&after);
	if (errors)
		return ktest_fail("%u frees refused", errors);
	if (pmm_check() != 0)
		return ktest_fail("the allocator's invariants broke");
	if (after.free_pages != before.free_pages || after.used_pages != before.used_pages)
		return ktest_fail(
		    "free pages %llu -> %llu, used %llu -> %llu",
		    (unsigned long long)before.free_pages, (unsigned long long)after.free_pages,
		    (unsigned long long)before.used_pages, (unsigned long long)after.used_pages);
	return NULL;
}

/* Every AP's own tick runs: its count moves within TEST_TICKS_WAIT periods. */
static const char *test_ap_ticks(void)
{
	uint64_t start[PERCPU_MAX], t0 = tsc_read();
	uint64_t limit = TEST_TICKS_WAIT * timer_info.period_tsc, pending;

	if (timer_info.mode == TIMER_MODE_NONE)
		return ktest_fail("no tick is running");
	pending = arch_cpus_online() & ~1ull;
	for (uint32_t i = 1; i < PERCPU_MAX; i++)
		if (pending & (1ull << i))
			start[i] = percpu_get(i)->timer.ticks;
	while (pending && tsc_read() - t0 < limit)
		for (uint32_t i = 1; i < PERCPU_MAX; i++)
			if ((pending & (1ull << i)) && percpu_get(i)->timer.ticks != start[i])
				pending &= ~(1ull << i);
	if (pending)
		return ktest_fail("no tick on CPUs 0x%llx within %u periods",
				  (unsigned long long)pending, TEST_TICKS_WAIT);
	return NULL;
}

/*
 * An IPI to this CPU's own APIC ID arrives, through the ICR path of the mode
 * in use (the MSR in x2APIC mode: Bochs runs it; QEMU's TCG has no x2APIC),
 * and with an empty mailbox runs nothing.
 */
static const char *test_ipi_to_self(void)
{
	struct percpu *p = percpu_this();
	struct xcall_cpu before = p->xcall;
	uint64_t t0 = tsc_read(), limit = tsc_info.hz ? tsc_info.hz / 10 : 100000000;

	if (!(__builtin_ia32_readeflags_u64() & CPU_RFLAGS_IF))
		return ktest_fail("interrupts are off");
	if (lapic_send_ipi(lapic_id(), IRQ_VECTOR_XCALL) != 0)
		return ktest_fail("the IPI could not be sent");
	while (p->xcall.ipis_received == before.ipis_received && tsc_read() - t0 < limit)
		arch_cpu_relax();
	kprintf("# ipi_to_self: %s mode\n", lapic_x2apic_mode() ? "x2APIC" : "xAPIC");
	if (p->xcall.ipis_received != before.ipis_received + 1)
		return ktest_fail(
		    "%llu IPIs received for one",
		    (unsigned long long)(p->xcall.ipis_received - before.ipis_received));
	if (p->xcall.calls_run != before.calls_run)
		return ktest_fail("an empty mailbox ran a call");
	return NULL;
}

static const struct ktest smp_tests[] = {
    KTEST(cpus_online),
    KTEST(xcall_reaches_every_cpu),
    KTEST(xcall_subset),
    KTEST(ap_state_matches),
    KTEST(tlb_counters_per_cpu),
    KTEST(pmm_from_every_cpu),
    KTEST(ap_ticks),
    KTEST(ipi_to_self),
};

const struct ktest_suite smp_test_suite = {smp_tests, KTEST_COUNT(smp_tests)};
