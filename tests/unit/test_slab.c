/*
 * tests/unit/test_slab.c: kernel/mm/slab.c over a malloc-backed page
 * provider, and against a model of the live objects under random alloc /
 * free sequences.
 *
 * The provider hands out blocks from aligned_alloc, aligned to their size as
 * the buddy allocator's are, and uses their address as their "physical"
 * address; it records every block it has out, refuses (and counts) a free of
 * anything else, and can be told to fail or to return misaligned memory. The
 * model keeps each live object's address and a pattern seed: objects must not
 * overlap, must lie in a block the provider has out, must be aligned, and must
 * still hold their pattern when freed (the allocator writes nothing into a
 * live object).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ktest.h"
#include "ktest_rng.h"
#include "mm/slab.h"

#define PAGE 4096u

/* ---- The provider ---- */

#define PROV_MAX_BLOCKS 4096

struct prov {
	struct {
		uint64_t phys;
		void *mem; /* what aligned_alloc returned (differs when misaligned) */
		unsigned order;
	} block[PROV_MAX_BLOCKS];
	size_t nblocks;
	uint64_t pages_out, allocs, frees, bad_frees;
	long fail_after; /* allocations left before it fails; < 0: never fails */
	int misalign;    /* hand out blocks half their size off their alignment */
};

static int prov_alloc(void *ctx, unsigned order, uint64_t *phys)
{
	struct prov *p = ctx;
	size_t bytes = (size_t)PAGE << order;
	char *mem;

	if (p->fail_after == 0 || p->nblocks == PROV_MAX_BLOCKS)
		return -1;
	if (p->fail_after > 0)
		p->fail_after--;
	mem = aligned_alloc(bytes, p->misalign ? 2 * bytes : bytes);
	if (mem == NULL)
		return -1;
	/* Garbage, so that the cache cannot rely on zeroed pages. */
	memset(mem, 0xa5, p->misalign ? 2 * bytes : bytes);
	p->block[p->nblocks].mem = mem;
	p->block[p->nblocks].phys = (uintptr_t)(p->misalign ? mem + bytes / 2 : mem);
	p->block[p->nblocks].order = order;
	*phys = p->block[p->nblocks].phys;
	p->nblocks++;
	p->pages_out += 1u << order;
	p->allocs++;
	return 0;
}

static int prov_free(void *ctx, uint64_t phys, unsigned order)
{
	struct prov *p = ctx;

	for (size_t i = 0; i < p->nblocks; i++) {
		if (p->block[i].phys != phys)
			continue;
		if (p->block[i].order != order)
			break;
		free(p->block[i].mem);
		p->block[i] = p->block[--p->nblocks];
		p->pages_out -= 1u << order;
		p->frees++;
		return 0;
	}
	p->bad_frees++;
	return -1;
}

static void *prov_virt(void *ctx, uint64_t phys)
{
	(void)ctx;
	return (void *)(uintptr_t)phys;
}

static struct slab_provider prov_make(struct prov *p)
{
	memset(p, 0, sizeof(*p));
	p->fail_after = -1;
	return (struct slab_provider){prov_alloc, prov_free, prov_virt, p};
}

/* [ptr, ptr + size) inside one block the provider has out. */
static int prov_holds(const struct prov *p, const void *ptr, size_t size)
{
	uintptr_t a = (uintptr_t)ptr;

	for (size_t i = 0; i < p->nblocks; i++) {
		uintptr_t lo = (uintptr_t)p->block[i].phys;
		uintptr_t hi = lo + ((uintptr_t)PAGE << p->block[i].order);

		if (a >= lo && a + size <= hi)
			return 1;
	}
	return 0;
}

/* ---- Helpers ---- */

static void fill(unsigned char *obj, size_t size, uint64_t seed)
{
	for (size_t i = 0; i < size; i++)
		obj[i] = (unsigned char)(seed * 131 + i * 7 + (seed >> 8));
}

static int intact(const unsigned char *obj, size_t size, uint64_t seed)
{
	for (size_t i = 0; i < size; i++) {
		if (obj[i] != (unsigned char)(seed * 131 + i * 7 + (seed >> 8)))
			return 0;
	}
	return 1;
}

