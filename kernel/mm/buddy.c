/*
 * kernel/mm/buddy.c: the physical page allocator (buddy.h).
 *
 * Each frame of the window has a tag byte: its kind in the high nibble and,
 * for a block head, the block's order in the low nibble. Only heads and
 * reserved pages have tags other than INNER / ABSENT, so splitting and merging
 * rewrite one tag per order crossed. The invariants are in buddy.h; every
 * function below keeps them, and checks its arguments before it changes
 * anything, so a refused call leaves the state exactly as it was.
 */
#include "buddy.h"

#include "lib/kstring.h"

#define BUDDY_PAGE KEEL_PAGE_SIZE

#define TAG_ABSENT   0x00 /* not managed: a hole, or a type the allocator ignores */
#define TAG_INNER    0x10 /* managed, inside a block, not its head */
#define TAG_FREE     0x20 /* head of a free block; | order */
#define TAG_USED     0x30 /* head of an allocated block; | order */
#define TAG_RESERVED 0x40 /* a reserved page (an order-0 block of its own) */
#define TAG_KIND(t)  ((t)&0xf0)
#define TAG_ORDER(t) ((unsigned)((t)&0x0f))

/* Not a frame index: what buddy_block_of answers for a frame in no block. */
#define BUDDY_NO_FRAME UINT64_MAX

/* Memory below this stays out of the metadata unless nothing else fits. */
#define BUDDY_PLACE_FLOOR 0x100000ULL

static int buddy_type_is_managed(uint32_t type)
{
	return type == KEEL_RANGE_USABLE || type == KEEL_RANGE_BOOT_RECLAIM ||
	       type == KEEL_RANGE_ACPI_RECLAIM;
}

/* A page-aligned, non-empty range whose end does not wrap. */
static int buddy_range_is_sane(uint64_t base, uint64_t size)
{
	return base % BUDDY_PAGE == 0 && size != 0 && size % BUDDY_PAGE == 0 &&
	       size <= UINT64_MAX - base;
}

/*
 * Check the managed ranges and find the window: *base_pfn (rounded down to a
 * block of the largest order) and *frames, up to the highest managed page.
 */
static int buddy_find_window(const struct keel_mem_range *r, size_t n, uint64_t *base_pfn,
			     uint64_t *frames)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	int usable = 0;

	if (r == NULL && n != 0)
		return -BUDDY_EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (!buddy_type_is_managed(r[i].type))
			continue;
		if (!buddy_range_is_sane(r[i].base, r[i].size))
			return -BUDDY_EINVAL;
		if (r[i].base / BUDDY_PAGE < lo)
			lo = r[i].base / BUDDY_PAGE;
		if ((r[i].base + r[i].size) / BUDDY_PAGE > hi)
			hi = (r[i].base + r[i].size) / BUDDY_PAGE;
		usable |= r[i].type == KEEL_RANGE_USABLE;
	}
	if (!usable)
		return -BUDDY_ENOMEM;
	lo &= ~((1ULL << BUDDY_MAX_ORDER) - 1);
	if (hi - lo > BUDDY_MAX_FRAMES)
		return -BUDDY_E2BIG;
	*base_pfn = lo;
	*frames = hi - lo;
	return 0;
}

/* Metadata bytes for a window of `frames` frames, rounded up to whole pages. */
static size_t buddy_metadata_bytes(uint64_t frames)
{
	uint64_t bytes = frames * (sizeof(struct buddy_link) + 1);

	return (size_t)((bytes + BUDDY_PAGE - 1) / BUDDY_PAGE * BUDDY_PAGE);
}

int buddy_metadata_size(const struct keel_mem_range *r, size_t n, size_t *size)
{
	uint64_t base_pfn, frames;
	int err;

	if (size == NULL)
		return -BUDDY_EINVAL;
	err = buddy_find_window(r, n, &base_pfn, &frames);
	if (err)
		return err;
	*size = buddy_metadata_bytes(frames);
	return 0;
}

