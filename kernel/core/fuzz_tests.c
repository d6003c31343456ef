/*
 * kernel/core/fuzz_tests.c: the system-call boundary under attack (Keel
 * issue 5 item 8). sysfuzz_* runs the ramdisk program bin/sysfuzz
 * (drivers-user/sysfuzz): every call with each class of bad argument, then
 * 100,000 random calls; it must end with status 0 (no failed check), and
 * the accounting must show nothing kept: the same free pages, the same
 * live IPC objects and the same processes and thread objects as before. notify_race_* runs the
 * blobs of arch/x86_64/fuzz_test_blobs.S on two CPUs: 10,000 signals against a waiter that must see
 * every bit.
 */
#include <keel/syscall.h>

#include "arch/x86_64/paging.h"
#include "arch/x86_64/tsc.h"
#include "core/arch.h"
#include "core/console.h"
#include "core/ipc.h"
#include "core/vmo.h"
#include "core/ktest.h"
#include "core/loader.h"
#include "core/proc.h"
#include "core/thread.h"
#include "lib/fmt.h"
#include "lib/kstring.h"
#include "mm/pmm.h"
#include "mm/vm.h"

#define FUZZ_PATH       "bin/sysfuzz"
#define FUZZ_ARG_BITS   20           /* drivers-user/sysfuzz: a handle per 20 bits */
#define FUZZ_ARG_SHORT  (1ull << 62) /* ... a warm-up with fewer random calls */
#define FUZZ_CODE_VA    0x400000ull
#define FUZZ_STACK_TOP  0x7fff00000000ull
#define FUZZ_STACK_SIZE (16 * 1024)

extern const char fuzz_blob_race_signaller[], fuzz_blob_race_signaller_end[];
extern const char fuzz_blob_race_waiter[], fuzz_blob_race_waiter_end[];

/* ---- bin/sysfuzz ---- */

struct fuzz_objects {
	struct object *ep, *notif;
	uint64_t flags;
	struct process *p; /* sysfuzz, with a reference: its children may end after it */
};

/* The loader hook: sysfuzz's three handles, packed into its argument. */
static int fuzz_give_handles(struct process *p, void *ctx, uint64_t *arg, uint64_t *stack_top)
{
	struct fuzz_objects *o = ctx;
	int64_t h[3] = {
	    ipc_handle_add(p, o->ep, KEEL_RIGHT_WRITE),
	    ipc_handle_add(p, o->notif, KEEL_RIGHT_SIGNAL | KEEL_RIGHT_WAIT | KEEL_RIGHT_DUPLICATE),
	    ipc_handle_add(p, o->notif, KEEL_RIGHT_WAIT),
	};

	(void)stack_top;
	*arg = o->flags;
	for (int i = 0; i < 3; i++) {
		if (h[i] < 0)
			return (int)h[i];
		if ((uint64_t)h[i] >> FUZZ_ARG_BITS)
			return -KEEL_ERANGE;
		*arg |= (uint64_t)h[i] << (FUZZ_ARG_BITS * i);
	}
	ipc_object_ref(&p->obj); /* dropped by fuzz_run once it has read how sysfuzz ended */
	o->p = p;
	return 0;
}

/* One run of bin/sysfuzz to its end: NULL when it ended with 0. */
static const char *fuzz_run(uint64_t flags, uint64_t *ns)
{
	struct fuzz_objects o = {ipc_object_create(KEEL_OBJ_ENDPOINT),
				 ipc_object_create(KEEL_OBJ_NOTIFICATION), flags, NULL};
	bool killed;
	int64_t status;
	struct loader_hook hook = {fuzz_give_handles, &o};
	struct sched_stats before, after;
	char why[128];
	struct process *p;
	uint64_t t0;
	int err = -KEEL_ENOMEM;

	sched_read_stats(&before);
	if (o.ep && o.notif)
		err = loader_start_with(FUZZ_PATH, "sysfuzz", SCHED_PRIORITY_APP, &hook, &p, why,
					sizeof(why));
	else
		fmt_snprintf(why, sizeof(why), "no memory for its objects");
	/* The handles hold them now (or nothing does). */
	if (o.ep)
		ipc_object_unref(o.ep);
	if (o.notif)
		ipc_object_unref(o.notif);
	if (err != 0) {
		if (o.p)
			ipc_object_unref(&o.p->obj); /* a failed start after the hook */
		return ktest_fail("cannot start " FUZZ_PATH ": %s", why);
	}
	t0 = arch_read_tsc();
	sched_run_until_idle();
	*ns = tsc_info.hz ? (arch_read_tsc() - t0) / (tsc_info.hz / 1000000) * 1000 : 0;
	sched_read_stats(&after);
	killed = o.p->killed;
	status = o.p->exit_status;
	ipc_object_unref(&o.p->obj);
	/* sysfuzz and the children it started threads in (each killed by its first fault). */
	if (after.processes_ended == before.processes_ended)
		return ktest_fail("no process ended");
	if (killed || status != 0)
		return ktest_fail(FUZZ_PATH " %s %lld (%s)",
				  killed ? "killed by vector" : "ended with", (long long)status,
				  killed ? "a fault" : "checks failed");
	return NULL;
}

