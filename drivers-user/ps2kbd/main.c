/*
 * drivers-user/ps2kbd/main.c: the PS/2 keyboard driver, the i8042 controller
 * (i8042.h) in user space serving "ps2kbd" ring sessions
 * (include/keel/service.h) with libkeel's server side (session.h).
 *
 * Start block (init's config line `driver ps2kbd bin/ps2kbd ioport=0x60:1
 * ioport=0x64:1 irq=1`): handle[KEEL_START_SERVICE] the service endpoint,
 * handle[KEEL_START_DEVICE0] port 0x60, [+1] port 0x64, [+2] IRQ 1. (Port
 * 0x61, between them, is the kernel's: one range 0x60-0x64 is refused.)
 *
 * Bytes from the keyboard are decoded (kbd_decode.h) into events kept in a
 * small ring until a read takes them. KEEL_KBD_READ is kept until events
 * exist; then the focused session's oldest read gets as many whole events as
 * its buffer holds. Focus: the session that last sent KEEL_KBD_FOCUS, while
 * it has a read pending; else the most recently opened session with a read
 * pending (session ids grow with each open). Other sessions' reads wait. A
 * bad request (opcode, a buffer outside the data area, a len that is not a
 * nonzero multiple of the event's size, too many reads kept) gets an error
 * completion and the driver goes on.
 *
 * The interrupt is notification bit KBD_IRQ_BIT: the kernel masks the line
 * when it fires; the driver reads every byte waiting, acks, and looks once
 * more (a byte that came while masked raised no edge of its own).
 *
 * Its log lines (keel_printf: the kernel's log) carry no name: the kernel
 * prefixes each with the process's, the name on init's driver line.
 *
 * Single-threaded: the event ring, the kept reads and the sessions are
 * touched by this one thread only. A session can end inside keel_server_step
 * (its client gone): the kept reads are pruned of its ones before their
 * buffers, in that session's mapping, are touched again.
 */
#include <keel/service.h>

#include "i8042.h"
#include "kbd_decode.h"
#include "keel.h"
#include <keel/pkru.h>
#include "session.h"

#define KBD_IRQ_BIT           0 /* the interrupt's bit on the server's notification */
#define KBD_SQ_ENTRIES        16
#define KBD_CQ_ENTRIES        32 /* above KBD_READS_PER_SESSION plus a full SQ of errors */
#define KBD_DATA_SIZE         4096
#define KBD_EVENTS            128 /* events kept for the next read */
#define KBD_READS_MAX         64  /* reads kept, every session together */
#define KBD_READS_PER_SESSION 4   /* of one session: no client can fill the table alone */
#define KBD_BURST             256 /* bytes read per interrupt at most: a flood cannot stall us */

struct kbd_read {
	struct keel_server_session *owner;
	uint64_t gen; /* the owner's session id when it sent this: ids are never reused */
	uint64_t id;  /* the client's request id */
	void *buf;
	uint32_t len;
};

struct kbd_drv {
	struct keel_server srv;
	uint64_t irq, nap;
	struct kbd_decoder dec;
	struct keel_kbd_event ev[KBD_EVENTS];
	uint32_t ev_head, ev_count;
	struct kbd_read reads[KBD_READS_MAX]; /* kept reads, oldest first */
	uint32_t nreads;
	uint64_t focus; /* the session id of the last KEEL_KBD_FOCUS, 0: none */
};

static struct kbd_drv kbd;

static int kbd_alive(const struct kbd_read *r)
{
	return r->owner->in_use && r->owner->id == r->gen;
}

static void kbd_drop_read(struct kbd_drv *d, uint32_t i)
{
	for (; i + 1 < d->nreads; i++)
		d->reads[i] = d->reads[i + 1];
	d->nreads--;
}

/* Drop the reads of sessions that ended. */
static void kbd_prune(struct kbd_drv *d)
{
	for (uint32_t i = 0; i < d->nreads;)
		if (kbd_alive(&d->reads[i]))
			i++;
		else
			kbd_drop_read(d, i);
}

/* The index of the read the next events go to (focus, see the top), or -1. */
static int kbd_focused_read(const struct kbd_drv *d)
{
	int best = -1;

	for (uint32_t i = 0; i < d->nreads; i++) {
		if (d->focus && d->reads[i].gen == d->focus)
			return (int)i;
		if (best < 0 || d->reads[i].gen > d->reads[best].gen)
			best = (int)i;
	}
	return best;
}

/* Give kept events to the focused session's reads while both exist. */
static void kbd_deliver(struct kbd_drv *d)
{
	int i;

	kbd_prune(d);
	while (d->ev_count && (i = kbd_focused_read(d)) >= 0) {
		struct kbd_read *r = &d->reads[i];
		struct keel_kbd_event *out = r->buf;
		uint32_t n = r->len / sizeof(*out);
		struct keel_ring_cqe c = {.id = r->id};
		int err;

		if (n > d->ev_count)
			n = d->ev_count;
		/* The server's key is write-disabled outside libkeel's calls (session.h). */
		keel_pkey_write_enable(d->srv.pkey);
		for (uint32_t k = 0; k < n; k++)
			out[k] = d->ev[(d->ev_head + k) % KBD_EVENTS];
		keel_pkey_write_disable(d->srv.pkey);
		c.len = n * sizeof(*out);
		err = keel_server_complete(&d->srv, r->owner, &c);
		/* A full CQ: the events and the read stay, and go again after the client reaps. */
		if (err == -KEEL_EAGAIN)
			return;
		if (err == 0) {
			d->ev_head = (d->ev_head + n) % KBD_EVENTS;
			d->ev_count -= n;
		}
		kbd_drop_read(d, (uint32_t)i);
	}
}

