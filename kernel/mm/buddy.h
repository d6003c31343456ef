/*
 * kernel/mm/buddy.h: the physical page allocator, a binary buddy system over
 * 4 KiB page frames (DESIGN.md §3). Pure logic: no globals, no assembly, and
 * it never dereferences the physical addresses it manages, so the same file
 * runs in the kernel and in the host test (tests/unit/test_buddy.c).
 *
 * Terms. A frame is one 4 KiB page, named by its index in the window: the
 * frames from the managed page with the lowest address, rounded down to a
 * block of the largest order, to the managed page with the highest address.
 * A block of order k is 2^k frames whose first frame number is a multiple
 * of 2^k. Every managed frame belongs to exactly one block at any time: a free
 * block (on the free list of its order), an allocated block (handed out by
 * buddy_alloc, given back by buddy_free) or a reserved page (an order-0 block
 * that neither call hands out or takes back: the metadata, boot-reclaim
 * memory until it is released, pages reserved by the kernel).
 *
 * The caller provides the metadata area: one struct buddy_link and one tag
 * byte per frame of the window (9 bytes per 4 KiB, 0.22 %), sized by
 * buddy_metadata_size and placed by buddy_metadata_place in usable memory.
 * Free lists run through the links, never through the free pages themselves.
 *
 * Locking: none here. The caller serialises every call on one struct buddy.
 * When the kernel goes SMP, one spinlock per struct buddy will protect
 * everything in it and in its metadata (free lists, tags, statistics); per-CPU
 * caches of order-0 pages can sit in front of it to keep that lock cold.
 */
#ifndef KEEL_MM_BUDDY_H
#define KEEL_MM_BUDDY_H

#include <stddef.h>
#include <stdint.h>

#include <keel/boot.h>

/*
 * Largest order: 10, blocks of 4 MiB. The kernel needs at most 2 MiB of
 * contiguous memory (a large page, order 9); one order above it means a
 * 2 MiB request is usually met by splitting rather than failing, while every
 * further order would add a free list and a merge step to every free for
 * blocks nobody asks for. The window starts on a 4 MiB boundary so that a
 * frame's index and its physical frame number agree in their low 10 bits.
 */
#define BUDDY_MAX_ORDER 10
#define BUDDY_ORDERS    (BUDDY_MAX_ORDER + 1)

/*
 * Links are 32-bit frame indices (BUDDY_NIL ends a list), which keeps the
 * metadata at 9 bytes per frame and limits one allocator to a window of
 * BUDDY_MAX_FRAMES frames: 16 TiB from the lowest to the highest managed page.
 */
#define BUDDY_NIL        UINT32_MAX
#define BUDDY_MAX_FRAMES ((uint64_t)UINT32_MAX)

/* Errors, returned negated (-BUDDY_ENOMEM). Until include/keel/syscall.h exists. */
#define BUDDY_EINVAL 1 /* bad argument, bad free, malformed range */
#define BUDDY_ENOMEM 2 /* no free block of the order asked for / no usable memory */
#define BUDDY_EBUSY  3 /* reserve over a page that is allocated or already reserved */
#define BUDDY_E2BIG  4 /* the managed memory spans more than BUDDY_MAX_FRAMES frames */
#define BUDDY_ENOSPC 5 /* the metadata area is too small or misaligned */
#define BUDDY_ELAST  BUDDY_ENOSPC

/* Free-list links of one frame; meaningful while it heads a free block. */
struct buddy_link {
	uint32_t next;
	uint32_t prev;
};

/* Page accounting, exact after every call: free + used + reserved == managed. */
struct buddy_stats {
	uint64_t free_pages;                /* in free blocks */
	uint64_t used_pages;                /* in blocks handed out by buddy_alloc */
	uint64_t reserved_pages;            /* reserved: metadata, boot-reclaim, buddy_reserve */
	uint64_t managed_pages;             /* in USABLE, BOOT_RECLAIM and ACPI_RECLAIM ranges */
	uint64_t free_blocks[BUDDY_ORDERS]; /* free blocks of each order */
};

/*
 * One allocator. Invariants between calls (buddy_check verifies them all):
 * - a free block of order k is aligned to 2^k frames, lies entirely in
 *   managed frames, is on the free list of order k and nowhere else;
 * - its buddy (the other half of the block of order k + 1 holding it) is then
 *   allocated, split, reserved, unmanaged or free at a lower order, never free
 *   at order k: two free buddies are always merged at once;
 * - tags[i] says what frame i is: not managed, inside a block but not its
 *   head, or the head of a free / allocated block of a given order, or a
 *   reserved page. Only heads carry an order, so alloc and free touch O(1)
 *   tags per order crossed, never every frame of a block.
 */
