/*
 * kernel/arch/x86_64/smp.c: starting the other CPUs (arch_smp_init) and
 * what each of them does first (smp_ap_main).
 *
 * The boot CPU starts the APs one at a time, because they share the
 * trampoline: it writes the AP's stack and struct percpu into the trampoline
 * parameters, sends INIT, waits 10 ms, sends a start-up IPI (a second one
 * 200 us later if the AP has not come online: the MP specification's
 * sequence), and waits for the AP to set its bit in smp_online_mask. Only then
 * may the parameters change for the next AP.
 *
 * An AP that does not come online within SMP_START_TIMEOUT_US is reported,
 * and no further AP is started: a slow AP may still read the trampoline's
 * parameters later, and must not find the next AP's stack there. Its stacks
 * and struct stay allocated for the same reason.
 */
#include "acpi/boot.h"
#include "core/arch.h"
#include "core/boot.h"
#include "core/console.h"
#include "cpu.h"
#include "cpufeatures.h"
#include "gdt.h"
#include "lapic.h"
#include "lib/bootargs.h"
#include "lib/fmt.h"
#include "lib/kstring.h"
#include "mm/kslab.h"
#include "mm/vm.h"
#include "paging.h"
#include "percpu.h"
#include "smp.h"
#include "timer.h"
#include "syscall.h"
#include "trampoline.h"
#include "core/thread.h"
#include "tsc.h"

#define SMP_INIT_WAIT_US     10000
#define SMP_SIPI_WAIT_US     200
#define SMP_START_TIMEOUT_US 2000000 /* generous: an emulated vCPU may be descheduled */
#define SMP_LOW_MEMORY_END   0xa0000 /* a SIPI can start a CPU only below this */
#define CPU_CR4_PAE          0x20
#define CPU_EFER_LMA         0x400
#define WHY_MAX              160

/*
 * Bit i: CPU i is online (it answers IPIs and cross-calls). Set once by each
 * CPU itself, with release ordering: whoever sees the bit sees that CPU's
 * struct percpu set up.
 */
volatile uint64_t smp_online_mask = 1;

/* CPUs registered (online or not), indices 0 .. smp_cpu_slots - 1. Boot CPU only. */
static uint32_t smp_cpu_slots = 1;

uint64_t arch_cpus_online(void)
{
	return __atomic_load_n(&smp_online_mask, __ATOMIC_ACQUIRE);
}

uint32_t arch_cpu_count(void)
{
	return (uint32_t)__builtin_popcountll(arch_cpus_online());
}

/* Busy-wait: the TSC rate is known (smp_start_all checks). */
static void smp_wait_us(uint64_t us)
{
	uint64_t t0 = tsc_read(), ticks = tsc_info.hz / 1000000 * us;

	while (tsc_read() - t0 < ticks)
		arch_cpu_relax();
}

/* Wait up to `us` for CPU `index` to come online. */
static bool smp_wait_online(uint32_t index, uint64_t us)
{
	uint64_t t0 = tsc_read(), ticks = tsc_info.hz / 1000000 * us;

	while (!(arch_cpus_online() & (1ull << index))) {
		if (tsc_read() - t0 >= ticks)
			return false;
		arch_cpu_relax();
	}
	return true;
}

/* The trampoline area while it is built: page tables come from its pages 1-4. */
struct smp_trampoline {
	uint64_t phys;
	unsigned next_page;
};

static int smp_trampoline_table(void *ctx, uint64_t *phys)
{
	struct smp_trampoline *t = ctx;

	if (t->next_page >= KEEL_TRAMPOLINE_PAGES)
		return -1;
	*phys = t->phys + t->next_page++ * KEEL_PAGE_SIZE;
	return 0;
}

static uint64_t *smp_trampoline_table_at(void *ctx, uint64_t phys)
{
	(void)ctx;
	return boot_phys_to_virt(phys);
}

