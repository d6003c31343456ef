/*
 * drivers-user/lib/ring.c: the shared-memory ring protocol of ring_api.h, pure
 * logic over include/keel/ring.h's layout. Single producer, single consumer
 * per queue; the peer is not trusted (ring_api.h says what that means here).
 *
 * Memory order, in one place:
 *   producer  write the slot; store tail (release)
 *   consumer  load tail (acquire); copy the slot; store head (release)
 *   producer  load head (acquire) before reusing a slot
 * The release/acquire pairs give "the slot is written before the consumer
 * reads it" and "the consumer's copy is done before the producer rewrites
 * the slot". The sleep flag adds two full fences (ring_api.h).
 *
 * Shared memory is read with __atomic loads only, each value exactly once per
 * operation into a local; the checks and every later use look at the local.
 */
#include <stddef.h>
#include <stdint.h>

#include <keel/ring.h>
#include <keel/syscall.h>

#include "ring_api.h"

static int is_pow2(uint32_t n)
{
	return n != 0 && (n & (n - 1)) == 0;
}

/* The sizes of ring.h's limits; 1 when they are valid. */
static int sizes_valid(uint32_t sq_entries, uint32_t cq_entries, uint32_t data_size)
{
	return is_pow2(sq_entries) && sq_entries <= KEEL_RING_ENTRIES_MAX && is_pow2(cq_entries) &&
	       cq_entries <= KEEL_RING_ENTRIES_MAX && is_pow2(data_size) &&
	       data_size >= KEEL_RING_ALIGN && data_size <= KEEL_RING_DATA_MAX;
}

size_t ring_size(uint32_t sq_entries, uint32_t cq_entries, uint32_t data_size)
{
	uint64_t sq_off, cq_off, data_off;

	if (!sizes_valid(sq_entries, cq_entries, data_size))
		return 0;
	/* At most 320 + 2^16 * 48 + 128 + 2^30 bytes: no overflow. */
	return (size_t)keel_ring_layout(sq_entries, cq_entries, data_size, &sq_off, &cq_off,
					&data_off);
}

/* Fill the private view from sizes that have been checked. */
static void view_make(struct ring *r, uint8_t *base, uint32_t sq_entries, uint32_t cq_entries,
		      uint32_t data_size)
{
	struct keel_ring_header *h = (struct keel_ring_header *)base;
	uint64_t sq_off, cq_off, data_off;

	keel_ring_layout(sq_entries, cq_entries, data_size, &sq_off, &cq_off, &data_off);
	r->hdr = h;
	r->data = base + data_off;
	r->data_size = data_size;
	r->broken = 0;
	r->sq = (struct ring_queue){.entries = base + sq_off,
				    .mask = sq_entries - 1,
				    .size = sq_entries,
				    .next = 0,
				    .seen = 0,
				    .prod = &h->sq_prod,
				    .cons = &h->sq_cons};
	r->cq = (struct ring_queue){.entries = base + cq_off,
				    .mask = cq_entries - 1,
				    .size = cq_entries,
				    .next = 0,
				    .seen = 0,
				    .prod = &h->cq_prod,
				    .cons = &h->cq_cons};
}