/* The cache's accounting agrees with the provider's and with `live` objects. */
static const char *check_accounting(const struct slab_cache *c, const struct prov *p, uint64_t live)
{
	struct slab_stats st;
	int err = slab_cache_check(c);

	if (err)
		return ktest_msg("slab_cache_check: %s", slab_strerror(err));
	slab_cache_stats(c, &st);
	if (st.objects_in_use != live)
		return ktest_msg("%llu objects in use, the model has %llu",
				 (unsigned long long)st.objects_in_use, (unsigned long long)live);
	if (st.pages != p->pages_out || st.slabs != p->nblocks)
		return ktest_msg("cache holds %llu pages in %llu slabs, provider has %llu in %zu",
				 (unsigned long long)st.pages, (unsigned long long)st.slabs,
				 (unsigned long long)p->pages_out, p->nblocks);
	if (st.objects_free + st.objects_in_use != st.slabs * st.objects_per_slab)
		return "free + in use != slabs * objects per slab";
	if (st.empty_slabs > 1)
		return "more than one empty slab kept";
	if (p->bad_frees != 0)
		return "the cache gave the provider a block it never handed out";
	return NULL;
}

static const char *test_strerror(void)
{
	KT_TRY(ktest_strerror_distinct(slab_strerror, -SLAB_ELAST, "slab_strerror"));
	return NULL;
}

static const char *test_init_errors(void)
{
	static struct prov p;
	struct slab_provider pv = prov_make(&p), bad = pv;
	struct slab_cache c;
	int x;

	KT_EQ(slab_cache_init(NULL, "x", 8, 0, &pv), -SLAB_EINVAL);
	KT_EQ(slab_cache_init(&c, "x", 0, 0, &pv), -SLAB_EINVAL);
	KT_EQ(slab_cache_init(&c, "x", SLAB_MAX_OBJECT + 1, 0, &pv), -SLAB_EINVAL);
	KT_EQ(slab_cache_init(&c, "x", SIZE_MAX, 0, &pv), -SLAB_EINVAL);
	KT_EQ(slab_cache_init(&c, "x", 8, 3, &pv), -SLAB_EINVAL);
	KT_EQ(slab_cache_init(&c, "x", 8, 24, &pv), -SLAB_EINVAL);
	KT_EQ(slab_cache_init(&c, "x", 8, 2 * PAGE, &pv), -SLAB_EINVAL);
	KT_EQ(slab_cache_init(&c, "x", 8, 0, NULL), -SLAB_EINVAL);
	bad.phys_to_virt = NULL;
	KT_EQ(slab_cache_init(&c, "x", 8, 0, &bad), -SLAB_EINVAL);
	/* A cache whose set-up failed refuses everything and touches no memory. */
	KT_ASSERT(slab_alloc(&c) == NULL);
	KT_EQ(slab_free(&c, &x), -SLAB_EINVAL);
	KT_EQ(slab_cache_check(&c), -SLAB_EINVAL);
	KT_EQ(slab_cache_destroy(&c), -SLAB_EINVAL);
	KT_EQ(slab_cache_shrink(&c), 0);
	KT_ASSERT(slab_alloc(NULL) == NULL);
	KT_EQ(slab_free(NULL, &x), -SLAB_EINVAL);
	KT_EQ(p.allocs, 0);
	/* The limits themselves are accepted. */
	KT_EQ(slab_cache_init(&c, "x", 1, 1, &pv), 0);
	KT_EQ(slab_cache_init(&c, "x", SLAB_MAX_OBJECT, SLAB_MAX_ALIGN, &pv), 0);
	return NULL;
}

