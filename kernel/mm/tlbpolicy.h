/*
 * kernel/mm/tlbpolicy.h: the TLB policy of DESIGN.md §4: which CR3 load,
 * which flush and which shootdown an address-space switch or an unmap needs.
 * Pure logic, like buddy.c: no globals, no arch header, no assembly. It acts
 * only through a struct tlb_ops, which the kernel fills with the primitives
 * of arch/x86_64/tlb.h and the host test (tests/unit/test_tlbpolicy.c) with
 * a model TLB that forgets nothing it is not told to.
 *
 * Two files: pcid_cache.c (the per-CPU PCID slot cache, the switch) and
 * shootdown.c (unmap batches, the local flush, the shootdown IPIs).
 *
 * Terms.
 * - struct tlb_as: the policy's part of one address space: its page-table
 *   root, an id that is never reused, its generation `gen` (bumped once per
 *   batch of unmaps or permission downgrades) and `cpus_active`, the CPUs
 *   that have it loaded in CR3 right now.
 * - struct pcid_cache: one CPU's state: PCID_SLOTS slots using PCIDs
 *   PCID_FIRST.. (PCID 0 stays the kernel's), each holding one address space
 *   by id, the generation up to which that PCID's TLB entries are known to be
 *   clean, and an LRU stamp. Only its own CPU touches it, with interrupts off.
 *
 * The invariant everything rests on: while a CPU has address space `a`
 * loaded under PCID p, every TLB entry tagged p on that CPU was read from a's
 * page tables after the last change of them that the slot's `gen` does not
 * cover, or that change's flush is still on its way to this CPU as a
 * shootdown IPI that will arrive before the unmapper frees what it unmapped.
 * See pcid_cache.c and shootdown.c for why each path keeps it.
 */
#ifndef KEEL_MM_TLBPOLICY_H
#define KEEL_MM_TLBPOLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <keel/syscall.h>

#define PCID_SLOTS  8 /* PCIDs PCID_FIRST .. PCID_FIRST + PCID_SLOTS - 1 per CPU */
#define PCID_FIRST  1 /* PCID 0 is the kernel's own tables */
#define PCID_KERNEL 0

#define TLB_CPUS_MAX 64 /* cpus_active is a 64-bit mask (DESIGN.md §3) */

/*
 * An unmap batch of up to this many pages is flushed page by page (INVLPG);
 * a larger one flushes the whole PCID. 32 INVLPGs cost about as much as
 * refilling the TLB entries a single-context flush throws away on a busy
 * address space (Linux settled on 33 for the same trade).
 */
#define TLB_INVLPG_MAX 32

#define TLB_PAGE 4096ull

/*
 * One address space, as the policy sees it. gen and cpus_active are read and
 * written with atomic builtins (sequentially consistent): many CPUs use them
 * at once. id and root do not change between tlb_as_init and tlb_as_fini.
 */
struct tlb_as {
	uint64_t gen;         /* bumped once per finished unmap / downgrade batch */
	uint64_t cpus_active; /* bit c: CPU c has this address space in CR3 now */
	uint64_t id;          /* never 0, never reused: slots match on it */
	uint64_t root;        /* physical address of its top-level page table */
};

/* Per-CPU counters of the policy's decisions (DESIGN.md §4 wants them public). */
struct pcid_counters {
	uint64_t switch_noflush; /* CR3 loads that keep the PCID's entries */
	uint64_t switch_flush;   /* CR3 loads that flush (miss, stale, or no PCID) */
	uint64_t slot_hit;       /* switch to an address space whose slot was current */
	uint64_t slot_stale;     /* its slot was there but its generation was old */
	uint64_t slot_miss;      /* no slot: the least recently used one was taken */
	uint64_t invlpg;         /* pages flushed one by one */
	uint64_t pcid_flush;     /* whole-PCID flushes asked for (INVPCID or fallback) */
	uint64_t flush_all;      /* flushes of everything */
	uint64_t ipi_sent;       /* shootdown IPIs sent (one per target CPU) */
	uint64_t ipi_recv;       /* shootdown IPIs received */
	uint64_t ipi_idle;       /* of those, found the address space no longer loaded */
};

/* One PCID slot of one CPU. */
struct pcid_slot {
	uint64_t as_id; /* the address space it holds; 0: empty */
	uint64_t gen;   /* its entries reflect every change up to this generation */
	uint64_t stamp; /* the cache's clock when it was last switched to */
	bool clean;     /* empty, and its PCID is known to hold no entries */
};

struct tlb_shootdown;

/*
 * What the policy asks of one CPU. ctx is the cache's ops_ctx; the kernel's
 * functions act on the CPU they run on and ignore it. The kernel's are thin
 * wrappers of tlb.h: load_cr3 = tlb_load_cr3 (which also forces a flush when
 * a deferred flush of that PCID is pending), flush_page = tlb_flush_page,
 * flush_pcid = tlb_flush_pcid (INVPCID single-context; without INVPCID a
 * reload when current, else deferred to the next load), flush_all =
 * tlb_flush_all. send_shootdown runs tlb_shootdown_handle(that CPU's cache,
 * req) on every CPU of cpu_mask (never the sender) and returns when all have
 * run it: arch_cross_call does exactly that.
 */
struct tlb_ops {
	int (*load_cr3)(void *ctx, uint64_t root, uint16_t pcid, bool keep);
	void (*flush_page)(void *ctx, uint64_t va);
	int (*flush_pcid)(void *ctx, uint16_t pcid);
	void (*flush_all)(void *ctx);
	void (*send_shootdown)(void *ctx, uint64_t cpu_mask, const struct tlb_shootdown *req);
};

