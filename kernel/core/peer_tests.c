/*
 * kernel/core/peer_tests.c: wait timeouts, peer death (-KEEL_ECLOSED) and
 * faults delivered to a supervisor (ipc.h, thread.h), with the ring-3
 * programs of arch/x86_64/peer_test_blobs.S. Each test starts two processes
 * on this CPU at fixed priorities, so that the order in which they run, and
 * which ends last, is known; it checks the statuses both ended with.
 */
#include <stdbool.h>

#include <keel/syscall.h>

#include "arch/x86_64/cpufeatures.h"
#include "arch/x86_64/paging.h"
#include "core/arch.h"
#include "core/console.h"
#include "core/ipc.h"
#include "core/ktest.h"
#include "core/thread.h"
#include "core/vmo.h"
#include "lib/kstring.h"

#define TEST_CODE_VA   0x400000ull
#define TEST_STACK_TOP 0x7fff00000000ull
#define TEST_STACK     (16 * 1024)
#define PEER_PARAMS    0x800 /* peer_test_blobs.S: where a blob's parameters are */
#define PEER_NPARAMS   8
#define ANY            (~0ull)
#define MS             1000000ull

#define BLOB(name) extern const char peer_blob_##name[], peer_blob_##name##_end[]
BLOB(timed_waiter);
BLOB(signaller);
BLOB(caller);
BLOB(server);
BLOB(supervisor);
BLOB(ud2);
BLOB(page_fault);
BLOB(step_regs);
BLOB(race_waiter);
BLOB(race_signaller);
#undef BLOB
extern const char user_blob_vmo_pkey[], user_blob_vmo_pkey_end[];

/* One program to start: its code, its handle (rdi), its parameters, how it runs. */
struct peer_prog {
	const char *start, *end;
	struct object *obj; /* rdi: a handle to it with `rights` (NULL: rdi = 0) */
	uint32_t rights;
	uint64_t param[PEER_NPARAMS];
	uint32_t priority, cpu;
	struct object *supervisor; /* set as the process's supervisor (a reference) */
	struct object *obj2;       /* a second handle (rights2), its value in param[7] */
	uint32_t rights2;
};

static const char *peer_spawn(const struct peer_prog *g, uint32_t *id)
{
	struct process *p = process_create("peertest");
	int64_t h = 0, h2 = 0;

	if (!p)
		return ktest_fail("no memory for a process");
	if ((size_t)(g->end - g->start) > PEER_PARAMS ||
	    aspace_map_anon(&p->as, TEST_CODE_VA, KEEL_PAGE_SIZE, PAGING_EXEC) != 0 ||
	    aspace_map_anon(&p->as, TEST_STACK_TOP - TEST_STACK, TEST_STACK, PAGING_WRITE) != 0 ||
	    (g->obj && (h = ipc_handle_add(p, g->obj, g->rights)) < 0) ||
	    (g->obj2 && (h2 = ipc_handle_add(p, g->obj2, g->rights2)) < 0)) {
		process_destroy_unstarted(p);
		return ktest_fail("cannot set up the test process");
	}
	memcpy(aspace_kernel_view(&p->as, TEST_CODE_VA), g->start, (size_t)(g->end - g->start));
	memcpy((char *)aspace_kernel_view(&p->as, TEST_CODE_VA) + PEER_PARAMS, g->param,
	       sizeof(g->param));
	if (g->obj2)
		memcpy((char *)aspace_kernel_view(&p->as, TEST_CODE_VA) + PEER_PARAMS + 7 * 8, &h2,
		       sizeof(h2));
	if (g->supervisor) {
		ipc_object_ref(g->supervisor); /* dropped when the process is freed */
		p->supervisor = g->supervisor;
	}
	if (id)
		*id = p->id;
	if (!thread_create_user_on(p, TEST_CODE_VA, TEST_STACK_TOP, (uint64_t)h, g->priority,
				   g->cpu)) {
		process_destroy_unstarted(p);
		return ktest_fail("no memory for a thread");
	}
	return NULL;
}

