/*
 * tests/unit/test_virtq.c: drivers-user/virtio-blk/virtq.c on the host,
 * against a fake device that works the rings as the virtio 1.1 split-queue
 * rules say (it follows desc[].next, bounded) and against hostile ones: used
 * ids out of range, not a head, not in flight, returned twice; a used index
 * that jumps or goes back; a len above the writable bytes. Each must break
 * the queue with an error, never free a descriptor twice (the free count is
 * checked against the queue size every time), and virtq_reclaim must hand
 * back every chain still in flight. Plus the notification rules (flags and
 * event indexes, across the 16-bit wrap) and 70000 round trips.
 */
#include <stdint.h>
#include <string.h>

#include <keel/syscall.h>

#include "../../drivers-user/virtio-blk/virtq.h"
#include "ktest.h"

static _Alignas(64) uint8_t mem[16384];
static struct virtq q;

/* The fake device's view: the next available entry it will take. */
static uint16_t dev_avail;

static const char *setup(uint16_t size, int event_idx)
{
	memset(mem, 0xa5, sizeof(mem)); /* virtq_init must zero what it uses */
	dev_avail = 0;
	KT_EQ(virtq_init(&q, mem, sizeof(mem), size, event_idx), 0);
	KT_EQ(q.nfree, size);
	return NULL;
}

/* Device: take the next available head; its chain's descriptor count (or -1 none). */
static int dev_pop(uint16_t *head)
{
	uint16_t i, n = 1;

	if (dev_avail == q.avail->idx)
		return -1;
	*head = q.avail->ring[dev_avail++ & (q.size - 1)];
	for (i = *head; q.desc[i].flags & VIRTQ_DESC_F_NEXT && n <= q.size; n++)
		i = q.desc[i].next;
	return n;
}

/* Device: return entry {id, len} on the used ring. */
static void dev_push(uint32_t id, uint32_t len)
{
	struct virtq_used_elem *e = &q.used->ring[q.used->idx & (q.size - 1)];

	e->id = id;
	e->len = len;
	q.used->idx++;
}

/* A header (device reads), a data buffer and a status byte (device writes). */
static int add3(uint64_t token)
{
	const struct virtq_buf b[3] = {{0x1000, 16, 0}, {0x2000, 512, 1}, {0x3000, 1, 1}};

	return virtq_add(&q, b, 3, token);
}

static const char *test_layout_and_init(void)
{
	size_t d, a, u, total = virtq_layout(256, &d, &a, &u);

	KT_EQ(d, 0);
	KT_EQ(a, 4096);         /* 256 x 16 */
	KT_EQ(u, 4096 + 576);   /* 6 + 512 rounded to 64 */
	KT_EQ(total, u + 2112); /* 6 + 2048 rounded to 64 */
	KT_EQ(virtq_init(&q, mem, sizeof(mem), 0, 0), -KEEL_EINVAL);
	KT_EQ(virtq_init(&q, mem, sizeof(mem), 3, 0), -KEEL_EINVAL);
	KT_EQ(virtq_init(&q, mem, sizeof(mem), 512, 0), -KEEL_EINVAL);
	KT_EQ(virtq_init(&q, mem + 8, sizeof(mem) - 8, 8, 0), -KEEL_EINVAL);
	KT_EQ(virtq_init(&q, mem, total - 1, 256, 0), -KEEL_EINVAL);
	KT_EQ(virtq_init(&q, mem, total, 256, 0), 0);
	KT_EQ(q.avail->idx, 0);
	KT_EQ(q.used->idx, 0);
	return NULL;
}

