/*
 * kernel/core/sched.c: processes, threads and the scheduler (thread.h).
 *
 * Each CPU has a run queue per priority (a FIFO) and an idle thread, its
 * boot context. Everything here runs with interrupts off: a switch half done
 * must not be interrupted by the tick, and the run queue lock (taken by
 * remote CPUs later, to wake threads) must never be held by interrupted code.
 *
 * A dead thread cannot free its own kernel stack while it runs on it: the
 * switch leaves it in the run queue's `dead` slot, and the thread switched to
 * frees it (sched_after_switch), with its process if it was the last thread.
 *
 * A killed process (process_kill_current) ends thread by thread: each of
 * its threads ends itself on its way back to user mode (sched_return_to_user),
 * where every path out of the kernel passes once the switch-in below has
 * asked it to (need_resched), and the kill takes the blocked ones off their
 * queues (ipc_thread_cancel) and kicks the other CPUs into the kernel.
 */
#include "core/thread.h"

#include <keel/syscall.h>

#include "arch/x86_64/iopb.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/thread_arch.h"
#include "arch/x86_64/tsc.h"
#include "core/arch.h"
#include "core/console.h"
#include "core/ipc.h"
#include "core/klog.h"
#include "core/proc.h"
#include "core/sched_fast.h"
#include "core/sched_watch.h"
#include "core/spinlock.h"
#include "lib/kstring.h"
#include "mm/kslab.h"

struct runqueue sched_rq[PERCPU_MAX]; /* sched_fast.h */
static struct kslab_cache sched_thread_cache, sched_process_cache;
static bool sched_caches_ready;
static uint32_t sched_next_id = 1;
static struct spinlock sched_stats_lock = SPINLOCK_INIT; /* guards sched_stats */
static struct sched_stats sched_stats; /* context_switches: per CPU (sched_read_stats) */
static uint32_t sched_live_processes;  /* atomic: processes with a thread not yet dead */
/*
 * Atomic: processes created and not yet freed. A process's last thread dies
 * on its CPU before that CPU frees the process (sched_after_switch), so "no
 * live process" does not yet mean "every page back": this counter does.
 */
static uint32_t sched_unfreed_processes;

static struct runqueue *sched_this_rq(void)
{
	return &sched_rq[percpu_this()->index];
}

struct thread *thread_current(void)
{
	return percpu_this()->current;
}

void sched_read_stats(struct sched_stats *out)
{
	uint64_t flags = spin_lock_irqsave(&sched_stats_lock);

	*out = sched_stats;
	spin_unlock_irqrestore(&sched_stats_lock, flags);
	out->context_switches = 0;
	for (uint32_t cpu = 0; cpu < PERCPU_MAX; cpu++) {
		const struct percpu *pc = percpu_get(cpu);

		if (pc)
			out->context_switches +=
			    __atomic_load_n(&pc->context_switches, __ATOMIC_RELAXED);
	}
}

static int sched_caches_init(void)
{
	if (sched_caches_ready)
		return 0;
	if (kslab_cache_init(&sched_thread_cache, "thread", sizeof(struct thread), 64) != 0 ||
	    kslab_cache_init(&sched_process_cache, "process", sizeof(struct process), 64) != 0)
		return -KEEL_ENOMEM;
	sched_caches_ready = true;
	return 0;
}

void sched_init_this_cpu(void)
{
	struct runqueue *rq = sched_this_rq();
	struct percpu *p = percpu_this();

	rq->lock = (struct spinlock)SPINLOCK_INIT;
	rq->idle.state = THREAD_RUNNING;
	rq->idle.on_cpu = true;
	rq->idle.cpu = p->index;
	rq->idle.priority = SCHED_PRIORITIES;
	p->current = &rq->idle;
}

/* Queue t at the tail of its priority on this CPU. rq->lock held. */
static void sched_enqueue(struct runqueue *rq, struct thread *t)
{
	t->state = THREAD_RUNNABLE;
	t->next = NULL;
	if (rq->tail[t->priority])
		rq->tail[t->priority]->next = t;
	else
		rq->head[t->priority] = t;
	rq->tail[t->priority] = t;
	rq->runnable++;
}

