/*
 * kernel/arch/x86_64/tlb.h: TLB primitives, each with its fallback when the
 * CPU (or the command line) leaves PCID, INVPCID or PGE off (DESIGN.md §4).
 * The address-space switch and shootdown code builds on these; nothing here
 * knows about address spaces.
 *
 * Which path runs:
 *   flush one page   INVLPG (always; it also drops a global entry)
 *   flush one PCID   INVPCID single-context; without INVPCID, a CR3 reload
 *                    when the PCID is the current one; otherwise deferred:
 *                    marked pending, and the next tlb_load_cr3 of that PCID
 *                    flushes even when asked to keep
 *   flush all        INVPCID all-context including globals; without it a
 *                    CR4.PGE toggle (all PCIDs, globals too); without PGE
 *                    (then PCID is off too) a CR3 reload
 *   load CR3         with the no-flush bit (bit 63) only when CR4.PCIDE is
 *                    on: QEMU hangs on it otherwise (FACTS.md)
 *
 * Callers run with interrupts off or accept that the flush is for this CPU.
 */
#ifndef KEEL_ARCH_X86_64_TLB_H
#define KEEL_ARCH_X86_64_TLB_H

#include <stdbool.h>
#include <stdint.h>

#define TLB_PCID_COUNT 4096 /* CR3[11:0] */

enum tlb_error {
	TLB_OK = 0,
	TLB_EINVAL = -1, /* a PCID or page-table root the CPU cannot take */
};

/*
 * How often each operation ran on one CPU (struct percpu has one each;
 * DESIGN.md §4 wants them readable from user space per CPU).
 */
struct tlb_counters {
	uint64_t invlpg;         /* single pages flushed */
	uint64_t invpcid_single; /* one PCID flushed with INVPCID */
	uint64_t invpcid_all;    /* everything flushed with INVPCID */
	uint64_t pge_toggle;     /* everything flushed by toggling CR4.PGE */
	uint64_t pcid_deferred;  /* non-current PCID flushes left for its next load */
	uint64_t cr3_flush;      /* CR3 loads that flush (asked to, or the fallback) */
	uint64_t cr3_noflush;    /* CR3 loads with the no-flush bit */
};

#define TLB_PENDING_WORDS (TLB_PCID_COUNT / 64)

/*
 * One CPU's TLB bookkeeping: its counters and its deferred PCID flushes (a
 * flush without INVPCID acts only on the CPU that does it). Only that CPU
 * writes them; others may read the counters.
 */
struct tlb_cpu {
	struct tlb_counters counters;
	uint64_t pending[TLB_PENDING_WORDS]; /* one bit per PCID */
};

/* This CPU's counters (a snapshot may be taken by copying the struct). */
const struct tlb_counters *tlb_this_cpu_counters(void);

/* Drop the translation of the page holding va (current PCID and globals). */
void tlb_flush_page(const volatile void *va);

/*
 * Drop every non-global translation tagged `pcid`. TLB_EINVAL for a PCID of
 * 4096 or more, or other than 0 while PCID is off.
 */
int tlb_flush_pcid(uint16_t pcid);

/* Drop every translation of every PCID, global ones too. */
void tlb_flush_all(void);

/*
 * Load CR3 with the page-table root `root` (physical, 4 KiB aligned) tagged
 * `pcid`. keep=true asks to keep the PCID's cached translations; it is
 * honoured only when PCID is on and no flush of that PCID is pending, and the
 * load flushes otherwise. TLB_EINVAL for a bad root or PCID (nothing loaded).
 */
int tlb_load_cr3(uint64_t root, uint16_t pcid, bool keep);

/* The PCID in CR3 now (0 while PCID is off). */
uint16_t tlb_current_pcid(void);

/* Whether a deferred flush of `pcid` waits for its next load. */
bool tlb_pcid_pending(uint16_t pcid);

#endif
