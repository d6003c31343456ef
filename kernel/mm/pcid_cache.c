/*
 * kernel/mm/pcid_cache.c: the per-CPU PCID slot cache and the address-space
 * switch (tlbpolicy.h, DESIGN.md §4).
 *
 * Why a switch may keep a PCID's entries. A slot's `gen` is a generation of
 * its address space up to which this CPU's entries under that PCID are known
 * to be clean: it is set only (a) by a flushing load, to the generation read
 * before that load, or (b) by the shootdown handler (shootdown.c), which
 * flushes what the batches in between changed. An unmapper writes its PTE
 * changes, then bumps the generation, then reads cpus_active (all
 * sequentially consistent). The switch sets this CPU's bit in cpus_active,
 * then reads the generation. So for every batch either the switch reads a
 * generation that includes it (and sees a stale slot, and flushes), or the
 * unmapper sees our bit and interrupts us once we run the address space.
 * Hence a slot whose `gen` equals the address space's generation holds no
 * entry the page tables no longer allow, and the load may keep them.
 *
 * Why two address spaces never share a PCID. Slots name address spaces by
 * id, and ids are never reused, so a new address space is never mistaken for
 * a dead one whose struct, root and generation it may have inherited; a slot
 * changes owner only through a flushing load (or after a flush that made it
 * clean), so the new owner starts with none of the old owner's entries. Dead
 * address spaces' slots simply age out through LRU, or pcid_cache_forget
 * frees them at once; no CPU writes another CPU's slots.
 *
 * Kernel tables (next == NULL) use PCID 0 and are loaded with no-flush: the
 * kernel's mappings are global and are flushed by the kernel's own paths.
 */
#include "tlbpolicy.h"

#define TLB_ATOMIC __ATOMIC_SEQ_CST

int tlb_as_init(struct tlb_as *as, uint64_t id, uint64_t root)
{
	if (as == NULL || id == 0 || root % TLB_PAGE != 0)
		return -KEEL_EINVAL;
	as->gen = 0;
	as->cpus_active = 0;
	as->id = id;
	as->root = root;
	return 0;
}

int tlb_as_fini(struct tlb_as *as)
{
	if (as == NULL)
		return -KEEL_EINVAL;
	if (__atomic_load_n(&as->cpus_active, TLB_ATOMIC) != 0)
		return -KEEL_EBUSY;
	return 0;
}

int pcid_cache_init(struct pcid_cache *c, unsigned cpu, bool pcid, uint64_t kernel_root,
		    const struct tlb_ops *ops, void *ops_ctx)
{
	if (c == NULL || cpu >= TLB_CPUS_MAX || ops == NULL || ops->load_cr3 == NULL ||
	    ops->flush_page == NULL || ops->flush_pcid == NULL || ops->flush_all == NULL ||
	    ops->send_shootdown == NULL || kernel_root % TLB_PAGE != 0)
		return -KEEL_EINVAL;
	*c = (struct pcid_cache){
	    .ops = ops,
	    .ops_ctx = ops_ctx,
	    .cpu = cpu,
	    .pcid = pcid,
	    .kernel_root = kernel_root,
	};
	return 0;
}

int pcid_cache_reset(struct pcid_cache *c)
{
	if (c->current != NULL)
		return -KEEL_EBUSY;
	c->ops->flush_all(c->ops_ctx);
	c->counters.flush_all++;
	for (unsigned i = 0; i < PCID_SLOTS; i++)
		c->slots[i] = (struct pcid_slot){.clean = true};
	return 0;
}

/* The slot index holding address space `id`, or PCID_SLOTS. */
static unsigned pcid_slot_find(const struct pcid_cache *c, uint64_t id)
{
	for (unsigned i = 0; i < PCID_SLOTS; i++) {
		if (c->slots[i].as_id == id)
			return i;
	}
	return PCID_SLOTS;
}

/*
 * The slot to take over on a miss: an empty clean one (no flush needed),
 * else an empty one, else the least recently used.
 */
static unsigned pcid_slot_victim(const struct pcid_cache *c)
{
	unsigned best = 0;

	for (unsigned i = 0; i < PCID_SLOTS; i++) {
		const struct pcid_slot *s = &c->slots[i], *b = &c->slots[best];

		if (s->clean)
			return i;
		if ((s->as_id == 0) != (b->as_id == 0)) {
			if (s->as_id == 0)
				best = i;
		} else if (s->stamp < b->stamp) {
			best = i;
		}
	}
	return best;
}

int pcid_slot_lookup(const struct pcid_cache *c, const struct tlb_as *as)
{
	unsigned i;

	if (!c->pcid || as == NULL)
		return -KEEL_ENOENT;
	i = pcid_slot_find(c, as->id);
	return i < PCID_SLOTS ? (int)(PCID_FIRST + i) : -KEEL_ENOENT;
}

/* Load the kernel's own tables (PCID 0). */
static int pcid_switch_to_kernel(struct pcid_cache *c)
{
	int err = c->ops->load_cr3(c->ops_ctx, c->kernel_root, PCID_KERNEL, c->pcid);

	if (err)
		return err;
	if (c->pcid)
		c->counters.switch_noflush++;
	else
		c->counters.switch_flush++;
	return 0;
}

/*
 * pcid_switch_to without PCIDs, between two address spaces: every load
 * flushes and slot 0 is all there is. The same announcement, load, slot,
 * counters and hand-over as pcid_switch_slots below, in a function of its
 * own: the IPC fast path comes here on every message, and the slot search's
 * register pressure would cost it a long prologue.
 */