/* Every byte the controller has (bounded), decoded into the event ring. */
static void kbd_input(struct kbd_drv *d)
{
	struct keel_kbd_event e;
	int b;

	for (int i = 0; i < KBD_BURST && (b = i8042_read()) >= 0; i++) {
		if (!kbd_decode_byte(&d->dec, (uint8_t)b, &e))
			continue;
		if (d->ev_count == KBD_EVENTS)
			continue; /* nobody reads: the oldest keys are the ones kept */
		d->ev[(d->ev_head + d->ev_count++) % KBD_EVENTS] = e;
	}
}

static uint32_t kbd_reads_of(const struct kbd_drv *d, const struct keel_server_session *s)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < d->nreads; i++)
		n += d->reads[i].owner == s && d->reads[i].gen == s->id;
	return n;
}

/* One request, from keel_server_step (session memory writable here). */
static int kbd_request(void *ctx, struct keel_server_session *s, const struct keel_ring_sqe *e,
		       struct keel_ring_cqe *c)
{
	struct kbd_drv *d = ctx;
	struct kbd_read r = {.owner = s, .gen = s->id, .id = e->id, .len = e->len};

	c->len = 0;
	c->status = 0;
	if (e->opcode == KEEL_KBD_FOCUS) {
		d->focus = s->id;
		return 1;
	}
	if (e->opcode != KEEL_KBD_READ) {
		c->status = -KEEL_EINVAL;
		return 1;
	}
	if (e->len == 0 || e->len % sizeof(struct keel_kbd_event)) {
		c->status = -KEEL_EINVAL; /* whole events only, at least one */
		return 1;
	}
	r.buf = ring_buf(&s->ring, e->offset, e->len);
	if (!r.buf || (uintptr_t)r.buf % _Alignof(struct keel_kbd_event)) {
		c->status = -KEEL_ERANGE;
		return 1;
	}
	kbd_prune(d);
	if (d->nreads == KBD_READS_MAX || kbd_reads_of(d, s) >= KBD_READS_PER_SESSION) {
		c->status = -KEEL_EAGAIN; /* too many kept: the client reaps, then asks again */
		return 1;
	}
	d->reads[d->nreads++] = r;
	return 0; /* kept: kbd_deliver completes it after this step */
}

static int kbd_handle(const struct keel_start *sb, unsigned slot, const char *what, uint64_t *h)
{
	*h = sb->handle[slot];
	if (*h == KEEL_MSG_NO_HANDLE) {
		keel_printf("no %s in start slot %u (init's config: driver ps2kbd "
			    "bin/ps2kbd ioport=0x60:1 ioport=0x64:1 irq=1)\n",
			    what, slot);
		return -1;
	}
	return 0;
}

int main(uint64_t start)
{
	const struct keel_start *sb = (const struct keel_start *)(uintptr_t)start;
	struct kbd_drv *d = &kbd;
	uint64_t service, data, status;
	const char *why;
	int64_t err;

	if (!sb || sb->magic != KEEL_START_MAGIC) {
		keel_printf("no start block: init starts this driver\n");
		return 1;
	}
	if (kbd_handle(sb, KEEL_START_SERVICE, "service endpoint", &service) ||
	    kbd_handle(sb, KEEL_START_DEVICE0, "data port (0x60)", &data) ||
	    kbd_handle(sb, KEEL_START_DEVICE0 + 1, "status port (0x64)", &status) ||
	    kbd_handle(sb, KEEL_START_DEVICE0 + 2, "interrupt", &d->irq))
		return 1;
	if ((err = keel_ioport_enable(data)) != 0 || (err = keel_ioport_enable(status)) != 0) {
		keel_printf("cannot use the I/O ports: %s\n", keel_strerror(err));
		return 1;
	}
	if ((err = keel_object_create(KEEL_OBJ_NOTIFICATION, 0)) < 0) {
		keel_printf("no notification to wait on: %s\n", keel_strerror(err));
		return 1;
	}
	d->nap = (uint64_t)err;
	if ((why = i8042_setup(d->nap)) != NULL) {
		keel_printf("no keyboard controller at 0x60/0x64: %s; exiting\n", why);
		return 1;
	}
	kbd_decode_init(&d->dec);
	err = keel_server_init(&d->srv, service, KBD_SQ_ENTRIES, KBD_CQ_ENTRIES, KBD_DATA_SIZE,
			       kbd_request, d);
	if (err == 0)
		err = keel_irq_bind(d->irq, d->srv.notif, KBD_IRQ_BIT);
	if (err != 0) {
		i8042_quiet(d->nap);
		keel_printf("cannot serve: %s\n", keel_strerror(err));
		return 1;
	}
	kbd_input(d); /* what was typed before the interrupt was bound raised no edge */
	while (!d->srv.gone) {
		uint64_t bits = keel_server_step(&d->srv);

		if (bits & (1ull << KBD_IRQ_BIT)) {
			kbd_input(d);
			keel_irq_ack(d->irq);
			kbd_input(d); /* what came while the line was masked raised no new edge */
		}
		kbd_deliver(d);
	}
	i8042_quiet(d->nap);
	return 0;
}
