/*
 * kernel/core/ipc_tests.c: IPC between user processes (ipc.h), with the
 * tiny ring-3 programs of arch/x86_64/user_test_blobs.S: a client and an
 * echo server on one endpoint, on one CPU and on two.
 */
#include <stdbool.h>

#include <keel/syscall.h>

#include "arch/x86_64/paging.h"
#include "arch/x86_64/percpu.h"
#include "core/arch.h"
#include "core/console.h"
#include "core/ipc.h"
#include "core/ktest.h"
#include "core/thread.h"
#include "lib/kstring.h"
#include "mm/pmm.h"
#include "mm/vm.h"

#define TEST_CODE_VA   0x400000ull
#define TEST_STACK_TOP 0x7fff00000000ull
#define TEST_STACK     (16 * 1024)

extern const char user_blob_ipc_server[], user_blob_ipc_server_end[];
extern const char user_blob_ipc_client[], user_blob_ipc_client_end[];
extern const char user_blob_xfer_client[], user_blob_xfer_client_end[];
extern const char user_blob_xfer_server[], user_blob_xfer_server_end[];

/* A process running [start, end) with a handle to obj (rights) in rdi, queued on `cpu`. */
static const char *test_spawn_with(const char *start, const char *end, struct object *obj,
				   uint32_t rights, uint32_t cpu, uint32_t priority,
				   struct process **out)
{
	struct process *p = process_create("ipctest");
	int64_t h;

	if (!p)
		return ktest_fail("no memory for a process");
	if (aspace_map_anon(&p->as, TEST_CODE_VA, KEEL_PAGE_SIZE, PAGING_EXEC) != 0 ||
	    aspace_map_anon(&p->as, TEST_STACK_TOP - TEST_STACK, TEST_STACK, PAGING_WRITE) != 0 ||
	    (h = ipc_handle_add(p, obj, rights)) < 0) {
		process_destroy_unstarted(p);
		return ktest_fail("cannot set up the test process");
	}
	memcpy(aspace_kernel_view(&p->as, TEST_CODE_VA), start, (size_t)(end - start));
	if (!thread_create_user_on(p, TEST_CODE_VA, TEST_STACK_TOP, (uint64_t)h, priority, cpu)) {
		process_destroy_unstarted(p);
		return ktest_fail("no memory for a thread");
	}
	*out = p;
	return NULL;
}

/*
 * A server and a client program sharing one new endpoint (the server may
 * receive, the client call), on the given CPUs, run to their end. The
 * scheduler's counters before and after in *before and *after.
 */
static const char *test_run_pair_at(const char *server_start, const char *server_end,
				    const char *client_start, const char *client_end,
				    uint32_t server_cpu, uint32_t client_cpu, uint32_t server_prio,
				    uint32_t client_prio, struct sched_stats *before,
				    struct sched_stats *after)
{
	struct process *server, *client;
	struct object *ep = ipc_object_create(KEEL_OBJ_ENDPOINT);
	const char *err;

	if (!ep)
		return ktest_fail("no endpoint");
	sched_read_stats(before);
	err = test_spawn_with(server_start, server_end, ep, KEEL_RIGHT_READ, server_cpu,
			      server_prio, &server);
	if (!err)
		err = test_spawn_with(client_start, client_end, ep, KEEL_RIGHT_WRITE, client_cpu,
				      client_prio, &client);
	ipc_object_unref(ep); /* the handles hold it now */
	if (err)
		return err;
	sched_run_until_idle();
	sched_read_stats(after);
	return NULL;
}

/* test_run_pair_at with the server at driver priority (it receives first), the client at app. */
static const char *test_run_pair(const char *server_start, const char *server_end,
				 const char *client_start, const char *client_end,
				 uint32_t server_cpu, uint32_t client_cpu,
				 struct sched_stats *before, struct sched_stats *after)
{
	return test_run_pair_at(server_start, server_end, client_start, client_end, server_cpu,
				client_cpu, SCHED_PRIORITY_DRIVER, SCHED_PRIORITY_APP, before,
				after);
}

/* Server and client on the given CPUs: 1,000 round trips, every word checked. */
static const char *test_ping_pong(uint32_t server_cpu, uint32_t client_cpu)
{
	struct sched_stats before, after;
	const char *err =
	    test_run_pair(user_blob_ipc_server, user_blob_ipc_server_end, user_blob_ipc_client,
			  user_blob_ipc_client_end, server_cpu, client_cpu, &before, &after);

	if (err)
		return err;
	kprintf("# ipc ping-pong (server CPU %u, client CPU %u): %llu context switches\n",
		server_cpu, client_cpu,
		(unsigned long long)(after.context_switches - before.context_switches));
	if (after.processes_ended != before.processes_ended + 2)
		return ktest_fail(
		    "%llu processes ended, expected 2",
		    (unsigned long long)(after.processes_ended - before.processes_ended));
	/*
	 * The client ends with 0 when all replies were right, the server with
	 * the 1,000 requests it served. On one CPU the client ends last (after
	 * the server's final reply); on two they end each on its own CPU
	 * (threads never migrate), in either order.
	 */
	if (after.last_killed || after.prev_killed ||
	    !((after.last_status == 0 && after.prev_status == 1000) ||
	      (server_cpu != client_cpu && after.last_status == 1000 && after.prev_status == 0)))
		return ktest_fail(
		    "the pair ended %s %lld and %s %lld (client 0, server 1000)",
		    after.prev_killed ? "killed by" : "with", (long long)after.prev_status,
		    after.last_killed ? "killed by" : "with", (long long)after.last_status);
	return NULL;
}

