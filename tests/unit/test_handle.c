/*
 * tests/unit/test_handle.c: kernel/core/handle.c over a malloc-backed storage
 * provider, and against a model of two tables under random sequences of add,
 * get, dup, close and take (moving handles from one table to the other as an
 * IPC message would).
 *
 * The provider records every block it has out with its size, refuses (and
 * counts) a free of anything else or with another size, and can be told to
 * fail. The objects count their references: every ref the table takes must
 * be dropped exactly once (a drop below zero is counted as an error), and
 * after handle_table_destroy every count is back to what the test itself
 * holds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/handle.h"
#include "ktest.h"
#include "ktest_rng.h"

/* ---- The storage provider ---- */

#define PROV_MAX_BLOCKS 64

struct prov {
	struct {
		void *mem;
		size_t bytes;
	} block[PROV_MAX_BLOCKS];
	size_t nblocks;
	uint64_t allocs, frees, bad_frees;
	size_t last_bytes; /* size of the last allocation */
	long fail_after;   /* allocations left before it fails; < 0: never fails */
};

/* ---- Objects with reference counts ---- */

#define NOBJ 64

struct obj {
	long refs;
	long read_refs; /* references of handles with KEEL_RIGHT_READ (the rights callbacks) */
	int id;
};

struct env {
	struct prov prov;
	struct obj obj[NOBJ];
	uint64_t refs_taken, refs_dropped, underflows;
	uint32_t last_ref_rights, last_unref_rights; /* what the last callbacks were told */
	/* A callback to run inside unref (re-entrancy tests), once. */
	void (*on_unref)(struct env *e, struct obj *o);
	struct handle_table *table;
};

static void env_ref(void *ctx, void *obj, uint32_t type, uint32_t rights)
{
	struct env *e = ctx;
	struct obj *o = obj;

	(void)type;
	e->last_ref_rights = rights;
	if (rights & KEEL_RIGHT_READ)
		o->read_refs++;
	o->refs++;
	e->refs_taken++;
}

static void env_unref(void *ctx, void *obj, uint32_t type, uint32_t rights)
{
	struct env *e = ctx;
	struct obj *o = obj;

	(void)type;
	e->last_unref_rights = rights;
	if (rights & KEEL_RIGHT_READ) {
		if (o->read_refs <= 0)
			e->underflows++;
		o->read_refs--;
	}
	if (o->refs <= 0)
		e->underflows++;
	o->refs--;
	e->refs_dropped++;
	if (e->on_unref != NULL) {
		void (*fn)(struct env *, struct obj *) = e->on_unref;

		e->on_unref = NULL;
		fn(e, o);
	}
}

static void *env_alloc(void *ctx, size_t bytes)
{
	struct env *e = ctx;
	struct prov *p = &e->prov;
	void *mem;

	if (p->fail_after == 0 || p->nblocks == PROV_MAX_BLOCKS)
		return NULL;
	if (p->fail_after > 0)
		p->fail_after--;
	mem = malloc(bytes);
	if (mem == NULL)
		return NULL;
	memset(mem, 0xa5, bytes); /* garbage: the table must not rely on zeroed memory */
	p->block[p->nblocks].mem = mem;
	p->block[p->nblocks].bytes = bytes;
	p->nblocks++;
	p->allocs++;
	p->last_bytes = bytes;
	return mem;
}

static void env_free(void *ctx, void *mem, size_t bytes)
{
	struct prov *p = &((struct env *)ctx)->prov;

	for (size_t i = 0; i < p->nblocks; i++) {
		if (p->block[i].mem != mem)
			continue;
		if (p->block[i].bytes != bytes)
			break;
		free(mem);
		p->block[i] = p->block[--p->nblocks];
		p->frees++;
		return;
	}
	p->bad_frees++;
}

static const struct handle_table_ops env_ops = {env_ref, env_unref, env_alloc, env_free};

static struct env *env_new(void)
{
	struct env *e = calloc(1, sizeof(*e));

	e->prov.fail_after = -1;
	for (int i = 0; i < NOBJ; i++)
		e->obj[i].id = i;
	return e;
}

/*
 * Every reference balanced (each object's count equals `held[i]`, what the
 * test itself still holds, or 0 when held is NULL), no underflow, no block
 * left with the provider, no bad free. Frees e.
 */
static const char *env_finish(struct env *e, const long *held)
{
	const char *err = NULL;

	for (int i = 0; i < NOBJ && err == NULL; i++) {
		if (e->obj[i].refs != (held ? held[i] : 0))
			err = ktest_msg("object %d has %ld references left, expected %ld", i,
					e->obj[i].refs, held ? held[i] : 0);
		else if (e->obj[i].read_refs != 0)
			err = ktest_msg("object %d has %ld read-right references left", i,
					e->obj[i].read_refs);
	}
	if (err == NULL && e->underflows != 0)
		err = ktest_msg("%llu references dropped below zero",
				(unsigned long long)e->underflows);
	if (err == NULL && e->prov.nblocks != 0)
		err = ktest_msg("%zu storage blocks never given back", e->prov.nblocks);
	if (err == NULL && e->prov.bad_frees != 0)
		err = ktest_msg("%llu bad frees", (unsigned long long)e->prov.bad_frees);
	for (size_t i = 0; i < e->prov.nblocks; i++)
		free(e->prov.block[i].mem);
	free(e);
	return err;
}

#define CHECK(t) KT_EQ(handle_table_check(t), 0)

#define T_ENDPOINT 1
#define T_NOTIFY   2
#define T_VMO      3

/* ---- Tests ---- */

static const char *test_init_rejects(void)
{
	struct env *e = env_new();
	struct handle_table t;
	struct handle_table_ops partial = env_ops;
	void *obj = NULL;

	KT_EQ(handle_table_init(NULL, 16, &env_ops, e), -KEEL_EINVAL);
	KT_EQ(handle_table_init(&t, 16, NULL, e), -KEEL_EINVAL);
	KT_EQ(handle_table_init(&t, 0, &env_ops, e), -KEEL_EINVAL);
	KT_EQ(handle_table_init(&t, HANDLE_CAPACITY_LIMIT + 1, &env_ops, e), -KEEL_EINVAL);
	partial.free = NULL;
	KT_EQ(handle_table_init(&t, 16, &partial, e), -KEEL_EINVAL);

	/* A table that failed init refuses everything and holds nothing. */
	CHECK(&t);
	KT_EQ(handle_add(&t, &e->obj[0], T_VMO, KEEL_RIGHTS_ALL), -KEEL_EINVAL);
	KT_EQ(handle_get(&t, 1ull << HANDLE_INDEX_BITS, HANDLE_TYPE_ANY, 0, &obj), -KEEL_EBADH);
	KT_EQ(handle_close(&t, 1ull << HANDLE_INDEX_BITS), -KEEL_EBADH);
	KT_EQ(handle_dup(&t, 1ull << HANDLE_INDEX_BITS, 0), -KEEL_EBADH);
	KT_EQ(handle_reserve(&t, 1), -KEEL_EINVAL);
	KT_EQ(handle_count(&t), 0);
	KT_EQ(handle_count(NULL), 0);
	KT_EQ(handle_add(NULL, &e->obj[0], T_VMO, 0), -KEEL_EINVAL);
	KT_EQ(handle_close(NULL, 1ull << HANDLE_INDEX_BITS), -KEEL_EBADH);
	handle_table_destroy(&t);
	handle_table_destroy(NULL);

	/* Good arguments, and no memory taken before the first handle. */
	KT_EQ(handle_table_init(&t, HANDLE_CAPACITY_LIMIT, &env_ops, e), 0);
	KT_EQ(e->prov.allocs, 0);
	CHECK(&t);
	handle_table_destroy(&t);
	KT_EQ(e->prov.allocs, 0);
	return env_finish(e, NULL);
}