/* The first thread of the highest non-empty priority, dequeued, or NULL. rq->lock held. */
static struct thread *sched_dequeue(struct runqueue *rq)
{
	for (uint32_t prio = 0; prio < SCHED_PRIORITIES; prio++) {
		struct thread *t = rq->head[prio];

		if (!t)
			continue;
		rq->head[prio] = t->next;
		if (!rq->head[prio])
			rq->tail[prio] = NULL;
		rq->runnable--;
		return t;
	}
	return NULL;
}

struct process *process_create(const char *name)
{
	struct process *p;
	uint64_t flags = arch_irq_save();

	if (sched_caches_init() != 0 || !(p = kslab_alloc(&sched_process_cache))) {
		arch_irq_restore(flags);
		return NULL;
	}
	memset(p, 0, sizeof(*p));
	p->obj.type = KEEL_OBJ_PROCESS;
	p->obj.refs = 1; /* its life's (dropped by process_free) */
	p->priority = SCHED_PRIORITY_APP;
	p->id = __atomic_fetch_add(&sched_next_id, 1, __ATOMIC_RELAXED);
	arch_irq_restore(flags);
	for (size_t i = 0; i + 1 < PROC_NAME_MAX && name[i]; i++)
		p->name[i] = name[i];
	if (aspace_create(&p->as) != 0) {
		kslab_free(&sched_process_cache, p);
		return NULL;
	}
	if (ipc_process_init(p) != 0) {
		aspace_destroy(&p->as);
		kslab_free(&sched_process_cache, p);
		return NULL;
	}
	__atomic_fetch_add(&sched_unfreed_processes, 1, __ATOMIC_RELAXED);
	proc_note_created();
	return p;
}

/*
 * Free a process's resources, once: its last thread is freed (no CPU runs
 * its address space any more), or it never started and nothing names it.
 * Interrupts may be off; no lock held. The struct goes with its last
 * reference (proc_struct_free).
 */
void process_free(struct process *p)
{
	uint64_t flags;
	bool ran;

	if (__atomic_exchange_n(&p->torn_down, true, __ATOMIC_ACQ_REL))
		return;
	flags = spin_lock_irqsave(&p->lock);
	p->ended = true; /* no thread may start in what is being taken apart */
	ran = p->started;
	spin_unlock_irqrestore(&p->lock, flags);
	ipc_process_fini(p);
	vmo_process_fini(p); /* VMO pages are the VMOs': off the tables before aspace_destroy */
	iopb_process_fini(p);
	aspace_destroy(&p->as);
	if (ran)
		proc_notify_exit(p); /* after the pages are back: a waiter may count them */
	/*
	 * Counted as freed only after its life's reference is gone (with the
	 * struct and what it holds, when nothing else names it): a test that
	 * waits for sched_run_until_idle then finds every object back.
	 */
	ipc_object_unref(&p->obj);
	__atomic_fetch_sub(&sched_unfreed_processes, 1, __ATOMIC_RELEASE);
}

void proc_struct_free(struct process *p)
{
	kslab_free(&sched_process_cache, p);
}

void process_destroy_unstarted(struct process *p)
{
	process_free(p);
}

/* Ask CPU `cpu` to look at its run queue (interrupt context there). */
static void sched_kick(void *arg)
{
	(void)arg;
	percpu_this()->need_resched = true;
}

struct thread *thread_create_user_on(struct process *p, uint64_t entry, uint64_t stack_top,
				     uint64_t arg, uint32_t priority, uint32_t cpu)
{
	char why[80];
	struct runqueue *rq;
	struct thread *t;
	uint64_t flags;

	if (priority >= SCHED_PRIORITIES || cpu >= PERCPU_MAX ||
	    !(arch_cpus_online() & (1ull << cpu)) || sched_caches_init() != 0)
		return NULL;
	t = kslab_alloc(&sched_thread_cache);
	if (!t)
		return NULL;
	memset(t, 0, sizeof(*t));
	if (vm_stack_create(&t->kstack, why, sizeof(why)) != 0) {
		kslab_free(&sched_thread_cache, t);
		return NULL;
	}
	if (arch_thread_init_user_state(t) != 0) {
		vm_stack_destroy(&t->kstack);
		kslab_free(&sched_thread_cache, t);
		return NULL;
	}
	t->proc = p;
	t->priority = priority;
	t->cpu = cpu;
	t->id = __atomic_fetch_add(&sched_next_id, 1, __ATOMIC_RELAXED);
	arch_thread_prepare_user(t, entry, stack_top, arg);
	/* p->lock: an ended or killed process never gets a thread again. */
	flags = spin_lock_irqsave(&p->lock);
	if (p->ended || p->killed) {
		spin_unlock_irqrestore(&p->lock, flags);
		arch_thread_free_user_state(t);
		vm_stack_destroy(&t->kstack);
		kslab_free(&sched_thread_cache, t);
		return NULL;
	}
	if (p->threads++ == 0)
		__atomic_fetch_add(&sched_live_processes, 1, __ATOMIC_RELAXED);
	p->started = true;
	t->proc_next = p->thread_list;
	p->thread_list = t;
	__atomic_fetch_add(&p->unfreed_threads, 1, __ATOMIC_RELAXED);
	spin_unlock_irqrestore(&p->lock, flags);
	sched_watch_add(t);
	rq = &sched_rq[cpu];
	flags = spin_lock_irqsave(&rq->lock);
	sched_enqueue(rq, t);
	spin_unlock_irqrestore(&rq->lock, flags);
	/* Another CPU may be halted in its idle loop: wake it to look. */
	if (cpu != arch_cpu_index())
		arch_cross_call(1ull << cpu, sched_kick, NULL);
	return t;
}

