/*
 * drivers-user/restartbench/main.c: make bench's restart figures of the
 * real drivers (init's etc/bench-restart.conf, after etc/bench-blk.conf:
 * nothing else runs meanwhile). For each driver, RB_RESTARTS times: an
 * admin KEEL_NAME_KILL through init, then the first request the
 * replacement answers, asked as a libkeel client does after a restart
 * (the old session or endpoint answers -KEEL_ECLOSED, the name is looked
 * up again, a new session opened). The request per driver:
 *   restart_uart_instr    KEEL_UART_WRITE of one line completed
 *   restart_fbcon_instr   the same on "fbcon" (KEEL_FB_WRITE)
 *   restart_ps2kbd_instr  KEEL_KBD_FOCUS completed
 *   restart_pci_instr     KEEL_PCI_COUNT answered (pci_list_count, the
 *                         call the shell's and bin/lspci's listing makes)
 * Each printed as "bench: restart_NAME_instr N", the median, or "n/a" when
 * the driver is not there (fbcon without a framebuffer) or a restart failed.
 * Instructions run (keel_work_ticks, as blkbench's blk_restart_instr): the
 * pauses while init has not yet started the new driver are halted time,
 * left out.
 */
#include <keel/pkru.h>
#include <keel/service.h>

#include "keel.h"
#include "pci_list.h"
#include "session.h"

#define RB_RESTARTS      5
#define RB_DONE_BIT      0
#define RB_GONE_BIT      1
#define RB_CONNECT_TRIES 100 /* 1 s of tries while init has not yet seen the driver die */
#define RB_CONNECT_NS    10000000ull
#define RB_KILL_TRIES    100000 /* requests the dying driver may still answer */
#define RB_LINE          "restartbench: a console driver's replacement wrote this\r\n"

/* One driver and the request its replacement is timed to. */
struct rb_driver {
	const char *name;
	int session; /* a ring session (uart, fbcon, ps2kbd); else register calls (pci) */
	uint32_t opcode;
	const char *text; /* copied to the data area as the request's bytes, or NULL */
};

static const struct rb_driver rb_drivers[] = {
    {"uart", 1, KEEL_UART_WRITE, RB_LINE},
    {"fbcon", 1, KEEL_FB_WRITE, RB_LINE},
    {"ps2kbd", 1, KEEL_KBD_FOCUS, NULL},
    {"pci", 0, 0, NULL},
};

/* The client's state with one driver. */
struct rb_client {
	const struct rb_driver *d;
	uint64_t names, notif, nap;
	uint64_t service; /* from the lookup, ours: KEEL_MSG_NO_HANDLE when not connected */
	struct keel_session s;
	uint64_t next_id;
};

/* One ring request waited for: 0, or its -KEEL_E* status or the session's. */
static int rb_session_request(struct rb_client *c)
{
	const struct rb_driver *d = c->d;
	size_t len = d->text ? strlen(d->text) : 0;
	struct keel_ring_sqe e = {.id = ++c->next_id, .opcode = d->opcode, .len = (uint32_t)len};
	struct keel_ring_cqe done;
	int r;

	if (len) {
		void *buf = keel_session_buf(&c->s, 0, len);

		if (!buf)
			return -KEEL_ERANGE;
		/* The session's key is write-disabled outside libkeel's session calls (session.h).
		 */
		keel_pkey_write_enable(c->s.pkey);
		memcpy(buf, d->text, len);
		keel_pkey_write_disable(c->s.pkey);
	}
	if ((r = keel_session_submit(&c->s, &e)) < 0)
		return r;
	do {
		if ((r = keel_session_reap(&c->s, &done, 1)) < 0)
			return r;
	} while (done.id != e.id); /* an earlier probe's, left by a dying driver */
	return done.status < 0 ? (int)done.status : 0;
}

/* The driver's request: 0 when answered, or -KEEL_E* (-KEEL_ECLOSED: it is gone). */
static int rb_request(struct rb_client *c)
{
	uint64_t count;

	if (c->d->session)
		return rb_session_request(c);
	return pci_list_count(c->service, &count);
}