int ring_init(struct ring *r, void *mem, size_t size, uint32_t sq_entries, uint32_t cq_entries,
	      uint32_t data_size)
{
	size_t need = ring_size(sq_entries, cq_entries, data_size);
	uint8_t *base = mem;

	if (r == NULL || base == NULL || (uintptr_t)base % KEEL_RING_ALIGN != 0 || need == 0 ||
	    size < need)
		return -KEEL_EINVAL;
	/* The header from zero: every counter 0 and every sleep flag clear. */
	for (size_t i = 0; i < sizeof(struct keel_ring_header); i++)
		base[i] = 0;
	view_make(r, base, sq_entries, cq_entries, data_size);
	struct keel_ring_header *h = r->hdr;
	h->magic = KEEL_RING_MAGIC;
	h->version = KEEL_RING_VERSION;
	h->header_size = sizeof(struct keel_ring_header);
	h->sq_entries = sq_entries;
	h->cq_entries = cq_entries;
	h->sqe_size = sizeof(struct keel_ring_sqe);
	h->cqe_size = sizeof(struct keel_ring_cqe);
	h->sq_off = (uint64_t)(r->sq.entries - base);
	h->cq_off = (uint64_t)(r->cq.entries - base);
	h->data_off = (uint64_t)(r->data - base);
	h->data_size = data_size;
	/*
	 * No fence: the creator hands the memory to the client only through a
	 * system call (an IPC reply carrying its handle), which orders these
	 * stores before anything the client does.
	 */
	return 0;
}

#define LOAD(p) __atomic_load_n((p), __ATOMIC_RELAXED)

int ring_attach(struct ring *r, void *mem, size_t size)
{
	uint8_t *base = mem;

	if (r == NULL || base == NULL || (uintptr_t)base % KEEL_RING_ALIGN != 0 ||
	    size < sizeof(struct keel_ring_header))
		return -KEEL_EINVAL;
	struct keel_ring_header *h = (struct keel_ring_header *)base;
	/* Each field read once; from here on only these copies count. */
	uint64_t magic = LOAD(&h->magic);
	uint32_t version = LOAD(&h->version), header_size = LOAD(&h->header_size);
	uint32_t sq_entries = LOAD(&h->sq_entries), cq_entries = LOAD(&h->cq_entries);
	uint32_t sqe_size = LOAD(&h->sqe_size), cqe_size = LOAD(&h->cqe_size);
	uint64_t sq_off = LOAD(&h->sq_off), cq_off = LOAD(&h->cq_off);
	uint64_t data_off = LOAD(&h->data_off);
	uint32_t data_size = LOAD(&h->data_size);
	/* A new session: nothing published or consumed yet on either queue. */
	uint32_t counters = LOAD(&h->sq_prod.tail) | LOAD(&h->sq_cons.head) |
			    LOAD(&h->cq_prod.tail) | LOAD(&h->cq_cons.head);
	uint64_t want_sq, want_cq, want_data, total;

	if (magic != KEEL_RING_MAGIC || version != KEEL_RING_VERSION ||
	    header_size != sizeof(struct keel_ring_header) ||
	    sqe_size != sizeof(struct keel_ring_sqe) || cqe_size != sizeof(struct keel_ring_cqe) ||
	    !sizes_valid(sq_entries, cq_entries, data_size) || counters != 0)
		return -KEEL_EINVAL;
	/* Only the one layout for these sizes, and all of it inside the mapping. */
	total = keel_ring_layout(sq_entries, cq_entries, data_size, &want_sq, &want_cq, &want_data);
	if (sq_off != want_sq || cq_off != want_cq || data_off != want_data || total > size)
		return -KEEL_EINVAL;
	view_make(r, base, sq_entries, cq_entries, data_size);
	return 0;
}

void *ring_buf(const struct ring *r, uint64_t offset, uint64_t len)
{
	/* Written so that nothing overflows: offset first, then len against what is left. */
	if (offset > r->data_size || len > r->data_size - offset)
		return NULL;
	return r->data + offset;
}

/*
 * Producer: the slot for the next entry, or NULL with *err set. Reads the
 * consumer's head once. On an honest ring 0 <= next - head <= size (the
 * consumer never passes what was published); anything else breaks the view.
 */
static void *prod_slot(struct ring *r, struct ring_queue *q, size_t esize, int *err)
{
	if (r->broken) {
		*err = -KEEL_ERANGE;
		return NULL;
	}
	/* Acquire: the consumer's copy of the slot we may reuse is complete. */
	uint32_t head = __atomic_load_n(&q->cons->head, __ATOMIC_ACQUIRE);
	uint32_t used = q->next - head; /* mod 2^32: a head ahead of next wraps to huge */

	if (used > q->size) {
		r->broken = 1;
		*err = -KEEL_ERANGE;
		return NULL;
	}
	if (used == q->size) {
		*err = -KEEL_EAGAIN;
		return NULL;
	}
	return q->entries + (size_t)(q->next & q->mask) * esize;
}