static const char *test_add_get(void)
{
	struct env *e = env_new();
	struct handle_table t;
	struct handle_entry ent;
	int64_t h[8];
	void *obj;

	KT_EQ(handle_table_init(&t, 64, &env_ops, e), 0);
	for (int i = 0; i < 8; i++) {
		h[i] = handle_add(&t, &e->obj[i], T_ENDPOINT + (uint32_t)i % 3,
				  KEEL_RIGHT_READ << (i % 8));
		KT_ASSERT(h[i] > 0);
		/* Never 0 (KEEL_HANDLE_SELF), never a small integer. */
		KT_ASSERT((uint64_t)h[i] >= (1ull << HANDLE_INDEX_BITS));
		for (int j = 0; j < i; j++)
			KT_ASSERT(h[i] != h[j]);
		KT_EQ(e->obj[i].refs, 1);
	}
	KT_EQ(handle_count(&t), 8);
	CHECK(&t);
	for (int i = 0; i < 8; i++) {
		obj = NULL;
		KT_EQ(handle_get(&t, (uint64_t)h[i], T_ENDPOINT + (uint32_t)i % 3,
				 KEEL_RIGHT_READ << (i % 8), &obj),
		      0);
		KT_ASSERT(obj == &e->obj[i]);
		obj = NULL;
		KT_EQ(handle_get(&t, (uint64_t)h[i], HANDLE_TYPE_ANY, 0, &obj), 0);
		KT_ASSERT(obj == &e->obj[i]);
		KT_EQ(handle_lookup(&t, (uint64_t)h[i], &ent), 0);
		KT_ASSERT(ent.obj == &e->obj[i]);
		KT_EQ(ent.type, T_ENDPOINT + (uint32_t)i % 3);
		KT_EQ(ent.rights, KEEL_RIGHT_READ << (i % 8));
	}
	/* Lookups take no references. */
	for (int i = 0; i < 8; i++)
		KT_EQ(e->obj[i].refs, 1);

	/* Bad arguments to add. */
	KT_EQ(handle_add(&t, NULL, T_VMO, 0), -KEEL_EINVAL);
	KT_EQ(handle_add(&t, &e->obj[9], HANDLE_TYPE_ANY, 0), -KEEL_EINVAL);
	KT_EQ(handle_add(&t, &e->obj[9], HANDLE_TYPE_MAX + 1, 0), -KEEL_EINVAL);
	KT_EQ(handle_add(&t, &e->obj[9], T_VMO, KEEL_RIGHTS_ALL + 1), -KEEL_EINVAL);
	KT_EQ(handle_add(&t, &e->obj[9], HANDLE_TYPE_MAX, KEEL_RIGHTS_ALL) > 0, 1);
	KT_EQ(e->obj[9].refs, 1);
	KT_EQ(handle_count(&t), 9);
	CHECK(&t);
	handle_table_destroy(&t);
	return env_finish(e, NULL);
}

/* Every error class, and their order: bad handle, then type, then rights. */
static const char *test_error_classes(void)
{
	struct env *e = env_new();
	struct handle_table t;
	struct handle_entry ent;
	int64_t h, hr;
	uint64_t idx, gen;
	void *obj = &e->obj[63];

	KT_EQ(handle_table_init(&t, 64, &env_ops, e), 0);
	h = handle_add(&t, &e->obj[0], T_VMO, KEEL_RIGHT_READ | KEEL_RIGHT_MAP);
	KT_ASSERT(h > 0);
	idx = (uint64_t)h & HANDLE_INDEX_MASK;
	gen = (uint64_t)h >> HANDLE_INDEX_BITS;

	/* Values that name no open handle. */
	const uint64_t bad[] = {
	    0,
	    KEEL_HANDLE_SELF,
	    1,
	    idx,
	    (uint64_t)h + 1,                                 /* a free slot's index */
	    (gen + 1) << HANDLE_INDEX_BITS | idx,            /* a future generation */
	    (gen - 1) << HANDLE_INDEX_BITS | idx,            /* generation 0 */
	    1ull << 63 | (uint64_t)h,                        /* bit 63 */
	    (HANDLE_GEN_MAX + 1) << HANDLE_INDEX_BITS | idx, /* beyond the generations */
	    gen << HANDLE_INDEX_BITS | HANDLE_INDEX_MASK,    /* an index beyond capacity */
	    ~0ull,
	    KEEL_MSG_NO_HANDLE,
	    (uint64_t)-h,
	};
	for (size_t i = 0; i < KTEST_COUNT(bad); i++) {
		KT_EQ(handle_get(&t, bad[i], HANDLE_TYPE_ANY, 0, &obj), -KEEL_EBADH);
		/* Even with a wrong type and missing rights, a bad handle is EBADH. */
		KT_EQ(handle_get(&t, bad[i], T_ENDPOINT, KEEL_RIGHTS_ALL, &obj), -KEEL_EBADH);
		KT_EQ(handle_lookup(&t, bad[i], &ent), -KEEL_EBADH);
		KT_EQ(handle_dup(&t, bad[i], KEEL_RIGHTS_ALL + 1), -KEEL_EBADH);
		KT_EQ(handle_close(&t, bad[i]), -KEEL_EBADH);
		KT_EQ(handle_take(&t, bad[i], KEEL_RIGHTS_ALL, &ent), -KEEL_EBADH);
	}
	KT_ASSERT(obj == &e->obj[63]); /* untouched by refused calls */

	/* Wrong type: ETYPE, even when rights are missing too. */
	KT_EQ(handle_get(&t, (uint64_t)h, T_ENDPOINT, 0, &obj), -KEEL_ETYPE);
	KT_EQ(handle_get(&t, (uint64_t)h, T_ENDPOINT, KEEL_RIGHT_WRITE, &obj), -KEEL_ETYPE);
	KT_EQ(handle_get(&t, (uint64_t)h, HANDLE_TYPE_MAX, 0, &obj), -KEEL_ETYPE);
	KT_EQ(handle_get(&t, (uint64_t)h, 0x10000 + T_VMO, 0, &obj), -KEEL_ETYPE);

	/* Missing right: EPERM, for any right or set of rights it lacks. */
	KT_EQ(handle_get(&t, (uint64_t)h, T_VMO, KEEL_RIGHT_WRITE, &obj), -KEEL_EPERM);
	KT_EQ(handle_get(&t, (uint64_t)h, T_VMO, KEEL_RIGHT_READ | KEEL_RIGHT_WRITE, &obj),
	      -KEEL_EPERM);
	KT_EQ(handle_get(&t, (uint64_t)h, HANDLE_TYPE_ANY, KEEL_RIGHT_MANAGE, &obj), -KEEL_EPERM);
	KT_EQ(handle_get(&t, (uint64_t)h, T_VMO, 1u << 20, &obj), -KEEL_EPERM);
	KT_ASSERT(obj == &e->obj[63]);
	KT_EQ(handle_get(&t, (uint64_t)h, T_VMO, KEEL_RIGHT_READ | KEEL_RIGHT_MAP, &obj), 0);
	KT_ASSERT(obj == &e->obj[0]);

	/* dup: EBADH, then EINVAL (undefined rights), then EPERM. */
	KT_EQ(handle_dup(&t, (uint64_t)h, KEEL_RIGHT_READ), -KEEL_EPERM); /* no DUPLICATE */
	KT_EQ(handle_dup(&t, (uint64_t)h, KEEL_RIGHTS_ALL + 1), -KEEL_EINVAL);
	/* take: EBADH, then EPERM without TRANSFER. */
	KT_EQ(handle_take(&t, (uint64_t)h, 0, &ent), -KEEL_EPERM);
	KT_EQ(handle_take(&t, (uint64_t)h, 0, NULL), -KEEL_EINVAL);
	hr = handle_add(&t, &e->obj[1], T_VMO, KEEL_RIGHT_TRANSFER);
	KT_ASSERT(hr > 0);
	KT_EQ(handle_take(&t, (uint64_t)hr, KEEL_RIGHT_READ, &ent), -KEEL_EPERM);

	/* Nothing refused changed anything. */
	KT_EQ(handle_count(&t), 2);
	KT_EQ(e->obj[0].refs, 1);
	KT_EQ(e->obj[1].refs, 1);
	KT_EQ(e->refs_dropped, 0);
	CHECK(&t);
	handle_table_destroy(&t);
	return env_finish(e, NULL);
}