#define PEER_ANY INT64_MIN /* a status peer_run does not check (the caller does) */

/*
 * Start a, then b (b may be absent: start NULL), run both to their end, and
 * check how each ended (the one expected to end first, then the last).
 */
struct peer_end {
	bool killed;
	int64_t status;
};

static const char *peer_run(const struct peer_prog *a, const struct peer_prog *b,
			    struct peer_end first, struct peer_end last, struct sched_stats *out)
{
	struct sched_stats before, after;
	uint64_t want = b && b->start ? 2 : 1;
	const char *err;

	sched_read_stats(&before);
	err = peer_spawn(a, NULL);
	if (!err && b && b->start)
		err = peer_spawn(b, NULL);
	if (err)
		return err;
	sched_run_until_idle();
	sched_read_stats(&after);
	if (out)
		*out = after;
	if (after.processes_ended - before.processes_ended != want)
		return ktest_fail(
		    "%llu processes ended, expected %llu",
		    (unsigned long long)(after.processes_ended - before.processes_ended),
		    (unsigned long long)want);
	if (after.last_killed != last.killed ||
	    (last.status != PEER_ANY && after.last_status != last.status))
		return ktest_fail("the last process ended %s %lld, expected %s %lld",
				  after.last_killed ? "killed by" : "with",
				  (long long)after.last_status, last.killed ? "killed by" : "with",
				  (long long)last.status);
	if (want == 2 && (after.prev_killed != first.killed ||
			  (first.status != PEER_ANY && after.prev_status != first.status)))
		return ktest_fail("the first process ended %s %lld, expected %s %lld",
				  after.prev_killed ? "killed by" : "with",
				  (long long)after.prev_status, first.killed ? "killed by" : "with",
				  (long long)first.status);
	return NULL;
}

#define ENDED(s)  ((struct peer_end){false, (s)})
#define KILLED(v) ((struct peer_end){true, (v)})

static struct object *peer_object(uint32_t type)
{
	return ipc_object_create(type);
}

/* ---- Wait timeouts ---- */

/* A wait of 30 ms that nobody signals: -KEEL_ETIMEDOUT, after at least 30 ms of clock. */
static const char *test_wait_timeout(void)
{
	struct object *n = peer_object(KEEL_OBJ_NOTIFICATION);
	struct peer_prog w = {peer_blob_timed_waiter,
			      peer_blob_timed_waiter_end,
			      n,
			      KEEL_RIGHT_WAIT,
			      {0},
			      SCHED_PRIORITY_APP,
			      arch_cpu_index(),
			      NULL,
			      NULL,
			      0};
	struct sched_stats s;
	const char *err;

	if (!n)
		return ktest_fail("no notification");
	w.param[0] = 0;
	w.param[7] = 30 * MS;
	err = peer_run(&w, NULL, ENDED(PEER_ANY), ENDED(PEER_ANY), &s);
	ipc_object_unref(n);
	if (err)
		return err;
	kprintf("# wait_timeout: a 30 ms wait took %lld us\n", (long long)s.last_status / 1000);
	if (s.last_status < (int64_t)(30 * MS))
		return ktest_fail("a 30 ms wait ended after %lld ns (a wrong result: -(i << 16 | "
				  "result))",
				  (long long)s.last_status);
	if (s.last_status > (int64_t)(2000 * MS))
		return ktest_fail("a 30 ms wait took %lld ms", (long long)s.last_status / 1000000);
	return NULL;
}

/*
 * Timed waits that a signal ends first: 5 s, 2^62 ns and 2^64 - 2 ns (no
 * overflow: long waits) each get their bit; then a 20 ms wait times out
 * (the earlier deadlines are off the list, the bits all taken).
 */