/* Producer: publish the slot prod_slot gave (after writing it). */
static void prod_publish(struct ring_queue *q)
{
	q->next++;
	/* Release: the slot's contents are visible before the new tail. */
	__atomic_store_n(&q->prod->tail, q->next, __ATOMIC_RELEASE);
}

/*
 * Consumer: the slot of the next entry, or NULL with *err set. Reads the
 * producer's tail once; an honest one is 0 to size entries ahead of next.
 */
static void *cons_slot(struct ring *r, struct ring_queue *q, size_t esize, int *err)
{
	if (r->broken) {
		*err = -KEEL_ERANGE;
		return NULL;
	}
	/* Acquire: the entries up to tail are fully written before we read them. */
	uint32_t tail = __atomic_load_n(&q->prod->tail, __ATOMIC_ACQUIRE);
	uint32_t avail = tail - q->next; /* mod 2^32: a tail behind next wraps to huge */

	if (avail > q->size) {
		r->broken = 1;
		*err = -KEEL_ERANGE;
		return NULL;
	}
	if (avail == 0) {
		*err = -KEEL_EAGAIN;
		return NULL;
	}
	return q->entries + (size_t)(q->next & q->mask) * esize;
}

/* Consumer: give the slot back (after copying it). */
static void cons_release(struct ring_queue *q)
{
	q->next++;
	/* Release: our copy of the slot is done before the producer may reuse it. */
	__atomic_store_n(&q->cons->head, q->next, __ATOMIC_RELEASE);
}

/* ring_buf's test, without the pointer: [offset, offset + len) inside the data area. */
static int sqe_valid(const struct ring *r, uint64_t offset, uint32_t len)
{
	return offset <= r->data_size && len <= r->data_size - offset;
}

static int cqe_valid(const struct ring *r, int32_t status, uint32_t len)
{
	return (status == 0 || (status < 0 && status >= -KEEL_ERRNO_MAX)) && len <= r->data_size;
}

int ring_sq_push(struct ring *r, const struct keel_ring_sqe *e)
{
	int err;

	if (!sqe_valid(r, e->offset, e->len))
		return -KEEL_EINVAL;
	struct keel_ring_sqe *s = prod_slot(r, &r->sq, sizeof(*s), &err);
	if (s == NULL)
		return err;
	s->id = e->id;
	s->opcode = e->opcode;
	s->len = e->len;
	s->offset = e->offset;
	s->reserved = 0;
	prod_publish(&r->sq);
	return 0;
}

int ring_sq_pop(struct ring *r, struct keel_ring_sqe *out)
{
	int err;
	struct keel_ring_sqe *s = cons_slot(r, &r->sq, sizeof(*s), &err);

	if (s == NULL)
		return err;
	/* One copy, field by field; only the copy is checked and used. */
	out->id = LOAD(&s->id);
	out->opcode = LOAD(&s->opcode);
	out->len = LOAD(&s->len);
	out->offset = LOAD(&s->offset);
	out->reserved = 0;
	cons_release(&r->sq);
	/* Consumed either way: a bad entry gets its error completion by id. */
	return sqe_valid(r, out->offset, out->len) ? 0 : -KEEL_EINVAL;
}

int ring_cq_push(struct ring *r, const struct keel_ring_cqe *e)
{
	int err;

	if (!cqe_valid(r, e->status, e->len))
		return -KEEL_EINVAL;
	struct keel_ring_cqe *s = prod_slot(r, &r->cq, sizeof(*s), &err);
	if (s == NULL)
		return err;
	s->id = e->id;
	s->status = e->status;
	s->len = e->len;
	prod_publish(&r->cq);
	return 0;
}