static const char *test_sysfuzz(void)
{
	struct buddy_stats pb, pa;
	uint64_t live, procs, ns;
	const char *err;

	/* A short run first: slab caches and handle tables keep what they keep after one. */
	if ((err = fuzz_run(FUZZ_ARG_SHORT, &ns)) != NULL)
		return err;
	vmo_prime_caches(); /* the short run may not have mapped a VMO yet */
	live = ipc_objects_live();
	procs = proc_objects_live();
	vm_read_steady_stats(&pb);
	if ((err = fuzz_run(0, &ns)) != NULL)
		return err;
	vm_read_steady_stats(&pa);
	kprintf("# sysfuzz: 100000 random calls and the checks in %llu ms\n",
		(unsigned long long)(ns / 1000000));
	if (pa.free_pages != pb.free_pages)
		return ktest_fail("%lld pages not given back",
				  (long long)(pb.free_pages - pa.free_pages));
	if (ipc_objects_live() != live)
		return ktest_fail("%llu IPC objects live after, %llu before",
				  (unsigned long long)ipc_objects_live(), (unsigned long long)live);
	if (proc_objects_live() != procs)
		return ktest_fail("%llu processes and thread objects live after, %llu before",
				  (unsigned long long)proc_objects_live(),
				  (unsigned long long)procs);
	return NULL;
}

/* ---- The notification race ---- */

/* A blob process on `cpu` with handles to n and a (rights rn, ra) in rdi = n | a << 32. */
static const char *race_spawn(const char *start, const char *end, struct object *n, uint32_t rn,
			      struct object *a, uint32_t ra, uint32_t cpu)
{
	struct process *p = process_create("race");
	int64_t hn, ha;

	if (!p)
		return ktest_fail("no memory for a process");
	if ((size_t)(end - start) > KEEL_PAGE_SIZE ||
	    aspace_map_anon(&p->as, FUZZ_CODE_VA, KEEL_PAGE_SIZE, PAGING_EXEC) != 0 ||
	    aspace_map_anon(&p->as, FUZZ_STACK_TOP - FUZZ_STACK_SIZE, FUZZ_STACK_SIZE,
			    PAGING_WRITE) != 0 ||
	    (hn = ipc_handle_add(p, n, rn)) < 0 || (ha = ipc_handle_add(p, a, ra)) < 0 ||
	    (uint64_t)hn >> 32 || (uint64_t)ha >> 32) {
		process_destroy_unstarted(p);
		return ktest_fail("cannot set up the race process");
	}
	memcpy(aspace_kernel_view(&p->as, FUZZ_CODE_VA), start, (size_t)(end - start));
	if (!thread_create_user_on(p, FUZZ_CODE_VA, FUZZ_STACK_TOP,
				   (uint64_t)hn | (uint64_t)ha << 32, SCHED_PRIORITY_APP, cpu)) {
		process_destroy_unstarted(p);
		return ktest_fail("no memory for a thread");
	}
	return NULL;
}

static const char *const race_verdicts[] = {
    "every bit seen", "a wait returned 0 or an error", "a bit never seen",
    "no answer within 5 s (a lost wake-up?)", "a signal failed"};

static const char *test_notify_race_two_cpus(void)
{
	struct object *n, *a;
	struct sched_stats before, after;
	const char *err;
	uint32_t me = arch_cpu_index(), other = me == 0 ? 1 : 0;
	uint64_t t0;

	if (arch_cpu_count() < 2) {
		kprintf("# notify_race_two_cpus: skipped, one CPU\n");
		return NULL;
	}
	n = ipc_object_create(KEEL_OBJ_NOTIFICATION);
	a = ipc_object_create(KEEL_OBJ_NOTIFICATION);
	if (!n || !a) {
		if (n)
			ipc_object_unref(n);
		if (a)
			ipc_object_unref(a);
		return ktest_fail("no notification");
	}
	sched_read_stats(&before);
	err = race_spawn(fuzz_blob_race_waiter, fuzz_blob_race_waiter_end, n, KEEL_RIGHT_WAIT, a,
			 KEEL_RIGHT_SIGNAL, me);
	if (!err)
		err = race_spawn(fuzz_blob_race_signaller, fuzz_blob_race_signaller_end, n,
				 KEEL_RIGHT_SIGNAL, a, KEEL_RIGHT_WAIT, other);
	ipc_object_unref(n);
	ipc_object_unref(a);
	if (err)
		return err;
	t0 = arch_read_tsc();
	sched_run_until_idle();
	sched_read_stats(&after);
	kprintf(
	    "# notify_race: 10000 signals from CPU %u to a waiter on CPU %u in %llu ms\n", other,
	    me,
	    (unsigned long long)(tsc_info.hz ? (arch_read_tsc() - t0) / (tsc_info.hz / 1000) : 0));
	if (after.processes_ended != before.processes_ended + 2)
		return ktest_fail(
		    "%llu processes ended, expected 2",
		    (unsigned long long)(after.processes_ended - before.processes_ended));
	if (after.last_killed)
		return ktest_fail("a race process was killed by vector %lld",
				  (long long)after.last_status);
	if (after.last_status != 0)
		return ktest_fail("verdict %lld: %s", (long long)after.last_status,
				  after.last_status > 0 && after.last_status < 5
				      ? race_verdicts[after.last_status]
				      : "unknown");
	return NULL;
}

static const struct ktest fuzz_tests[] = {
    KTEST(sysfuzz),
    KTEST(notify_race_two_cpus),
};

const struct ktest_suite fuzz_test_suite = {fuzz_tests, KTEST_COUNT(fuzz_tests)};
