/*
 * kernel/core/syscall.c: the system calls (syscall.h). Calls not built yet
 * answer -KEEL_ENOSYS, like unknown numbers.
 */
#include "core/syscall.h"

#include <keel/syscall.h>

#include "arch/x86_64/cpufeatures.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/tsc.h"
#include "arch/x86_64/usercopy.h"
#include "core/arch.h"
#include "core/console.h"
#include "core/thread.h"

static uint64_t syscall_log_count;

uint64_t syscall_log_lines(void)
{
	return __atomic_load_n(&syscall_log_count, __ATOMIC_RELAXED);
}

/* debug_log(s, n): one line to the kernel log, prefixed with the process. */
static int64_t syscall_debug_log(const uint64_t a[])
{
	char buf[SYSCALL_LOG_MAX + 1];
	size_t n = a[1];
	struct process *p = thread_current()->proc;
	int err;

	if (n > SYSCALL_LOG_MAX)
		return -KEEL_E2BIG;
	err = usercopy_from(buf, a[0], n);
	if (err != 0)
		return err;
	/* One line per call: a trailing newline is the caller's, any other is kept as text. */
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	buf[n] = '\0';
	kprintf("%s: %s\n", p->name, buf);
	__atomic_fetch_add(&syscall_log_count, 1, __ATOMIC_RELAXED);
	return 0;
}

/* info(kind, cpu, buf, n): what user space may know of the machine. */
static int64_t syscall_info(const uint64_t a[])
{
	uint64_t kind = a[0], cpu = a[1], ubuf = a[2], n = a[3], v64;
	struct keel_cpu_counters c = {0};
	const struct percpu *p;
	uint32_t v32;
	const void *src;
	size_t size;
	int err;

	switch (kind) {
	case KEEL_INFO_CLOCK:
		v64 = tsc_info.hz ? tsc_read() / (tsc_info.hz / 1000000) * 1000 : 0;
		src = &v64, size = sizeof(v64);
		break;
	case KEEL_INFO_CPUS:
		v32 = arch_cpu_count();
		src = &v32, size = sizeof(v32);
		break;
	case KEEL_INFO_FEATURES:
		v32 = (cpufeatures_on(CPUFEATURE_PCID) ? KEEL_FEATURE_PCID : 0) |
		      (cpufeatures_on(CPUFEATURE_INVPCID) ? KEEL_FEATURE_INVPCID : 0) |
		      (cpufeatures_on(CPUFEATURE_PKU) ? KEEL_FEATURE_PKU : 0);
		src = &v32, size = sizeof(v32);
		break;
	case KEEL_INFO_COUNTERS:
		if (cpu >= PERCPU_MAX || !(arch_cpus_online() & (1ull << cpu)) ||
		    !(p = percpu_get((uint32_t)cpu)))
			return -KEEL_EINVAL;
		c.cr3_noflush = p->tlb.counters.cr3_noflush;
		c.cr3_flush = p->tlb.counters.cr3_flush;
		c.invlpg = p->tlb.counters.invlpg;
		c.invpcid_single = p->tlb.counters.invpcid_single;
		c.invpcid_all = p->tlb.counters.invpcid_all;
		c.pcid_deferred = p->tlb.counters.pcid_deferred;
		src = &c, size = sizeof(c);
		break;
	default: return -KEEL_EINVAL;
	}
	if (n < size)
		return -KEEL_E2BIG;
	err = usercopy_to(ubuf, src, size);
	return err != 0 ? err : (int64_t)size;
}

int64_t syscall_handle(uint64_t nr, const uint64_t args[SYSCALL_ARGS])
{
	switch (nr) {
	case KEEL_SYS_DEBUG_LOG: return syscall_debug_log(args);
	case KEEL_SYS_EXIT: thread_exit((int64_t)args[0]);
	case KEEL_SYS_YIELD: sched_yield(); return 0;
	case KEEL_SYS_INFO: return syscall_info(args);
	default: return -KEEL_ENOSYS;
	}
}
