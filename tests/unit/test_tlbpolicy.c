/*
 * tests/unit/test_tlbpolicy.c: kernel/mm/pcid_cache.c and kernel/mm/shootdown.c
 * against a model TLB.
 *
 * Emulators flush more than real hardware, so a missing flush never shows in
 * QEMU or Bochs. Here the policy drives model CPUs whose TLBs are the least
 * forgetful the SDM allows: per PCID they keep every translation they ever
 * read (one per page, the latest) until an invalidation covers it: INVLPG
 * drops that page of the loaded PCID, INVPCID single-context drops one PCID,
 * a CR3 load without the no-flush bit drops the PCID it loads, a flush of
 * everything drops all. They even start full of junk under every PCID, as a
 * CPU might after firmware or an earlier kernel. Without INVPCID, a flush of
 * a PCID that is not loaded only marks it pending (tlb.c's deferred flush),
 * and the next load of that PCID flushes even when asked to keep.
 *
 * After every step of a random sequence (switches, touches, maps, single and
 * batched unmaps, write-protects, address-space death and birth) on four
 * CPUs, no CPU may hold under its loaded PCID a translation that the page
 * tables of its loaded address space no longer allow: missing, another frame,
 * or writable where the page is now read-only. Shootdown IPIs are delivered
 * at once, and each must go to exactly the other CPUs that run the address
 * space. Every mapping gets a fresh frame number, so any stale entry shows.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "ktest.h"
#include "ktest_rng.h"
#include "mm/tlbpolicy.h"

#define NCPU  4
#define NAS   12 /* more address spaces than slots: eviction happens */
#define NVA   64 /* pages per address space */
#define NPCID (PCID_FIRST + PCID_SLOTS)
#define NHELD 8

#define UBASE      0x400000ull /* user page idx is at UBASE + idx * TLB_PAGE */
#define KROOT      0x1000ull
#define ROOT(i)    (0x100000ull + (uint64_t)(i)*TLB_PAGE)
#define JUNK_PA    0xdead0000000ull
#define VA(idx)    (UBASE + (uint64_t)(idx)*TLB_PAGE)
#define STEPS      150000
#define MODEL_FAIL (-100) /* what the model's ops return for a request it refuses */

struct pte {
	bool present, writable;
	uint64_t pa;
};

struct tlbe {
	bool valid, writable;
	uint64_t pa;
};

struct mas {
	bool live;
	struct tlb_as as;
	struct pte pt[NVA];
};

/* One model CPU: the policy's cache for it and its hardware state. */
struct mcpu {
	unsigned index;
	struct pcid_cache cache;
	uint64_t cr3_root;
	uint16_t cr3_pcid;
	struct tlbe tlb[NPCID][NVA];
	bool pending[NPCID];
	uint64_t loads_flush, loads_keep, invlpg, invpcid, deferred, flushes_all, ipi_recv;
};

static struct model {
	bool pcid, invpcid;
	bool hold; /* queue shootdowns instead of delivering them */
	unsigned nheld;
	struct {
		uint64_t mask;
		struct tlb_shootdown req;
	} held[NHELD];
	struct mcpu cpu[NCPU];
	struct mas as[NAS];
	uint64_t next_id, next_pa, ipis;
	char err[256]; /* the first misuse of the model's ops, "" if none */
} M;

#define model_fail(...)                                                                            \
	do {                                                                                       \
		if (M.err[0] == 0)                                                                 \
			snprintf(M.err, sizeof(M.err), __VA_ARGS__);                               \
	} while (0)

static struct mas *mas_of_root(uint64_t root)
{
	for (unsigned i = 0; i < NAS; i++) {
		if (M.as[i].live && M.as[i].as.root == root)
			return &M.as[i];
	}
	return NULL;
}

static void tlb_drop(struct mcpu *c, uint16_t pcid)
{
	memset(c->tlb[pcid], 0, sizeof(c->tlb[pcid]));
}

/* ---- the model's struct tlb_ops ------------------------------------------ */

static int m_load_cr3(void *ctx, uint64_t root, uint16_t pcid, bool keep)
{
	struct mcpu *c = ctx;

	if (root != KROOT && mas_of_root(root) == NULL) {
		model_fail("cpu%u: CR3 load of root %#llx, no live address space", c->index,
			   (unsigned long long)root);
		return MODEL_FAIL;
	}
	if (pcid >= NPCID || (!M.pcid && pcid != 0) ||
	    (M.pcid && (root == KROOT) != (pcid == PCID_KERNEL))) {
		model_fail("cpu%u: CR3 load of root %#llx with PCID %u", c->index,
			   (unsigned long long)root, pcid);
		return MODEL_FAIL;
	}
	keep = keep && M.pcid && !c->pending[pcid];
	if (keep) {
		c->loads_keep++;
	} else {
		tlb_drop(c, pcid);
		c->loads_flush++;
	}
	c->pending[pcid] = false;
	c->cr3_root = root;
	c->cr3_pcid = pcid;
	return 0;
}

