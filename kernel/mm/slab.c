/*
 * kernel/mm/slab.c: caches of fixed-size objects (slab.h).
 *
 * Every slab is in the hash by its address and, by how many of its objects
 * are in use, on the partial list, on the full list or the cache's one empty
 * slab. slab_alloc takes from a partial slab first (keeping slabs full, so
 * that the others can empty and go back), then the empty one, then a new
 * one. Every function checks its arguments before it changes anything, so a
 * refused call leaves the state exactly as it was.
 */
#include "slab.h"

#include "lib/kstring.h"

/* struct slab with a bitmap of `words` words. */
#define SLAB_HEADER_BYTES(words) (sizeof(struct slab) + (size_t)(words) * sizeof(uint64_t))

static int slab_is_pow2(size_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

static size_t slab_round_up(size_t x, size_t align)
{
	return (x + align - 1) & ~(align - 1);
}

/*
 * How many objects of `stride` bytes, aligned to `align`, a slab of `order`
 * fits after its header: the count, with the bitmap words and the offset of
 * object 0. The bitmap grows with the count, so start from the count the
 * fixed header allows and step down until the whole header fits too: the
 * bitmap and the alignment padding cost at most 8 * words + align bytes, so
 * it takes a few steps at most.
 */
static uint32_t slab_fit(size_t stride, size_t align, unsigned order, uint32_t *words,
			 size_t *first)
{
	size_t bytes = SLAB_BYTES(order);
	size_t n = (bytes - sizeof(struct slab)) / stride;

	for (; n > 0; n--) {
		size_t w = (n + 63) / 64;
		size_t f = slab_round_up(SLAB_HEADER_BYTES(w), align);

		if (f + n * stride <= bytes) {
			*words = (uint32_t)w;
			*first = f;
			return (uint32_t)n;
		}
	}
	return 0;
}

int slab_cache_init(struct slab_cache *c, const char *name, size_t object_size, size_t align,
		    const struct slab_provider *provider)
{
	size_t best_waste = SIZE_MAX, stride;
	unsigned best = 0;

	if (c == NULL)
		return -SLAB_EINVAL;
	memset(c, 0, sizeof(*c));
	if (align == 0)
		align = SLAB_MIN_ALIGN;
	if (provider == NULL || provider->alloc_pages == NULL || provider->free_pages == NULL ||
	    provider->phys_to_virt == NULL || object_size == 0 || object_size > SLAB_MAX_OBJECT ||
	    !slab_is_pow2(align) || align > SLAB_MAX_ALIGN)
		return -SLAB_EINVAL;
	/* The header's pointers sit at the slab's start; keep objects as aligned. */
	if (align < _Alignof(struct slab))
		align = _Alignof(struct slab);
	stride = slab_round_up(object_size, align);

	/* The smallest order that wastes at most 1/8, else the least wasteful one. */
	for (unsigned order = 0; order <= SLAB_MAX_ORDER; order++) {
		uint32_t words;
		size_t first, waste;
		uint32_t n = slab_fit(stride, align, order, &words, &first);

		if (n == 0)
			continue;
		waste = SLAB_BYTES(order) - n * stride;
		if (waste * 8 <= SLAB_BYTES(order)) {
			best = order;
			break;
		}
		/* Compare waste / slab size across orders: scale to the largest slab. */
		waste <<= SLAB_MAX_ORDER - order;
		if (waste < best_waste) {
			best_waste = waste;
			best = order;
		}
	}
	c->per_slab = slab_fit(stride, align, best, &c->words, &c->first);
	if (c->per_slab == 0)
		return -SLAB_EINVAL;
	c->name = name;
	c->provider = *provider;
	c->object_size = object_size;
	c->align = align;
	c->stride = stride;
	c->order = best;
	c->stats.object_size = object_size;
	c->stats.stride = stride;
	c->stats.objects_per_slab = c->per_slab;
	c->stats.order = best;
	return 0;
}

/* The hash bucket of the slab at `base`. */
static unsigned slab_hash_of(const struct slab_cache *c, uintptr_t base)
{
	return (unsigned)((base / SLAB_BYTES(c->order)) % SLAB_HASH_BUCKETS);
}

/* The slab of this cache that would hold ptr, or NULL: reads only our own slabs. */
static struct slab *slab_find(const struct slab_cache *c, const void *ptr)
{
	uintptr_t base = (uintptr_t)ptr & ~(uintptr_t)(SLAB_BYTES(c->order) - 1);

	for (struct slab *s = c->hash[slab_hash_of(c, base)]; s != NULL; s = s->hash_next) {
		if ((uintptr_t)s == base)
			return s;
	}
	return NULL;
}

/* The partial or full list a slab with in_use > 0 objects belongs on. */
static struct slab **slab_list_for(struct slab_cache *c, uint32_t in_use)
{
	return in_use == c->per_slab ? &c->full : &c->partial;
}

static void slab_list_push(struct slab **head, struct slab *s)
{
	s->prev = NULL;
	s->next = *head;
	if (*head != NULL)
		(*head)->prev = s;
	*head = s;
}

static void slab_list_remove(struct slab **head, struct slab *s)
{
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		*head = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	s->next = s->prev = NULL;
}

/* A new empty slab from the provider, in the hash and on no list; NULL if none. */
static struct slab *slab_grow(struct slab_cache *c)
{
	const struct slab_provider *p = &c->provider;
	size_t bytes = SLAB_BYTES(c->order);
	struct slab **bucket;
	struct slab *s;
	uint64_t phys;

	if (p->alloc_pages(p->ctx, c->order, &phys) != 0) {
		c->stats.alloc_failures++;
		return NULL;
	}
	s = p->phys_to_virt(p->ctx, phys);
	/* Lookup rounds pointers down to the slab size: the slab must be aligned to it. */
	if (s == NULL || (uintptr_t)s % bytes != 0) {
		p->free_pages(p->ctx, phys, c->order);
		c->stats.alloc_failures++;
		return NULL;
	}
	memset(s, 0, SLAB_HEADER_BYTES(c->words));
	s->cache = c;
	s->phys = phys;
	for (uint32_t i = 0; i < c->per_slab; i++)
		s->free[i / 64] |= 1ULL << (i % 64);
	bucket = &c->hash[slab_hash_of(c, (uintptr_t)s)];
	s->hash_next = *bucket;
	*bucket = s;
	c->stats.slabs++;
	c->stats.pages += 1ULL << c->order;
	c->stats.objects_free += c->per_slab;
	return s;
}

/* Take an empty slab, on no list, out of the hash and back to the provider. */
static void slab_release(struct slab_cache *c, struct slab *s)
{
	struct slab **link = &c->hash[slab_hash_of(c, (uintptr_t)s)];
	uint64_t phys = s->phys;

	while (*link != s)
		link = &(*link)->hash_next;
	*link = s->hash_next;
	/* Lookups never read it (they go through the hash); this is for whoever debugs. */
	s->cache = NULL;
	c->stats.slabs--;
	c->stats.pages -= 1ULL << c->order;
	c->stats.objects_free -= c->per_slab;
	c->provider.free_pages(c->provider.ctx, phys, c->order);
}

void *slab_alloc(struct slab_cache *c)
{
	struct slab *s;
	uint32_t w, bit;

	if (c == NULL || c->per_slab == 0)
		return NULL;
	s = c->partial;
	if (s != NULL) {
		slab_list_remove(&c->partial, s);
	} else if (c->empty != NULL) {
		s = c->empty;
		c->empty = NULL;
		c->stats.empty_slabs--;
	} else {
		s = slab_grow(c);
		if (s == NULL)
			return NULL;
	}
	/* Not full, so some word at or above the hint has a free bit. */
	for (w = s->hint; s->free[w] == 0; w++)
		;
	bit = (uint32_t)__builtin_ctzll(s->free[w]);
	s->free[w] &= ~(1ULL << bit);
	s->hint = w;
	s->in_use++;
	slab_list_push(slab_list_for(c, s->in_use), s);
	c->stats.objects_in_use++;
	c->stats.objects_free--;
	return (char *)s + c->first + (size_t)(w * 64 + bit) * c->stride;
}

int slab_free(struct slab_cache *c, void *ptr)
{
	struct slab *s;
	size_t off;
	uint32_t i;

	if (c == NULL || c->per_slab == 0 || ptr == NULL)
		return -SLAB_EINVAL;
	s = slab_find(c, ptr);
	if (s == NULL)
		return -SLAB_EFOREIGN;
	off = (size_t)((uintptr_t)ptr - (uintptr_t)s);
	if (off < c->first || (off - c->first) % c->stride != 0 ||
	    (off - c->first) / c->stride >= c->per_slab)
		return -SLAB_EINTERIOR;
	i = (uint32_t)((off - c->first) / c->stride);
	if (s->free[i / 64] & (1ULL << (i % 64)))
		return -SLAB_EDOUBLE;

	slab_list_remove(slab_list_for(c, s->in_use), s);
	s->free[i / 64] |= 1ULL << (i % 64);
	if (i / 64 < s->hint)
		s->hint = i / 64;
	s->in_use--;
	c->stats.objects_in_use--;
	c->stats.objects_free++;
	if (s->in_use != 0) {
		slab_list_push(&c->partial, s);
	} else if (c->empty == NULL) {
		c->empty = s;
		c->stats.empty_slabs++;
	} else {
		slab_release(c, s);
	}
	return 0;
}

uint64_t slab_cache_shrink(struct slab_cache *c)
{
	struct slab *s;

	if (c == NULL || c->per_slab == 0 || c->empty == NULL)
		return 0;
	s = c->empty;
	c->empty = NULL;
	c->stats.empty_slabs--;
	slab_release(c, s);
	return 1ULL << c->order;
}

int slab_cache_destroy(struct slab_cache *c)
{
	if (c == NULL || c->per_slab == 0)
		return -SLAB_EINVAL;
	if (c->stats.objects_in_use != 0)
		return -SLAB_EBUSY;
	slab_cache_shrink(c);
	c->per_slab = 0;
	return 0;
}

void slab_cache_stats(const struct slab_cache *c, struct slab_stats *out)
{
	*out = c->stats;
}

static unsigned slab_popcount(uint64_t x)
{
	unsigned n = 0;

	for (; x != 0; x &= x - 1)
		n++;
	return n;
}

/* One slab's header and bitmap, wherever it is held. */
static int slab_check_one(const struct slab_cache *c, const struct slab *s)
{
	uint32_t free = 0;

	if (s->cache != c || (uintptr_t)s % SLAB_BYTES(c->order) != 0 || s->in_use > c->per_slab ||
	    s->hint >= c->words)
		return -SLAB_ECORRUPT;
	for (uint32_t w = 0; w < c->words; w++) {
		uint64_t valid = ~0ULL;

		if (w == c->words - 1 && c->per_slab % 64 != 0)
			valid = (1ULL << (c->per_slab % 64)) - 1;
		if ((s->free[w] & ~valid) != 0 || (w < s->hint && s->free[w] != 0))
			return -SLAB_ECORRUPT;
		free += slab_popcount(s->free[w]);
	}
	return s->in_use + free == c->per_slab ? 0 : -SLAB_ECORRUPT;
}

/* Walk a list: linked both ways, every slab hashed and in the right state. */
static int slab_check_list(const struct slab_cache *c, const struct slab *head, int full,
			   uint64_t *slabs, uint64_t *in_use)
{
	const struct slab *prev = NULL;

	for (const struct slab *s = head; s != NULL; prev = s, s = s->next) {
		/* More slabs than the hash holds means a cycle or a stranger. */
		if (++*slabs > c->stats.slabs || s->prev != prev || slab_find(c, s) != s ||
		    slab_check_one(c, s) != 0)
			return -SLAB_ECORRUPT;
		if (full ? s->in_use != c->per_slab : s->in_use == 0 || s->in_use == c->per_slab)
			return -SLAB_ECORRUPT;
		*in_use += s->in_use;
	}
	return 0;
}

int slab_cache_check(const struct slab_cache *c)
{
	uint64_t hashed = 0, listed = 0, in_use = 0;
	const struct slab_stats *st;

	if (c == NULL || c->per_slab == 0)
		return -SLAB_EINVAL;
	st = &c->stats;
	for (unsigned b = 0; b < SLAB_HASH_BUCKETS; b++) {
		for (const struct slab *s = c->hash[b]; s != NULL; s = s->hash_next) {
			if (++hashed > st->slabs || slab_hash_of(c, (uintptr_t)s) != b)
				return -SLAB_ECORRUPT;
		}
	}
	if (hashed != st->slabs || slab_check_list(c, c->partial, 0, &listed, &in_use) != 0 ||
	    slab_check_list(c, c->full, 1, &listed, &in_use) != 0)
		return -SLAB_ECORRUPT;
	if (c->empty != NULL) {
		if (slab_find(c, c->empty) != c->empty || slab_check_one(c, c->empty) != 0 ||
		    c->empty->in_use != 0)
			return -SLAB_ECORRUPT;
		listed++;
	}
	if (listed != hashed || st->empty_slabs != (c->empty != NULL) ||
	    in_use != st->objects_in_use || st->objects_free != st->slabs * c->per_slab - in_use ||
	    st->pages != st->slabs << c->order)
		return -SLAB_ECORRUPT;
	return 0;
}

const char *slab_strerror(int err)
{
	switch (err) {
	case 0: return "success";
	case -SLAB_EINVAL: return "invalid argument or cache not set up";
	case -SLAB_EFOREIGN: return "pointer is not in any slab of this cache";
	case -SLAB_EINTERIOR: return "pointer is not the start of an object";
	case -SLAB_EDOUBLE: return "object is already free (double free)";
	case -SLAB_EBUSY: return "cache still has objects in use";
	case -SLAB_ECORRUPT: return "cache invariants broken";
	default: return "unknown slab error";
	}
}