int buddy_metadata_place(const struct keel_mem_range *r, size_t n, size_t size, uint64_t *phys)
{
	uint64_t need = ((uint64_t)size + BUDDY_PAGE - 1) / BUDDY_PAGE * BUDDY_PAGE;

	if ((r == NULL && n != 0) || phys == NULL || size == 0 || need < size)
		return -BUDDY_EINVAL;
	/* First pass above the floor, second pass anywhere. */
	for (uint64_t floor = BUDDY_PLACE_FLOOR;; floor = 0) {
		for (size_t i = 0; i < n; i++) {
			uint64_t start = r[i].base, end;

			if (r[i].type != KEEL_RANGE_USABLE ||
			    !buddy_range_is_sane(r[i].base, r[i].size))
				continue;
			end = r[i].base + r[i].size;
			if (start < floor)
				start = floor;
			if (start < end && end - start >= need) {
				*phys = start;
				return 0;
			}
		}
		if (floor == 0)
			return -BUDDY_ENOMEM;
	}
}

/* Put block i of order k at the head of its free list. */
static void buddy_list_push(struct buddy *b, uint64_t i, unsigned k)
{
	uint32_t head = b->free_head[k];

	b->links[i].prev = BUDDY_NIL;
	b->links[i].next = head;
	if (head != BUDDY_NIL)
		b->links[head].prev = (uint32_t)i;
	b->free_head[k] = (uint32_t)i;
	b->tags[i] = (uint8_t)(TAG_FREE | k);
	b->stats.free_blocks[k]++;
}

/* Take free block i of order k off its list; the caller retags it. */
static void buddy_list_remove(struct buddy *b, uint64_t i, unsigned k)
{
	struct buddy_link *l = &b->links[i];

	if (l->prev != BUDDY_NIL)
		b->links[l->prev].next = l->next;
	else
		b->free_head[k] = l->next;
	if (l->next != BUDDY_NIL)
		b->links[l->next].prev = l->prev;
	b->stats.free_blocks[k]--;
}

/*
 * Make block i of order k free, merging it with its buddy for as long as the
 * buddy is a free block of the same order: this is what keeps two free
 * buddies from ever sitting on one list. Page counts are the caller's.
 */
static void buddy_insert_free(struct buddy *b, uint64_t i, unsigned k)
{
	while (k < BUDDY_MAX_ORDER) {
		uint64_t j = i ^ (1ULL << k);

		if (j >= b->frame_count || b->tags[j] != (TAG_FREE | k))
			break;
		buddy_list_remove(b, j, k);
		if (j < i) {
			b->tags[i] = TAG_INNER;
			i = j;
		} else {
			b->tags[j] = TAG_INNER;
		}
		k++;
	}
	buddy_list_push(b, i, k);
}

/*
 * The head of the block holding frame i, or BUDDY_NO_FRAME when i is not
 * managed. The head of a block of order K is i rounded down to 2^K, and every
 * frame between them is INNER, so the first head met going up is the one.
 */
static uint64_t buddy_block_of(const struct buddy *b, uint64_t i)
{
	for (unsigned k = 0; k <= BUDDY_MAX_ORDER; k++) {
		uint64_t h = i & ~((1ULL << k) - 1);
		unsigned kind = TAG_KIND(b->tags[h]);

		if (kind == TAG_ABSENT)
			return BUDDY_NO_FRAME;
		if (kind != TAG_INNER)
			return h;
	}
	return BUDDY_NO_FRAME;
}

/*
 * The window index of the page at phys, checked: page-aligned, inside the
 * window, of an initialised allocator. 0 or -BUDDY_EINVAL.
 */
static int buddy_index_of(const struct buddy *b, uint64_t phys, uint64_t *i)
{
	uint64_t pfn = phys / BUDDY_PAGE;

	if (b == NULL || b->frame_count == 0 || phys % BUDDY_PAGE != 0 || pfn < b->base_pfn ||
	    pfn - b->base_pfn >= b->frame_count)
		return -BUDDY_EINVAL;
	*i = pfn - b->base_pfn;
	return 0;
}

