/*
 * drivers-user/virtio-blk/virtq.c: one split virtqueue, the driver's side
 * (virtq.h). Pure: it touches only the memory it was given.
 *
 * Memory ordering. The device is another agent reading and writing the same
 * memory (on x86 DMA is cache-coherent, so fences are all it takes; virtio
 * 1.1 2.6.13 and 2.6.14 name where they go):
 *
 *  - publish (virtq_add): the descriptors and the available ring entry must
 *    be visible before the new available idx, or the device may fetch a
 *    stale descriptor. A release store of idx orders them (store-store: on
 *    x86 only the compiler could reorder it, which the release forbids).
 *  - notify (virtq_kick_prepare): our idx store must be visible before we
 *    read whether the device wants a notification. Otherwise the device may
 *    have read the old idx, decided to sleep and asked to be notified while
 *    we read its stale "no notification": a lost wakeup and a hung queue.
 *    That is store-then-load, the one order x86 does not keep: a sequentially
 *    consistent fence (mfence).
 *  - take (virtq_get_used): the device writes a used entry (and the data it
 *    produced) before the used idx; an acquire load of idx makes every later
 *    read (the entry, then the caller's read of the data) come after it.
 *  - interrupts on (virtq_interrupts): our store of used_event (or flags)
 *    must be visible before we look at the used idx once more, for the same
 *    store-then-load reason as notify: else an entry the device added just
 *    before it read our old setting raises no interrupt and we miss it.
 *
 * The device-written fields are read with __atomic loads (each read exactly
 * once, never torn or refetched by the compiler): a value checked is the
 * value used.
 */
#include <keel/syscall.h>

#include "virtq.h"

static size_t virtq_align(size_t n)
{
	return (n + VIRTQ_ALIGN - 1) & ~(size_t)(VIRTQ_ALIGN - 1);
}

size_t virtq_layout(uint16_t size, size_t *desc_off, size_t *avail_off, size_t *used_off)
{
	/* avail: flags, idx, ring[size], used_event; used: flags, idx, ring[size], avail_event. */
	*desc_off = 0;
	*avail_off = virtq_align(sizeof(struct virtq_desc) * (size_t)size);
	*used_off = virtq_align(*avail_off + 6 + 2 * (size_t)size);
	return virtq_align(*used_off + 6 + sizeof(struct virtq_used_elem) * (size_t)size);
}

/* used_event lives right after the available ring's entries (2.6.6). */
static uint16_t *virtq_used_event(struct virtq *q)
{
	return &q->avail->ring[q->size];
}

/* avail_event lives right after the used ring's entries (2.6.8). */
static uint16_t *virtq_avail_event(struct virtq *q)
{
	return (uint16_t *)(void *)&q->used->ring[q->size];
}

/* Every descriptor free, on the list 0, 1, ..., size - 1; nothing in flight. */
static void virtq_reset_state(struct virtq *q)
{
	for (uint16_t i = 0; i < q->size; i++) {
		q->link[i] = (uint16_t)(i + 1); /* the last one's link is never followed */
		q->chain_len[i] = 0;
		q->wlen[i] = 0;
		q->token[i] = 0;
	}
	q->free_head = 0;
	q->nfree = q->size;
	q->inflight = 0;
	q->avail_idx = q->kick_idx = q->last_used = 0;
	q->broken = 0;
}

static void virtq_zero(void *mem, size_t bytes)
{
	volatile uint8_t *p = mem; /* not a memset call: this is freestanding, -fno-builtin */

	for (size_t i = 0; i < bytes; i++)
		p[i] = 0;
}

int virtq_init(struct virtq *q, void *mem, size_t bytes, uint16_t size, int event_idx)
{
	size_t d, a, u, total;

	if (size == 0 || size > VIRTQ_SIZE_MAX || (size & (size - 1)) != 0)
		return -KEEL_EINVAL;
	total = virtq_layout(size, &d, &a, &u);
	if (mem == NULL || ((uintptr_t)mem & (VIRTQ_ALIGN - 1)) != 0 || bytes < total)
		return -KEEL_EINVAL;
	virtq_zero(mem, total);
	q->desc = (struct virtq_desc *)((uint8_t *)mem + d);
	q->avail = (struct virtq_avail *)(void *)((uint8_t *)mem + a);
	q->used = (struct virtq_used *)(void *)((uint8_t *)mem + u);
	q->size = size;
	q->event_idx = event_idx != 0;
	virtq_reset_state(q);
	return 0;
}

/* The buffers make a valid chain: n > 0, no empty buffer, readable before writable. */
static int virtq_chain_ok(const struct virtq_buf *buf, unsigned n, uint32_t *wlen)
{
	uint64_t w = 0;
	int writing = 0;

	if (n == 0)
		return 0;
	for (unsigned k = 0; k < n; k++) {
		if (buf[k].len == 0)
			return 0;
		if (buf[k].device_writes) {
			writing = 1;
			w += buf[k].len;
		} else if (writing) {
			return 0; /* 2.6.4.2: device-writable descriptors come after readable ones
				   */
		}
	}
	if (w > UINT32_MAX)
		return 0; /* the used len is 32-bit: the device could not report it */
	*wlen = (uint32_t)w;
	return 1;
}

