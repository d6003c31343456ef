/*
 * drivers-user/lib/session.h: libkeel's ring sessions (DESIGN.md §7,
 * include/keel/service.h for the wire protocol, ring_api.h for the rings).
 * The client side opens a session on a driver's service endpoint and pushes
 * requests; the server side (a driver's main loop) accepts sessions, serves
 * their submission queues and notices clients that are gone.
 *
 * Protection keys: where PKU exists each side maps the session memory under a
 * key of its own and keeps that key write-disabled outside these functions,
 * so a stray write elsewhere in the program faults instead of corrupting the
 * ring. Without PKU the mapping uses key 0.
 */
#ifndef KEEL_USER_SESSION_H
#define KEEL_USER_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include <keel/ring.h>
#include <keel/service.h>
#include <keel/syscall.h>

#include "ring_api.h"

/* ---- Client ---- */

struct keel_session {
	struct ring ring;
	uint64_t service; /* the driver's service endpoint (KEEL_RIGHT_WRITE) */
	uint64_t notif;   /* the client's notification (this side waits on it) */
	uint64_t vmo;     /* the session memory */
	void *mem;        /* its mapping here */
	size_t size;
	uint64_t id;        /* the driver's session id */
	unsigned done_bit;  /* set by the driver: completions ready */
	unsigned gone_bit;  /* set by the kernel: the driver is gone */
	int pkey;           /* the mapping's protection key, 0 without PKU */
	uint32_t pkey_bits; /* its AD and WD bits in PKRU (3 << 2 * pkey), 0 for key 0 */
	int closed;         /* the driver is gone, or the session was closed */
	int slot;           /* which of libkeel's client mapping windows (session.c) */
	uint64_t syscalls;  /* system calls these functions made for this session (make bench) */
};

/*
 * Open a session: `notif` is the caller's notification (it keeps it), the
 * driver sets done_bit there, the kernel gone_bit when the driver is gone.
 * Returns 0, or -KEEL_E* (the driver's answer, or a local failure; nothing
 * left open then).
 */
int keel_session_open(struct keel_session *s, uint64_t service, uint64_t notif, unsigned done_bit,
		      unsigned gone_bit, uint64_t open_arg);

/* Bytes [offset, offset + len) of the data area, or NULL (ring_buf). */
void *keel_session_buf(struct keel_session *s, uint64_t offset, uint64_t len);

/*
 * Publish one request, and kick the driver when it said it was going to
 * sleep. -KEEL_EAGAIN: the submission queue is full (reap first);
 * -KEEL_ECLOSED: the session is closed.
 */
int keel_session_submit(struct keel_session *s, const struct keel_ring_sqe *e);

/* Publish several requests with at most one kick. Returns how many went in, or -KEEL_E*. */
int keel_session_submit_many(struct keel_session *s, const struct keel_ring_sqe *e, unsigned n);

/*
 * Take one completion; with `block`, sleep on the notification until one
 * comes or the session closes. 0, -KEEL_EAGAIN (none, not blocking),
 * -KEEL_ECLOSED (the driver is gone or the ring is broken: close and reopen).
 */
int keel_session_reap(struct keel_session *s, struct keel_ring_cqe *out, int block);

/*
 * Take up to n completions into out[] (with `block`, sleeping as
 * keel_session_reap does until at least one comes): how many, or
 * -KEEL_EAGAIN / -KEEL_ECLOSED as keel_session_reap. A completion already
 * taken when the ring turns out broken is lost with the session.
 */
int keel_session_reap_many(struct keel_session *s, struct keel_ring_cqe *out, unsigned n,
			   int block);

/*
 * Sleep until one of the n (at most 32) sessions, which share one
 * notification, has completions or is gone, or timeout_ns passed; NULL
 * entries and closed sessions are skipped. Then take completions with
 * keel_session_reap(.., 0): a session found gone answers -KEEL_ECLOSED
 * there. 0, or -KEEL_ECLOSED when no session is open (nothing to wait on).
 */
int keel_session_wait_any(struct keel_session *const *s, unsigned n, uint64_t timeout_ns);

/* Tell the driver (when it is still there), unmap, close the handles. */
void keel_session_close(struct keel_session *s);

/* ---- Console (a session with "uart" through init's name service) ---- */

/*
 * Route keel_printf's lines through a "uart" session (opened here, reopened
 * after a driver restart) instead of the kernel's debug log. Returns 0 or
 * -KEEL_E* (keel_printf keeps using the kernel's log then).
 */
