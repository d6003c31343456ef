/*
 * kernel/arch/x86_64/syscall.c: the MSRs behind SYSCALL and the step from
 * the entry's trap frame to the machine-independent calls (core/syscall.h).
 */
#include "syscall.h"

#include "percpu.h"
#include "cpu.h"
#include "gdt.h"
#include "trap.h"

#define MSR_STAR  0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_FMASK 0xc0000084
#define EFER_SCE  (1ull << 0)
#define RFLAGS_TF (1ull << 8)
#define RFLAGS_DF (1ull << 10)
#define RFLAGS_NT (1ull << 14)
#define RFLAGS_AC (1ull << 18)

void syscall_entry(void); /* syscall_entry.S */

void syscall_init_this_cpu(void)
{
	/* SYSRET derives the user selectors from GDT_KERNEL_DATA: gdt.h orders them for it. */
	_Static_assert(GDT_USER_DATA == GDT_KERNEL_DATA + 8 &&
			   GDT_USER_CODE == GDT_KERNEL_DATA + 16,
		       "the GDT order SYSRET needs");
	cpu_wrmsr(MSR_STAR, (uint64_t)GDT_KERNEL_DATA << 48 | (uint64_t)GDT_KERNEL_CODE << 32);
	cpu_wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)syscall_entry);
	/* Cleared on entry: interrupts until the stack is ours, single-step, and AC for SMAP. */
	cpu_wrmsr(MSR_FMASK, CPU_RFLAGS_IF | RFLAGS_TF | RFLAGS_DF | RFLAGS_NT | RFLAGS_AC);
	cpu_wrmsr(CPU_MSR_EFER, cpu_rdmsr(CPU_MSR_EFER) | EFER_SCE);
}

struct trap_frame *syscall_frame(void)
{
	return (struct trap_frame *)(uintptr_t)percpu_this()->kstack_top - 1;
}

void syscall_frame_changed(void)
{
	percpu_this()->frame_changed = true;
}