static const char *test_wait_signal_wins(void)
{
	struct object *n = peer_object(KEEL_OBJ_NOTIFICATION);
	struct peer_prog w = {peer_blob_timed_waiter,
			      peer_blob_timed_waiter_end,
			      n,
			      KEEL_RIGHT_WAIT,
			      {0},
			      SCHED_PRIORITY_DRIVER,
			      arch_cpu_index(),
			      NULL,
			      NULL,
			      0};
	struct peer_prog s = {peer_blob_signaller,
			      peer_blob_signaller_end,
			      n,
			      KEEL_RIGHT_SIGNAL,
			      {3},
			      SCHED_PRIORITY_APP,
			      arch_cpu_index(),
			      NULL,
			      NULL,
			      0};
	struct sched_stats st;
	const char *err;

	if (!n)
		return ktest_fail("no notification");
	w.param[0] = 3;
	w.param[1] = 5000 * MS;
	w.param[2] = 1ull << 62;
	w.param[3] = KEEL_FOREVER - 1;
	w.param[7] = 20 * MS;
	/* The waiter ends last (its 20 ms wait): its status is that wait's time. */
	err = peer_run(&w, &s, ENDED(0), ENDED(PEER_ANY), &st);
	ipc_object_unref(n);
	if (err)
		return err;
	if (st.last_status < (int64_t)(20 * MS) || st.last_status > (int64_t)(2000 * MS))
		return ktest_fail("the waiter ended with %lld (a wrong result is -(i << 16 | "
				  "result); else the 20 ms wait's ns)",
				  (long long)st.last_status);
	return NULL;
}

/* A timed wait on one CPU ended by a signal from the other. */
static const char *test_wait_signal_other_cpu(void)
{
	uint32_t other = arch_cpu_index() == 0 ? 1 : 0;
	struct object *n;
	struct peer_prog w = {peer_blob_timed_waiter,
			      peer_blob_timed_waiter_end,
			      NULL,
			      KEEL_RIGHT_WAIT,
			      {1, 5000 * MS, 0, 0, 0, 0, 0, 20 * MS},
			      SCHED_PRIORITY_APP,
			      other,
			      NULL,
			      NULL,
			      0};
	struct peer_prog s = {peer_blob_signaller,
			      peer_blob_signaller_end,
			      NULL,
			      KEEL_RIGHT_SIGNAL,
			      {1},
			      SCHED_PRIORITY_APP,
			      arch_cpu_index(),
			      NULL,
			      NULL,
			      0};
	struct sched_stats before, after;
	const char *err;

	if (arch_cpu_count() < 2) {
		kprintf("# wait_signal_other_cpu: one CPU\n");
		return NULL;
	}
	if (!(n = peer_object(KEEL_OBJ_NOTIFICATION)))
		return ktest_fail("no notification");
	w.obj = s.obj = n;
	sched_read_stats(&before);
	err = peer_spawn(&w, NULL);
	if (!err)
		err = peer_spawn(&s, NULL);
	ipc_object_unref(n);
	if (err)
		return err;
	sched_run_until_idle();
	sched_read_stats(&after);
	if (after.processes_ended - before.processes_ended != 2)
		return ktest_fail("not both processes ended");
	/* Either may end last: the signaller with 0, the waiter with the 20 ms wait's time. */
	{
		int64_t a = after.last_status, b = after.prev_status, wt = a ? a : b;

		if (after.last_killed || after.prev_killed || (a != 0 && b != 0) ||
		    wt < (int64_t)(20 * MS) || wt > (int64_t)(2000 * MS))
			return ktest_fail("ended with %lld and %lld", (long long)b, (long long)a);
	}
	return NULL;
}

/*
 * Signals racing timeouts on two CPUs: a waiter on one waits with a 1 ns
 * timeout (ended by the tick) again and again, a signaller on the other
 * signals at varying moments and waits for the acknowledgement. Every wait
 * returns the bit or -KEEL_ETIMEDOUT, never both, and no bit is lost (the
 * signaller's 2 s wait for the acknowledgement would end with an error).
 */