int buddy_alloc(struct buddy *b, unsigned order, uint64_t *phys)
{
	unsigned k = order;
	uint64_t i;

	if (b == NULL || b->frame_count == 0 || order > BUDDY_MAX_ORDER || phys == NULL)
		return -BUDDY_EINVAL;
	while (k <= BUDDY_MAX_ORDER && b->free_head[k] == BUDDY_NIL)
		k++;
	if (k > BUDDY_MAX_ORDER)
		return -BUDDY_ENOMEM;
	i = b->free_head[k];
	buddy_list_remove(b, i, k);
	/* Split down to the order asked for; the upper halves go back free. */
	while (k > order) {
		k--;
		buddy_list_push(b, i + (1ULL << k), k);
	}
	b->tags[i] = (uint8_t)(TAG_USED | order);
	b->stats.free_pages -= 1ULL << order;
	b->stats.used_pages += 1ULL << order;
	*phys = (b->base_pfn + i) * BUDDY_PAGE;
	return 0;
}

int buddy_free(struct buddy *b, uint64_t phys, unsigned order)
{
	uint64_t i;

	if (order > BUDDY_MAX_ORDER || buddy_index_of(b, phys, &i) != 0)
		return -BUDDY_EINVAL;
	/* Only the head of a block allocated at this very order matches. */
	if (b->tags[i] != (TAG_USED | order))
		return -BUDDY_EINVAL;
	b->stats.used_pages -= 1ULL << order;
	b->stats.free_pages += 1ULL << order;
	buddy_insert_free(b, i, order);
	return 0;
}

/*
 * The window indices [*first, *end) of `pages` pages from phys, clipped to
 * the window (empty when they miss it). 0 or -BUDDY_EINVAL.
 */
static int buddy_span_of(const struct buddy *b, uint64_t phys, uint64_t pages, uint64_t *first,
			 uint64_t *end)
{
	uint64_t lo, hi;

	if (b == NULL || b->frame_count == 0 || phys % BUDDY_PAGE != 0 || pages == 0 ||
	    pages > (UINT64_MAX - phys) / BUDDY_PAGE)
		return -BUDDY_EINVAL;
	lo = phys / BUDDY_PAGE;
	hi = lo + pages;
	if (lo < b->base_pfn)
		lo = b->base_pfn;
	if (hi > b->base_pfn + b->frame_count)
		hi = b->base_pfn + b->frame_count;
	*first = lo - b->base_pfn;
	*end = hi > lo ? hi - b->base_pfn : *first;
	return 0;
}

/* Split the free block holding frame i until i is a block of its own, reserved. */
static void buddy_reserve_frame(struct buddy *b, uint64_t i)
{
	uint64_t h = buddy_block_of(b, i);
	unsigned k = TAG_ORDER(b->tags[h]);

	buddy_list_remove(b, h, k);
	while (k > 0) {
		uint64_t half = 1ULL << --k;

		/* The half without i goes back free; descend into the other. */
		if (i >= h + half) {
			buddy_list_push(b, h, k);
			h += half;
		} else {
			buddy_list_push(b, h + half, k);
		}
	}
	b->tags[i] = TAG_RESERVED;
	b->stats.free_pages--;
	b->stats.reserved_pages++;
}

int buddy_reserve(struct buddy *b, uint64_t phys, uint64_t pages)
{
	uint64_t first, end;
	int err = buddy_span_of(b, phys, pages, &first, &end);

	if (err)
		return err;
	/* All or nothing: look at every page before changing any. */
	for (uint64_t i = first; i < end; i++) {
		uint64_t h;

		if (b->tags[i] == TAG_ABSENT)
			continue;
		h = buddy_block_of(b, i);
		if (h == BUDDY_NO_FRAME) /* a managed frame in no block: corrupt state */
			return -BUDDY_EINVAL;
		if (TAG_KIND(b->tags[h]) != TAG_FREE)
			return -BUDDY_EBUSY;
	}
	for (uint64_t i = first; i < end; i++) {
		if (b->tags[i] != TAG_ABSENT)
			buddy_reserve_frame(b, i);
	}
	return 0;
}