static const char *test_ipc_ping_pong(void)
{
	return test_ping_pong(arch_cpu_index(), arch_cpu_index());
}

static const char *test_ipc_ping_pong_two_cpus(void)
{
	uint32_t other = arch_cpu_index() == 0 ? 1 : 0;

	if (arch_cpu_count() < 2) {
		kprintf("# ipc_ping_pong_two_cpus: one CPU\n");
		return NULL;
	}
	return test_ping_pong(other, arch_cpu_index());
}

/* One transfer: server and client run to their end; the client's status in *status. */
static const char *test_transfer_once(int64_t *status, bool *killed, uint64_t *ended)
{
	struct sched_stats before, after;
	const char *err = test_run_pair(user_blob_xfer_server, user_blob_xfer_server_end,
					user_blob_xfer_client, user_blob_xfer_client_end,
					arch_cpu_index(), arch_cpu_index(), &before, &after);

	if (err)
		return err;
	*status = after.last_status;
	*killed = after.last_killed;
	*ended = after.processes_ended - before.processes_ended;
	return NULL;
}

/*
 * The slow path: a handle and 5 bytes of data move from client to server;
 * the server signals the notification the handle names, which wakes the
 * client; the moved handle is gone from the client's table. Every page and
 * object comes back (measured on a second run: the first warms the slab
 * caches up, which keep one empty slab each).
 */
static const char *test_ipc_handle_transfer(void)
{
	struct buddy_stats pb, pa;
	uint64_t ended;
	int64_t status;
	bool killed;
	const char *err = test_transfer_once(&status, &killed, &ended);

	if (err)
		return err;
	vm_read_steady_stats(&pb);
	if ((err = test_transfer_once(&status, &killed, &ended)) != NULL)
		return err;
	vm_read_steady_stats(&pa);
	if (ended != 2)
		return ktest_fail("%llu processes ended, expected 2", (unsigned long long)ended);
	if (killed || status != 0x5a)
		return ktest_fail("the client ended %s %lld (0x5a: the moved handle worked)",
				  killed ? "killed by" : "with", (long long)status);
	if (pa.free_pages != pb.free_pages)
		return ktest_fail("%lld pages not given back",
				  (long long)(pb.free_pages - pa.free_pages));
	return NULL;
}

/*
 * The fast path's counters (ipc_fast.c) over the ping-pong on this CPU, the
 * client's 1,000 round trips and its ending request: with the server
 * receiving first, every call and every reply_recv on the endpoint takes the
 * fast path (2 per round trip, and the ending call: 2,001) and only the
 * final KEEL_HANDLE_SELF reply falls back (1). With the client first, its
 * first call finds no receiver and falls back too (2,000 and 2), and the
 * server's receive then takes that queued caller on the slow path. Both
 * runs check every word: the client ends last with 0 when every reply was
 * right; in the second run the server, woken last, ends last with its count
 * of requests (1,000), which it reaches only if the client got every reply
 * right (a wrong one ends the client early, without the ending request).
 */
static const char *test_fast_counts(uint32_t server_prio, uint32_t client_prio, uint64_t want_fast,
				    uint64_t want_slow, int64_t want_last)
{
	struct sched_stats before, after;
	const struct percpu *pc = percpu_this();
	uint64_t fast = pc->ipc_fast, slow = pc->ipc_slow;
	const char *err =
	    test_run_pair_at(user_blob_ipc_server, user_blob_ipc_server_end, user_blob_ipc_client,
			     user_blob_ipc_client_end, arch_cpu_index(), arch_cpu_index(),
			     server_prio, client_prio, &before, &after);

	if (err)
		return err;
	if (after.last_killed || after.last_status != want_last)
		return ktest_fail("the last process ended %s %lld, not with %lld",
				  after.last_killed ? "killed by" : "with",
				  (long long)after.last_status, (long long)want_last);
	fast = pc->ipc_fast - fast;
	slow = pc->ipc_slow - slow;
	if (fast != want_fast || slow != want_slow)
		return ktest_fail("%llu fast, %llu slow; expected %llu and %llu",
				  (unsigned long long)fast, (unsigned long long)slow,
				  (unsigned long long)want_fast, (unsigned long long)want_slow);
	return NULL;
}

static const char *test_ipc_fast_path(void)
{
	return test_fast_counts(SCHED_PRIORITY_DRIVER, SCHED_PRIORITY_APP, 2001, 1, 0);
}

static const char *test_ipc_fast_path_no_receiver(void)
{
	return test_fast_counts(SCHED_PRIORITY_APP, SCHED_PRIORITY_DRIVER, 2000, 2, 1000);
}

static const struct ktest ipc_tests[] = {
    KTEST(ipc_fast_path),          KTEST(ipc_fast_path_no_receiver), KTEST(ipc_ping_pong),
    KTEST(ipc_ping_pong_two_cpus), KTEST(ipc_handle_transfer),
};

const struct ktest_suite ipc_test_suite = {ipc_tests, KTEST_COUNT(ipc_tests)};
