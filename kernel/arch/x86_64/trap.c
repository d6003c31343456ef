/*
 * kernel/arch/x86_64/trap.c: what happens on a CPU exception. #BP (int3) is
 * counted and returns; every other exception prints a report (vector and
 * name, decoded error code, all registers, control registers, a backtrace
 * with symbol names) on every console and halts, unless a test armed the
 * recoverable hook (trap_expect.h) for it.
 *
 * A fault while printing the report (say, in the framebuffer console) must
 * neither loop nor lose the report. So the first exception's frame and CR2
 * are saved before anything is printed; a nested exception drops the sink
 * that was writing and prints the saved report again through the others.
 * A sink is dropped only for an exception its own code can raise
 * (trap_raised_by_code): an NMI or a machine check that merely arrives while
 * the serial port is writing says nothing against the serial port. Past
 * TRAP_MAX_DEPTH nested exceptions the CPU halts without a word. The
 * backtrace checks every frame before reading it (backtrace.c); should it
 * fault all the same, the report is printed again without it. The report
 * takes COM1 back from a user-space driver that holds it (console_force).
 */
#include "core/arch.h"
#include "backtrace.h"
#include "core/console.h"
#include "core/ipc.h"
#include "core/thread.h"
#include "cpu.h"
#include "gdt.h"
#include "trap.h"
#include "trap_expect.h"
#include "trapinfo.h"
#include "usercopy.h"

#define TRAP_USER_DECODE_MAX 120

volatile uint64_t trap_breakpoint_count;
volatile uint64_t trap_last_vector;

/* Exceptions being reported (nested when a report itself faults). */
static uint32_t trap_depth;

#define TRAP_MAX_DEPTH 2

/* The exception being reported: the first one, whatever nests on top of it. */
static struct trap_frame trap_first;
static uint64_t trap_first_cr2;

/* Set while the backtrace is printed: a fault then means the walk itself faulted. */
static bool trap_in_backtrace;
static bool trap_skip_backtrace;

static void trap_report(const struct trap_frame *f, uint64_t cr2)
{
	char error[160];

	trap_describe_error((uint32_t)f->vector, f->error, error, sizeof(error));
	kprintf("\nkeel: exception %lu %s, error code %s\n", (unsigned long)f->vector,
		trap_name((uint32_t)f->vector), error);
	kprintf("  rip %016lx  cs %04lx  rflags %016lx\n", f->rip, f->cs, f->rflags);
	kprintf("  rsp %016lx  ss %04lx\n", f->rsp, f->ss);
	kprintf("  rax %016lx  rbx %016lx  rcx %016lx\n", f->rax, f->rbx, f->rcx);
	kprintf("  rdx %016lx  rsi %016lx  rdi %016lx\n", f->rdx, f->rsi, f->rdi);
	kprintf("  rbp %016lx  r8  %016lx  r9  %016lx\n", f->rbp, f->r8, f->r9);
	kprintf("  r10 %016lx  r11 %016lx  r12 %016lx\n", f->r10, f->r11, f->r12);
	kprintf("  r13 %016lx  r14 %016lx  r15 %016lx\n", f->r13, f->r14, f->r15);
	kprintf("  cr0 %016lx  cr2 %016lx\n", cpu_read_cr0(), cr2);
	kprintf("  cr3 %016lx  cr4 %016lx\n", cpu_read_cr3(), cpu_read_cr4());
	if (trap_skip_backtrace) {
		kprintf("  (no backtrace: walking it faulted)\n");
	} else {
		trap_in_backtrace = true;
		backtrace_print(f->rip, f->rbp);
		trap_in_backtrace = false;
	}
	kprintf("keel: halted\n");
}

struct trap_expect trap_expect;

void trap_expect_arm(uint32_t vector, uint64_t rip_lo, uint64_t rip_hi)
{
	trap_expect.vector = vector;
	trap_expect.rip_lo = rip_lo;
	trap_expect.rip_hi = rip_hi;
	trap_expect.hit = false;
	trap_expect.error = trap_expect.cr2 = trap_expect.rip = trap_expect.rbp = 0;
	trap_expect.handler_rsp = 0;
	trap_expect.armed = true;
}

void trap_expect_disarm(void)
{
	trap_expect.armed = false;
}

/* Take the exception a test expects: record it and resume at the probe's label. */
static bool trap_expect_take(struct trap_frame *f, uint64_t cr2)
{
	if (!trap_expect.armed || f->vector != trap_expect.vector || f->rip < trap_expect.rip_lo ||
	    f->rip >= trap_expect.rip_hi)
		return false;
	trap_expect.armed = false;
	trap_expect.error = f->error;
	trap_expect.cr2 = cr2;
	trap_expect.rip = f->rip;
	trap_expect.rbp = f->rbp;
	trap_expect.handler_rsp = (uint64_t)(uintptr_t)f;
	trap_expect.hit = true;
	f->rip = trap_expect.resume_rip;
	f->rsp = trap_expect.resume_rsp;
	return true;
}