int virtq_add(struct virtq *q, const struct virtq_buf *buf, unsigned n, uint64_t token)
{
	uint16_t head = q->free_head, i = head, mask = (uint16_t)(q->size - 1);
	uint32_t wlen;

	if (q->broken || !virtq_chain_ok(buf, n, &wlen))
		return -KEEL_EINVAL;
	if (n > q->nfree)
		return -KEEL_EAGAIN;
	/*
	 * The chain takes the first n descriptors of the free list, in list
	 * order, so link[] already chains them: desc[].next copies it for the
	 * device. The free list goes on at the link of the chain's last one.
	 */
	for (unsigned k = 0; k < n; k++) {
		struct virtq_desc *d = &q->desc[i];

		d->addr = buf[k].addr;
		d->len = buf[k].len;
		d->flags = (uint16_t)((k + 1 < n ? VIRTQ_DESC_F_NEXT : 0) |
				      (buf[k].device_writes ? VIRTQ_DESC_F_WRITE : 0));
		d->next = k + 1 < n ? q->link[i] : 0;
		if (k + 1 < n)
			i = q->link[i];
	}
	q->nfree = (uint16_t)(q->nfree - n);
	q->free_head = q->link[i]; /* meaningless when nfree is 0: never read then */
	q->chain_len[head] = (uint16_t)n;
	q->wlen[head] = wlen;
	q->token[head] = token;
	q->inflight++;
	q->avail->ring[q->avail_idx & mask] = head;
	q->avail_idx++;
	/* Release: the descriptors and the ring entry before the index (file comment). */
	__atomic_store_n(&q->avail->idx, q->avail_idx, __ATOMIC_RELEASE);
	return 0;
}

/*
 * Event index (2.6.7.2, 2.6.10.2): the other side wants a signal once the
 * index moves past `event`; did the move from old to new_idx (mod 2^16) pass
 * it? I.e. is event in [old, new_idx).
 */
static int virtq_need_event(uint16_t event, uint16_t new_idx, uint16_t old)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old);
}

int virtq_kick_prepare(struct virtq *q)
{
	uint16_t old = q->kick_idx, new_idx = q->avail_idx;

	if (q->broken || old == new_idx)
		return 0;
	q->kick_idx = new_idx;
	/* Full fence: our avail idx store before the load of the device's wish (file comment). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (q->event_idx)
		return virtq_need_event(__atomic_load_n(virtq_avail_event(q), __ATOMIC_RELAXED),
					new_idx, old);
	return !(__atomic_load_n(&q->used->flags, __ATOMIC_RELAXED) & VIRTQ_USED_F_NO_NOTIFY);
}

/* Put head's chain (chain_len[head] descriptors, linked by link[]) back on the free list. */
static void virtq_free_chain(struct virtq *q, uint16_t head)
{
	uint16_t last = head;

	for (uint16_t k = 1; k < q->chain_len[head]; k++)
		last = q->link[last];
	q->link[last] = q->free_head;
	q->free_head = head;
	q->nfree = (uint16_t)(q->nfree + q->chain_len[head]);
	q->chain_len[head] = 0; /* no longer in flight: a second return of it is refused */
	q->inflight--;
}

int virtq_get_used(struct virtq *q, uint64_t *token, uint32_t *len)
{
	uint16_t idx, pending;
	uint32_t id, n;
	struct virtq_used_elem *e;

	if (q->broken)
		return -KEEL_EINVAL;
	/* Acquire: the entry (and the data the device wrote) are read after idx. */
	idx = __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE);
	pending = (uint16_t)(idx - q->last_used);
	if (pending == 0)
		return 0;
	/*
	 * An honest device returns each chain once: it cannot be more than
	 * the chains in flight (at most size) ahead of us. An index that
	 * jumped further, or went back (a huge difference mod 2^16), is a lie.
	 */
	if (pending > q->inflight)
		goto broken;
	e = &q->used->ring[q->last_used & (q->size - 1)];
	id = __atomic_load_n(&e->id, __ATOMIC_RELAXED);
	n = __atomic_load_n(&e->len, __ATOMIC_RELAXED);
	/* The id must name the head of a chain in flight; len what that chain lets it write. */
	if (id >= q->size || q->chain_len[id] == 0 || n > q->wlen[id])
		goto broken;
	*token = q->token[id];
	*len = n;
	virtq_free_chain(q, (uint16_t)id);
	q->last_used++;
	return 1;
broken:
	q->broken = 1;
	return -KEEL_EINVAL;
}

int virtq_interrupts(struct virtq *q, int on)
{
	if (!on) {
		/*
		 * With event indexes the device ignores the flag (2.6.7.2); an
		 * event half the index space ahead is as far as we can push
		 * the next interrupt. Either way only a hint.
		 */
		if (q->event_idx)
			__atomic_store_n(virtq_used_event(q), (uint16_t)(q->last_used + 0x8000),
					 __ATOMIC_RELAXED);
		else
			__atomic_store_n(&q->avail->flags, VIRTQ_AVAIL_F_NO_INTERRUPT,
					 __ATOMIC_RELAXED);
		return 0;
	}
	/* The next entry (index last_used) raises one; flags stay 0 with event indexes. */
	if (q->event_idx)
		__atomic_store_n(virtq_used_event(q), q->last_used, __ATOMIC_RELAXED);
	else
		__atomic_store_n(&q->avail->flags, 0, __ATOMIC_RELAXED);
	/* Full fence: the store above before the look at idx (file comment). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return !q->broken && __atomic_load_n(&q->used->idx, __ATOMIC_RELAXED) != q->last_used;
}

void virtq_reclaim(struct virtq *q, void (*fn)(void *ctx, uint64_t token), void *ctx)
{
	size_t d, a, u, total = virtq_layout(q->size, &d, &a, &u);

	for (uint16_t i = 0; i < q->size; i++)
		if (q->chain_len[i] != 0 && fn != NULL)
			fn(ctx, q->token[i]);
	virtq_zero(q->desc, total); /* desc is at offset 0 of the memory virtq_init was given */
	virtq_reset_state(q);
}
