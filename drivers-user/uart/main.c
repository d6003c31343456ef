/*
 * drivers-user/uart/main.c: the console driver, a 16550 UART (COM1) in user
 * space serving "uart" ring sessions (include/keel/service.h) with libkeel's
 * server side (drivers-user/lib/session.h).
 *
 * Start block (init's config line `driver uart bin/uart ioport=0x3f8:8
 * irq=4 log`): handle[KEEL_START_SERVICE] the service endpoint (READ),
 * handle[KEEL_START_DEVICE0] the I/O port range, handle[KEEL_START_DEVICE0 +
 * 1] the interrupt, handle[KEEL_START_DEVICE0 + 2] the kernel log (optional).
 * While the range exists the kernel keeps off COM1 (kernel/core/devobj.c):
 * this driver is the only writer, and drains the kernel's log to the line
 * (klog_drain.h) between client writes, woken by the log's bit UART_LOG_BIT.
 *
 * KEEL_UART_WRITE: the request is kept (uart_queue.h) until every byte of it
 * was written to the transmit FIFO, 16 at a time, refilled when the
 * transmitter-empty interrupt comes; only then is it completed, so a byte
 * acknowledged is never lost if the driver dies after. Writes of all sessions
 * go out whole, one after another, in arrival order. KEEL_UART_READ: the
 * oldest read of any session gets the input, completing with at least one
 * byte; input that comes with no read waiting is kept (UART_RX_SIZE bytes).
 * A bad request (opcode, range, a full queue) gets an error completion and
 * the driver goes on.
 *
 * The interrupt is notification bit UART_IRQ_BIT of the server's
 * notification: the kernel masks the line when it fires; the driver clears
 * every cause in the UART (so its edge-triggered line goes low), acks, and
 * looks once more for what came meanwhile (an edge while masked is lost).
 *
 * Its log lines (keel_printf: the kernel's log) carry no name: the kernel
 * prefixes each with the process's, the name on init's driver line.
 *
 * Single-threaded: the queues, the input ring and the sessions are touched by
 * this one thread only. A session can end inside keel_server_step (its client
 * gone): each queue is pruned of its requests before their bytes, in that
 * session's mapping, are touched again.
 */
#include <keel/pkru.h>
#include <keel/service.h>

#include "keel.h"
#include "session.h"
#include "uart_hw.h"
#include "klog_drain.h"
#include "uart_queue.h"

#define UART_IRQ_BIT    0 /* the interrupt's bit on the server's notification */
#define UART_LOG_BIT    1 /* the kernel log's: new text */
#define UART_SQ_ENTRIES 64
#define UART_CQ_ENTRIES 256 /* above what one session can have kept: completions seldom wait */
#define UART_DATA_SIZE  4096
#define UART_RX_BURST   4096 /* input bytes read in one go at most (a flood cannot stall us) */
#define UART_SERVE_MAX  64   /* rounds of one interrupt's service at most */

struct uart_drv {
	struct keel_server srv;
	uint16_t base;
	uint64_t irq;
	struct uart_queue tx;   /* writes, oldest first */
	struct uart_queue rd;   /* reads waiting for input */
	struct uart_queue late; /* finished requests whose completion did not fit in a full CQ */
	struct uart_rx rx;
	struct klog_drain log; /* the kernel's text, drained between client writes */
	const void *blocked[KEEL_SERVER_SESSIONS]; /* flush_late: sessions whose CQ is full */
	unsigned nblocked;
};

static struct uart_drv uart;

/* Is r's session still the one that sent it? (A session id is never reused.) */
static int uart_alive(void *ctx, struct uart_req *r)
{
	const struct keel_server_session *s = r->owner;

	(void)ctx;
	return s->in_use && s->id == r->gen;
}

static int uart_is_blocked(const struct uart_drv *d, const void *owner)
{
	for (unsigned i = 0; i < d->nblocked; i++)
		if (d->blocked[i] == owner)
			return 1;
	return 0;
}

