/*
 * drivers-user/lib/session.c: libkeel's ring sessions (session.h), both
 * sides, over the ring protocol of ring_api.h and the wire protocol of
 * include/keel/service.h. keel_console_open lives in console.c.
 *
 * Memory. Each side maps a session's memory object in a window of its own:
 * a client in one of SESSION_CLIENT_SLOTS windows of SESSION_CLIENT_WINDOW
 * bytes from SESSION_CLIENT_VA, a server in session[i]'s window from
 * SESSION_SERVER_VA. Both map it under a protection key of their own when
 * the CPU has PKU, and keep that key write-disabled (PKRU WD) outside these
 * functions: each public function enables it on entry and disables it on
 * exit, once per call (never per entry), with pkru.h's helpers. A thread's
 * PKRU is its own, so another thread of the program cannot write the ring
 * while one is inside.
 *
 * Wakeups (ring_api.h's sleep protocol, used on both queues):
 *  - the client publishes requests and sends KEEL_SESSION_KICK only when
 *    ring_sq_needs_wakeup says the server went to sleep; the server serves
 *    that session's SQ before it replies;
 *  - the server, before it blocks in reply_recv, runs ring_sq_prepare_sleep
 *    on every session and serves any that got entries meanwhile (no lost
 *    wakeup), and clears the flags again when it wakes;
 *  - the server signals a client's done_bit only when ring_cq_needs_wakeup
 *    says the client sleeps;
 *  - requests the service keeps while the server settles (just before it
 *    would block) make keel_server_step come back instead of sleeping
 *    (KEEL_SERVER_BIT_POLL): the service must start its device on them, as
 *    nothing else would wake it (a uart with an idle transmitter).
 * A full CQ: the server keeps the one completion that did not fit (held)
 * and takes nothing more from that SQ; before it sleeps it sets the SQ's
 * sleep flag to SESSION_KICK_AFTER_REAP (2: still "nonzero, wants a
 * signal" to ring.c), so that the client, about to sleep in
 * keel_session_reap after reaping, kicks it.
 *
 * Trust. The server trusts no client: a bad open is refused with its own
 * code, a bad entry gets an error completion, a broken ring (an impossible
 * counter) closes that session alone, and nothing loops on shared memory
 * (each serve pass takes at most one SQ's worth of entries; a server still
 * busy after SERVER_SETTLE_ROUNDS passes signals itself KEEL_SERVER_BIT_POLL
 * and goes through its receive, so messages are not starved either). The
 * client checks the server's answer (handle, size) before it maps anything.
 *
 * Gone peers (KEEL_SYS_IRQ_BIND watches): the client watches the service
 * endpoint (gone_bit on its notification); the server watches each client's
 * notification (KEEL_SERVER_BIT_CLIENT_GONE on its own, bound to the
 * service endpoint), then probes every session with a zero signal, which
 * fails with -KEEL_ECLOSED for a notification whose owner is gone, and
 * closes those sessions (unmap, close the VMO and notification handles).
 *
 * One thread per side per session (ring_api.h: single producer, single
 * consumer); libkeel's client windows are process-wide state (keel.h: one
 * thread per process until libkeel learns locking).
 */
#include "session.h"

#include <keel/pkru.h>

#include "keel.h"

#define SESSION_CLIENT_VA       0x0000400000000000ull
#define SESSION_CLIENT_WINDOW   (1ull << 31) /* more than any valid ring_size */
#define SESSION_CLIENT_SLOTS    16
#define SESSION_SERVER_VA       0x0000500000000000ull
#define SERVER_SETTLE_ROUNDS    8
#define SESSION_OPEN_TRIES      8
/* The SQ's sleep flag when the server also holds a completion for a full CQ. */
#define SESSION_KICK_AFTER_REAP 2
#define PAGE_SIZE               4096ull

