/*
 * kernel/core/proc_tests.c: processes made from user space (proc.h), tested
 * by bin/utest (drivers-user/utest): one KTAP case per utest case, each a
 * fresh run of bin/utest with the case number in its start block. A case
 * passes when utest ends with status 0 (no failed check of its own) and
 * every page, process and IPC object its children used is back.
 */
#include <keel/syscall.h>

#include "core/console.h"
#include "core/init_start.h"
#include "core/ipc.h"
#include "core/ktest.h"
#include "core/proc.h"
#include "core/thread.h"
#include "core/vmo.h"
#include "mm/pmm.h"
#include "mm/vm.h"

#define PROC_TEST_PATH "bin/utest"

/* drivers-user/utest's cases, by number. */
enum {
	PROC_CASE_EXIT_STATUS = 1,
	PROC_CASE_HANDLE_INTO_CHILD,
	PROC_CASE_MAP_INTO_CHILD,
	PROC_CASE_KILL,
	PROC_CASE_PROC_CREATE_ERRORS,
	PROC_CASE_PROCESS_HANDLE_ERRORS,
	PROC_CASE_SPAWN_ERRORS,
	PROC_CASE_MANY_CHILDREN,
	PROC_CASE_KILL_THREADS,
	PROC_CASE_PORTS_STAY_HOME,
	PROC_CASE_WATCH,
	PROC_CASE_BOUND,
	PROC_CASE_KILL_SIGNAL,
	PROC_CASE_LOG,
	PROC_CASE_DMA_MSI,
	/* Ring sessions against bin/echo (drivers-user/utest/session.c, utest.h). */
	PROC_CASE_SESSION_STRESS = 20,
	PROC_CASE_SESSION_HOSTILE,
	PROC_CASE_SESSION_CLIENT_KILLED,
};

static bool proc_warm;

/* One run of bin/utest case `n` to its end: NULL when it passed. */
static const char *proc_run(uint64_t n)
{
	struct sched_stats s;
	char why[120];
	int err = init_start_test(PROC_TEST_PATH, "utest", n, why, sizeof(why));

	if (err != 0)
		return ktest_fail("cannot start " PROC_TEST_PATH ": %s", why);
	sched_run_until_idle();
	sched_read_stats(&s);
	/* utest waits for its children: it is the last process to end. */
	if (s.last_killed || s.last_status != 0)
		return ktest_fail("utest case %llu %s %lld", (unsigned long long)n,
				  s.last_killed ? "killed by vector" : "failed checks:",
				  (long long)s.last_status);
	return NULL;
}

/* Run case n, and check that pages and objects are back where they were. */
static const char *proc_case(uint64_t n)
{
	struct buddy_stats before, after;
	uint64_t objects, procs;
	const char *err;

	/* A first run fills the slab caches (each keeps an empty slab after). */
	if (!proc_warm) {
		vmo_prime_caches();
		if ((err = proc_run(PROC_CASE_MAP_INTO_CHILD)) != NULL)
			return err;
		proc_warm = true;
	}
	objects = ipc_objects_live();
	procs = proc_objects_live();
	vm_read_steady_stats(&before);
	if ((err = proc_run(n)) != NULL)
		return err;
	vm_read_steady_stats(&after);
	if (after.free_pages != before.free_pages)
		return ktest_fail("%lld pages not given back",
				  (long long)(before.free_pages - after.free_pages));
	if (ipc_objects_live() != objects)
		return ktest_fail("%llu IPC objects live after, %llu before",
				  (unsigned long long)ipc_objects_live(),
				  (unsigned long long)objects);
	if (proc_objects_live() != procs)
		return ktest_fail("%llu processes and thread objects live after, %llu before",
				  (unsigned long long)proc_objects_live(),
				  (unsigned long long)procs);
	return NULL;
}

static const char *test_proc_exit_status(void)
{
	return proc_case(PROC_CASE_EXIT_STATUS);
}

static const char *test_proc_handle_into_child(void)
{
	return proc_case(PROC_CASE_HANDLE_INTO_CHILD);
}

static const char *test_proc_map_into_child(void)
{
	return proc_case(PROC_CASE_MAP_INTO_CHILD);
}

static const char *test_proc_kill(void)
{
	return proc_case(PROC_CASE_KILL);
}

static const char *test_proc_create_errors(void)
{
	return proc_case(PROC_CASE_PROC_CREATE_ERRORS);
}

static const char *test_proc_process_handle_errors(void)
{
	return proc_case(PROC_CASE_PROCESS_HANDLE_ERRORS);
}

static const char *test_proc_spawn_errors(void)
{
	return proc_case(PROC_CASE_SPAWN_ERRORS);
}

static const char *test_proc_many_children(void)
{
	return proc_case(PROC_CASE_MANY_CHILDREN);
}

static const char *test_proc_kill_threads(void)
{
	return proc_case(PROC_CASE_KILL_THREADS);
}

/* Needs the CPUs' bitmap TSSs made already (the devobj suite runs first). */
static const char *test_proc_ports_stay_home(void)
{
	return proc_case(PROC_CASE_PORTS_STAY_HOME);
}

/* "Owner gone" watches on a notification and an endpoint (core/watch.c). */
static const char *test_proc_watch(void)
{
	return proc_case(PROC_CASE_WATCH);
}

/* A notification bound to an endpoint: recv returns its bits (KEEL_BADGE_NOTIFY). */
static const char *test_proc_bound(void)
{
	return proc_case(PROC_CASE_BOUND);
}

/* Kill from outside: signal on a process handle with KEEL_RIGHT_MANAGE. */
static const char *test_proc_kill_signal(void)
{
	return proc_case(PROC_CASE_KILL_SIGNAL);
}

/* The kernel log object: read back, bad arguments, the bound bit (core/klog.c). */
static const char *test_proc_log(void)
{
	return proc_case(PROC_CASE_LOG);
}

/*
 * DMA memory and an MSI from user space (core/vmo.c, core/devobj.c). A
 * first run fills the device objects' slab cache, which proc_case's warm-up
 * does not touch.
 */
static const char *test_proc_dma_msi(void)
{
	const char *err = proc_run(PROC_CASE_DMA_MSI);

	return err ? err : proc_case(PROC_CASE_DMA_MSI);
}

static const char *test_proc_session_stress(void)
{
	return proc_case(PROC_CASE_SESSION_STRESS);
}

static const char *test_proc_session_hostile(void)
{
	return proc_case(PROC_CASE_SESSION_HOSTILE);
}

static const char *test_proc_session_client_killed(void)
{
	return proc_case(PROC_CASE_SESSION_CLIENT_KILLED);
}

static const struct ktest proc_tests[] = {
    KTEST(proc_exit_status),
    KTEST(proc_handle_into_child),
    KTEST(proc_map_into_child),
    KTEST(proc_kill),
    KTEST(proc_create_errors),
    KTEST(proc_process_handle_errors),
    KTEST(proc_spawn_errors),
    KTEST(proc_many_children),
    KTEST(proc_kill_threads),
    KTEST(proc_ports_stay_home),
    KTEST(proc_watch),
    KTEST(proc_bound),
    KTEST(proc_kill_signal),
    KTEST(proc_log),
    KTEST(proc_dma_msi),
    KTEST(proc_session_stress),
    KTEST(proc_session_hostile),
    KTEST(proc_session_client_killed),
};

const struct ktest_suite proc_test_suite = {proc_tests, KTEST_COUNT(proc_tests)};
