/*
 * kernel/mm/kslab.c: slab caches over the page allocator (kslab.h). Each call
 * is the pure one (mm/slab.c) inside the cache's lock.
 */
#include "mm/kslab.h"

#include "core/boot.h"
#include "mm/pmm.h"

static int kslab_pages_alloc(void *ctx, unsigned order, uint64_t *phys)
{
	(void)ctx;
	return pmm_alloc_pages(order, phys);
}

static int kslab_pages_free(void *ctx, uint64_t phys, unsigned order)
{
	(void)ctx;
	return pmm_free_pages(phys, order);
}

/* Buddy blocks are aligned to their size, and so is the direct map's base. */
static void *kslab_pages_virt(void *ctx, uint64_t phys)
{
	(void)ctx;
	return boot_phys_to_virt(phys);
}

static const struct slab_provider kslab_pmm = {kslab_pages_alloc, kslab_pages_free,
					       kslab_pages_virt, NULL};

int kslab_cache_init(struct kslab_cache *kc, const char *name, size_t object_size, size_t align)
{
	if (kc == NULL)
		return -SLAB_EINVAL;
	kc->lock = (struct spinlock)SPINLOCK_INIT;
	return slab_cache_init(&kc->cache, name, object_size, align, &kslab_pmm);
}

void *kslab_alloc(struct kslab_cache *kc)
{
	uint64_t flags = spin_lock_irqsave(&kc->lock);
	void *p = slab_alloc(&kc->cache);

	spin_unlock_irqrestore(&kc->lock, flags);
	return p;
}

int kslab_free(struct kslab_cache *kc, void *ptr)
{
	uint64_t flags = spin_lock_irqsave(&kc->lock);
	int err = slab_free(&kc->cache, ptr);

	spin_unlock_irqrestore(&kc->lock, flags);
	return err;
}

uint64_t kslab_cache_shrink(struct kslab_cache *kc)
{
	uint64_t flags = spin_lock_irqsave(&kc->lock);
	uint64_t pages = slab_cache_shrink(&kc->cache);

	spin_unlock_irqrestore(&kc->lock, flags);
	return pages;
}

int kslab_cache_destroy(struct kslab_cache *kc)
{
	uint64_t flags = spin_lock_irqsave(&kc->lock);
	int err = slab_cache_destroy(&kc->cache);

	spin_unlock_irqrestore(&kc->lock, flags);
	return err;
}

void kslab_cache_stats(struct kslab_cache *kc, struct slab_stats *out)
{
	uint64_t flags = spin_lock_irqsave(&kc->lock);

	slab_cache_stats(&kc->cache, out);
	spin_unlock_irqrestore(&kc->lock, flags);
}

int kslab_cache_check(struct kslab_cache *kc)
{
	uint64_t flags = spin_lock_irqsave(&kc->lock);
	int err = slab_cache_check(&kc->cache);

	spin_unlock_irqrestore(&kc->lock, flags);
	return err;
}
