/*
 * kernel/mm/aspace.c: user address spaces (aspace.h).
 */
#include "mm/aspace.h"

#include <keel/syscall.h>

#include "arch/x86_64/cpufeatures.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/tlb_ops.h"
#include "core/boot.h"
#include "core/console.h"
#include "core/arch.h"
#include "lib/kstring.h"
#include "mm/pmm.h"
#include "mm/vm.h"

#define ASPACE_UNMAP_CHUNK (KEEL_PAGE_SIZE / sizeof(uint64_t)) /* pages per shootdown batch */

/* Address-space ids for the TLB policy: never 0, never reused. */
static uint64_t aspace_next_id = 1;

static void aspace_free_page(void *ctx, uint64_t phys)
{
	(void)ctx;
	pmm_free_pages(phys, 0);
}

static void aspace_page_gone(void *ctx, uint64_t va, uint64_t pa)
{
	struct aspace *as = ctx;

	(void)va;
	pmm_free_pages(pa, 0);
	as->pages--;
}

int aspace_create(struct aspace *as)
{
	/* Tables come from the page allocator through the direct map, as the kernel's do. */
	const struct paging_env *env = &vm_tables()->env;
	uint64_t *mine, *kernel;

	as->lock = (struct spinlock)SPINLOCK_INIT;
	as->pages = 0;
	if (paging_init(&as->tables, env) != 0)
		return -KEEL_ENOMEM;
	mine = boot_phys_to_virt(as->tables.root);
	kernel = boot_phys_to_virt(vm_tables()->root);
	for (unsigned i = 256; i < 512; i++)
		mine[i] = kernel[i];
	tlb_as_init(&as->tlb, __atomic_fetch_add(&aspace_next_id, 1, __ATOMIC_RELAXED),
		    as->tables.root);
	return 0;
}

/* Whether [va, va + size) is page-aligned, non-empty and inside the user half. */
static int aspace_check_range(uint64_t va, uint64_t size)
{
	if (size == 0 || ((va | size) & (KEEL_PAGE_SIZE - 1)))
		return -KEEL_EINVAL;
	if (va < KEEL_USER_BASE || va >= KEEL_USER_END || size > KEEL_USER_END - va)
		return -KEEL_ERANGE;
	return 0;
}

int aspace_map_anon(struct aspace *as, uint64_t va, uint64_t size, unsigned rights)
{
	uint64_t flags, off, phys;
	int err = aspace_check_range(va, size);

	if (err != 0)
		return err;
	if (rights & ~(PAGING_WRITE | PAGING_EXEC | PAGING_PKEY(0xf)))
		return -KEEL_EINVAL;
	flags = spin_lock_irqsave(&as->lock);
	for (off = 0; off < size; off += KEEL_PAGE_SIZE) {
		if (pmm_alloc_pages(0, &phys) != 0) {
			err = -KEEL_ENOMEM;
			break;
		}
		memset(boot_phys_to_virt(phys), 0, KEEL_PAGE_SIZE);
		err = paging_map(&as->tables, va + off, phys, KEEL_PAGE_SIZE, PAGING_4K,
				 rights | PAGING_USER, PAGING_CACHE_WB);
		if (err != 0) {
			pmm_free_pages(phys, 0);
			err = err == -PAGING_EEXIST ? -KEEL_EBUSY : -KEEL_ENOMEM;
			break;
		}
		as->pages++;
	}
	/* Undo the part mapped before a failure: a call maps all or nothing. */
	if (err != 0 && off != 0)
		paging_unmap(&as->tables, va, off, aspace_page_gone, as);
	spin_unlock_irqrestore(&as->lock, flags);
	return err;
}

void *aspace_kernel_view(struct aspace *as, uint64_t va)
{
	struct paging_leaf leaf;

	if (paging_lookup(&as->tables, va, &leaf) != 0 || !(leaf.rights & PAGING_USER))
		return NULL;
	return boot_phys_to_virt(leaf.phys);
}

void aspace_destroy(struct aspace *as)
{
	struct paging_free_ops ops = {as, aspace_free_page, aspace_page_gone};
	uint64_t flags = arch_irq_save();

	/*
	 * No CPU runs it (its last thread is switched away from). Slots of other
	 * CPUs that still name it can never match again: ids are not reused.
	 * This CPU's slot is freed at once.
	 */
	if (tlb_as_fini(&as->tlb) != 0)
		kprintf("aspace: warning: an address space freed while a CPU runs it\n");
	pcid_cache_forget(&percpu_this()->pcid, &as->tlb);
	arch_irq_restore(flags);
	paging_free_lower(&as->tables, &ops);
	pmm_free_pages(as->tables.root, 0);
}

void aspace_init_this_cpu(void)
{
	struct percpu *p = percpu_this();

	pcid_cache_init(&p->pcid, p->index, cpufeatures_on(CPUFEATURE_PCID), vm_tables()->root,
			&tlb_ops_kernel, NULL);
}