/* A closed handle stays dead even when its slot names a new object. */
static const char *test_stale(void)
{
	struct env *e = env_new();
	struct handle_table t;
	struct handle_entry ent;
	int64_t h1, h2, h3;
	void *obj = NULL;

	/* One slot: every add reuses it. */
	KT_EQ(handle_table_init(&t, 1, &env_ops, e), 0);
	h1 = handle_add(&t, &e->obj[0], T_VMO, KEEL_RIGHTS_ALL);
	KT_ASSERT(h1 > 0);
	KT_EQ(handle_close(&t, (uint64_t)h1), 0);
	KT_EQ(e->obj[0].refs, 0);
	KT_EQ(handle_close(&t, (uint64_t)h1), -KEEL_EBADH); /* double close */
	h2 = handle_add(&t, &e->obj[1], T_VMO, KEEL_RIGHTS_ALL);
	KT_ASSERT(h2 > 0);
	KT_EQ((uint64_t)h1 & HANDLE_INDEX_MASK, (uint64_t)h2 & HANDLE_INDEX_MASK);
	KT_ASSERT(h1 != h2);

	KT_EQ(handle_get(&t, (uint64_t)h1, HANDLE_TYPE_ANY, 0, &obj), -KEEL_EBADH);
	KT_ASSERT(obj == NULL);
	KT_EQ(handle_dup(&t, (uint64_t)h1, 0), -KEEL_EBADH);
	KT_EQ(handle_take(&t, (uint64_t)h1, 0, &ent), -KEEL_EBADH);
	KT_EQ(handle_close(&t, (uint64_t)h1), -KEEL_EBADH);
	KT_EQ(handle_get(&t, (uint64_t)h2, HANDLE_TYPE_ANY, 0, &obj), 0);
	KT_ASSERT(obj == &e->obj[1]);
	KT_EQ(e->obj[1].refs, 1);

	/* A taken handle is as dead as a closed one. */
	KT_EQ(handle_take(&t, (uint64_t)h2, 0, &ent), 0);
	KT_ASSERT(ent.obj == &e->obj[1]);
	KT_EQ(e->obj[1].refs, 1); /* the reference went to us */
	h3 = handle_add(&t, &e->obj[2], T_VMO, 0);
	KT_ASSERT(h3 > 0 && h3 != h1 && h3 != h2);
	KT_EQ(handle_get(&t, (uint64_t)h2, HANDLE_TYPE_ANY, 0, &obj), -KEEL_EBADH);
	env_unref(e, ent.obj, ent.type, ent.rights);
	CHECK(&t);
	handle_table_destroy(&t);
	return env_finish(e, NULL);
}

/* Free slots are reused oldest first; the generation moves on each time. */
static const char *test_fifo_reuse(void)
{
	struct env *e = env_new();
	struct handle_table t;
	int64_t h[16], x;
	uint64_t seen[64];
	int nseen = 0;

	KT_EQ(handle_table_init(&t, 16, &env_ops, e), 0);
	for (int i = 0; i < 16; i++) {
		h[i] = handle_add(&t, &e->obj[i], T_VMO, 0);
		KT_EQ((uint64_t)h[i] & HANDLE_INDEX_MASK, (uint64_t)i);
	}
	/* Close 3, 7, 1 (in that order): the next adds fill 3, 7, 1. */
	KT_EQ(handle_close(&t, (uint64_t)h[3]), 0);
	KT_EQ(handle_close(&t, (uint64_t)h[7]), 0);
	KT_EQ(handle_close(&t, (uint64_t)h[1]), 0);
	const uint64_t order[] = {3, 7, 1};
	for (int i = 0; i < 3; i++) {
		x = handle_add(&t, &e->obj[20 + i], T_VMO, 0);
		KT_EQ((uint64_t)x & HANDLE_INDEX_MASK, order[i]);
		KT_EQ((uint64_t)x >> HANDLE_INDEX_BITS, 2);
	}
	handle_table_destroy(&t);

	/* Close then add, repeatedly, with other slots free: no value comes back. */
	KT_EQ(handle_table_init(&t, 16, &env_ops, e), 0);
	x = handle_add(&t, &e->obj[0], T_VMO, 0);
	for (int i = 0; i < 64; i++) {
		for (int j = 0; j < nseen; j++)
			KT_ASSERT(seen[j] != (uint64_t)x);
		seen[nseen++] = (uint64_t)x;
		KT_EQ(handle_close(&t, (uint64_t)x), 0);
		x = handle_add(&t, &e->obj[0], T_VMO, 0);
		KT_ASSERT(x > 0);
		/* Not the slot just closed while 15 others are free. */
		KT_ASSERT(((uint64_t)x & HANDLE_INDEX_MASK) !=
			  (seen[nseen - 1] & HANDLE_INDEX_MASK));
	}
	CHECK(&t);
	handle_table_destroy(&t);
	return env_finish(e, NULL);
}