/*
 * A fault of a process with a supervisor becomes a call on the supervisor's
 * endpoint (include/keel/syscall.h: w0 = KEEL_FAULT_TAG | status, w1 = error
 * code, w2 = CR2 for a page fault, w3 = rip; badge = process id), the
 * faulting thread blocked until the reply. true: the reply was
 * KEEL_FAULT_RESUME, return to user mode and run the instruction again.
 */
static bool trap_user_supervised(const struct trap_frame *f, uint64_t cr2, uint64_t status)
{
	struct process *p = thread_current()->proc;
	uint64_t words[4], reply[4];

	if (!p->supervisor)
		return false;
	words[0] = KEEL_FAULT_TAG | status;
	words[1] = f->error;
	words[2] = f->vector == TRAP_PF ? cr2 : 0;
	words[3] = f->rip;
	if (ipc_fault_call(p->supervisor, words, reply) != 0)
		return false; /* nobody can receive, or the supervisor ended first */
	return reply[0] == KEEL_FAULT_RESUME;
}

/*
 * A fault in user mode goes to the process's supervisor if it has one, and
 * otherwise (or if the supervisor says so) ends the process: one line says
 * which, where and why, then the thread exits (never returning to the
 * faulting code). A breakpoint is a fault like any other there.
 */
static void trap_user_fault(struct trap_frame *f, uint64_t cr2)
{
	char error[TRAP_USER_DECODE_MAX];
	struct thread *t = thread_current();
	bool pkey = f->vector == TRAP_PF && (f->error & TRAP_PF_PK);

	if (trap_user_supervised(f, cr2, pkey ? KEEL_KILLED_PKEY : f->vector))
		return;
	/* Another thread's fault killed the process while this one waited: end quietly. */
	if (__atomic_load_n(&t->proc->killed, __ATOMIC_ACQUIRE))
		process_kill_current(f->vector);
	trap_describe_error((uint32_t)f->vector, f->error, error, sizeof(error));
	if (pkey) {
		/* DESIGN.md §5: a key violation is reported as such, with its own status. */
		kprintf("keel: process %u (%s): protection-key violation at rip %lx touching %lx: "
			"%s; killed\n",
			t->proc->id, t->proc->name, (unsigned long)f->rip, (unsigned long)cr2,
			error);
		process_kill_current(KEEL_KILLED_PKEY);
	}
	if (f->vector == TRAP_PF)
		kprintf("keel: process %u (%s): %s at rip %lx touching %lx: %s; killed\n",
			t->proc->id, t->proc->name, trap_name((uint32_t)f->vector),
			(unsigned long)f->rip, (unsigned long)cr2, error);
	else
		kprintf("keel: process %u (%s): %s at rip %lx: %s; killed\n", t->proc->id,
			t->proc->name, trap_name((uint32_t)f->vector), (unsigned long)f->rip,
			error);
	process_kill_current(f->vector);
}

void trap_dispatch(struct trap_frame *f)
{
	/* CR2 first: a page fault while printing the report would overwrite it. */
	uint64_t cr2 = cpu_read_cr2();

	if (trap_expect_take(f, cr2))
		return;
	if (f->cs & GDT_RPL_USER) {
		trap_user_fault(f, cr2);
		return;
	}
	if (usercopy_fixup_fault(f))
		return;
	if (f->vector == TRAP_BP) {
		trap_breakpoint_count++;
		trap_last_vector = f->vector;
		return;
	}
	if (++trap_depth > TRAP_MAX_DEPTH)
		arch_halt();
	if (trap_depth == 1) {
		trap_first = *f;
		trap_first_cr2 = cr2;
	}
	if (trap_in_backtrace) {
		trap_in_backtrace = false;
		trap_skip_backtrace = true;
	}
	if (trap_raised_by_code((uint32_t)f->vector))
		console_drop_faulting_sink();
	/* A user-space driver may have COM1: the kernel takes it back to report (console.h). */
	console_force();
	if (trap_depth > 1)
		kprintf("\nkeel: exception %lu %s at rip %016lx (cr2 %016lx) while reporting "
			"exception %lu; the report again:\n",
			(unsigned long)f->vector, trap_name((uint32_t)f->vector), f->rip, cr2,
			(unsigned long)trap_first.vector);
	trap_report(&trap_first, trap_first_cr2);
	arch_halt();
}
