/*
 * drivers-user/lib/console.c: keel_console_open (session.h). keel_printf's
 * lines go to the "uart" driver (drivers-user/uart) as KEEL_UART_WRITE
 * requests on a ring session, found through init's name service.
 *
 * No line is lost: each one stays in its console's line[] (its own CON_SLOT_SIZE bytes
 * of the session's data area while it is in flight) until its completion
 * came, which the driver sends only once every byte is in the UART's
 * transmitter. When the session closes (the driver died or was restarted)
 * the console looks "uart" up again, opens a new session and sends every
 * line still unacknowledged again, oldest first. A line the dead driver had
 * already put out but not yet acknowledged is therefore printed twice: that
 * is the price of never dropping one. If the driver cannot be found again
 * (no "uart" in init's configuration, or it does not come back within
 * keel_name_lookup's 10 s), the kept lines and everything after go to the kernel's
 * log instead, so they are still not lost.
 *
 * A program may open up to CON_CONSOLES consoles (keel_console_open_on:
 * "uart" and "fbcon", say): every line then goes to each of them, each
 * console keeping its own lines, session and reconnection. One that fails
 * for good is left out; the kernel's log takes the lines only when every
 * one has failed. keel_console_write sends bytes without a line end the
 * same way (a shell's prompt and echo).
 *
 * Single-threaded like the rest of libkeel's output (keel.h). Each console
 * has its own notification, with the bits CON_DONE_BIT (completions ready)
 * and CON_GONE_BIT (the driver is gone).
 */
#include <keel/pkru.h>

#include "keel.h"
#include "session.h"

#define CON_SLOTS          16
#define CON_SLOT_SIZE      256 /* a line of KEEL_LOG_LINE_MAX bytes and its "\r\n" */
#define CON_DONE_BIT       0
#define CON_GONE_BIT       1
#define CON_CONSOLES       2

_Static_assert(KEEL_LOG_LINE_MAX + 2 <= CON_SLOT_SIZE, "a line fits its slot");

struct con_line {
	uint64_t id;  /* its request's id: lines go out in id order */
	uint32_t len; /* bytes in text */
	int crlf;     /* text ends in the "\r\n" added to a line (not a keel_console_write) */
	int used;     /* kept until its completion */
	int sent;     /* submitted on the current session */
	char text[CON_SLOT_SIZE];
};

struct con {
	struct keel_session s;
	uint64_t names, notif;
	char name[KEEL_NAME_MAX + 1]; /* the driver: "uart", or "fbcon" (keel_console_open_on) */
	uint64_t service; /* the session's service endpoint (ours to close), or KEEL_MSG_NO_HANDLE */
	uint64_t next_id;
	unsigned slots; /* lines in flight at most: CON_SLOTS, or fewer if the data area is small */
	int open;       /* keel_console_open succeeded */
	int failed;     /* the driver is gone for good: lines go to the kernel's log */
	struct con_line line[CON_SLOTS];
};

static struct con consoles[CON_CONSOLES];

/* Submit line i on the current session. 0 or -KEEL_E* (EAGAIN: SQ full; ECLOSED). */
static int con_submit(struct con *c, unsigned i)
{
	struct con_line *l = &c->line[i];
	struct keel_ring_sqe e = {.id = l->id,
				  .opcode = KEEL_UART_WRITE,
				  .len = l->len,
				  .offset = (uint64_t)i * CON_SLOT_SIZE};
	void *buf = keel_session_buf(&c->s, e.offset, e.len);
	int r;

	if (!buf)
		return -KEEL_ERANGE;
	/* The session's key is write-disabled outside libkeel's session calls (session.h). */
	keel_pkey_write_enable(c->s.pkey);
	memcpy(buf, l->text, l->len);
	keel_pkey_write_disable(c->s.pkey);
	r = keel_session_submit(&c->s, &e);
	if (r == 0)
		l->sent = 1;
	return r;
}

/* The unsent line with the smallest id, or -1. */
static int con_oldest_unsent(const struct con *c)
{
	int best = -1;

	for (unsigned i = 0; i < c->slots; i++)
		if (c->line[i].used && !c->line[i].sent &&
		    (best < 0 || c->line[i].id < c->line[best].id))
			best = (int)i;
	return best;
}