/* The array doubles from 16 up to capacity_max; handles survive every move. */
static const char *test_growth(void)
{
	struct env *e = env_new();
	struct handle_table t;
	struct handle_stats st;
	static int64_t h[100];
	const uint32_t caps[] = {16, 32, 64, 100};
	int c = 0;
	void *obj;

	KT_EQ(handle_table_init(&t, 100, &env_ops, e), 0);
	for (int i = 0; i < 100; i++) {
		h[i] = handle_add(&t, &e->obj[i % NOBJ], T_NOTIFY, KEEL_RIGHT_SIGNAL);
		KT_ASSERT(h[i] > 0);
		handle_table_stats(&t, &st);
		if (st.capacity != caps[c]) {
			c++;
			KT_ASSERT(c < 4);
			KT_EQ(st.capacity, caps[c]);
			KT_EQ(i, caps[c - 1]); /* grew exactly when full */
		}
		KT_EQ(st.grows, (uint64_t)c + 1);
		KT_EQ(e->prov.nblocks, 1); /* the old array went back */
		KT_EQ(e->prov.last_bytes, caps[c] * sizeof(struct handle_slot));
		CHECK(&t);
	}
	KT_EQ(c, 3);
	for (int i = 0; i < 100; i++) {
		KT_EQ(handle_get(&t, (uint64_t)h[i], T_NOTIFY, KEEL_RIGHT_SIGNAL, &obj), 0);
		KT_ASSERT(obj == &e->obj[i % NOBJ]);
	}
	/* Full: no slot, no reference taken, nothing changed. */
	KT_EQ(handle_add(&t, &e->obj[0], T_NOTIFY, 0), -KEEL_ENOMEM);
	handle_table_stats(&t, &st);
	KT_EQ(st.open, 100);
	KT_EQ(st.capacity, 100);
	KT_EQ(st.free, 0);
	KT_EQ(e->refs_taken, 100);
	handle_table_destroy(&t);
	KT_EQ(e->refs_dropped, 100);

	/* capacity_max below the first size: one array of exactly capacity_max. */
	KT_EQ(handle_table_init(&t, 5, &env_ops, e), 0);
	for (int i = 0; i < 5; i++)
		KT_ASSERT(handle_add(&t, &e->obj[i], T_VMO, 0) > 0);
	KT_EQ(e->prov.last_bytes, 5 * sizeof(struct handle_slot));
	KT_EQ(handle_add(&t, &e->obj[5], T_VMO, 0), -KEEL_ENOMEM);
	handle_table_destroy(&t);
	return env_finish(e, NULL);
}

/* capacity_max reached: add and dup fail with ENOMEM; a close makes room again. */
static const char *test_capacity_limit(void)
{
	struct env *e = env_new();
	struct handle_table t;
	int64_t h[32], d;
	struct handle_entry ent;

	KT_EQ(handle_table_init(&t, 32, &env_ops, e), 0);
	for (int i = 0; i < 32; i++)
		h[i] = handle_add(&t, &e->obj[0], T_VMO, KEEL_RIGHTS_ALL);
	KT_EQ(e->obj[0].refs, 32);
	KT_EQ(handle_add(&t, &e->obj[1], T_VMO, 0), -KEEL_ENOMEM);
	KT_EQ(handle_dup(&t, (uint64_t)h[0], KEEL_RIGHT_READ), -KEEL_ENOMEM);
	KT_EQ(handle_reserve(&t, 1), -KEEL_ENOMEM);
	KT_EQ(handle_reserve(&t, 0), 0);
	KT_EQ(e->obj[1].refs, 0);
	KT_EQ(e->obj[0].refs, 32);
	KT_EQ(handle_count(&t), 32);
	/* Checks come before room: a bad handle is still EBADH. */
	KT_EQ(handle_dup(&t, 5, 0), -KEEL_EBADH);
	CHECK(&t);

	KT_EQ(handle_take(&t, (uint64_t)h[4], 0, &ent), 0);
	d = handle_dup(&t, (uint64_t)h[0], KEEL_RIGHT_READ);
	KT_ASSERT(d > 0);
	KT_EQ(handle_add(&t, &e->obj[1], T_VMO, 0), -KEEL_ENOMEM);
	KT_EQ(handle_close(&t, (uint64_t)d), 0);
	KT_ASSERT(handle_add(&t, &e->obj[1], T_VMO, 0) > 0);
	KT_EQ(e->obj[1].refs, 1);
	env_unref(e, ent.obj, ent.type, ent.rights);
	CHECK(&t);
	handle_table_destroy(&t);
	return env_finish(e, NULL);
}

/* The provider refuses memory: ENOMEM, nothing changed, fine once it gives again. */
static const char *test_alloc_failure(void)
{
	struct env *e = env_new();
	struct handle_table t;
	struct handle_stats st;
	int64_t h[16];
	void *obj;

	KT_EQ(handle_table_init(&t, 1024, &env_ops, e), 0);
	e->prov.fail_after = 0;
	KT_EQ(handle_add(&t, &e->obj[0], T_VMO, 0), -KEEL_ENOMEM);
	KT_EQ(e->obj[0].refs, 0);
	CHECK(&t);
	e->prov.fail_after = 1;
	for (int i = 0; i < 16; i++)
		h[i] = handle_add(&t, &e->obj[i], T_VMO, KEEL_RIGHT_DUPLICATE);
	KT_EQ(handle_add(&t, &e->obj[16], T_VMO, 0), -KEEL_ENOMEM);
	KT_EQ(handle_dup(&t, (uint64_t)h[3], 0), -KEEL_ENOMEM);
	KT_EQ(handle_reserve(&t, 1), -KEEL_ENOMEM);
	handle_table_stats(&t, &st);
	KT_EQ(st.grow_failures, 4);
	KT_EQ(st.capacity, 16);
	KT_EQ(st.open, 16);
	KT_EQ(e->obj[16].refs, 0);
	KT_EQ(e->obj[3].refs, 1);
	for (int i = 0; i < 16; i++) {
		KT_EQ(handle_get(&t, (uint64_t)h[i], T_VMO, 0, &obj), 0);
		KT_ASSERT(obj == &e->obj[i]);
	}
	CHECK(&t);

	/* Reserve: grows now, so the adds that follow need no memory. */
	e->prov.fail_after = -1;
	KT_EQ(handle_reserve(&t, 40), 0);
	handle_table_stats(&t, &st);
	KT_EQ(st.capacity, 64);
	KT_ASSERT(st.free >= 40);
	e->prov.fail_after = 0;
	for (int i = 0; i < 40; i++)
		KT_ASSERT(handle_add(&t, &e->obj[i % NOBJ], T_VMO, 0) > 0);
	/* More than capacity_max could ever hold: refused without growing. */
	KT_EQ(handle_reserve(&t, 2000), -KEEL_ENOMEM);
	e->prov.fail_after = -1;
	KT_EQ(handle_reserve(&t, 1024 - 56 + 1), -KEEL_ENOMEM);
	handle_table_stats(&t, &st);
	KT_EQ(st.capacity, 64);
	KT_EQ(handle_reserve(&t, 1024 - 56), 0);
	handle_table_stats(&t, &st);
	KT_EQ(st.capacity, 1024);
	KT_EQ(st.free, 1024 - 56);
	CHECK(&t);
	handle_table_destroy(&t);
	return env_finish(e, NULL);
}

