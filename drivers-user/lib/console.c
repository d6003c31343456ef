/*
 * drivers-user/lib/console.c: keel_console_open (session.h). keel_printf's
 * lines go to the "uart" driver (drivers-user/uart) as KEEL_UART_WRITE
 * requests on a ring session, found through init's name service.
 *
 * No line is lost: each one stays in con.line[] (its own CON_SLOT_SIZE bytes
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
 * Single-threaded like the rest of libkeel's output (keel.h). The session's
 * notification bits: CON_DONE_BIT (completions ready), CON_GONE_BIT (the
 * driver is gone).
 */
#include <keel/pkru.h>

#include "keel.h"
#include "session.h"

#define CON_SLOTS          16
#define CON_SLOT_SIZE      256 /* a line of KEEL_LOG_LINE_MAX bytes and its "\r\n" */
#define CON_DONE_BIT       0
#define CON_GONE_BIT       1

_Static_assert(KEEL_LOG_LINE_MAX + 2 <= CON_SLOT_SIZE, "a line fits its slot");

struct con_line {
	uint64_t id;  /* its request's id: lines go out in id order */
	uint32_t len; /* bytes in text */
	int used;     /* kept until its completion */
	int sent;     /* submitted on the current session */
	char text[CON_SLOT_SIZE];
};

static struct {
	struct keel_session s;
	uint64_t names, notif;
	char name[KEEL_NAME_MAX + 1]; /* the driver: "uart", or "fbcon" (keel_console_open_on) */
	uint64_t service; /* the session's service endpoint (ours to close), or KEEL_MSG_NO_HANDLE */
	uint64_t next_id;
	unsigned slots; /* lines in flight at most: CON_SLOTS, or fewer if the data area is small */
	int open;       /* keel_console_open succeeded */
	int failed;     /* the driver is gone for good: lines go to the kernel's log */
	struct con_line line[CON_SLOTS];
} con;

/* Submit line i on the current session. 0 or -KEEL_E* (EAGAIN: SQ full; ECLOSED). */
static int con_submit(unsigned i)
{
	struct con_line *l = &con.line[i];
	struct keel_ring_sqe e = {.id = l->id,
				  .opcode = KEEL_UART_WRITE,
				  .len = l->len,
				  .offset = (uint64_t)i * CON_SLOT_SIZE};
	void *buf = keel_session_buf(&con.s, e.offset, e.len);
	int r;

	if (!buf)
		return -KEEL_ERANGE;
	/* The session's key is write-disabled outside libkeel's session calls (session.h). */
	keel_pkey_write_enable(con.s.pkey);
	memcpy(buf, l->text, l->len);
	keel_pkey_write_disable(con.s.pkey);
	r = keel_session_submit(&con.s, &e);
	if (r == 0)
		l->sent = 1;
	return r;
}

/* The unsent line with the smallest id, or -1. */
static int con_oldest_unsent(void)
{
	int best = -1;

	for (unsigned i = 0; i < con.slots; i++)
		if (con.line[i].used && !con.line[i].sent &&
		    (best < 0 || con.line[i].id < con.line[best].id))
			best = (int)i;
	return best;
}

/* Every kept line to the kernel's log, oldest first; from now on lines go there. */
static void con_fail(void)
{
	int i;

	for (unsigned k = 0; k < con.slots; k++)
		con.line[k].sent = 0;
	while ((i = con_oldest_unsent()) >= 0) {
		/* Without the "\r\n": the kernel's log makes its own lines. */
		keel_debug_log(con.line[i].text, con.line[i].len - 2);
		con.line[i].used = 0;
	}
	con.failed = 1;
	keel_output_set(NULL, NULL);
}

/* Close the session and the service handle it was opened on (the session does not own it). */
static void con_disconnect(void)
{
	keel_session_close(&con.s);
	if (con.service != KEEL_MSG_NO_HANDLE)
		keel_handle_close(con.service);
	con.service = KEEL_MSG_NO_HANDLE;
}

/* Open a session with "uart" (looked up again); every kept line is to be sent again. */
static int64_t con_connect(void)
{
	uint64_t service;
	int64_t r = keel_name_lookup(con.names, con.name, &service);

	if (r != 0)
		return r;
	r = keel_session_open(&con.s, service, con.notif, CON_DONE_BIT, CON_GONE_BIT, 0);
	if (r != 0) {
		keel_handle_close(service);
		return r;
	}
	con.service = service;
	con.slots = con.s.ring.data_size / CON_SLOT_SIZE;
	if (con.slots > CON_SLOTS)
		con.slots = CON_SLOTS;
	if (con.slots == 0) {
		con_disconnect();
		return -KEEL_E2BIG;
	}
	for (unsigned i = 0; i < CON_SLOTS; i++)
		con.line[i].sent = 0;
	return 0;
}