static void rb_disconnect(struct rb_client *c)
{
	if (c->service == KEEL_MSG_NO_HANDLE)
		return;
	if (c->d->session)
		keel_session_close(&c->s);
	keel_handle_close(c->service);
	c->service = KEEL_MSG_NO_HANDLE;
}

/*
 * Look the driver up, open a session, and have its first request answered.
 * A driver that just died may still be what the name gives (init has not
 * yet seen it die): its endpoint answers -KEEL_ECLOSED, so ask again a
 * little later, until init has started the new one. 0 or -KEEL_E*.
 */
static int rb_connect(struct rb_client *c)
{
	int64_t r = -KEEL_ECLOSED;

	for (int i = 0; i < RB_CONNECT_TRIES && r == -KEEL_ECLOSED; i++) {
		if (i > 0)
			keel_wait(c->nap, RB_CONNECT_NS);
		if ((r = keel_name_lookup(c->names, c->d->name, &c->service)) < 0) {
			c->service = KEEL_MSG_NO_HANDLE;
			break;
		}
		if (c->d->session) {
			r = keel_session_open(&c->s, c->service, c->notif, RB_DONE_BIT, RB_GONE_BIT,
					      0);
			if (r < 0) {
				keel_handle_close(c->service);
				c->service = KEEL_MSG_NO_HANDLE;
				continue;
			}
		}
		if ((r = rb_request(c)) < 0)
			rb_disconnect(c);
	}
	return (int)r;
}

/* One kill to the first request the new driver answers: its ticks, or 0. */
static uint64_t rb_restart_once(struct rb_client *c)
{
	uint64_t t0 = keel_work_ticks();
	int64_t r = keel_name_kill(c->names, c->d->name);

	if (r != 0) {
		keel_printf("bench: %s: kill refused: %s\n", c->d->name, keel_strerror(r));
		return 0;
	}
	for (int tries = 0; tries < RB_KILL_TRIES && r == 0; tries++)
		r = rb_request(c);
	if (r != -KEEL_ECLOSED) {
		keel_printf("bench: %s: the killed driver answered %s\n", c->d->name,
			    r ? keel_strerror(r) : "on and on");
		return 0;
	}
	rb_disconnect(c);
	if ((r = rb_connect(c)) != 0) {
		keel_printf("bench: %s: no replacement answered: %s\n", c->d->name,
			    keel_strerror(r));
		return 0;
	}
	return keel_work_ticks() - t0;
}

/* Time one driver's restarts and print its figure. */
static void rb_driver(struct rb_client *c, const struct rb_driver *d)
{
	uint64_t t[RB_RESTARTS];
	int r, i;

	c->d = d;
	if ((r = rb_connect(c)) != 0) {
		keel_printf("bench: %s: not there: %s\n", d->name, keel_strerror(r));
		i = 0;
	} else
		for (i = 0; i < RB_RESTARTS && (t[i] = rb_restart_once(c)) != 0; i++)
			;
	rb_disconnect(c);
	if (i < RB_RESTARTS)
		keel_printf("bench: restart_%s_instr n/a\n", d->name);
	else
		keel_printf("bench: restart_%s_instr %llu\n", d->name,
			    (unsigned long long)keel_median(t, RB_RESTARTS));
}

int main(uint64_t start)
{
	const struct keel_start *sb = (const struct keel_start *)(uintptr_t)start;
	struct rb_client c = {.service = KEEL_MSG_NO_HANDLE};
	int64_t notif, nap;

	if (!sb || sb->magic != KEEL_START_MAGIC ||
	    sb->handle[KEEL_START_NAMES] == KEEL_MSG_NO_HANDLE)
		return 100;
	c.names = sb->handle[KEEL_START_NAMES];
	if ((notif = keel_object_create(KEEL_OBJ_NOTIFICATION, 0)) < 0 ||
	    (nap = keel_object_create(KEEL_OBJ_NOTIFICATION, 0)) < 0) {
		keel_printf("bench: restarts: no notification\n");
		return 1;
	}
	c.notif = (uint64_t)notif;
	c.nap = (uint64_t)nap;
	for (size_t k = 0; k < sizeof(rb_drivers) / sizeof(rb_drivers[0]); k++)
		rb_driver(&c, &rb_drivers[k]);
	return 0;
}