struct thread *thread_create_user(struct process *p, uint64_t entry, uint64_t stack_top,
				  uint64_t arg, uint32_t priority)
{
	return thread_create_user_on(p, entry, stack_top, arg, priority, arch_cpu_index());
}

/*
 * Finish a switch on the new thread's stack, interrupts off: the previous
 * thread is off this CPU now (a waker on another CPU may queue it from here
 * on), and what it left dead is freed.
 */
void sched_after_switch(void)
{
	struct runqueue *rq = sched_this_rq();
	struct thread *dead = rq->dead, *prev = rq->switched_from, *wake = rq->wake_after;
	struct process *p;

	rq->after_work = false;
	if (prev) {
		rq->switched_from = NULL;
		__atomic_store_n(&prev->on_cpu, false, __ATOMIC_RELEASE);
	}
	/*
	 * sched_block_and_run's partner of another CPU, woken only now: prev is
	 * off this CPU, so a reply that comes at once from there finds it ready
	 * to queue (sched_wake does not spin on prev->on_cpu while this CPU
	 * waits for the cross-call, interrupts off on both sides).
	 */
	if (wake) {
		rq->wake_after = NULL;
		sched_wake(wake);
	}
	if (!dead)
		return;
	rq->dead = NULL;
	p = dead->proc;
	sched_watch_remove(dead);
	arch_thread_free_user_state(dead);
	ipc_thread_fini(dead);
	vm_stack_destroy(&dead->kstack);
	kslab_free(&sched_thread_cache, dead);
	/*
	 * The last of p's threads to be freed takes p apart: every one has died
	 * (so p has ended) and switched away, so no CPU runs its address space.
	 */
	if (p && __atomic_sub_fetch(&p->unfreed_threads, 1, __ATOMIC_ACQ_REL) == 0)
		process_free(p);
}

/* Make next run here instead of prev (both chosen), interrupts off. */
static void sched_switch_to(struct runqueue *rq, struct thread *prev, struct thread *next)
{
	percpu_this()->need_resched = false;
	if (next == prev) {
		prev->state = THREAD_RUNNING;
		/* A new slice: one left at 0 would never be charged (sched_tick) nor preempted
		 * again. */
		prev->slice = SCHED_SLICE_TICKS;
		return;
	}
	/*
	 * A thread woken or handed over while it was still leaving another CPU
	 * must be off that CPU before it runs here (its stack is in use there
	 * until that switch completes).
	 */
	while (__atomic_load_n(&next->on_cpu, __ATOMIC_ACQUIRE))
		arch_cpu_relax();
	next->state = THREAD_RUNNING;
	next->slice = SCHED_SLICE_TICKS;
	/* Threads never migrate (sched_block_and_run): next->cpu is this CPU already. */
	next->on_cpu = true;
	if (prev->state == THREAD_DEAD) {
		rq->dead = prev;
		rq->after_work = true;
	}
	rq->switched_from = prev;
	/*
	 * The TLB: a switch into another process loads its address space through
	 * this CPU's PCID slots; a switch to the idle thread loads the kernel's
	 * own tables (PCID 0, nothing flushed with PCID), so that an idle CPU
	 * never counts as running an address space and gets no shootdowns.
	 */
	if (next->proc != prev->proc) {
		aspace_switch(next->proc ? &next->proc->as : NULL);
		iopb_switch(next->proc); /* its I/O ports, or none (iopb.h's invariant) */
	}
	percpu_this()->context_switches++; /* this CPU's only; others read it relaxed */
	arch_switch_threads(prev, next);
	sched_after_switch();
	/* prev runs again: if its process was killed meanwhile, it ends on its way out. */
	if (prev->proc && __atomic_load_n(&prev->proc->killed, __ATOMIC_ACQUIRE))
		percpu_this()->need_resched = true;
}