/* The session closed: a new one, or the kernel's log for good. */
static void con_recover(void)
{
	/* Lines kept in slots a smaller new session lacks would be stranded: keep the old count. */
	unsigned old = con.slots;

	con_disconnect();
	if (con_connect() != 0) {
		con_fail();
	} else if (con.slots < old) {
		con_disconnect();
		con.slots = old;
		con_fail();
	}
}

/*
 * Take one completion (waiting for it with `block`). A line whose write
 * completed is done; one the driver could not take yet (-KEEL_EAGAIN) is sent
 * again; one it refused otherwise goes to the kernel's log. Returns 0,
 * -KEEL_EAGAIN (none, not blocking) or -KEEL_ECLOSED (recovered already).
 */
static int con_reap(int block)
{
	struct keel_ring_cqe c;
	int r = keel_session_reap(&con.s, &c, block);

	if (r == -KEEL_ECLOSED) {
		con_recover();
		return r;
	}
	if (r == -KEEL_EAGAIN)
		return r;
	if (r != 0) {
		con_fail(); /* not in session.h's contract: do not spin on it */
		return r;
	}
	for (unsigned i = 0; i < con.slots; i++) {
		struct con_line *l = &con.line[i];

		if (!l->used || !l->sent || l->id != c.id)
			continue;
		if (c.status == -KEEL_EAGAIN) {
			l->sent = 0;
		} else {
			if (c.status != 0)
				keel_debug_log(l->text, l->len - 2);
			l->used = 0;
		}
		break;
	}
	return 0;
}

/* Submit every unsent line, oldest first, waiting for room in the queue when it is full. */
static void con_send(void)
{
	int i, r;

	while (!con.failed && (i = con_oldest_unsent()) >= 0) {
		r = con_submit((unsigned)i);
		if (r == -KEEL_EAGAIN)
			con_reap(1); /* the queue is full: wait for one to finish */
		else if (r == -KEEL_ECLOSED)
			con_recover();
		else if (r != 0)
			con_fail();
	}
}

/* keel_printf's line (without its newline). */
static void con_line_out(const char *s, size_t n)
{
	struct con_line *l = NULL;
	int r;

	do /* take what finished */
		r = con_reap(0);
	while (!con.failed && (r == 0 || r == -KEEL_ECLOSED));
	while (!con.failed && !l) {
		for (unsigned i = 0; i < con.slots && !l; i++)
			if (!con.line[i].used)
				l = &con.line[i];
		if (l)
			break;
		/*
		 * Every slot is kept. After a reconnect (con_reap's -KEEL_ECLOSED)
		 * none of them is in flight: send them again before waiting, or
		 * the wait is for completions that can never come.
		 */
		con_send();
		con_reap(1);
	}
	if (con.failed) {
		keel_debug_log(s, n);
		return;
	}
	if (n > CON_SLOT_SIZE - 2)
		n = CON_SLOT_SIZE - 2;
	memcpy(l->text, s, n);
	memcpy(l->text + n, "\r\n", 2);
	l->len = (uint32_t)n + 2;
	l->id = con.next_id++;
	l->used = 1;
	l->sent = 0;
	con_send();
}

/* Wait until every line was acknowledged (libkeel's exit path). */
static void con_drain(void)
{
	for (;;) {
		unsigned kept = 0;

		con_send();
		for (unsigned i = 0; i < con.slots; i++)
			kept += con.line[i].used;
		if (con.failed || kept == 0)
			return;
		con_reap(1);
	}
}

int keel_console_open(uint64_t names)
{
	return keel_console_open_on(names, "uart");
}

int keel_console_open_on(uint64_t names, const char *driver)
{
	size_t len = strlen(driver);
	int64_t r;
	int64_t n;

	if (con.open)
		return 0;
	if (len == 0 || len > KEEL_NAME_MAX)
		return -KEEL_EINVAL;
	memset(con.name, 0, sizeof(con.name));
	memcpy(con.name, driver, len);
	n = keel_object_create(KEEL_OBJ_NOTIFICATION, 0);
	if (n < 0)
		return (int)n;
	con.names = names;
	con.notif = (uint64_t)n;
	con.service = KEEL_MSG_NO_HANDLE;
	con.failed = 0;
	r = con_connect();
	if (r != 0) {
		keel_handle_close(con.notif);
		return (int)r;
	}
	con.open = 1;
	keel_output_set(con_line_out, con_drain);
	return 0;
}