int ring_cq_pop(struct ring *r, struct keel_ring_cqe *out)
{
	int err;
	struct keel_ring_cqe *s = cons_slot(r, &r->cq, sizeof(*s), &err);

	if (s == NULL)
		return err;
	out->id = LOAD(&s->id);
	out->status = LOAD(&s->status);
	out->len = LOAD(&s->len);
	cons_release(&r->cq);
	return cqe_valid(r, out->status, out->len) ? 0 : -KEEL_EINVAL;
}

/*
 * Producer of a batch: free slots, at least `want` of them when there are.
 * The room left by the head last seen (q->seen, checked when it was loaded:
 * next - seen <= size) when that is enough; else the consumer's head loaded
 * once and checked as in prod_slot. Or -KEEL_ERANGE.
 */
static int prod_room(struct ring *r, struct ring_queue *q, uint32_t want)
{
	if (r->broken)
		return -KEEL_ERANGE;
	uint32_t cached = q->next - q->seen;

	if (cached <= q->size && q->size - cached >= want)
		return (int)(q->size - cached);
	/*
	 * Acquire: the consumer's copies of the slots we may reuse are complete
	 * (the slots a cached seen frees were ordered by the load that saw it).
	 */
	uint32_t head = __atomic_load_n(&q->cons->head, __ATOMIC_ACQUIRE);
	uint32_t used = q->next - head; /* mod 2^32: a head ahead of next wraps to huge */

	if (used > q->size) {
		r->broken = 1;
		return -KEEL_ERANGE;
	}
	q->seen = head;
	return (int)(q->size - used);
}

/* Consumer of a batch: entries published and not taken (the tail read once), or -KEEL_ERANGE. */
static int cons_avail(struct ring *r, struct ring_queue *q)
{
	if (r->broken)
		return -KEEL_ERANGE;
	/* Acquire: the entries up to tail are fully written before we read them. */
	uint32_t tail = __atomic_load_n(&q->prod->tail, __ATOMIC_ACQUIRE);
	uint32_t avail = tail - q->next; /* mod 2^32: a tail behind next wraps to huge */

	if (avail > q->size) {
		r->broken = 1;
		return -KEEL_ERANGE;
	}
	return (int)avail;
}

/* Publish k slots written from next on: one release store of the new tail. */
static void prod_publish_many(struct ring_queue *q, uint32_t k)
{
	q->next += k;
	/* Release: every slot's contents are visible before the new tail. */
	__atomic_store_n(&q->prod->tail, q->next, __ATOMIC_RELEASE);
}

/* Give k copied slots back: one release store of the new head. */
static void cons_release_many(struct ring_queue *q, uint32_t k)
{
	q->next += k;
	/* Release: our copies are done before the producer may reuse the slots. */
	__atomic_store_n(&q->cons->head, q->next, __ATOMIC_RELEASE);
}

int ring_sq_push_many(struct ring *r, const struct keel_ring_sqe *e, uint32_t n)
{
	struct ring_queue *q = &r->sq;
	struct keel_ring_sqe *base = (struct keel_ring_sqe *)q->entries;
	int room;
	uint32_t k;

	if (n == 0)
		return -KEEL_EINVAL;
	room = prod_room(r, q, n);
	if (room < 0)
		return room;
	if (room == 0) /* as ring_X_push would answer: a bad entry before a full queue */
		return sqe_valid(r, e[0].offset, e[0].len) ? -KEEL_EAGAIN : -KEEL_EINVAL;
	if (n > (uint32_t)room)
		n = (uint32_t)room;
	for (k = 0; k < n; k++) {
		/* Our own entries are checked too: the driver would only refuse them. */
		if (!sqe_valid(r, e[k].offset, e[k].len))
			break;
		struct keel_ring_sqe *s = &base[(q->next + k) & q->mask];
		s->id = e[k].id;
		s->opcode = e[k].opcode;
		s->len = e[k].len;
		s->offset = e[k].offset;
		s->reserved = 0;
	}
	if (k == 0)
		return -KEEL_EINVAL;
	prod_publish_many(q, k);
	return (int)k;
}