static void m_flush_page(void *ctx, uint64_t va)
{
	struct mcpu *c = ctx;
	uint64_t idx = (va - UBASE) / TLB_PAGE;

	if (va < UBASE || va % TLB_PAGE != 0 || idx >= NVA) {
		model_fail("cpu%u: INVLPG of %#llx", c->index, (unsigned long long)va);
		return;
	}
	c->tlb[c->cr3_pcid][idx].valid = false;
	c->invlpg++;
}

static int m_flush_pcid(void *ctx, uint16_t pcid)
{
	struct mcpu *c = ctx;

	if (pcid >= NPCID || (!M.pcid && pcid != 0)) {
		model_fail("cpu%u: flush of PCID %u", c->index, pcid);
		return MODEL_FAIL;
	}
	if (M.invpcid) {
		tlb_drop(c, pcid);
		c->invpcid++;
	} else if (pcid == c->cr3_pcid) {
		tlb_drop(c, pcid); /* CR3 reloaded as it is */
		c->pending[pcid] = false;
		c->loads_flush++;
	} else {
		c->pending[pcid] = true;
		c->deferred++;
	}
	return 0;
}

static void m_flush_all(void *ctx)
{
	struct mcpu *c = ctx;

	memset(c->tlb, 0, sizeof(c->tlb));
	memset(c->pending, 0, sizeof(c->pending));
	c->flushes_all++;
}

static void deliver(uint64_t mask, const struct tlb_shootdown *req)
{
	for (unsigned i = 0; i < NCPU; i++) {
		if (mask >> i & 1) {
			M.cpu[i].ipi_recv++;
			tlb_shootdown_handle(&M.cpu[i].cache, req);
		}
	}
}

static void m_send_shootdown(void *ctx, uint64_t mask, const struct tlb_shootdown *req)
{
	struct mcpu *c = ctx;

	if (mask == 0 || mask >> c->index & 1 || mask >> NCPU != 0) {
		model_fail("cpu%u: shootdown to mask %#llx", c->index, (unsigned long long)mask);
		return;
	}
	for (unsigned i = 0; i < NCPU; i++) {
		if (mask >> i & 1 && M.cpu[i].cr3_root != req->as->root)
			model_fail("cpu%u: shootdown IPI to cpu%u, which does not run the address "
				   "space",
				   c->index, i);
	}
	M.ipis += (uint64_t)__builtin_popcountll(mask);
	if (M.hold && M.nheld < NHELD) {
		M.held[M.nheld].mask = mask;
		M.held[M.nheld].req = *req;
		M.nheld++;
		return;
	}
	deliver(mask, req);
}

static const struct tlb_ops model_ops = {
    .load_cr3 = m_load_cr3,
    .flush_page = m_flush_page,
    .flush_pcid = m_flush_pcid,
    .flush_all = m_flush_all,
    .send_shootdown = m_send_shootdown,
};

/* ---- the model's machine -------------------------------------------------- */

/* Fresh model: CPUs on the kernel tables, TLBs full of junk, no address space. */
static const char *model_init(bool pcid, bool invpcid)
{
	memset(&M, 0, sizeof(M));
	M.pcid = pcid;
	M.invpcid = invpcid;
	M.next_id = 1000;
	M.next_pa = 1;
	for (unsigned i = 0; i < NCPU; i++) {
		struct mcpu *c = &M.cpu[i];

		c->index = i;
		c->cr3_root = KROOT;
		for (unsigned p = 0; p < NPCID; p++) {
			for (unsigned v = 0; v < NVA; v++)
				c->tlb[p][v] = (struct tlbe){true, true, JUNK_PA + p * NVA + v};
		}
		KT_EQ(pcid_cache_init(&c->cache, i, pcid, KROOT, &model_ops, c), 0);
	}
	return NULL;
}

/* Address space i is born (empty) with a new id. */
static struct tlb_as *as_create(unsigned i)
{
	struct mas *m = &M.as[i];

	memset(m->pt, 0, sizeof(m->pt));
	if (tlb_as_init(&m->as, ++M.next_id, ROOT(i)) != 0)
		model_fail("tlb_as_init refused address space %u", i);
	m->live = true;
	return &m->as;
}

static void as_map(unsigned i, unsigned idx, bool writable)
{
	M.as[i].pt[idx] = (struct pte){true, writable, 0x1000000ull + M.next_pa++ * TLB_PAGE};
}

/* CPU c reads the translation of page idx of its loaded address space. */
static void touch(unsigned c, unsigned idx)
{
	struct mcpu *m = &M.cpu[c];
	struct mas *a = mas_of_root(m->cr3_root);

	if (a == NULL || !a->pt[idx].present)
		return; /* kernel tables, or not present: x86 caches no such entry */
	m->tlb[m->cr3_pcid][idx] = (struct tlbe){true, a->pt[idx].writable, a->pt[idx].pa};
}

static const char *model_switch(unsigned c, struct tlb_as *as)
{
	int err = pcid_switch_to(&M.cpu[c].cache, as);

	if (err)
		return ktest_msg("cpu%u: pcid_switch_to: %d (%s)", c, err, M.err);
	return NULL;
}

/* The other CPUs that run address space i now. */
static unsigned running_others(unsigned self, unsigned i)
{
	unsigned n = 0;

	for (unsigned c = 0; c < NCPU; c++)
		n += c != self && M.cpu[c].cr3_root == M.as[i].as.root;
	return n;
}

