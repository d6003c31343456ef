/*
 * drivers-user/utest/session.c: libkeel's ring sessions (drivers-user/lib/
 * session.h) against bin/echo, tested from user space (Keel issue 6 item 5):
 *  - stress: SESSION_STRESS_REQ requests through one session, up to
 *    SESSION_STRESS_QD in flight, every completion's id checked (nothing
 *    lost, duplicated or reordered: echo completes in order); it logs each
 *    CPU's context switches and slow IPCs, and with two CPUs fails unless
 *    both did some (client and echo stay each on its own CPU);
 *  - hostile: a second session on the same echo whose shared memory this
 *    side scribbles over (indices, entries, the header), and bad opens,
 *    while an honest session keeps getting correct completions;
 *  - client killed: a child with a session open dies by a fault; echo must
 *    close that session by itself (its session count back to the honest
 *    one's), and the kernel suite checks that every page and object is back
 *    once echo has ended.
 * Each case starts its own echo and ends it by closing the service endpoint.
 */
#include <keel/pkru.h>

#include "keel.h"
#include "session.h"
#include "utest.h"

#define SESSION_STRESS_REQ 100000
#define SESSION_STRESS_QD  32
#define SESSION_DONE_BIT   0
#define SESSION_GONE_BIT   1
#define SESSION_EXIT_BIT   5 /* main.c's UTEST_EXIT_BIT */
#define SESSION_CHILD_BIT  4 /* main.c's UTEST_BIT */
#define SESSION_POLL_NS    10000000ull
#define SESSION_POLL_TRIES 300 /* 3 s */

/* check(), and whether it failed. */
static int failed(const char *name, int64_t got, int64_t want)
{
	check(name, got, want);
	return got != want;
}

/* A running echo: its endpoint (every right), its process, and the notification of its exit. */
struct echo {
	int64_t ep, proc, exit;
};

static int echo_start(struct echo *e)
{
	struct keel_spawn s;
	uint64_t child;

	e->ep = keel_object_create(KEEL_OBJ_ENDPOINT, 0);
	e->exit = keel_object_create(KEEL_OBJ_NOTIFICATION, 0);
	if (check_ok("make echo's endpoint and exit notification", e->ep < 0 ? e->ep : e->exit) < 0)
		return -1;
	keel_spawn_init(&s, "bin/echo", "echo");
	s.handle[KEEL_START_SERVICE] = (uint64_t)e->ep;
	s.rights[KEEL_START_SERVICE] = KEEL_RIGHT_READ;
	s.exit_notif = (uint64_t)e->exit;
	s.exit_bit = SESSION_EXIT_BIT;
	if (check_ok("spawn bin/echo", keel_spawn(start->handle[KEEL_START_RAMDISK],
						  start->ramdisk_size, &s, &child)) < 0)
		return -1;
	e->proc = (int64_t)child;
	return 0;
}

/* Close our endpoint: echo's receive fails, it ends with status 0. */
static void echo_stop(struct echo *e)
{
	struct keel_process_info info;

	keel_handle_close((uint64_t)e->ep);
	wait_child((uint64_t)e->exit, (uint64_t)e->proc, &info);
	check("echo ends with status 0", info.killed ? -1 : info.exit_status, 0);
	keel_handle_close((uint64_t)e->proc);
	keel_handle_close((uint64_t)e->exit);
}

/* One request through s, reaped blocking: its completion's len, or -KEEL_E*. */
static int64_t session_one(struct keel_session *s, uint32_t opcode, uint32_t len, uint64_t id)
{
	struct keel_ring_sqe e = {.id = id, .opcode = opcode, .len = len, .offset = 0};
	struct keel_ring_cqe c;
	int r = keel_session_submit(s, &e);

	if (r == 0)
		r = keel_session_reap(s, &c, 1);
	if (r != 0)
		return r;
	if (c.id != id)
		return -KEEL_ERANGE;
	return c.status != 0 ? c.status : (int64_t)c.len;
}