int buddy_unreserve(struct buddy *b, uint64_t phys, uint64_t pages)
{
	uint64_t first, end;
	int err = buddy_span_of(b, phys, pages, &first, &end);

	if (err)
		return err;
	/* Every page must lie in the window (not clipped) and be reserved. */
	if (end - first != pages)
		return -BUDDY_EINVAL;
	for (uint64_t i = first; i < end; i++) {
		if (b->tags[i] != TAG_RESERVED)
			return -BUDDY_EINVAL;
	}
	for (uint64_t i = first; i < end; i++) {
		b->stats.reserved_pages--;
		b->stats.free_pages++;
		buddy_insert_free(b, i, 0);
	}
	return 0;
}

/*
 * Tag the frames of the managed ranges INNER (reserved ones RESERVED),
 * refusing overlaps: a frame tagged twice was claimed by two ranges.
 */
static int buddy_claim_ranges(struct buddy *b, const struct keel_mem_range *r, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		uint64_t first = r[k].base / BUDDY_PAGE - b->base_pfn;
		uint64_t end = first + r[k].size / BUDDY_PAGE;
		uint8_t tag = r[k].type == KEEL_RANGE_USABLE ? TAG_INNER : TAG_RESERVED;

		if (!buddy_type_is_managed(r[k].type))
			continue;
		for (uint64_t i = first; i < end; i++) {
			if (b->tags[i] != TAG_ABSENT)
				return -BUDDY_EINVAL;
			b->tags[i] = tag;
		}
		b->stats.managed_pages += end - first;
		if (tag == TAG_RESERVED)
			b->stats.reserved_pages += end - first;
	}
	return 0;
}

/* Free the frames of a USABLE range as the largest aligned blocks that fit. */
static void buddy_free_range(struct buddy *b, uint64_t first, uint64_t end)
{
	while (first < end) {
		unsigned k = 0;

		while (k < BUDDY_MAX_ORDER && (first & (1ULL << k)) == 0 &&
		       first + (2ULL << k) <= end)
			k++;
		b->stats.free_pages += 1ULL << k;
		buddy_insert_free(b, first, k);
		first += 1ULL << k;
	}
}

int buddy_init(struct buddy *b, const struct keel_mem_range *r, size_t n, void *metadata,
	       size_t metadata_size, uint64_t metadata_phys)
{
	uint64_t base_pfn, frames;
	int err;

	if (b == NULL)
		return -BUDDY_EINVAL;
	memset(b, 0, sizeof(*b));
	err = buddy_find_window(r, n, &base_pfn, &frames);
	if (err)
		return err;
	if (metadata == NULL || (uintptr_t)metadata % _Alignof(struct buddy_link) != 0 ||
	    metadata_size < buddy_metadata_bytes(frames))
		return -BUDDY_ENOSPC;
	if (metadata_phys % BUDDY_PAGE != 0 || metadata_size > UINT64_MAX - metadata_phys)
		return -BUDDY_EINVAL;

	b->base_pfn = base_pfn;
	b->links = metadata;
	b->tags = (uint8_t *)metadata + frames * sizeof(struct buddy_link);
	memset(b->tags, TAG_ABSENT, (size_t)frames);
	for (unsigned k = 0; k <= BUDDY_MAX_ORDER; k++)
		b->free_head[k] = BUDDY_NIL;
	err = buddy_claim_ranges(b, r, n);
	if (err)
		return err;
	b->frame_count = frames;
	for (size_t k = 0; k < n; k++) {
		uint64_t first = r[k].base / BUDDY_PAGE - base_pfn;

		if (r[k].type == KEEL_RANGE_USABLE)
			buddy_free_range(b, first, first + r[k].size / BUDDY_PAGE);
	}
	err = buddy_reserve(b, metadata_phys, (metadata_size + BUDDY_PAGE - 1) / BUDDY_PAGE);
	if (err)
		b->frame_count = 0;
	return err;
}