/* CPU c finishes a batch on address space i; exactly the CPUs running it get an IPI. */
static const char *model_finish(unsigned c, unsigned i, struct tlb_shootdown *b)
{
	uint64_t before = M.ipis;
	unsigned expect = (b->full || b->count) ? running_others(c, i) : 0;

	tlb_batch_finish(&M.cpu[c].cache, b);
	if (M.ipis - before != expect)
		return ktest_msg("cpu%u: unmap in address space %u sent %llu IPIs, %u CPUs run it",
				 c, i, (unsigned long long)(M.ipis - before), expect);
	return NULL;
}

/*
 * The property: no CPU can use a translation its loaded address space's page
 * tables do not allow. Also the policy's view agrees with the hardware's.
 */
static const char *model_check(void)
{
	if (M.err[0])
		return ktest_msg("model: %s", M.err);
	for (unsigned c = 0; c < NCPU; c++) {
		struct mcpu *m = &M.cpu[c];
		struct mas *a = mas_of_root(m->cr3_root);
		int err = pcid_cache_check(&m->cache);

		if (err)
			return ktest_msg("cpu%u: pcid_cache_check: %d", c, err);
		if (m->cr3_root != KROOT && a == NULL)
			return ktest_msg("cpu%u: runs a dead address space", c);
		if (m->cache.current != (a ? &a->as : NULL) ||
		    pcid_cache_current_pcid(&m->cache) != m->cr3_pcid)
			return ktest_msg("cpu%u: policy and CR3 disagree", c);
		if (a == NULL)
			continue;
		for (unsigned v = 0; v < NVA; v++) {
			const struct tlbe *e = &m->tlb[m->cr3_pcid][v];
			const struct pte *p = &a->pt[v];

			if (!e->valid)
				continue;
			if (!p->present || p->pa != e->pa || (e->writable && !p->writable))
				return ktest_msg(
				    "cpu%u: PCID %u (address space %u) keeps va %#llx -> pa "
				    "%#llx%s "
				    "but the page table says %s pa %#llx%s",
				    c, m->cr3_pcid, (unsigned)(a - M.as), (unsigned long long)VA(v),
				    (unsigned long long)e->pa, e->writable ? " rw" : " ro",
				    p->present ? "present," : "not present,",
				    (unsigned long long)p->pa, p->writable ? " rw" : " ro");
		}
	}
	return NULL;
}

/* ---- slot-cache unit cases ------------------------------------------------ */

static const char *test_hit_and_miss(void)
{
	struct tlb_as *a, *b;
	struct pcid_counters *k = &M.cpu[0].cache.counters;

	KT_TRY(model_init(true, true));
	a = as_create(0);
	b = as_create(1);
	KT_TRY(model_switch(0, a));
	KT_TRY(model_switch(0, b));
	KT_TRY(model_switch(0, a));
	KT_TRY(model_switch(0, b));
	KT_EQ(k->slot_miss, 2);
	KT_EQ(k->slot_hit, 2);
	KT_EQ(k->switch_flush, 2);
	KT_EQ(k->switch_noflush, 2);
	KT_EQ(M.cpu[0].loads_flush, 2);
	KT_EQ(M.cpu[0].loads_keep, 2);
	KT_ASSERT(pcid_slot_lookup(&M.cpu[0].cache, a) != pcid_slot_lookup(&M.cpu[0].cache, b));
	KT_ASSERT(pcid_slot_lookup(&M.cpu[0].cache, a) >= PCID_FIRST);
	KT_EQ(a->cpus_active, 0);
	KT_EQ(b->cpus_active, 1);
	KT_TRY(model_switch(0, NULL));
	KT_EQ(b->cpus_active, 0);
	KT_EQ(M.cpu[0].cr3_pcid, PCID_KERNEL);
	return model_check();
}

static const char *test_stale_generation(void)
{
	struct tlb_as *a, *b;
	struct tlb_shootdown sd;
	struct pcid_counters *k = &M.cpu[0].cache.counters;

	KT_TRY(model_init(true, true));
	a = as_create(0);
	b = as_create(1);
	as_map(0, 3, true);
	KT_TRY(model_switch(0, a));
	touch(0, 3);
	KT_TRY(model_switch(0, b));
	/* CPU 1 unmaps in a, which CPU 0 merely caches: no IPI, slot goes stale. */
	M.as[0].pt[3].present = false;
	tlb_batch_init(&sd, a);
	KT_EQ(tlb_batch_add(&sd, VA(3), 1), 0);
	KT_TRY(model_finish(1, 0, &sd));
	KT_EQ(M.ipis, 0);
	KT_EQ(a->gen, 1);
	KT_TRY(model_switch(0, a));
	KT_EQ(k->slot_stale, 1);
	KT_EQ(M.cpu[0].tlb[M.cpu[0].cr3_pcid][3].valid, false);
	KT_TRY(model_check());
	/* Current again: the next switch back keeps. */
	KT_TRY(model_switch(0, b));
	KT_TRY(model_switch(0, a));
	KT_EQ(k->slot_hit, 2);
	return model_check();
}