#define RACE_ROUNDS 200
static const char *test_wait_timeout_races_signal(void)
{
	uint32_t other = arch_cpu_index() == 0 ? 1 : 0;
	struct object *a = peer_object(KEEL_OBJ_NOTIFICATION),
		      *b = peer_object(KEEL_OBJ_NOTIFICATION);
	struct peer_prog w = {peer_blob_race_waiter,
			      peer_blob_race_waiter_end,
			      a,
			      KEEL_RIGHT_WAIT,
			      {RACE_ROUNDS},
			      SCHED_PRIORITY_APP,
			      arch_cpu_index(),
			      NULL,
			      b,
			      KEEL_RIGHT_SIGNAL};
	struct peer_prog s = {peer_blob_race_signaller,
			      peer_blob_race_signaller_end,
			      a,
			      KEEL_RIGHT_SIGNAL,
			      {RACE_ROUNDS},
			      SCHED_PRIORITY_APP,
			      other,
			      NULL,
			      b,
			      KEEL_RIGHT_WAIT};
	struct sched_stats st;
	const char *err = NULL;
	int64_t ws;

	if (arch_cpu_count() < 2)
		kprintf("# wait_timeout_races_signal: one CPU\n");
	else if (!a || !b)
		err = ktest_fail("no notification");
	else
		err = peer_run(&w, &s, ENDED(PEER_ANY), ENDED(PEER_ANY), &st);
	if (a)
		ipc_object_unref(a);
	if (b)
		ipc_object_unref(b);
	if (err || arch_cpu_count() < 2)
		return err;
	/* Either may end last: the signaller with 0. */
	ws = st.last_status ? st.last_status : st.prev_status;
	if ((st.last_status && st.prev_status) || (ws & 0xffffffff) != RACE_ROUNDS)
		return ktest_fail("ended with %lld and %lld (waiter: rounds | timeouts << 32, "
				  "or -(round << 16 | result); signaller: 1000 + the round "
				  "of a lost bit)",
				  (long long)st.prev_status, (long long)st.last_status);
	kprintf("# wait_timeout_races_signal: %d rounds, %lld waits timed out\n", RACE_ROUNDS,
		(long long)(ws >> 32));
	return NULL;
}

/* ---- Peer death ---- */

/* Two calls after the server ended: -KEEL_ECLOSED both (10 | 10 << 8). */
#define CLOSED_TWICE (KEEL_ECLOSED | KEEL_ECLOSED << 8)

/* The server receives the call and ends (mode 0: exit, 1: killed) before replying. */
static const char *peer_server_ends(uint64_t mode, struct peer_end server_end)
{
	struct object *ep = peer_object(KEEL_OBJ_ENDPOINT);
	struct peer_prog srv = {peer_blob_server,
				peer_blob_server_end,
				ep,
				KEEL_RIGHT_READ,
				{mode},
				SCHED_PRIORITY_DRIVER,
				arch_cpu_index(),
				NULL,
				NULL,
				0};
	struct peer_prog cl = {peer_blob_caller,
			       peer_blob_caller_end,
			       ep,
			       KEEL_RIGHT_WRITE,
			       {0},
			       SCHED_PRIORITY_APP,
			       arch_cpu_index(),
			       NULL,
			       NULL,
			       0};
	const char *err;

	if (!ep)
		return ktest_fail("no endpoint");
	err = peer_run(&srv, &cl, server_end, ENDED(CLOSED_TWICE), NULL);
	ipc_object_unref(ep);
	return err;
}

static const char *test_peer_server_exits(void)
{
	return peer_server_ends(0, ENDED(0));
}

static const char *test_peer_server_killed(void)
{
	return peer_server_ends(1, KILLED(6));
}

/* The server receives the call, then receives again without replying: the first caller is given up.
 */
static const char *test_peer_server_recv_again(void)
{
	return peer_server_ends(5, ENDED(0));
}

/*
 * A caller queued (no receiver yet) when the only reading handle goes
 * (mode 2: closed; 3: its process ends): woken with -KEEL_ECLOSED, and the
 * next call fails at once.
 */
