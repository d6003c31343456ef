/*
 * kernel/core/fpu_tests.c: in-kernel tests of the user register state that
 * lives outside the trap frame (arch/x86_64/thread_arch.c): x87/SSE/AVX
 * registers, PKRU and the FS/GS bases. Processes run user_blob_fpu
 * (arch/x86_64/fpu_test_blobs.S), which checks that it starts clean, loads a
 * pattern of its own seed, is switched away from hundreds of times and
 * checks the pattern again. It logs one line only when every register
 * survived, so the number of new log lines says how many processes passed,
 * whatever order they ended in.
 */
#include <keel/syscall.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/cpufeatures.h"
#include "arch/x86_64/fpu.h"
#include "arch/x86_64/fpu_test_blobs.h"
#include "arch/x86_64/paging.h"
#include "core/arch.h"
#include "core/console.h"
#include "core/ktest.h"
#include "core/syscall.h"
#include "core/thread.h"
#include "lib/kstring.h"
#include "mm/pmm.h"
#include "mm/vm.h"

#define TEST_CODE_VA    0x400000ull
#define TEST_CODE_PAGES 2 /* user_blob_fpu is about 5.5 KiB */
#define TEST_STACK_TOP  0x7fff00000000ull
#define TEST_STACK_SIZE (16 * 1024)
#define TEST_SEED_A     0x5a1
#define TEST_SEED_B     0xb0b

extern const char user_blob_fpu[], user_blob_fpu_end[];

/* The flags for what this CPU runs: AVX, PKU and FSGSBASE where they are on. */
static uint64_t test_fpu_flags(void)
{
	uint64_t flags = 0;

	if (fpu_info.xcr0 & CPU_XCR0_AVX)
		flags |= FPU_BLOB_AVX;
	if (cpufeatures_on(CPUFEATURE_PKU))
		flags |= FPU_BLOB_PKU;
	if (cpufeatures_on(CPUFEATURE_FSGSBASE))
		flags |= FPU_BLOB_FSGSBASE;
	return flags;
}

/* A process running user_blob_fpu with rdi = flags | seed, queued on CPU `cpu`. */
static const char *test_fpu_spawn_on(uint64_t flags, uint64_t seed, uint32_t cpu)
{
	struct process *p = process_create("fputest");
	size_t size = (size_t)(user_blob_fpu_end - user_blob_fpu);

	if (!p)
		return ktest_fail("no memory for a process");
	if (size > TEST_CODE_PAGES * KEEL_PAGE_SIZE ||
	    aspace_map_anon(&p->as, TEST_CODE_VA, TEST_CODE_PAGES * KEEL_PAGE_SIZE, PAGING_EXEC) !=
		0 ||
	    aspace_map_anon(&p->as, TEST_STACK_TOP - TEST_STACK_SIZE, TEST_STACK_SIZE,
			    PAGING_WRITE) != 0 ||
	    aspace_map_anon(&p->as, FPU_BLOB_DATA, KEEL_PAGE_SIZE, PAGING_WRITE) != 0) {
		process_destroy_unstarted(p);
		return ktest_fail("cannot map the test program");
	}
	/* Page by page: the pages need not be contiguous in the direct map. */
	for (size_t off = 0; off < size; off += KEEL_PAGE_SIZE) {
		void *page = aspace_kernel_view(&p->as, TEST_CODE_VA + off);

		if (!page) {
			process_destroy_unstarted(p);
			return ktest_fail("code page %zu not mapped",
					  (size_t)(off / KEEL_PAGE_SIZE));
		}
		memcpy(page, user_blob_fpu + off,
		       size - off < KEEL_PAGE_SIZE ? size - off : KEEL_PAGE_SIZE);
	}
	if (!thread_create_user_on(p, TEST_CODE_VA, TEST_STACK_TOP,
				   flags | seed << FPU_BLOB_SEED_SHIFT, SCHED_PRIORITY_APP, cpu)) {

		process_destroy_unstarted(p);
		return ktest_fail("no memory for a thread");
	}
	return NULL;
}

static const char *test_fpu_spawn(uint64_t flags, uint64_t seed)
{
	return test_fpu_spawn_on(flags, seed, arch_cpu_index());
}

/*
 * The checker can fail: told to compare against another seed, the program
 * ends with code 1 (xmm0) and logs nothing. Also warms the slab caches up
 * (each keeps an empty slab), so the page counts below settle.
 */
static const char *test_fpu_check_can_fail(void)
{
	uint64_t lines = syscall_log_lines();
	struct sched_stats s;
	const char *err;

	if ((err = test_fpu_spawn(test_fpu_flags() | FPU_BLOB_CORRUPT, TEST_SEED_A)) != NULL)
		return err;
	sched_run_until_idle();
	sched_read_stats(&s);
	if (s.last_killed || s.last_status != FPU_BLOB_FAIL_XMM0)
		return ktest_fail("a wrong pattern ended %s %lld, expected exit %d",
				  s.last_killed ? "killed by" : "with", (long long)s.last_status,
				  FPU_BLOB_FAIL_XMM0);
	if (syscall_log_lines() != lines)
		return ktest_fail("a wrong pattern logged success");
	return NULL;
}