struct buddy {
	uint64_t base_pfn;                /* physical frame number of window index 0 */
	uint64_t frame_count;             /* frames in the window; 0 while not initialised */
	struct buddy_link *links;         /* [frame_count], in the metadata area */
	uint8_t *tags;                    /* [frame_count], in the metadata area */
	uint32_t free_head[BUDDY_ORDERS]; /* first block of each free list */
	struct buddy_stats stats;
};

/*
 * Which ranges it manages: KEEL_RANGE_USABLE ranges start free;
 * KEEL_RANGE_BOOT_RECLAIM and KEEL_RANGE_ACPI_RECLAIM ranges start reserved,
 * to be given back with buddy_unreserve once the kernel is done with them.
 * Every other type is not managed at all. Managed ranges must be page-aligned,
 * non-empty, must not wrap past 2^64 and must not overlap one another; their
 * order does not matter, and adjacent ones merge.
 */

/*
 * Bytes of metadata the ranges need (a multiple of KEEL_PAGE_SIZE) in *size.
 * 0, or -BUDDY_EINVAL (a malformed managed range), -BUDDY_ENOMEM (no USABLE
 * page), -BUDDY_E2BIG (the window exceeds BUDDY_MAX_FRAMES).
 */
int buddy_metadata_size(const struct keel_mem_range *r, size_t n, size_t *size);

/*
 * Where to put `size` bytes of metadata (rounded up to whole pages): the
 * lowest address at or above 1 MiB of the first USABLE range, in array
 * order, whose part above 1 MiB holds them; failing that, the base of the
 * first USABLE range that holds them at all. Memory below 1 MiB is scarce and
 * the only kind real-mode code (the SMP trampoline) can reach, so it comes
 * last. 0 and *phys, or -BUDDY_ENOMEM when no USABLE range is large enough.
 */
int buddy_metadata_place(const struct keel_mem_range *r, size_t n, size_t size, uint64_t *phys);

/*
 * Set up *b over the ranges, with `metadata` (metadata_size bytes, 8-byte
 * aligned, at least buddy_metadata_size) as its metadata area. metadata_phys
 * is the physical address of that area: the managed pages it covers are
 * reserved, so the allocator never hands out its own metadata. 0, or one of
 * the errors of buddy_metadata_size, or -BUDDY_ENOSPC for a small or
 * misaligned area; on error *b stays unusable (every call on it fails).
 * O(frames in the window).
 */
int buddy_init(struct buddy *b, const struct keel_mem_range *r, size_t n, void *metadata,
	       size_t metadata_size, uint64_t metadata_phys);

/*
 * A free block of 2^order pages into *phys (aligned to its size). 0, or
 * -BUDDY_ENOMEM when no block that large is free, -BUDDY_EINVAL for an order
 * above BUDDY_MAX_ORDER. O(BUDDY_ORDERS).
 */
int buddy_alloc(struct buddy *b, unsigned order, uint64_t *phys);

/*
 * Give back a block buddy_alloc returned, with the order it was asked for.
 * Anything else is refused with -BUDDY_EINVAL and changes nothing: a
 * misaligned or unmanaged address, a page inside a block, the wrong order, a
 * free or reserved page (so a double free too). O(BUDDY_ORDERS).
 */
int buddy_free(struct buddy *b, uint64_t phys, unsigned order);

/*
 * Reserve `pages` pages from phys (page-aligned): the managed ones among them
 * leave the free pool for good, splitting the free blocks they lie in;
 * unmanaged ones are skipped (they are not ours to hand out anyway). All or
 * nothing: -BUDDY_EBUSY if a managed page is allocated or already reserved,
 * -BUDDY_EINVAL for a misaligned, empty or wrapping range. O(pages * orders).
 */
int buddy_reserve(struct buddy *b, uint64_t phys, uint64_t pages);

/*
 * Release reserved pages to the free pool, merging them with their free
 * buddies. All or nothing: -BUDDY_EINVAL unless every page of the range is
 * managed and reserved. O(pages * orders).
 */
int buddy_unreserve(struct buddy *b, uint64_t phys, uint64_t pages);

/* Copy the accounting into *out. */
void buddy_read_stats(const struct buddy *b, struct buddy_stats *out);

/*
 * Verify every invariant above and that the statistics match the free lists
 * and tags. 0, or -BUDDY_EINVAL when the state is corrupt. O(frames): for
 * tests and debugging, not for hot paths.
 */
int buddy_check(const struct buddy *b);

/* A message for 0 or a negative BUDDY_E* code. */
const char *buddy_strerror(int err);

#endif