/* The layout of every size and alignment: sound, and the waste figures. */
static const char *test_layout(void)
{
	static const size_t sizes[] = {1,   8,   16,   24,   32,   48,   64,   96,   128, 200,
				       256, 512, 1000, 1024, 2048, 3000, 4096, 5000, 8192};
	static const size_t aligns[] = {0, 1, 16, 64, 256, 4096};
	static struct prov p;
	struct slab_provider pv = prov_make(&p);
	struct slab_cache c;

	for (size_t a = 0; a < KTEST_COUNT(aligns); a++) {
		for (size_t i = 0; i < KTEST_COUNT(sizes); i++) {
			size_t bytes, waste, align = aligns[a] ? aligns[a] : SLAB_MIN_ALIGN;

			KT_EQ(slab_cache_init(&c, "layout", sizes[i], aligns[a], &pv), 0);
			bytes = SLAB_BYTES(c.order);
			waste = bytes - c.per_slab * c.stride;
			KT_ASSERT(c.per_slab >= 1 && c.order <= SLAB_MAX_ORDER);
			KT_ASSERT(c.stride >= sizes[i] && c.stride % align == 0);
			KT_ASSERT(c.first % align == 0 && c.first % 8 == 0);
			KT_ASSERT(c.first >= sizeof(struct slab) + c.words * 8);
			KT_ASSERT(c.words * 64 >= c.per_slab && (c.words - 1) * 64 < c.per_slab);
			KT_ASSERT(c.first + c.per_slab * c.stride <= bytes);
			/* Not one more object would fit. */
			KT_ASSERT(c.first + (c.per_slab + 1) * c.stride > bytes);
			/* Small objects never need a 1/8 waste. */
			if (c.stride <= 512)
				KT_ASSERT(waste * 8 <= bytes);
			if (a == 0)
				printf("# size %4zu: order %u, %4u per slab, stride %4zu, waste "
				       "%4.1f%%\n",
				       sizes[i], c.order, c.per_slab, c.stride,
				       100.0 * (double)waste / (double)bytes);
		}
	}
	return NULL;
}

/* ---- Random sequences against the model ---- */

struct obj {
	unsigned char *p;
	uint64_t seed;
};

static int obj_by_addr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)((const struct obj *)a)->p;
	uintptr_t y = (uintptr_t)((const struct obj *)b)->p;

	return x < y ? -1 : x > y;
}

/* No two live objects overlap (sorts a copy by address). */
static const char *check_no_overlap(const struct obj *live, size_t n, size_t size)
{
	struct obj *s = malloc((n + 1) * sizeof(*s));
	const char *err = NULL;

	memcpy(s, live, n * sizeof(*s));
	qsort(s, n, sizeof(*s), obj_by_addr);
	for (size_t i = 1; i < n && err == NULL; i++) {
		if (s[i - 1].p + size > s[i].p)
			err = ktest_msg("objects %p and %p of %zu bytes overlap",
					(void *)s[i - 1].p, (void *)s[i].p, size);
	}
	free(s);
	return err;
}

/*
 * One cache of (size, align): OPS random operations in phases that lean to
 * allocation, then to freeing, so the live count sweeps up and down across
 * many slabs; checked against the model as it goes, then emptied.
 */
static const char *run_model(size_t size, size_t align, unsigned ops)
{
	static struct prov p;
	struct slab_provider pv = prov_make(&p);
	struct slab_cache c;
	struct slab_stats st;
	struct obj *live = malloc(ops * sizeof(*live));
	size_t n = 0, want = align ? align : SLAB_MIN_ALIGN;
	uint64_t seed = 1;

	KT_EQ(slab_cache_init(&c, "model", size, align, &pv), 0);
	for (unsigned op = 0; op < ops; op++) {
		/* 70 % allocations in the first and third quarters, 30 % otherwise. */
		unsigned alloc_pct = (op / (ops / 4)) % 2 == 0 ? 70 : 30;

		if (n == 0 || ktest_rng_below(100) < alloc_pct) {
			unsigned char *o = slab_alloc(&c);

			if (o == NULL)
				return ktest_msg("size %zu: slab_alloc failed with %zu live", size,
						 n);
			if ((uintptr_t)o % want != 0)
				return ktest_msg("size %zu align %zu: object %p misaligned", size,
						 want, (void *)o);
			if (!prov_holds(&p, o, size))
				return ktest_msg("size %zu: object %p is in no provider block",
						 size, (void *)o);
			/* A new object must not be any live one (the cheap overlap check). */
			for (size_t i = 0; i < n; i++) {
				if (o < live[i].p + size && live[i].p < o + size)
					return ktest_msg("size %zu: new object %p overlaps %p",
							 size, (void *)o, (void *)live[i].p);
			}
			fill(o, size, seed);
			live[n].p = o;
			live[n].seed = seed++;
			n++;
		} else {
			size_t i = ktest_rng_below(n);
			int err;

			if (!intact(live[i].p, size, live[i].seed))
				return ktest_msg("size %zu: object %p changed while live", size,
						 (void *)live[i].p);
			err = slab_free(&c, live[i].p);
			if (err)
				return ktest_msg("size %zu: slab_free: %s", size,
						 slab_strerror(err));
			live[i] = live[--n];
		}
		if (op % 97 == 0) {
			KT_TRY(check_accounting(&c, &p, n));
			KT_TRY(check_no_overlap(live, n, size));
		}
	}
	KT_TRY(check_accounting(&c, &p, n));
	KT_TRY(check_no_overlap(live, n, size));
	while (n > 0) {
		if (!intact(live[n - 1].p, size, live[n - 1].seed))
			return "an object changed while live";
		KT_EQ(slab_free(&c, live[n - 1].p), 0);
		n--;
	}
	KT_TRY(check_accounting(&c, &p, 0));
	slab_cache_stats(&c, &st);
	KT_ASSERT(st.slabs <= 1);
	KT_EQ(slab_cache_shrink(&c), st.pages);
	KT_TRY(check_accounting(&c, &p, 0));
	if (p.pages_out != 0 || p.allocs != p.frees)
		return ktest_msg("size %zu: %llu pages not given back", size,
				 (unsigned long long)p.pages_out);
	KT_EQ(slab_cache_destroy(&c), 0);
	free(live);
	return NULL;
}