/* A kept line's text for the kernel's log, which makes its own lines: without "\r\n". */
static void con_log(const struct con_line *l)
{
	keel_debug_log(l->text, l->len - (l->crlf ? 2 : 0));
}

/* Whether every console opened has failed for good (none open: true). */
static int con_all_failed(void)
{
	for (unsigned k = 0; k < CON_CONSOLES; k++)
		if (consoles[k].open && !consoles[k].failed)
			return 0;
	return 1;
}

/*
 * Every kept line to the kernel's log, oldest first; from now on this
 * console takes no line, and once every console failed the log takes them.
 */
static void con_fail(struct con *c)
{
	int i;

	for (unsigned k = 0; k < c->slots; k++)
		c->line[k].sent = 0;
	while ((i = con_oldest_unsent(c)) >= 0) {
		con_log(&c->line[i]);
		c->line[i].used = 0;
	}
	c->failed = 1;
	if (con_all_failed())
		keel_output_set(NULL, NULL);
}

/* Close the session and the service handle it was opened on (the session does not own it). */
static void con_disconnect(struct con *c)
{
	keel_session_close(&c->s);
	if (c->service != KEEL_MSG_NO_HANDLE)
		keel_handle_close(c->service);
	c->service = KEEL_MSG_NO_HANDLE;
}

/* Open a session with "uart" (looked up again); every kept line is to be sent again. */
static int64_t con_connect(struct con *c)
{
	uint64_t service;
	int64_t r = keel_name_lookup(c->names, c->name, &service);

	if (r != 0)
		return r;
	r = keel_session_open(&c->s, service, c->notif, CON_DONE_BIT, CON_GONE_BIT, 0);
	if (r != 0) {
		keel_handle_close(service);
		return r;
	}
	c->service = service;
	c->slots = c->s.ring.data_size / CON_SLOT_SIZE;
	if (c->slots > CON_SLOTS)
		c->slots = CON_SLOTS;
	if (c->slots == 0) {
		con_disconnect(c);
		return -KEEL_E2BIG;
	}
	for (unsigned i = 0; i < CON_SLOTS; i++)
		c->line[i].sent = 0;
	return 0;
}

/* The session closed: a new one, or the kernel's log for good. */
static void con_recover(struct con *c)
{
	/* Lines kept in slots a smaller new session lacks would be stranded: keep the old count. */
	unsigned old = c->slots;

	con_disconnect(c);
	if (con_connect(c) != 0) {
		con_fail(c);
	} else if (c->slots < old) {
		con_disconnect(c);
		c->slots = old;
		con_fail(c);
	}
}

/*
 * Take one completion (waiting for it with `block`). A line whose write
 * completed is done; one the driver could not take yet (-KEEL_EAGAIN) is sent
 * again; one it refused otherwise goes to the kernel's log. Returns 0,
 * -KEEL_EAGAIN (none, not blocking) or -KEEL_ECLOSED (recovered already).
 */
static int con_reap(struct con *c, int block)
{
	struct keel_ring_cqe cqe;
	int r = keel_session_reap(&c->s, &cqe, block);

	if (r == -KEEL_ECLOSED) {
		con_recover(c);
		return r;
	}
	if (r == -KEEL_EAGAIN)
		return r;
	if (r != 0) {
		con_fail(c); /* not in session.h's contract: do not spin on it */
		return r;
	}
	for (unsigned i = 0; i < c->slots; i++) {
		struct con_line *l = &c->line[i];

		if (!l->used || !l->sent || l->id != cqe.id)
			continue;
		if (cqe.status == -KEEL_EAGAIN) {
			l->sent = 0;
		} else {
			if (cqe.status != 0)
				con_log(l);
			l->used = 0;
		}
		break;
	}
	return 0;
}

/* Submit every unsent line, oldest first, waiting for room in the queue when it is full. */
static void con_send(struct con *c)
{
	int i, r;

	while (!c->failed && (i = con_oldest_unsent(c)) >= 0) {
		r = con_submit(c, (unsigned)i);
		if (r == -KEEL_EAGAIN)
			con_reap(c, 1); /* the queue is full: wait for one to finish */
		else if (r == -KEEL_ECLOSED)
			con_recover(c);
		else if (r != 0)
			con_fail(c);
	}
}

