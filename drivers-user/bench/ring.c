/*
 * drivers-user/bench/ring.c: make bench's ring-session figures, client ->
 * echo (drivers-user/echo) -> client through libkeel's sessions, on one CPU:
 *   ring_req_qd1_instr           one request submitted and its completion
 *                                reaped (blocking), alone in flight: median
 *   ring_req_qd16_instr          per request with 16 in flight, steady state:
 *                                reap what came (blocking for the first),
 *                                submit as many again; mean over the run
 *   ring_syscalls_per_req_qd16   system calls per request there, client's
 *                                (struct keel_session.syscalls) plus the
 *                                server's (KEEL_ECHO_SYSCALLS)
 *   ring_client_syscalls_per_req_qd16  the client's share alone
 */
#include "keel.h"
#include "session.h"

#define RING_DONE_BIT 0
#define RING_GONE_BIT 1
#define RING_QD       16
#define RING_QD16_REQ 160000

uint64_t bench_tsc_read(void);
void bench_ring(uint64_t echo, uint64_t overhead, uint64_t *samples, size_t n, size_t warmup,
		uint64_t (*median)(void));

/* Ask echo for a counter (KEEL_ECHO_SYSCALLS, _SESSIONS) through the session, or ~0. */
static uint64_t ring_stat(struct keel_session *s, uint32_t opcode)
{
	struct keel_ring_sqe e = {.id = ~0ull, .opcode = opcode, .len = 8, .offset = 64};
	struct keel_ring_cqe c;
	const uint64_t *v = keel_session_buf(s, 64, 8);

	if (keel_session_submit(s, &e) != 0 || keel_session_reap(s, &c, 1) != 0 || c.id != e.id ||
	    c.status != 0 || v == NULL)
		return ~0ull;
	return opcode == KEEL_ECHO_SYSCALLS ? *v : c.len;
}

static void ring_print_ratio(const char *name, uint64_t num, uint64_t den)
{
	keel_printf("bench: %s %llu.%03llu\n", name, (unsigned long long)(num / den),
		    (unsigned long long)(num * 1000 / den % 1000));
}

void bench_ring(uint64_t echo, uint64_t overhead, uint64_t *samples, size_t n, size_t warmup,
		uint64_t (*median)(void))
{
	struct keel_session s;
	struct keel_ring_sqe e[RING_QD];
	struct keel_ring_cqe c, cs[RING_QD];
	int64_t notif = keel_object_create(KEEL_OBJ_NOTIFICATION, 0);
	uint64_t next = 0, want = 0, t0, t1, cs0, ss0, ss1, done;
	int r;

	if (notif < 0 || echo == KEEL_MSG_NO_HANDLE) {
		keel_printf("bench: ring: no echo service\n");
		return;
	}
	r = keel_session_open(&s, echo, (uint64_t)notif, RING_DONE_BIT, RING_GONE_BIT, 0);
	if (r != 0) {
		keel_printf("bench: ring: cannot open a session with echo: %d (%s)\n", r,
			    keel_strerror(r));
		return;
	}
	for (size_t i = 0; i < RING_QD; i++)
		e[i] = (struct keel_ring_sqe){.opcode = KEEL_ECHO_PING, .len = 8, .offset = 0};
	/* qd1: one in flight. */
	for (size_t i = 0; i < warmup + n; i++) {
		e[0].id = next++;
		t0 = bench_tsc_read();
		r = keel_session_submit(&s, &e[0]);
		if (r == 0)
			r = keel_session_reap(&s, &c, 1);
		t1 = bench_tsc_read();
		if (r != 0 || c.id != want++ || c.status != 0 || c.len != 8) {
			keel_printf("bench: ring: qd1 request %llu failed: %d\n",
				    (unsigned long long)(want - 1), r);
			keel_session_close(&s);
			return;
		}
		if (i >= warmup)
			samples[i - warmup] = t1 - t0;
	}
	keel_printf("bench: ring_req_qd1_instr %llu\n", (unsigned long long)(median() - overhead));
	/* qd16: fill, then reap what came and refill as many, RING_QD16_REQ times. */
	ss0 = ring_stat(&s, KEEL_ECHO_SYSCALLS);
	for (size_t i = 0; i < RING_QD; i++)
		e[i].id = next++;
	if (keel_session_submit_many(&s, e, RING_QD) != RING_QD) {
		keel_printf("bench: ring: qd16 fill failed\n");
		keel_session_close(&s);
		return;
	}
	cs0 = s.syscalls;
	done = 0;
	t0 = bench_tsc_read();
	while (done < RING_QD16_REQ) {
		/* Reap what came (blocking for the first), refill as many: one PKRU opening each.
		 */
		int got = keel_session_reap_many(&s, cs, RING_QD, 1);

		for (int i = 0; i < got; i++) {
			if (cs[i].id != want++ || cs[i].status != 0)
				got = -KEEL_EINVAL;
			else
				e[i].id = next++;
		}
		if (got <= 0 || keel_session_submit_many(&s, e, (unsigned)got) != got) {
			keel_printf("bench: ring: qd16 broke after %llu: %d\n",
				    (unsigned long long)done, got);
			keel_session_close(&s);
			return;
		}
		done += (unsigned)got;
	}
	t1 = bench_tsc_read();
	cs0 = s.syscalls - cs0;
	/* Drain the 16 still in flight, so that the next completion is the stats request's. */
	for (size_t i = 0; i < RING_QD; i++)
		if (keel_session_reap(&s, &c, 1) != 0)
			break;
	ss1 = ring_stat(&s, KEEL_ECHO_SYSCALLS);
	keel_printf("bench: ring_req_qd16_instr %llu\n",
		    (unsigned long long)((t1 - t0 - overhead) / done));
	ss1 -= ss0;
	ring_print_ratio("ring_syscalls_per_req_qd16", cs0 + ss1, done);
	ring_print_ratio("ring_client_syscalls_per_req_qd16", cs0, done);
	keel_session_close(&s);
	keel_handle_close((uint64_t)notif);
}