/* Whether the handoff's ranges mark [phys, phys + KEEL_TRAMPOLINE_SIZE) as the trampoline. */
static bool smp_trampoline_reserved(uint64_t phys)
{
	const struct keel_handoff *h = boot_info.handoff;

	for (uint32_t i = 0; i < h->range_count; i++) {
		const struct keel_mem_range *r = &boot_info.ranges[i];

		if (r->type == KEEL_RANGE_TRAMPOLINE && r->base <= phys &&
		    phys - r->base <= r->size && r->size - (phys - r->base) >= KEEL_TRAMPOLINE_SIZE)
			return true;
	}
	return false;
}

/*
 * Check the trampoline the handoff names, copy the code there, build its
 * page tables and fill in what every AP shares. 0, or -1 with why.
 */
static int smp_trampoline_build(char *why, size_t why_size)
{
	const struct keel_handoff *h = boot_info.handoff;
	struct smp_trampoline t = {h->trampoline_phys, 1};
	struct paging_env env = {&t, smp_trampoline_table, smp_trampoline_table_at, false};
	struct paging tables;
	struct trampoline_params *tp;
	uint8_t *code;
	uint64_t *pml4, *kernel_pml4, phys = h->trampoline_phys;
	size_t size = (size_t)(trampoline_end - trampoline_start);

	if (!(h->flags & KEEL_HANDOFF_HAS_TRAMPOLINE)) {
		fmt_snprintf(why, why_size, "the stub reserved no trampoline");
		return -1;
	}
	if (phys % KEEL_PAGE_SIZE != 0 || phys < KEEL_PAGE_SIZE ||
	    phys > SMP_LOW_MEMORY_END - KEEL_TRAMPOLINE_SIZE || !smp_trampoline_reserved(phys)) {
		fmt_snprintf(why, why_size,
			     "the trampoline at 0x%llx is not %u reserved pages below 0x%x",
			     (unsigned long long)phys, KEEL_TRAMPOLINE_PAGES, SMP_LOW_MEMORY_END);
		return -1;
	}
	if (size > TRAMPOLINE_PARAMS) {
		fmt_snprintf(why, why_size,
			     "the trampoline code (%zu bytes) overlaps its parameters", size);
		return -1;
	}
	code = boot_phys_to_virt(phys);
	memset(code, 0, KEEL_TRAMPOLINE_SIZE);
	memcpy(code, trampoline_start, size);

	/* Identity map of the trampoline itself (executable: the AP runs there), from pages 1-4. */
	if (paging_init(&tables, &env) != 0 ||
	    paging_map(&tables, phys, phys, KEEL_TRAMPOLINE_SIZE, PAGING_4K,
		       PAGING_WRITE | PAGING_EXEC, PAGING_CACHE_WB) != 0) {
		fmt_snprintf(why, why_size, "the trampoline page tables do not fit in %u pages",
			     KEEL_TRAMPOLINE_PAGES - 1);
		return -1;
	}
	/* The kernel half: the same lower-level tables as the kernel's, so the same mappings. */
	pml4 = boot_phys_to_virt(tables.root);
	kernel_pml4 = boot_phys_to_virt(vm_tables()->root);
	for (unsigned i = 256; i < 512; i++)
		pml4[i] = kernel_pml4[i];

	tp = (struct trampoline_params *)(code + TRAMPOLINE_PARAMS);
	tp->gdt_limit = (uint16_t)(trampoline_gdt_end - trampoline_gdt - 1);
	tp->gdt_base = (uint32_t)(phys + (uint64_t)(trampoline_gdt - trampoline_start));
	tp->far32_offset = (uint32_t)(phys + (uint64_t)(trampoline_pm32 - trampoline_start));
	tp->far32_selector = TRAMPOLINE_CODE32;
	tp->far64_offset = (uint32_t)(phys + (uint64_t)(trampoline_lm64 - trampoline_start));
	tp->far64_selector = TRAMPOLINE_CODE64;
	/*
	 * The boot CPU's CR0 (PE, PG, WP, caches on) and EFER (long mode, NX and
	 * whatever else it has on), so that every CPU runs alike. LMA is the CPU's
	 * own status bit: it sets it when paging turns on.
	 */
	tp->cr0 = (uint32_t)cpu_read_cr0();
	tp->cr3 = (uint32_t)tables.root;
	tp->cr4 = CPU_CR4_PAE;
	tp->efer = (uint32_t)(cpu_rdmsr(CPU_MSR_EFER) & ~CPU_EFER_LMA);
	tp->kernel_cr3 = vm_tables()->root;
	tp->entry = (uint64_t)(uintptr_t)ap_entry;
	return 0;
}