static const char *test_random_against_model(void)
{
	static const size_t sizes[] = {8, 24, 64, 200, 1000, 2048, 3000};
	static const size_t aligns[] = {0, 16, 64, 512};

	ktest_rng_state = 0x5eed51ab;
	for (size_t a = 0; a < KTEST_COUNT(aligns); a++) {
		for (size_t i = 0; i < KTEST_COUNT(sizes); i++)
			KT_TRY(run_model(sizes[i], aligns[a], 6000));
	}
	/* Odd sizes and alignments too. */
	KT_TRY(run_model(1, 1, 3000));
	KT_TRY(run_model(13, 4, 3000));
	KT_TRY(run_model(4096, 4096, 1000));
	KT_TRY(run_model(SLAB_MAX_OBJECT, 0, 1000));
	return NULL;
}

/* ---- Bad frees ---- */

static const char *expect_refused(struct slab_cache *c, const struct prov *p, void *ptr, int err,
				  const char *what)
{
	struct slab_stats before, after;
	uint64_t pages = p->pages_out;
	int got;

	slab_cache_stats(c, &before);
	got = slab_free(c, ptr);
	slab_cache_stats(c, &after);
	if (got != err)
		return ktest_msg("free of %s: %d (%s), expected %d (%s)", what, got,
				 slab_strerror(got), err, slab_strerror(err));
	if (memcmp(&before, &after, sizeof(before)) != 0 || pages != p->pages_out)
		return ktest_msg("refused free of %s changed the accounting", what);
	return slab_cache_check(c) == 0 ? NULL : "refused free broke an invariant";
}

