/*
 * kernel/core/handle.c: per-process handle tables (handle.h).
 *
 * A handle value is decoded in one place, handle_slot_of, which reads only
 * the table's own array: a hostile value can name no memory outside it.
 * Every function checks all its arguments, in the order handle.h gives,
 * before it changes anything, so a refused call leaves the table exactly as
 * it was; ops->ref and ops->unref are called last, once the table is
 * consistent.
 */
#include "handle.h"

#include "lib/kstring.h"

static int handle_usable(const struct handle_table *t)
{
	return t != NULL && t->ops != NULL;
}

int handle_table_init(struct handle_table *t, uint32_t capacity_max,
		      const struct handle_table_ops *ops, void *ctx)
{
	if (t == NULL)
		return -KEEL_EINVAL;
	memset(t, 0, sizeof(*t));
	t->free_head = t->free_tail = HANDLE_NO_SLOT;
	if (ops == NULL || ops->ref == NULL || ops->unref == NULL || ops->alloc == NULL ||
	    ops->free == NULL || capacity_max == 0 || capacity_max > HANDLE_CAPACITY_LIMIT)
		return -KEEL_EINVAL;
	t->ops = ops;
	t->ctx = ctx;
	t->capacity_max = capacity_max;
	t->stats.capacity_max = capacity_max;
	return 0;
}

void handle_table_destroy(struct handle_table *t)
{
	const struct handle_table_ops *ops;
	struct handle_slot *slots;
	uint32_t capacity;
	void *ctx;

	if (!handle_usable(t))
		return;
	/* Empty the table first: an unref below may call back into it. */
	ops = t->ops;
	ctx = t->ctx;
	slots = t->slots;
	capacity = t->capacity;
	memset(t, 0, sizeof(*t));
	t->free_head = t->free_tail = HANDLE_NO_SLOT;

	for (uint32_t i = 0; i < capacity; i++) {
		if (slots[i].obj != NULL)
			ops->unref(ctx, slots[i].obj, slots[i].type, slots[i].rights);
	}
	if (slots != NULL)
		ops->free(ctx, slots, (size_t)capacity * sizeof(*slots));
}

/* The open slot that h names, or NULL (bad value, free, retired or stale). */
static struct handle_slot *handle_slot_of(const struct handle_table *t, uint64_t h)
{
	uint64_t gen = h >> HANDLE_INDEX_BITS, index = h & HANDLE_INDEX_MASK;
	struct handle_slot *s;

	if (!handle_usable(t) || gen == 0 || gen > HANDLE_GEN_MAX || index >= t->capacity)
		return NULL;
	s = &t->slots[index];
	if (s->obj == NULL || s->gen != gen)
		return NULL;
	return s;
}

static uint64_t handle_value(const struct handle_table *t, const struct handle_slot *s)
{
	return s->gen << HANDLE_INDEX_BITS | (uint64_t)(s - t->slots);
}

/* Put free slot i at the tail of the free list (reused last). */
static void handle_free_push(struct handle_table *t, uint32_t i)
{
	t->slots[i].next_free = HANDLE_NO_SLOT;
	if (t->free_tail == HANDLE_NO_SLOT)
		t->free_head = i;
	else
		t->slots[t->free_tail].next_free = i;
	t->free_tail = i;
	t->stats.free++;
}

/* Take the oldest free slot off the list; there must be one. */
static uint32_t handle_free_pop(struct handle_table *t)
{
	uint32_t i = t->free_head;

	t->free_head = t->slots[i].next_free;
	if (t->free_head == HANDLE_NO_SLOT)
		t->free_tail = HANDLE_NO_SLOT;
	t->slots[i].next_free = HANDLE_NO_SLOT;
	t->stats.free--;
	return i;
}

/*
 * Double the array (or make the first one), new slots going to the free
 * list in index order. 0, or -KEEL_ENOMEM with nothing changed.
 */