/* n pings through s, each checked; 0 or the first failure. */
static int64_t session_pings(struct keel_session *s, int n)
{
	for (int i = 0; i < n; i++) {
		int64_t r = session_one(s, KEEL_ECHO_PING, (uint32_t)(i % 64), 1000 + (uint64_t)i);

		if (r != i % 64)
			return r < 0 ? r : -KEEL_EINVAL;
	}
	return 0;
}

/* The first two CPUs' counters (KEEL_INFO_COUNTERS), of the `cpus` there are. */
static void session_counters(uint32_t cpus, struct keel_cpu_counters k[2])
{
	for (uint32_t cpu = 0; cpu < cpus && cpu < 2; cpu++)
		keel_info(KEEL_INFO_COUNTERS, cpu, &k[cpu], sizeof(k[cpu]));
}

/*
 * How many of the first two CPUs did no context switch or no IPC between
 * k0 and k1 (with one CPU: 0, nothing to compare).
 */
static int64_t session_idle_cpus(uint32_t cpus, const struct keel_cpu_counters k0[2],
				 const struct keel_cpu_counters k1[2])
{
	int64_t idle = 0;

	if (cpus < 2)
		return 0;
	for (uint32_t cpu = 0; cpu < 2; cpu++)
		if (k1[cpu].context_switches == k0[cpu].context_switches ||
		    k1[cpu].ipc_fast + k1[cpu].ipc_slow == k0[cpu].ipc_fast + k0[cpu].ipc_slow)
			idle++;
	return idle;
}

/*
 * Start echo and open s on it, echo on another CPU than this thread when
 * there are two: threads never migrate, and a new thread goes to the next
 * CPU in turn, so an echo that shares this CPU (a few pings leave the
 * other CPU idle) is ended and started again, up to three times.
 */
static int session_echo_apart(struct echo *echo, struct keel_session *s, uint64_t notif,
			      uint32_t cpus)
{
	struct keel_cpu_counters k0[2], k1[2];

	for (int tries = 1;; tries++) {
		if (echo_start(echo) != 0)
			return -1;
		if (failed("open a session with echo",
			   keel_session_open(s, (uint64_t)echo->ep, notif, SESSION_DONE_BIT,
					     SESSION_GONE_BIT, 0),
			   0)) {
			echo_stop(echo);
			return -1;
		}
		session_counters(cpus, k0);
		if (failed("pings before the stress", session_pings(s, 64), 0))
			return 0; /* the stress fails on its own */
		session_counters(cpus, k1);
		if (session_idle_cpus(cpus, k0, k1) == 0 || tries == 3) {
			keel_printf("session stress: echo started %d time(s), %u CPU(s)\n", tries,
				    cpus);
			return 0;
		}
		keel_session_close(s);
		echo_stop(echo);
	}
}

/* Echo's open sessions, once it has settled on `want` (or after SESSION_POLL_TRIES). */
static int64_t session_count_settle(struct keel_session *s, uint64_t nap, int64_t want)
{
	int64_t n = -1;

	for (int i = 0; i < SESSION_POLL_TRIES; i++) {
		n = session_one(s, KEEL_ECHO_SESSIONS, 0, 7);
		if (n == want || n < 0)
			break;
		keel_wait(nap, SESSION_POLL_NS);
	}
	return n;
}

