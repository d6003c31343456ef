/*
 * kernel/arch/x86_64/thread_arch.c: the x86-64 half of threads
 * (thread_arch.h).
 *
 * A new thread's kernel stack, from the top: its user context (struct
 * trap_frame, as an interrupt from ring 3 would leave it), then what
 * switch_stacks pops: six zeroed callee-saved registers and the address of
 * thread_first_run, which finishes the switch in C and leaves through
 * trap_exit into user mode.
 *
 * A user thread's other registers (struct thread_arch) are switched eagerly,
 * saved into prev and loaded from next on every switch:
 *  - x87/SSE/AVX: XSAVE(OPT)/XRSTOR or FXSAVE/FXRSTOR (fpu.h). Eager, not
 *    lazy through CR0.TS and #NM: a trap per first use costs more than a
 *    save of state that is mostly in its init configuration (XSAVEOPT then
 *    writes little), and a lazy scheme leaks state across threads when it
 *    is wrong (the "LazyFP" attack).
 *  - PKRU: RDPKRU/WRPKRU, not an XSAVE component. cpufeatures leaves PKRU
 *    out of XCR0 (it also works without XSAVE), the revoke/restore path of
 *    DESIGN.md §5 is a user WRPKRU anyway, and XRSTOR of a component in its
 *    init state would silently give a thread PKRU 0 (every key allowed)
 *    where DESIGN.md §5 wants keys 1-15 denied.
 *  - FS and GS bases, only with FSGSBASE: without it user code can only
 *    zero them (no system call sets them; a selector load gives the GDT's
 *    base, 0, or for a null selector on AMD keeps the base), so no thread
 *    can pass a value to another and there is nothing to switch. The
 *    user FS base is the live FS base (the kernel never uses FS). The user
 *    GS base sits in IA32_KERNEL_GS_BASE while the thread is in the kernel
 *    (SWAPGS on every entry, traps.S and syscall_entry.S), so that MSR is
 *    what is saved and loaded; the swap back on exit makes it the live GS
 *    base in user mode. It is read with RDMSR, not SWAPGS+RDGSBASE: an NMI
 *    between the two SWAPGS would find the user's GS base in ring 0.
 *    Segment selectors themselves are not per thread: only their bases.
 */
#include "thread_arch.h"

#include <keel/pkru.h>
#include <keel/syscall.h>

#include "core/thread.h"
#include "cpu.h"
#include "cpufeatures.h"
#include "fpu.h"
#include "gdt.h"
#include "lib/kstring.h"
#include "percpu.h"
#include "trap.h"

#define SWITCH_SAVED_REGS 6 /* switch.S: rbp rbx r12 r13 r14 r15 */

void switch_stacks(uint64_t *save_rsp, uint64_t rsp); /* switch.S */
void thread_first_run(void);                          /* below */

/*
 * switch_stacks "returns" here the first time: rsp is at the trap frame.
 * On its way to user mode, as any return there: a thread of a killed
 * process ends before its first instruction (sched_return_to_user).
 */
__asm__(".text\n"
	".globl thread_first_run\n"
	"thread_first_run:\n\t"
	"call sched_after_switch\n\t"
	"call sched_return_to_user\n\t"
	"jmp trap_exit\n");

void arch_thread_prepare_user(struct thread *t, uint64_t entry, uint64_t stack_top, uint64_t arg)
{
	struct trap_frame *f = (struct trap_frame *)(uintptr_t)t->kstack.top - 1;
	uint64_t *sp = (uint64_t *)f;

	_Static_assert(sizeof(struct trap_frame) % 16 == 0, "the frame keeps rsp 16-byte aligned");
	memset(f, 0, sizeof(*f));
	f->rip = entry;
	f->cs = GDT_USER_CODE | GDT_RPL_USER;
	f->rflags = CPU_RFLAGS_IF | 0x2; /* bit 1 is always set */
	f->rsp = stack_top;
	f->ss = GDT_USER_DATA | GDT_RPL_USER;
	f->rdi = arg;
	*--sp = (uint64_t)(uintptr_t)thread_first_run;
	for (int i = 0; i < SWITCH_SAVED_REGS; i++)
		*--sp = 0;
	t->ksp = (uint64_t)(uintptr_t)sp;
}

int arch_thread_init_user_state(struct thread *t)
{
	struct thread_arch *a = &t->arch;

	a->fpu = fpu_area_alloc();
	if (!a->fpu)
		return -KEEL_ENOMEM;
	a->fs_base = 0;
	a->gs_base = 0;
	a->pkru = THREAD_PKRU_DEFAULT;
	return 0;
}

void arch_thread_free_user_state(struct thread *t)
{
	fpu_area_free(t->arch.fpu);
	t->arch.fpu = NULL;
}

/* Store what the CPU holds of a's thread, which ran here last. */
static void thread_arch_save(struct thread_arch *a)
{
	fpu_save(a->fpu);
	if (cpufeatures_on(CPUFEATURE_PKU))
		a->pkru = keel_rdpkru();
	if (cpufeatures_on(CPUFEATURE_FSGSBASE)) {
		a->fs_base = cpu_rdfsbase();
		a->gs_base = cpu_rdmsr(CPU_MSR_KERNEL_GS_BASE);
	}
}

/* Load a's thread's state; it is in effect from its return to user mode. */
static void thread_arch_load(const struct thread_arch *a)
{
	fpu_restore(a->fpu);
	if (cpufeatures_on(CPUFEATURE_PKU))
		keel_wrpkru(a->pkru);
	if (cpufeatures_on(CPUFEATURE_FSGSBASE)) {
		cpu_wrfsbase(a->fs_base);
		cpu_wrmsr(CPU_MSR_KERNEL_GS_BASE, a->gs_base);
	}
}

void arch_switch_threads(struct thread *prev, struct thread *next)
{
	struct percpu *p = percpu_this();

	/* A dead thread's state is never needed again: its CPU frees it next. */
	if (prev->arch.fpu && prev->state != THREAD_DEAD)
		thread_arch_save(&prev->arch);
	p->current = next;
	/*
	 * The idle thread never enters user mode: it keeps the last stack top,
	 * and the last user thread's registers stay loaded (already saved).
	 */
	if (next->proc) {
		p->kstack_top = next->kstack.top;
		gdt_set_kernel_stack(&p->gdt, next->kstack.top);
	}
	if (next->arch.fpu)
		thread_arch_load(&next->arch);
	switch_stacks(&prev->ksp, next->ksp);
}

void arch_wait_for_interrupt(void)
{
	/* sti takes effect after the next instruction: no interrupt slips in before hlt. */
	__asm__ volatile("sti; hlt; cli" : : : "memory");
}
