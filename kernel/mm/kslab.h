/*
 * kernel/mm/kslab.h: the kernel's slab caches: a slab cache (mm/slab.h) whose
 * slabs come from the page allocator (mm/pmm.h) through the direct map, with
 * one spinlock per cache.
 *
 * Locking: every call takes the cache's lock with interrupts off (an
 * interrupt handler may allocate), so calls on one cache are serialised and
 * calls on different caches run in parallel. The page allocator is called
 * with that lock held: its lock nests inside every cache lock, never the
 * other way round.
 */
#ifndef KEEL_MM_KSLAB_H
#define KEEL_MM_KSLAB_H

#include <stddef.h>
#include <stdint.h>

#include "core/spinlock.h"
#include "mm/slab.h"

struct kslab_cache {
	struct spinlock lock; /* protects `cache` and every slab it holds */
	struct slab_cache cache;
};

/* As slab_cache_init, with the page allocator as provider. */
int kslab_cache_init(struct kslab_cache *kc, const char *name, size_t object_size, size_t align);

/* As slab_alloc: an object, or NULL when the page allocator has no pages. */
void *kslab_alloc(struct kslab_cache *kc);

/* As slab_free: 0, or -SLAB_EFOREIGN, -SLAB_EINTERIOR, -SLAB_EDOUBLE, -SLAB_EINVAL. */
int kslab_free(struct kslab_cache *kc, void *ptr);

/* As slab_cache_shrink: the pages given back to the page allocator. */
uint64_t kslab_cache_shrink(struct kslab_cache *kc);

/* As slab_cache_destroy: -SLAB_EBUSY while objects are in use. */
int kslab_cache_destroy(struct kslab_cache *kc);

void kslab_cache_stats(struct kslab_cache *kc, struct slab_stats *out);

/* As slab_cache_check (O(slabs), with the lock held throughout). */
int kslab_cache_check(struct kslab_cache *kc);

#endif