void case_session_stress(void)
{
	struct keel_session s;
	struct keel_ring_sqe e[SESSION_STRESS_QD];
	struct keel_ring_cqe c;
	struct echo echo;
	struct keel_cpu_counters k0[2], k1[2];
	uint32_t cpus = 1;
	uint64_t sent = 0, want = 0, bad = 0;
	int64_t notif = keel_object_create(KEEL_OBJ_NOTIFICATION, 0);
	int r = 0;

	if (check_ok("a notification", notif) < 0)
		return;
	keel_info(KEEL_INFO_CPUS, 0, &cpus, sizeof(cpus));
	if (session_echo_apart(&echo, &s, (uint64_t)notif, cpus) != 0)
		return;
	/*
	 * Where it runs, logged and checked: with two CPUs the client and echo
	 * each stay on their own (the kernel's IPC never moves a thread), so
	 * both CPUs switch and do IPC all through the run.
	 */
	session_counters(cpus, k0);
	while (want < SESSION_STRESS_REQ && r == 0 && !bad) {
		unsigned n = 0;

		/* Top up to SESSION_STRESS_QD in flight, in one batch (varying sizes). */
		while (sent + n < SESSION_STRESS_REQ && sent - want + n < SESSION_STRESS_QD) {
			e[n] = (struct keel_ring_sqe){.id = sent + n,
						      .opcode = KEEL_ECHO_PING,
						      .len = (uint32_t)((sent + n) % 4096),
						      .offset = 0};
			n++;
			if (n == 1 + sent % 7)
				break;
		}
		if (n > 0) {
			r = keel_session_submit_many(&s, e, n);
			if (r < 0)
				break;
			sent += (unsigned)r;
			r = 0;
		}
		/* Reap: blocking for the first, then what is there. */
		for (int block = 1;; block = 0) {
			int got = keel_session_reap(&s, &c, block);

			if (got == -KEEL_EAGAIN)
				break;
			if (got != 0) {
				r = got;
				break;
			}
			if (c.id != want || c.status != 0 || c.len != want % 4096)
				bad++;
			want++;
		}
	}
	session_counters(cpus, k1);
	for (uint32_t cpu = 0; cpu < cpus && cpu < 2; cpu++) {
		keel_printf(
		    "session stress: cpu %u: %llu context switches, %llu IPC slow\n", cpu,
		    (unsigned long long)(k1[cpu].context_switches - k0[cpu].context_switches),
		    (unsigned long long)(k1[cpu].ipc_slow - k0[cpu].ipc_slow));
	}
	check("every completion came, in order, with its id and len", r == 0 ? (int64_t)bad : r, 0);
	check("completions reaped", (int64_t)want, SESSION_STRESS_REQ);
	check("CPUs without context switches or IPC during the stress (2 CPUs: client and echo "
	      "apart)",
	      session_idle_cpus(cpus, k0, k1), 0);
	check("echo counts one session", session_one(&s, KEEL_ECHO_SESSIONS, 0, 1), 1);
	keel_session_close(&s);
	check("the session is closed after keel_session_close", keel_session_reap(&s, &c, 0),
	      -KEEL_ECLOSED);
	echo_stop(&echo);
	keel_handle_close((uint64_t)notif);
}

/* The raw open (service.h), retried on -KEEL_EAGAIN: w0 of the reply; *vmo, *id on success. */
static int64_t raw_open(uint64_t ep, int64_t handle, uint64_t bit, uint64_t *vmo, uint64_t *id)
{
	struct keel_msg m;
	int64_t r;

	for (int tries = 0; tries < 8; tries++) {
		memset(&m, 0, sizeof(m));
		m.word[0] = KEEL_SESSION_OPEN;
		m.word[1] = bit;
		m.handle = handle < 0 ? KEEL_MSG_NO_HANDLE : (uint64_t)handle;
		r = keel_call(ep, &m);
		if (r < 0)
			return r;
		if ((int64_t)m.word[0] != -KEEL_EAGAIN)
			break;
		/* The words-only receive dropped it: send another copy. */
		if (handle >= 0)
			return -KEEL_EAGAIN;
	}
	*vmo = m.handle;
	*id = m.word[1];
	return (int64_t)m.word[0];
}

/* A SIGNAL|TRANSFER copy of n to send with an open. */
static int64_t notif_copy(int64_t n)
{
	return keel_handle_dup((uint64_t)n, KEEL_RIGHT_SIGNAL | KEEL_RIGHT_TRANSFER);
}

/* raw_open with a fresh copy of n each try. */
static int64_t raw_open_notif(uint64_t ep, int64_t n, uint64_t bit, uint64_t *vmo, uint64_t *id)
{
	int64_t r = -KEEL_EAGAIN;

	for (int tries = 0; tries < 8 && r == -KEEL_EAGAIN; tries++)
		r = raw_open(ep, notif_copy(n), bit, vmo, id);
	return r;
}

