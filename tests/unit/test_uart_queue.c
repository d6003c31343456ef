/*
 * tests/unit/test_uart_queue.c: the uart driver's queues
 * (drivers-user/uart/uart_queue.c) on the host: writes go to the FIFO whole
 * and in arrival order, a write is done only once its last byte went, a gone
 * session's requests are dropped before their bytes are read, the limits
 * (per session, overall, the input ring) give their own answers.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <keel/syscall.h>

#include "../../drivers-user/uart/uart_queue.h"
#include "ktest.h"

static struct uart_queue q;
static struct uart_rx rx;
static int owners[4]; /* distinct addresses for owners */

static struct uart_req req(int owner, uint64_t id, uint8_t *buf, uint32_t len)
{
	return (struct uart_req){
	    .owner = &owners[owner], .gen = 1, .id = id, .buf = buf, .len = len};
}

/* Run the FIFO until the queue is empty; the bytes in out, the finished ids in ids. */
static size_t drain(uint8_t *out, size_t max, uint64_t *ids, size_t *nids, size_t fifo)
{
	struct uart_req done[16];
	size_t total = 0, ndone;

	*nids = 0;
	while (q.count && total + fifo <= max) {
		size_t n = uart_tx_fill(&q, out + total, fifo, done, 16, &ndone);

		for (size_t i = 0; i < ndone; i++) {
			/* Done means every byte of it was handed over already. */
			if (done[i].done != done[i].len)
				return (size_t)-1;
			ids[(*nids)++] = done[i].id;
		}
		total += n;
	}
	return total;
}

static const char *test_whole_in_order(void)
{
	uint8_t a[40], b[3], c[17], out[128];
	uint64_t ids[8];
	size_t nids, n;

	memset(&q, 0, sizeof(q));
	memset(a, 'a', sizeof(a));
	memset(b, 'b', sizeof(b));
	memset(c, 'c', sizeof(c));
	struct uart_req ra = req(0, 1, a, sizeof(a)), rb = req(1, 2, b, sizeof(b)),
			rc = req(0, 3, c, sizeof(c));
	KT_EQ(uart_queue_push(&q, &ra, UART_QUEUE_PER_OWNER), 0);
	KT_EQ(uart_queue_push(&q, &rb, UART_QUEUE_PER_OWNER), 0);
	KT_EQ(uart_queue_push(&q, &rc, UART_QUEUE_PER_OWNER), 0);
	n = drain(out, sizeof(out), ids, &nids, 16);
	KT_EQ(n, 60);
	KT_EQ(nids, 3);
	KT_EQ(ids[0], 1);
	KT_EQ(ids[1], 2);
	KT_EQ(ids[2], 3);
	for (size_t i = 0; i < n; i++)
		KT_ASSERT(out[i] == (i < 40 ? 'a' : i < 43 ? 'b' : 'c'));
	return NULL;
}

/* A write longer than the FIFO is not done after the first fill, only after its last byte. */
static const char *test_done_only_when_all_handed(void)
{
	uint8_t a[20], out[16];
	struct uart_req done[4];
	size_t ndone;

	memset(&q, 0, sizeof(q));
	struct uart_req ra = req(0, 9, a, sizeof(a));
	KT_EQ(uart_queue_push(&q, &ra, UART_QUEUE_PER_OWNER), 0);
	KT_EQ(uart_tx_fill(&q, out, 16, done, 4, &ndone), 16);
	KT_EQ(ndone, 0);
	KT_EQ(q.count, 1);
	KT_EQ(uart_tx_fill(&q, out, 16, done, 4, &ndone), 4);
	KT_EQ(ndone, 1);
	KT_EQ(done[0].id, 9);
	KT_EQ(q.count, 0);
	KT_EQ(uart_tx_fill(&q, out, 16, done, 4, &ndone), 0);
	KT_EQ(ndone, 0);
	return NULL;
}

/* Filling stops when done[] is full: no finished write is lost. */
static const char *test_done_array_full(void)
{
	uint8_t a[1] = {'x'}, out[16];
	struct uart_req done[2];
	size_t ndone;

	memset(&q, 0, sizeof(q));
	for (uint64_t i = 0; i < 5; i++) {
		struct uart_req r = req(0, i, a, 1);
		KT_EQ(uart_queue_push(&q, &r, UART_QUEUE_PER_OWNER), 0);
	}
	KT_EQ(uart_tx_fill(&q, out, 16, done, 2, &ndone), 2);
	KT_EQ(ndone, 2);
	KT_EQ(done[1].id, 1);
	KT_EQ(uart_tx_fill(&q, out, 16, done, 2, &ndone), 2);
	KT_EQ(done[0].id, 2);
	KT_EQ(uart_tx_fill(&q, out, 16, done, 2, &ndone), 1);
	KT_EQ(ndone, 1);
	KT_EQ(done[0].id, 4);
	return NULL;
}