/* dup: only a subset of the handle's rights, and only with KEEL_RIGHT_DUPLICATE. */
static const char *test_dup_rights(void)
{
	struct env *e = env_new();
	struct handle_table t;
	struct handle_entry ent;
	const uint32_t r = KEEL_RIGHT_READ | KEEL_RIGHT_MAP | KEEL_RIGHT_DUPLICATE;
	int64_t h, d, d2, nodup;

	KT_EQ(handle_table_init(&t, 64, &env_ops, e), 0);
	h = handle_add(&t, &e->obj[0], T_VMO, r);
	nodup = handle_add(&t, &e->obj[1], T_VMO, KEEL_RIGHTS_ALL & ~KEEL_RIGHT_DUPLICATE);

	/* Every right the handle lacks, alone or added to a valid subset: EPERM. */
	for (uint32_t bit = 1; bit <= KEEL_RIGHT_MANAGE; bit <<= 1) {
		if (r & bit)
			continue;
		KT_EQ(handle_dup(&t, (uint64_t)h, bit), -KEEL_EPERM);
		KT_EQ(handle_dup(&t, (uint64_t)h, KEEL_RIGHT_READ | bit), -KEEL_EPERM);
	}
	KT_EQ(handle_dup(&t, (uint64_t)h, KEEL_RIGHTS_ALL), -KEEL_EPERM);
	KT_EQ(handle_dup(&t, (uint64_t)h, 1u << 8), -KEEL_EINVAL);
	KT_EQ(handle_dup(&t, (uint64_t)h, 0xffffffffu), -KEEL_EINVAL);
	KT_EQ(handle_dup(&t, (uint64_t)h, 1ull << 32 | KEEL_RIGHT_READ), -KEEL_EINVAL);
	KT_EQ(handle_dup(&t, (uint64_t)h, ~0ull), -KEEL_EINVAL);
	/* No DUPLICATE: even the empty subset is refused. */
	KT_EQ(handle_dup(&t, (uint64_t)nodup, 0), -KEEL_EPERM);
	KT_EQ(handle_dup(&t, (uint64_t)nodup, KEEL_RIGHT_READ), -KEEL_EPERM);
	KT_EQ(e->obj[0].refs, 1);
	KT_EQ(e->obj[1].refs, 1);
	KT_EQ(handle_count(&t), 2);

	/* Every subset works and gives exactly those rights. */
	for (uint32_t sub = 0; sub <= KEEL_RIGHTS_ALL; sub++) {
		if ((sub & ~r) != 0)
			continue;
		d = handle_dup(&t, (uint64_t)h, sub);
		KT_ASSERT(d > 0 && d != h);
		KT_EQ(handle_lookup(&t, (uint64_t)d, &ent), 0);
		KT_ASSERT(ent.obj == &e->obj[0]);
		KT_EQ(ent.type, T_VMO);
		KT_EQ(ent.rights, sub);
		KT_EQ(e->obj[0].refs, 2);
		KT_EQ(handle_close(&t, (uint64_t)d), 0);
		KT_EQ(e->obj[0].refs, 1);
	}

	/* A dup without DUPLICATE cannot be duplicated further; one with it can, narrower. */
	d = handle_dup(&t, (uint64_t)h, KEEL_RIGHT_READ);
	KT_EQ(handle_dup(&t, (uint64_t)d, KEEL_RIGHT_READ), -KEEL_EPERM);
	d = handle_dup(&t, (uint64_t)h, KEEL_RIGHT_READ | KEEL_RIGHT_DUPLICATE);
	d2 = handle_dup(&t, (uint64_t)d, KEEL_RIGHT_READ);
	KT_ASSERT(d2 > 0);
	KT_EQ(handle_dup(&t, (uint64_t)d, KEEL_RIGHT_MAP), -KEEL_EPERM);
	KT_EQ(e->obj[0].refs, 4);
	/* Closing the original leaves the copies working. */
	KT_EQ(handle_close(&t, (uint64_t)h), 0);
	KT_EQ(handle_get(&t, (uint64_t)d2, T_VMO, KEEL_RIGHT_READ, NULL), 0);
	KT_EQ(e->obj[0].refs, 3);
	CHECK(&t);
	handle_table_destroy(&t);
	return env_finish(e, NULL);
}

/* take hands the reference to the caller; moved into another table, it is counted once. */
static const char *test_take_transfer(void)
{
	struct env *e = env_new();
	struct handle_table a, b;
	struct handle_entry ent;
	int64_t h, hb;
	void *obj;

	KT_EQ(handle_table_init(&a, 16, &env_ops, e), 0);
	KT_EQ(handle_table_init(&b, 16, &env_ops, e), 0);
	h = handle_add(&a, &e->obj[0], T_ENDPOINT,
		       KEEL_RIGHT_TRANSFER | KEEL_RIGHT_READ | KEEL_RIGHT_WRITE);
	KT_EQ(handle_take(&a, (uint64_t)h, KEEL_RIGHT_MANAGE, &ent), -KEEL_EPERM);
	KT_EQ(handle_take(&a, (uint64_t)h, KEEL_RIGHT_WRITE, &ent), 0);
	KT_ASSERT(ent.obj == &e->obj[0]);
	KT_EQ(ent.type, T_ENDPOINT);
	KT_EQ(ent.rights, KEEL_RIGHT_TRANSFER | KEEL_RIGHT_READ | KEEL_RIGHT_WRITE);
	KT_EQ(handle_count(&a), 0);
	KT_EQ(e->refs_dropped, 0);
	KT_EQ(e->obj[0].refs, 1);
	KT_EQ(handle_get(&a, (uint64_t)h, HANDLE_TYPE_ANY, 0, &obj), -KEEL_EBADH);

	/* The receiver's table takes its own reference; the mover drops the one it held. */
	hb = handle_add(&b, ent.obj, ent.type, ent.rights);
	KT_ASSERT(hb > 0);
	env_unref(e, ent.obj, ent.type, ent.rights);
	KT_EQ(e->obj[0].refs, 1);
	KT_EQ(handle_get(&b, (uint64_t)hb, T_ENDPOINT, KEEL_RIGHT_WRITE, &obj), 0);
	KT_ASSERT(obj == &e->obj[0]);
	/* Closing the last handle drops the last reference. */
	KT_EQ(handle_close(&b, (uint64_t)hb), 0);
	KT_EQ(e->obj[0].refs, 0);
	KT_EQ(e->refs_taken, e->refs_dropped);
	CHECK(&a);
	CHECK(&b);
	handle_table_destroy(&a);
	handle_table_destroy(&b);
	return env_finish(e, NULL);
}