int keel_console_open(uint64_t names);

/*
 * The same through another console driver that takes KEEL_UART_WRITE:
 * "fbcon". Opened after another, it adds a console: every line goes to each
 * (at most two; -KEEL_E2BIG past that). A driver already open: 0.
 */
int keel_console_open_on(uint64_t names, const char *driver);

/*
 * n bytes through every open console as they are, with no line end added
 * (a prompt, typed characters echoed); the kernel's log when no console
 * works. Text keel_printf holds before its newline stays behind: end lines
 * first.
 */
void keel_console_write(const char *s, size_t n);

/* 1 when the console on `driver` is open and has not failed for good (it may be reconnecting). */
int keel_console_working(const char *driver);

/* ---- Server (a driver) ---- */

struct keel_server_session {
	struct ring ring;
	uint64_t client_notif; /* KEEL_RIGHT_SIGNAL */
	uint64_t vmo;
	void *mem;
	size_t size;
	uint64_t badge;    /* the client's process id */
	unsigned done_bit; /* what to set in client_notif */
	int in_use;
	uint64_t id;               /* generation << 8 | index: a stale id names no session */
	struct keel_ring_cqe held; /* a completion the full CQ did not take yet */
	int held_valid;            /* 1: held waits; no SQ entry is taken until it goes in */
	int serving;               /* 1: inside a serve batch (keel_server_complete waits) */
};

#define KEEL_SERVER_SESSIONS 32 /* at most 32: struct keel_server.live */

/*
 * What a service does with one request: fill *c (id is set already) and
 * return 1 to complete it now, or 0 to keep it (the service completes it later
 * with keel_server_complete). s is the session, for its data area.
 */
typedef int (*keel_server_request_fn)(void *ctx, struct keel_server_session *s,
				      const struct keel_ring_sqe *e, struct keel_ring_cqe *c);

struct keel_server {
	uint64_t service; /* the service endpoint (KEEL_RIGHT_READ) */
	uint64_t notif;   /* bound to service: recv returns its bits */
	int pkey;
	uint32_t pkey_bits; /* its AD and WD bits in PKRU (3 << 2 * pkey), 0 for key 0 */
	uint32_t sq_entries, cq_entries, data_size; /* every session's sizes */
	keel_server_request_fn request;
	void *ctx;
	struct keel_server_session session[KEEL_SERVER_SESSIONS];
	unsigned sessions;   /* in use */
	uint32_t live;       /* bit i: session[i] in use (the hot loops walk only these) */
	uint64_t generation; /* of session ids */
	int replying;        /* 1: msg holds the reply owed to the last caller */
	int with_msg;        /* the last receive took a whole struct keel_msg (session.c) */
	int open_pending;    /* an open came words-only and was told to ask again */
	int gone;            /* the service endpoint has no caller left: stop serving */
	unsigned kept;       /* requests the service kept in this step's settle (session.c) */
	uint64_t syscalls;   /* system calls keel_server_* made (make bench) */
	struct keel_msg msg; /* the last message received, then its reply */
};

/*
 * Set up: make the notification bound to `service` (KEEL_OBJ_NOTIFICATION
 * with the endpoint as argument) and take a protection key. 0 or -KEEL_E*.
 */
int keel_server_init(struct keel_server *srv, uint64_t service, uint32_t sq_entries,
		     uint32_t cq_entries, uint32_t data_size, keel_server_request_fn request,
		     void *ctx);

/*
 * The main loop's step: receive one message or notification word (replying to
 * the previous message first), serve it, and return the notification bits
 * that were not the server's own (a device's interrupt, say) for the caller to
 * handle, or 0. Opens, kicks, closes, bad requests and gone clients are
 * handled here. Sets srv->gone (and returns 0) once the service endpoint has
 * no caller left: the loop should end then.
 */
uint64_t keel_server_step(struct keel_server *srv);

/* Serve every session's submission queue once (after a device event, say). */
void keel_server_poll(struct keel_server *srv);

/*
 * Complete a request kept earlier; signals the client when it sleeps. 0 or
 * -KEEL_E* (-KEEL_EAGAIN: the CQ is full, or this is the session's own
 * request function: complete it after it returns).
 */
int keel_server_complete(struct keel_server *srv, struct keel_server_session *s,
			 const struct keel_ring_cqe *c);

#endif
