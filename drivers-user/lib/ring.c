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

/*
 * The only places that know each queue's entry fields: whether an entry is
 * valid, writing one of ours into a shared slot, and the one copy of a
 * shared slot, field by field (only the copy is checked and used). The
 * queue operations below take them as a `struct entry_kind`; they are
 * inlined with constant kinds, so the indirect calls fold away.
 */
struct entry_kind {
	size_t size;
	int (*ok)(const struct ring *r, const void *e);
	void (*store)(void *slot, const void *e);
	void (*load)(void *out, const void *slot);
};

static int sqe_ok(const struct ring *r, const void *e)
{
	const struct keel_ring_sqe *s = e;

	return sqe_valid(r, s->offset, s->len);
}

static void sqe_store(void *slot, const void *e)
{
	struct keel_ring_sqe *s = slot;
	const struct keel_ring_sqe *x = e;

	s->id = x->id;
	s->opcode = x->opcode;
	s->len = x->len;
	s->offset = x->offset;
	s->arg = x->arg;
}

static void sqe_load(void *out, const void *slot)
{
	struct keel_ring_sqe *o = out;
	const struct keel_ring_sqe *s = slot;

	o->id = LOAD(&s->id);
	o->opcode = LOAD(&s->opcode);
	o->len = LOAD(&s->len);
	o->offset = LOAD(&s->offset);
	o->arg = LOAD(&s->arg);
}

static int cqe_ok(const struct ring *r, const void *e)
{
	const struct keel_ring_cqe *c = e;

	return cqe_valid(r, c->status, c->len);
}

static void cqe_store(void *slot, const void *e)
{
	struct keel_ring_cqe *s = slot;
	const struct keel_ring_cqe *x = e;

	s->id = x->id;
	s->status = x->status;
	s->len = x->len;
}

static void cqe_load(void *out, const void *slot)
{
	struct keel_ring_cqe *o = out;
	const struct keel_ring_cqe *s = slot;

	o->id = LOAD(&s->id);
	o->status = LOAD(&s->status);
	o->len = LOAD(&s->len);
}

static const struct entry_kind sqe_kind = {sizeof(struct keel_ring_sqe), sqe_ok, sqe_store,
					   sqe_load};
static const struct entry_kind cqe_kind = {sizeof(struct keel_ring_cqe), cqe_ok, cqe_store,
					   cqe_load};

#define RING_INLINE static inline __attribute__((always_inline))

/* Slot i entries after next (the caller knows it is published, or free). */
RING_INLINE void *slot_at(const struct ring_queue *q, const struct entry_kind *k, uint32_t i)
{
	return q->entries + (size_t)((q->next + i) & q->mask) * k->size;
}

RING_INLINE int push_one(struct ring *r, struct ring_queue *q, const struct entry_kind *k,
			 const void *e)
{
	int err;
	void *slot;

	if (!k->ok(r, e))
		return -KEEL_EINVAL;
	slot = prod_slot(r, q, k->size, &err);
	if (slot == NULL)
		return err;
	k->store(slot, e);
	prod_publish(q);
	return 0;
}

RING_INLINE int pop_one(struct ring *r, struct ring_queue *q, const struct entry_kind *k, void *out)
{
	int err;
	const void *slot = cons_slot(r, q, k->size, &err);

	if (slot == NULL)
		return err;
	k->load(out, slot);
	cons_release(q);
	/* Consumed either way: a bad entry gets its error completion by id. */
	return k->ok(r, out) ? 0 : -KEEL_EINVAL;
}

int ring_sq_push(struct ring *r, const struct keel_ring_sqe *e)
{
	return push_one(r, &r->sq, &sqe_kind, e);
}

int ring_sq_pop(struct ring *r, struct keel_ring_sqe *out)
{
	return pop_one(r, &r->sq, &sqe_kind, out);
}

int ring_cq_push(struct ring *r, const struct keel_ring_cqe *e)
{
	return push_one(r, &r->cq, &cqe_kind, e);
}