static const char *test_lru_eviction(void)
{
	struct tlb_as *as[PCID_SLOTS + 2];
	struct pcid_cache *c = &M.cpu[0].cache;
	int pcid2, pcid3;

	KT_TRY(model_init(true, true));
	for (unsigned i = 0; i < PCID_SLOTS + 2; i++)
		as[i] = as_create(i);
	for (unsigned i = 0; i < PCID_SLOTS; i++)
		KT_TRY(model_switch(0, as[i]));
	KT_TRY(model_switch(0, as[0])); /* as[1] is now the least recently used */
	pcid2 = pcid_slot_lookup(c, as[1]);
	pcid3 = pcid_slot_lookup(c, as[2]);
	KT_TRY(model_switch(0, as[PCID_SLOTS]));
	KT_EQ(pcid_slot_lookup(c, as[1]), -KEEL_ENOENT);
	KT_EQ(pcid_slot_lookup(c, as[PCID_SLOTS]), pcid2);
	KT_ASSERT(pcid_slot_lookup(c, as[0]) >= PCID_FIRST);
	KT_TRY(model_switch(0, as[PCID_SLOTS + 1]));
	KT_EQ(pcid_slot_lookup(c, as[2]), -KEEL_ENOENT);
	KT_EQ(pcid_slot_lookup(c, as[PCID_SLOTS + 1]), pcid3);
	KT_EQ(c->counters.slot_miss, PCID_SLOTS + 2);
	KT_EQ(c->counters.slot_hit, 1);
	return model_check();
}

/* A new address space in a dead one's struct and root never inherits its entries. */
static const char *test_as_death(void)
{
	struct tlb_as *a, *b;
	struct pcid_cache *c = &M.cpu[0].cache;
	uint64_t flushes;
	int pcid;

	KT_TRY(model_init(true, true));
	a = as_create(0);
	b = as_create(1);
	for (unsigned v = 0; v < NVA; v++)
		as_map(0, v, true);
	KT_TRY(model_switch(0, a));
	for (unsigned v = 0; v < NVA; v++)
		touch(0, v);
	KT_EQ(tlb_as_fini(a), -KEEL_EBUSY);
	KT_EQ(pcid_cache_forget(c, a), -KEEL_EBUSY);
	KT_TRY(model_switch(0, b));
	pcid = pcid_slot_lookup(c, a);
	KT_EQ(tlb_as_fini(a), 0);
	M.as[0].live = false;
	/* Reborn in the same struct, at the same root, with the same generation. */
	a = as_create(0);
	as_map(0, 5, false);
	flushes = M.cpu[0].loads_flush;
	KT_TRY(model_switch(0, a));
	KT_EQ(c->counters.slot_miss, 3);
	KT_EQ(M.cpu[0].loads_flush, flushes + 1);
	touch(0, 5);
	KT_TRY(model_check());
	/* The dead one's slot was the LRU one or an empty one; it is not reused as a hit. */
	KT_ASSERT(pcid_slot_lookup(c, a) != pcid || c->slots[pcid - PCID_FIRST].as_id == a->id);

	/* Forget frees the slot at once, clean: the next miss takes it without a flush. */
	KT_TRY(model_switch(0, b));
	pcid = pcid_slot_lookup(c, a);
	KT_EQ(tlb_as_fini(a), 0);
	KT_EQ(pcid_cache_forget(c, a), 0);
	KT_EQ(pcid_slot_lookup(c, a), -KEEL_ENOENT);
	KT_EQ(pcid_cache_forget(c, a), 0); /* twice: nothing left to do */
	M.as[0].live = false;
	as_create(2);
	flushes = M.cpu[0].loads_flush;
	KT_TRY(model_switch(0, &M.as[2].as));
	KT_EQ(pcid_slot_lookup(c, &M.as[2].as), pcid);
	KT_EQ(M.cpu[0].loads_flush, flushes);
	return model_check();
}

/* Without INVPCID, forget's flush is deferred: the load that keeps must still flush. */
static const char *test_forget_deferred(void)
{
	struct tlb_as *a, *b, *n;
	struct pcid_cache *c = &M.cpu[0].cache;

	KT_TRY(model_init(true, false));
	a = as_create(0);
	b = as_create(1);
	for (unsigned v = 0; v < NVA; v++)
		as_map(0, v, true);
	KT_TRY(model_switch(0, a));
	for (unsigned v = 0; v < NVA; v++)
		touch(0, v);
	KT_TRY(model_switch(0, b));
	KT_EQ(tlb_as_fini(a), 0);
	KT_EQ(pcid_cache_forget(c, a), 0);
	KT_EQ(M.cpu[0].deferred, 1);
	M.as[0].live = false;
	n = as_create(3); /* empty page tables: any leftover of a shows */
	KT_TRY(model_switch(0, n));
	KT_EQ(c->counters.switch_noflush, 1); /* the policy asked to keep ... */
	KT_EQ(M.cpu[0].loads_keep, 0);        /* ... and the pending flush overruled it */
	return model_check();
}