/*
 * ref and unref are told each handle's own rights: add, dup (the subset),
 * close and destroy; take moves the rights to the caller with no callback.
 */
static const char *test_rights_callbacks(void)
{
	struct env *e = env_new();
	struct handle_table t;
	struct handle_entry ent;
	const uint32_t rw =
	    KEEL_RIGHT_READ | KEEL_RIGHT_WRITE | KEEL_RIGHT_DUPLICATE | KEEL_RIGHT_TRANSFER;
	int64_t h, d, w;

	KT_EQ(handle_table_init(&t, 16, &env_ops, e), 0);
	h = handle_add(&t, &e->obj[0], T_ENDPOINT, rw);
	KT_ASSERT(h > 0);
	KT_EQ(e->last_ref_rights, rw);
	d = handle_dup(&t, (uint64_t)h, KEEL_RIGHT_READ);
	KT_ASSERT(d > 0);
	KT_EQ(e->last_ref_rights, KEEL_RIGHT_READ);
	w = handle_dup(&t, (uint64_t)h, KEEL_RIGHT_WRITE | KEEL_RIGHT_TRANSFER);
	KT_ASSERT(w > 0);
	KT_EQ(e->last_ref_rights, KEEL_RIGHT_WRITE | KEEL_RIGHT_TRANSFER);
	KT_EQ(e->obj[0].read_refs, 2);
	/* A refused dup tells nothing. */
	KT_EQ(handle_dup(&t, (uint64_t)d, KEEL_RIGHT_READ), -KEEL_EPERM);
	KT_EQ(e->last_ref_rights, KEEL_RIGHT_WRITE | KEEL_RIGHT_TRANSFER);
	KT_EQ(handle_close(&t, (uint64_t)d), 0);
	KT_EQ(e->last_unref_rights, KEEL_RIGHT_READ);
	KT_EQ(e->obj[0].read_refs, 1);
	e->last_unref_rights = 0xdead;
	KT_EQ(handle_take(&t, (uint64_t)w, 0, &ent), 0);
	KT_EQ(e->last_unref_rights, 0xdead);
	KT_EQ(ent.rights, KEEL_RIGHT_WRITE | KEEL_RIGHT_TRANSFER);
	env_unref(e, ent.obj, ent.type, ent.rights);
	handle_table_destroy(&t);
	KT_EQ(e->last_unref_rights, rw);
	KT_EQ(e->obj[0].read_refs, 0);
	return env_finish(e, NULL);
}

/* destroy drops every reference exactly once, whatever the slots held. */
static const char *test_destroy(void)
{
	struct env *e = env_new();
	struct handle_table t;
	int64_t h;
	long held[NOBJ] = {0};

	KT_EQ(handle_table_init(&t, 4096, &env_ops, e), 0);
	for (int i = 0; i < 1000; i++) {
		h = handle_add(&t, &e->obj[i % NOBJ], T_VMO, KEEL_RIGHT_DUPLICATE);
		KT_ASSERT(h > 0);
		if (i % 3 == 0)
			KT_EQ(handle_close(&t, (uint64_t)h), 0);
		else if (i % 5 == 0)
			KT_ASSERT(handle_dup(&t, (uint64_t)h, 0) > 0);
	}
	/* The test holds a reference of its own on object 7. */
	env_ref(e, &e->obj[7], T_VMO, 0);
	held[7] = 1;
	handle_table_destroy(&t);
	KT_EQ(e->refs_taken, e->refs_dropped + 1);
	/* Everything on a destroyed table fails. */
	CHECK(&t);
	KT_EQ(handle_count(&t), 0);
	KT_EQ(handle_add(&t, &e->obj[0], T_VMO, 0), -KEEL_EINVAL);
	KT_EQ(handle_close(&t, (uint64_t)h), -KEEL_EBADH);
	handle_table_destroy(&t);
	KT_EQ(e->refs_taken, e->refs_dropped + 1);
	return env_finish(e, held);
}

/* unref may call back into the table: it finds it consistent. */
static struct handle_table *reenter_table;
static int64_t reenter_other;
static int reenter_result[4];

static void reenter_close(struct env *e, struct obj *o)
{
	(void)e;
	(void)o;
	reenter_result[0] = handle_table_check(reenter_table);
	reenter_result[1] = (int)handle_count(reenter_table);
	reenter_result[2] = handle_close(reenter_table, (uint64_t)reenter_other);
	reenter_result[3] = (int)handle_add(reenter_table, &e->obj[9], T_VMO, 0);
}

static const char *test_reentrant_unref(void)
{
	struct env *e = env_new();
	struct handle_table t;
	int64_t h;

	KT_EQ(handle_table_init(&t, 16, &env_ops, e), 0);
	reenter_table = &t;
	h = handle_add(&t, &e->obj[0], T_VMO, 0);
	reenter_other = handle_add(&t, &e->obj[1], T_VMO, 0);
	e->on_unref = reenter_close;
	KT_EQ(handle_close(&t, (uint64_t)h), 0);
	KT_EQ(reenter_result[0], 0);
	KT_EQ(reenter_result[1], 1); /* h already gone */
	KT_EQ(reenter_result[2], 0);
	KT_ASSERT(reenter_result[3] > 0);
	KT_EQ(handle_count(&t), 1);
	CHECK(&t);

	/* During destroy the table is already empty and unusable. */
	reenter_other = handle_add(&t, &e->obj[2], T_VMO, 0);
	e->on_unref = reenter_close;
	handle_table_destroy(&t);
	KT_EQ(reenter_result[0], 0);
	KT_EQ(reenter_result[1], 0);
	KT_EQ(reenter_result[2], -KEEL_EBADH);
	KT_EQ(reenter_result[3], -KEEL_EINVAL);
	return env_finish(e, NULL);
}