int ring_sq_pop_many(struct ring *r, struct keel_ring_sqe *out, uint32_t n, int *bad)
{
	struct ring_queue *q = &r->sq;
	const struct keel_ring_sqe *base = (const struct keel_ring_sqe *)q->entries;
	int avail;
	uint32_t k = 0;

	*bad = 0;
	if (n == 0)
		return -KEEL_EINVAL;
	avail = cons_avail(r, q);
	if (avail <= 0)
		return avail < 0 ? avail : -KEEL_EAGAIN;
	if (n > (uint32_t)avail)
		n = (uint32_t)avail;
	while (k < n) {
		const struct keel_ring_sqe *s = &base[(q->next + k) & q->mask];
		struct keel_ring_sqe *o = &out[k++];

		/* One copy, field by field; only the copy is checked and used. */
		o->id = LOAD(&s->id);
		o->opcode = LOAD(&s->opcode);
		o->len = LOAD(&s->len);
		o->offset = LOAD(&s->offset);
		o->reserved = 0;
		if (!sqe_valid(r, o->offset, o->len)) {
			*bad = 1; /* consumed, answered by id: the batch ends with it */
			break;
		}
	}
	cons_release_many(q, k);
	return (int)k;
}

int ring_cq_push_many(struct ring *r, const struct keel_ring_cqe *e, uint32_t n)
{
	struct ring_queue *q = &r->cq;
	struct keel_ring_cqe *base = (struct keel_ring_cqe *)q->entries;
	int room;
	uint32_t k;

	if (n == 0)
		return -KEEL_EINVAL;
	room = prod_room(r, q, n);
	if (room < 0)
		return room;
	if (room == 0) /* as ring_X_push would answer: a bad entry before a full queue */
		return cqe_valid(r, e[0].status, e[0].len) ? -KEEL_EAGAIN : -KEEL_EINVAL;
	if (n > (uint32_t)room)
		n = (uint32_t)room;
	for (k = 0; k < n; k++) {
		if (!cqe_valid(r, e[k].status, e[k].len))
			break;
		struct keel_ring_cqe *s = &base[(q->next + k) & q->mask];
		s->id = e[k].id;
		s->status = e[k].status;
		s->len = e[k].len;
	}
	if (k == 0)
		return -KEEL_EINVAL;
	prod_publish_many(q, k);
	return (int)k;
}

int ring_cq_pop_many(struct ring *r, struct keel_ring_cqe *out, uint32_t n, int *bad)
{
	struct ring_queue *q = &r->cq;
	const struct keel_ring_cqe *base = (const struct keel_ring_cqe *)q->entries;
	int avail;
	uint32_t k = 0;

	*bad = 0;
	if (n == 0)
		return -KEEL_EINVAL;
	avail = cons_avail(r, q);
	if (avail <= 0)
		return avail < 0 ? avail : -KEEL_EAGAIN;
	if (n > (uint32_t)avail)
		n = (uint32_t)avail;
	while (k < n) {
		const struct keel_ring_cqe *s = &base[(q->next + k) & q->mask];
		struct keel_ring_cqe *o = &out[k++];

		o->id = LOAD(&s->id);
		o->status = LOAD(&s->status);
		o->len = LOAD(&s->len);
		if (!cqe_valid(r, o->status, o->len)) {
			*bad = 1;
			break;
		}
	}
	cons_release_many(q, k);
	return (int)k;
}