static int64_t raw_close(uint64_t ep, uint64_t id)
{
	uint64_t w[KEEL_MSG_WORDS] = {KEEL_SESSION_CLOSE, id, 0, 0};
	int64_t r = keel_call_words(ep, w);

	return r < 0 ? r : (int64_t)w[0];
}

static int64_t raw_kick(uint64_t ep, uint64_t id)
{
	uint64_t w[KEEL_MSG_WORDS] = {KEEL_SESSION_KICK, id, 0, 0};
	int64_t r = keel_call_words(ep, w);

	return r < 0 ? r : (int64_t)w[0];
}

/* Bad opens: each refused with its own code, nothing kept. */
static void hostile_opens(struct echo *echo, int64_t notif)
{
	uint64_t vmo = KEEL_MSG_NO_HANDLE, id = 0, vmos[KEEL_SERVER_SESSIONS],
		 ids[KEEL_SERVER_SESSIONS];
	int64_t other = keel_object_create(KEEL_OBJ_ENDPOINT, 0), r;
	int n = 0;

	check("open without a handle", raw_open((uint64_t)echo->ep, -1, 0, &vmo, &id),
	      -KEEL_EINVAL);
	check("open with bit 63", raw_open_notif((uint64_t)echo->ep, notif, 63, &vmo, &id),
	      -KEEL_EINVAL);
	r = -KEEL_EAGAIN;
	for (int tries = 0; tries < 8 && r == -KEEL_EAGAIN; tries++)
		r = raw_open((uint64_t)echo->ep, keel_handle_dup((uint64_t)other, KEEL_RIGHTS_ALL),
			     0, &vmo, &id);
	check("open with an endpoint for a notification", r, -KEEL_ETYPE);
	keel_handle_close((uint64_t)other);
	/* A notification whose only wait handle is closed: nobody would ever see its bits. */
	r = -KEEL_EAGAIN;
	for (int tries = 0; tries < 8 && r == -KEEL_EAGAIN; tries++) {
		int64_t owner = keel_object_create(KEEL_OBJ_NOTIFICATION, 0);
		int64_t orphan = notif_copy(owner);

		keel_handle_close((uint64_t)owner);
		r = raw_open((uint64_t)echo->ep, orphan, 0, &vmo, &id);
	}
	check("open with a notification whose owner is gone", r, -KEEL_ECLOSED);
	/* Fill every slot (the honest session holds one), then one more. */
	for (r = 0; r == 0 && n < KEEL_SERVER_SESSIONS; n++) {
		r = raw_open_notif((uint64_t)echo->ep, notif, 2, &vmos[n], &ids[n]);
		if (r != 0)
			break;
	}
	check("open beyond the server's sessions", r, -KEEL_ENOMEM);
	check("sessions opened before that", n, KEEL_SERVER_SESSIONS - 1);
	for (int i = 0; i < n; i++) {
		check("close a raw session", raw_close((uint64_t)echo->ep, ids[i]), 0);
		keel_handle_close(vmos[i]);
	}
	check("close it again", raw_close((uint64_t)echo->ep, ids[0]), -KEEL_ENOENT);
	check("kick a closed session", raw_kick((uint64_t)echo->ep, ids[0]), -KEEL_ECLOSED);
}

/* What one round of scribbling does to the hostile session's shared memory. */
enum {
	H_SQ_TAIL_AHEAD,  /* the SQ's tail far ahead: broken, closed */
	H_SQ_TAIL_BEHIND, /* behind the server's head: broken, closed */
	H_BAD_ENTRY,      /* offset and len outside the data: an error completion */
	H_CQ_HEAD_AHEAD,  /* the CQ's head ahead of the server's tail: closed at its next push */
	H_HEADER,         /* the header rewritten: the server never reads it again */
	H_CQ_FULL,        /* never reap: the server stops on the full CQ, nothing lost */
	H_COUNT
};