/* Random switches, deaths and births on one CPU: never one PCID for two live ones. */
static const char *test_unique_pcids(void)
{
	struct pcid_cache *c = &M.cpu[0].cache;

	KT_TRY(model_init(true, true));
	ktest_rng_state = 0x51075107;
	for (unsigned i = 0; i < NAS; i++)
		as_create(i);
	KT_EQ(pcid_cache_reset(c), 0);
	for (unsigned step = 0; step < 20000; step++) {
		unsigned i = (unsigned)ktest_rng_below(NAS);

		if (!M.as[i].live) {
			as_create(i);
		} else if (ktest_rng_below(10) == 0 && c->current != &M.as[i].as) {
			KT_EQ(tlb_as_fini(&M.as[i].as), 0);
			if (ktest_rng_below(2))
				KT_EQ(pcid_cache_forget(c, &M.as[i].as), 0);
			M.as[i].live = false;
		} else {
			KT_TRY(model_switch(0, &M.as[i].as));
		}
		KT_TRY(model_check());
		for (unsigned x = 0; x < NAS; x++) {
			int px = M.as[x].live ? pcid_slot_lookup(c, &M.as[x].as) : -KEEL_ENOENT;

			for (unsigned y = x + 1; y < NAS && px >= 0; y++) {
				if (M.as[y].live && pcid_slot_lookup(c, &M.as[y].as) == px)
					return ktest_msg(
					    "step %u: address spaces %u and %u on PCID %d", step, x,
					    y, px);
			}
		}
	}
	KT_EQ(pcid_cache_reset(c), -KEEL_EBUSY);
	return NULL;
}

static const char *test_no_pcid(void)
{
	struct tlb_as *a, *b;
	struct pcid_cache *c = &M.cpu[0].cache;

	KT_TRY(model_init(false, false));
	a = as_create(0);
	b = as_create(1);
	for (unsigned i = 0; i < 1000; i++) {
		KT_TRY(model_switch(0, i % 2 ? b : a));
		KT_EQ(M.cpu[0].cr3_pcid, 0);
	}
	KT_EQ(M.cpu[0].loads_keep, 0);
	KT_EQ(M.cpu[0].loads_flush, 1000);
	KT_EQ(c->counters.switch_flush, 1000);
	KT_EQ(c->counters.slot_hit + c->counters.slot_miss, 0);
	KT_EQ(pcid_slot_lookup(c, a), -KEEL_ENOENT);
	KT_EQ(pcid_cache_forget(c, a), 0);
	KT_TRY(model_switch(0, NULL));
	KT_EQ(M.cpu[0].loads_flush, 1001);
	return model_check();
}

/* DESIGN.md §4's counts: 0 IPIs, 1 IPI, and no flushing load once warm. */
static const char *test_event_counts(void)
{
	struct tlb_as *a, *b;
	struct tlb_shootdown sd;
	uint64_t flushes;

	for (int cfg = 0; cfg < 3; cfg++) {
		KT_TRY(model_init(cfg < 2, cfg == 0));
		a = as_create(0);
		b = as_create(1);
		as_map(0, 0, true);
		as_map(0, 1, true);
		KT_TRY(model_switch(1, a)); /* CPU 1 caches a ... */
		touch(1, 0);
		KT_TRY(model_switch(1, b)); /* ... but runs b */
		KT_TRY(model_switch(0, a));
		M.as[0].pt[0].present = false;
		tlb_batch_init(&sd, a);
		KT_EQ(tlb_batch_add(&sd, VA(0), 1), 0);
		KT_TRY(model_finish(0, 0, &sd));
		KT_EQ(M.ipis, 0);
		KT_EQ(M.cpu[1].cache.counters.ipi_recv, 0);
		KT_TRY(model_switch(1, a));
		KT_TRY(model_check());
		touch(1, 1);
		M.as[0].pt[1].present = false;
		tlb_batch_init(&sd, a);
		KT_EQ(tlb_batch_add(&sd, VA(1), 1), 0);
		KT_TRY(model_finish(0, 0, &sd));
		KT_EQ(M.ipis, 1);
		KT_EQ(M.cpu[0].cache.counters.ipi_sent, 1);
		KT_EQ(M.cpu[1].cache.counters.ipi_recv, 1);
		KT_EQ(M.cpu[1].invlpg, 1);
		KT_TRY(model_check());

		/* 1,000 switches between a and b on CPU 2. */
		for (unsigned i = 0; i < 1000; i++) {
			if (i == 2)
				flushes = M.cpu[2].loads_flush;
			KT_TRY(model_switch(2, i % 2 ? b : a));
		}
		if (cfg < 2) {
			KT_EQ(M.cpu[2].loads_flush, flushes);
			KT_EQ(M.cpu[2].cache.counters.switch_noflush, 998);
		} else {
			KT_EQ(M.cpu[2].loads_flush, 1000);
		}
	}
	return model_check();
}