/*
 * Two processes with different patterns switched between `loops` times each
 * (by yielding, or by the tick with FPU_BLOB_SPIN): both must log success,
 * and every page must come back.
 */
static const char *test_fpu_two_processes(const char *name, uint64_t mode, uint64_t min_switches)
{
	uint64_t flags = test_fpu_flags() | mode, lines = syscall_log_lines();
	struct sched_stats before, s;
	struct buddy_stats pb, pa;
	uint64_t switches, passed;
	const char *err;

	sched_read_stats(&before);
	vm_read_steady_stats(&pb);
	if ((err = test_fpu_spawn(flags, TEST_SEED_A)) ||
	    (err = test_fpu_spawn(flags, TEST_SEED_B)))
		return err;
	sched_run_until_idle();
	sched_read_stats(&s);
	vm_read_steady_stats(&pa);
	switches = s.context_switches - before.context_switches;
	passed = syscall_log_lines() - lines;
	kprintf("# %s: %s, %u-byte areas, components 0x%llx, avx %s, pku %s, fsgsbase %s; %llu "
		"context switches; %llu of 2 passed\n",
		name, fpu_info_method(), fpu_info.size, (unsigned long long)fpu_info.xcr0,
		(flags & FPU_BLOB_AVX) ? "on" : "off", (flags & FPU_BLOB_PKU) ? "on" : "off",
		(flags & FPU_BLOB_FSGSBASE) ? "on" : "off", (unsigned long long)switches,
		(unsigned long long)passed);
	if (s.processes_ended != before.processes_ended + 2)
		return ktest_fail("%llu of 2 processes ended",
				  (unsigned long long)(s.processes_ended - before.processes_ended));
	if (passed != 2)
		return ktest_fail("%llu of 2 kept their registers; the last ended %s %lld",
				  (unsigned long long)passed, s.last_killed ? "killed by" : "with",
				  (long long)s.last_status);
	if (switches < min_switches)
		return ktest_fail("only %llu context switches, expected at least %llu",
				  (unsigned long long)switches, (unsigned long long)min_switches);
	if (pa.free_pages != pb.free_pages)
		return ktest_fail("%lld pages not given back",
				  (long long)(pb.free_pages - pa.free_pages));
	return NULL;
}

/* Switched by yielding: 300 yields each, so at least 600 switches. */
static const char *test_fpu_state_across_yields(void)
{
	return test_fpu_two_processes("fpu_state_across_yields", 0, 2 * FPU_BLOB_LOOPS);
}

/*
 * Switched by the tick only (on the way out of an interrupt): in, at least
 * one switch to the other and back, out makes more than 3.
 */
static const char *test_fpu_state_across_preemption(void)
{
	return test_fpu_two_processes("fpu_state_across_preemption", FPU_BLOB_SPIN, 4);
}

/*
 * Two pairs at once on two CPUs, each pair switching by yields on its own
 * CPU: every CPU saves and restores its own threads only (the XSAVEOPT
 * argument of fpu.c). Needs a second CPU.
 */
static const char *test_fpu_state_on_two_cpus(void)
{
	uint64_t flags = test_fpu_flags(), lines = syscall_log_lines();
	uint32_t other = arch_cpu_index() == 0 ? 1 : 0;
	struct sched_stats before, s;
	const char *err;

	if (arch_cpu_count() < 2) {
		kprintf("# fpu_state_on_two_cpus: one CPU, nothing to run\n");
		return NULL;
	}
	sched_read_stats(&before);
	if ((err = test_fpu_spawn_on(flags, TEST_SEED_A, other)) ||
	    (err = test_fpu_spawn_on(flags, TEST_SEED_B, other)) ||
	    (err = test_fpu_spawn(flags, TEST_SEED_A + 2)) ||
	    (err = test_fpu_spawn(flags, TEST_SEED_B + 2)))
		return err;
	sched_run_until_idle();
	sched_read_stats(&s);
	kprintf("# fpu_state_on_two_cpus: CPUs %u and %u; %llu of 4 passed\n", arch_cpu_index(),
		other, (unsigned long long)(syscall_log_lines() - lines));
	if (s.processes_ended != before.processes_ended + 4)
		return ktest_fail("%llu of 4 processes ended",
				  (unsigned long long)(s.processes_ended - before.processes_ended));
	if (syscall_log_lines() - lines != 4)
		return ktest_fail("%llu of 4 kept their registers",
				  (unsigned long long)(syscall_log_lines() - lines));
	return NULL;
}

static const struct ktest fpu_tests[] = {
    KTEST(fpu_check_can_fail),
    KTEST(fpu_state_across_yields),
    KTEST(fpu_state_across_preemption),
    KTEST(fpu_state_on_two_cpus),
};

const struct ktest_suite fpu_test_suite = {fpu_tests, KTEST_COUNT(fpu_tests)};