void aspace_switch(struct aspace *as)
{
	if (pcid_switch_to(&percpu_this()->pcid, as ? &as->tlb : NULL) != 0)
		kprintf("aspace: warning: CR3 refused an address space\n");
}

/* The pages one unmap batch takes out, freed only after its shootdown. */
struct aspace_unmapped {
	struct aspace *as;
	uint64_t *phys;
	size_t count;
};

static void aspace_collect(void *ctx, uint64_t va, uint64_t pa)
{
	struct aspace_unmapped *u = ctx;

	(void)va;
	u->phys[u->count++] = pa;
	u->as->pages--;
}

int aspace_unmap(struct aspace *as, uint64_t va, uint64_t size)
{
	struct aspace_unmapped u = {as, NULL, 0};
	struct tlb_shootdown batch;
	uint64_t list, flags, chunk;
	int err = aspace_check_range(va, size);

	if (err != 0)
		return err;
	if (pmm_alloc_pages(0, &list) != 0)
		return -KEEL_ENOMEM;
	u.phys = boot_phys_to_virt(list);
	for (uint64_t off = 0; off < size && err == 0; off += chunk) {
		chunk = size - off;
		if (chunk > ASPACE_UNMAP_CHUNK * KEEL_PAGE_SIZE)
			chunk = ASPACE_UNMAP_CHUNK * KEEL_PAGE_SIZE;
		u.count = 0;
		/*
		 * The PTEs go first, then one shootdown for the batch (the CPUs
		 * running this address space now), and only then are the pages
		 * free: until every CPU has flushed, a stale entry may still reach
		 * them.
		 */
		flags = spin_lock_irqsave(&as->lock);
		err = paging_unmap(&as->tables, va + off, chunk, aspace_collect, &u);
		tlb_batch_init(&batch, &as->tlb);
		if (err == 0 && u.count)
			tlb_batch_add(&batch, va + off, chunk / KEEL_PAGE_SIZE);
		tlb_batch_finish(&percpu_this()->pcid, &batch);
		spin_unlock_irqrestore(&as->lock, flags);
		for (size_t i = 0; i < u.count; i++)
			pmm_free_pages(u.phys[i], 0);
		if (err != 0)
			err = -KEEL_EINVAL;
	}
	pmm_free_pages(list, 0);
	return err;
}

int aspace_map_pages(struct aspace *as, uint64_t va, const uint64_t *phys, uint64_t npages,
		     unsigned rights, unsigned cache)
{
	uint64_t flags, i;
	int err;

	if (npages > KEEL_USER_END / KEEL_PAGE_SIZE)
		return -KEEL_ERANGE;
	err = aspace_check_range(va, npages * KEEL_PAGE_SIZE);
	if (err != 0)
		return err;
	if (rights & ~(PAGING_WRITE | PAGING_EXEC | PAGING_PKEY(0xf)) || cache > PAGING_CACHE_MAX)
		return -KEEL_EINVAL;
	flags = spin_lock_irqsave(&as->lock);
	for (i = 0; i < npages; i++) {
		err = paging_map(&as->tables, va + i * KEEL_PAGE_SIZE, phys[i], KEEL_PAGE_SIZE,
				 PAGING_4K, rights | PAGING_USER, cache);
		if (err != 0) {
			err = err == -PAGING_EEXIST ? -KEEL_EBUSY : -KEEL_ENOMEM;
			break;
		}
	}
	/*
	 * Undo the part mapped before a failure. Those entries were never
	 * visible to anyone but a racing thread of this process, and it could
	 * only have reached pages it is allowed to map anyway; no flush is owed
	 * for entries that were never present before, but one costs little.
	 */
	if (err != 0 && i != 0) {
		struct tlb_shootdown batch;

		paging_unmap(&as->tables, va, i * KEEL_PAGE_SIZE, NULL, NULL);
		tlb_batch_init(&batch, &as->tlb);
		tlb_batch_add(&batch, va, i);
		tlb_batch_finish(&percpu_this()->pcid, &batch);
	}
	spin_unlock_irqrestore(&as->lock, flags);
	return err;
}

int aspace_unmap_pages(struct aspace *as, const struct aspace_range *r, size_t n)
{
	struct tlb_shootdown batch;
	uint64_t flags;
	int err;

	for (size_t i = 0; i < n; i++)
		if ((err = aspace_check_range(r[i].va, r[i].size)) != 0)
			return err;
	/* The PTEs go, then one shootdown for every range; the pages are the owner's to free. */
	flags = spin_lock_irqsave(&as->lock);
	tlb_batch_init(&batch, &as->tlb);
	for (size_t i = 0; i < n; i++) {
		paging_unmap(&as->tables, r[i].va, r[i].size, NULL, NULL);
		tlb_batch_add(&batch, r[i].va, r[i].size / KEEL_PAGE_SIZE);
	}
	tlb_batch_finish(&percpu_this()->pcid, &batch);
	spin_unlock_irqrestore(&as->lock, flags);
	return 0;
}
