/*
 * kernel/core/vmo_tests.c: memory objects, map, unmap and protection keys
 * (vmo.h), with the ring-3 programs of arch/x86_64/vmo_test_blobs.S. Each
 * test checks how its processes ended, what they left in the VMO (read
 * through the kernel's view of its pages), and that every page came back.
 */
#include <keel/syscall.h>

#include "arch/x86_64/cpufeatures.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/vmo_test_blobs.h"
#include "core/arch.h"
#include "core/console.h"
#include "core/ipc.h"
#include "core/ktest.h"
#include "core/thread.h"
#include "core/vmo.h"
#include "lib/kstring.h"
#include "mm/pmm.h"
#include "mm/vm.h"

#define TEST_STACK_TOP 0x7fff00000000ull
#define TEST_STACK     (16 * 1024)
#define TEST_TRAP_PF   14

_Static_assert(VMO_BLOB_MAP_READ == KEEL_MAP_READ && VMO_BLOB_MAP_WRITE == KEEL_MAP_WRITE &&
		   VMO_BLOB_MAP_EXEC == KEEL_MAP_EXEC,
	       "the blobs' map flags");
_Static_assert(VMO_BLOB_RIGHT_READ == KEEL_RIGHT_READ && VMO_BLOB_RIGHT_WRITE == KEEL_RIGHT_WRITE &&
		   VMO_BLOB_RIGHT_MAP == KEEL_RIGHT_MAP,
	       "the blobs' rights");

extern const char user_blob_vmo_rw[], user_blob_vmo_rw_end[];
extern const char user_blob_vmo_share[], user_blob_vmo_share_end[];
extern const char user_blob_vmo_args[], user_blob_vmo_args_end[];
extern const char user_blob_vmo_pkey[], user_blob_vmo_pkey_end[];

/*
 * A process running [start, end) on `cpu`, with rdi = a handle to vmo (all
 * rights) when vmo is not NULL, else rdi = arg. Queued, not yet run.
 */
static const char *test_vmo_spawn(const char *start, const char *end, struct object *vmo,
				  uint64_t arg, uint32_t cpu)
{
	struct process *p = process_create("vmotest");
	int64_t h = (int64_t)arg;

	if (!p)
		return ktest_fail("no memory for a process");
	if ((size_t)(end - start) > KEEL_PAGE_SIZE ||
	    aspace_map_anon(&p->as, VMO_BLOB_CODE_VA, KEEL_PAGE_SIZE, PAGING_EXEC) != 0 ||
	    aspace_map_anon(&p->as, TEST_STACK_TOP - TEST_STACK, TEST_STACK, PAGING_WRITE) != 0 ||
	    (vmo && (h = ipc_handle_add(p, vmo, KEEL_RIGHTS_ALL)) < 0)) {
		process_destroy_unstarted(p);
		return ktest_fail("cannot set up the test process");
	}
	memcpy(aspace_kernel_view(&p->as, VMO_BLOB_CODE_VA), start, (size_t)(end - start));
	if (!thread_create_user_on(p, VMO_BLOB_CODE_VA, TEST_STACK_TOP, (uint64_t)h,
				   SCHED_PRIORITY_APP, cpu)) {
		process_destroy_unstarted(p);
		return ktest_fail("no memory for a thread");
	}
	return NULL;
}

/* Run one program (with a VMO or an argument) to its end; *s: how it ended. */
static const char *test_vmo_run(const char *start, const char *end, struct object *vmo,
				uint64_t arg, struct sched_stats *s)
{
	const char *err = test_vmo_spawn(start, end, vmo, arg, arch_cpu_index());

	if (err)
		return err;
	sched_run_until_idle();
	sched_read_stats(s);
	return NULL;
}

static const char *test_vmo_ended(const struct sched_stats *s, bool killed, int64_t status)
{
	if (s->last_killed != killed || s->last_status != status)
		return ktest_fail("ended %s %lld, expected %s %lld",
				  s->last_killed ? "killed by" : "with", (long long)s->last_status,
				  killed ? "killed by" : "with", (long long)status);
	return NULL;
}

/* Every page back since *before. */
static const char *test_vmo_pages_back(const struct buddy_stats *before)
{
	struct buddy_stats after;

	vm_read_steady_stats(&after);
	if (after.free_pages != before->free_pages)
		return ktest_fail("%lld pages not given back",
				  (long long)(before->free_pages - after.free_pages));
	return NULL;
}

/* Every bad argument class returns its own code; the good calls work; nothing leaks. */
static const char *test_vmo_bad_arguments(void)
{
	uint64_t pku = cpufeatures_on(CPUFEATURE_PKU);
	struct buddy_stats before;
	struct sched_stats s;
	const char *err;

	/* A first run warms the slab caches (process, thread, VMO, mapping) up. */
	if ((err = test_vmo_run(user_blob_vmo_args, user_blob_vmo_args_end, NULL, pku, &s)) ||
	    (err = test_vmo_ended(&s, false, 0)))
		return err;
	vm_read_steady_stats(&before);
	if ((err = test_vmo_run(user_blob_vmo_args, user_blob_vmo_args_end, NULL, pku, &s)) ||
	    (err = test_vmo_ended(&s, false, 0)))
		return err;
	kprintf("# vmo_bad_arguments: 51 steps, pku %s\n", pku ? "on" : "off");
	return test_vmo_pages_back(&before);
}

