/*
 * kernel/mm/slab.h: caches of fixed-size kernel objects (DESIGN.md §3), carved
 * from slabs of 2^order pages that a page provider hands out (in the kernel,
 * the buddy allocator through kernel/mm/kslab.h). Pure logic: no globals, no
 * lock, no arch code, so the same file runs in the kernel and in the host test
 * (tests/unit/test_slab.c), where the provider is malloc.
 *
 * Layout. A slab is one provider block of SLAB_BYTES(order) bytes, aligned to
 * its size in virtual memory (buddy blocks are aligned to their size, and the
 * direct map keeps that alignment). It starts with its header (struct slab and
 * a free bitmap, one bit per object), then the objects, each `stride` bytes
 * (the object size rounded up to the alignment) from the first, which sits at
 * the first multiple of the alignment after the header. Objects hold no
 * allocator data at all: a use after free or an overrun inside an object
 * cannot corrupt a free list, and an object's contents are exactly what its
 * user wrote.
 *
 * Order. The smallest order, up to SLAB_MAX_ORDER, whose waste (header plus
 * tail that holds no whole object) is at most 1/8 of the slab; failing that,
 * the order with the least waste. 24-byte objects: order 0, 167 per slab;
 * 2048: order 2, 7 per slab; 3000: order 2, 5 per slab.
 *
 * Checked frees. A pointer is found in O(1 + slabs / SLAB_HASH_BUCKETS) by
 * rounding it down to the slab size and looking that address up in the
 * cache's hash of its own slabs: no memory at a foreign address is ever read,
 * so a pointer into another cache, the stack or unmapped space is refused
 * (-SLAB_EFOREIGN), and so is one that is not the start of an object
 * (-SLAB_EINTERIOR) or whose object is already free (-SLAB_EDOUBLE: the free
 * bitmap). A refused free changes nothing.
 *
 * Empty slabs. At most one empty slab stays in the cache, so that an
 * alloc / free pair at a slab's edge does not call the provider each time;
 * a slab that becomes empty while another is cached goes straight back to
 * the provider, and slab_cache_shrink gives the cached one back too.
 *
 * Locking: none here. The caller serialises every call on one cache
 * (kernel/mm/kslab.h holds one spinlock per cache).
 */
#ifndef KEEL_MM_SLAB_H
#define KEEL_MM_SLAB_H

#include <stddef.h>
#include <stdint.h>

#include <keel/boot.h>

/* Slabs of at most 2^3 pages (32 KiB): larger objects belong to the buddy allocator. */
#define SLAB_MAX_ORDER    3
#define SLAB_BYTES(order) ((size_t)KEEL_PAGE_SIZE << (order))

/* Objects up to a quarter of the largest slab (8 KiB), aligned to at most a page. */
#define SLAB_MAX_OBJECT (SLAB_BYTES(SLAB_MAX_ORDER) / 4)
#define SLAB_MAX_ALIGN  ((size_t)KEEL_PAGE_SIZE)
#define SLAB_MIN_ALIGN  8 /* align 0 asks for this */

/* Buckets of the slab hash (one pointer each, inside struct slab_cache). */
#define SLAB_HASH_BUCKETS 64

/* Errors, returned negated (-SLAB_EFOREIGN). Until include/keel/syscall.h exists. */
#define SLAB_EINVAL    1 /* bad argument: size, alignment, NULL, cache not set up */
#define SLAB_EFOREIGN  2 /* free of a pointer in none of this cache's slabs */
#define SLAB_EINTERIOR 3 /* free of a pointer inside a slab but not at an object's start */
#define SLAB_EDOUBLE   4 /* free of an object that is already free */
#define SLAB_EBUSY     5 /* destroy of a cache with objects still in use */
#define SLAB_ECORRUPT  6 /* slab_cache_check found a broken invariant */
#define SLAB_ELAST     SLAB_ECORRUPT

/*
 * Where slabs come from. alloc_pages gives 2^order pages in *phys (0, or
 * negative when there are none), free_pages takes them back, phys_to_virt
 * says where the cache reaches them. ctx is passed to each.
 */