int ring_cq_pop(struct ring *r, struct keel_ring_cqe *out)
{
	return pop_one(r, &r->cq, &cqe_kind, out);
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

/*
 * A batch of up to n entries of kind k from e[]: one head load (when the
 * cached one is not enough), one tail store. Our own entries are checked
 * too (the peer would only refuse them): the batch stops before the first
 * bad one. How many went in, or -KEEL_EAGAIN (full), -KEEL_EINVAL (the first
 * is bad, or n is 0), -KEEL_ERANGE (a broken ring).
 */
RING_INLINE int push_many(struct ring *r, struct ring_queue *q, const struct entry_kind *k,
			  const void *e, uint32_t n)
{
	const uint8_t *src = e;
	uint32_t i;
	int room;

	if (n == 0)
		return -KEEL_EINVAL;
	room = prod_room(r, q, n);
	if (room < 0)
		return room;
	if (room == 0) /* as push_one would answer: a bad entry before a full queue */
		return k->ok(r, e) ? -KEEL_EAGAIN : -KEEL_EINVAL;
	if (n > (uint32_t)room)
		n = (uint32_t)room;
	for (i = 0; i < n && k->ok(r, src + i * k->size); i++)
		k->store(slot_at(q, k, i), src + i * k->size);
	if (i == 0)
		return -KEEL_EINVAL;
	prod_publish_many(q, i);
	return (int)i;
}

/*
 * Up to n entries of kind k into out[]: one tail load, one head store. A
 * bad entry is consumed, copied (answered by id) and ends the batch with
 * *bad set. How many were taken, or -KEEL_EAGAIN (empty), -KEEL_EINVAL (n is
 * 0), -KEEL_ERANGE (a broken ring).
 */
RING_INLINE int pop_many(struct ring *r, struct ring_queue *q, const struct entry_kind *k, void *out,
			 uint32_t n, int *bad)
{
	uint8_t *dst = out;
	uint32_t i = 0;
	int avail;

	*bad = 0;
	if (n == 0)
		return -KEEL_EINVAL;
	avail = cons_avail(r, q);
	if (avail <= 0)
		return avail < 0 ? avail : -KEEL_EAGAIN;
	if (n > (uint32_t)avail)
		n = (uint32_t)avail;
	while (i < n) {
		void *o = dst + i * k->size;

		k->load(o, slot_at(q, k, i));
		i++;
		if (!k->ok(r, o)) {
			*bad = 1;
			break;
		}
	}
	cons_release_many(q, i);
	return (int)i;
}

int ring_sq_push_many(struct ring *r, const struct keel_ring_sqe *e, uint32_t n)
{
	return push_many(r, &r->sq, &sqe_kind, e, n);
}

int ring_sq_pop_many(struct ring *r, struct keel_ring_sqe *out, uint32_t n, int *bad)
{
	return pop_many(r, &r->sq, &sqe_kind, out, n, bad);
}

int ring_cq_push_many(struct ring *r, const struct keel_ring_cqe *e, uint32_t n)
{
	return push_many(r, &r->cq, &cqe_kind, e, n);
}

int ring_cq_pop_many(struct ring *r, struct keel_ring_cqe *out, uint32_t n, int *bad)
{
	return pop_many(r, &r->cq, &cqe_kind, out, n, bad);
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
	sqe_load(out, slot_at(&r->sq, &sqe_kind, i));
	return sqe_ok(r, out) ? 0 : -KEEL_EINVAL;
}

void ring_sq_release(struct ring *r, uint32_t k)
{
	cons_release_many(&r->sq, k);
}

int ring_cq_put(struct ring *r, uint32_t i, const struct keel_ring_cqe *e)
{
	if (!cqe_ok(r, e))
		return -KEEL_EINVAL;
	cqe_store(slot_at(&r->cq, &cqe_kind, i), e);
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