static const char *test_bad_free(void)
{
	static struct prov p, q;
	struct slab_provider pv = prov_make(&p), qv = prov_make(&q);
	struct slab_cache c, other;
	unsigned char *a, *b, *o, *heap;
	uintptr_t base;
	int local;

	KT_EQ(slab_cache_init(&c, "bad", 200, 0, &pv), 0);
	KT_EQ(slab_cache_init(&other, "other", 200, 0, &qv), 0);
	a = slab_alloc(&c);
	b = slab_alloc(&c);
	o = slab_alloc(&other);
	heap = malloc(256);
	KT_ASSERT(a && b && o && heap);
	fill(b, 200, 77);
	base = (uintptr_t)a & ~(uintptr_t)(SLAB_BYTES(c.order) - 1);

	KT_TRY(expect_refused(&c, &p, NULL, -SLAB_EINVAL, "NULL"));
	KT_TRY(expect_refused(&c, &p, &local, -SLAB_EFOREIGN, "a stack address"));
	KT_TRY(expect_refused(&c, &p, heap, -SLAB_EFOREIGN, "a heap block"));
	KT_TRY(expect_refused(&c, &p, o, -SLAB_EFOREIGN, "another cache's object"));
	KT_TRY(expect_refused(&c, &p, (void *)(uintptr_t)0x1000, -SLAB_EFOREIGN, "a wild pointer"));
	KT_TRY(expect_refused(&c, &p, a + 1, -SLAB_EINTERIOR, "an object's second byte"));
	KT_TRY(expect_refused(&c, &p, a + 100, -SLAB_EINTERIOR, "an object's middle"));
	KT_TRY(expect_refused(&c, &p, (void *)base, -SLAB_EINTERIOR, "the slab header"));
	KT_TRY(expect_refused(&c, &p, (void *)(base + SLAB_BYTES(c.order) - 1), -SLAB_EINTERIOR,
			      "the slab's last byte"));
	KT_TRY(expect_refused(&c, &p, (unsigned char *)base + c.first + c.per_slab * c.stride,
			      -SLAB_EINTERIOR, "the place past the last object"));
	KT_EQ(slab_free(&c, a), 0);
	KT_TRY(expect_refused(&c, &p, a, -SLAB_EDOUBLE, "a freed object"));
	/* A never-allocated object of a held slab is free too. */
	KT_TRY(expect_refused(&c, &p, (unsigned char *)base + c.first + 5 * c.stride, -SLAB_EDOUBLE,
			      "an object never handed out"));
	KT_ASSERT(intact(b, 200, 77));
	KT_EQ(slab_free(&c, b), 0);
	KT_TRY(expect_refused(&c, &p, b, -SLAB_EDOUBLE, "an object of the empty slab"));
	/* Once the slab is back with the provider, its objects are foreign. */
	KT_EQ(slab_cache_shrink(&c), 1u << c.order);
	KT_TRY(expect_refused(&c, &p, b, -SLAB_EFOREIGN, "an object of a released slab"));
	KT_EQ(slab_free(&other, o), 0);
	KT_EQ(slab_cache_destroy(&other), 0);
	KT_EQ(slab_cache_destroy(&c), 0);
	KT_EQ(p.pages_out + q.pages_out, 0);
	free(heap);
	return NULL;
}

/* ---- Out of memory, a bad provider, the empty-slab policy ---- */

static const char *test_out_of_memory(void)
{
	static struct prov p;
	struct slab_provider pv = prov_make(&p);
	struct slab_cache c;
	struct slab_stats st;
	void **objs;
	size_t n = 0;

	KT_EQ(slab_cache_init(&c, "oom", 1000, 0, &pv), 0);
	p.fail_after = 0;
	KT_ASSERT(slab_alloc(&c) == NULL);
	slab_cache_stats(&c, &st);
	KT_EQ(st.alloc_failures, 1);
	KT_TRY(check_accounting(&c, &p, 0));

	/* Three slabs' worth, then nothing: every later call fails cleanly. */
	p.fail_after = 3;
	objs = malloc((3 * c.per_slab + 1) * sizeof(*objs));
	while ((objs[n] = slab_alloc(&c)) != NULL) {
		n++;
		KT_ASSERT(n <= 3 * c.per_slab);
	}
	KT_EQ(n, 3 * c.per_slab);
	KT_ASSERT(slab_alloc(&c) == NULL);
	KT_TRY(check_accounting(&c, &p, n));
	/* Freeing one makes room without the provider. */
	KT_EQ(slab_free(&c, objs[7]), 0);
	KT_ASSERT((objs[7] = slab_alloc(&c)) != NULL);
	while (n > 0)
		KT_EQ(slab_free(&c, objs[--n]), 0);
	slab_cache_shrink(&c);
	KT_TRY(check_accounting(&c, &p, 0));
	KT_EQ(p.pages_out, 0);
	free(objs);
	return NULL;
}

static const char *test_misaligned_provider(void)
{
	static struct prov p;
	struct slab_provider pv = prov_make(&p);
	struct slab_cache c;

	KT_EQ(slab_cache_init(&c, "misaligned", 64, 0, &pv), 0);
	p.misalign = 1;
	KT_ASSERT(slab_alloc(&c) == NULL);
	KT_EQ(p.allocs, 1);
	KT_EQ(p.pages_out, 0); /* the block went straight back */
	KT_TRY(check_accounting(&c, &p, 0));
	p.misalign = 0;
	KT_ASSERT(slab_alloc(&c) != NULL);
	return NULL;
}