static const char *test_batch_args(void)
{
	struct tlb_as *a;
	struct tlb_shootdown sd;

	KT_TRY(model_init(true, true));
	a = as_create(0);
	tlb_batch_init(&sd, a);
	KT_EQ(tlb_batch_add(&sd, VA(0) + 1, 1), -KEEL_EINVAL);
	KT_EQ(tlb_batch_add(&sd, VA(0), 0), -KEEL_EINVAL);
	KT_EQ(tlb_batch_add(&sd, UINT64_MAX - TLB_PAGE + 1, 2), -KEEL_EINVAL);
	KT_EQ(tlb_batch_add(&sd, 0, UINT64_MAX), -KEEL_EINVAL);
	KT_EQ(tlb_batch_add(&sd, UINT64_MAX - TLB_PAGE + 1, 1), 0);
	KT_EQ(sd.count, 1);
	tlb_batch_init(&sd, a);
	tlb_batch_finish(&M.cpu[0].cache, &sd); /* empty: no bump */
	KT_EQ(a->gen, 0);
	KT_EQ(tlb_batch_add(&sd, VA(0), TLB_INVLPG_MAX - 1), 0);
	KT_EQ(tlb_batch_add(&sd, VA(40), 1), 0);
	KT_EQ(sd.full, false);
	KT_EQ(sd.count, TLB_INVLPG_MAX);
	KT_EQ(tlb_batch_add(&sd, VA(50), 1), 0);
	KT_EQ(sd.full, true);
	tlb_batch_finish(&M.cpu[0].cache, &sd);
	KT_EQ(a->gen, 1);
	tlb_batch_finish(&M.cpu[0].cache, &sd); /* twice: still one bump */
	KT_EQ(a->gen, 1);
	KT_EQ(tlb_batch_add(&sd, VA(0), 1), -KEEL_EINVAL);
	return model_check();
}

/* A big batch on a loaded address space flushes the PCID, with or without INVPCID. */
static const char *test_big_batch(void)
{
	struct tlb_as *a;
	struct tlb_shootdown sd;

	for (int cfg = 0; cfg < 3; cfg++) {
		KT_TRY(model_init(cfg < 2, cfg == 0));
		a = as_create(0);
		for (unsigned v = 0; v < NVA; v++)
			as_map(0, v, true);
		KT_TRY(model_switch(0, a));
		KT_TRY(model_switch(3, a));
		for (unsigned v = 0; v < NVA; v++) {
			touch(0, v);
			touch(3, v);
			M.as[0].pt[v].writable = false;
		}
		tlb_batch_init(&sd, a);
		KT_EQ(tlb_batch_add(&sd, VA(0), NVA), 0);
		KT_TRY(model_finish(3, 0, &sd));
		KT_EQ(M.cpu[0].cache.counters.pcid_flush, 1);
		KT_EQ(M.cpu[3].cache.counters.pcid_flush, 1);
		KT_EQ(M.cpu[0].invlpg + M.cpu[3].invlpg, 0);
		KT_EQ(M.cpu[0].deferred + M.cpu[3].deferred, 0);
		KT_TRY(model_check());
	}
	return NULL;
}

/* Shootdowns that arrive late or out of order, or after the CPU left. */
static const char *test_late_shootdowns(void)
{
	struct tlb_as *a, *b;
	struct tlb_shootdown s1, s2;

	for (int cfg = 0; cfg < 3; cfg++) {
		KT_TRY(model_init(cfg < 2, cfg == 0));
		a = as_create(0);
		b = as_create(1);
		for (unsigned v = 0; v < 4; v++)
			as_map(0, v, true);
		KT_TRY(model_switch(1, a));
		for (unsigned v = 0; v < 4; v++)
			touch(1, v);
		M.hold = true;
		M.as[0].pt[0].present = false;
		tlb_batch_init(&s1, a);
		KT_EQ(tlb_batch_add(&s1, VA(0), 1), 0);
		KT_TRY(model_finish(0, 0, &s1));
		M.as[0].pt[1].present = false;
		tlb_batch_init(&s2, a);
		KT_EQ(tlb_batch_add(&s2, VA(1), 1), 0);
		KT_TRY(model_finish(0, 0, &s2));
		KT_EQ(M.nheld, 2);
		/* The second first: a gap, so the whole PCID goes; the first is then covered. */
		deliver(M.held[1].mask, &M.held[1].req);
		KT_TRY(model_check());
		deliver(M.held[0].mask, &M.held[0].req);
		KT_EQ(M.cpu[1].cache.counters.pcid_flush, 1);
		KT_EQ(M.cpu[1].invlpg, 0);
		KT_TRY(model_check());

		/* One arrives after CPU 1 left and came back: the switch back flushed. */
		touch(1, 2);
		M.nheld = 0;
		M.as[0].pt[2].present = false;
		tlb_batch_init(&s1, a);
		KT_EQ(tlb_batch_add(&s1, VA(2), 1), 0);
		KT_TRY(model_finish(0, 0, &s1));
		KT_TRY(model_switch(1, b));
		KT_TRY(model_switch(1, a));
		deliver(M.held[0].mask, &M.held[0].req);
		KT_EQ(M.cpu[1].cache.counters.ipi_recv, 3);
		KT_TRY(model_check());

		/* One arrives after CPU 1 left for good: nothing to do there. */
		touch(1, 3);
		M.nheld = 0;
		M.as[0].pt[3].present = false;
		tlb_batch_init(&s1, a);
		KT_EQ(tlb_batch_add(&s1, VA(3), 1), 0);
		KT_TRY(model_finish(0, 0, &s1));
		KT_TRY(model_switch(1, b));
		deliver(M.held[0].mask, &M.held[0].req);
		KT_EQ(M.cpu[1].cache.counters.ipi_idle, 1);
		KT_TRY(model_switch(1, a));
		KT_TRY(model_check());
	}
	return NULL;
}

