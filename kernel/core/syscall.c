/*
 * kernel/core/syscall.c: the system calls (syscall.h). Calls not built yet
 * answer -KEEL_ENOSYS, like unknown numbers.
 */
#include "core/syscall.h"

#include <keel/syscall.h>

#include "acpi/boot.h"
#include "arch/x86_64/cpufeatures.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/tsc.h"
#include "arch/x86_64/usercopy.h"
#include "core/arch.h"
#include "core/console.h"
#include "core/devobj.h"
#include "core/ipc.h"
#include "core/klog.h"
#include "core/proc.h"
#include "core/thread.h"
#include "core/vmo.h"
#include "mm/pmm.h"

static uint64_t syscall_log_count;

uint64_t syscall_log_lines(void)
{
	return __atomic_load_n(&syscall_log_count, __ATOMIC_RELAXED);
}

/* The argument registers a handler does not use (every handler takes all six). */
static inline void syscall_ignore(int none, ...)
{
	(void)none;
}
#define SYSCALL_UNUSED(...) syscall_ignore(0, __VA_ARGS__)

/* debug_log(s, n): one line to the kernel log, prefixed with the process. */
static int64_t syscall_debug_log(uint64_t s, uint64_t n, uint64_t a2, uint64_t a3, uint64_t a4,
				 uint64_t a5)
{
	char buf[SYSCALL_LOG_MAX + 1];
	struct process *p = thread_current()->proc;
	int err;

	SYSCALL_UNUSED(a2, a3, a4, a5);
	if (n > SYSCALL_LOG_MAX)
		return -KEEL_E2BIG;
	err = usercopy_from(buf, s, n);
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
static int64_t syscall_info(uint64_t kind, uint64_t cpu, uint64_t ubuf, uint64_t n, uint64_t a4,
			    uint64_t a5)
{
	uint64_t v64;
	struct keel_cpu_counters c = {0};
	struct keel_process_info pi;
	struct keel_platform plat;
	struct keel_memory_info mem;
	struct keel_msi msi;
	const struct percpu *p;
	uint32_t v32;
	const void *src;
	size_t size;
	int err;

	SYSCALL_UNUSED(a4, a5);
	switch (kind) {
	case KEEL_INFO_CLOCK:
		v64 = tsc_ns();
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
		c.ipc_fast = __atomic_load_n(&p->ipc_fast, __ATOMIC_RELAXED);
		c.ipc_slow = __atomic_load_n(&p->ipc_slow, __ATOMIC_RELAXED);
		c.shootdowns_sent = __atomic_load_n(&p->pcid.counters.ipi_sent, __ATOMIC_RELAXED);
		c.shootdowns_recv = __atomic_load_n(&p->pcid.counters.ipi_recv, __ATOMIC_RELAXED);
		c.context_switches = __atomic_load_n(&p->context_switches, __ATOMIC_RELAXED);
		c.idle_tsc = __atomic_load_n(&p->idle_tsc, __ATOMIC_RELAXED);
		src = &c, size = sizeof(c);
		break;
	case KEEL_INFO_PROCESS:
		/* `cpu` is a process handle (or KEEL_HANDLE_SELF) with KEEL_RIGHT_READ. */
		err = proc_info(cpu, &pi);
		if (err != 0)
			return err;
		src = &pi, size = sizeof(pi);
		break;
	case KEEL_INFO_PLATFORM:
		acpi_boot_platform(&plat);
		src = &plat, size = sizeof(plat);
		break;
	case KEEL_INFO_MEMORY:
		pmm_memory_info(&mem);
		src = &mem, size = sizeof(mem);
		break;
	case KEEL_INFO_VMO_PHYS:
		/* `cpu` is a DMA VMO handle with KEEL_RIGHT_MANAGE (core/vmo.c). */
		if ((err = vmo_sys_phys(cpu, &v64)) != 0)
			return err;
		src = &v64, size = sizeof(v64);
		break;
	case KEEL_INFO_IRQ_MSI:
		/* `cpu` is a bound MSI interrupt handle with KEEL_RIGHT_READ (core/devobj.c). */
		if ((err = devobj_sys_msi(cpu, &msi)) != 0)
			return err;
		src = &msi, size = sizeof(msi);
		break;
	case KEEL_INFO_LOG:
		/* `cpu` is a log handle; the text is copied by chunks (core/klog.c). */
		return klog_sys_read(cpu, ubuf, n);
	default: return -KEEL_EINVAL;
	}
	if (n < size)
		return -KEEL_E2BIG;
	err = usercopy_to(ubuf, src, size);
	return err != 0 ? err : (int64_t)size;
}

static int64_t syscall_exit(uint64_t status, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
			    uint64_t a5)
{
	SYSCALL_UNUSED(a1, a2, a3, a4, a5);
	thread_exit((int64_t)status);
}

static int64_t syscall_yield(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
			     uint64_t a5)
{
	SYSCALL_UNUSED(a0, a1, a2, a3, a4, a5);
	sched_yield();
	return 0;
}

/* Calls not built yet, and numbers past the table. */
static int64_t syscall_enosys(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
			      uint64_t a5)
{
	SYSCALL_UNUSED(a0, a1, a2, a3, a4, a5);
	return -KEEL_ENOSYS;
}

const syscall_fn syscall_table[KEEL_SYS_COUNT + 1] = {
    [KEEL_SYS_DEBUG_LOG] = syscall_debug_log,
    [KEEL_SYS_EXIT] = syscall_exit,
    [KEEL_SYS_YIELD] = syscall_yield,
    [KEEL_SYS_INFO] = syscall_info,
    [KEEL_SYS_OBJECT_CREATE] = ipc_sys_object_create,
    [KEEL_SYS_HANDLE_DUP] = ipc_sys_handle_dup,
    [KEEL_SYS_HANDLE_CLOSE] = ipc_sys_handle_close,
    [KEEL_SYS_CALL] = syscall_ipc_call,
    [KEEL_SYS_RECV] = ipc_sys_recv,
    [KEEL_SYS_REPLY_RECV] = syscall_ipc_reply_recv,
    [KEEL_SYS_SIGNAL] = ipc_sys_signal,
    [KEEL_SYS_WAIT] = ipc_sys_wait,
    [KEEL_SYS_MAP] = vmo_sys_map,
    [KEEL_SYS_UNMAP] = vmo_sys_unmap,
    [KEEL_SYS_PKEY_ALLOC] = vmo_sys_pkey_alloc,
    [KEEL_SYS_PROC_CREATE] = proc_sys_create,
    [KEEL_SYS_THREAD_CREATE] = proc_sys_thread_create,
    [KEEL_SYS_IRQ_BIND] = devobj_sys_irq_bind,
    [KEEL_SYS_IRQ_ACK] = devobj_sys_irq_ack,
    [KEEL_SYS_IOPORT_ENABLE] = devobj_sys_ioport_enable,
    [KEEL_SYS_COUNT] = syscall_enosys,
};