/* The APs' struct percpu; cache-line aligned, so no two CPUs' hot fields share a line. */
static struct kslab_cache smp_percpu_cache;

#define SMP_CACHE_LINE 64

/* A struct percpu, its stacks and its registration for the CPU with `apic_id`. */
static struct percpu *smp_percpu_create(uint32_t apic_id, char *why, size_t why_size)
{
	struct percpu *p = kslab_alloc(&smp_percpu_cache);

	if (!p) {
		fmt_snprintf(why, why_size, "no memory for its per-CPU data");
		return NULL;
	}
	memset(p, 0, sizeof(*p));
	p->index = smp_cpu_slots;
	p->apic_id = apic_id;
	if (vm_stack_create(&p->stack, why, why_size) != 0 ||
	    vm_ist_stacks_create(p->ist_top, why, why_size) != 0) {
		kslab_free(&smp_percpu_cache,
			   p); /* stacks made so far stay: the window is not reused */
		return NULL;
	}
	percpu_register(p);
	smp_cpu_slots++;
	return p;
}

/* INIT, then start-up IPIs, then wait: whether the CPU came online. */
static bool smp_start_one(struct percpu *p, uint64_t trampoline)
{
	struct trampoline_params *tp =
	    (struct trampoline_params *)((uint8_t *)boot_phys_to_virt(trampoline) +
					 TRAMPOLINE_PARAMS);
	uint8_t page = (uint8_t)(trampoline >> 12);

	tp->stack = p->stack.top;
	tp->arg = (uint64_t)(uintptr_t)p;
	/* The parameters must be in memory before the AP can read them. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (lapic_send_init(p->apic_id) != 0)
		return false;
	smp_wait_us(SMP_INIT_WAIT_US);
	for (int sipi = 0; sipi < 2; sipi++) {
		if (lapic_send_startup(p->apic_id, page) != 0)
			return false;
		if (smp_wait_online(p->index, SMP_SIPI_WAIT_US))
			return true;
	}
	return smp_wait_online(p->index, SMP_START_TIMEOUT_US);
}

/* How many usable CPUs the MADT lists at `from` and after it, other than this one. */
static uint32_t smp_enabled_after(const struct acpi_madt *m, uint32_t from)
{
	uint32_t n = 0;

	for (uint32_t i = from; i < m->cpu_count; i++)
		n += (m->cpus[i].flags & ACPI_CPU_ENABLED) &&
		     m->cpus[i].apic_id != percpu_boot.apic_id;
	return n;
}

/* Start every usable CPU of the MADT but this one, `max` CPUs in all; how many did not start. */
static uint32_t smp_start_all(const struct acpi_madt *m, uint32_t max)
{
	char why[WHY_MAX];
	uint32_t failed = 0, me = percpu_boot.apic_id;
	int err =
	    kslab_cache_init(&smp_percpu_cache, "percpu", sizeof(struct percpu), SMP_CACHE_LINE);

	if (err != 0) {
		kprintf("smp: no cache for per-CPU data: %s\n", slab_strerror(err));
		return smp_enabled_after(m, 0);
	}

	for (uint32_t i = 0; i < m->cpu_count; i++) {
		const struct acpi_cpu *c = &m->cpus[i];
		struct percpu *p;

		if (!(c->flags & ACPI_CPU_ENABLED) || c->apic_id == me)
			continue;
		if (smp_cpu_slots == max) {
			if (max == PERCPU_MAX)
				kprintf("smp: Keel runs at most %u CPUs; APIC ID %u and later left "
					"out\n",
					max, c->apic_id);
			else
				kprintf("smp: maxcpus=%u; APIC ID %u and later left out\n", max,
					c->apic_id);
			break;
		}
		if (!lapic_x2apic_mode() && c->apic_id > 0xff) {
			kprintf("smp: APIC ID %u needs x2APIC mode; left out\n", c->apic_id);
			failed++;
			continue;
		}
		p = smp_percpu_create(c->apic_id, why, sizeof(why));
		if (!p) {
			kprintf("smp: APIC ID %u left out: %s\n", c->apic_id, why);
			failed++;
			continue;
		}
		if (!smp_start_one(p, boot_info.handoff->trampoline_phys)) {
			/*
			 * It may only be slow, and still read the trampoline's
			 * parameters later: giving them to the next AP could start
			 * two CPUs on one stack. So no more APs are started.
			 */
			kprintf("smp: APIC ID %u (CPU %u) did not come online within %u ms; the "
				"CPUs after it are not started\n",
				c->apic_id, p->index, SMP_START_TIMEOUT_US / 1000);
			return failed + smp_enabled_after(m, i);
		}
	}
	return failed;
}

/* maxcpus=N from the command line (1 .. PERCPU_MAX), else PERCPU_MAX. */
static uint32_t smp_max_cpus(void)
{
	uint64_t n;
	int err = bootargs_get_u64(boot_info.handoff->cmdline, "maxcpus", &n);

	if (err == BOOTARGS_EABSENT)
		return PERCPU_MAX;
	if (err != BOOTARGS_OK || n == 0) {
		kprintf("smp: maxcpus wants a number of CPUs from 1; ignored\n");
		return PERCPU_MAX;
	}
	return n < PERCPU_MAX ? (uint32_t)n : PERCPU_MAX;
}

void arch_smp_init(void)
{
	const struct acpi_madt *m = &acpi_boot_info()->madt;
	char why[WHY_MAX];
	const char *alone = NULL;
	uint32_t failed = 0;

	percpu_boot.apic_id = lapic_id();
	syscall_init_this_cpu();
	aspace_init_this_cpu();
	sched_init_this_cpu();
	if (!m->present)
		alone = "no MADT lists the other CPUs";
	else if (tsc_info.hz == 0)
		alone = "the TSC's rate is unknown, so the start-up delays cannot be timed";
	else if (m->cpu_count > 1 && smp_trampoline_build(why, sizeof(why)) != 0)
		alone = why;
	else
		failed = smp_start_all(m, smp_max_cpus());
	if (alone)
		kprintf("cpus: 1 online (%s)\n", alone);
	else if (failed)
		kprintf("cpus: %u online, %u of the MADT's did not start\n", arch_cpu_count(),
			failed);
	else
		kprintf("cpus: %u online\n", arch_cpu_count());
}

/*
 * An AP, on its own stack and the kernel's page tables (ap_entry), interrupts
 * off: everything the boot CPU set up for itself, then idle.
 */
noreturn void smp_ap_main(struct percpu *p)
{
	char why[WHY_MAX];

	percpu_install(p);
	gdt_cpu_load(&p->gdt, p->ist_top);
	idt_load_this_cpu();
	cpufeatures_init_this_cpu();
	vm_pat_init_this_cpu();
	/* Nothing of the trampoline's identity map may stay in this CPU's TLB. */
	tlb_flush_all();
	if (lapic_init(why, sizeof(why)) != 0) {
		kprintf("smp: CPU %u: local APIC not usable: %s; halting it\n", p->index, why);
		arch_halt();
	}
	if (lapic_id() != p->apic_id)
		kprintf("smp: CPU %u: the MADT says APIC ID %u, its LAPIC says %u\n", p->index,
			p->apic_id, lapic_id());
	timer_start_this_cpu();
	syscall_init_this_cpu();
	aspace_init_this_cpu();
	sched_init_this_cpu();
	__atomic_fetch_or(&smp_online_mask, 1ull << p->index, __ATOMIC_RELEASE);
	sched_idle_loop();
}