static void hostile_round(struct echo *echo, int64_t notif, struct keel_session *honest, int how)
{
	struct keel_session s;
	struct keel_ring_cqe c;
	struct keel_ring_header *h;
	struct keel_ring_sqe *slot;
	int64_t r;

	if (failed("open the hostile session",
		   keel_session_open(&s, (uint64_t)echo->ep, (uint64_t)notif, SESSION_DONE_BIT,
				     SESSION_GONE_BIT, 0),
		   0))
		return;
	h = s.mem;
	slot = (struct keel_ring_sqe *)s.ring.sq.entries;
	keel_pkey_write_enable(s.pkey);
	switch (how) {
	case H_SQ_TAIL_AHEAD:
		__atomic_store_n(&h->sq_prod.tail, 0x7fff0000u, __ATOMIC_RELEASE);
		check("kick over a tail far ahead", raw_kick((uint64_t)echo->ep, s.id),
		      -KEEL_ECLOSED);
		break;
	case H_SQ_TAIL_BEHIND:
		__atomic_store_n(&h->sq_prod.tail, 0xffffffffu, __ATOMIC_RELEASE);
		check("kick over a tail behind", raw_kick((uint64_t)echo->ep, s.id), -KEEL_ECLOSED);
		break;
	case H_BAD_ENTRY:
		slot[0] = (struct keel_ring_sqe){
		    .id = 77, .opcode = KEEL_ECHO_PING, .len = 0xffffffffu, .offset = ~0ull};
		slot[1] = (struct keel_ring_sqe){
		    .id = 78, .opcode = KEEL_ECHO_PING, .len = 4096, .offset = 1};
		slot[2] = (struct keel_ring_sqe){.id = 79, .opcode = 999, .len = 0, .offset = 0};
		__atomic_store_n(&h->sq_prod.tail, 3, __ATOMIC_RELEASE);
		s.ring.sq.next = 3;
		check("kick over bad entries", raw_kick((uint64_t)echo->ep, s.id), 0);
		keel_pkey_write_disable(s.pkey);
		for (uint64_t id = 77; id <= 79; id++) {
			r = keel_session_reap(&s, &c, 1);
			check("a bad entry's completion", r == 0 ? (int64_t)c.id : r, (int64_t)id);
			check("... is an error", c.status, -KEEL_EINVAL);
		}
		check("the session still serves", session_pings(&s, 10), 0);
		keel_pkey_write_enable(s.pkey);
		break;
	case H_CQ_HEAD_AHEAD:
		__atomic_store_n(&h->cq_cons.head, 5000, __ATOMIC_RELEASE);
		slot[0] = (struct keel_ring_sqe){.id = 1, .opcode = KEEL_ECHO_PING};
		__atomic_store_n(&h->sq_prod.tail, 1, __ATOMIC_RELEASE);
		check("kick over a CQ head ahead", raw_kick((uint64_t)echo->ep, s.id),
		      -KEEL_ECLOSED);
		break;
	case H_HEADER:
		memset(h, 0xa5, 64); /* magic, sizes, offsets: the configuration line */
		keel_pkey_write_disable(s.pkey);
		check("pings after the header was rewritten", session_pings(&s, 20), 0);
		keel_pkey_write_enable(s.pkey);
		break;
	case H_CQ_FULL: {
		struct keel_ring_sqe e = {.opcode = KEEL_ECHO_PING};
		uint32_t n = s.ring.sq.size + s.ring.cq.size + 2; /* + held + the refused one */

		keel_pkey_write_disable(s.pkey);
		/* SQ and CQ full, one completion held by the server: nothing more goes in. */
		for (uint32_t i = 0; i < n; i++) {
			e.id = i;
			r = keel_session_submit(&s, &e);
			if (r != 0)
				break;
		}
		check("submits stop at a full SQ", r, -KEEL_EAGAIN);
		check("the honest session still serves", session_pings(honest, 50), 0);
		r = 0;
		for (uint32_t i = 0; r == 0 && i < n - 1; i++) {
			r = keel_session_reap(&s, &c, 1);
			if (r == 0 && c.id != i)
				r = -KEEL_ERANGE;
		}
		check("every completion comes once reaped, in order", r, 0);
		keel_pkey_write_enable(s.pkey);
		break;
	}
	}
	keel_pkey_write_disable(s.pkey);
	check("the honest session still serves", session_pings(honest, 50), 0);
	keel_session_close(&s);
}

