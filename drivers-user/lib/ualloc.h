/*
 * drivers-user/lib/ualloc.h: libkeel's heap allocator over one fixed arena.
 * Pure logic (no system calls): keel_malloc/keel_free (malloc.c) run it over
 * an arena in .bss, and tests/unit/test_ualloc.c runs it on the host.
 *
 * The arena is a sequence of blocks, each a 16-byte header followed by its
 * payload, covering the arena exactly. Allocation is first fit, splitting the
 * block found; a freed block merges with a free neighbour on either side, so
 * two free blocks are never adjacent. Every operation walks the blocks from
 * the start and checks each header it passes, so a pointer that is not the
 * start of a block's payload, a second free and an overwritten header are all
 * detected (never followed). The walk is linear: the arena is small.
 */
#ifndef KEEL_USER_UALLOC_H
#define KEEL_USER_UALLOC_H

#include <stddef.h>
#include <stdint.h>

#define UALLOC_ALIGN 16 /* of every payload, and the header size */

struct ualloc {
	uint8_t *base; /* UALLOC_ALIGN-aligned */
	size_t size;   /* a multiple of UALLOC_ALIGN */
};

/*
 * Make an allocator over [mem, mem + size) (trimmed to UALLOC_ALIGN).
 * Returns 0, or -KEEL_EINVAL when not even one small block fits.
 */
int ualloc_init(struct ualloc *a, void *mem, size_t size);

/*
 * Allocate n bytes (n > 0) into *out. Returns 0, -KEEL_EINVAL for n == 0,
 * -KEEL_ENOMEM when no free block fits, -KEEL_EFAULT when a header is
 * damaged (the heap must not be used further).
 */
int ualloc_alloc(struct ualloc *a, size_t n, void **out);

/*
 * Free p. Returns 0; -KEEL_EINVAL when p is not the start of an allocated
 * payload of this arena (a foreign or interior pointer); -KEEL_ENOENT when p
 * lies in a free block (freed twice); -KEEL_EFAULT for a damaged header. The
 * heap is unchanged on error.
 */
int ualloc_free(struct ualloc *a, void *p);

/* Usable bytes of the allocated block p (which ualloc_free would accept), or 0. */
size_t ualloc_usable(struct ualloc *a, const void *p);

/*
 * Check every header, that the blocks cover the arena and that no two free
 * blocks touch. Returns 0 or -KEEL_EFAULT; counts free payload bytes and
 * blocks when the pointers are not NULL.
 */
int ualloc_check(const struct ualloc *a, size_t *free_bytes, size_t *blocks);

#endif