static const char *test_bad_arguments(void)
{
	struct tlb_as x;
	struct pcid_cache c;
	struct tlb_ops partial = model_ops;

	KT_TRY(model_init(true, true));
	KT_EQ(tlb_as_init(&x, 0, ROOT(0)), -KEEL_EINVAL);
	KT_EQ(tlb_as_init(&x, 1, ROOT(0) + 8), -KEEL_EINVAL);
	KT_EQ(tlb_as_init(NULL, 1, ROOT(0)), -KEEL_EINVAL);
	KT_EQ(tlb_as_fini(NULL), -KEEL_EINVAL);
	KT_EQ(pcid_cache_init(&c, TLB_CPUS_MAX, true, KROOT, &model_ops, NULL), -KEEL_EINVAL);
	KT_EQ(pcid_cache_init(&c, 0, true, KROOT + 1, &model_ops, NULL), -KEEL_EINVAL);
	KT_EQ(pcid_cache_init(&c, 0, true, KROOT, NULL, NULL), -KEEL_EINVAL);
	partial.send_shootdown = NULL;
	KT_EQ(pcid_cache_init(&c, 0, true, KROOT, &partial, NULL), -KEEL_EINVAL);
	KT_EQ(pcid_cache_forget(&M.cpu[0].cache, NULL), -KEEL_EINVAL);

	/* A load the CPU refuses changes nothing. */
	as_create(0);
	KT_TRY(model_switch(0, &M.as[0].as));
	KT_EQ(tlb_as_init(&x, 77, ROOT(NAS)), 0); /* a root the model does not know */
	KT_EQ(pcid_switch_to(&M.cpu[0].cache, &x), MODEL_FAIL);
	KT_EQ(x.cpus_active, 0);
	KT_EQ(M.as[0].as.cpus_active, 1);
	KT_ASSERT(M.cpu[0].cache.current == &M.as[0].as);
	KT_EQ(pcid_slot_lookup(&M.cpu[0].cache, &x), -KEEL_ENOENT);
	M.err[0] = 0;
	return model_check();
}

/* ---- the model TLB test ---------------------------------------------------- */

static unsigned pick_live(void)
{
	unsigned i = (unsigned)ktest_rng_below(NAS);

	for (unsigned n = 0; n < NAS; n++, i = (i + 1) % NAS) {
		if (M.as[i].live)
			return i;
	}
	return NAS;
}

/* Unmap (or write-protect) 1-3 ranges of address space i as one batch, by CPU c. */
static const char *step_unmap(unsigned c, unsigned i, bool downgrade, bool single)
{
	struct tlb_shootdown sd;
	unsigned ranges = single ? 1 : 1 + (unsigned)ktest_rng_below(3);

	tlb_batch_init(&sd, &M.as[i].as);
	for (unsigned r = 0; r < ranges; r++) {
		unsigned start = (unsigned)ktest_rng_below(NVA);
		unsigned len = 1;

		if (!single)
			len = 1 + (unsigned)ktest_rng_below(ktest_rng_below(2) ? 8 : NVA - start);
		if (start + len > NVA)
			len = NVA - start;
		for (unsigned v = start; v < start + len; v++) {
			if (downgrade)
				M.as[i].pt[v].writable = false;
			else
				M.as[i].pt[v].present = false;
		}
		KT_EQ(tlb_batch_add(&sd, VA(start), len), 0);
	}
	return model_finish(c, i, &sd);
}

/* Address space i dies: its CPUs leave it first. */
static const char *step_destroy(unsigned i)
{
	for (unsigned c = 0; c < NCPU; c++) {
		if (M.cpu[c].cache.current == &M.as[i].as)
			KT_TRY(model_switch(c, NULL));
	}
	KT_EQ(tlb_as_fini(&M.as[i].as), 0);
	for (unsigned c = 0; c < NCPU; c++) {
		if (ktest_rng_below(2))
			KT_EQ(pcid_cache_forget(&M.cpu[c].cache, &M.as[i].as), 0);
	}
	M.as[i].live = false;
	return NULL;
}