__attribute__((noinline)) static int pcid_switch_flat(struct pcid_cache *c, struct tlb_as *next)
{
	struct tlb_as *prev = c->current;
	uint64_t bit = 1ull << c->cpu, gen;
	int err;

	/* Announce first, then read the generation: see the comment at the top. */
	__atomic_fetch_or(&next->cpus_active, bit, TLB_ATOMIC);
	gen = __atomic_load_n(&next->gen, TLB_ATOMIC);
	err = c->ops->load_cr3(c->ops_ctx, next->root, PCID_KERNEL, false);
	if (err) {
		__atomic_fetch_and(&next->cpus_active, ~bit, TLB_ATOMIC);
		return err;
	}
	/* Field by field: a compound literal would copy its padding too. */
	c->slots[0].as_id = next->id;
	c->slots[0].gen = gen;
	c->slots[0].stamp = ++c->clock;
	c->slots[0].clean = false;
	c->counters.switch_flush++;
	if (prev != NULL)
		__atomic_fetch_and(&prev->cpus_active, ~bit, TLB_ATOMIC);
	c->current = next;
	c->current_slot = 0;
	return 0;
}

/* pcid_switch_to's general case: with PCIDs, or to or from the kernel's tables. */
__attribute__((noinline)) static int pcid_switch_slots(struct pcid_cache *c, struct tlb_as *next)
{
	struct tlb_as *prev = c->current;
	uint64_t bit = 1ull << c->cpu;
	unsigned slot = 0;
	bool hit = false, keep = false;
	uint64_t gen;
	int err;

	if (next == prev)
		return 0; /* shootdowns have kept it clean while it stayed loaded */
	if (next == NULL) {
		err = pcid_switch_to_kernel(c);
		if (err)
			return err;
		goto switched;
	}

	/* Announce first, then read the generation: see the comment at the top. */
	__atomic_fetch_or(&next->cpus_active, bit, TLB_ATOMIC);
	gen = __atomic_load_n(&next->gen, TLB_ATOMIC);
	if (c->pcid) {
		slot = pcid_slot_find(c, next->id);
		hit = slot < PCID_SLOTS;
		if (hit) {
			keep = c->slots[slot].gen == gen;
		} else {
			slot = pcid_slot_victim(c);
			keep = c->slots[slot].clean;
		}
	}
	err = c->ops->load_cr3(c->ops_ctx, next->root,
			       c->pcid ? (uint16_t)(PCID_FIRST + slot) : PCID_KERNEL, keep);
	if (err) {
		__atomic_fetch_and(&next->cpus_active, ~bit, TLB_ATOMIC);
		return err;
	}
	if (c->pcid) {
		if (!hit)
			c->counters.slot_miss++;
		else if (keep)
			c->counters.slot_hit++;
		else
			c->counters.slot_stale++;
	}
	c->slots[slot] = (struct pcid_slot){
	    .as_id = next->id,
	    .gen = gen,
	    .stamp = ++c->clock,
	};
	if (keep)
		c->counters.switch_noflush++;
	else
		c->counters.switch_flush++;

switched:
	/*
	 * prev's entries stay under its PCID. A shootdown for it from now on
	 * finds it not loaded and does nothing; the bump it made leaves our
	 * slot stale, which the next switch to prev sees.
	 */
	if (prev != NULL)
		__atomic_fetch_and(&prev->cpus_active, ~bit, TLB_ATOMIC);
	c->current = next;
	c->current_slot = slot;
	return 0;
}

int pcid_switch_to(struct pcid_cache *c, struct tlb_as *next)
{
	if (!c->pcid && next != NULL && next != c->current)
		return pcid_switch_flat(c, next);
	return pcid_switch_slots(c, next);
}

int pcid_cache_forget(struct pcid_cache *c, const struct tlb_as *as)
{
	unsigned i;

	if (as == NULL)
		return -KEEL_EINVAL;
	if (c->current != NULL && c->current->id == as->id)
		return -KEEL_EBUSY;
	if (!c->pcid)
		return 0; /* no slots: the next load flushes anyway */
	i = pcid_slot_find(c, as->id);
	if (i == PCID_SLOTS)
		return 0;
	/*
	 * Not the loaded PCID, so without INVPCID this flush is deferred to the
	 * PCID's next load, which then flushes even when asked to keep: the
	 * slot may be marked clean either way.
	 */
	c->slots[i] = (struct pcid_slot){0};
	if (c->ops->flush_pcid(c->ops_ctx, (uint16_t)(PCID_FIRST + i)) == 0) {
		c->counters.pcid_flush++;
		c->slots[i].clean = true;
	}
	return 0;
}

int pcid_cache_check(const struct pcid_cache *c)
{
	if (c->cpu >= TLB_CPUS_MAX || c->ops == NULL)
		return -KEEL_EINVAL;
	for (unsigned i = 0; i < PCID_SLOTS; i++) {
		const struct pcid_slot *s = &c->slots[i];

		if (s->stamp > c->clock || (s->clean && s->as_id != 0))
			return -KEEL_EINVAL;
		for (unsigned j = i + 1; j < PCID_SLOTS && s->as_id != 0; j++) {
			if (c->slots[j].as_id == s->as_id)
				return -KEEL_EINVAL;
		}
	}
	if (c->current != NULL) {
		const struct pcid_slot *s;

		if (c->current_slot >= PCID_SLOTS || (!c->pcid && c->current_slot != 0))
			return -KEEL_EINVAL;
		s = &c->slots[c->current_slot];
		if (s->as_id != c->current->id ||
		    s->gen > __atomic_load_n(&c->current->gen, TLB_ATOMIC) ||
		    !(__atomic_load_n(&c->current->cpus_active, TLB_ATOMIC) >> c->cpu & 1))
			return -KEEL_EINVAL;
	}
	return 0;
}
