/*
 * kernel/core/user_tests.c: in-kernel tests of user mode: processes run the
 * tiny programs of arch/x86_64/user_test_blobs.S, and the tests check how
 * they ended (exit status, or killed by which vector), what they logged, and
 * that every page they used came back.
 */
#include <keel/syscall.h>

#include "arch/x86_64/paging.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/tsc.h"
#include "core/arch.h"
#include "core/console.h"
#include "core/ktest.h"
#include "core/loader.h"
#include "core/syscall.h"
#include "core/thread.h"
#include "lib/kstring.h"
#include "mm/pmm.h"
#include "mm/vm.h"

#define TEST_CODE_VA    0x400000ull
#define TEST_STACK_TOP  0x7fff00000000ull
#define TEST_STACK_SIZE (16 * 1024)
#define TEST_DATA_VA    0x500000ull
#define TEST_DATA_PAGES 2
#define TEST_SPIN_LONG  300000000ull /* iterations: long enough to be caught running */
#define TEST_TRAP_PF    14
#define TEST_TRAP_GP    13

extern const char user_blob_hello[], user_blob_hello_end[];
extern const char user_blob_kernel_read[], user_blob_kernel_read_end[];
extern const char user_blob_bad_pointers[], user_blob_bad_pointers_end[];
extern const char user_blob_yield[], user_blob_yield_end[];
extern const char user_blob_spin[], user_blob_spin_end[];
extern const char user_blob_privileged[], user_blob_privileged_end[];

/*
 * A process running [start, end) at TEST_CODE_VA with rdi = arg on CPU
 * `cpu` at `priority`, with TEST_DATA_PAGES spare data pages at TEST_DATA_VA;
 * queued, not yet run. *out (may be NULL) gets it.
 */
static const char *test_spawn_on(const char *start, const char *end, uint64_t arg, uint32_t cpu,
				 uint32_t priority, struct process **out)
{
	struct process *p = process_create("utest");
	size_t size = (size_t)(end - start);

	if (!p)
		return ktest_fail("no memory for a process");
	if (size > KEEL_PAGE_SIZE ||
	    aspace_map_anon(&p->as, TEST_CODE_VA, KEEL_PAGE_SIZE, PAGING_EXEC) != 0 ||
	    aspace_map_anon(&p->as, TEST_STACK_TOP - TEST_STACK_SIZE, TEST_STACK_SIZE,
			    PAGING_WRITE) != 0 ||
	    aspace_map_anon(&p->as, TEST_DATA_VA, TEST_DATA_PAGES * KEEL_PAGE_SIZE, PAGING_WRITE) !=
		0) {
		process_destroy_unstarted(p);
		return ktest_fail("cannot map the test program");
	}
	memcpy(aspace_kernel_view(&p->as, TEST_CODE_VA), start, size);
	if (!thread_create_user_on(p, TEST_CODE_VA, TEST_STACK_TOP, arg, priority, cpu)) {
		process_destroy_unstarted(p);
		return ktest_fail("no memory for a thread");
	}
	if (out)
		*out = p;
	return NULL;
}

/* The same on this CPU at application priority. */
static const char *test_spawn(const char *start, const char *end, uint64_t arg)
{
	return test_spawn_on(start, end, arg, arch_cpu_index(), SCHED_PRIORITY_APP, NULL);
}

/* Run one program to its end: how it ended, and whether every page came back. */
static const char *test_run(const char *start, const char *end, uint64_t arg,
			    struct sched_stats *out)
{
	struct buddy_stats before, after;
	const char *err;

	vm_read_steady_stats(&before);
	if ((err = test_spawn(start, end, arg)) != NULL)
		return err;
	sched_run_until_idle();
	sched_read_stats(out);
	vm_read_steady_stats(&after);
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
	vm_read_steady_stats(&pb);
	if ((err = test_spawn(user_blob_yield, user_blob_yield_end, 0)) ||
	    (err = test_spawn(user_blob_yield, user_blob_yield_end, 0)))
		return err;
	cb = *c;
	sched_run_until_idle();
	ca = *c;
	sched_read_stats(&s);
	vm_read_steady_stats(&pa);
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

