/*
 * kernel/core/sched_fast.h: the run queues (sched.c's) and the IPC fast
 * path's direct switch, inline in ipc_fast.c so that one system call makes
 * one function's prologue and epilogue.
 *
 * sched_fast_switch is sched_switch_to's work for a direct switch between
 * two user threads with nothing to wait for or decide: the IPC fast path
 * has checked that next is another user thread, last ran on this CPU and is
 * off it (on_cpu false), and holds no lock. The same state changes, the
 * same hand-over through switched_from, the same address-space and register
 * switch (arch/x86_64/ipc_switch.h). Interrupts off.
 */
#ifndef KEEL_CORE_SCHED_FAST_H
#define KEEL_CORE_SCHED_FAST_H

#include "arch/x86_64/iopb.h"
#include "arch/x86_64/ipc_switch.h"
#include "arch/x86_64/percpu.h"
#include "core/spinlock.h"
#include "core/thread.h"

struct runqueue {
	struct spinlock lock; /* guards the queues; interrupts off while held */
	struct thread *head[SCHED_PRIORITIES], *tail[SCHED_PRIORITIES];
	struct thread idle;
	struct thread *dead;          /* switched away from for good, to free */
	struct thread *switched_from; /* the thread a switch in progress leaves */
	/*
	 * A blocked thread of another CPU that a switch in progress hands over
	 * to (sched_block_and_run): woken on its own CPU once the thread leaving
	 * here is off this CPU (sched_after_switch). This CPU's only.
	 */
	struct thread *wake_after;
	/*
	 * dead or wake_after set: sched_after_switch has work beyond
	 * switched_from (one flag, so that the fast path's tail tests one).
	 */
	bool after_work;
	uint32_t runnable;
};

extern struct runqueue sched_rq[PERCPU_MAX]; /* one per CPU, sched.c */

/* Finish a switch on the new thread's stack (sched.c); interrupts off. */
void sched_after_switch(void);

/* Block prev (running here) and run next here at once (see the top). */
__attribute__((always_inline)) static inline void
sched_fast_switch(struct percpu *pc, struct thread *prev, struct thread *next)
{
	struct runqueue *rq = &sched_rq[pc->index];

	prev->state = THREAD_BLOCKED;
	pc->need_resched = false;
	next->state = THREAD_RUNNING;
	next->slice = SCHED_SLICE_TICKS;
	next->on_cpu = true; /* next->cpu is this CPU already */
	rq->switched_from = prev;
	if (next->proc != prev->proc) {
		ipc_switch_aspace(pc, &next->proc->as.tlb);
		iopb_switch(next->proc); /* its I/O ports, or none (iopb.h's invariant) */
	}
	pc->context_switches++;
	ipc_switch_threads(pc, prev, next);
	/* prev runs again: if its process was killed meanwhile, it ends on its way out. */
	if (__atomic_load_n(&prev->proc->killed, __ATOMIC_ACQUIRE))
		percpu_this()->need_resched = true;
	/*
	 * sched_after_switch, on this thread's stack again: what the switch
	 * that resumed it left (this CPU's queue: threads never move). A thread
	 * switched away from here for good (rq->dead), or a partner of another
	 * CPU to wake (rq->wake_after), takes the long way.
	 */
	rq = &sched_rq[percpu_this()->index];
	if (rq->after_work) {
		sched_after_switch();
		return;
	}
	prev = rq->switched_from;
	if (prev) {
		rq->switched_from = NULL;
		__atomic_store_n(&prev->on_cpu, false, __ATOMIC_RELEASE);
	}
}

#endif
