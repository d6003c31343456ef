/*
 * kernel/arch/x86_64/tlb.c: the TLB primitives and their fallbacks (tlb.h).
 *
 * The deferred flush: without INVPCID there is no way to drop the entries of
 * a PCID that is not loaded (a CR3 write acts on the PCID it loads). So the
 * flush is recorded in tlb_pending and done by the next tlb_load_cr3 of that
 * PCID, which then loads without the no-flush bit. That is correct because
 * stale entries of a PCID can be used only while it is in CR3, and every way
 * into CR3 goes through tlb_load_cr3. A flush of everything clears the
 * record, having dropped those entries already.
 */
#include "tlb.h"

#include "cpu.h"
#include "cpufeatures.h"
#include "percpu.h"

/* This CPU's state: the callers run with interrupts off or pinned to the CPU (tlb.h). */
static struct tlb_cpu *tlb_cpu(void)
{
	return &percpu_this()->tlb;
}

const struct tlb_counters *tlb_this_cpu_counters(void)
{
	return &tlb_cpu()->counters;
}

static void tlb_pending_set(uint16_t pcid, bool on)
{
	uint64_t bit = 1ull << (pcid % 64);

	if (on)
		tlb_cpu()->pending[pcid / 64] |= bit;
	else
		tlb_cpu()->pending[pcid / 64] &= ~bit;
}

bool tlb_pcid_pending(uint16_t pcid)
{
	return pcid < TLB_PCID_COUNT && (tlb_cpu()->pending[pcid / 64] >> (pcid % 64) & 1);
}

static bool tlb_pcid_valid(uint16_t pcid)
{
	return pcid < TLB_PCID_COUNT && (pcid == 0 || cpufeatures_on(CPUFEATURE_PCID));
}

uint16_t tlb_current_pcid(void)
{
	return cpufeatures_on(CPUFEATURE_PCID) ? cpu_read_cr3() & CPU_CR3_PCID_MASK : 0;
}

void tlb_flush_page(const volatile void *va)
{
	cpu_invlpg(va);
	tlb_cpu()->counters.invlpg++;
}

/* Reload CR3 as it is, without the no-flush bit: drops the current PCID's entries. */
static void tlb_reload_cr3(void)
{
	cpu_write_cr3(cpu_read_cr3());
	tlb_pending_set(tlb_current_pcid(), false);
	tlb_cpu()->counters.cr3_flush++;
}

int tlb_flush_pcid(uint16_t pcid)
{
	if (!tlb_pcid_valid(pcid))
		return TLB_EINVAL;
	if (cpufeatures_on(CPUFEATURE_INVPCID)) {
		cpu_invpcid(CPU_INVPCID_SINGLE, pcid, 0);
		tlb_cpu()->counters.invpcid_single++;
	} else if (pcid == tlb_current_pcid()) {
		tlb_reload_cr3();
	} else {
		/* The address-space switch code flushes it on its next switch-in. */
		tlb_pending_set(pcid, true);
		tlb_cpu()->counters.pcid_deferred++;
	}
	return TLB_OK;
}

void tlb_flush_all(void)
{
	if (cpufeatures_on(CPUFEATURE_INVPCID)) {
		cpu_invpcid(CPU_INVPCID_ALL_GLOBAL, 0, 0);
		tlb_cpu()->counters.invpcid_all++;
	} else if (cpufeatures_on(CPUFEATURE_PGE)) {
		/*
		 * Any change of CR4.PGE drops every entry of every PCID, global
		 * ones too (SDM Vol. 3A, §4.10.4.1). Interrupts stay off between
		 * the two writes so that nothing runs with global pages disabled.
		 */
		uint64_t flags = cpu_irq_save();
		uint64_t cr4 = cpu_read_cr4();

		cpu_write_cr4(cr4 & ~(uint64_t)CPU_CR4_PGE);
		cpu_write_cr4(cr4);
		cpu_irq_restore(flags);
		tlb_cpu()->counters.pge_toggle++;
	} else {
		/* No PGE: no global entries, and no PCID (cpufeatures_decide). */
		cpu_write_cr3(cpu_read_cr3());
		tlb_cpu()->counters.cr3_flush++;
	}
	for (unsigned i = 0; i < TLB_PENDING_WORDS; i++)
		tlb_cpu()->pending[i] = 0;
}

int tlb_load_cr3(uint64_t root, uint16_t pcid, bool keep)
{
	uint64_t cr3 = root;

	if ((root & ~(uint64_t)CPU_CR3_ADDR_MASK) != 0 || !tlb_pcid_valid(pcid))
		return TLB_EINVAL;
	if (cpufeatures_on(CPUFEATURE_PCID)) {
		keep = keep && !tlb_pcid_pending(pcid);
		cr3 |= pcid | (keep ? CPU_CR3_NOFLUSH : 0);
	} else {
		keep = false; /* bit 63 without PCIDE: QEMU hangs, hardware faults */
	}
	cpu_write_cr3(cr3);
	tlb_pending_set(pcid, false);
	if (keep)
		tlb_cpu()->counters.cr3_noflush++;
	else
		tlb_cpu()->counters.cr3_flush++;
	return TLB_OK;
}