static int handle_grow(struct handle_table *t)
{
	uint32_t cap, old = t->capacity;
	struct handle_slot *slots;

	if (old == t->capacity_max)
		return -KEEL_ENOMEM;
	if (old == 0)
		cap =
		    HANDLE_INITIAL_SLOTS < t->capacity_max ? HANDLE_INITIAL_SLOTS : t->capacity_max;
	else
		cap = old <= t->capacity_max / 2 ? old * 2 : t->capacity_max;
	slots = t->ops->alloc(t->ctx, (size_t)cap * sizeof(*slots));
	if (slots == NULL) {
		t->stats.grow_failures++;
		return -KEEL_ENOMEM;
	}
	if (old != 0) {
		memcpy(slots, t->slots, (size_t)old * sizeof(*slots));
		t->ops->free(t->ctx, t->slots, (size_t)old * sizeof(*slots));
	}
	t->slots = slots;
	t->capacity = cap;
	for (uint32_t i = old; i < cap; i++) {
		slots[i].obj = NULL;
		slots[i].gen = 1;
		slots[i].rights = 0;
		slots[i].type = 0;
		handle_free_push(t, i);
	}
	t->stats.capacity = cap;
	t->stats.grows++;
	return 0;
}

/* Fill the oldest free slot (growing if none) and return its handle. */
static int64_t handle_insert(struct handle_table *t, void *obj, uint32_t type, uint32_t rights)
{
	struct handle_slot *s;

	if (t->free_head == HANDLE_NO_SLOT) {
		int err = handle_grow(t);

		if (err < 0)
			return err;
	}
	s = &t->slots[handle_free_pop(t)];
	s->obj = obj;
	s->type = (uint16_t)type;
	s->rights = (uint16_t)rights;
	t->stats.open++;
	t->ops->ref(t->ctx, obj, type, rights);
	return (int64_t)handle_value(t, s);
}

/*
 * Empty an open slot: a new generation and the tail of the free list, or
 * retirement when the generations are used up.
 */
static void handle_remove(struct handle_table *t, struct handle_slot *s)
{
	s->obj = NULL;
	s->type = 0;
	s->rights = 0;
	t->stats.open--;
	if (s->gen == HANDLE_GEN_MAX) {
		s->gen = 0;
		s->next_free = HANDLE_NO_SLOT;
		t->stats.retired++;
		return;
	}
	s->gen++;
	handle_free_push(t, (uint32_t)(s - t->slots));
}

int64_t handle_add(struct handle_table *t, void *obj, uint32_t type, uint32_t rights)
{
	if (!handle_usable(t) || obj == NULL || type == HANDLE_TYPE_ANY || type > HANDLE_TYPE_MAX ||
	    (rights & ~KEEL_RIGHTS_ALL) != 0)
		return -KEEL_EINVAL;
	return handle_insert(t, obj, type, rights);
}

int handle_get(const struct handle_table *t, uint64_t h, uint32_t type, uint32_t rights_needed,
	       void **obj)
{
	const struct handle_slot *s = handle_slot_of(t, h);

	if (s == NULL)
		return -KEEL_EBADH;
	if (type != HANDLE_TYPE_ANY && s->type != type)
		return -KEEL_ETYPE;
	if ((s->rights & rights_needed) != rights_needed)
		return -KEEL_EPERM;
	if (obj != NULL)
		*obj = s->obj;
	return 0;
}

int handle_lookup(const struct handle_table *t, uint64_t h, struct handle_entry *out)
{
	const struct handle_slot *s = handle_slot_of(t, h);

	if (s == NULL)
		return -KEEL_EBADH;
	if (out != NULL) {
		out->obj = s->obj;
		out->type = s->type;
		out->rights = s->rights;
	}
	return 0;
}

int64_t handle_dup(struct handle_table *t, uint64_t h, uint64_t rights)
{
	const struct handle_slot *s = handle_slot_of(t, h);

	if (s == NULL)
		return -KEEL_EBADH;
	if ((rights & ~(uint64_t)KEEL_RIGHTS_ALL) != 0)
		return -KEEL_EINVAL;
	if ((s->rights & KEEL_RIGHT_DUPLICATE) == 0 || (rights & ~(uint64_t)s->rights) != 0)
		return -KEEL_EPERM;
	/* s may move if the array grows: copy what it names first. */
	return handle_insert(t, s->obj, s->type, (uint32_t)rights);
}