struct slab_provider {
	int (*alloc_pages)(void *ctx, unsigned order, uint64_t *phys);
	int (*free_pages)(void *ctx, uint64_t phys, unsigned order);
	void *(*phys_to_virt)(void *ctx, uint64_t phys);
	void *ctx;
};

/* Accounting, exact after every call. */
struct slab_stats {
	uint64_t objects_in_use; /* handed out by slab_alloc, not yet freed */
	uint64_t objects_free;   /* free places in the slabs held */
	uint64_t slabs;          /* slabs held, the cached empty one included */
	uint64_t empty_slabs;    /* 0 or 1 */
	uint64_t pages;          /* pages held: slabs << order */
	uint64_t alloc_failures; /* slab_alloc calls the provider could not serve */
	size_t object_size, stride, objects_per_slab;
	unsigned order;
};

/*
 * The header at the start of every slab. `free` has one bit per object, set
 * while the object is free; bits past objects_per_slab stay clear.
 */
struct slab {
	struct slab *next, *prev; /* on the cache's partial or full list */
	struct slab *hash_next;   /* in the cache's hash bucket */
	const struct slab_cache *cache;
	uint64_t phys;   /* what the provider returned */
	uint32_t in_use; /* objects handed out */
	uint32_t hint;   /* no free bit in free[] words below this one */
	uint64_t free[]; /* ceil(objects_per_slab / 64) words */
};

/*
 * One cache. Invariants between calls (slab_cache_check verifies them all):
 * - every slab held is in exactly one hash bucket (by its address) and is
 *   either on `partial` (0 < in_use < per slab), on `full` (in_use == per
 *   slab) or the one `empty` slab (in_use == 0);
 * - a slab's in_use plus its set free bits is objects_per_slab;
 * - the statistics are the sums over the slabs.
 */
struct slab_cache {
	const char *name;
	struct slab_provider provider;
	size_t object_size, align, stride;
	size_t first;      /* offset of object 0 in a slab */
	uint32_t per_slab; /* objects per slab; 0 while not set up */
	uint32_t words;    /* words of a slab's free bitmap */
	unsigned order;
	struct slab *partial, *full, *empty;
	struct slab *hash[SLAB_HASH_BUCKETS];
	struct slab_stats stats;
};

/*
 * Set up *c for objects of object_size bytes (1..SLAB_MAX_OBJECT) aligned to
 * `align` (a power of two up to SLAB_MAX_ALIGN, or 0 for SLAB_MIN_ALIGN),
 * taking slabs from *provider (copied). `name` is kept, not copied. Takes no
 * memory yet. 0, or -SLAB_EINVAL (and *c unusable: every call on it fails).
 */
int slab_cache_init(struct slab_cache *c, const char *name, size_t object_size, size_t align,
		    const struct slab_provider *provider);

/*
 * A free object (contents undefined), or NULL when the provider has no pages
 * for a new slab or c is not set up. O(1) but for a new slab's set-up.
 */
void *slab_alloc(struct slab_cache *c);

/*
 * Give back an object slab_alloc returned. 0, or -SLAB_EFOREIGN,
 * -SLAB_EINTERIOR, -SLAB_EDOUBLE (see above), -SLAB_EINVAL for NULL; a refused
 * free changes nothing.
 */
int slab_free(struct slab_cache *c, void *ptr);

/* Give the cached empty slab back to the provider; the pages given back. */
uint64_t slab_cache_shrink(struct slab_cache *c);

/*
 * Shrink and forget the cache. -SLAB_EBUSY (and nothing changes) while any
 * object is in use; 0 and *c unusable after.
 */
int slab_cache_destroy(struct slab_cache *c);

/* Copy the accounting into *out. */
void slab_cache_stats(const struct slab_cache *c, struct slab_stats *out);

/*
 * Verify every invariant above. 0, or -SLAB_ECORRUPT (-SLAB_EINVAL when c is
 * not set up). O(slabs * bitmap words): for tests and debugging.
 */
int slab_cache_check(const struct slab_cache *c);

/* A message for 0 or a negative SLAB_E* code. */
const char *slab_strerror(int err);

#endif