/*
 * One CPU's slot cache. With pcid false the slots are bypassed: every load
 * flushes and uses PCID 0; slots[0] then only records the loaded address
 * space's generation for the shootdown handler.
 */
struct pcid_cache {
	const struct tlb_ops *ops;
	void *ops_ctx;
	unsigned cpu;           /* this CPU's bit in tlb_as.cpus_active */
	bool pcid;              /* CR4.PCIDE is on */
	uint64_t kernel_root;   /* the kernel's own tables, loaded for "no address space" */
	struct tlb_as *current; /* loaded in CR3 now; NULL: the kernel's tables */
	unsigned current_slot;  /* its slot, when current != NULL */
	uint64_t clock;         /* LRU clock, advanced by every switch */
	struct pcid_slot slots[PCID_SLOTS];
	struct pcid_counters counters;
};

/*
 * An unmap or permission-downgrade batch and, once finished, the shootdown
 * request sent to the other CPUs. It lives on the unmapper's stack: every
 * target has run it before tlb_batch_finish returns.
 */
struct tlb_shootdown {
	struct tlb_as *as;
	uint64_t as_id;
	uint64_t gen;                /* the generation this batch's bump made */
	bool full;                   /* more than TLB_INVLPG_MAX pages: flush the PCID */
	unsigned count;              /* pages in va[] unless full */
	uint64_t va[TLB_INVLPG_MAX]; /* page addresses to INVLPG */
};

/* Address spaces. */

/*
 * Start tracking an address space with page-table root `root` (4 KiB
 * aligned) and id `id`: the caller's 64-bit counter, never 0 and never
 * reused, even when the struct or the root is. 0 or -KEEL_EINVAL.
 */
int tlb_as_init(struct tlb_as *as, uint64_t id, uint64_t root);

/*
 * The address space dies. -KEEL_EBUSY while a CPU still has it loaded (switch
 * them away first); 0 otherwise. Slots elsewhere that still name its id can
 * never match again (ids are not reused) and take a flushing load when they
 * are taken over, so nothing else is needed for correctness;
 * pcid_cache_forget frees them early.
 */
int tlb_as_fini(struct tlb_as *as);

/* The slot cache (pcid_cache.c). */

/*
 * Set up CPU `cpu`'s cache (cpu < TLB_CPUS_MAX). The CPU is taken to be on
 * the kernel's tables; its slots start empty with unknown contents. 0 or
 * -KEEL_EINVAL (a bad CPU, no ops, a misaligned root).
 */
int pcid_cache_init(struct pcid_cache *c, unsigned cpu, bool pcid, uint64_t kernel_root,
		    const struct tlb_ops *ops, void *ops_ctx);

/*
 * Flush everything (flush_all) and mark every slot empty and clean, so the
 * first load of each PCID afterwards keeps (nothing to keep). Only on the
 * kernel's tables: -KEEL_EBUSY while an address space is loaded.
 */
int pcid_cache_reset(struct pcid_cache *c);

/*
 * Load `next` (NULL: the kernel's tables, PCID 0, kept) on this CPU: the
 * context switch's one call, with interrupts off. A slot holding `next` at its
 * current generation: load with the no-flush bit. A stale one: a flushing
 * load of the same PCID. None: the least recently used slot (an empty one
 * first) is taken over with a flushing load. Without PCID every load
 * flushes. Keeps next->cpus_active and the previous one's up to date. 0, or
 * the load's error (nothing changed then).
 */
int pcid_switch_to(struct pcid_cache *c, struct tlb_as *next);

/*
 * Free this CPU's slot of a dead (or dying) address space now: its PCID is
 * flushed (deferred without INVPCID) and the slot becomes empty and clean.
 * -KEEL_EBUSY if it is loaded here; 0 otherwise (also when no slot held it).
 */
int pcid_cache_forget(struct pcid_cache *c, const struct tlb_as *as);

/* The PCID loaded on this CPU now (0: the kernel's tables, or PCID off). */
static inline uint16_t pcid_cache_current_pcid(const struct pcid_cache *c)
{
	return c->current && c->pcid ? (uint16_t)(PCID_FIRST + c->current_slot) : PCID_KERNEL;
}

/* The PCID of the slot holding `as` on this CPU, or -KEEL_ENOENT (or no PCID). */
int pcid_slot_lookup(const struct pcid_cache *c, const struct tlb_as *as);

/*
 * Verify the cache's invariants: no id in two slots (so no PCID serves two
 * address spaces, and no address space two PCIDs), the current address space
 * in its slot, stamps not ahead of the clock, the CPU's bit set in the
 * current address space's cpus_active. 0 or -KEEL_EINVAL. For tests.
 */
int pcid_cache_check(const struct pcid_cache *c);

/* Unmaps and shootdowns (shootdown.c). */

/* Start an empty batch for `as`. */
void tlb_batch_init(struct tlb_shootdown *b, struct tlb_as *as);

/*
 * Add `pages` pages from `va` (page-aligned, no wrap), whose PTEs the caller
 * has just cleared or made read-only. 0 or -KEEL_EINVAL (the batch is then
 * unchanged).
 */
int tlb_batch_add(struct tlb_shootdown *b, uint64_t va, uint64_t pages);

/*
 * The batch is complete (every PTE change written): bump the generation once,
 * flush on this CPU if it has the address space loaded, and send one
 * shootdown to every other CPU that has it loaded right now, waiting for
 * them. Only then may the caller free the pages or page tables it unmapped.
 * An empty batch does nothing.
 */
void tlb_batch_finish(struct pcid_cache *self, struct tlb_shootdown *b);

/* A shootdown IPI arrived on `self`'s CPU: flush as the request says, if still needed. */
void tlb_shootdown_handle(struct pcid_cache *self, const struct tlb_shootdown *req);

#endif