static uint64_t page_round(uint64_t n)
{
	return (n + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

/*
 * This process's protection key for session memory: allocated at the first
 * use where the CPU has PKU, 0 (the default key: no protection) elsewhere or
 * when the kernel has none left.
 */
static int session_pkey(void)
{
	static int key = -1;
	uint32_t features = 0;
	int64_t k;

	if (key >= 0)
		return key;
	key = 0;
	if (keel_info(KEEL_INFO_FEATURES, 0, &features, sizeof(features)) < 0 ||
	    !(features & KEEL_FEATURE_PKU))
		return key;
	k = keel_pkey_alloc();
	if (k > 0 && k < 16) {
		key = (int)k;
		/* From here on the key is write-disabled outside the session calls. */
		keel_pkey_write_disable(key);
	}
	return key;
}

/*
 * The key's bits in PKRU, for the hot paths: open (AD and WD clear) and
 * close (WD set) from the bits kept with the session, no shift per call.
 * pkru.h's helpers do the same from the key.
 */
static uint32_t session_pkey_bits(int key)
{
	return key > 0 ? 3u << (2 * key) : 0;
}

static inline void session_write_enable(uint32_t bits)
{
	if (bits)
		keel_wrpkru(keel_rdpkru() & ~bits);
}

static inline void session_write_disable(uint32_t bits)
{
	if (bits)
		keel_wrpkru(keel_rdpkru() | (bits & 0xaaaaaaaau)); /* the WD bit */
}

/* ---- Client ---- */

static uint32_t client_slots; /* bit i: window i holds a session */

static int client_kick(struct keel_session *s)
{
	uint64_t w[KEEL_MSG_WORDS] = {KEEL_SESSION_KICK, s->id, 0, 0};
	int64_t r = keel_call_words(s->service, w);

	s->syscalls++;
	if (r < 0 || (int64_t)w[0] != 0) {
		s->closed = 1;
		return -KEEL_ECLOSED;
	}
	return 0;
}

int keel_session_open(struct keel_session *s, uint64_t service, uint64_t notif, unsigned done_bit,
		      unsigned gone_bit, uint64_t open_arg)
{
	struct keel_msg m;
	int64_t h, r;
	uint64_t size, va;
	int slot, key;

	memset(s, 0, sizeof(*s));
	s->closed = 1;
	if (done_bit > 62 || gone_bit > 62 || done_bit == gone_bit)
		return -KEEL_EINVAL;
	for (slot = 0; slot < SESSION_CLIENT_SLOTS && (client_slots & (1u << slot)); slot++)
		;
	if (slot == SESSION_CLIENT_SLOTS)
		return -KEEL_ENOMEM;
	/* TRANSFER: the call moves it to the server. */
	/* A server on its register-only path answers -KEEL_EAGAIN once: ask again. */
	for (int tries = 0;; tries++) {
		h = keel_handle_dup(notif, KEEL_RIGHT_SIGNAL | KEEL_RIGHT_TRANSFER);
		if (h < 0)
			return (int)h;
		memset(&m, 0, sizeof(m));
		m.word[0] = KEEL_SESSION_OPEN;
		m.word[1] = done_bit;
		m.word[2] = open_arg;
		m.handle = (uint64_t)h;
		r = keel_call(service, &m);
		if (r < 0) {
			/* Refused before it was taken (a bad endpoint): still ours. */
			keel_handle_close((uint64_t)h);
			return (int)r;
		}
		if ((int64_t)m.word[0] != -KEEL_EAGAIN || tries == SESSION_OPEN_TRIES)
			break;
		if (m.handle != KEEL_MSG_NO_HANDLE)
			keel_handle_close(m.handle);
	}
	r = (int64_t)m.word[0];
	if (r != 0) {
		if (m.handle != KEEL_MSG_NO_HANDLE)
			keel_handle_close(m.handle);
		return keel_is_error(r) ? (int)r : -KEEL_EINVAL;
	}
	size = m.word[2];
	if (m.handle == KEEL_MSG_NO_HANDLE)
		return -KEEL_EINVAL;
	if (size < sizeof(struct keel_ring_header) || size > SESSION_CLIENT_WINDOW ||
	    size % PAGE_SIZE != 0) {
		keel_handle_close(m.handle);
		return -KEEL_E2BIG;
	}
	key = session_pkey();
	va = SESSION_CLIENT_VA + (uint64_t)slot * SESSION_CLIENT_WINDOW;
	/* The server's memory object may be smaller than it says: map refuses then. */
	r = keel_map(KEEL_HANDLE_SELF, m.handle, va, 0, size,
		     KEEL_MAP_READ | KEEL_MAP_WRITE | KEEL_MAP_PKEY(key));
	if (r == 0) {
		keel_pkey_write_enable(key);
		r = ring_attach(&s->ring, (void *)(uintptr_t)va, size);
		keel_pkey_write_disable(key);
		/* The gone watch: gone_bit once the server's last receive handle closes. */
		if (r == 0)
			r = keel_irq_bind(service, notif, gone_bit);
		if (r != 0)
			keel_unmap(KEEL_HANDLE_SELF, va, size);
	}
	if (r != 0) {
		uint64_t w[KEEL_MSG_WORDS] = {KEEL_SESSION_CLOSE, m.word[1], 0, 0};

		keel_call_words(service, w);
		keel_handle_close(m.handle);
		return (int)r;
	}
	client_slots |= 1u << slot;
	s->service = service;
	s->notif = notif;
	s->vmo = m.handle;
	s->mem = (void *)(uintptr_t)va;
	s->size = size;
	s->id = m.word[1];
	s->done_bit = done_bit;
	s->gone_bit = gone_bit;
	s->pkey = key;
	s->pkey_bits = session_pkey_bits(key);
	s->slot = slot;
	s->closed = 0;
	s->syscalls = 0;
	return 0;
}

void *keel_session_buf(struct keel_session *s, uint64_t offset, uint64_t len)
{
	if (s->closed)
		return NULL;
	return ring_buf(&s->ring, offset, len);
}

int keel_session_submit_many(struct keel_session *s, const struct keel_ring_sqe *e, unsigned n)
{
	int r;

	if (s->closed)
		return -KEEL_ECLOSED;
	if (n == 0)
		return 0;
	if (n > KEEL_RING_ENTRIES_MAX)
		n = KEEL_RING_ENTRIES_MAX; /* no more fit anyway */
	session_write_enable(s->pkey_bits);
	/* One head load, one tail store for the whole batch. */
	r = ring_sq_push_many(&s->ring, e, n);
	if (r == -KEEL_ERANGE)
		s->closed = 1;
	/* One fence and one flag read for the whole batch. */
	if (r > 0 && ring_sq_needs_wakeup(&s->ring) == 1)
		client_kick(s);
	session_write_disable(s->pkey_bits);
	if (s->closed)
		return -KEEL_ECLOSED;
	return r;
}

int keel_session_submit(struct keel_session *s, const struct keel_ring_sqe *e)
{
	int r = keel_session_submit_many(s, e, 1);

	return r < 0 ? r : 0;
}

/* Requests published that the server has not taken yet (its head read once, only compared). */
static int client_sq_pending(struct keel_session *s)
{
	return __atomic_load_n(&s->ring.sq.cons->head, __ATOMIC_ACQUIRE) != s->ring.sq.next;
}

/*
 * Before sleeping on s's notification (s's key write-enabled): 1 to sleep,
 * 0 when completions are there already, -KEEL_ECLOSED.
 */
static int client_sleep_prepare(struct keel_session *s)
{
	int r;

	/*
	 * A server asleep over requests we published waits for a kick; so does
	 * one that stopped on our full CQ (SESSION_KICK_AFTER_REAP: the fence
	 * orders our CQ head's store before the flag's load; the server's
	 * fence, its flag's store before its look at our head).
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	uint32_t flag = __atomic_load_n(&s->ring.sq.cons->sleeping, __ATOMIC_RELAXED);
	if ((flag == SESSION_KICK_AFTER_REAP || (flag != 0 && client_sq_pending(s))) &&
	    client_kick(s) != 0)
		return -KEEL_ECLOSED;
	r = ring_cq_prepare_sleep(&s->ring);
	return r < 0 ? -KEEL_ECLOSED : r;
}

/* After the sleep (s's key write-enabled), `bits` the wait's result: 0 or -KEEL_ECLOSED. */
static int client_sleep_end(struct keel_session *s, int64_t bits)
{
	ring_cq_end_sleep(&s->ring);
	if (bits < 0)
		return -KEEL_ECLOSED;
	/*
	 * gone_bit may be stale: an earlier session's watch on this notification
	 * sets it too, and stays pending when that session found its driver
	 * gone another way (a kick answered -KEEL_ECLOSED). The endpoint
	 * decides: a kick fails only when its driver is gone.
	 */
	if (((uint64_t)bits & (1ull << s->gone_bit)) && client_kick(s) != 0)
		return -KEEL_ECLOSED;
	return 0;
}

/* Sleep until done_bit or gone_bit (or the CQ got entries meanwhile). 0 or -KEEL_ECLOSED. */
static int client_sleep(struct keel_session *s)
{
	int64_t bits;
	int r = client_sleep_prepare(s);

	if (r <= 0)
		return r;
	bits = keel_wait(s->notif, KEEL_FOREVER);
	s->syscalls++;
	return client_sleep_end(s, bits);
}

int keel_session_wait_any(struct keel_session *const *s, unsigned n, uint64_t timeout_ns)
{
	uint64_t notif = KEEL_MSG_NO_HANDLE;
	uint32_t asleep = 0;
	int64_t bits = 0;
	int ready = 0, r;

	if (n > 32)
		return -KEEL_EINVAL;
	for (unsigned i = 0; i < n; i++) {
		if (!s[i] || s[i]->closed)
			continue;
		notif = s[i]->notif;
		session_write_enable(s[i]->pkey_bits);
		r = client_sleep_prepare(s[i]);
		session_write_disable(s[i]->pkey_bits);
		if (r < 0)
			s[i]->closed = 1;
		if (r <= 0)
			ready = 1;
		else
			asleep |= 1u << i;
	}
	if (notif == KEEL_MSG_NO_HANDLE)
		return -KEEL_ECLOSED;
	if (!ready) {
		bits = keel_wait(notif, timeout_ns);
		if (bits == -KEEL_ETIMEDOUT)
			bits = 0;
	}
	for (unsigned i = 0; i < n; i++) {
		if (!(asleep & (1u << i)))
			continue;
		session_write_enable(s[i]->pkey_bits);
		if (client_sleep_end(s[i], bits) != 0)
			s[i]->closed = 1;
		session_write_disable(s[i]->pkey_bits);
	}
	return 0;
}

int keel_session_reap_many(struct keel_session *s, struct keel_ring_cqe *out, unsigned n, int block)
{
	int r, bad = 0;

	if (s->closed)
		return -KEEL_ECLOSED;
	if (n == 0)
		return 0;
	if (n > KEEL_RING_ENTRIES_MAX)
		n = KEEL_RING_ENTRIES_MAX; /* no more are ever there */
	/* One PKRU opening, one tail load and one head store for the whole batch. */
	session_write_enable(s->pkey_bits);
	for (;;) {
		r = ring_cq_pop_many(&s->ring, out, n, &bad);
		if (r != -KEEL_EAGAIN || !block)
			break;
		if (client_sleep(s) != 0) {
			r = -KEEL_ECLOSED;
			break;
		}
	}
	session_write_disable(s->pkey_bits);
	/* A broken ring or an impossible completion: this server cannot be trusted any more. */
	if (bad || r == -KEEL_ERANGE || r == -KEEL_EINVAL || r == -KEEL_ECLOSED) {
		s->closed = 1;
		return -KEEL_ECLOSED;
	}
	return r;
}

int keel_session_reap(struct keel_session *s, struct keel_ring_cqe *out, int block)
{
	int r = keel_session_reap_many(s, out, 1, block);

	return r < 0 ? r : 0;
}

void keel_session_close(struct keel_session *s)
{
	uint64_t w[KEEL_MSG_WORDS] = {KEEL_SESSION_CLOSE, s->id, 0, 0};

	if (s->mem == NULL)
		return;
	/* A server already gone answers -KEEL_ECLOSED: nothing to tell then. */
	keel_call_words(s->service, w);
	keel_unmap(KEEL_HANDLE_SELF, (uint64_t)(uintptr_t)s->mem, s->size);
	keel_handle_close(s->vmo);
	client_slots &= ~(1u << s->slot);
	s->mem = NULL;
	s->closed = 1;
}

/* ---- Server ---- */

static uint64_t server_window(const struct keel_server *srv)
{
	return page_round(ring_size(srv->sq_entries, srv->cq_entries, srv->data_size));
}

static uint64_t server_va(const struct keel_server *srv, const struct keel_server_session *ss)
{
	return SESSION_SERVER_VA + (uint64_t)(ss - srv->session) * server_window(srv);
}

int keel_server_init(struct keel_server *srv, uint64_t service, uint32_t sq_entries,
		     uint32_t cq_entries, uint32_t data_size, keel_server_request_fn request,
		     void *ctx)
{
	int64_t n;
	size_t size = ring_size(sq_entries, cq_entries, data_size);

	memset(srv, 0, sizeof(*srv));
	/* Every window fits below the client's windows' range of the next 16 TiB. */
	if (size == 0 || size > (1ull << 31) || request == NULL)
		return -KEEL_EINVAL;
	n = keel_object_create(KEEL_OBJ_NOTIFICATION, service);
	if (n < 0)
		return (int)n;
	srv->service = service;
	srv->notif = (uint64_t)n;
	srv->pkey = session_pkey();
	srv->pkey_bits = session_pkey_bits(srv->pkey);
	srv->sq_entries = sq_entries;
	srv->cq_entries = cq_entries;
	srv->data_size = data_size;
	srv->request = request;
	srv->ctx = ctx;
	return 0;
}

/* Unmap and close a session; its slot is free again. */
static void server_session_close(struct keel_server *srv, struct keel_server_session *ss)
{
	keel_unmap(KEEL_HANDLE_SELF, server_va(srv, ss), ss->size);
	keel_handle_close(ss->vmo);
	keel_handle_close(ss->client_notif);
	srv->syscalls += 3;
	ss->in_use = 0;
	srv->live &= ~(1u << (ss - srv->session));
	ss->held_valid = 0;
	srv->sessions--;
}

/* The session a client names (its id and its badge), or NULL. */
static struct keel_server_session *server_find(struct keel_server *srv, uint64_t id, uint64_t badge)
{
	uint64_t i = id & 0xff;
	struct keel_server_session *ss;

	if (i >= KEEL_SERVER_SESSIONS)
		return NULL;
	ss = &srv->session[i];
	if (!ss->in_use || ss->id != id || ss->badge != badge)
		return NULL;
	return ss;
}

/* Push one completion; 0, -KEEL_EAGAIN (full: held), or -KEEL_ECLOSED (session closed). */
static int server_push(struct keel_server *srv, struct keel_server_session *ss,
		       struct keel_ring_cqe *c)
{
	int r = ring_cq_push(&ss->ring, c);

	if (r == -KEEL_EINVAL) {
		/* The service's own completion out of range: the client gets an error instead. */
		c->status = -KEEL_EINVAL;
		c->len = 0;
		r = ring_cq_push(&ss->ring, c);
	}
	if (r == -KEEL_EAGAIN) {
		ss->held = *c;
		ss->held_valid = 1;
		return r;
	}
	if (r != 0) {
		server_session_close(srv, ss);
		return -KEEL_ECLOSED;
	}
	return 0;
}

/* Signal the client when it sleeps on its CQ. 0, or -KEEL_ECLOSED (the session is closed). */
static int server_notify(struct keel_server *srv, struct keel_server_session *ss)
{
	int r = ring_cq_needs_wakeup(&ss->ring);

	if (r == 1) {
		srv->syscalls++;
		if (keel_signal(ss->client_notif, 1ull << ss->done_bit) != 0)
			r = -1;
	}
	if (r < 0) {
		server_session_close(srv, ss);
		return -KEEL_ECLOSED;
	}
	return 0;
}

/*
 * Serve one session's SQ: at most one queue's worth of entries, stopping at
 * a full CQ. In batches, in place (ring_api.h): the SQ's tail and the CQ's
 * head loaded once each, as many entries taken as the CQ has room for (one
 * when it is full: its completion is held, see the top), each handed to the
 * service and its completion put straight into the CQ, then one head store
 * and one tail store.
 * kicked: for the client's KEEL_SESSION_KICK (no done_bit signal then). 0,
 * or -KEEL_ECLOSED when the session was closed (broken ring, client gone).
 */
static int server_serve(struct keel_server *srv, struct keel_server_session *ss, int kicked)
{
	struct ring *ring = &ss->ring;
	uint32_t pushed = 0, budget = srv->sq_entries;
	keel_server_request_fn fn = srv->request;
	void *ctx = srv->ctx;
	int r;

	if (ss->held_valid) {
		r = server_push(srv, ss, &ss->held);
		if (r == -KEEL_ECLOSED)
			return r;
		if (r == -KEEL_EAGAIN)
			return 0;
		ss->held_valid = 0;
		pushed++;
	}
	ss->serving = 1; /* keel_server_complete waits: the CQ is this batch's */
	while (budget > 0) {
		int avail = ring_sq_avail(ring), room;
		uint32_t n, i, m = 0;

		if (avail <= 0) {
			if (avail < 0)
				goto broken;
			break;
		}
		room = ring_cq_room(ring);
		if (room < 0)
			goto broken;
		n = (uint32_t)avail < budget ? (uint32_t)avail : budget;
		if (room == 0)
			n = 1; /* the CQ is full: take one more, its completion held (the top) */
		else if (n > (uint32_t)room)
			n = (uint32_t)room;
		for (i = 0; i < n; i++) {
			struct keel_ring_sqe e;
			struct keel_ring_cqe c;

			r = ring_sq_take(ring, i, &e);
			c.id = e.id;
			c.status = 0;
			c.len = 0;
			if (r != 0)
				c.status = -KEEL_EINVAL; /* offset or len outside the data area */
			else if (!fn(ctx, ss, &e, &c)) {
				srv->kept++; /* kept: keel_server_complete later */
				continue;
			}
			if (room == 0) {
				ss->held = c;
				ss->held_valid = 1;
				continue;
			}
			if (ring_cq_put(ring, m, &c) != 0) {
				/* The service's own completion out of range: an error instead. */
				c.status = -KEEL_EINVAL;
				c.len = 0;
				ring_cq_put(ring, m, &c);
			}
			m++;
		}
		/* One head store for the batch's entries, one tail store for its completions. */
		ring_sq_release(ring, n);
		if (m > 0)
			ring_cq_publish(ring, m);
		pushed += m;
		budget -= n;
		/* Held, or all that was there: settle looks again before sleeping. */
		if (ss->held_valid || n == (uint32_t)avail)
			break;
	}
	ss->serving = 0;
	/*
	 * A kick's caller is the CQ's one consumer thread, blocked in the call
	 * (not asleep on the CQ): it reaps after the reply, no signal needed.
	 */
	return pushed && !kicked ? server_notify(srv, ss) : 0;
broken:
	ss->serving = 0;
	server_session_close(srv, ss);
	return -KEEL_ECLOSED;
}

/*
 * Before blocking: every session's SQ sleep flag set, each SQ seen empty
 * after its flag (ring_api.h), serving those that were not. Returns 1 when
 * the rings were still busy after SERVER_SETTLE_ROUNDS passes.
 */
static int server_settle(struct keel_server *srv)
{
	for (int round = 0; round < SERVER_SETTLE_ROUNDS; round++) {
		int again = 0;

		for (uint32_t live = srv->live; live != 0; live &= live - 1) {
			struct keel_server_session *ss = &srv->session[__builtin_ctz(live)];

			if (ss->held_valid) {
				/*
				 * Stopped on a full CQ: ask for the client's kick after it
				 * reaps (SESSION_KICK_AFTER_REAP, see the top), then look
				 * again, the sleep protocol's order: flag, fence, recheck.
				 */
				__atomic_store_n(&ss->ring.sq.cons->sleeping,
						 SESSION_KICK_AFTER_REAP, __ATOMIC_RELAXED);
				__atomic_thread_fence(__ATOMIC_SEQ_CST);
				if (server_serve(srv, ss, 0) == 0 && !ss->held_valid)
					again = 1;
				continue;
			}
			int r = ring_sq_prepare_sleep(&ss->ring);
			if (r < 0) {
				server_session_close(srv, ss);
			} else if (r == 0) {
				server_serve(srv, ss, 0);
				again = 1;
			}
		}
		if (!again)
			return 0;
	}
	return 1;
}

/* Awake: no session needs to kick us until we settle again. */
static void server_wake(struct keel_server *srv)
{
	for (uint32_t live = srv->live; live != 0; live &= live - 1)
		ring_sq_end_sleep(&srv->session[__builtin_ctz(live)].ring);
}

/* Close the sessions whose client's notification is gone (a zero signal probes it). */
static void server_reap_gone(struct keel_server *srv)
{
	for (int i = 0; i < KEEL_SERVER_SESSIONS; i++) {
		struct keel_server_session *ss = &srv->session[i];

		if (!ss->in_use)
			continue;
		srv->syscalls++;
		if (keel_signal(ss->client_notif, 0) == -KEEL_ECLOSED)
			server_session_close(srv, ss);
	}
}

/* KEEL_SESSION_OPEN: the reply's w0 (and, on success, w1, w2 and handle in srv->msg). */
static int64_t server_open(struct keel_server *srv, uint64_t badge)
{
	struct keel_msg *m = &srv->msg;
	struct keel_server_session *ss = NULL;
	uint64_t notif = m->handle, bit = m->word[1], size = server_window(srv), va;
	int64_t r, vmo, dup = -1;

	m->handle = KEEL_MSG_NO_HANDLE;
	if (notif == KEEL_MSG_NO_HANDLE)
		return -KEEL_EINVAL;
	r = 0;
	if (bit > 62)
		r = -KEEL_EINVAL;
	/* Signal 0 probes: a notification with SIGNAL whose owner is still there. */
	if (r == 0) {
		r = keel_signal(notif, 0);
		srv->syscalls++;
	}
	for (int i = 0; r == 0 && i < KEEL_SERVER_SESSIONS && ss == NULL; i++)
		if (!srv->session[i].in_use)
			ss = &srv->session[i];
	if (r == 0 && ss == NULL)
		r = -KEEL_ENOMEM;
	if (r != 0) {
		keel_handle_close(notif);
		return r;
	}
	va = server_va(srv, ss);
	vmo = keel_object_create(KEEL_OBJ_VMO, size);
	r = vmo < 0 ? vmo : 0;
	if (r == 0)
		r = keel_map(KEEL_HANDLE_SELF, (uint64_t)vmo, va, 0, size,
			     KEEL_MAP_READ | KEEL_MAP_WRITE | KEEL_MAP_PKEY(srv->pkey));
	if (r == 0) {
		r = ring_init(&ss->ring, (void *)(uintptr_t)va, size, srv->sq_entries,
			      srv->cq_entries, srv->data_size);
		/* The gone watch: CLIENT_GONE once the client's last wait handle closes. */
		if (r == 0)
			r = keel_irq_bind(notif, srv->notif, KEEL_SERVER_BIT_CLIENT_GONE);
		/* TRANSFER: the reply moves it to the client (which gets read, write, map). */
		dup = r == 0
			  ? keel_handle_dup((uint64_t)vmo, KEEL_RIGHT_READ | KEEL_RIGHT_WRITE |
							       KEEL_RIGHT_MAP | KEEL_RIGHT_TRANSFER)
			  : 0;
		if (dup < 0)
			r = dup;
		if (r != 0)
			keel_unmap(KEEL_HANDLE_SELF, va, size);
	}
	srv->syscalls += 5;
	if (r != 0) {
		if (vmo >= 0)
			keel_handle_close((uint64_t)vmo);
		keel_handle_close(notif);
		return r;
	}
	srv->generation++;
	ss->id = (srv->generation << 8) | (uint64_t)(ss - srv->session);
	ss->client_notif = notif;
	ss->vmo = (uint64_t)vmo;
	ss->mem = (void *)(uintptr_t)va;
	ss->size = size;
	ss->badge = badge;
	ss->done_bit = (unsigned)bit;
	ss->held_valid = 0;
	ss->in_use = 1;
	srv->live |= 1u << (ss - srv->session);
	srv->sessions++;
	m->word[1] = ss->id;
	m->word[2] = size;
	m->handle = (uint64_t)dup;
	return 0;
}

/* One message from a client: fill srv->msg with its reply. */
static void server_message(struct keel_server *srv, uint64_t badge, int with_msg)
{
	struct keel_msg *m = &srv->msg;
	struct keel_server_session *ss;
	int64_t r;

	if (m->word[0] == KEEL_SESSION_OPEN && !with_msg) {
		/* Its handle was dropped on the words-only path: ask again (server_receive). */
		srv->open_pending = 1;
		r = -KEEL_EAGAIN;
		m->word[1] = m->word[2] = 0;
	} else if (m->word[0] == KEEL_SESSION_OPEN) {
		srv->open_pending = 0;
		r = server_open(srv, badge);
	} else {
		/* No other message carries a handle: one sent anyway is closed, not kept. */
		if (m->handle != KEEL_MSG_NO_HANDLE) {
			keel_handle_close(m->handle);
			srv->syscalls++;
			m->handle = KEEL_MSG_NO_HANDLE;
		}
		ss = server_find(srv, m->word[1], badge);
		if (m->word[0] == KEEL_SESSION_KICK)
			r = ss && server_serve(srv, ss, 1) == 0 ? 0 : -KEEL_ECLOSED;
		else if (m->word[0] == KEEL_SESSION_CLOSE && ss)
			server_session_close(srv, ss), r = 0;
		else if (m->word[0] == KEEL_SESSION_CLOSE)
			r = -KEEL_ENOENT;
		else
			r = -KEEL_EINVAL;
		m->word[1] = m->word[2] = 0;
	}
	m->word[0] = (uint64_t)r;
	m->word[3] = 0;
	m->data_len = 0;
}

/*
 * Reply (when a reply is owed) and receive. Register-only, the kernel's fast
 * path, unless the reply carries a handle or an open is expected: a
 * words-only receive drops a message's handle, so an open that arrives so is
 * answered -KEEL_EAGAIN ("ask again"; the client does) and the receives
 * take a whole struct keel_msg until an open has come that way.
 */
static int64_t server_receive(struct keel_server *srv)
{
	struct keel_msg *m = &srv->msg;
	int64_t badge;

	srv->syscalls++;
	if (!srv->with_msg) {
		m->handle = KEEL_MSG_NO_HANDLE;
		if (srv->replying)
			return keel_reply_recv_words(srv->service, m->word);
		return keel_recv_words(srv->service, m->word);
	}
	if (!srv->replying)
		return keel_recv(srv->service, m);
	badge = keel_reply_recv(srv->service, m, m);
	if (badge < 0 && badge != -KEEL_ECLOSED) {
		/* The reply itself was refused (its handle): answer the error instead. */
		if (m->handle != KEEL_MSG_NO_HANDLE)
			keel_handle_close(m->handle);
		m->handle = KEEL_MSG_NO_HANDLE;
		m->word[0] = (uint64_t)badge;
		badge = keel_reply_recv(srv->service, m, m);
		srv->syscalls += 2;
	}
	return badge;
}

uint64_t keel_server_step(struct keel_server *srv)
{
	struct keel_msg *m = &srv->msg;
	uint64_t bits = 0;
	int64_t badge;
	int with_msg;

	if (srv->gone)
		return 0;
	session_write_enable(srv->pkey_bits);
	srv->kept = 0;
	/*
	 * Still busy, or requests kept while settling (the service has not seen
	 * them: a driver must start its device on them before anything else can
	 * wake it): come straight back after any message waiting.
	 */
	if (server_settle(srv) || srv->kept) {
		keel_signal(srv->notif, 1ull << KEEL_SERVER_BIT_POLL);
		srv->syscalls++;
	}
	/* What the next message is received into: an open is expected, or the reply has a handle.
	 */
	with_msg = srv->open_pending || (srv->replying && m->handle != KEEL_MSG_NO_HANDLE);
	srv->with_msg = with_msg;
	/*
	 * The key stays write-enabled across the receive: only the kernel runs
	 * in this thread meanwhile, and PKRU is this thread's alone (no other
	 * thread gains anything). It is disabled again before we return.
	 */
	badge = server_receive(srv);
	server_wake(srv);
	srv->replying = 0;
	if (badge < 0) {
		/* -KEEL_ECLOSED: no caller left. Any other error would repeat: stop too. */
		if (badge != -KEEL_ECLOSED)
			keel_printf("session: the server's receive failed: %lld (%s)\n",
				    (long long)badge, keel_strerror(badge));
		srv->gone = 1;
	} else if ((uint64_t)badge == KEEL_BADGE_NOTIFY) {
		bits = m->word[0];
		if (bits & (1ull << KEEL_SERVER_BIT_CLIENT_GONE))
			server_reap_gone(srv);
		bits &= ~(1ull << KEEL_SERVER_BIT_CLIENT_GONE | 1ull << KEEL_SERVER_BIT_POLL);
	} else {
		if (!with_msg)
			m->handle = KEEL_MSG_NO_HANDLE; /* words only: any handle was dropped */
		server_message(srv, (uint64_t)badge, with_msg);
		srv->replying = 1;
	}
	session_write_disable(srv->pkey_bits);
	return bits;
}

void keel_server_poll(struct keel_server *srv)
{
	session_write_enable(srv->pkey_bits);
	for (int i = 0; i < KEEL_SERVER_SESSIONS; i++)
		if (srv->session[i].in_use)
			server_serve(srv, &srv->session[i], 0);
	session_write_disable(srv->pkey_bits);
}

int keel_server_complete(struct keel_server *srv, struct keel_server_session *s,
			 const struct keel_ring_cqe *c)
{
	struct keel_ring_cqe copy = *c;
	int r;

	if (!s->in_use)
		return -KEEL_ECLOSED;
	if (s->held_valid || s->serving)
		return -KEEL_EAGAIN; /* a full CQ, or called from the request function itself */
	session_write_enable(srv->pkey_bits);
	r = server_push(srv, s, &copy);
	if (r == 0)
		r = server_notify(srv, s);
	else if (r == -KEEL_EAGAIN)
		r = 0; /* held: it goes in when the client reaps */
	session_write_disable(srv->pkey_bits);
	return r;
}