/* The kernel's side of object creation: size limits, rounding, zeroed pages. */
static const char *test_vmo_create_kernel(void)
{
	struct buddy_stats before;
	struct object *o;
	uint64_t *w;
	int err;

	vm_read_steady_stats(&before);
	if ((err = vmo_create(0, &o)) != -KEEL_EINVAL)
		return ktest_fail("size 0: %d", err);
	if ((err = vmo_create(VMO_SIZE_MAX + 1, &o)) != -KEEL_E2BIG)
		return ktest_fail("size 1 GiB + 1: %d", err);
	if ((err = vmo_create(3 * KEEL_PAGE_SIZE + 1, &o)) != 0)
		return ktest_fail("4 pages: %d", err);
	if (vmo_pages(o) != 4)
		return ktest_fail("%llu pages for 3 pages + 1 byte",
				  (unsigned long long)vmo_pages(o));
	for (uint64_t i = 0; i < 4; i++) {
		w = vmo_kernel_view(o, i);
		for (size_t j = 0; j < KEEL_PAGE_SIZE / sizeof(*w); j++)
			if (w[j] != 0)
				return ktest_fail("page %llu not zeroed", (unsigned long long)i);
	}
	if (vmo_kernel_view(o, 4) != NULL)
		return ktest_fail("a page past the end");
	ipc_object_unref(o);
	return test_vmo_pages_back(&before);
}

/* Map read-write, write and read, unmap, touch again: killed by #PF. */
static const char *test_vmo_map_rw_unmap(void)
{
	struct buddy_stats before;
	struct sched_stats s;
	struct object *vmo;
	const uint64_t *w0, *w1;
	const char *err;

	vm_read_steady_stats(&before);
	if (vmo_create(2 * KEEL_PAGE_SIZE, &vmo) != 0)
		return ktest_fail("no VMO");
	err = test_vmo_run(user_blob_vmo_rw, user_blob_vmo_rw_end, vmo, 0, &s);
	if (!err)
		err = test_vmo_ended(&s, true, TEST_TRAP_PF);
	w0 = vmo_kernel_view(vmo, 0);
	w1 = vmo_kernel_view(vmo, 1);
	if (!err && (w0[0] != VMO_BLOB_MAGIC || w1[1] != VMO_BLOB_MAGIC))
		err = ktest_fail("the VMO holds %llx and %llx", (unsigned long long)w0[0],
				 (unsigned long long)w1[1]);
	ipc_object_unref(vmo);
	return err ? err : test_vmo_pages_back(&before);
}

/* Two processes map one VMO at once (on two CPUs when there are two) and see each other's writes.
 */
static const char *test_vmo_shared(void)
{
	uint32_t me = arch_cpu_index(), other = me;
	struct sched_stats sb, sa;
	struct buddy_stats before;
	struct object *vmo;
	const uint64_t *w;
	const char *err;

	if (arch_cpu_count() > 1)
		other = me == 0 ? 1 : 0;
	vm_read_steady_stats(&before);
	sched_read_stats(&sb);
	if (vmo_create(KEEL_PAGE_SIZE, &vmo) != 0)
		return ktest_fail("no VMO");
	err = test_vmo_spawn(user_blob_vmo_share, user_blob_vmo_share_end, vmo, 0, other);
	if (!err)
		err = test_vmo_spawn(user_blob_vmo_share, user_blob_vmo_share_end, vmo, 0, me);
	if (!err) {
		sched_run_until_idle();
		sched_read_stats(&sa);
		w = vmo_kernel_view(vmo, 0);
		if (sa.processes_ended != sb.processes_ended + 2)
			err = ktest_fail(
			    "%llu processes ended, expected 2",
			    (unsigned long long)(sa.processes_ended - sb.processes_ended));
		else if (w[0] != 2 || w[1] != VMO_BLOB_A || w[2] != VMO_BLOB_B ||
			 w[3] != VMO_BLOB_DONE)
			err = ktest_fail("the VMO holds %llx %llx %llx %llx",
					 (unsigned long long)w[0], (unsigned long long)w[1],
					 (unsigned long long)w[2], (unsigned long long)w[3]);
		else
			kprintf("# vmo_shared: CPUs %u and %u\n", other, me);
	}
	ipc_object_unref(vmo);
	return err ? err : test_vmo_pages_back(&before);
}

/* Under an allocated key: allowed, revoked and restored with WRPKRU; revoked and touched: killed.
 */
static const char *test_vmo_pkey_violation(void)
{
	struct buddy_stats before;
	struct sched_stats s;
	struct object *vmo;
	const uint64_t *w;
	const char *err;

	if (!cpufeatures_on(CPUFEATURE_PKU)) {
		kprintf("# vmo_pkey_violation: no PKU (the no-key path is in vmo_bad_arguments)\n");
		return NULL;
	}
	vm_read_steady_stats(&before);
	if (vmo_create(KEEL_PAGE_SIZE, &vmo) != 0)
		return ktest_fail("no VMO");
	err = test_vmo_run(user_blob_vmo_pkey, user_blob_vmo_pkey_end, vmo, 0, &s);
	if (!err)
		err = test_vmo_ended(&s, true, KEEL_KILLED_PKEY);
	w = vmo_kernel_view(vmo, 0);
	if (!err && (w[0] != VMO_BLOB_A || w[1] != VMO_BLOB_B))
		err = ktest_fail("the VMO holds %llx %llx", (unsigned long long)w[0],
				 (unsigned long long)w[1]);
	ipc_object_unref(vmo);
	return err ? err : test_vmo_pages_back(&before);
}

static const struct ktest vmo_tests[] = {
    KTEST(vmo_bad_arguments), KTEST(vmo_create_kernel),  KTEST(vmo_map_rw_unmap),
    KTEST(vmo_shared),        KTEST(vmo_pkey_violation),
};

const struct ktest_suite vmo_test_suite = {vmo_tests, KTEST_COUNT(vmo_tests)};
