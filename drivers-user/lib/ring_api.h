/*
 * drivers-user/lib/ring_api.h: libkeel's side of the shared-memory ring
 * protocol (include/keel/ring.h for the layout, DESIGN.md §7). Pure logic, no
 * system calls: a side calls these on its mapping of the session's memory and
 * does the signalling and waiting itself (KEEL_SYS_SIGNAL, KEEL_SYS_WAIT).
 * tests/unit/test_ring.c runs it on the host, with two threads.
 *
 * Trust: everything in the shared memory may be written by a hostile peer at
 * any moment. So
 *   - a side's view (struct ring) holds private copies of the sizes, checked
 *     once by ring_init or ring_attach, and of its own counters; the shared
 *     copies of the sizes are never read again, and its own counters are only
 *     written there, never read back;
 *   - the peer's counter is loaded once per operation into a local variable,
 *     checked, and only the local copy is used;
 *   - an entry is copied out field by field, once, and the copy is checked.
 * No function loops on shared memory, so a peer can cause an error code but
 * never a hang or an access outside the mapping.
 *
 * Errors:
 *   -KEEL_EAGAIN  the queue is empty (pop) or full (push): nothing changed.
 *   -KEEL_ERANGE  the peer's counter is impossible (more than the queue's size
 *                 ahead, or behind): the ring is broken for good, every later
 *                 call on this view returns -KEEL_ERANGE; close the session.
 *   -KEEL_EINVAL  a bad header (ring_attach), a bad argument, or an entry whose
 *                 fields are out of range (pop: the entry IS consumed and *out
 *                 holds its copy, so that the driver can answer its id with an
 *                 error completion and go on).
 *
 * Single producer, single consumer per queue: one thread of the client pushes
 * SQ entries and pops CQ entries, one thread of the driver does the reverse.
 * Ordering: the producer writes the entry, then stores tail with release; the
 * consumer loads tail with acquire, then reads the entry (so it sees it whole),
 * copies it, and stores head with release (so the producer's later reuse of
 * the slot, after its acquire load of head, cannot overwrite it before the copy).
 *
 * Sleeping, without a lost wakeup. The consumer of a queue, finding it empty:
 *     r = ring_X_prepare_sleep(ring);   flag = 1; full fence; reload tail
 *     if (r == 1) wait(notification);   still empty: sleep
 *     ring_X_end_sleep(ring);           flag = 0
 * The producer, after it published entries:
 *     if (ring_X_needs_wakeup(ring))    full fence; load flag
 *             signal(peer's notification);
 * The two full fences order "flag = 1 before reading tail" and "tail stored
 * before reading the flag": at least one side sees the other's store (the
 * store-buffer case of Dekker's algorithm). Either the consumer sees the new
 * entry and does not sleep, or the producer sees the flag and signals; the
 * notification's bit stays set until the wait, so a signal sent before the
 * consumer waits is not lost either. Extra signals (the flag still set while
 * the consumer is already awake) only cost a spurious wakeup.
 */
#ifndef KEEL_USER_RING_API_H
#define KEEL_USER_RING_API_H

#include <stddef.h>
#include <stdint.h>

#include <keel/ring.h>

/* A private view of one queue, for one side. */
struct ring_queue {
	uint8_t *entries; /* slot 0 of the queue in the shared memory */
	uint32_t mask;    /* entries - 1 */
	uint32_t size;    /* entries, a power of two */
	uint32_t next;    /* this side's counter: tail when producing, head when consuming */
	uint32_t seen;    /* producer, batches: the consumer's head as last loaded and checked */
	struct keel_ring_prod *prod; /* the shared producer line */
	struct keel_ring_cons *cons; /* the shared consumer line */
};

/* One side's view of a session's shared memory. */
struct ring {
	struct keel_ring_header *hdr;
	uint8_t *data;      /* the data area */
	uint32_t data_size; /* a power of two */
	int broken;         /* set by the first impossible counter: every call fails */
	struct ring_queue sq, cq;
};

/*
 * Bytes of shared memory a session with these sizes needs, or 0 when a size
 * is not a power of two within the limits of include/keel/ring.h.
 */
size_t ring_size(uint32_t sq_entries, uint32_t cq_entries, uint32_t data_size);

/*
 * The creator's side (the driver): lay out a session in [mem, mem + size) and
 * make the view. mem must be KEEL_RING_ALIGN-aligned and size at least
 * ring_size(...). Returns 0, or -KEEL_EINVAL (nothing written then).
 */
int ring_init(struct ring *r, void *mem, size_t size, uint32_t sq_entries, uint32_t cq_entries,
	      uint32_t data_size);

/*
 * The other side (the client): check the header in [mem, mem + size) (magic,
 * version, sizes, the one layout, all of it inside size) and make the view
 * from copies of what it checked. Returns 0, or -KEEL_EINVAL.
 */
