/*
 * kernel/core/user_tests.c: in-kernel tests of user mode: processes run the
 * tiny programs of arch/x86_64/user_test_blobs.S, and the tests check how
 * they ended (exit status, or killed by which vector), what they logged, and
 * that every page they used came back.
 */
#include <keel/syscall.h>

#include "arch/x86_64/paging.h"
#include "arch/x86_64/percpu.h"
#include "core/console.h"
#include "core/ktest.h"
#include "core/loader.h"
#include "core/syscall.h"
#include "core/thread.h"
#include "lib/kstring.h"
#include "mm/pmm.h"

#define TEST_CODE_VA    0x400000ull
#define TEST_STACK_TOP  0x7fff00000000ull
#define TEST_STACK_SIZE (16 * 1024)
#define TEST_TRAP_PF    14
#define TEST_TRAP_GP    13

extern const char user_blob_hello[], user_blob_hello_end[];
extern const char user_blob_kernel_read[], user_blob_kernel_read_end[];
extern const char user_blob_bad_pointers[], user_blob_bad_pointers_end[];
extern const char user_blob_yield[], user_blob_yield_end[];
extern const char user_blob_spin[], user_blob_spin_end[];
extern const char user_blob_privileged[], user_blob_privileged_end[];

/* A process running [start, end) at TEST_CODE_VA with rdi = arg; queued, not yet run. */
static const char *test_spawn(const char *start, const char *end, uint64_t arg)
{
	struct process *p = process_create("utest");
	size_t size = (size_t)(end - start);

	if (!p)
		return ktest_fail("no memory for a process");
	if (size > KEEL_PAGE_SIZE ||
	    aspace_map_anon(&p->as, TEST_CODE_VA, KEEL_PAGE_SIZE, PAGING_EXEC) != 0 ||
	    aspace_map_anon(&p->as, TEST_STACK_TOP - TEST_STACK_SIZE, TEST_STACK_SIZE,
			    PAGING_WRITE) != 0) {
		process_destroy_unstarted(p);
		return ktest_fail("cannot map the test program");
	}
	memcpy(aspace_kernel_view(&p->as, TEST_CODE_VA), start, size);
	if (!thread_create_user(p, TEST_CODE_VA, TEST_STACK_TOP, arg, SCHED_PRIORITY_APP)) {
		process_destroy_unstarted(p);
		return ktest_fail("no memory for a thread");
	}
	return NULL;
}

/* Run one program to its end: how it ended, and whether every page came back. */
static const char *test_run(const char *start, const char *end, uint64_t arg,
			    struct sched_stats *out)
{
	struct buddy_stats before, after;
	const char *err;

	pmm_read_stats(&before);
	if ((err = test_spawn(start, end, arg)) != NULL)
		return err;
	sched_run_until_idle();
	sched_read_stats(out);
	pmm_read_stats(&after);
	if (after.free_pages != before.free_pages)
		return ktest_fail("%lld pages not given back",
				  (long long)(before.free_pages - after.free_pages));
	return NULL;
}

static const char *test_user_hello(void)
{
	uint64_t lines;
	struct sched_stats s;
	const char *err;

	/*
	 * A first run warms the thread and process slab caches up: each keeps
	 * one empty slab, so the page count settles only after it.
	 */
	if ((err = test_spawn(user_blob_hello, user_blob_hello_end, 0)) != NULL)
		return err;
	sched_run_until_idle();
	lines = syscall_log_lines();
	if ((err = test_run(user_blob_hello, user_blob_hello_end, 0, &s)) != NULL)
		return err;
	if (s.last_killed || s.last_status != 7)
		return ktest_fail("ended %s %lld, expected exit 7",
				  s.last_killed ? "killed" : "with", (long long)s.last_status);
	if (syscall_log_lines() != lines + 1)
		return ktest_fail("%llu log lines for one",
				  (unsigned long long)(syscall_log_lines() - lines));
	return NULL;
}

/* Touching kernel memory or running a privileged instruction kills only the process. */
static const char *test_user_faults_kill(void)
{
	struct sched_stats s;
	const char *err = test_run(user_blob_kernel_read, user_blob_kernel_read_end, 0, &s);

	if (err)
		return err;
	if (!s.last_killed || s.last_status != TEST_TRAP_PF)
		return ktest_fail("kernel read: ended %s %lld, expected killed by #PF",
				  s.last_killed ? "killed" : "with", (long long)s.last_status);
	err = test_run(user_blob_privileged, user_blob_privileged_end, 0, &s);
	if (err)
		return err;
	if (!s.last_killed || s.last_status != TEST_TRAP_GP)
		return ktest_fail("cli: ended %s %lld, expected killed by #GP",
				  s.last_killed ? "killed" : "with", (long long)s.last_status);
	return NULL;
}

/* A kernel pointer, an unmapped user pointer and a huge length: each refused with its code. */
static const char *test_user_bad_pointers(void)
{
	struct sched_stats s;
	int64_t want = KEEL_EFAULT | KEEL_EFAULT << 8 | KEEL_E2BIG << 16;
	const char *err = test_run(user_blob_bad_pointers, user_blob_bad_pointers_end, 0, &s);

	if (err)
		return err;
	if (s.last_killed || s.last_status != want)
		return ktest_fail("results 0x%llx, expected 0x%llx", (long long)s.last_status,
				  (long long)want);
	return NULL;
}

/*
 * Two processes yielding to each other 500 times each: registers survive
 * every switch, and with PCID the 1,000 switches between the two address
 * spaces load CR3 without a flush once both have a slot (DESIGN.md §4).
 */
