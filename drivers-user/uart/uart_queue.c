/*
 * drivers-user/uart/uart_queue.c: the uart driver's request queues and input
 * ring (uart_queue.h). Pure logic; the driver is single-threaded, so nothing
 * here locks.
 */
#include "uart_queue.h"

#include <keel/syscall.h>

static struct uart_req *queue_at(struct uart_queue *q, uint32_t i)
{
	return &q->req[(q->head + i) % UART_QUEUE_MAX];
}

int uart_queue_push(struct uart_queue *q, const struct uart_req *r, uint32_t per_owner)
{
	uint32_t mine = 0;

	if (q->count == UART_QUEUE_MAX)
		return -KEEL_EAGAIN;
	for (uint32_t i = 0; i < q->count; i++)
		if (queue_at(q, i)->owner == r->owner && queue_at(q, i)->gen == r->gen)
			mine++;
	if (mine >= per_owner)
		return -KEEL_EAGAIN;
	*queue_at(q, q->count) = *r;
	q->count++;
	return 0;
}

struct uart_req *uart_queue_head(struct uart_queue *q)
{
	return q->count ? queue_at(q, 0) : NULL;
}

void uart_queue_pop(struct uart_queue *q)
{
	if (q->count == 0)
		return;
	q->head = (q->head + 1) % UART_QUEUE_MAX;
	q->count--;
}

unsigned uart_queue_prune(struct uart_queue *q, int (*keep)(void *ctx, struct uart_req *r),
			  void *ctx)
{
	uint32_t kept = 0, n = q->count;

	/* Compact in place, oldest first: slot `kept` is never ahead of slot i. */
	for (uint32_t i = 0; i < n; i++) {
		struct uart_req *r = queue_at(q, i);

		if (!keep(ctx, r))
			continue;
		if (kept != i)
			*queue_at(q, kept) = *r;
		kept++;
	}
	q->count = kept;
	return n - kept;
}

size_t uart_tx_fill(struct uart_queue *q, uint8_t *out, size_t room, struct uart_req *done,
		    size_t max_done, size_t *ndone)
{
	size_t put = 0;

	*ndone = 0;
	while (q->count && *ndone < max_done) {
		struct uart_req *r = queue_at(q, 0);

		/* One request at a time: none is interleaved with another. */
		while (r->done < r->len && put < room)
			out[put++] = r->buf[r->done++];
		if (r->done < r->len)
			break; /* the FIFO is full */
		done[(*ndone)++] = *r;
		uart_queue_pop(q);
	}
	return put;
}

void uart_rx_put(struct uart_rx *rx, uint8_t byte)
{
	if (rx->count == UART_RX_SIZE) {
		rx->dropped++;
		return;
	}
	rx->buf[(rx->head + rx->count) % UART_RX_SIZE] = byte;
	rx->count++;
}

size_t uart_rx_take(struct uart_rx *rx, uint8_t *out, size_t n)
{
	size_t got = 0;

	while (got < n && rx->count) {
		out[got++] = rx->buf[rx->head];
		rx->head = (rx->head + 1) % UART_RX_SIZE;
		rx->count--;
	}
	return got;
}
