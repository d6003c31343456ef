/*
 * kernel/mm/pmm.c: the physical page allocator (pmm.h).
 */
#include "mm/pmm.h"

#include "core/boot.h"
#include "core/console.h"
#include "core/spinlock.h"
#include "lib/fmt.h"

/*
 * The one allocator. pmm_lock guards pmm_buddy (every buddy call after
 * pmm_init, which runs before any other CPU starts). Interrupts are off while
 * it is held, so that an interrupt handler that allocates cannot deadlock on
 * its own CPU; buddy calls are O(orders), so the hold is short.
 */
static struct spinlock pmm_lock = SPINLOCK_INIT;
static struct buddy pmm_buddy;
static size_t pmm_meta_size;
static uint64_t pmm_meta_phys;

int pmm_init(const struct keel_mem_range *r, size_t n, uint64_t direct_map_size, char *why,
	     size_t why_size)
{
	size_t size;
	uint64_t phys;
	int err;

	err = buddy_metadata_size(r, n, &size);
	if (err == 0)
		err = buddy_metadata_place(r, n, size, &phys);
	if (err != 0) {
		fmt_snprintf(why, why_size, "no room for the allocator's metadata: %s",
			     buddy_strerror(err));
		return err;
	}
	/* The stub maps all RAM (DESIGN.md §2); a handoff that says otherwise is not trusted. */
	if (!boot_phys_in_direct_map(phys, size, direct_map_size)) {
		fmt_snprintf(why, why_size,
			     "metadata at 0x%llx + %zu bytes is outside the direct map",
			     (unsigned long long)phys, size);
		return -BUDDY_ENOSPC;
	}
	err = buddy_init(&pmm_buddy, r, n, boot_phys_to_virt(phys), size, phys);
	if (err != 0) {
		fmt_snprintf(why, why_size, "%s", buddy_strerror(err));
		return err;
	}
	/*
	 * Physical page 0 is never handed out: 0 reads as "no page" to callers
	 * (and holds the real-mode vector table). Not managed, or already
	 * reserved (boot-reclaim), is just as good: only success or -EBUSY.
	 */
	err = buddy_reserve(&pmm_buddy, 0, 1);
	if (err != 0 && err != -BUDDY_EBUSY) {
		fmt_snprintf(why, why_size, "cannot keep page 0 out: %s", buddy_strerror(err));
		return err;
	}
	pmm_meta_size = size;
	pmm_meta_phys = phys;
	return 0;
}

int pmm_alloc_pages(unsigned order, uint64_t *phys)
{
	uint64_t flags = spin_lock_irqsave(&pmm_lock);
	int err = buddy_alloc(&pmm_buddy, order, phys);

	spin_unlock_irqrestore(&pmm_lock, flags);
	return err;
}

int pmm_free_pages(uint64_t phys, unsigned order)
{
	uint64_t flags = spin_lock_irqsave(&pmm_lock);
	int err = buddy_free(&pmm_buddy, phys, order);

	spin_unlock_irqrestore(&pmm_lock, flags);
	return err;
}

int pmm_release_boot_reclaim(const struct keel_mem_range *r, size_t n, uint64_t *pages)
{
	uint64_t flags = spin_lock_irqsave(&pmm_lock);
	int err = 0;

	*pages = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t base = r[i].base, count = r[i].size / KEEL_PAGE_SIZE;

		if (r[i].type != KEEL_RANGE_BOOT_RECLAIM)
			continue;
		/* Page 0 stays reserved for good (pmm_init). */
		if (base == 0) {
			base = KEEL_PAGE_SIZE;
			count--;
		}
		if (count == 0)
			continue;
		err = buddy_unreserve(&pmm_buddy, base, count);
		if (err != 0)
			break;
		*pages += count;
	}
	spin_unlock_irqrestore(&pmm_lock, flags);
	return err;
}

void pmm_read_stats(struct buddy_stats *out)
{
	uint64_t flags = spin_lock_irqsave(&pmm_lock);

	buddy_read_stats(&pmm_buddy, out);
	spin_unlock_irqrestore(&pmm_lock, flags);
}

void pmm_memory_info(struct keel_memory_info *out)
{
	struct buddy_stats st;

	pmm_read_stats(&st);
	out->total_pages = st.managed_pages;
	out->free_pages = st.free_pages;
}

uint64_t pmm_metadata_bytes(void)
{
	return pmm_meta_size;
}

uint64_t pmm_metadata_phys(void)
{
	return pmm_meta_phys;
}

int pmm_check(void)
{
	uint64_t flags = spin_lock_irqsave(&pmm_lock);
	int err = buddy_check(&pmm_buddy);

	spin_unlock_irqrestore(&pmm_lock, flags);
	return err;
}

void pmm_print_summary(void)
{
	struct buddy_stats st;

	pmm_read_stats(&st);
	kprintf("pmm: %llu MiB free (%llu pages), %llu MiB reserved until reclaimed, metadata "
		"%zu KiB at 0x%llx\n",
		(unsigned long long)(st.free_pages >> 8), (unsigned long long)st.free_pages,
		(unsigned long long)(st.reserved_pages >> 8), pmm_meta_size >> 10,
		(unsigned long long)pmm_meta_phys);
}