static const char *peer_readers_gone(uint64_t mode)
{
	struct object *ep = peer_object(KEEL_OBJ_ENDPOINT);
	struct peer_prog cl = {peer_blob_caller,
			       peer_blob_caller_end,
			       ep,
			       KEEL_RIGHT_WRITE,
			       {0},
			       SCHED_PRIORITY_DRIVER,
			       arch_cpu_index(),
			       NULL,
			       NULL,
			       0};
	struct peer_prog srv = {peer_blob_server,
				peer_blob_server_end,
				ep,
				KEEL_RIGHT_READ,
				{mode},
				SCHED_PRIORITY_APP,
				arch_cpu_index(),
				NULL,
				NULL,
				0};
	const char *err;

	if (!ep)
		return ktest_fail("no endpoint");
	/*
	 * The caller (higher priority) runs again as soon as it is woken, and
	 * ends first; unless the handle goes with the server's process, which
	 * has ended by then.
	 */
	err = mode == 2 ? peer_run(&cl, &srv, ENDED(CLOSED_TWICE), ENDED(0), NULL)
			: peer_run(&cl, &srv, ENDED(0), ENDED(CLOSED_TWICE), NULL);
	ipc_object_unref(ep);
	return err;
}

static const char *test_peer_reader_closed(void)
{
	return peer_readers_gone(2);
}

static const char *test_peer_reader_process_ends(void)
{
	return peer_readers_gone(3);
}

/* A receiver blocked when the only writing handle closes: woken with -KEEL_ECLOSED. */
static const char *test_peer_writer_closed(void)
{
	struct object *ep = peer_object(KEEL_OBJ_ENDPOINT);
	struct peer_prog srv = {peer_blob_server,
				peer_blob_server_end,
				ep,
				KEEL_RIGHT_READ,
				{4},
				SCHED_PRIORITY_DRIVER,
				arch_cpu_index(),
				NULL,
				NULL,
				0};
	struct peer_prog closer = {peer_blob_server,
				   peer_blob_server_end,
				   ep,
				   KEEL_RIGHT_WRITE,
				   {2},
				   SCHED_PRIORITY_APP,
				   arch_cpu_index(),
				   NULL,
				   NULL,
				   0};
	const char *err;

	if (!ep)
		return ktest_fail("no endpoint");
	err = peer_run(&srv, &closer, ENDED(-KEEL_ECLOSED), ENDED(0), NULL);
	ipc_object_unref(ep);
	return err;
}

/* ---- Faults to the supervisor ---- */

/*
 * A supervisor (higher priority, so it waits first) with the given
 * parameters, and a faulting program whose process it supervises; the
 * faulting process ends last. Every object comes back.
 */
static const char *peer_supervised(const char *start, const char *end, struct object *arg,
				   const uint64_t sup_param[PEER_NPARAMS], bool with_reader,
				   struct peer_end sup_end, struct peer_end fault_end)
{
	uint64_t live = ipc_objects_live();
	struct object *ep = peer_object(KEEL_OBJ_ENDPOINT);
	struct peer_prog sup = {peer_blob_supervisor,
				peer_blob_supervisor_end,
				ep,
				KEEL_RIGHT_READ,
				{0},
				SCHED_PRIORITY_DRIVER,
				arch_cpu_index(),
				NULL,
				NULL,
				0};
	struct peer_prog f = {
	    start, end,  arg, KEEL_RIGHTS_ALL, {0}, SCHED_PRIORITY_APP, arch_cpu_index(),
	    ep,    NULL, 0};
	const char *err;

	if (!ep)
		return ktest_fail("no endpoint");
	memcpy(sup.param, sup_param, sizeof(sup.param));
	err = with_reader ? peer_run(&sup, &f, sup_end, fault_end, NULL)
			  : peer_run(&f, NULL, fault_end, fault_end, NULL);
	ipc_object_unref(ep);
	if (!err && ipc_objects_live() != live)
		return ktest_fail("%lld endpoints or notifications not freed",
				  (long long)(ipc_objects_live() - live));
	return err;
}

/* ud2, resumed twice, then killed: 3 messages, each KEEL_FAULT_TAG | 6 at the blob's start. */
static const char *test_fault_resume_twice(void)
{
	const uint64_t p[PEER_NPARAMS] = {2, KEEL_FAULT_TAG | 6, 0, 0, TEST_CODE_VA, ANY, 0};

	return peer_supervised(peer_blob_ud2, peer_blob_ud2_end, NULL, p, true, ENDED(3),
			       KILLED(6));
}

