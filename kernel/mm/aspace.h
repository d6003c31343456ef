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

#include <stdint.h>

#include "arch/x86_64/paging.h"
#include "core/spinlock.h"

struct aspace {
	struct spinlock lock;
	struct paging tables;
	uint64_t pages; /* user pages mapped (each owned by this address space) */
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

/* Make it this CPU's address space (CR3; flushes for now: PCID comes with tlbpolicy). */
void aspace_activate(struct aspace *as);

/* The kernel's own tables on this CPU (after the last thread of a process ran). */
void aspace_activate_kernel(void);

#endif