/* A slot whose generations run out is retired, never wrapped. */
static const char *test_generation_retire(void)
{
	struct env *e = env_new();
	struct handle_table t;
	struct handle_stats st;
	int64_t h, last;

	KT_EQ(handle_table_init(&t, 2, &env_ops, e), 0);
	h = handle_add(&t, &e->obj[0], T_VMO, 0);
	KT_EQ(handle_close(&t, (uint64_t)h), 0);
	/* White box: fast-forward slot 0 to its last generation (it is free, at the list's head).
	 */
	KT_EQ(t.free_head, 1);
	t.slots[0].gen = HANDLE_GEN_MAX;
	h = handle_add(&t, &e->obj[0], T_VMO, 0); /* slot 1 */
	KT_EQ((uint64_t)h & HANDLE_INDEX_MASK, 1);
	last = handle_add(&t, &e->obj[1], T_VMO, 0); /* slot 0, last generation */
	KT_EQ((uint64_t)last, HANDLE_GEN_MAX << HANDLE_INDEX_BITS);
	KT_ASSERT(last > 0); /* positive as an int64_t */
	KT_EQ(handle_get(&t, (uint64_t)last, T_VMO, 0, NULL), 0);
	KT_EQ(handle_close(&t, (uint64_t)last), 0);
	handle_table_stats(&t, &st);
	KT_EQ(st.retired, 1);
	KT_EQ(st.free, 0);
	CHECK(&t);
	/* Slot 0 is gone for good: the table now holds one handle at most. */
	KT_EQ(handle_get(&t, (uint64_t)last, T_VMO, 0, NULL), -KEEL_EBADH);
	KT_EQ(handle_get(&t, 0, T_VMO, 0, NULL), -KEEL_EBADH);
	KT_EQ(handle_add(&t, &e->obj[2], T_VMO, 0), -KEEL_ENOMEM);
	KT_EQ(handle_reserve(&t, 1), -KEEL_ENOMEM);
	KT_EQ(handle_close(&t, (uint64_t)h), 0);
	h = handle_add(&t, &e->obj[2], T_VMO, 0);
	KT_EQ((uint64_t)h & HANDLE_INDEX_MASK, 1);
	KT_EQ(e->obj[1].refs, 0);
	CHECK(&t);
	handle_table_destroy(&t);
	return env_finish(e, NULL);
}

/* ---- Random operations against a model ---- */

#define MODEL_TABLES 2
#define MODEL_CAP    200 /* not a power of two: the last growth is partial */
#define MODEL_STALE  256
#define MODEL_STEPS  200000
#define SEEN_BITS    20

struct mhandle {
	uint64_t value;
	int obj;
	uint32_t type, rights;
};

struct model {
	struct handle_table t;
	struct mhandle open[MODEL_CAP];
	int nopen;
	uint64_t stale[MODEL_STALE]; /* recently closed or taken values */
	int nstale;
};

/* Every handle value any table ever returned, to catch a reuse. */
static uint64_t *seen;

static int seen_insert(uint64_t table, uint64_t v)
{
	uint64_t key = v * 2 + table + 1;
	size_t i = (size_t)((key * 0x9e3779b97f4a7c15ull) >> (64 - SEEN_BITS));

	while (seen[i] != 0) {
		if (seen[i] == key)
			return 0;
		i = (i + 1) & ((1u << SEEN_BITS) - 1);
	}
	seen[i] = key;
	return 1;
}

static void model_forget(struct model *m, int i)
{
	m->stale[m->nstale++ % MODEL_STALE] = m->open[i].value;
	m->open[i] = m->open[--m->nopen];
}

static uint32_t random_rights(void)
{
	switch (ktest_rng_below(4)) {
	case 0: return 0;
	case 1: return KEEL_RIGHTS_ALL;
	case 2: return (uint32_t)ktest_rng() & KEEL_RIGHTS_ALL;
	default: return 1u << ktest_rng_below(9); /* 1 << 8 is undefined */
	}
}

/* A value to try: open, stale or garbage. Sets *which to the open index or -1. */
static uint64_t random_value(const struct model *m, int *which)
{
	uint64_t r = ktest_rng_below(10);

	*which = -1;
	if (r < 6 && m->nopen > 0) {
		*which = (int)ktest_rng_below((uint64_t)m->nopen);
		return m->open[*which].value;
	}
	if (r < 8 && m->nstale > 0)
		return m->stale[ktest_rng_below(m->nstale < MODEL_STALE ? (uint64_t)m->nstale
									: MODEL_STALE)];
	switch (ktest_rng_below(4)) {
	case 0: return ktest_rng_below(1u << HANDLE_INDEX_BITS);
	case 1: return ktest_rng();
	case 2: return ktest_rng_below(8) << HANDLE_INDEX_BITS | ktest_rng_below(MODEL_CAP + 8);
	default: return 0;
	}
}

/* A stale or garbage value must not name an open handle by accident. */
static int model_names(const struct model *m, uint64_t v)
{
	for (int i = 0; i < m->nopen; i++) {
		if (m->open[i].value == v)
			return i;
	}
	return -1;
}