int ring_attach(struct ring *r, void *mem, size_t size);

/*
 * The bytes [offset, offset + len) of the data area, or NULL when they are
 * not all inside it (len 0 is inside when offset <= data_size).
 */
void *ring_buf(const struct ring *r, uint64_t offset, uint64_t len);

/* Client: publish one request (its offset and len must be inside the data area). */
int ring_sq_push(struct ring *r, const struct keel_ring_sqe *e);
/* Driver: take the next request. */
int ring_sq_pop(struct ring *r, struct keel_ring_sqe *out);
/* Driver: publish one completion (status 0 or -KEEL_E*, len <= data_size). */
int ring_cq_push(struct ring *r, const struct keel_ring_cqe *e);
/* Client: take the next completion. */
int ring_cq_pop(struct ring *r, struct keel_ring_cqe *out);

/*
 * Batches: the same rules, once per call instead of once per entry. A batch
 * loads the peer's counter once, checks it once, copies each entry once
 * (field by field, the copy checked) and stores its own counter once, after
 * the last entry; entries go in order, as that many single calls would put
 * them.
 *
 * push_many publishes e[0..k) and returns k (1..n): it stops at the first
 * entry of its own that is out of range (returned -KEEL_EINVAL when that is
 * e[0]) and at a full queue (-KEEL_EAGAIN when nothing fit). pop_many takes
 * out[0..k) and returns k (1..n), or -KEEL_EAGAIN (empty), -KEEL_ERANGE; it
 * stops after the first entry out of range, which IS consumed: *bad is then
 * 1 and out[k - 1] is that entry's copy (a driver answers its id with an
 * error completion), else *bad is 0. n == 0: -KEEL_EINVAL.
 */
/*
 * A producer's batch need not load the peer's head at all: it keeps the head
 * it last loaded and checked (struct ring_queue.seen; a consumer's head only
 * moves forward, so the room it gave is still there) and loads the head
 * again only when that room is less than the batch. A hostile head is then
 * seen (-KEEL_ERANGE) at the next load, not at once; nothing is written
 * outside the free slots either way.
 */
int ring_sq_push_many(struct ring *r, const struct keel_ring_sqe *e, uint32_t n);      /* client */
int ring_sq_pop_many(struct ring *r, struct keel_ring_sqe *out, uint32_t n, int *bad); /* driver */
int ring_cq_push_many(struct ring *r, const struct keel_ring_cqe *e, uint32_t n);      /* driver */
int ring_cq_pop_many(struct ring *r, struct keel_ring_cqe *out, uint32_t n, int *bad); /* client */

/*
 * A driver's batch in place, with no arrays: ring_sq_avail loads the tail
 * once and says how many entries are there; ring_sq_take(r, i, out) copies
 * the i-th of them (i below that count; field by field, the copy checked:
 * 0, or -KEEL_EINVAL for an entry out of range, consumed all the same);
 * ring_sq_release(r, k) gives the first k back with one head store.
 * Completions the same way: ring_cq_room (below), ring_cq_put(r, i, e)
 * writes the i-th free slot (i below the room; 0, or -KEEL_EINVAL and
 * nothing written for an entry out of range), ring_cq_publish(r, k)
 * publishes the first k with one tail store. Between put and publish the
 * queue is this batch's alone: nothing else may push on it.
 */
int ring_sq_avail(struct ring *r); /* the count, or -KEEL_ERANGE */
int ring_sq_take(struct ring *r, uint32_t i, struct keel_ring_sqe *out);
void ring_sq_release(struct ring *r, uint32_t k);
int ring_cq_put(struct ring *r, uint32_t i, const struct keel_ring_cqe *e);
void ring_cq_publish(struct ring *r, uint32_t k);

/*
 * Producer: free slots in the CQ (the consumer's head loaded and checked
 * every time, so that a driver sees a hostile head once per batch), 0 when
 * full, or -KEEL_ERANGE. A consumer only frees more, so the next push_many
 * takes at least this many without a load of its own (unless something else
 * pushed meanwhile).
 */
int ring_cq_room(struct ring *r); /* driver */

/*
 * The sleep protocol (above). prepare_sleep returns 1 (empty: sleep now, the
 * flag is set), 0 (entries arrived: the flag is cleared again, do not sleep),
 * or -KEEL_ERANGE. needs_wakeup returns 1 when the consumer asked for a
 * signal, else 0 (-KEEL_ERANGE on a broken view).
 */
int ring_sq_prepare_sleep(struct ring *r); /* driver */
void ring_sq_end_sleep(struct ring *r);    /* driver */
int ring_sq_needs_wakeup(struct ring *r);  /* client, after ring_sq_push */
int ring_cq_prepare_sleep(struct ring *r); /* client */
void ring_cq_end_sleep(struct ring *r);    /* client */
int ring_cq_needs_wakeup(struct ring *r);  /* driver, after ring_cq_push */

#endif
