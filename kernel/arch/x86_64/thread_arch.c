/*
 * kernel/arch/x86_64/thread_arch.c: the x86-64 half of threads
 * (thread_arch.h).
 *
 * A new thread's kernel stack, from the top: its user context (struct
 * trap_frame, as an interrupt from ring 3 would leave it), then what
 * switch_stacks pops: six zeroed callee-saved registers and the address of
 * thread_first_run, which finishes the switch in C and leaves through
 * trap_exit into user mode.
 */
#include "thread_arch.h"

#include "core/thread.h"
#include "cpu.h"
#include "gdt.h"
#include "lib/kstring.h"
#include "percpu.h"
#include "trap.h"

#define SWITCH_SAVED_REGS 6 /* switch.S: rbp rbx r12 r13 r14 r15 */

void switch_stacks(uint64_t *save_rsp, uint64_t rsp); /* switch.S */
void thread_first_run(void);                          /* below */

/* switch_stacks "returns" here the first time: rsp is at the trap frame. */
__asm__(".text\n"
	".globl thread_first_run\n"
	"thread_first_run:\n\t"
	"call sched_after_switch\n\t"
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

void arch_switch_threads(struct thread *prev, struct thread *next)
{
	struct percpu *p = percpu_this();

	p->current = next;
	/* The idle thread never enters user mode: it keeps the last stack top. */
	if (next->proc) {
		p->kstack_top = next->kstack.top;
		gdt_set_kernel_stack(&p->gdt, next->kstack.top);
	}
	switch_stacks(&prev->ksp, next->ksp);
}

void arch_wait_for_interrupt(void)
{
	/* sti takes effect after the next instruction: no interrupt slips in before hlt. */
	__asm__ volatile("sti; hlt; cli" : : : "memory");
}