int ring_cq_room(struct ring *r)
{
	struct ring_queue *q = &r->cq;

	if (r->broken)
		return -KEEL_ERANGE;
	/* Acquire: the consumer's copies of the slots we may reuse are complete. */
	uint32_t head = __atomic_load_n(&q->cons->head, __ATOMIC_ACQUIRE);
	uint32_t used = q->next - head; /* mod 2^32: a head ahead of next wraps to huge */

	if (used > q->size) {
		r->broken = 1;
		return -KEEL_ERANGE;
	}
	q->seen = head;
	return (int)(q->size - used);
}

int ring_sq_avail(struct ring *r)
{
	return cons_avail(r, &r->sq);
}

int ring_sq_take(struct ring *r, uint32_t i, struct keel_ring_sqe *out)
{
	const struct keel_ring_sqe *s =
	    &((const struct keel_ring_sqe *)r->sq.entries)[(r->sq.next + i) & r->sq.mask];

	/* One copy, field by field; only the copy is checked and used. */
	out->id = LOAD(&s->id);
	out->opcode = LOAD(&s->opcode);
	out->len = LOAD(&s->len);
	out->offset = LOAD(&s->offset);
	out->reserved = 0;
	return sqe_valid(r, out->offset, out->len) ? 0 : -KEEL_EINVAL;
}

void ring_sq_release(struct ring *r, uint32_t k)
{
	cons_release_many(&r->sq, k);
}

int ring_cq_put(struct ring *r, uint32_t i, const struct keel_ring_cqe *e)
{
	struct keel_ring_cqe *s =
	    &((struct keel_ring_cqe *)r->cq.entries)[(r->cq.next + i) & r->cq.mask];

	if (!cqe_valid(r, e->status, e->len))
		return -KEEL_EINVAL;
	s->id = e->id;
	s->status = e->status;
	s->len = e->len;
	return 0;
}

void ring_cq_publish(struct ring *r, uint32_t k)
{
	prod_publish_many(&r->cq, k);
}

/*
 * Consumer about to sleep: flag, full fence, look again (ring_api.h). The
 * fence orders the flag's store before the tail's load; the producer's fence
 * in needs_wakeup orders its tail's store before the flag's load.
 */
static int prepare_sleep(struct ring *r, struct ring_queue *q)
{
	if (r->broken)
		return -KEEL_ERANGE;
	__atomic_store_n(&q->cons->sleeping, 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	uint32_t tail = __atomic_load_n(&q->prod->tail, __ATOMIC_ACQUIRE);
	uint32_t avail = tail - q->next;

	if (avail == 0)
		return 1;
	__atomic_store_n(&q->cons->sleeping, 0, __ATOMIC_RELAXED);
	if (avail > q->size) {
		r->broken = 1;
		return -KEEL_ERANGE;
	}
	return 0;
}

/* Awake again: no signal wanted. A producer that still saw the flag only signals once too often. */
static void end_sleep(struct ring_queue *q)
{
	__atomic_store_n(&q->cons->sleeping, 0, __ATOMIC_RELAXED);
}

/* Producer, after publishing: full fence (pairs with prepare_sleep's), then the flag, once. */
static int needs_wakeup(struct ring *r, struct ring_queue *q)
{
	if (r->broken)
		return -KEEL_ERANGE;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return __atomic_load_n(&q->cons->sleeping, __ATOMIC_RELAXED) != 0;
}

int ring_sq_prepare_sleep(struct ring *r)
{
	return prepare_sleep(r, &r->sq);
}

void ring_sq_end_sleep(struct ring *r)
{
	end_sleep(&r->sq);
}

int ring_sq_needs_wakeup(struct ring *r)
{
	return needs_wakeup(r, &r->sq);
}

int ring_cq_prepare_sleep(struct ring *r)
{
	return prepare_sleep(r, &r->cq);
}

void ring_cq_end_sleep(struct ring *r)
{
	end_sleep(&r->cq);
}

int ring_cq_needs_wakeup(struct ring *r)
{
	return needs_wakeup(r, &r->cq);
}