static const char *test_chain_round_trip(void)
{
	uint16_t head;
	uint64_t token;
	uint32_t len;

	KT_TRY(setup(8, 0));
	KT_EQ(virtq_get_used(&q, &token, &len), 0);
	KT_EQ(add3(77), 0);
	KT_EQ(q.nfree, 5);
	KT_EQ(q.avail->idx, 1);
	KT_EQ(dev_pop(&head), 3);
	KT_EQ(q.desc[head].len, 16);
	KT_EQ(q.desc[head].flags, VIRTQ_DESC_F_NEXT);
	KT_EQ(q.desc[q.desc[head].next].flags, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE);
	KT_EQ(q.desc[q.desc[q.desc[head].next].next].flags, VIRTQ_DESC_F_WRITE);
	KT_EQ(q.desc[q.desc[q.desc[head].next].next].addr, 0x3000);
	KT_EQ(virtq_get_used(&q, &token, &len), 0); /* nothing returned yet */
	dev_push(head, 513);
	KT_EQ(virtq_get_used(&q, &token, &len), 1);
	KT_EQ(token, 77);
	KT_EQ(len, 513);
	KT_EQ(q.nfree, 8);
	KT_EQ(q.inflight, 0);
	KT_EQ(virtq_get_used(&q, &token, &len), 0);
	return NULL;
}

static const char *test_bad_chains(void)
{
	const struct virtq_buf w_then_r[2] = {{0x1000, 8, 1}, {0x2000, 8, 0}};
	const struct virtq_buf empty[2] = {{0x1000, 8, 0}, {0x2000, 0, 1}};
	const struct virtq_buf huge[2] = {{0x1000, 0xffffffffu, 1}, {0x2000, 2, 1}};

	KT_TRY(setup(4, 0));
	KT_EQ(virtq_add(&q, w_then_r, 0, 1), -KEEL_EINVAL);
	KT_EQ(virtq_add(&q, w_then_r, 2, 1), -KEEL_EINVAL);
	KT_EQ(virtq_add(&q, empty, 2, 1), -KEEL_EINVAL);
	KT_EQ(virtq_add(&q, huge, 2, 1), -KEEL_EINVAL);
	KT_EQ(q.nfree, 4);
	KT_EQ(q.avail->idx, 0);
	KT_EQ(add3(1), 0);
	KT_EQ(add3(2), -KEEL_EAGAIN); /* 1 free, 3 wanted: nothing changes */
	KT_EQ(q.nfree, 1);
	KT_EQ(q.avail->idx, 1);
	return NULL;
}

/* Completions out of order, many rounds: the free list stays whole. */
static const char *test_out_of_order(void)
{
	uint16_t heads[5];
	uint64_t token, seen = 0;
	uint32_t len;

	KT_TRY(setup(16, 0));
	for (int round = 0; round < 50; round++) {
		for (int k = 0; k < 5; k++)
			KT_EQ(add3((uint64_t)k), 0);
		KT_EQ(add3(9), -KEEL_EAGAIN);
		for (int k = 0; k < 5; k++)
			KT_EQ(dev_pop(&heads[k]), 3);
		for (int k = 4; k >= 0; k -= 2)
			dev_push(heads[k], 0);
		for (int k = 3; k >= 0; k -= 2)
			dev_push(heads[k], 1);
		seen = 0;
		for (int k = 0; k < 5; k++) {
			KT_EQ(virtq_get_used(&q, &token, &len), 1);
			seen |= 1ull << token;
		}
		KT_EQ(seen, 0x1f);
		KT_EQ(virtq_get_used(&q, &token, &len), 0);
		KT_EQ(q.nfree, 16);
	}
	return NULL;
}

static unsigned reclaimed;
static uint64_t reclaimed_tokens;

static void on_reclaim(void *ctx, uint64_t token)
{
	(void)ctx;
	reclaimed++;
	reclaimed_tokens |= 1ull << token;
}

/* After the device broke the queue: sticky error; reclaim gives back all in flight. */
static const char *expect_broken(unsigned inflight, uint64_t tokens)
{
	uint64_t token;
	uint32_t len;

	KT_EQ(virtq_get_used(&q, &token, &len), -KEEL_EINVAL);
	KT_EQ(q.broken, 1);
	KT_EQ(virtq_get_used(&q, &token, &len), -KEEL_EINVAL);
	KT_EQ(add3(5), -KEEL_EINVAL);
	KT_EQ(virtq_kick_prepare(&q), 0);
	KT_ASSERT(q.nfree <= q.size);
	reclaimed = 0;
	reclaimed_tokens = 0;
	virtq_reclaim(&q, on_reclaim, NULL);
	KT_EQ(reclaimed, inflight);
	KT_EQ(reclaimed_tokens, tokens);
	KT_EQ(q.nfree, q.size);
	KT_EQ(q.used->idx, 0);
	KT_EQ(q.avail->idx, 0);
	dev_avail = 0;
	KT_EQ(add3(1), 0); /* usable again */
	return NULL;
}

