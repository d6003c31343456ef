/*
 * tests/unit/test_buddy.c: kernel/mm/buddy.c on hand-made range layouts, and
 * against a page-by-page model under random alloc / free / reserve sequences.
 *
 * Metadata areas are heap blocks of exactly the size buddy_metadata_size asks
 * for, so ASan catches a write outside them; the allocator gets no other
 * memory (managed pages are only numbers here), so it cannot write into the
 * pages it manages. The model's expected free blocks are the canonical buddy
 * decomposition of the free pages (each aligned block whose pages are all
 * free, taken at its largest order): a fully merged allocator has exactly
 * those, after every operation.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ktest.h"
#include "ktest_rng.h"
#include "ktest_ranges.h"
#include "mm/buddy.h"

#define PAGE     4096ull
#define MIB      (1024 * 1024ull)
#define MAXBLOCK (1ull << BUDDY_MAX_ORDER)

/* rig_init: let buddy_metadata_place choose where the metadata goes. */
#define PLACE UINT64_MAX

/* An allocator and its heap-allocated metadata area. */
struct rig {
	struct buddy b;
	void *meta;
	size_t meta_size;
	uint64_t meta_phys;
};

static void rig_fini(struct rig *g)
{
	free(g->meta);
	g->meta = NULL;
}

/* Set g up over the ranges, metadata at meta_phys (or PLACE). */
static const char *rig_init(struct rig *g, const struct keel_mem_range *r, size_t n,
			    uint64_t meta_phys)
{
	int err;

	memset(g, 0, sizeof(*g));
	err = buddy_metadata_size(r, n, &g->meta_size);
	if (err)
		return ktest_msg("buddy_metadata_size: %s", buddy_strerror(err));
	if (meta_phys == PLACE) {
		err = buddy_metadata_place(r, n, g->meta_size, &meta_phys);
		if (err)
			return ktest_msg("buddy_metadata_place: %s", buddy_strerror(err));
	}
	g->meta = malloc(g->meta_size);
	g->meta_phys = meta_phys;
	err = buddy_init(&g->b, r, n, g->meta, g->meta_size, meta_phys);
	if (err) {
		rig_fini(g);
		return ktest_msg("buddy_init: %s", buddy_strerror(err));
	}
	if (buddy_check(&g->b) != 0) {
		rig_fini(g);
		return "buddy_check fails right after buddy_init";
	}
	return NULL;
}