/* A page fault's message: error code 4 (user read, not present), CR2 and RIP. */
static const char *test_fault_page_fault_words(void)
{
	const uint64_t p[PEER_NPARAMS] = {0, KEEL_FAULT_TAG | 14, 4, 0x100000, TEST_CODE_VA, ANY,
					  0};

	return peer_supervised(peer_blob_page_fault, peer_blob_page_fault_end, NULL, p, true,
			       ENDED(1), KILLED(14));
}

/*
 * A resumed thread keeps its registers (the reply's words land in its frame
 * meanwhile): single-step traps resumed, then ud2 (resumed until the
 * supervisor's 100 are used up) if rsi, rdx, r10 and r8 are intact, else a
 * #GP.
 */
static const char *test_fault_resume_keeps_registers(void)
{
	const uint64_t p[PEER_NPARAMS] = {100, ANY, ANY, ANY, ANY, ANY, 0};

	return peer_supervised(peer_blob_step_regs, peer_blob_step_regs_end, NULL, p, true,
			       ENDED(101), KILLED(6));
}

/* The supervisor ends without replying: the faulting process is killed as before. */
static const char *test_fault_supervisor_dies(void)
{
	const uint64_t p[PEER_NPARAMS] = {0, ANY, ANY, ANY, ANY, ANY, 1};

	return peer_supervised(peer_blob_ud2, peer_blob_ud2_end, NULL, p, true, ENDED(201),
			       KILLED(6));
}

/* A supervisor endpoint nobody can receive from: killed at once. */
static const char *test_fault_no_reader(void)
{
	const uint64_t p[PEER_NPARAMS] = {0};

	return peer_supervised(peer_blob_ud2, peer_blob_ud2_end, NULL, p, false, ENDED(0),
			       KILLED(6));
}

/* No supervisor: killed at once, as before. */
static const char *test_fault_unsupervised(void)
{
	struct peer_prog f = {peer_blob_ud2,      peer_blob_ud2_end, NULL, 0,    {0},
			      SCHED_PRIORITY_APP, arch_cpu_index(),  NULL, NULL, 0};

	return peer_run(&f, NULL, KILLED(6), KILLED(6), NULL);
}

/* A protection-key violation arrives as KEEL_KILLED_PKEY, at the address it touched. */
static const char *test_fault_pkey(void)
{
	const uint64_t p[PEER_NPARAMS] = {
	    0, KEEL_FAULT_TAG | KEEL_KILLED_PKEY, ANY, 0x600000, ANY, ANY, 0};
	struct object *vmo;
	const char *err;

	if (!cpufeatures_on(CPUFEATURE_PKU)) {
		kprintf("# fault_pkey: no PKU\n");
		return NULL;
	}
	if (vmo_create(KEEL_PAGE_SIZE, &vmo) != 0)
		return ktest_fail("no VMO");
	err = peer_supervised(user_blob_vmo_pkey, user_blob_vmo_pkey_end, vmo, p, true, ENDED(1),
			      KILLED(KEEL_KILLED_PKEY));
	ipc_object_unref(vmo);
	return err;
}

static const struct ktest peer_tests[] = {
    KTEST(wait_timeout),
    KTEST(wait_signal_wins),
    KTEST(wait_signal_other_cpu),
    KTEST(wait_timeout_races_signal),
    KTEST(peer_server_exits),
    KTEST(peer_server_killed),
    KTEST(peer_server_recv_again),
    KTEST(peer_reader_closed),
    KTEST(peer_reader_process_ends),
    KTEST(peer_writer_closed),
    KTEST(fault_resume_twice),
    KTEST(fault_page_fault_words),
    KTEST(fault_resume_keeps_registers),
    KTEST(fault_supervisor_dies),
    KTEST(fault_no_reader),
    KTEST(fault_unsupervised),
    KTEST(fault_pkey),
};

const struct ktest_suite peer_test_suite = {peer_tests, KTEST_COUNT(peer_tests)};
