/*
 * kernel/mm/pmm.h: the kernel's physical page allocator: one buddy allocator
 * (mm/buddy.h) over the handoff's ranges, its metadata in usable memory that
 * the kernel reaches through the direct map.
 *
 * USABLE memory is free from pmm_init on. BOOT_RECLAIM and ACPI_RECLAIM
 * memory is managed but starts reserved: it holds the handoff, the stub's page
 * tables and stack, and the ACPI tables, which the kernel still uses; it is
 * released once they are no longer needed: boot-reclaim memory by
 * pmm_release_boot_reclaim, ACPI memory not yet.
 *
 * Locking: one spinlock (pmm.c) guards every call after pmm_init, which runs
 * on the boot CPU before the others start. Callable from any CPU, also with
 * interrupts off.
 */
#ifndef KEEL_MM_PMM_H
#define KEEL_MM_PMM_H

#include <stddef.h>
#include <stdint.h>

#include <keel/boot.h>
#include <keel/syscall.h>

#include "mm/buddy.h"

/*
 * Set the allocator up over the `n` checked ranges of a handoff whose direct
 * map covers direct_map_size bytes. 0, or a negative buddy error with the
 * reason in why.
 */
int pmm_init(const struct keel_mem_range *r, size_t n, uint64_t direct_map_size, char *why,
	     size_t why_size);

/*
 * 2^order contiguous pages, aligned to their size: 0 and *phys (never 0:
 * physical page 0 is kept out), or -BUDDY_ENOMEM.
 */
int pmm_alloc_pages(unsigned order, uint64_t *phys);

/* Give back a block from pmm_alloc_pages; a bad free is refused (negative). */
int pmm_free_pages(uint64_t phys, unsigned order);

/*
 * Release every BOOT_RECLAIM range of the `n` ranges (those pmm_init got) to
 * the free pool, except physical page 0. Only once nothing uses the handoff,
 * the stub's page tables or its stack any more. The pages released in
 * *pages; 0, or a negative buddy error (with what was released before it).
 */
int pmm_release_boot_reclaim(const struct keel_mem_range *r, size_t n, uint64_t *pages);

void pmm_read_stats(struct buddy_stats *out);

/* What KEEL_INFO_MEMORY tells user space (include/keel/syscall.h), from pmm_read_stats. */
void pmm_memory_info(struct keel_memory_info *out);

/* Bytes of metadata the allocator uses, and where (physical). */
uint64_t pmm_metadata_bytes(void);
uint64_t pmm_metadata_phys(void);

/* One boot line: free and reserved memory, where the metadata is. */
void pmm_print_summary(void);

/* Every invariant of the allocator (O(pages)): 0 when they all hold. */
int pmm_check(void);

#endif