static int stats_equal(const struct buddy_stats *a, const struct buddy_stats *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

/* ---- The model: one state per frame of the window. ---- */

enum { M_ABSENT, M_FREE, M_USED, M_RESERVED, M_STATES };

struct span {
	uint64_t i, pages;
};

struct model {
	uint64_t base_pfn, frames;
	uint8_t *state;
	int8_t *head;   /* order of the allocated block headed here, or -1 */
	uint32_t *slot; /* where that block sits in live[] */
	uint64_t count[M_STATES];
	struct span *live; /* allocated blocks: i and 2^order pages */
	size_t nlive;
	struct span *runs; /* pages the test reserved, as contiguous runs */
	size_t nruns;
	struct span *managed; /* maximal runs of managed frames */
	size_t nmanaged;
};

static int type_is_managed(uint32_t t)
{
	return t == U || t == BR || t == AR;
}

static void model_set(struct model *m, uint64_t i, uint8_t s)
{
	m->count[m->state[i]]--;
	m->state[i] = s;
	m->count[s]++;
}

/* The layout's frames as the allocator should start them (before the metadata). */
static void model_init(struct model *m, const struct keel_mem_range *r, size_t n)
{
	uint64_t lo = UINT64_MAX, hi = 0;

	memset(m, 0, sizeof(*m));
	for (size_t k = 0; k < n; k++) {
		if (!type_is_managed(r[k].type))
			continue;
		if (r[k].base / PAGE < lo)
			lo = r[k].base / PAGE;
		if ((r[k].base + r[k].size) / PAGE > hi)
			hi = (r[k].base + r[k].size) / PAGE;
	}
	m->base_pfn = lo & ~(MAXBLOCK - 1);
	m->frames = hi - m->base_pfn;
	m->state = calloc(m->frames, 1);
	m->head = malloc(m->frames);
	memset(m->head, -1, m->frames);
	m->slot = calloc(m->frames, sizeof(*m->slot));
	m->live = malloc(m->frames * sizeof(*m->live));
	m->runs = malloc(m->frames * sizeof(*m->runs));
	m->managed = malloc(m->frames * sizeof(*m->managed));
	m->count[M_ABSENT] = m->frames;
	for (size_t k = 0; k < n; k++) {
		if (!type_is_managed(r[k].type))
			continue;
		for (uint64_t i = 0; i < r[k].size / PAGE; i++)
			model_set(m, r[k].base / PAGE - m->base_pfn + i,
				  r[k].type == U ? M_FREE : M_RESERVED);
	}
	for (uint64_t i = 0; i < m->frames;) {
		uint64_t j = i;

		while (j < m->frames && m->state[j] != M_ABSENT)
			j++;
		if (j > i)
			m->managed[m->nmanaged++] = (struct span){i, j - i};
		i = j + 1;
	}
}

static void model_fini(struct model *m)
{
	free(m->state);
	free(m->head);
	free(m->slot);
	free(m->live);
	free(m->runs);
	free(m->managed);
}

/* Window index of phys, or -1 when it is outside the window or misaligned. */
static int64_t model_index(const struct model *m, uint64_t phys)
{
	if (phys % PAGE != 0 || phys / PAGE < m->base_pfn || phys / PAGE - m->base_pfn >= m->frames)
		return -1;
	return (int64_t)(phys / PAGE - m->base_pfn);
}

static uint64_t model_phys(const struct model *m, uint64_t i)
{
	return (m->base_pfn + i) * PAGE;
}

/* Mark the managed pages of [i, i + pages) reserved (the metadata). */
static void model_reserve(struct model *m, uint64_t i, uint64_t pages)
{
	for (uint64_t j = i; j < i + pages && j < m->frames; j++) {
		if (m->state[j] != M_ABSENT)
			model_set(m, j, M_RESERVED);
	}
}

/* Is an aligned block of 2^k pages, all free, anywhere? */
static int model_has_free_block(const struct model *m, unsigned k)
{
	uint64_t size = 1ull << k;

	if (m->count[M_FREE] < size)
		return 0;
	for (size_t r = 0; r < m->nmanaged; r++) {
		uint64_t end = m->managed[r].i + m->managed[r].pages;

		for (uint64_t a = (m->managed[r].i + size - 1) & ~(size - 1); a + size <= end;
		     a += size) {
			uint64_t j = a;

			while (j < a + size && m->state[j] == M_FREE)
				j++;
			if (j == a + size)
				return 1;
		}
	}
	return 0;
}

/* The canonical decomposition of the free pages in block i of order k. */
static void model_blocks_in(const struct model *m, uint64_t i, unsigned k, uint64_t *out)
{
	uint64_t j = i;

	if (i >= m->frames)
		return;
	while (j < i + (1ull << k) && j < m->frames && m->state[j] == M_FREE)
		j++;
	if (j == i + (1ull << k)) {
		out[k]++;
	} else if (k > 0) {
		model_blocks_in(m, i, k - 1, out);
		model_blocks_in(m, i + (1ull << (k - 1)), k - 1, out);
	}
}

static void model_blocks(const struct model *m, uint64_t out[BUDDY_ORDERS])
{
	memset(out, 0, BUDDY_ORDERS * sizeof(out[0]));
	for (uint64_t i = 0; i < m->frames; i += MAXBLOCK)
		model_blocks_in(m, i, BUDDY_MAX_ORDER, out);
}

/* The statistics against the model's counts: cheap, after every operation. */
static const char *model_compare(const struct model *m, const struct buddy *b)
{
	struct buddy_stats s;
	uint64_t pages = 0;

	buddy_read_stats(b, &s);
	KT_EQ(s.free_pages, m->count[M_FREE]);
	KT_EQ(s.used_pages, m->count[M_USED]);
	KT_EQ(s.reserved_pages, m->count[M_RESERVED]);
	KT_EQ(s.managed_pages, m->frames - m->count[M_ABSENT]);
	for (unsigned k = 0; k <= BUDDY_MAX_ORDER; k++)
		pages += s.free_blocks[k] << k;
	KT_EQ(pages, s.free_pages);
	return NULL;
}

/*
 * The free lists walked from outside: every block aligned, inside the
 * window, made of pages the model says are free, no page on two blocks,
 * every free page on one; the blocks per order are the canonical ones; and
 * buddy_check agrees.
 */
static const char *model_walk(const struct model *m, const struct buddy *b)
{
	uint8_t *seen = calloc(m->frames, 1);
	uint64_t want[BUDDY_ORDERS];
	const char *err = NULL;

	KT_EQ(b->base_pfn, m->base_pfn);
	KT_EQ(b->frame_count, m->frames);
	model_blocks(m, want);
	for (unsigned k = 0; k <= BUDDY_MAX_ORDER && !err; k++) {
		uint64_t blocks = 0;

		for (uint32_t i = b->free_head[k]; i != BUDDY_NIL && !err; i = b->links[i].next) {
			if (i >= m->frames || ++blocks > m->frames ||
			    model_phys(m, i) % (PAGE << k) != 0 || i + (1ull << k) > m->frames) {
				err = ktest_msg("order %u: bad block %u", k, i);
				break;
			}
			for (uint64_t j = i; j < i + (1ull << k); j++) {
				if (m->state[j] != M_FREE || seen[j]++)
					err =
					    ktest_msg("order %u block %u: page %llu is %d/%d", k, i,
						      (unsigned long long)j, m->state[j], seen[j]);
			}
		}
		if (!err && (blocks != want[k] || blocks != b->stats.free_blocks[k]))
			err = ktest_msg(
			    "order %u: %llu blocks listed, %llu counted, %llu canonical", k,
			    (unsigned long long)blocks, (unsigned long long)b->stats.free_blocks[k],
			    (unsigned long long)want[k]);
	}
	for (uint64_t j = 0; j < m->frames && !err; j++) {
		if (m->state[j] == M_FREE && !seen[j])
			err = ktest_msg("free page %llu on no list", (unsigned long long)j);
	}
	free(seen);
	if (!err && buddy_check(b) != 0)
		err = "buddy_check fails";
	return err;
}

/* Record a successful allocation in the model; NULL or what is wrong with it. */
static const char *model_alloc(struct model *m, uint64_t phys, unsigned k)
{
	int64_t i = model_index(m, phys);

	if (i < 0 || phys % (PAGE << k) != 0 || (uint64_t)i + (1ull << k) > m->frames)
		return ktest_msg("order %u block at 0x%llx: misaligned or outside", k,
				 (unsigned long long)phys);
	for (uint64_t j = (uint64_t)i; j < (uint64_t)i + (1ull << k); j++) {
		if (m->state[j] != M_FREE)
			return ktest_msg("order %u block at 0x%llx: page %llu is not free (%d)", k,
					 (unsigned long long)phys, (unsigned long long)j,
					 m->state[j]);
		model_set(m, j, M_USED);
	}
	m->head[i] = (int8_t)k;
	m->slot[i] = (uint32_t)m->nlive;
	m->live[m->nlive++] = (struct span){(uint64_t)i, 1ull << k};
	return NULL;
}

/* Forget live block number `s` (its pages become free). */
static void model_free(struct model *m, size_t s)
{
	struct span blk = m->live[s];

	for (uint64_t j = blk.i; j < blk.i + blk.pages; j++)
		model_set(m, j, M_FREE);
	m->head[blk.i] = -1;
	m->live[s] = m->live[--m->nlive];
	m->slot[m->live[s].i] = (uint32_t)s;
}

static unsigned order_of(uint64_t pages)
{
	return (unsigned)__builtin_ctzll(pages);
}

/* Orders 0.. mostly small: order k with probability about 2^-(k+1). */
static unsigned order_random(void)
{
	unsigned k = (unsigned)__builtin_ctzll(ktest_rng() | (1ull << 40));

	return k > BUDDY_MAX_ORDER ? BUDDY_MAX_ORDER : k;
}

/* ---- Fixed cases. ---- */

static const char *test_strerror(void)
{
	return ktest_strerror_distinct(buddy_strerror, -BUDDY_ELAST, "buddy_strerror");
}

/* 128 MiB from 1 MiB: the decomposition, the metadata size, alloc and free. */
static const char *test_single_range(void)
{
	static const struct keel_mem_range r[] = {{1 * MIB, 128 * MIB, U, 0}};
	struct buddy_stats s0, s;
	struct rig g;
	uint64_t big, small;

	/* Window: frames 0 .. 33024, 9 bytes each, rounded up to 73 pages. */
	KT_TRY(rig_init(&g, r, 1, 0));
	KT_EQ(g.meta_size, 73 * PAGE);
	buddy_read_stats(&g.b, &s0);
	KT_EQ(s0.managed_pages, 32768);
	KT_EQ(s0.free_pages, 32768);
	KT_EQ(s0.reserved_pages, 0); /* metadata at phys 0: not managed, nothing to reserve */
	KT_EQ(s0.free_blocks[8], 2); /* frames 256 and 32768 */
	KT_EQ(s0.free_blocks[9], 1); /* frame 512 */
	KT_EQ(s0.free_blocks[10], 31);
	for (unsigned k = 0; k < 8; k++)
		KT_EQ(s0.free_blocks[k], 0);

	KT_EQ(buddy_alloc(&g.b, 10, &big), 0);
	KT_EQ(big % (4 * MIB), 0);
	KT_ASSERT(big >= 4 * MIB && big < 129 * MIB);
	KT_EQ(buddy_alloc(&g.b, 0, &small), 0);
	KT_ASSERT(small >= 1 * MIB && small < 129 * MIB && (small < big || small >= big + 4 * MIB));
	buddy_read_stats(&g.b, &s);
	KT_EQ(s.used_pages, 1025);
	KT_EQ(s.free_pages, 32768 - 1025);
	KT_EQ(buddy_check(&g.b), 0);
	KT_EQ(buddy_free(&g.b, big, 10), 0);
	KT_EQ(buddy_free(&g.b, small, 0), 0);
	buddy_read_stats(&g.b, &s);
	KT_ASSERT(stats_equal(&s, &s0));
	KT_EQ(buddy_check(&g.b), 0);
	rig_fini(&g);

	/* Placed by the helper: at 1 MiB, its 73 pages reserved. */
	KT_TRY(rig_init(&g, r, 1, PLACE));
	KT_EQ(g.meta_phys, 1 * MIB);
	buddy_read_stats(&g.b, &s);
	KT_EQ(s.reserved_pages, 73);
	KT_EQ(s.free_pages, 32768 - 73);
	for (int i = 0; i < 40000; i++) {
		if (buddy_alloc(&g.b, 0, &small) != 0)
			break;
		KT_ASSERT(small >= 1 * MIB + 73 * PAGE);
	}
	rig_fini(&g);
	return NULL;
}

/*
 * Firmware-like: odd sizes and alignments, holes, adjacent ranges that were
 * not merged, reclaim and unmanaged types, out of order. The model's
 * canonical decomposition is the expectation.
 */
/* clang-format off */
static const struct keel_mem_range scattered[] = {
    {0x100000000, 0x40000000, U, 0}, /* 1 GiB above 4 GiB */
    {0x1000, 0x9f000, U, 0},
    {0xa0000, 0x20000, MM, 0},
    {0x100000, 0x700000, U, 0},
    {0x800000, 0x8000, KEEL_RANGE_ACPI_NVS, 0},
    {0x808000, 0x3000, U, 0},
    {0x80c000, 0x4000, U, 0},
    {0x900000, 0x1000000, BR, 0},
    {0x1900000, 0x1234000, U, 0},
    {0x2b34000, 0x1000, U, 0}, /* adjacent to the one before */
    {0x2b35000, 0x5000, AR, 0},
    {0x3000000, 0x10000, RS, 0},
    {0x3fff000, 0x1000, U, 0},
    {0x4000000, 0x1000, U, 0}, /* next to it, but in another 4 MiB block */
};
/* clang-format on */

static const char *test_many_ranges(void)
{
	size_t n = KTEST_COUNT(scattered);
	struct model m;
	struct rig g;
	const char *err;
	uint64_t phys;

	KT_TRY(rig_init(&g, scattered, n, PLACE));
	/* 0x140000 frames need 11.25 MiB: only the range above 4 GiB holds them. */
	KT_EQ(g.meta_size, 0xb40000);
	KT_EQ(g.meta_phys, 0x100000000);
	model_init(&m, scattered, n);
	model_reserve(&m, g.meta_phys / PAGE - m.base_pfn, g.meta_size / PAGE);
	KT_EQ(m.frames, 0x140000);
	err = model_compare(&m, &g.b);
	if (!err)
		err = model_walk(&m, &g.b);
	/* Every page it hands out is in a USABLE range and not the metadata. */
	while (!err && buddy_alloc(&g.b, 0, &phys) == 0) {
		int ok = 0;

		for (size_t k = 0; k < n; k++)
			ok |= scattered[k].type == U && phys >= scattered[k].base &&
			      phys < scattered[k].base + scattered[k].size;
		if (!ok || (phys >= g.meta_phys && phys < g.meta_phys + g.meta_size))
			err = ktest_msg("page 0x%llx handed out", (unsigned long long)phys);
		else
			err = model_alloc(&m, phys, 0);
	}
	if (!err)
		err = model_compare(&m, &g.b);
	if (!err)
		KT_EQ(m.count[M_FREE], 0);
	model_fini(&m);
	rig_fini(&g);
	return err;
}

/* Adjacent ranges merge into one block; no merge across a hole. */
static const char *test_adjacent_merge(void)
{
	static const struct keel_mem_range r[] = {
	    {0x2000, 0x2000, U, 0},
	    {0x0, 0x2000, U, 0},
	    {0x5000, 0x1000, U, 0},
	    {0x6000, 0x2000, U, 0},
	};
	struct buddy_stats s;
	struct rig g;

	KT_TRY(rig_init(&g, r, KTEST_COUNT(r), 0x100000));
	buddy_read_stats(&g.b, &s);
	KT_EQ(s.free_blocks[2], 1); /* frames 0-3 */
	KT_EQ(s.free_blocks[1], 1); /* frames 6-7 */
	KT_EQ(s.free_blocks[0], 1); /* frame 5: its buddy, frame 4, is a hole */
	KT_EQ(s.free_pages, 7);
	rig_fini(&g);
	return NULL;
}

/* Every page handed out once; all freed in a shuffled order gives the start back. */
static const char *test_exhaust(void)
{
	size_t n = KTEST_COUNT(scattered);
	struct buddy_stats s0, s;
	struct model m;
	struct rig g;
	uint64_t phys, *pages;
	size_t count = 0;
	const char *err = NULL;

	KT_TRY(rig_init(&g, scattered, n, PLACE));
	buddy_read_stats(&g.b, &s0);
	pages = malloc(s0.free_pages * sizeof(*pages));
	while (buddy_alloc(&g.b, 0, &phys) == 0 && count < s0.free_pages)
		pages[count++] = phys;
	KT_EQ(count, s0.free_pages);
	KT_EQ(buddy_alloc(&g.b, 0, &phys), -BUDDY_ENOMEM);
	buddy_read_stats(&g.b, &s);
	KT_EQ(s.free_pages, 0);
	KT_EQ(s.used_pages, s0.free_pages);
	KT_EQ(s.used_pages + s.reserved_pages, s.managed_pages);
	for (unsigned k = 0; k <= BUDDY_MAX_ORDER; k++)
		KT_EQ(s.free_blocks[k], 0);
	ktest_rng_state = 42;
	for (size_t i = count; i > 1; i--) {
		size_t j = ktest_rng_below(i);
		uint64_t t = pages[i - 1];

		pages[i - 1] = pages[j];
		pages[j] = t;
	}
	for (size_t i = 0; i < count; i++)
		KT_EQ(buddy_free(&g.b, pages[i], 0), 0);
	buddy_read_stats(&g.b, &s);
	KT_ASSERT(stats_equal(&s, &s0));
	KT_EQ(buddy_check(&g.b), 0);

	/* Again with random orders, checked page by page against the model. */
	model_init(&m, scattered, n);
	model_reserve(&m, g.meta_phys / PAGE - m.base_pfn, g.meta_size / PAGE);
	while (!err) {
		unsigned k = order_random();
		int ret = buddy_alloc(&g.b, k, &phys);

		if (ret == 0)
			err = model_alloc(&m, phys, k);
		else if (ret != -BUDDY_ENOMEM)
			err = "buddy_alloc failed otherwise than ENOMEM";
		else if (k == 0)
			break;
	}
	if (!err) {
		KT_EQ(m.count[M_FREE], 0);
		err = model_compare(&m, &g.b);
	}
	while (!err && m.nlive > 0) {
		size_t sl = ktest_rng_below(m.nlive);

		KT_EQ(buddy_free(&g.b, model_phys(&m, m.live[sl].i), order_of(m.live[sl].pages)),
		      0);
		model_free(&m, sl);
	}
	buddy_read_stats(&g.b, &s);
	if (!err && !stats_equal(&s, &s0))
		err = "stats differ after freeing everything";
	if (!err)
		err = model_walk(&m, &g.b);
	model_fini(&m);
	free(pages);
	rig_fini(&g);
	return err;
}

/* Each bad free is refused and changes nothing. */
static const char *test_bad_free(void)
{
	static const struct keel_mem_range r[] = {
	    {4 * MIB, 4 * MIB, U, 0},
	    {12 * MIB, 1 * MIB, U, 0}, /* a hole of 4 MiB before it */
	    {14 * MIB, 1 * MIB, BR, 0},
	};
	struct buddy_stats s0, s;
	struct rig g;
	uint64_t a, p, freed;
	struct bad_free {
		uint64_t phys;
		unsigned order;
	} bad[16];
	size_t nbad = 0;

	KT_TRY(rig_init(&g, r, KTEST_COUNT(r), 4 * MIB));
	KT_EQ(buddy_alloc(&g.b, 3, &a), 0);
	KT_EQ(buddy_alloc(&g.b, 0, &p), 0);
	KT_EQ(buddy_alloc(&g.b, 0, &freed), 0);
	KT_EQ(buddy_free(&g.b, freed, 0), 0);
	buddy_read_stats(&g.b, &s0);

	bad[nbad++] = (struct bad_free){a, 2};            /* wrong order, smaller */
	bad[nbad++] = (struct bad_free){a, 4};            /* wrong order, larger */
	bad[nbad++] = (struct bad_free){a + PAGE, 0};     /* inside the block */
	bad[nbad++] = (struct bad_free){a + 4 * PAGE, 2}; /* its upper half */
	bad[nbad++] = (struct bad_free){a + 1, 3};        /* misaligned */
	bad[nbad++] = (struct bad_free){p + 8, 0};        /* misaligned */
	bad[nbad++] = (struct bad_free){freed, 0};        /* double free */
	bad[nbad++] = (struct bad_free){4 * MIB, 0};      /* reserved: the metadata */
	bad[nbad++] = (struct bad_free){14 * MIB, 0};     /* reserved: boot-reclaim */
	bad[nbad++] = (struct bad_free){9 * MIB, 0};      /* the hole, inside the window */
	bad[nbad++] = (struct bad_free){0, 0};            /* below the window */
	bad[nbad++] = (struct bad_free){15 * MIB, 0};     /* at the window's end */
	bad[nbad++] = (struct bad_free){UINT64_MAX & ~(PAGE - 1), 0};
	bad[nbad++] = (struct bad_free){a, BUDDY_MAX_ORDER + 1};
	bad[nbad++] = (struct bad_free){a, UINT32_MAX};
	for (size_t i = 0; i < nbad; i++) {
		if (buddy_free(&g.b, bad[i].phys, bad[i].order) != -BUDDY_EINVAL)
			return ktest_msg("bad free %zu (0x%llx, order %u) not refused", i,
					 (unsigned long long)bad[i].phys, bad[i].order);
		buddy_read_stats(&g.b, &s);
		KT_ASSERT(stats_equal(&s, &s0));
		KT_EQ(buddy_check(&g.b), 0);
	}
	KT_EQ(buddy_free(&g.b, a, 3), 0);
	KT_EQ(buddy_free(&g.b, a, 3), -BUDDY_EINVAL);
	KT_EQ(buddy_free(&g.b, p, 0), 0);
	KT_EQ(buddy_free(&g.b, p, 0), -BUDDY_EINVAL);
	KT_EQ(buddy_free(NULL, p, 0), -BUDDY_EINVAL);
	KT_EQ(buddy_check(&g.b), 0);
	buddy_read_stats(&g.b, &s);
	KT_EQ(s.used_pages, 0);
	rig_fini(&g);
	return NULL;
}

/* A reserve inside a free block splits it; unreserve merges it back. */
static const char *test_reserve_splits(void)
{
	static const struct keel_mem_range r[] = {{4 * MIB, 4 * MIB, U, 0}};
	struct buddy_stats s0, s;
	struct rig g;
	uint64_t page = 4 * MIB + 5 * PAGE, phys, a;

	KT_TRY(rig_init(&g, r, 1, 0));
	buddy_read_stats(&g.b, &s0);
	KT_EQ(s0.free_blocks[10], 1);
	KT_EQ(buddy_reserve(&g.b, page, 1), 0);
	buddy_read_stats(&g.b, &s);
	for (unsigned k = 0; k < BUDDY_MAX_ORDER; k++)
		KT_EQ(s.free_blocks[k], 1);
	KT_EQ(s.free_blocks[10], 0);
	KT_EQ(s.free_pages, 1023);
	KT_EQ(s.reserved_pages, 1);
	KT_EQ(buddy_check(&g.b), 0);
	/* The halves without frame 5 went back free: 4, 6, 0, 8, 16, ... 512. */
	KT_EQ(g.b.free_head[0], 4);
	KT_EQ(g.b.free_head[1], 6);
	KT_EQ(g.b.free_head[2], 0);
	for (unsigned k = 3; k < BUDDY_MAX_ORDER; k++)
		KT_EQ(g.b.free_head[k], 1u << k);
	for (int i = 0; i < 1023; i++) {
		KT_EQ(buddy_alloc(&g.b, 0, &phys), 0);
		KT_ASSERT(phys != page);
	}
	KT_EQ(buddy_alloc(&g.b, 0, &phys), -BUDDY_ENOMEM);
	for (uint64_t q = 4 * MIB; q < 8 * MIB; q += PAGE) {
		if (q != page)
			KT_EQ(buddy_free(&g.b, q, 0), 0);
	}
	KT_EQ(buddy_free(&g.b, page, 0), -BUDDY_EINVAL);
	KT_EQ(buddy_unreserve(&g.b, page, 1), 0);
	buddy_read_stats(&g.b, &s);
	KT_ASSERT(stats_equal(&s, &s0));

	/* Refused: allocated or reserved pages inside, bad ranges; nothing changes. */
	KT_EQ(buddy_alloc(&g.b, 2, &a), 0);
	KT_EQ(buddy_reserve(&g.b, page, 1), 0);
	buddy_read_stats(&g.b, &s0);
	KT_EQ(buddy_reserve(&g.b, a + PAGE, 1), -BUDDY_EBUSY);
	KT_EQ(buddy_reserve(&g.b, 4 * MIB, 1024), -BUDDY_EBUSY);
	KT_EQ(buddy_reserve(&g.b, page, 1), -BUDDY_EBUSY);
	KT_EQ(buddy_reserve(&g.b, page, 0), -BUDDY_EINVAL);
	KT_EQ(buddy_reserve(&g.b, page + 1, 1), -BUDDY_EINVAL);
	KT_EQ(buddy_reserve(&g.b, UINT64_MAX & ~(PAGE - 1), 2), -BUDDY_EINVAL);
	KT_EQ(buddy_reserve(&g.b, 0, UINT64_MAX), -BUDDY_EINVAL);
	KT_EQ(buddy_unreserve(&g.b, page, 2), -BUDDY_EINVAL); /* the next page is free */
	KT_EQ(buddy_unreserve(&g.b, a, 1), -BUDDY_EINVAL);    /* allocated */
	KT_EQ(buddy_unreserve(&g.b, 0, 1), -BUDDY_EINVAL);    /* outside */
	KT_EQ(buddy_unreserve(&g.b, page, 0), -BUDDY_EINVAL);
	buddy_read_stats(&g.b, &s);
	KT_ASSERT(stats_equal(&s, &s0));
	KT_EQ(buddy_check(&g.b), 0);

	/* Unmanaged pages in a reserve are skipped: 8 KiB of 4 MiB + 8 KiB count. */
	KT_EQ(buddy_unreserve(&g.b, page, 1), 0);
	KT_EQ(buddy_free(&g.b, a, 2), 0);
	KT_EQ(buddy_reserve(&g.b, 0, 1024 + 2), 0);
	buddy_read_stats(&g.b, &s);
	KT_EQ(s.reserved_pages, 2);
	KT_EQ(buddy_reserve(&g.b, 8 * MIB, 100), 0); /* past the window: nothing */
	KT_EQ(buddy_reserve(&g.b, 0, 10), 0);        /* before it: nothing */
	buddy_read_stats(&g.b, &s);
	KT_EQ(s.reserved_pages, 2);
	KT_EQ(s.free_pages, 1022);
	KT_EQ(buddy_check(&g.b), 0);
	rig_fini(&g);
	return NULL;
}

/* Boot-reclaim and ACPI-reclaim start reserved and merge once released. */
static const char *test_reclaim(void)
{
	static const struct keel_mem_range r[] = {
	    {4 * MIB, 2 * MIB, U, 0},
	    {6 * MIB, 1 * MIB, BR, 0},
	    {7 * MIB, 1 * MIB, AR, 0},
	};
	struct buddy_stats s;
	struct rig g;

	KT_TRY(rig_init(&g, r, KTEST_COUNT(r), 0));
	buddy_read_stats(&g.b, &s);
	KT_EQ(s.managed_pages, 1024);
	KT_EQ(s.reserved_pages, 512);
	KT_EQ(s.free_blocks[9], 1);
	KT_EQ(buddy_unreserve(&g.b, 6 * MIB, 256), 0);
	buddy_read_stats(&g.b, &s);
	KT_EQ(s.free_blocks[9], 1);
	KT_EQ(s.free_blocks[8], 1);
	KT_EQ(buddy_unreserve(&g.b, 7 * MIB, 256), 0);
	buddy_read_stats(&g.b, &s);
	KT_EQ(s.free_blocks[10], 1);
	KT_EQ(s.free_pages, 1024);
	KT_EQ(s.reserved_pages, 0);
	KT_EQ(buddy_check(&g.b), 0);
	rig_fini(&g);
	return NULL;
}

/* Bad layouts and bad metadata areas are refused; the allocator stays unusable. */
static const char *test_init_errors(void)
{
	/* size_err: what buddy_metadata_size says (it does not look for overlaps). */
	/* clang-format off */
	static const struct {
		struct keel_mem_range r[2];
		size_t n;
		int err, size_err;
	} cases[] = {
	    {{{0x1800, 0x1000, U, 0}}, 1, -BUDDY_EINVAL, -BUDDY_EINVAL}, /* base unaligned */
	    {{{0x1000, 0x1800, U, 0}}, 1, -BUDDY_EINVAL, -BUDDY_EINVAL}, /* size unaligned */
	    {{{0x1000, 0, U, 0}}, 1, -BUDDY_EINVAL, -BUDDY_EINVAL},      /* empty */
	    {{{0x1000, 0, BR, 0}}, 1, -BUDDY_EINVAL, -BUDDY_EINVAL},     /* empty reclaim */
	    {{{0xfffffffffffff000, 0x1000, U, 0}}, 1, -BUDDY_EINVAL, -BUDDY_EINVAL}, /* ends at 2^64 */
	    {{{0xfffffffffffff000, 0x2000, U, 0}}, 1, -BUDDY_EINVAL, -BUDDY_EINVAL}, /* wraps */
	    {{{0x1000, 0x1000, BR, 0}}, 1, -BUDDY_ENOMEM, -BUDDY_ENOMEM}, /* nothing usable */
	    {{{0x1000, 0x1000, MM, 0}}, 1, -BUDDY_ENOMEM, -BUDDY_ENOMEM},
	    {{{0}}, 0, -BUDDY_ENOMEM, -BUDDY_ENOMEM},
	    /* From frame 0 to frame 2^32 + 1: one frame too many for 32-bit links. */
	    {{{0x1000, 0x1000, U, 0}, {1ull << 44, 0x1000, U, 0}}, 2, -BUDDY_E2BIG, -BUDDY_E2BIG},
	    {{{0x1000, 0x3000, U, 0}, {0x3000, 0x1000, U, 0}}, 2, -BUDDY_EINVAL, 0}, /* overlap */
	    {{{0x1000, 0x3000, U, 0}, {0x3000, 0x1000, BR, 0}}, 2, -BUDDY_EINVAL, 0},
	    {{{0x1000, 0x3000, U, 0}, {0x1000, 0x3000, U, 0}}, 2, -BUDDY_EINVAL, 0}, /* twice */
	};
	/* clang-format on */
	/* A malformed range of a type it ignores does not matter. */
	static const struct keel_mem_range ignored[] = {{0x1000, 0x1000, U, 0}, {0x1801, 7, MM, 0}};
	/* The last page below 2^64 works like any other. */
	static const struct keel_mem_range top[] = {{0xffffffffffffe000, 0x1000, U, 0}};
	static const struct keel_mem_range one[] = {{4 * MIB, 4 * MIB, U, 0},
						    {8 * MIB, MIB, BR, 0}};
	static uint64_t meta[8192];
	struct buddy b;
	size_t size;
	uint64_t phys;

	for (size_t i = 0; i < KTEST_COUNT(cases); i++) {
		int err = buddy_init(&b, cases[i].r, cases[i].n, meta, sizeof(meta), 0);
		int size_err = buddy_metadata_size(cases[i].r, cases[i].n, &size);

		if (err != cases[i].err || size_err != cases[i].size_err)
			return ktest_msg("case %zu: %s / %s, expected %s / %s", i,
					 buddy_strerror(err), buddy_strerror(size_err),
					 buddy_strerror(cases[i].err),
					 buddy_strerror(cases[i].size_err));
		KT_EQ(buddy_alloc(&b, 0, &phys), -BUDDY_EINVAL);
		KT_EQ(buddy_free(&b, 0x1000, 0), -BUDDY_EINVAL);
		KT_EQ(buddy_reserve(&b, 0x1000, 1), -BUDDY_EINVAL);
		KT_EQ(buddy_unreserve(&b, 0x1000, 1), -BUDDY_EINVAL);
		KT_EQ(buddy_check(&b), -BUDDY_EINVAL);
	}
	KT_EQ(buddy_init(&b, ignored, 2, meta, sizeof(meta), 0), 0);
	KT_EQ(buddy_check(&b), 0);
	KT_EQ(buddy_init(&b, top, 1, meta, sizeof(meta), 0), 0);
	KT_EQ(buddy_alloc(&b, 0, &phys), 0);
	KT_EQ(phys, 0xffffffffffffe000);
	KT_EQ(buddy_free(&b, phys, 0), 0);
	KT_EQ(buddy_check(&b), 0);
	KT_EQ(buddy_init(NULL, one, 1, meta, sizeof(meta), 0), -BUDDY_EINVAL);
	KT_EQ(buddy_init(&b, NULL, 1, meta, sizeof(meta), 0), -BUDDY_EINVAL);
	KT_EQ(buddy_metadata_size(one, 1, NULL), -BUDDY_EINVAL);

	/* Metadata area: 1024 frames (1280 with the reclaim range) need 3 pages. */
	KT_EQ(buddy_metadata_size(one, 1, &size), 0);
	KT_EQ(size, 3 * PAGE);
	KT_EQ(buddy_metadata_size(one, 2, &size), 0);
	KT_EQ(size, 3 * PAGE);
	KT_EQ(buddy_init(&b, one, 1, meta, size - 1, 0), -BUDDY_ENOSPC);
	KT_EQ(buddy_init(&b, one, 1, NULL, size, 0), -BUDDY_ENOSPC);
	KT_EQ(buddy_init(&b, one, 1, (char *)meta + 1, size, 0), -BUDDY_ENOSPC);
	KT_EQ(buddy_init(&b, one, 1, meta, size, 4 * MIB + 1), -BUDDY_EINVAL);
	KT_EQ(buddy_init(&b, one, 1, meta, size, UINT64_MAX & ~(PAGE - 1)), -BUDDY_EINVAL);
	KT_EQ(buddy_alloc(&b, 0, &phys), -BUDDY_EINVAL);
	/* Metadata in boot-reclaim memory would be handed out once that is released. */
	KT_EQ(buddy_init(&b, one, 2, meta, size, 8 * MIB), -BUDDY_EBUSY);
	KT_EQ(buddy_alloc(&b, 0, &phys), -BUDDY_EINVAL);
	KT_EQ(buddy_init(&b, one, 2, meta, size, 4 * MIB), 0);
	KT_EQ(buddy_alloc(&b, 0, &phys), 0);
	KT_ASSERT(phys >= 4 * MIB + size && phys < 8 * MIB);
	KT_EQ(buddy_alloc(&b, BUDDY_MAX_ORDER + 1, &phys), -BUDDY_EINVAL);
	KT_EQ(buddy_alloc(&b, 0, NULL), -BUDDY_EINVAL);
	KT_EQ(buddy_alloc(NULL, 0, &phys), -BUDDY_EINVAL);
	KT_EQ(buddy_check(&b), 0);
	return NULL;
}

static const char *test_place(void)
{
	/* clang-format off */
	static const struct keel_mem_range r[] = {
	    {0x1000, 0x9f000, U, 0},   /* below 1 MiB */
	    {0xf0000, 0x20000, U, 0},  /* crosses 1 MiB: 64 KiB above it */
	    {0x200000, 0x100000, BR, 0},
	    {0x400000, 0x80000, U, 0}, /* 512 KiB */
	    {0x600000, 0x1000, 0x1801, 0},
	};
	/* clang-format on */
	size_t n = KTEST_COUNT(r);
	uint64_t phys;

	KT_EQ(buddy_metadata_place(r, n, 0x10000, &phys), 0);
	KT_EQ(phys, 0x100000);
	KT_EQ(buddy_metadata_place(r, n, 0x10001, &phys), 0); /* rounds up to 17 pages */
	KT_EQ(phys, 0x400000);
	KT_EQ(buddy_metadata_place(r, n, 0x80000, &phys), 0);
	KT_EQ(phys, 0x400000);
	KT_EQ(buddy_metadata_place(r, n, 0x90000, &phys), 0); /* only below 1 MiB */
	KT_EQ(phys, 0x1000);
	KT_EQ(buddy_metadata_place(r, n, 0xa0000, &phys), -BUDDY_ENOMEM);
	KT_EQ(buddy_metadata_place(r, n, 0, &phys), -BUDDY_EINVAL);
	KT_EQ(buddy_metadata_place(r, n, SIZE_MAX, &phys), -BUDDY_EINVAL);
	KT_EQ(buddy_metadata_place(r, n, 1, NULL), -BUDDY_EINVAL);
	KT_EQ(buddy_metadata_place(NULL, 0, 1, &phys), -BUDDY_ENOMEM);
	return NULL;
}

/*
 * buddy_check notices corruption (the in-kernel suites rely on it): each
 * case damages a fresh allocator through its public fields. Tag values are
 * buddy.c's business, so they are copied from heads of the right kind.
 */
static const char *test_check_detects_corruption(void)
{
	static const struct keel_mem_range r[] = {{4 * MIB, 8 * MIB, U, 0}};
	struct rig g;
	uint64_t a;

	for (int c = 0; c < 8; c++) {
		struct buddy *b = &g.b;
		uint32_t h;

		KT_TRY(rig_init(&g, r, 1, 0));
		KT_EQ(buddy_alloc(b, 9, &a), 0); /* leaves one free block of order 9 */
		KT_EQ(buddy_check(b), 0);
		h = b->free_head[BUDDY_MAX_ORDER];
		switch (c) {
		case 0: b->stats.free_pages++; break;
		case 1: b->stats.used_pages--; break;
		case 2: b->stats.free_blocks[3]++; break;
		case 3: b->links[h].prev = h; break;
		case 4: b->tags[h + 1] = b->tags[h]; break; /* a head inside a block */
		case 5:
			b->tags[a / PAGE - b->base_pfn + 2] = b->tags[a / PAGE - b->base_pfn];
			break;
		case 6: /* a free order-10 block also on the order-9 list */
			b->links[h].next = b->free_head[9];
			b->free_head[9] = h;
			break;
		case 7: {
			/* Split the free order-10 block into two free order-9 buddies, unmerged. */
			uint32_t lo = h, hi = h + 512, o9 = b->free_head[9];
			uint8_t tag9 = b->tags[o9];

			b->free_head[BUDDY_MAX_ORDER] = b->links[h].next;
			if (b->links[h].next != BUDDY_NIL)
				b->links[b->links[h].next].prev = BUDDY_NIL;
			b->tags[lo] = b->tags[hi] = tag9;
			b->links[lo] = (struct buddy_link){hi, BUDDY_NIL};
			b->links[hi] = (struct buddy_link){o9, lo};
			b->links[o9].prev = hi;
			b->free_head[9] = lo;
			b->stats.free_blocks[BUDDY_MAX_ORDER]--;
			b->stats.free_blocks[9] += 2;
			break;
		}
		}
		if (buddy_check(b) != -BUDDY_EINVAL) {
			rig_fini(&g);
			return ktest_msg("corruption %d not noticed", c);
		}
		rig_fini(&g);
	}
	return NULL;
}

/* The handoffs keel.efi printed under QEMU 7.2 (q35, OVMF), 128 MiB and 8 GiB. */
/* clang-format off */
static const struct keel_mem_range qemu_128m[] = {
    {0x0, 0x1000, BR, 0},
    {0x1000, 0x9e000, U, 0},
    {0x9f000, 0x1000, TR, 0},
    {0x100000, 0x706000, U, 0},
    {0x806000, 0x2000, NV, 0},
    {0x808000, 0x8000, U, 0},
    {0x810000, 0xf0000, NV, 0},
    {0x900000, 0xc00000, BR, 0},
    {0x1500000, 0x2675000, U, 0},
    {0x3b75000, 0x20000, BR, 0},
    {0x3b95000, 0x21d0000, U, 0},
    {0x5d65000, 0x11000, KR, 0},
    {0x5d76000, 0xd8000, BR, 0},
    {0x5e4e000, 0x13000, U, 0},
    {0x5e61000, 0x29000, BR, 0},
    {0x5e8a000, 0x3000, U, 0},
    {0x5e8d000, 0x1000, BR, 0},
    {0x5e8e000, 0x1000, IR, 0},
    {0x5e8f000, 0xc11000, BR, 0},
    {0x6aa0000, 0x102000, RS, 0},
    {0x6ba2000, 0x94a000, BR, 0},
    {0x74ec000, 0x280000, RS, 0},
    {0x776c000, 0x12000, AR, 0},
    {0x777e000, 0x80000, NV, 0},
    {0x77fe000, 0x602000, BR, 0},
    {0x7e00000, 0x81000, U, 0},
    {0x7e81000, 0x73000, BR, 0},
    {0x7ef4000, 0x84000, RS, 0},
    {0x7f78000, 0x88000, NV, 0},
    {0xb0000000, 0x10000000, RS, 0},
    {0xc0000000, 0x3e8000, FB, 0},
    {0xffc00000, 0x400000, MM, 0},
};
static const struct keel_mem_range qemu_8g[] = {
    {0x0, 0x1000, BR, 0},
    {0x1000, 0x9e000, U, 0},
    {0x9f000, 0x1000, TR, 0},
    {0x100000, 0x706000, U, 0},
    {0x806000, 0x2000, NV, 0},
    {0x808000, 0x8000, U, 0},
    {0x810000, 0xf0000, NV, 0},
    {0x900000, 0xc00000, BR, 0},
    {0x1500000, 0x7a675000, U, 0},
    {0x7bb75000, 0x20000, BR, 0},
    {0x7bb95000, 0x21d4000, U, 0},
    {0x7dd69000, 0x11000, KR, 0},
    {0x7dd7a000, 0xd8000, BR, 0},
    {0x7de52000, 0xe000, U, 0},
    {0x7de60000, 0x2f000, BR, 0},
    {0x7de8f000, 0x2000, U, 0},
    {0x7de91000, 0x1000, BR, 0},
    {0x7de92000, 0x1000, IR, 0},
    {0x7de93000, 0xc0d000, BR, 0},
    {0x7eaa0000, 0x102000, RS, 0},
    {0x7eba2000, 0x94a000, BR, 0},
    {0x7f4ec000, 0x280000, RS, 0},
    {0x7f76c000, 0x12000, AR, 0},
    {0x7f77e000, 0x80000, NV, 0},
    {0x7f7fe000, 0x602000, BR, 0},
    {0x7fe00000, 0x81000, U, 0},
    {0x7fe81000, 0x73000, BR, 0},
    {0x7fef4000, 0x84000, RS, 0},
    {0x7ff78000, 0x88000, NV, 0},
    {0xb0000000, 0x10000000, RS, 0},
    {0xc0000000, 0x3e8000, FB, 0},
    {0xffc00000, 0x400000, MM, 0},
    {0x100000000, 0x40000000, U, 0},
    {0x140000000, 0x4000, BR, 0},
    {0x140004000, 0x13fffc000, U, 0},
};
/* clang-format on */

/*
 * Boot as the kernel will: metadata placed by the helper, everything handed
 * out page-checked against the model, then boot-reclaim and ACPI-reclaim
 * memory released, everything handed out again and given back.
 */
static const char *boot_layout(const struct keel_mem_range *r, size_t n, uint64_t meta_size,
			       uint64_t meta_phys)
{
	struct buddy_stats s0, s;
	struct model m;
	struct rig g;
	const char *err;

	KT_TRY(rig_init(&g, r, n, PLACE));
	KT_EQ(g.meta_size, meta_size);
	KT_EQ(g.meta_phys, meta_phys);
	model_init(&m, r, n);
	model_reserve(&m, g.meta_phys / PAGE - m.base_pfn, g.meta_size / PAGE);
	err = model_compare(&m, &g.b);
	if (!err)
		err = model_walk(&m, &g.b);
	for (int pass = 0; pass < 2 && !err; pass++) {
		uint64_t phys;

		buddy_read_stats(&g.b, &s0);
		for (unsigned k = BUDDY_MAX_ORDER + 1; k-- > 0 && !err;) {
			while (!err && buddy_alloc(&g.b, k, &phys) == 0)
				err = model_alloc(&m, phys, k);
		}
		if (!err && m.count[M_FREE] != 0)
			err = "free pages left after allocating everything";
		while (!err && m.nlive > 0) {
			if (buddy_free(&g.b, model_phys(&m, m.live[0].i),
				       order_of(m.live[0].pages)) != 0)
				err = "free refused";
			model_free(&m, 0);
		}
		buddy_read_stats(&g.b, &s);
		if (!err && !stats_equal(&s, &s0))
			err = "stats differ after allocating and freeing everything";
		for (size_t k = 0; k < n && !err && pass == 0; k++) {
			if (r[k].type != BR && r[k].type != AR)
				continue;
			if (buddy_unreserve(&g.b, r[k].base, r[k].size / PAGE) != 0)
				err = "unreserve of a reclaim range refused";
			for (uint64_t i = 0; i < r[k].size / PAGE; i++)
				model_set(&m, r[k].base / PAGE - m.base_pfn + i, M_FREE);
		}
		if (!err)
			err = model_walk(&m, &g.b);
	}
	model_fini(&m);
	rig_fini(&g);
	return err;
}

static const char *test_qemu_layouts(void)
{
	/* 0x7ef4 frames * 9 bytes: 72 pages, in the first usable range above 1 MiB. */
	KT_TRY(boot_layout(qemu_128m, KTEST_COUNT(qemu_128m), 72 * PAGE, 0x100000));
	/* 10 GiB of window (the 2 GiB hole under 4 GiB included): 22.5 MiB. */
	KT_TRY(boot_layout(qemu_8g, KTEST_COUNT(qemu_8g), 5760 * PAGE, 0x1500000));
	return NULL;
}

/* ---- Random sequences against the model. ---- */

/*
 * A random layout: up to 40 ranges with gaps (some zero: adjacent ranges),
 * one large hole at most, some reclaim and unmanaged ranges, shuffled.
 */
static size_t layout_random(struct keel_mem_range *r, size_t cap)
{
	size_t n = 1 + ktest_rng_below(cap);
	uint64_t pfn = ktest_rng_below(3000);
	int big_hole = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t pages = ktest_rng_below(8) == 0 ? 1 + ktest_rng_below(20000)
							 : 1 + ktest_rng_below(2500);
		uint64_t t = ktest_rng_below(20);

		r[i].base = pfn * PAGE;
		r[i].size = pages * PAGE;
		r[i].type = t < 15 ? U : t < 17 ? BR : t < 18 ? AR : t < 19 ? RS : MM;
		r[i].reserved = 0;
		pfn += pages;
		if (ktest_rng_below(4) != 0)
			pfn += 1 + ktest_rng_below(3000);
		if (!big_hole && ktest_rng_below(10) == 0) {
			pfn += 100000 + ktest_rng_below(400000);
			big_hole = 1;
		}
	}
	for (size_t i = n; i > 1; i--) {
		size_t j = ktest_rng_below(i);
		struct keel_mem_range tmp = r[i - 1];

		r[i - 1] = r[j];
		r[j] = tmp;
	}
	return n;
}