static int keep_not_owner1(void *ctx, struct uart_req *r)
{
	(void)ctx;
	return r->owner != &owners[1];
}

/* A gone session's requests go, the others stay in order; its bytes are never read. */
static const char *test_prune(void)
{
	uint8_t *gone = malloc(8), a[2] = {'a', 'a'}, out[64];
	uint64_t ids[8];
	size_t nids;

	memset(&q, 0, sizeof(q));
	for (uint64_t i = 0; i < 6; i++) {
		struct uart_req r = i % 2 ? req(1, i, gone, 8) : req(0, i, a, 2);
		KT_EQ(uart_queue_push(&q, &r, UART_QUEUE_PER_OWNER), 0);
	}
	free(gone); /* ASan would catch a read of it */
	KT_EQ(uart_queue_prune(&q, keep_not_owner1, NULL), 3);
	KT_EQ(q.count, 3);
	KT_EQ(drain(out, sizeof(out), ids, &nids, 16), 6);
	KT_EQ(nids, 3);
	KT_EQ(ids[0], 0);
	KT_EQ(ids[1], 2);
	KT_EQ(ids[2], 4);
	return NULL;
}

static const char *test_limits(void)
{
	uint8_t a[1];
	int owner = 0;

	memset(&q, 0, sizeof(q));
	for (uint32_t i = 0; i < UART_QUEUE_PER_OWNER; i++) {
		struct uart_req r = req(0, i, a, 1);
		KT_EQ(uart_queue_push(&q, &r, UART_QUEUE_PER_OWNER), 0);
	}
	struct uart_req r = req(0, 99, a, 1);
	KT_EQ(uart_queue_push(&q, &r, UART_QUEUE_PER_OWNER), -KEEL_EAGAIN);
	/* The same owner slot with another generation is another session. */
	r.gen = 2;
	KT_EQ(uart_queue_push(&q, &r, UART_QUEUE_PER_OWNER), 0);
	/* Overall: fill with unlimited pushes, then one more is refused. */
	while (q.count < UART_QUEUE_MAX) {
		struct uart_req x = req(owner++ % 4, 7, a, 1);
		x.gen = 100 + q.count;
		KT_EQ(uart_queue_push(&q, &x, UART_QUEUE_MAX), 0);
	}
	KT_EQ(uart_queue_push(&q, &r, UART_QUEUE_MAX), -KEEL_EAGAIN);
	KT_EQ(uart_queue_head(&q)->id, 0);
	uart_queue_pop(&q);
	KT_EQ(uart_queue_head(&q)->id, 1);
	memset(&q, 0, sizeof(q));
	KT_ASSERT(uart_queue_head(&q) == NULL);
	uart_queue_pop(&q); /* empty: nothing happens */
	KT_EQ(q.count, 0);
	return NULL;
}

static const char *test_rx_ring(void)
{
	uint8_t out[UART_RX_SIZE + 8];

	memset(&rx, 0, sizeof(rx));
	KT_EQ(uart_rx_take(&rx, out, 4), 0);
	for (int i = 0; i < UART_RX_SIZE + 5; i++)
		uart_rx_put(&rx, (uint8_t)i);
	KT_EQ(rx.dropped, 5);
	KT_EQ(uart_rx_take(&rx, out, 3), 3);
	KT_EQ(out[2], 2);
	uart_rx_put(&rx, 0xee);
	KT_EQ(uart_rx_take(&rx, out, sizeof(out)), UART_RX_SIZE - 2);
	KT_EQ(out[0], 3);
	KT_EQ(out[UART_RX_SIZE - 3], 0xee);
	KT_EQ(rx.count, 0);
	return NULL;
}

static const struct ktest tests[] = {
    KTEST(test_whole_in_order),  KTEST(test_done_only_when_all_handed),
    KTEST(test_done_array_full), KTEST(test_prune),
    KTEST(test_limits),          KTEST(test_rx_ring),
};

int main(void)
{
	return ktest_main(tests, KTEST_COUNT(tests));
}