int handle_close(struct handle_table *t, uint64_t h)
{
	struct handle_slot *s = handle_slot_of(t, h);
	uint32_t type, rights;
	void *obj;

	if (s == NULL)
		return -KEEL_EBADH;
	obj = s->obj;
	type = s->type;
	rights = s->rights;
	handle_remove(t, s);
	t->ops->unref(t->ctx, obj, type, rights);
	return 0;
}

int handle_take(struct handle_table *t, uint64_t h, uint32_t rights_needed,
		struct handle_entry *out)
{
	struct handle_slot *s = handle_slot_of(t, h);
	uint32_t need = rights_needed | KEEL_RIGHT_TRANSFER;

	if (s == NULL)
		return -KEEL_EBADH;
	if (out == NULL)
		return -KEEL_EINVAL;
	if ((s->rights & need) != need)
		return -KEEL_EPERM;
	out->obj = s->obj;
	out->type = s->type;
	out->rights = s->rights;
	handle_remove(t, s);
	return 0;
}

int handle_reserve(struct handle_table *t, uint32_t n)
{
	if (!handle_usable(t))
		return -KEEL_EINVAL;
	/* Slots that could ever be free: every one not open and not retired. */
	if (n > t->capacity_max - t->stats.open - t->stats.retired)
		return -KEEL_ENOMEM;
	while (t->stats.free < n) {
		int err = handle_grow(t);

		if (err < 0)
			return err;
	}
	return 0;
}

uint32_t handle_count(const struct handle_table *t)
{
	return handle_usable(t) ? t->stats.open : 0;
}

void handle_table_stats(const struct handle_table *t, struct handle_stats *out)
{
	if (out == NULL)
		return;
	if (t == NULL) {
		memset(out, 0, sizeof(*out));
		return;
	}
	*out = t->stats;
}

int handle_table_check(const struct handle_table *t)
{
	uint32_t open = 0, free = 0, retired = 0, last = HANDLE_NO_SLOT;

	if (t == NULL)
		return -KEEL_EINVAL;
	if (t->ops == NULL)
		return t->slots == NULL && t->capacity == 0 && t->stats.open == 0 ? 0
										  : -KEEL_EINVAL;
	if (t->capacity > t->capacity_max || t->capacity_max > HANDLE_CAPACITY_LIMIT ||
	    (t->capacity != 0) != (t->slots != NULL) || t->stats.capacity != t->capacity ||
	    t->stats.capacity_max != t->capacity_max)
		return -KEEL_EINVAL;

	/* Walk the free list: free slots only, each once (at most `capacity` steps). */
	for (uint32_t i = t->free_head; i != HANDLE_NO_SLOT; i = t->slots[i].next_free) {
		const struct handle_slot *s;

		if (i >= t->capacity || free == t->capacity)
			return -KEEL_EINVAL;
		s = &t->slots[i];
		if (s->obj != NULL || s->type != 0 || s->gen == 0 || s->gen > HANDLE_GEN_MAX)
			return -KEEL_EINVAL;
		free++;
		last = i;
	}
	if (last != t->free_tail)
		return -KEEL_EINVAL;

	/* Classify every slot; the free ones counted here must be the ones on the list. */
	for (uint32_t i = 0; i < t->capacity; i++) {
		const struct handle_slot *s = &t->slots[i];

		if (s->obj != NULL) {
			if (s->type == 0 || s->gen == 0 || s->gen > HANDLE_GEN_MAX ||
			    (s->rights & ~KEEL_RIGHTS_ALL) != 0)
				return -KEEL_EINVAL;
			open++;
		} else if (s->gen == 0) {
			if (s->type != 0 || s->next_free != HANDLE_NO_SLOT)
				return -KEEL_EINVAL;
			retired++;
		}
	}
	if (open + free + retired != t->capacity || open != t->stats.open ||
	    free != t->stats.free || retired != t->stats.retired)
		return -KEEL_EINVAL;
	return 0;
}