struct counters {
	uint64_t ops, allocs, enomem, frees, bad_frees, reserves, busy, unreserves, bad_unreserves;
};

/* One random operation, its result checked against the model's prediction. */
static const char *random_step(struct model *m, struct buddy *b, int filling, struct counters *c)
{
	uint64_t r = ktest_rng_below(100), phys;
	struct buddy_stats before, after;
	int ret;

	buddy_read_stats(b, &before);
	if (r < (filling ? 65u : 35u) || m->nlive == 0) {
		unsigned k = ktest_rng_below(200) == 0 ? BUDDY_MAX_ORDER + 1 : order_random();

		ret = buddy_alloc(b, k, &phys);
		c->allocs++;
		if (k > BUDDY_MAX_ORDER) {
			KT_EQ(ret, -BUDDY_EINVAL);
		} else if (ret == 0) {
			return model_alloc(m, phys, k);
		} else {
			KT_EQ(ret, -BUDDY_ENOMEM);
			c->enomem++;
			if (model_has_free_block(m, k))
				return ktest_msg("order %u refused though a free block exists", k);
		}
	} else if (r < 90) {
		size_t s = ktest_rng_below(m->nlive);

		KT_EQ(buddy_free(b, model_phys(m, m->live[s].i), order_of(m->live[s].pages)), 0);
		model_free(m, s);
		c->frees++;
		return NULL;
	} else if (r < 95) {
		/* A free that is probably bad; the model says whether it is. */
		unsigned k = order_random();
		int64_t i;

		switch (ktest_rng_below(4)) {
		case 0: /* a live block with another order or at an inner page */
			phys = model_phys(m, m->live[ktest_rng_below(m->nlive)].i);
			if (ktest_rng_below(2))
				phys += PAGE * ktest_rng_below(8);
			break;
		case 1: phys = model_phys(m, ktest_rng_below(m->frames)); break;
		case 2: phys = ktest_rng() & ~(PAGE - 1); break;
		default:
			phys = model_phys(m, ktest_rng_below(m->frames)) + 1 +
			       ktest_rng_below(PAGE - 1);
			break;
		}
		if (ktest_rng_below(50) == 0)
			k = BUDDY_MAX_ORDER + 1 + (unsigned)ktest_rng_below(100);
		i = model_index(m, phys);
		ret = buddy_free(b, phys, k);
		if (i >= 0 && m->state[i] == M_USED && m->head[i] == (int8_t)k &&
		    k <= BUDDY_MAX_ORDER) {
			KT_EQ(ret, 0); /* it happened to be a good one */
			model_free(m, m->slot[i]);
			return NULL;
		}
		KT_EQ(ret, -BUDDY_EINVAL);
		c->bad_frees++;
	} else if (r < 98) {
		/* Reserve a short run somewhere around the window. */
		uint64_t pfn = m->base_pfn + ktest_rng_below(m->frames + 64),
			 pages = 1 + ktest_rng_below(64);
		int busy = 0;

		/* From up to 32 pages before the window to 32 pages past it. */
		phys = (pfn < 32 ? 0 : pfn - 32) * PAGE;
		for (uint64_t p = phys / PAGE; p < phys / PAGE + pages; p++) {
			int64_t i = model_index(m, p * PAGE);

			busy |= i >= 0 && (m->state[i] == M_USED || m->state[i] == M_RESERVED);
		}
		ret = buddy_reserve(b, phys, pages);
		c->reserves++;
		if (busy) {
			KT_EQ(ret, -BUDDY_EBUSY);
			c->busy++;
		} else {
			KT_EQ(ret, 0);
			for (uint64_t p = phys / PAGE; p < phys / PAGE + pages; p++) {
				int64_t i = model_index(m, p * PAGE);

				if (i < 0 || m->state[i] == M_ABSENT)
					continue;
				model_set(m, (uint64_t)i, M_RESERVED);
				if (m->nruns > 0 &&
				    m->runs[m->nruns - 1].i + m->runs[m->nruns - 1].pages ==
					(uint64_t)i)
					m->runs[m->nruns - 1].pages++;
				else
					m->runs[m->nruns++] = (struct span){(uint64_t)i, 1};
			}
			return NULL;
		}
	} else if (r < 99 && m->nruns > 0) {
		size_t s = ktest_rng_below(m->nruns);

		KT_EQ(buddy_unreserve(b, model_phys(m, m->runs[s].i), m->runs[s].pages), 0);
		for (uint64_t i = m->runs[s].i; i < m->runs[s].i + m->runs[s].pages; i++)
			model_set(m, i, M_FREE);
		m->runs[s] = m->runs[--m->nruns];
		c->unreserves++;
		return NULL;
	} else {
		/* An unreserve the model says must fail (one that would pass is skipped). */
		uint64_t first = ktest_rng_below(m->frames + 16), pages = 1 + ktest_rng_below(16);
		int ok = 1;

		for (uint64_t i = first; i < first + pages; i++)
			ok &= i < m->frames && m->state[i] == M_RESERVED;
		if (ok)
			return NULL;
		KT_EQ(buddy_unreserve(b, model_phys(m, first), pages), -BUDDY_EINVAL);
		c->bad_unreserves++;
	}
	/* Every refused call leaves the state exactly as it was. */
	buddy_read_stats(b, &after);
	KT_ASSERT(stats_equal(&before, &after));
	return NULL;
}