void buddy_read_stats(const struct buddy *b, struct buddy_stats *out)
{
	*out = b->stats;
}

/* Walk the free list of order k: well linked, every block sound. */
static int buddy_check_list(const struct buddy *b, unsigned k, uint64_t *blocks)
{
	uint32_t prev = BUDDY_NIL;

	*blocks = 0;
	for (uint32_t i = b->free_head[k]; i != BUDDY_NIL; prev = i, i = b->links[i].next) {
		uint64_t j = (uint64_t)i ^ (1ULL << k);

		/* More blocks than frames means a cycle. */
		if (i >= b->frame_count || ++*blocks > b->frame_count)
			return -BUDDY_EINVAL;
		if (b->links[i].prev != prev || b->tags[i] != (TAG_FREE | k))
			return -BUDDY_EINVAL;
		/* Two free buddies of one order should have been merged. */
		if (k < BUDDY_MAX_ORDER && j < b->frame_count && b->tags[j] == (TAG_FREE | k))
			return -BUDDY_EINVAL;
	}
	return *blocks == b->stats.free_blocks[k] ? 0 : -BUDDY_EINVAL;
}

int buddy_check(const struct buddy *b)
{
	struct buddy_stats seen = {0};
	uint64_t free_heads = 0, listed = 0;

	if (b == NULL || b->frame_count == 0)
		return -BUDDY_EINVAL;
	for (unsigned k = 0; k <= BUDDY_MAX_ORDER; k++) {
		uint64_t blocks;

		if (buddy_check_list(b, k, &blocks) != 0)
			return -BUDDY_EINVAL;
		listed += blocks;
	}
	/*
	 * The tags partition the window: each head of order k is aligned and
	 * followed by 2^k - 1 INNER frames; no INNER frame outside a block.
	 */
	for (uint64_t i = 0; i < b->frame_count;) {
		uint8_t t = b->tags[i];
		uint64_t size = 1ULL << TAG_ORDER(t);

		switch (TAG_KIND(t)) {
		case TAG_ABSENT: i++; continue;
		case TAG_RESERVED:
			if (TAG_ORDER(t) != 0)
				return -BUDDY_EINVAL;
			seen.reserved_pages++;
			seen.managed_pages++;
			i++;
			continue;
		case TAG_FREE:
			seen.free_pages += size;
			free_heads++;
			break;
		case TAG_USED: seen.used_pages += size; break;
		default: return -BUDDY_EINVAL;
		}
		if (TAG_ORDER(t) > BUDDY_MAX_ORDER || (i & (size - 1)) != 0 ||
		    size > b->frame_count - i)
			return -BUDDY_EINVAL;
		for (uint64_t j = i + 1; j < i + size; j++) {
			if (b->tags[j] != TAG_INNER)
				return -BUDDY_EINVAL;
		}
		seen.managed_pages += size;
		i += size;
	}
	if (free_heads != listed || seen.free_pages != b->stats.free_pages ||
	    seen.used_pages != b->stats.used_pages ||
	    seen.reserved_pages != b->stats.reserved_pages ||
	    seen.managed_pages != b->stats.managed_pages)
		return -BUDDY_EINVAL;
	return 0;
}

const char *buddy_strerror(int err)
{
	switch (err) {
	case 0: return "success";
	case -BUDDY_EINVAL: return "invalid argument or bad free";
	case -BUDDY_ENOMEM: return "out of memory";
	case -BUDDY_EBUSY: return "page allocated or already reserved";
	case -BUDDY_E2BIG: return "managed memory spans more than 16 TiB";
	case -BUDDY_ENOSPC: return "metadata area too small or misaligned";
	default: return "unknown buddy error";
	}
}
