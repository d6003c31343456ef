/*
 * kernel/mm/aspace.c: user address spaces (aspace.h).
 */
#include "mm/aspace.h"

#include <keel/syscall.h>

#include "arch/x86_64/tlb.h"
#include "core/boot.h"
#include "lib/kstring.h"
#include "mm/pmm.h"
#include "mm/vm.h"

static int aspace_alloc_table(void *ctx, uint64_t *phys)
{
	(void)ctx;
	return pmm_alloc_pages(0, phys);
}

static uint64_t *aspace_table_at(void *ctx, uint64_t phys)
{
	(void)ctx;
	return boot_phys_to_virt(phys);
}

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
	struct paging_env env = {NULL, aspace_alloc_table, aspace_table_at, vm_tables()->env.nx};
	uint64_t *mine, *kernel;

	as->lock = (struct spinlock)SPINLOCK_INIT;
	as->pages = 0;
	if (paging_init(&as->tables, &env) != 0)
		return -KEEL_ENOMEM;
	mine = boot_phys_to_virt(as->tables.root);
	kernel = boot_phys_to_virt(vm_tables()->root);
	for (unsigned i = 256; i < 512; i++)
		mine[i] = kernel[i];
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

	paging_free_lower(&as->tables, &ops);
	pmm_free_pages(as->tables.root, 0);
}

/*
 * Until the PCID policy is wired in, every switch loads CR3 with PCID 0 and
 * flushes its non-global entries: the kernel's (global) survive, nothing of
 * the previous address space does.
 */
void aspace_activate(struct aspace *as)
{
	tlb_load_cr3(as->tables.root, 0, false);
}

void aspace_activate_kernel(void)
{
	tlb_load_cr3(vm_tables()->root, 0, false);
}