/* One layout, `ops` random operations, then everything given back. */
static const char *random_layout(uint64_t seed, uint64_t ops, struct counters *c)
{
	struct keel_mem_range r[40];
	struct buddy_stats s, fresh_stats;
	struct rig g, fresh;
	struct model m;
	const char *err;
	uint64_t op = 0;
	char why[512];
	size_t n;

	ktest_rng_state = seed;
	do {
		n = layout_random(r, KTEST_COUNT(r));
		err = rig_init(&g, r, n, PLACE);
	} while (err != NULL);
	model_init(&m, r, n);
	model_reserve(&m, g.meta_phys / PAGE - m.base_pfn, g.meta_size / PAGE);
	err = model_walk(&m, &g.b);
	/* Fill for 5000 operations, drain for 5000, and so on. */
	for (; op < ops && !err; op++) {
		err = random_step(&m, &g.b, (op / 5000) % 2 == 0, c);
		if (!err)
			err = model_compare(&m, &g.b);
		if (!err && op % 4096 == 4095)
			err = model_walk(&m, &g.b);
	}
	c->ops += op;

	/* Give everything back: the free lists must be those of a fresh allocator. */
	while (!err && m.nlive > 0) {
		if (buddy_free(&g.b, model_phys(&m, m.live[0].i), order_of(m.live[0].pages)) != 0)
			err = "final free refused";
		model_free(&m, 0);
	}
	while (!err && m.nruns > 0) {
		if (buddy_unreserve(&g.b, model_phys(&m, m.runs[0].i), m.runs[0].pages) != 0)
			err = "final unreserve refused";
		for (uint64_t i = m.runs[0].i; i < m.runs[0].i + m.runs[0].pages; i++)
			model_set(&m, i, M_FREE);
		m.runs[0] = m.runs[--m.nruns];
	}
	if (!err)
		err = model_walk(&m, &g.b);
	if (!err && !(err = rig_init(&fresh, r, n, g.meta_phys))) {
		buddy_read_stats(&g.b, &s);
		buddy_read_stats(&fresh.b, &fresh_stats);
		if (!stats_equal(&s, &fresh_stats))
			err = "stats differ from a fresh allocator's";
		rig_fini(&fresh);
	}
	/* Release the reclaim ranges: they merge with their usable neighbours. */
	for (size_t k = 0; k < n && !err; k++) {
		if (r[k].type != BR && r[k].type != AR)
			continue;
		if (buddy_unreserve(&g.b, r[k].base, r[k].size / PAGE) != 0)
			err = "unreserve of a reclaim range refused";
		for (uint64_t i = 0; i < r[k].size / PAGE; i++)
			model_set(&m, r[k].base / PAGE - m.base_pfn + i, M_FREE);
	}
	if (!err)
		err = model_walk(&m, &g.b);
	if (err) {
		/* err may be ktest_msg's own buffer: copy it before formatting. */
		snprintf(why, sizeof(why), "%s", err);
		err = ktest_msg("seed %llu, %llu ops done: %s", (unsigned long long)seed,
				(unsigned long long)op, why);
	}
	model_fini(&m);
	rig_fini(&g);
	return err;
}

