/*
 * kernel/mm/shootdown.c: unmap and permission-downgrade batches, the local
 * flush and the shootdown IPIs (tlbpolicy.h, DESIGN.md §4).
 *
 * The protocol. The unmapper clears (or write-protects) its PTEs and adds
 * the pages to a batch; tlb_batch_finish bumps the address space's
 * generation once, flushes this CPU if it has the address space loaded, and
 * interrupts exactly the other CPUs in cpus_active: those that have it in
 * CR3 right now. A CPU that merely has a slot for it is left alone: its
 * slot's generation is now older than the address space's, so its next
 * switch there is a flushing load (pcid_cache.c). A CPU that switches in
 * concurrently either reads the new generation or is seen in cpus_active
 * (the argument is in pcid_cache.c), so no CPU is missed.
 *
 * The flush on one CPU (shootdown_apply) keeps the slot's `gen` honest:
 * it means "every batch up to here is flushed on this CPU". Requests may
 * arrive in any order and after a full flush that already covered them:
 * - slot gen >= the request's: covered already, nothing to do;
 * - the request is exactly the next generation and small: INVLPG its pages,
 *   and the slot moves on to it;
 * - otherwise (a gap: an earlier batch's request is still on its way, or a
 *   big batch): read the generation, flush the whole PCID, and the slot
 *   takes the generation read, which covers every batch whose PTE changes
 *   were written before it. The late requests then find themselves covered.
 * Moving the slot to a request's generation over a gap would be wrong: the
 * earlier request could arrive after a switch away and be dropped, leaving
 * its pages cached under a slot that claims to be clean.
 *
 * The flushed PCID is always the loaded one (a request for an address space
 * that is not loaded does nothing), so it is never deferred, even without
 * INVPCID: tlb_flush_pcid reloads CR3 then.
 */
#include "tlbpolicy.h"

#define TLB_ATOMIC __ATOMIC_SEQ_CST

void tlb_batch_init(struct tlb_shootdown *b, struct tlb_as *as)
{
	*b = (struct tlb_shootdown){.as = as, .as_id = as->id};
}

int tlb_batch_add(struct tlb_shootdown *b, uint64_t va, uint64_t pages)
{
	if (b->gen != 0 || va % TLB_PAGE != 0 || pages == 0 ||
	    pages - 1 > (UINT64_MAX - va) / TLB_PAGE)
		return -KEEL_EINVAL; /* finished already, misaligned, empty, or wrapping */
	if (b->full)
		return 0;
	if (pages > TLB_INVLPG_MAX - b->count) {
		b->full = true;
		b->count = 0;
		return 0;
	}
	for (uint64_t i = 0; i < pages; i++)
		b->va[b->count++] = va + i * TLB_PAGE;
	return 0;
}

/* Flush this CPU for `req`, whose address space is loaded here (see above). */
static void shootdown_apply(struct pcid_cache *c, const struct tlb_shootdown *req)
{
	struct pcid_slot *slot = &c->slots[c->current_slot];
	uint64_t gen;

	if (slot->gen >= req->gen)
		return;
	if (!req->full && req->gen == slot->gen + 1) {
		for (unsigned i = 0; i < req->count; i++)
			c->ops->flush_page(c->ops_ctx, req->va[i]);
		c->counters.invlpg += req->count;
		slot->gen = req->gen;
		return;
	}
	gen = __atomic_load_n(&c->current->gen, TLB_ATOMIC); /* before the flush */
	if (c->ops->flush_pcid(c->ops_ctx, pcid_cache_current_pcid(c)) == 0) {
		c->counters.pcid_flush++;
	} else {
		c->ops->flush_all(c->ops_ctx); /* cannot happen; never leave entries behind */
		c->counters.flush_all++;
	}
	slot->gen = gen;
}

/* Whether `req`'s address space is the one loaded on this CPU. */
static bool shootdown_is_current(const struct pcid_cache *c, const struct tlb_shootdown *req)
{
	return c->current != NULL && c->current->id == req->as_id;
}

void tlb_batch_finish(struct pcid_cache *self, struct tlb_shootdown *b)
{
	uint64_t others;

	if (b->gen != 0 || (!b->full && b->count == 0))
		return; /* finished already, or nothing was unmapped */
	b->gen = __atomic_add_fetch(&b->as->gen, 1, TLB_ATOMIC);
	if (shootdown_is_current(self, b))
		shootdown_apply(self, b);
	others = __atomic_load_n(&b->as->cpus_active, TLB_ATOMIC) & ~(1ull << self->cpu);
	if (others != 0) {
		self->counters.ipi_sent += (uint64_t)__builtin_popcountll(others);
		self->ops->send_shootdown(self->ops_ctx, others, b);
	}
}

void tlb_shootdown_handle(struct pcid_cache *self, const struct tlb_shootdown *req)
{
	self->counters.ipi_recv++;
	if (!shootdown_is_current(self, req)) {
		/* Switched away since: the bump left our slot stale; that suffices. */
		self->counters.ipi_idle++;
		return;
	}
	shootdown_apply(self, req);
}