void case_session_hostile(void)
{
	struct keel_session honest;
	struct echo echo;
	int64_t notif = keel_object_create(KEEL_OBJ_NOTIFICATION, 0);
	int64_t notif2 = keel_object_create(KEEL_OBJ_NOTIFICATION, 0);
	int64_t nap = keel_object_create(KEEL_OBJ_NOTIFICATION, 0);

	if (check_ok("notifications", notif < 0    ? notif
				      : notif2 < 0 ? notif2
						   : nap) < 0 ||
	    echo_start(&echo) != 0)
		return;
	if (failed("open the honest session",
		   keel_session_open(&honest, (uint64_t)echo.ep, (uint64_t)notif, SESSION_DONE_BIT,
				     SESSION_GONE_BIT, 0),
		   0)) {
		echo_stop(&echo);
		return;
	}
	hostile_opens(&echo, notif2);
	for (int how = 0; how < H_COUNT; how++)
		hostile_round(&echo, notif2, &honest, how);
	check("echo is back to the honest session alone",
	      session_count_settle(&honest, (uint64_t)nap, 1), 1);
	keel_session_close(&honest);
	echo_stop(&echo);
	keel_handle_close((uint64_t)notif);
	keel_handle_close((uint64_t)notif2);
	keel_handle_close((uint64_t)nap);
}

/* The child: a session on handle[0], pings, then tell the parent (handle[1]) and fault. */
int utest_child_session(void)
{
	struct keel_session s;
	int64_t notif = keel_object_create(KEEL_OBJ_NOTIFICATION, 0);

	if (notif < 0 || keel_session_open(&s, start->handle[0], (uint64_t)notif, SESSION_DONE_BIT,
					   SESSION_GONE_BIT, 0) != 0)
		return 90;
	if (session_pings(&s, 10) != 0)
		return 91;
	keel_signal(start->handle[1], 1u << SESSION_CHILD_BIT);
	return (int)*(volatile const uint64_t *)0xffffffff80000000ull;
}

void case_session_client_killed(void)
{
	struct keel_session s;
	struct keel_process_info info;
	struct echo echo;
	int64_t notif = keel_object_create(KEEL_OBJ_NOTIFICATION, 0);
	int64_t nap = keel_object_create(KEEL_OBJ_NOTIFICATION, 0);
	int64_t child;

	if (check_ok("notifications", notif < 0 ? notif : nap) < 0 || echo_start(&echo) != 0)
		return;
	if (failed("open a session",
		   keel_session_open(&s, (uint64_t)echo.ep, (uint64_t)notif, SESSION_DONE_BIT,
				     SESSION_GONE_BIT, 0),
		   0)) {
		echo_stop(&echo);
		return;
	}
	child = spawn_child(UTEST_C_SESSION, (uint64_t)notif, (uint64_t)echo.ep, KEEL_RIGHT_WRITE,
			    (uint64_t)notif, KEEL_RIGHT_SIGNAL);
	if (check_ok("spawn a child with a session", child) >= 0) {
		uint64_t bits = wait_child((uint64_t)notif, (uint64_t)child, &info);

		check("the child had its session (it signalled)",
		      (int64_t)((bits >> SESSION_CHILD_BIT) & 1), 1);
		check("the child died by its fault", (int64_t)info.killed, 1);
		keel_handle_close((uint64_t)child);
	}
	check("echo closed the dead child's session by itself",
	      session_count_settle(&s, (uint64_t)nap, 1), 1);
	keel_session_close(&s);
	echo_stop(&echo);
	keel_handle_close((uint64_t)notif);
	keel_handle_close((uint64_t)nap);
}
