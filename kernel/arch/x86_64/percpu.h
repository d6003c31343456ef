/*
 * kernel/arch/x86_64/percpu.h: what each CPU keeps for itself, reached
 * through the GS base (IA32_GS_BASE): gs:0 holds the struct's own address, so
 * percpu_this() is one load and needs no CPU number first.
 *
 * The boot CPU's struct is static (it is needed before the page allocator
 * runs); each AP's comes from the page allocator when smp.c starts it. A
 * struct is written by its own CPU only, except where a field says otherwise;
 * other CPUs may read the counters.
 */
#ifndef KEEL_ARCH_X86_64_PERCPU_H
#define KEEL_ARCH_X86_64_PERCPU_H

/* Offsets the assembly entry paths use (gs:OFFSET); checked below. */
#define PERCPU_KSTACK_TOP    16 /* the running thread's kernel stack top */
#define PERCPU_USER_RSP      24 /* scratch: the user rsp during syscall entry */
#define PERCPU_NEED_RESCHED  40 /* a switch is wanted before returning to user mode */
#define PERCPU_FRAME_CHANGED 41 /* a system call changed its frame: leave through IRET */

#ifndef __ASSEMBLER__

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gdt.h"
#include "mm/tlbpolicy.h"
#include "mm/vm.h"
#include "timer.h"
#include "tlb.h"

#define PERCPU_MAX 64 /* CPUs Keel runs; a CPU set is one 64-bit mask */

/*
 * One CPU's cross-call mailbox and counters (xcall.c). The caller that holds
 * the cross-call lock writes fn, arg and then req_seq (release); this CPU runs
 * fn(arg) and then writes done_seq = req_seq (release). The caller does not
 * write the mailbox again before done_seq has caught up, so fn and arg are
 * stable while this CPU reads them.
 */
struct xcall_cpu {
	void (*fn)(void *arg);
	void *arg;
	uint64_t req_seq;       /* written by the caller */
	uint64_t done_seq;      /* written by this CPU */
	uint64_t ipis_sent;     /* cross-call IPIs this CPU sent */
	uint64_t ipis_received; /* cross-call IPIs that reached this CPU */
	uint64_t calls_run;     /* cross-call functions run here, IPI or local */
	bool kick;              /* arch_kick_cpu asked it to look at its run queue */
};

struct thread;

struct percpu {
	struct percpu *self;    /* gs:0; must stay the first field */
	uint32_t index;         /* 0 for the boot CPU, then in start order */
	uint32_t apic_id;       /* from the MADT (the boot CPU: its LAPIC) */
	uint64_t kstack_top;    /* PERCPU_KSTACK_TOP: where SYSCALL switches stacks */
	uint64_t user_rsp;      /* PERCPU_USER_RSP */
	struct thread *current; /* the thread running here (its idle thread when none) */
	bool need_resched;      /* set by the tick or a wake-up; checked on return to user */
	bool frame_changed;     /* PERCPU_FRAME_CHANGED (syscall.h) */
	struct gdt_cpu gdt;
	struct vm_stack stack;           /* the stack an AP starts on (unused on the boot CPU) */
	uint64_t ist_top[GDT_IST_COUNT]; /* #DF, NMI and #MC stacks */
	struct tlb_cpu tlb;
	struct pcid_cache pcid; /* the address spaces this CPU's PCIDs hold (mm/tlbpolicy.h) */
	struct timer_cpu timer;
	struct xcall_cpu xcall;
	uint64_t ipc_fast;         /* calls and replies that took the IPC fast path (ipc_fast.c) */
	uint64_t ipc_slow;         /* ... that fell back to the slow path */
	uint64_t context_switches; /* thread switches on this CPU (sched.c) */
	uint64_t idle_tsc;         /* TSC ticks halted in sched_idle_loop (KEEL_INFO_COUNTERS) */
};

/* This CPU's struct. */
static inline struct percpu *percpu_this(void)
{
	struct percpu *p;

	/* volatile: a thread that moves to another CPU must not reuse an old answer. */
	__asm__ volatile("movq %%gs:0, %0" : "=r"(p));
	return p;
}

/* Make *p this CPU's struct (p->self and IA32_GS_BASE). */
void percpu_install(struct percpu *p);

/* Register *p as CPU p->index (smp.c, before starting it). */
void percpu_register(struct percpu *p);

/* CPU `index`'s struct, or NULL when there is none (yet). */
struct percpu *percpu_get(uint32_t index);

extern struct percpu percpu_boot;

_Static_assert(offsetof(struct percpu, kstack_top) == PERCPU_KSTACK_TOP, "asm offset");
_Static_assert(offsetof(struct percpu, user_rsp) == PERCPU_USER_RSP, "asm offset");
_Static_assert(offsetof(struct percpu, need_resched) == PERCPU_NEED_RESCHED, "asm offset");
_Static_assert(offsetof(struct percpu, frame_changed) == PERCPU_FRAME_CHANGED, "asm offset");

#endif /* __ASSEMBLER__ */

#endif
