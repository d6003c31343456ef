/*
 * drivers-user/lib/ualloc.c: first-fit heap over a fixed arena (ualloc.h).
 *
 * Invariants between calls: the blocks tile [base, base + size); each
 * header has UALLOC_MAGIC, a state of BLOCK_FREE or BLOCK_USED and a size
 * (header included) that is a multiple of UALLOC_ALIGN, at least
 * BLOCK_MIN and no larger than what is left of the arena; no two free
 * blocks are neighbours. The walk (ualloc_next) checks all of it for each
 * block it reaches before anything is read through that block.
 */
#include "ualloc.h"

#include <keel/syscall.h>

#define UALLOC_MAGIC 0x6b6c6170u /* "palk" */
#define BLOCK_FREE   0x46524545u
#define BLOCK_USED   0x55534544u
#define BLOCK_HDR    UALLOC_ALIGN
#define BLOCK_MIN    (BLOCK_HDR + UALLOC_ALIGN)

struct ualloc_block {
	uint64_t size; /* whole block, header included */
	uint32_t magic;
	uint32_t state;
};

_Static_assert(sizeof(struct ualloc_block) == BLOCK_HDR, "header size");

static struct ualloc_block *ualloc_at(const struct ualloc *a, size_t off)
{
	return (struct ualloc_block *)(void *)(a->base + off);
}

/* Is the header at offset off sound? */
static int ualloc_valid(const struct ualloc *a, size_t off)
{
	const struct ualloc_block *b = ualloc_at(a, off);

	return b->magic == UALLOC_MAGIC && (b->state == BLOCK_FREE || b->state == BLOCK_USED) &&
	       b->size >= BLOCK_MIN && b->size % UALLOC_ALIGN == 0 && b->size <= a->size - off;
}

static void ualloc_set(struct ualloc *a, size_t off, size_t size, uint32_t state)
{
	struct ualloc_block *b = ualloc_at(a, off);

	b->size = size;
	b->magic = UALLOC_MAGIC;
	b->state = state;
}

int ualloc_init(struct ualloc *a, void *mem, size_t size)
{
	uintptr_t start = (uintptr_t)mem;
	uintptr_t aligned = (start + UALLOC_ALIGN - 1) & ~(uintptr_t)(UALLOC_ALIGN - 1);

	a->base = NULL;
	a->size = 0;
	if (mem == NULL || aligned < start || size < aligned - start ||
	    size - (aligned - start) < BLOCK_MIN)
		return -KEEL_EINVAL;
	a->base = (uint8_t *)mem + (aligned - start);
	a->size = (size - (aligned - start)) & ~(size_t)(UALLOC_ALIGN - 1);
	ualloc_set(a, 0, a->size, BLOCK_FREE);
	return 0;
}

int ualloc_alloc(struct ualloc *a, size_t n, void **out)
{
	*out = NULL;
	if (n == 0)
		return -KEEL_EINVAL;
	if (n > a->size)
		return -KEEL_ENOMEM;
	/* n <= a->size, which is far below SIZE_MAX: no overflow. */
	size_t need = BLOCK_HDR + ((n + UALLOC_ALIGN - 1) & ~(size_t)(UALLOC_ALIGN - 1));

	for (size_t off = 0; off < a->size; off += ualloc_at(a, off)->size) {
		if (!ualloc_valid(a, off))
			return -KEEL_EFAULT;
		struct ualloc_block *b = ualloc_at(a, off);

		if (b->state != BLOCK_FREE || b->size < need)
			continue;
		/* Split when the rest can hold a block of its own. */
		if (b->size - need >= BLOCK_MIN) {
			ualloc_set(a, off + need, b->size - need, BLOCK_FREE);
			b->size = need;
		}
		b->state = BLOCK_USED;
		*out = a->base + off + BLOCK_HDR;
		return 0;
	}
	return -KEEL_ENOMEM;
}

/*
 * Find the block holding p: *off its offset, *prev that of the block before
 * it (or SIZE_MAX). Returns 0, -KEEL_EINVAL when p is outside the arena, or
 * -KEEL_EFAULT for a damaged header on the way.
 */
static int ualloc_find(const struct ualloc *a, const void *p, size_t *off, size_t *prev)
{
	uintptr_t at = (uintptr_t)p, base = (uintptr_t)a->base;

	if (a->base == NULL || at < base || at - base >= a->size)
		return -KEEL_EINVAL;
	*prev = SIZE_MAX;
	for (size_t o = 0; o < a->size; o += ualloc_at(a, o)->size) {
		if (!ualloc_valid(a, o))
			return -KEEL_EFAULT;
		if (at - base < o + ualloc_at(a, o)->size) {
			*off = o;
			return 0;
		}
		*prev = o;
	}
	return -KEEL_EFAULT; /* unreachable while the blocks tile the arena */
}

int ualloc_free(struct ualloc *a, void *p)
{
	size_t off, prev;
	int err = ualloc_find(a, p, &off, &prev);

	if (err != 0)
		return err;
	struct ualloc_block *b = ualloc_at(a, off);

	if (b->state == BLOCK_FREE)
		return -KEEL_ENOENT;
	if ((uint8_t *)p != a->base + off + BLOCK_HDR)
		return -KEEL_EINVAL;
	/* Check the next header before anything changes: errors leave the heap as it was. */
	size_t next = off + b->size;
	if (next < a->size && !ualloc_valid(a, next))
		return -KEEL_EFAULT;

	b->state = BLOCK_FREE;
	if (next < a->size && ualloc_at(a, next)->state == BLOCK_FREE) {
		b->size += ualloc_at(a, next)->size;
		ualloc_at(a, next)->magic = 0; /* a stale header must not look valid */
	}
	if (prev != SIZE_MAX && ualloc_at(a, prev)->state == BLOCK_FREE) {
		ualloc_at(a, prev)->size += b->size;
		b->magic = 0;
	}
	return 0;
}

size_t ualloc_usable(struct ualloc *a, const void *p)
{
	size_t off, prev;

	if (ualloc_find(a, p, &off, &prev) != 0)
		return 0;
	const struct ualloc_block *b = ualloc_at(a, off);
	if (b->state != BLOCK_USED || (const uint8_t *)p != a->base + off + BLOCK_HDR)
		return 0;
	return b->size - BLOCK_HDR;
}

int ualloc_check(const struct ualloc *a, size_t *free_bytes, size_t *blocks)
{
	size_t nfree = 0, count = 0;
	int prev_free = 0;
	size_t off;

	for (off = 0; off < a->size; off += ualloc_at(a, off)->size) {
		if (!ualloc_valid(a, off))
			return -KEEL_EFAULT;
		int is_free = ualloc_at(a, off)->state == BLOCK_FREE;

		if (is_free && prev_free)
			return -KEEL_EFAULT;
		if (is_free)
			nfree += ualloc_at(a, off)->size - BLOCK_HDR;
		prev_free = is_free;
		count++;
	}
	if (off != a->size)
		return -KEEL_EFAULT;
	if (free_bytes)
		*free_bytes = nfree;
	if (blocks)
		*blocks = count;
	return 0;
}