/* flush_late's step: complete r if its session can take it (0: done or gone, 1: keep). */
static int uart_try_complete(void *ctx, struct uart_req *r)
{
	struct uart_drv *d = ctx;
	struct keel_ring_cqe c = {.id = r->id, .status = r->status, .len = r->len};

	if (!uart_alive(d, r))
		return 0;
	/* A session's completions stay in order: once one waits, the later ones wait too. */
	if (uart_is_blocked(d, r->owner))
		return 1;
	if (keel_server_complete(&d->srv, r->owner, &c) == -KEEL_EAGAIN) {
		if (d->nblocked < KEEL_SERVER_SESSIONS)
			d->blocked[d->nblocked++] = r->owner;
		return 1;
	}
	return 0;
}

static void uart_flush_late(struct uart_drv *d)
{
	d->nblocked = 0;
	uart_queue_prune(&d->late, uart_try_complete, d);
}

/* A kept request is finished: status, and len bytes written or read. */
static void uart_finish(struct uart_drv *d, struct uart_req *r, int32_t status, uint32_t len)
{
	r->status = status;
	r->len = len;
	if (uart_queue_push(&d->late, r, UART_QUEUE_MAX) != 0)
		keel_printf("completion queue full, request %lu of a session lost\n",
			    (unsigned long)r->id);
	uart_flush_late(d);
}

/* Refill the transmit FIFO when it is empty; complete the writes it finished. */
static int uart_pump(struct uart_drv *d)
{
	uint8_t fifo[UART_FIFO_SIZE];
	struct uart_req done[UART_FIFO_SIZE];
	const struct uart_req *head;
	size_t n, ndone;

	uart_queue_prune(&d->tx, uart_alive, d);
	head = uart_queue_head(&d->tx);
	if ((!head && !klog_drain_pending(&d->log)) || !uart_hw_tx_empty(d->base))
		return 0;
	/* The kernel's text only between client writes, never inside one's bytes; first there. */
	if ((!head || head->done == 0) && klog_drain_pending(&d->log)) {
		n = klog_drain_take(&d->log, fifo, UART_FIFO_SIZE);
		if (n) {
			uart_hw_tx(d->base, fifo, n);
			return 1;
		}
	}
	if (!head)
		return 0;
	n = uart_tx_fill(&d->tx, fifo, UART_FIFO_SIZE, done, UART_FIFO_SIZE, &ndone);
	uart_hw_tx(d->base, fifo, n);
	/* Every byte of these is in the transmitter now. */
	for (size_t i = 0; i < ndone; i++)
		uart_finish(d, &done[i], 0, done[i].len);
	return n || ndone;
}

/* Read what the UART received; give it to the oldest reads. */
static int uart_input(struct uart_drv *d)
{
	struct uart_req *r;
	int c, work = 0;

	for (int i = 0; i < UART_RX_BURST && (c = uart_hw_rx(d->base)) >= 0; i++) {
		uart_rx_put(&d->rx, (uint8_t)c);
		work = 1;
	}
	uart_queue_prune(&d->rd, uart_alive, d);
	while (d->rx.count && (r = uart_queue_head(&d->rd))) {
		struct uart_req done = *r;
		size_t n;

		/* The server's key is write-disabled outside libkeel's calls (session.h). */
		keel_pkey_write_enable(d->srv.pkey);
		n = uart_rx_take(&d->rx, done.buf, done.len);
		keel_pkey_write_disable(d->srv.pkey);
		uart_queue_pop(&d->rd);
		uart_finish(d, &done, 0, (uint32_t)n);
		work = 1;
	}
	return work;
}

/* Everything the device has for us, until it has no interrupt cause left. */
static void uart_serve(struct uart_drv *d)
{
	for (int i = 0; i < UART_SERVE_MAX; i++) {
		int work = uart_input(d);

		work |= uart_pump(d);
		/* Reading IIR may clear a transmitter-empty cause: the next round refills then. */
		if (uart_hw_idle(d->base) && !work)
			return;
	}
}

/* One request, from keel_server_step (session memory writable here). */
static int uart_request(void *ctx, struct keel_server_session *s, const struct keel_ring_sqe *e,
			struct keel_ring_cqe *c)
{
	struct uart_drv *d = ctx;
	struct uart_req r = {.owner = s, .gen = s->id, .id = e->id, .len = e->len};
	int err;