static const char *model_run(bool pcid, bool invpcid, uint64_t seed)
{
	uint64_t sent = 0, recv = 0;

	KT_TRY(model_init(pcid, invpcid));
	ktest_rng_state = seed;
	for (unsigned i = 0; i < NAS / 2; i++)
		as_create(i);
	for (unsigned c = 0; c < NCPU; c += 2)
		KT_EQ(pcid_cache_reset(&M.cpu[c].cache), 0);
	for (unsigned step = 0; step < STEPS; step++) {
		unsigned c = (unsigned)ktest_rng_below(NCPU);
		unsigned r = (unsigned)ktest_rng_below(100);
		unsigned i = pick_live();
		const char *err = NULL;

		if (r < 25) {
			bool kernel = i == NAS || ktest_rng_below(10) == 0;

			err = model_switch(c, kernel ? NULL : &M.as[i].as);
		} else if (r < 55) {
			for (unsigned n = 1 + (unsigned)ktest_rng_below(4); n > 0; n--)
				touch(c, (unsigned)ktest_rng_below(NVA));
		} else if (r < 70) {
			unsigned v = (unsigned)ktest_rng_below(NVA);

			if (i < NAS && !M.as[i].pt[v].present)
				as_map(i, v, ktest_rng_below(3) != 0);
		} else if (r < 80) {
			if (i < NAS)
				err = step_unmap(c, i, false, true);
		} else if (r < 88) {
			if (i < NAS)
				err = step_unmap(c, i, false, false);
		} else if (r < 95) {
			if (i < NAS)
				err = step_unmap(c, i, true, ktest_rng_below(2));
		} else if (r < 97) {
			if (i < NAS)
				err = step_destroy(i);
		} else {
			unsigned d = (unsigned)ktest_rng_below(NAS);

			if (!M.as[d].live) {
				as_create(d);
				for (unsigned n = 0; n < 8; n++)
					as_map(d, (unsigned)ktest_rng_below(NVA), true);
			}
		}
		if (err == NULL)
			err = model_check();
		if (err) {
			char why[512]; /* err may be in ktest_msg's buffer */

			snprintf(why, sizeof(why), "%s", err);
			return ktest_msg("pcid=%d invpcid=%d step %u: %s", pcid, invpcid, step,
					 why);
		}
	}
	for (unsigned c = 0; c < NCPU; c++) {
		sent += M.cpu[c].cache.counters.ipi_sent;
		recv += M.cpu[c].cache.counters.ipi_recv;
	}
	{
		struct pcid_counters t = {0};
		uint64_t loads_flush = 0, loads_keep = 0;

		for (unsigned c = 0; c < NCPU; c++) {
			const struct pcid_counters *k = &M.cpu[c].cache.counters;

			t.switch_noflush += k->switch_noflush;
			t.switch_flush += k->switch_flush;
			t.slot_hit += k->slot_hit;
			t.slot_stale += k->slot_stale;
			t.slot_miss += k->slot_miss;
			t.invlpg += k->invlpg;
			t.pcid_flush += k->pcid_flush;
			t.ipi_idle += k->ipi_idle;
			loads_flush += M.cpu[c].loads_flush;
			loads_keep += M.cpu[c].loads_keep;
		}
		printf("# model pcid=%d invpcid=%d: %u steps; switches %llu kept / %llu flushed "
		       "(hit %llu, stale %llu, miss %llu); hardware loads %llu kept / %llu "
		       "flushed; invlpg %llu, pcid flushes %llu, IPIs %llu (%llu found it gone)\n",
		       pcid, invpcid, STEPS, (unsigned long long)t.switch_noflush,
		       (unsigned long long)t.switch_flush, (unsigned long long)t.slot_hit,
		       (unsigned long long)t.slot_stale, (unsigned long long)t.slot_miss,
		       (unsigned long long)loads_keep, (unsigned long long)loads_flush,
		       (unsigned long long)t.invlpg, (unsigned long long)t.pcid_flush,
		       (unsigned long long)M.ipis, (unsigned long long)t.ipi_idle);
	}
	KT_EQ(sent, M.ipis);
	KT_EQ(recv, M.ipis);
	KT_ASSERT(M.ipis > 0);
	if (pcid) {
		uint64_t hits = 0, stale = 0, miss = 0, deferred = 0, invpcids = 0;

		for (unsigned c = 0; c < NCPU; c++) {
			hits += M.cpu[c].cache.counters.slot_hit;
			stale += M.cpu[c].cache.counters.slot_stale;
			miss += M.cpu[c].cache.counters.slot_miss;
			deferred += M.cpu[c].deferred;
			invpcids += M.cpu[c].invpcid;
		}
		/* Every path ran: the run is not vacuous. */
		KT_ASSERT(hits > 0 && stale > 0 && miss > 0);
		KT_ASSERT(invpcid ? invpcids > 0 : deferred > 0);
	}
	return NULL;
}

static const char *test_model_pcid_invpcid(void)
{
	return model_run(true, true, 0x7eb1);
}

static const char *test_model_pcid_no_invpcid(void)
{
	return model_run(true, false, 0x7eb2);
}

static const char *test_model_no_pcid(void)
{
	return model_run(false, false, 0x7eb3);
}

static const struct ktest tests[] = {
    KTEST(test_hit_and_miss),
    KTEST(test_stale_generation),
    KTEST(test_lru_eviction),
    KTEST(test_as_death),
    KTEST(test_forget_deferred),
    KTEST(test_unique_pcids),
    KTEST(test_no_pcid),
    KTEST(test_event_counts),
    KTEST(test_batch_args),
    KTEST(test_big_batch),
    KTEST(test_late_shootdowns),
    KTEST(test_bad_arguments),
    KTEST(test_model_pcid_invpcid),
    KTEST(test_model_pcid_no_invpcid),
    KTEST(test_model_no_pcid),
};

int main(void)
{
	return ktest_main(tests, KTEST_COUNT(tests));
}