	vm_read_steady_stats(&before);
	if (loader_start_image(garbage, sizeof(garbage), "bad", SCHED_PRIORITY_APP, 0, &p, why,
			       sizeof(why)) != -KEEL_EINVAL)
		return ktest_fail("garbage was accepted");
	if (loader_start("etc/init.conf", "bad", SCHED_PRIORITY_APP, 0, &p, why, sizeof(why)) !=
	    -KEEL_EINVAL)
		return ktest_fail("a text file was accepted");
	if (loader_start("bin/nothing", "bad", SCHED_PRIORITY_APP, 0, &p, why, sizeof(why)) !=
	    -KEEL_ENOENT)
		return ktest_fail("a missing file was not reported as missing");
	vm_read_steady_stats(&after);
	if (after.free_pages != before.free_pages)
		return ktest_fail("refused images cost pages");
	return NULL;
}

/* Wait (at most about two seconds) until CPU `cpu` runs a thread of p. */
static bool test_wait_running(uint32_t cpu, const struct process *p)
{
	uint64_t t0 = tsc_read(), limit = tsc_info.hz ? 2 * tsc_info.hz : 2000000000ull;

	while (tsc_read() - t0 < limit) {
		const struct thread *t =
		    __atomic_load_n(&percpu_get(cpu)->current, __ATOMIC_ACQUIRE);

		if (t && t->proc == p)
			return true;
		arch_cpu_relax();
	}
	return false;
}

/*
 * DESIGN.md §4's event counts on the path this machine runs: an unmap while
 * the other CPU runs a different address space sends 0 IPIs; while it runs
 * the same one, exactly 1.
 */
static const char *test_user_shootdown_counts(void)
{
	const struct pcid_counters *c = &percpu_this()->pcid.counters;
	uint32_t other = arch_cpu_index() == 0 ? 1 : 0;
	struct process *a, *b;
	uint64_t sent, same, different;
	const char *err;

	if (arch_cpu_count() < 2) {
		kprintf("# user_shootdown_counts: one CPU, nothing to count\n");
		return NULL;
	}
	if ((err = test_spawn_on(user_blob_spin, user_blob_spin_end, TEST_SPIN_LONG, other,
				 SCHED_PRIORITY_APP, &a)) != NULL)
		return err;
	if (!test_wait_running(other, a))
		return ktest_fail("CPU %u never ran the first process", other);
	sent = c->ipi_sent;
	if (aspace_unmap(&a->as, TEST_DATA_VA, KEEL_PAGE_SIZE) != 0)
		return ktest_fail("unmap refused");
	same = c->ipi_sent - sent;
	/* A second process of higher priority takes the other CPU over. */
	if ((err = test_spawn_on(user_blob_spin, user_blob_spin_end, TEST_SPIN_LONG / 2, other,
				 SCHED_PRIORITY_DRIVER, &b)) != NULL)
		return err;
	if (!test_wait_running(other, b))
		return ktest_fail("CPU %u never ran the second process", other);
	sent = c->ipi_sent;
	if (aspace_unmap(&a->as, TEST_DATA_VA + KEEL_PAGE_SIZE, KEEL_PAGE_SIZE) != 0)
		return ktest_fail("unmap refused");
	different = c->ipi_sent - sent;
	sched_run_until_idle();
	kprintf("# user_shootdown_counts: unmap while CPU %u runs the same address space: %llu "
		"IPIs; a different one: %llu\n",
		other, (unsigned long long)same, (unsigned long long)different);
	if (same != 1 || different != 0)
		return ktest_fail("%llu and %llu shootdown IPIs, expected 1 and 0",
				  (unsigned long long)same, (unsigned long long)different);
	return NULL;
}

static const struct ktest user_tests[] = {
    KTEST(user_hello),          KTEST(user_faults_kill),      KTEST(user_bad_pointers),
    KTEST(user_yield_switches), KTEST(user_preemption),       KTEST(user_init_from_ramdisk),
    KTEST(user_bad_images),     KTEST(user_shootdown_counts),
};

const struct ktest_suite user_test_suite = {user_tests, KTEST_COUNT(user_tests)};