/*
 * The hostile devices: each case adds chains with tokens 1..chains to a
 * fresh queue of 8, lets its device misbehave (after any honest steps of
 * its own), and must leave the queue broken with `inflight` chains, tokens
 * `left`, to reclaim (expect_broken).
 */
static const char *dev_id_out_of_range(void)
{
	dev_push(8, 0);
	return NULL;
}

static const char *dev_id_not_head(void)
{
	uint16_t head;

	KT_EQ(dev_pop(&head), 3);
	dev_push(q.desc[head].next, 0); /* in flight, but not a head */
	return NULL;
}

static const char *dev_id_free(void)
{
	dev_push(7, 0); /* not in flight */
	return NULL;
}

static const char *dev_id_twice(void)
{
	uint16_t head;
	uint64_t token;
	uint32_t len;

	KT_EQ(dev_pop(&head), 3);
	dev_push(head, 1);
	dev_push(head, 1);
	KT_EQ(virtq_get_used(&q, &token, &len), 1); /* the first one is honest */
	KT_EQ(token, 1);
	KT_EQ(q.nfree, 5);
	return NULL;
}

static const char *dev_len_too_big(void)
{
	uint16_t head;

	KT_EQ(dev_pop(&head), 3);
	dev_push(head, 514); /* 513 writable bytes */
	return NULL;
}

static const char *dev_idx_jump(void)
{
	uint16_t head;

	KT_EQ(dev_pop(&head), 3);
	dev_push(head, 0);
	q.used->idx = 3; /* three entries for two chains in flight */
	return NULL;
}

static const char *dev_idx_past_size(void)
{
	q.used->idx = 9;
	return NULL;
}

static const char *dev_idx_back(void)
{
	uint16_t head;
	uint64_t token;
	uint32_t len;

	KT_EQ(dev_pop(&head), 3);
	dev_push(head, 0);
	KT_EQ(virtq_get_used(&q, &token, &len), 1);
	KT_EQ(add3(2), 0);
	q.used->idx = 0; /* backwards: 65535 ahead */
	return NULL;
}

static const struct {
	const char *what;
	unsigned chains;
	const char *(*device)(void);
	unsigned inflight;
	uint64_t left;
} hostile[] = {
    {"used id out of range", 2, dev_id_out_of_range, 2, 0x6},
    {"used id not a head", 1, dev_id_not_head, 1, 0x2},
    {"used id not in flight", 2, dev_id_free, 2, 0x6},
    {"the same chain used twice", 2, dev_id_twice, 1, 0x4},
    {"len above the writable bytes", 1, dev_len_too_big, 1, 0x2},
    {"used index jumps", 2, dev_idx_jump, 2, 0x6},
    {"used index past the queue size", 1, dev_idx_past_size, 1, 0x2},
    {"used index goes back", 1, dev_idx_back, 1, 0x4},
};

static const char *test_hostile_device(void)
{
	for (size_t i = 0; i < KTEST_COUNT(hostile); i++) {
		const char *err = setup(8, 0);
		char why[256];

		for (unsigned t = 1; !err && t <= hostile[i].chains; t++)
			if (add3(t) != 0)
				err = "add3 failed";
		if (!err)
			err = hostile[i].device();
		if (!err)
			err = expect_broken(hostile[i].inflight, hostile[i].left);
		if (err) {
			/* err may be ktest_msg's buffer: copy it out first. */
			snprintf(why, sizeof(why), "%s", err);
			return ktest_msg("%s: %s", hostile[i].what, why);
		}
	}
	return NULL;
}

static const char *test_notify_flags(void)
{
	KT_TRY(setup(8, 0));
	KT_EQ(virtq_kick_prepare(&q), 0); /* nothing published */
	KT_EQ(add3(1), 0);
	KT_EQ(virtq_kick_prepare(&q), 1);
	KT_EQ(virtq_kick_prepare(&q), 0); /* already told */
	q.used->flags = VIRTQ_USED_F_NO_NOTIFY;
	KT_EQ(add3(2), 0);
	KT_EQ(virtq_kick_prepare(&q), 0);
	return NULL;
}