	c->len = 0;
	if (e->opcode != KEEL_UART_WRITE && e->opcode != KEEL_UART_READ) {
		c->status = -KEEL_EINVAL;
		return 1;
	}
	r.buf = ring_buf(&s->ring, e->offset, e->len);
	if (!r.buf) {
		c->status = -KEEL_ERANGE;
		return 1;
	}
	if (e->len == 0) {
		/* Nothing to write is done at once; a read of nothing could never complete. */
		c->status = e->opcode == KEEL_UART_WRITE ? 0 : -KEEL_EINVAL;
		return 1;
	}
	if (e->opcode == KEEL_UART_READ && d->rd.count == 0 && d->rx.count) {
		c->status = 0;
		c->len = (uint32_t)uart_rx_take(&d->rx, r.buf, e->len);
		return 1;
	}
	err = uart_queue_push(e->opcode == KEEL_UART_WRITE ? &d->tx : &d->rd, &r,
			      UART_QUEUE_PER_OWNER);
	if (err != 0) {
		c->status = err; /* -KEEL_EAGAIN: too many kept; the client tries again */
		return 1;
	}
	return 0; /* kept: the pump after this step (or the next interrupt) completes it */
}

static int uart_handle(const struct keel_start *sb, unsigned slot, const char *what, uint64_t *h)
{
	*h = sb->handle[slot];
	if (*h == KEEL_MSG_NO_HANDLE) {
		keel_printf("no %s in start slot %u (init's config: driver uart bin/uart "
			    "ioport=0x3f8:8 irq=4)\n",
			    what, slot);
		return -1;
	}
	return 0;
}

int main(uint64_t start)
{
	const struct keel_start *sb = (const struct keel_start *)(uintptr_t)start;
	struct uart_drv *d = &uart;
	uint64_t service, ports;
	const char *why;
	int64_t err;

	if (!sb || sb->magic != KEEL_START_MAGIC) {
		keel_printf("no start block: init starts this driver\n");
		return 1;
	}
	if (uart_handle(sb, KEEL_START_SERVICE, "service endpoint", &service) ||
	    uart_handle(sb, KEEL_START_DEVICE0, "I/O port range", &ports) ||
	    uart_handle(sb, KEEL_START_DEVICE0 + 1, "interrupt", &d->irq))
		return 1;
	d->base = 0x3f8;
	if ((err = keel_ioport_enable(ports)) != 0) {
		keel_printf("cannot use the I/O ports: %s\n", keel_strerror(err));
		return 1;
	}
	if ((why = uart_hw_probe(d->base)) != NULL) {
		keel_printf("no 16550 at 0x%x: %s; exiting\n", d->base, why);
		return 1;
	}
	err = keel_server_init(&d->srv, service, UART_SQ_ENTRIES, UART_CQ_ENTRIES, UART_DATA_SIZE,
			       uart_request, d);
	if (err != 0) {
		keel_printf("cannot serve: %s\n", keel_strerror(err));
		return 1;
	}
	uart_hw_setup(d->base);
	if ((err = keel_irq_bind(d->irq, d->srv.notif, UART_IRQ_BIT)) != 0) {
		uart_hw_quiet(d->base);
		keel_printf("cannot bind the interrupt: %s\n", keel_strerror(err));
		return 1;
	}
	err = klog_drain_init(&d->log, sb->handle[KEEL_START_DEVICE0 + 2], d->srv.notif,
			      UART_LOG_BIT);
	if (err != 0) {
		/* Serve anyway: clients matter more than the kernel's lines. */
		keel_printf("the kernel log is not drained: %s\n", keel_strerror(err));
		klog_drain_init(&d->log, KEEL_MSG_NO_HANDLE, 0, 0);
	}
	uart_serve(d); /* what the kernel printed since the handover */
	while (!d->srv.gone) {
		uint64_t bits = keel_server_step(&d->srv);

		if (bits & (1ull << UART_LOG_BIT))
			klog_drain_kick(&d->log);
		if (bits & (1ull << UART_IRQ_BIT)) {
			uart_serve(d);
			keel_irq_ack(d->irq);
			/* What came while the line was masked raised no new edge: look again. */
		}
		uart_serve(d);
		uart_flush_late(d);
	}
	/* No caller left on the service endpoint (init stopped us): let what was acknowledged
	 * leave. */
	uart_hw_quiet(d->base);
	return 0;
}