static const char *test_user_yield_switches(void)
{
	const struct pcid_counters *c = &percpu_this()->pcid.counters;
	struct pcid_counters cb, ca;
	struct sched_stats before, s;
	struct buddy_stats pb, pa;
	uint64_t switches;
	const char *err;

	sched_read_stats(&before);
	pmm_read_stats(&pb);
	if ((err = test_spawn(user_blob_yield, user_blob_yield_end, 0)) ||
	    (err = test_spawn(user_blob_yield, user_blob_yield_end, 0)))
		return err;
	cb = *c;
	sched_run_until_idle();
	ca = *c;
	sched_read_stats(&s);
	pmm_read_stats(&pa);
	switches = s.context_switches - before.context_switches;
	if (s.processes_ended != before.processes_ended + 2 || s.last_status != 500)
		return ktest_fail("%llu ended, last status %lld (expected 2, 500)",
				  (unsigned long long)(s.processes_ended - before.processes_ended),
				  (long long)s.last_status);
	kprintf("# user_yield_switches: %llu context switches; CR3 loads %llu kept, %llu "
		"flushed (%s)\n",
		(unsigned long long)switches,
		(unsigned long long)(ca.switch_noflush - cb.switch_noflush),
		(unsigned long long)(ca.switch_flush - cb.switch_flush),
		percpu_this()->pcid.pcid ? "PCID on" : "PCID off");
	if (switches < 1000)
		return ktest_fail("only %llu switches for 1000 yields",
				  (unsigned long long)switches);
	/* Idle to A and A to B take a slot each; every later switch keeps the TLB. */
	if (percpu_this()->pcid.pcid && ca.switch_flush - cb.switch_flush > 2)
		return ktest_fail("%llu flushing CR3 loads with PCID",
				  (unsigned long long)(ca.switch_flush - cb.switch_flush));
	if (!percpu_this()->pcid.pcid && ca.switch_flush - cb.switch_flush < 1000)
		return ktest_fail("without PCID only %llu of the loads flushed",
				  (unsigned long long)(ca.switch_flush - cb.switch_flush));
	if (pa.free_pages != pb.free_pages)
		return ktest_fail("pages not given back");
	return NULL;
}

/* Two spinning processes: only the tick can switch between them, and it does. */
static const char *test_user_preemption(void)
{
	struct sched_stats before, s;
	const char *err;

	sched_read_stats(&before);
	if ((err = test_spawn(user_blob_spin, user_blob_spin_end, 20000000)) ||
	    (err = test_spawn(user_blob_spin, user_blob_spin_end, 20000000)))
		return err;
	sched_run_until_idle();
	sched_read_stats(&s);
	kprintf("# user_preemption: %llu context switches\n",
		(unsigned long long)(s.context_switches - before.context_switches));
	if (s.processes_ended != before.processes_ended + 2)
		return ktest_fail("the spinning processes did not both end");
	/* In, switch to the other on a tick at least once, back, out: more than 3. */
	if (s.context_switches - before.context_switches <= 3)
		return ktest_fail(
		    "no preemption: %llu switches",
		    (unsigned long long)(s.context_switches - before.context_switches));
	return NULL;
}

/* The real init from the ramdisk: loaded through the strict ELF checks, it says hello and exits 0.
 */
static const char *test_user_init_from_ramdisk(void)
{
	char why[120];
	struct process *p;
	struct sched_stats s;
	uint64_t lines = syscall_log_lines();
	int err = loader_start("bin/init", "init", SCHED_PRIORITY_DRIVER, 0, &p, why, sizeof(why));

	if (err != 0)
		return ktest_fail("bin/init not started: %s", why);
	sched_run_until_idle();
	sched_read_stats(&s);
	if (s.last_killed || s.last_status != 0)
		return ktest_fail("init ended %s %lld", s.last_killed ? "killed by" : "with status",
				  (long long)s.last_status);
	if (syscall_log_lines() == lines)
		return ktest_fail("init logged nothing");
	return NULL;
}

/* Programs that are not: garbage, a truncated ELF, the kernel itself. */
static const char *test_user_bad_images(void)
{
	static const char garbage[64] = "not an ELF file at all";
	char why[120];
	struct process *p;
	struct buddy_stats before, after;

	pmm_read_stats(&before);
	if (loader_start_image(garbage, sizeof(garbage), "bad", SCHED_PRIORITY_APP, 0, &p, why,
			       sizeof(why)) != -KEEL_EINVAL)
		return ktest_fail("garbage was accepted");
	if (loader_start("etc/init.conf", "bad", SCHED_PRIORITY_APP, 0, &p, why, sizeof(why)) !=
	    -KEEL_EINVAL)
		return ktest_fail("a text file was accepted");
	if (loader_start("bin/nothing", "bad", SCHED_PRIORITY_APP, 0, &p, why, sizeof(why)) !=
	    -KEEL_ENOENT)
		return ktest_fail("a missing file was not reported as missing");
	pmm_read_stats(&after);
	if (after.free_pages != before.free_pages)
		return ktest_fail("refused images cost pages");
	return NULL;
}

static const struct ktest user_tests[] = {
    KTEST(user_hello),          KTEST(user_faults_kill), KTEST(user_bad_pointers),
    KTEST(user_yield_switches), KTEST(user_preemption),  KTEST(user_init_from_ramdisk),
    KTEST(user_bad_images),
};

const struct ktest_suite user_test_suite = {user_tests, KTEST_COUNT(user_tests)};