/*
 * Switch to the best runnable thread (prev goes back in the queue if it is
 * still running). Interrupts off.
 */
static void sched_switch(void)
{
	struct runqueue *rq = sched_this_rq();
	struct thread *prev = thread_current(), *next;

	spin_lock(&rq->lock);
	if (prev->state == THREAD_RUNNING && prev != &rq->idle)
		sched_enqueue(rq, prev);
	next = sched_dequeue(rq);
	spin_unlock(&rq->lock);
	if (!next)
		next = &rq->idle;
	sched_switch_to(rq, prev, next);
}

void sched_block(void)
{
	sched_switch();
}

void sched_block_and_run(struct thread *next)
{
	struct runqueue *rq = sched_this_rq();
	struct thread *prev = thread_current();

	prev->state = THREAD_BLOCKED;
	if (next->cpu == percpu_this()->index) {
		sched_switch_to(rq, prev, next);
		return;
	}
	/*
	 * next is another CPU's: threads never migrate, so it does not run
	 * here. This CPU runs what its own queue holds, and next is woken on
	 * its CPU once prev has left this one (sched_after_switch).
	 */
	rq->wake_after = next;
	rq->after_work = true;
	sched_switch();
}

void sched_wake(struct thread *t)
{
	struct runqueue *rq;
	uint32_t cpu;
	uint64_t flags = arch_irq_save();

	/* Queued only once it is off the CPU it blocked on (sched_switch_to says why). */
	while (__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE))
		arch_cpu_relax();
	cpu = t->cpu;
	rq = &sched_rq[cpu];
	spin_lock(&rq->lock);
	sched_enqueue(rq, t);
	spin_unlock(&rq->lock);
	if (cpu == arch_cpu_index() && t->priority < thread_current()->priority)
		percpu_this()->need_resched = true;
	arch_irq_restore(flags);
	/* An IPI not waited for: the target sets need_resched when it takes it. */
	if (cpu != arch_cpu_index())
		arch_kick_cpu(cpu);
}

void sched_yield(void)
{
	uint64_t flags = arch_irq_save();

	sched_switch();
	arch_irq_restore(flags);
}

void sched_tick(void)
{
	struct thread *t = thread_current();

	/* Ticks start (arch_interrupts_init) before this CPU has threads (arch_smp_init). */
	if (t && t->proc && t->slice > 0 && --t->slice == 0)
		percpu_this()->need_resched = true;
	ipc_tick();  /* timed waits of this CPU that ran out */
	klog_tick(); /* new kernel log text: its readers' bits (core/klog.c) */
}

void sched_return_to_user(void)
{
	struct thread *t;

	if (percpu_this()->need_resched)
		sched_switch();
	t = thread_current();
	if (t->proc && __atomic_load_n(&t->proc->killed, __ATOMIC_ACQUIRE))
		thread_exit(t->proc->exit_status); /* the status stays the vector */
}

void thread_exit(int64_t status)
{
	struct thread *t;
	struct process *p;
	uint64_t flags;
	bool last;

	arch_irq_save();
	t = thread_current();
	p = t->proc;
	ipc_thread_exit(t); /* a caller still owed a reply by t: -KEEL_ECLOSED */
	t->state = THREAD_DEAD;
	spin_lock(&p->lock);
	/* Off the thread list: a kill no longer looks at it. */
	for (struct thread **link = &p->thread_list; *link; link = &(*link)->proc_next) {
		if (*link == t) {
			*link = t->proc_next;
			break;
		}
	}
	last = --p->threads == 0;
	if (last) {
		p->ended = true; /* under the lock: thread_create_user_on sees it */
		if (!p->killed)
			p->exit_status = status;
	}
	spin_unlock(&p->lock);
	if (last) {
		kprintf("keel: process %u (%s) %s %lld\n", p->id, p->name,
			p->killed ? "killed by vector" : "exited with status",
			(long long)p->exit_status);
		flags = spin_lock_irqsave(&sched_stats_lock);
		sched_stats.processes_ended++;
		sched_stats.prev_status = sched_stats.last_status;
		sched_stats.prev_killed = sched_stats.last_killed;
		sched_stats.last_status = p->exit_status;
		sched_stats.last_killed = p->killed;
		spin_unlock_irqrestore(&sched_stats_lock, flags);
		__atomic_fetch_sub(&sched_live_processes, 1, __ATOMIC_RELEASE);
	}
	sched_switch();
	__builtin_unreachable();
}