/* avail_event sits after the used ring's entries. */
static uint16_t *avail_event(void)
{
	return (uint16_t *)(void *)&q.used->ring[q.size];
}

static const char *test_notify_event_idx(void)
{
	uint16_t head;
	uint64_t token;
	uint32_t len;

	KT_TRY(setup(4, 1));
	KT_EQ(add3(1), 0);
	*avail_event() = 0; /* wants a kick once entry 0 is published */
	KT_EQ(virtq_kick_prepare(&q), 1);
	KT_EQ(dev_pop(&head), 3);
	dev_push(head, 0);
	KT_EQ(virtq_get_used(&q, &token, &len), 1);
	KT_EQ(add3(2), 0); /* entry 1: the device asked for entry 5 */
	*avail_event() = 5;
	KT_EQ(virtq_kick_prepare(&q), 0);
	/* Across the wrap: published from 65534 to 2 passes event 65535. */
	KT_TRY(setup(4, 1));
	q.avail_idx = q.kick_idx = 65534;
	q.avail->idx = 65534;
	dev_avail = 65534;
	q.used->idx = q.last_used = 65534;
	KT_EQ(add3(1), 0);
	*avail_event() = 65535;
	KT_EQ(virtq_kick_prepare(&q), 0); /* 65534 -> 65535 does not pass 65535 */
	KT_EQ(dev_pop(&head), 3);
	dev_push(head, 0);
	KT_EQ(virtq_get_used(&q, &token, &len), 1);
	KT_EQ(add3(2), 0);
	KT_EQ(q.avail->idx, 0);
	KT_EQ(virtq_kick_prepare(&q), 1); /* 65535 -> 0 does */
	return NULL;
}

static const char *test_interrupt_hints(void)
{
	uint16_t head;
	uint16_t *used_event;

	KT_TRY(setup(4, 0));
	KT_EQ(virtq_interrupts(&q, 0), 0);
	KT_EQ(q.avail->flags, VIRTQ_AVAIL_F_NO_INTERRUPT);
	KT_EQ(virtq_interrupts(&q, 1), 0);
	KT_EQ(q.avail->flags, 0);
	KT_EQ(add3(1), 0);
	KT_EQ(dev_pop(&head), 3);
	dev_push(head, 0);
	KT_EQ(virtq_interrupts(&q, 1), 1); /* one came meanwhile: take it */

	KT_TRY(setup(4, 1));
	used_event = &q.avail->ring[q.size];
	KT_EQ(virtq_interrupts(&q, 0), 0);
	KT_EQ(q.avail->flags, 0); /* flags stay 0 with event indexes (2.6.7) */
	KT_EQ(*used_event, 0x8000);
	KT_EQ(virtq_interrupts(&q, 1), 0);
	KT_EQ(*used_event, 0);
	return NULL;
}

/* Past the 16-bit wrap of every index, with the smallest queue that holds one chain. */
static const char *test_wrap(void)
{
	uint16_t head;
	uint64_t token;
	uint32_t len;

	KT_TRY(setup(4, 1));
	for (uint32_t i = 0; i < 70000; i++) {
		KT_EQ(add3(i), 0);
		KT_EQ(dev_pop(&head), 3);
		dev_push(head, i % 514);
		KT_EQ(virtq_get_used(&q, &token, &len), 1);
		KT_EQ(token, i);
		KT_EQ(len, i % 514);
	}
	KT_EQ(q.nfree, 4);
	KT_EQ(q.avail->idx, (uint16_t)70000);
	return NULL;
}

static const struct ktest tests[] = {
    KTEST(test_layout_and_init),  KTEST(test_chain_round_trip), KTEST(test_bad_chains),
    KTEST(test_out_of_order),     KTEST(test_hostile_device),   KTEST(test_notify_flags),
    KTEST(test_notify_event_idx), KTEST(test_interrupt_hints),  KTEST(test_wrap),
};

int main(void)
{
	return ktest_main(tests, KTEST_COUNT(tests));
}