static const char *test_random_against_model(void)
{
	static const uint64_t seeds[] = {1, 2, 3, 0x5eed, 0xdeadbeef, 77, 1234567, 99};
	struct counters c = {0};

	for (size_t i = 0; i < KTEST_COUNT(seeds); i++) {
		const char *err = random_layout(seeds[i], 40000, &c);

		if (err)
			return err;
	}
	/* The sequences must reach every path, or the test proves little. */
	KT_ASSERT(c.ops >= 200000);
	KT_ASSERT(c.enomem > 100 && c.bad_frees > 1000 && c.busy > 100);
	KT_ASSERT(c.reserves - c.busy > 100 && c.unreserves > 100 && c.bad_unreserves > 100);
	printf("# %llu ops: %llu allocs (%llu ENOMEM), %llu frees, %llu bad frees, "
	       "%llu reserves (%llu EBUSY), %llu unreserves, %llu bad unreserves\n",
	       (unsigned long long)c.ops, (unsigned long long)c.allocs,
	       (unsigned long long)c.enomem, (unsigned long long)c.frees,
	       (unsigned long long)c.bad_frees, (unsigned long long)c.reserves,
	       (unsigned long long)c.busy, (unsigned long long)c.unreserves,
	       (unsigned long long)c.bad_unreserves);
	return NULL;
}

static const struct ktest tests[] = {
    KTEST(test_strerror),
    KTEST(test_single_range),
    KTEST(test_many_ranges),
    KTEST(test_adjacent_merge),
    KTEST(test_exhaust),
    KTEST(test_bad_free),
    KTEST(test_reserve_splits),
    KTEST(test_reclaim),
    KTEST(test_qemu_layouts),
    KTEST(test_init_errors),
    KTEST(test_place),
    KTEST(test_check_detects_corruption),
    KTEST(test_random_against_model),
};

int main(void)
{
	return ktest_main(tests, KTEST_COUNT(tests));
}