/*
 * Mark p killed with `status`, and take each of its threads but `me` off
 * what it waits on, once, under p->lock (which guards the thread list, and
 * which a thread starting or ending takes): the status, then killed, then the
 * threads (ipc.c's header says why killed is stored before wait_obj is
 * read). true the first time; then the caller wakes the blocked ones and
 * kicks the other CPUs (process_kill_kick). p->lock held.
 */
static bool process_kill_mark(struct process *p, int64_t status, struct thread *me)
{
	if (p->killed)
		return false;
	p->exit_status = status;
	__atomic_store_n(&p->killed, true, __ATOMIC_SEQ_CST);
	for (struct thread *t = p->thread_list; t; t = t->proc_next)
		if (t != me)
			ipc_thread_cancel(t);
	return true;
}

/* After process_kill_mark, no lock held: the blocked threads woken, the other CPUs kicked. */
static void process_kill_kick(void)
{
	ipc_wake_pending(); /* the blocked ones, with -KEEL_ECLOSED */
	/*
	 * Every other CPU into the kernel: one running a thread of p ends it on
	 * its way back (sched_return_to_user). A kill is rare: all of them,
	 * rather than a racy look at where p's threads run. A runnable thread of
	 * p queued on this CPU ends when it is next switched in (sched_switch).
	 */
	arch_cross_call(arch_cpus_online() & ~(1ull << arch_cpu_index()), sched_kick, NULL);
}

void process_kill_current(uint64_t vector)
{
	struct thread *me = thread_current();
	struct process *p = me->proc;
	uint64_t flags = spin_lock_irqsave(&p->lock);
	bool first = process_kill_mark(p, (int64_t)vector, me);

	spin_unlock_irqrestore(&p->lock, flags);
	if (first)
		process_kill_kick();
	thread_exit(p->exit_status);
}

int process_kill(struct process *p, int64_t status)
{
	uint64_t flags = spin_lock_irqsave(&p->lock);
	bool first = false;
	int err = 0;

	if (p->ended) {
		err = -KEEL_ECLOSED;
	} else if (!p->started) {
		/* No thread to end: ended now, and none may start (thread_create_user_on). */
		p->exit_status = status;
		__atomic_store_n(&p->killed, true, __ATOMIC_SEQ_CST);
		p->ended = true;
	} else {
		first = process_kill_mark(p, status, NULL);
	}
	spin_unlock_irqrestore(&p->lock, flags);
	if (first)
		process_kill_kick();
	return err;
}

/*
 * Halt until an interrupt, counting the ticks for KEEL_INFO_COUNTERS
 * (idle_tsc; only this CPU writes it, read relaxed there). Interrupts off.
 */
static void sched_halt(void)
{
	struct percpu *p = percpu_this();
	uint64_t halted = tsc_read();

	arch_wait_for_interrupt();
	__atomic_store_n(&p->idle_tsc, p->idle_tsc + tsc_read() - halted, __ATOMIC_RELAXED);
}

void sched_run_until_idle(void)
{
	uint64_t flags = arch_irq_save(), start = arch_read_tsc();

	sched_watch_reset();
	/* Until every process has ended and been freed, on whichever CPU it ran. */
	while (__atomic_load_n(&sched_live_processes, __ATOMIC_ACQUIRE) > 0 ||
	       __atomic_load_n(&sched_unfreed_processes, __ATOMIC_ACQUIRE) > 0) {
		sched_switch();
		if (sched_this_rq()->runnable == 0)
			sched_halt();
		if (sched_watch_expired(start))
			break;
	}
	arch_irq_restore(flags);
}

noreturn void sched_idle_loop(void)
{
	arch_irq_save();
	for (;;) {
		sched_switch();
		sched_halt();
	}
}