/* n bytes (at most CON_SLOT_SIZE - 2) into a free slot and out; with crlf a line end added. */
static void con_put(struct con *c, const char *s, size_t n, int crlf)
{
	struct con_line *l = NULL;
	int r;

	do /* take what finished */
		r = con_reap(c, 0);
	while (!c->failed && (r == 0 || r == -KEEL_ECLOSED));
	while (!c->failed && !l) {
		for (unsigned i = 0; i < c->slots && !l; i++)
			if (!c->line[i].used)
				l = &c->line[i];
		if (l)
			break;
		/*
		 * Every slot is kept. After a reconnect (con_reap's -KEEL_ECLOSED)
		 * none of them is in flight: send them again before waiting, or
		 * the wait is for completions that can never come.
		 */
		con_send(c);
		con_reap(c, 1);
	}
	if (c->failed) {
		/* Its kept lines went to the log; this one goes to the others, or there. */
		if (con_all_failed())
			keel_debug_log(s, n);
		return;
	}
	memcpy(l->text, s, n);
	if (crlf)
		memcpy(l->text + n, "\r\n", 2);
	l->len = (uint32_t)n + (crlf ? 2 : 0);
	l->crlf = crlf;
	l->id = c->next_id++;
	l->used = 1;
	l->sent = 0;
	con_send(c);
}

/* To every console still working, or the kernel's log when none is. */
static void con_put_all(const char *s, size_t n, int crlf)
{
	if (con_all_failed()) {
		keel_debug_log(s, n);
		return;
	}
	for (unsigned k = 0; k < CON_CONSOLES; k++)
		if (consoles[k].open && !consoles[k].failed)
			con_put(&consoles[k], s, n, crlf);
}

/* keel_printf's line (without its newline), cut to a slot. */
static void con_line_out(const char *s, size_t n)
{
	con_put_all(s, n < CON_SLOT_SIZE - 2 ? n : CON_SLOT_SIZE - 2, 1);
}

void keel_console_write(const char *s, size_t n)
{
	while (n > 0) {
		size_t part = n < CON_SLOT_SIZE ? n : CON_SLOT_SIZE;

		con_put_all(s, part, 0);
		s += part, n -= part;
	}
}

/* Wait until every line was acknowledged on every console (libkeel's exit path). */
static void con_drain(void)
{
	for (unsigned k = 0; k < CON_CONSOLES; k++) {
		struct con *c = &consoles[k];

		while (c->open) {
			unsigned kept = 0;

			con_send(c);
			for (unsigned i = 0; i < c->slots; i++)
				kept += c->line[i].used;
			if (c->failed || kept == 0)
				break;
			con_reap(c, 1);
		}
	}
}

int keel_console_working(const char *driver)
{
	for (unsigned k = 0; k < CON_CONSOLES; k++)
		if (consoles[k].open && strcmp(consoles[k].name, driver) == 0)
			return !consoles[k].failed;
	return 0;
}

int keel_console_open(uint64_t names)
{
	return keel_console_open_on(names, "uart");
}

int keel_console_open_on(uint64_t names, const char *driver)
{
	size_t len = strlen(driver);
	struct con *c = NULL;
	int64_t r;
	int64_t n;

	if (len == 0 || len > KEEL_NAME_MAX)
		return -KEEL_EINVAL;
	for (unsigned k = 0; k < CON_CONSOLES; k++) {
		if (consoles[k].open && strcmp(consoles[k].name, driver) == 0)
			return consoles[k].failed ? -KEEL_ECLOSED : 0;
		if (!consoles[k].open && !c)
			c = &consoles[k];
	}
	if (!c)
		return -KEEL_E2BIG;
	memset(c, 0, sizeof(*c));
	memcpy(c->name, driver, len);
	n = keel_object_create(KEEL_OBJ_NOTIFICATION, 0);
	if (n < 0)
		return (int)n;
	c->names = names;
	c->notif = (uint64_t)n;
	c->service = KEEL_MSG_NO_HANDLE;
	r = con_connect(c);
	if (r != 0) {
		keel_handle_close(c->notif);
		return (int)r;
	}
	c->open = 1;
	keel_output_set(con_line_out, con_drain);
	return 0;
}