static const char *test_random_model(void)
{
	struct env *e = env_new();
	struct model *mod = calloc(MODEL_TABLES, sizeof(*mod));
	long held[NOBJ] = {0};
	long expect_refs[NOBJ] = {0};
	uint64_t counts[8] = {0};
	const char *err = NULL;

	seen = calloc(1u << SEEN_BITS, sizeof(*seen));
	ktest_rng_state = 0x5eed0005u;
	for (int k = 0; k < MODEL_TABLES; k++)
		KT_EQ(handle_table_init(&mod[k].t, MODEL_CAP, &env_ops, e), 0);

	for (long step = 0; step < MODEL_STEPS && err == NULL; step++) {
		int k = (int)ktest_rng_below(MODEL_TABLES), which;
		struct model *m = &mod[k];
		uint64_t op = ktest_rng_below(100), v;
		long fa;
		int64_t got, want;
		struct handle_entry ent;
		void *obj;

		/* Now and then the provider refuses memory for a while. */
		if (ktest_rng_below(500) == 0)
			e->prov.fail_after = (long)ktest_rng_below(3);
		else if (ktest_rng_below(50) == 0)
			e->prov.fail_after = -1;
		fa = e->prov.fail_after;

		/* Now and then a table goes away with all its handles, and comes back empty. */
		if (ktest_rng_below(4000) == 0) {
			for (int i = 0; i < m->nopen; i++)
				expect_refs[m->open[i].obj]--;
			for (int i = m->nopen - 1; i >= 0; i--)
				model_forget(m, i);
			handle_table_destroy(&m->t);
			KT_EQ(handle_table_init(&m->t, MODEL_CAP, &env_ops, e), 0);
			/* A new table may issue the old values again: forget them. */
			memset(seen, 0, sizeof(*seen) << SEEN_BITS);
			m->nstale = 0;
			counts[6]++;
		}

		if (op < 22) { /* add */
			int o = (int)ktest_rng_below(NOBJ);
			uint32_t type = 1 + (uint32_t)ktest_rng_below(3);
			uint32_t rights = (uint32_t)ktest_rng() & KEEL_RIGHTS_ALL;
			struct handle_stats st;

			handle_table_stats(&m->t, &st);
			got = handle_add(&m->t, &e->obj[o], type, rights);
			if (m->nopen == MODEL_CAP || (st.free == 0 && fa == 0)) {
				if (got != -KEEL_ENOMEM)
					err = ktest_msg("step %ld: add to a full table gave %lld",
							step, (long long)got);
				counts[0]++;
			} else if (got <= 0) {
				err = ktest_msg("step %ld: add gave %lld", step, (long long)got);
			} else {
				if (!seen_insert((uint64_t)k, (uint64_t)got))
					err = ktest_msg("step %ld: value %#llx issued twice", step,
							(unsigned long long)got);
				m->open[m->nopen++] =
				    (struct mhandle){(uint64_t)got, o, type, rights};
				expect_refs[o]++;
				counts[1]++;
			}
		} else if (op < 50) { /* get */
			uint32_t type = (uint32_t)ktest_rng_below(4), need = random_rights();

			v = random_value(m, &which);
			if (which < 0)
				which = model_names(m, v);
			obj = NULL;
			got = handle_get(&m->t, v, type, need, &obj);
			if (which < 0)
				want = -KEEL_EBADH;
			else if (type != HANDLE_TYPE_ANY && type != m->open[which].type)
				want = -KEEL_ETYPE;
			else if ((need & ~m->open[which].rights) != 0)
				want = -KEEL_EPERM;
			else
				want = 0;
			if (got != want)
				err = ktest_msg("step %ld: get %#llx type %u rights %#x: %lld, "
						"expected %lld",
						step, (unsigned long long)v, type, need,
						(long long)got, (long long)want);
			else if (want == 0 && obj != &e->obj[m->open[which].obj])
				err = ktest_msg("step %ld: get gave the wrong object", step);
			counts[2]++;
		} else if (op < 62) { /* dup */
			uint32_t rights = random_rights();
			struct handle_stats st;

			v = random_value(m, &which);
			if (which < 0)
				which = model_names(m, v);
			handle_table_stats(&m->t, &st);
			got = handle_dup(&m->t, v, rights);
			if (which < 0)
				want = -KEEL_EBADH;
			else if ((rights & ~KEEL_RIGHTS_ALL) != 0)
				want = -KEEL_EINVAL;
			else if (!(m->open[which].rights & KEEL_RIGHT_DUPLICATE) ||
				 (rights & ~m->open[which].rights) != 0)
				want = -KEEL_EPERM;
			else if (m->nopen == MODEL_CAP || (st.free == 0 && fa == 0))
				want = -KEEL_ENOMEM;
			else
				want = 1;
			if (want == 1 && got > 0) {
				struct mhandle n = m->open[which];

				if (!seen_insert((uint64_t)k, (uint64_t)got))
					err = ktest_msg("step %ld: value %#llx issued twice", step,
							(unsigned long long)got);
				n.value = (uint64_t)got;
				n.rights = rights;
				m->open[m->nopen++] = n;
				expect_refs[n.obj]++;
			} else if (got != want) {
				err = ktest_msg(
				    "step %ld: dup %#llx rights %#x: %lld, expected %lld", step,
				    (unsigned long long)v, rights, (long long)got, (long long)want);
			}
			counts[3]++;
		} else if (op < 85) { /* close */
			v = random_value(m, &which);
			if (which < 0)
				which = model_names(m, v);
			got = handle_close(&m->t, v);
			want = which < 0 ? -KEEL_EBADH : 0;
			if (got != want) {
				err = ktest_msg("step %ld: close %#llx: %lld, expected %lld", step,
						(unsigned long long)v, (long long)got,
						(long long)want);
			} else if (want == 0) {
				expect_refs[m->open[which].obj]--;
				model_forget(m, which);
			}
			counts[4]++;
		} else { /* take, and move into the other table (or drop it) */
			uint32_t need = ktest_rng_below(2) ? 0 : random_rights();
			struct model *to = &mod[(k + 1) % MODEL_TABLES];

			v = random_value(m, &which);
			if (which < 0)
				which = model_names(m, v);
			got = handle_take(&m->t, v, need, &ent);
			if (which < 0)
				want = -KEEL_EBADH;
			else if (((need | KEEL_RIGHT_TRANSFER) & ~m->open[which].rights) != 0)
				want = -KEEL_EPERM;
			else
				want = 0;
			if (got != want) {
				err = ktest_msg(
				    "step %ld: take %#llx rights %#x: %lld, expected %lld", step,
				    (unsigned long long)v, need, (long long)got, (long long)want);
			} else if (want == 0) {
				struct mhandle n = m->open[which];

				if (ent.obj != &e->obj[n.obj] || ent.type != n.type ||
				    ent.rights != n.rights)
					err =
					    ktest_msg("step %ld: take gave the wrong entry", step);
				model_forget(m, which);
				/* The mover holds the reference now: expect_refs unchanged. */
				got = handle_add(&to->t, ent.obj, ent.type, ent.rights);
				if (got > 0) {
					if (!seen_insert((uint64_t)(to - mod), (uint64_t)got))
						err =
						    ktest_msg("step %ld: value issued twice", step);
					n.value = (uint64_t)got;
					to->open[to->nopen++] = n;
					expect_refs[n.obj]++;
				} else if (got != -KEEL_ENOMEM) {
					err = ktest_msg("step %ld: moving add gave %lld", step,
							(long long)got);
				}
				env_unref(e, ent.obj, ent.type, ent.rights);
				expect_refs[n.obj]--;
				counts[5]++;
			}
		}
		if (err == NULL && handle_table_check(&m->t) != 0)
			err = ktest_msg("step %ld: handle_table_check failed", step);
		if (err == NULL && handle_count(&m->t) != (uint32_t)m->nopen)
			err = ktest_msg("step %ld: count %u, model %d", step, handle_count(&m->t),
					m->nopen);
		for (int o = 0; o < NOBJ && err == NULL && step % 64 == 0; o++) {
			if (e->obj[o].refs != expect_refs[o])
				err = ktest_msg("step %ld: object %d has %ld references, model %ld",
						step, o, e->obj[o].refs, expect_refs[o]);
		}
	}
	/* Every class of operation ran, including the failures. */
	printf("# random: %llu adds refused, %llu added, %llu gets, %llu dups, %llu closes, "
	       "%llu moves, %llu table resets\n",
	       (unsigned long long)counts[0], (unsigned long long)counts[1],
	       (unsigned long long)counts[2], (unsigned long long)counts[3],
	       (unsigned long long)counts[4], (unsigned long long)counts[5],
	       (unsigned long long)counts[6]);
	for (int i = 0; i < 7 && err == NULL; i++) {
		if (counts[i] < (i == 6 ? 10 : 1000))
			err = ktest_msg("operation class %d ran only %llu times", i,
					(unsigned long long)counts[i]);
	}
	for (int k = 0; k < MODEL_TABLES; k++)
		handle_table_destroy(&mod[k].t);
	free(seen);
	free(mod);
	if (err != NULL) {
		/* Still free everything (ASan); report the first failure. */
		static char msg[512];

		snprintf(msg, sizeof(msg), "%s", err);
		env_finish(e, NULL);
		return msg;
	}
	return env_finish(e, held);
}

static const struct ktest tests[] = {
    KTEST(test_init_rejects),      KTEST(test_add_get),
    KTEST(test_error_classes),     KTEST(test_stale),
    KTEST(test_fifo_reuse),        KTEST(test_growth),
    KTEST(test_capacity_limit),    KTEST(test_alloc_failure),
    KTEST(test_dup_rights),        KTEST(test_take_transfer),
    KTEST(test_destroy),           KTEST(test_reentrant_unref),
    KTEST(test_generation_retire), KTEST(test_random_model),
    KTEST(test_rights_callbacks),
};

int main(void)
{
	return ktest_main(tests, KTEST_COUNT(tests));
}
