/*
 * kernel/arch/x86_64/ipc_switch.h: the IPC fast path's thread switch
 * (sched_block_and_run_here, sched.c), inline: the work of pcid_switch_to
 * and arch_switch_threads for the one case the fast path switches, a user
 * thread blocking in a system call to run another user thread of another
 * (or the same) process on this CPU, with no call through struct tlb_ops
 * and no register moved that need not move.
 *
 * Only sched.c includes this, with interrupts off (as sched.c runs).
 *
 * The address space (ipc_switch_aspace). Without PCIDs, between two user
 * address spaces, the whole of pcid_switch_flat and tlb_load_cr3 (the
 * tlb_ops_kernel every CPU's cache uses, aspace_init_this_cpu) is written
 * out here in the same order: announce this CPU in next's cpus_active, then
 * read its generation (pcid_cache.c's top comment says why that order), a
 * plain CR3 write (a flush; the root is page-aligned, tlb_as_init), the
 * pending bit of PCID 0 and the counters, slot 0 (below), then prev's bit
 * cleared.
 * With PCIDs, or from the kernel's own tables, the switch goes through
 * pcid_switch_to itself: the slot cache's logic stays in one place, the one
 * the host's model-TLB test drives (tests/unit/test_tlbpolicy.c). The flat
 * case here is short enough to check against pcid_switch_flat by eye; keep
 * the two in step.
 *
 * The user state (ipc_switch_threads). Both threads are user threads (a
 * process, so an FPU area: sched_thread_create fails without one), and
 * prev is running, so not dead. As in thread_arch.c: XSAVE(OPT) into
 * prev's area and XRSTOR from next's at once (fpu.h; XSAVEOPT stays safe:
 * the last XRSTOR on this CPU was from prev's area, and next's is restored
 * before any other save here; PKRU is no XSAVE component, so the order of
 * the two against the rest does not matter); with XSAVEOPT, the usual case,
 * behind one test. PKRU and the FS and GS bases are read, stored in
 * prev and written only when next's value differs: the register then
 * already holds next's value, so nothing of prev's stays visible to next.
 */
#ifndef KEEL_ARCH_X86_64_IPC_SWITCH_H
#define KEEL_ARCH_X86_64_IPC_SWITCH_H

#include <keel/pkru.h>

#include "core/console.h"
#include "core/proc.h"
#include "core/thread.h"
#include "cpu.h"
#include "cpufeatures.h"
#include "fpu.h"
#include "gdt.h"
#include "mm/tlbpolicy.h"
#include "percpu.h"

void switch_stacks(uint64_t *save_rsp, uint64_t rsp); /* switch.S */

/* Make next this CPU's address space (see the top); interrupts off. */
__attribute__((always_inline)) static inline void ipc_switch_aspace(struct percpu *pc,
								    struct tlb_as *next)
{
	struct pcid_cache *c = &pc->pcid;
	struct tlb_as *prev = c->current;
	uint64_t bit, gen;

	if (next == prev)
		return;         /* shootdowns have kept it clean while it stayed loaded */
	if (c->pcid || !prev) { /* PCID slots, or from the kernel's own tables */
		if (pcid_switch_to(c, next) != 0)
			kprintf("aspace: warning: CR3 refused an address space\n");
		return;
	}
	bit = 1ull << c->cpu;
	/* Announce first, then read the generation (pcid_cache.c): both sequentially consistent. */
	__atomic_fetch_or(&next->cpus_active, bit, __ATOMIC_SEQ_CST);
	gen = __atomic_load_n(&next->gen, __ATOMIC_SEQ_CST);
	cpu_write_cr3(next->root); /* no PCIDs: every load flushes (TLB: this CPU's non-global) */
	pc->tlb.pending[0] &= ~1ull;
	pc->tlb.counters.cr3_flush++;
	/*
	 * Slot 0 names next. Its LRU stamp and the clock are left alone: without
	 * PCIDs no victim is ever chosen (pcid_slot_victim), and a stamp never
	 * passes the clock (pcid_cache_check). current_slot is 0 already: every
	 * switch without PCIDs takes slot 0.
	 */
	c->slots[0].as_id = next->id;
	c->slots[0].gen = gen;
	c->slots[0].clean = false;
	c->counters.switch_flush++;
	__atomic_fetch_and(&prev->cpus_active, ~bit, __ATOMIC_SEQ_CST);
	c->current = next;
}

/* arch_switch_threads between two user threads (see the top); interrupts off. */
__attribute__((always_inline)) static inline void
ipc_switch_threads(struct percpu *pc, struct thread *prev, struct thread *next)
{
	struct thread_arch *a = &prev->arch;
	const struct thread_arch *b = &next->arch;

	if (fpu_info.xsaveopt) { /* only ever set with xsave */
		static const uint32_t zero;
		uint32_t lo = fpu_info.xcr0_lo, hi = fpu_info.xcr0_hi;

		__asm__ volatile("xsaveopt64 (%0)" : : "r"(a->fpu), "a"(lo), "d"(hi) : "memory");
		/* fpu.c: AMD's x87 error pointers set to the kernel's, as fpu_restore does. */
		if (fpu_info.clear_error_pointers)
			__asm__ volatile("fnclex; emms; fildl %0" : : "m"(zero) : "memory");
		__asm__ volatile("xrstor64 (%0)" : : "r"(b->fpu), "a"(lo), "d"(hi) : "memory");
	} else {
		fpu_save(a->fpu);
		fpu_restore(b->fpu);
	}
	if (cpufeatures_on(CPUFEATURE_PKU)) {
		a->pkru = keel_rdpkru();
		if (b->pkru != a->pkru)
			keel_wrpkru(b->pkru);
	}
	if (cpufeatures_on(CPUFEATURE_FSGSBASE)) {
		a->fs_base = cpu_rdfsbase();
		if (b->fs_base != a->fs_base)
			cpu_wrfsbase(b->fs_base);
		/* The user GS base sits in IA32_KERNEL_GS_BASE inside the kernel (thread_arch.c).
		 */
		a->gs_base = cpu_rdmsr(CPU_MSR_KERNEL_GS_BASE);
		if (b->gs_base != a->gs_base)
			cpu_wrmsr(CPU_MSR_KERNEL_GS_BASE, b->gs_base);
	}
	pc->current = next;
	pc->kstack_top = next->kstack.top;
	gdt_set_kernel_stack(&pc->gdt, next->kstack.top);
	switch_stacks(&prev->ksp, next->ksp);
}

#endif
