/*
 * drivers-user/uart/uart_queue.h: the uart driver's bookkeeping, pure logic
 * (no system calls, no port I/O), so that tests/unit/test_uart_queue.c runs it
 * on the host.
 *
 * A uart_queue holds the requests the driver kept (KEEL_UART_WRITE ones that
 * did not fit in the transmitter at once, KEEL_UART_READ ones waiting for
 * input) in arrival order, over every session. The writes go out whole and in
 * that order: uart_tx_fill hands the FIFO bytes of the oldest write only, and
 * a write is done (its completion may be sent) only once its last byte went
 * to the FIFO. uart_rx is the small ring of input bytes that no read took yet.
 *
 * A request names its session only as an opaque owner and a generation (the
 * session's memory-object handle: handle values are never reused, so a new
 * session in the same slot has another). A session can end at any time (its
 * client gone); uart_queue_prune drops its requests before their bytes (in
 * the session's mapping, which went with it) are touched again.
 */
#ifndef KEEL_UART_QUEUE_H
#define KEEL_UART_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#define UART_QUEUE_MAX       512 /* requests kept, every session together */
#define UART_QUEUE_PER_OWNER 64  /* of one session: no client can fill the queue alone */
#define UART_RX_SIZE         256 /* input bytes kept for the next read */

struct uart_req {
	void *owner;    /* the session */
	uint64_t gen;   /* its generation */
	uint64_t id;    /* the client's request id */
	uint8_t *buf;   /* the request's bytes in the session's data area */
	uint32_t len;   /* bytes at buf */
	uint32_t done;  /* writes: bytes handed to the transmitter so far */
	int32_t status; /* a finished request's completion status */
};

struct uart_queue {
	struct uart_req req[UART_QUEUE_MAX];
	uint32_t head, count; /* the oldest at req[head], count of them in order */
};

struct uart_rx {
	uint8_t buf[UART_RX_SIZE];
	uint32_t head, count;
	uint64_t dropped; /* bytes that came while buf was full */
};

/*
 * Keep r (copied) after the others. 0, or -KEEL_EAGAIN when the queue is full
 * or r's owner has per_owner requests in it already.
 */
int uart_queue_push(struct uart_queue *q, const struct uart_req *r, uint32_t per_owner);

/* The oldest request, or NULL. */
struct uart_req *uart_queue_head(struct uart_queue *q);

/* Drop the oldest request (no-op when empty). */
void uart_queue_pop(struct uart_queue *q);

/*
 * Drop every request for which keep() returns 0 (its owner is gone, say),
 * keeping the others in order; keep() sees them oldest first. Returns how
 * many went.
 */
unsigned uart_queue_prune(struct uart_queue *q, int (*keep)(void *ctx, struct uart_req *r),
			  void *ctx);

/*
 * Hand at most `room` bytes of the oldest writes to out (the transmitter's
 * free FIFO slots). Each write whose last byte was handed is taken off the
 * queue and copied to done[] for its completion; filling stops when done[]
 * (max_done entries) is full, so no finished write is lost. *ndone gets how
 * many. Returns the bytes put in out.
 */
size_t uart_tx_fill(struct uart_queue *q, uint8_t *out, size_t room, struct uart_req *done,
		    size_t max_done, size_t *ndone);

/* One input byte; dropped (and counted) when the ring is full. */
void uart_rx_put(struct uart_rx *rx, uint8_t byte);

/* Take up to n input bytes, oldest first, into out. Returns how many. */
size_t uart_rx_take(struct uart_rx *rx, uint8_t *out, size_t n);

#endif