static const char *test_empty_slab_policy(void)
{
	static struct prov p;
	struct slab_provider pv = prov_make(&p);
	struct slab_cache c;
	struct slab_stats st;
	void **objs;
	size_t n;

	KT_EQ(slab_cache_init(&c, "policy", 64, 0, &pv), 0);
	n = 4 * c.per_slab;
	objs = malloc(n * sizeof(*objs));
	for (size_t i = 0; i < n; i++)
		KT_ASSERT((objs[i] = slab_alloc(&c)) != NULL);
	KT_EQ(p.allocs, 4);
	/* An alloc / free pair at a slab's edge reuses the cached empty slab. */
	for (int k = 0; k < 100; k++) {
		void *x = slab_alloc(&c);

		KT_ASSERT(x != NULL);
		KT_EQ(slab_free(&c, x), 0);
	}
	KT_EQ(p.allocs, 5);
	slab_cache_stats(&c, &st);
	KT_EQ(st.empty_slabs, 1);
	/* Emptying all four: one slab stays, the rest go back at once. */
	for (size_t i = 0; i < n; i++)
		KT_EQ(slab_free(&c, objs[i]), 0);
	slab_cache_stats(&c, &st);
	KT_EQ(st.slabs, 1);
	KT_EQ(st.empty_slabs, 1);
	KT_TRY(check_accounting(&c, &p, 0));
	KT_EQ(slab_cache_shrink(&c), 1u << c.order);
	KT_EQ(slab_cache_shrink(&c), 0);
	KT_EQ(p.pages_out, 0);
	/* Destroy waits for the last object. */
	objs[0] = slab_alloc(&c);
	KT_EQ(slab_cache_destroy(&c), -SLAB_EBUSY);
	KT_TRY(check_accounting(&c, &p, 1));
	KT_EQ(slab_free(&c, objs[0]), 0);
	KT_EQ(slab_cache_destroy(&c), 0);
	KT_EQ(p.pages_out, 0);
	KT_ASSERT(slab_alloc(&c) == NULL);
	free(objs);
	return NULL;
}

static const char *test_check_detects_corruption(void)
{
	static struct prov p;
	struct slab_provider pv = prov_make(&p);
	struct slab_cache c;
	struct slab *s;
	void *a;

	KT_EQ(slab_cache_init(&c, "corrupt", 24, 0, &pv), 0);
	a = slab_alloc(&c);
	KT_ASSERT(a != NULL && slab_alloc(&c) != NULL);
	s = c.partial;
	KT_ASSERT(s != NULL);
	KT_EQ(slab_cache_check(&c), 0);

	s->free[0] ^= 1; /* object 0 looks free: in_use no longer matches */
	KT_EQ(slab_cache_check(&c), -SLAB_ECORRUPT);
	s->free[0] ^= 1;
	s->free[c.words - 1] |= 1ULL << 63; /* a bit past the last object */
	KT_EQ(slab_cache_check(&c), -SLAB_ECORRUPT);
	s->free[c.words - 1] &= ~(1ULL << 63);
	c.stats.objects_in_use++;
	KT_EQ(slab_cache_check(&c), -SLAB_ECORRUPT);
	c.stats.objects_in_use--;
	s->cache = NULL;
	KT_EQ(slab_cache_check(&c), -SLAB_ECORRUPT);
	s->cache = &c;
	s->next = s; /* a cycle on the partial list */
	KT_EQ(slab_cache_check(&c), -SLAB_ECORRUPT);
	s->next = NULL;
	KT_EQ(slab_cache_check(&c), 0);
	KT_EQ(slab_free(&c, a), 0);
	return NULL;
}

static const struct ktest tests[] = {
    KTEST(test_strerror),
    KTEST(test_init_errors),
    KTEST(test_layout),
    KTEST(test_random_against_model),
    KTEST(test_bad_free),
    KTEST(test_out_of_memory),
    KTEST(test_misaligned_provider),
    KTEST(test_empty_slab_policy),
    KTEST(test_check_detects_corruption),
};

int main(void)
{
	return ktest_main(tests, KTEST_COUNT(tests));
}
