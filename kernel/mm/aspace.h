/*
 * kernel/mm/aspace.h: user address spaces. Each has its own PML4 whose
 * kernel half (entries 256-511) is copied from the kernel's tables, so every
 * address space maps the kernel alike; the lower half holds the process's
 * pages, from the page allocator, owned by the address space and freed with
 * it.
 *
 * Invariant: the kernel half of the kernel's PML4 never changes after
 * vm_init (new kernel mappings go into tables that already exist under it),
 * so the copies taken here never go stale.
 *
 * Locking: aspace->lock guards the lower-half tables and the page count.
 */
#ifndef KEEL_MM_ASPACE_H
#define KEEL_MM_ASPACE_H

#include <stddef.h>
#include <stdint.h>

#include "arch/x86_64/paging.h"
#include "core/spinlock.h"
#include "mm/tlbpolicy.h"

struct aspace {
	struct spinlock lock;
	struct paging tables;
	struct tlb_as tlb; /* its generation and the CPUs running it (DESIGN.md §4) */
	uint64_t pages;    /* user pages mapped (each owned by this address space) */
};

/* A new, empty address space: 0, or -KEEL_ENOMEM. */
int aspace_create(struct aspace *as);

/*
 * Map `size` bytes at va (page-aligned, in the user half) to fresh zeroed
 * pages with `rights` (PAGING_WRITE / _EXEC, a PAGING_PKEY). 0, or
 * -KEEL_ERANGE, -KEEL_EINVAL, -KEEL_EBUSY (something mapped there already:
 * what this call mapped before is undone), -KEEL_ENOMEM.
 */
int aspace_map_anon(struct aspace *as, uint64_t va, uint64_t size, unsigned rights);

/*
 * The kernel's view of the user page at va (direct map), for loading an
 * image into it before the process runs: NULL when nothing is mapped there.
 */
void *aspace_kernel_view(struct aspace *as, uint64_t va);

/* Free every user page and table. No CPU may run the address space any more. */
void aspace_destroy(struct aspace *as);

/*
 * Make `as` (NULL: the kernel's own tables) this CPU's address space, through
 * its PCID slot cache: a switch back to an address space whose slot is
 * current keeps its TLB entries. Interrupts off.
 */
void aspace_switch(struct aspace *as);

/*
 * Unmap [va, va + size) and free the pages, with one TLB shootdown per batch
 * to the CPUs running the address space now (none to those that only cached
 * it). 0, or -KEEL_EINVAL, -KEEL_ERANGE.
 */
int aspace_unmap(struct aspace *as, uint64_t va, uint64_t size);

/*
 * Map the npages pages phys[0..npages) at va (page-aligned, in the user
 * half) with `rights` (PAGING_WRITE / _EXEC, a PAGING_PKEY) and memory type
 * `cache` (PAGING_CACHE_*: WB for RAM, UC or WC for device memory). The pages stay
 * their owner's (a memory object): the address space neither counts nor
 * frees them. All or nothing: 0, or -KEEL_ERANGE, -KEEL_EINVAL, -KEEL_EBUSY
 * (something mapped there already), -KEEL_ENOMEM.
 */
int aspace_map_pages(struct aspace *as, uint64_t va, const uint64_t *phys, uint64_t npages,
		     unsigned rights, unsigned cache);

/* One range for aspace_unmap_pages. */
struct aspace_range {
	uint64_t va, size;
};

/*
 * Unmap n ranges (each checked as aspace_unmap checks its one) of pages
 * mapped with aspace_map_pages, WITHOUT freeing them, with one TLB shootdown
 * for all of them. When it returns no CPU can reach the pages through this
 * address space any more. 0, or -KEEL_EINVAL, -KEEL_ERANGE (then nothing is
 * unmapped).
 */
int aspace_unmap_pages(struct aspace *as, const struct aspace_range *r, size_t n);

/* Set up this CPU's PCID slot cache (every CPU, once, before its first switch). */
void aspace_init_this_cpu(void);

#endif
