/*
 * kernel/core/sched_watch.c: every user thread on one list, the report of
 * a hang, and sched_run_until_idle's watchdog (sched_watch.h).
 *
 * A test that waits for its processes forever hangs the whole run until the
 * host's timeout, with nothing said about why. With the watchdog set (test
 * mode), a wait that lasts too long prints each thread (process, state, CPU,
 * the object it waits on, the system call and user rip it is in), kills
 * every process, and the case fails; the run goes on.
 */
#include "core/sched_watch.h"

#include <keel/syscall.h>

#include "arch/x86_64/percpu.h"
#include "arch/x86_64/trap.h"
#include "arch/x86_64/tsc.h"
#include "core/arch.h"
#include "core/console.h"
#include "core/ipc.h"
#include "core/ipc_impl.h"
#include "core/sched_fast.h"
#include "core/spinlock.h"
#include "core/thread.h"

#define WATCH_KILL_MAX    64 /* processes killed per report (more are killed on the next) */
#define WATCH_GRACE_S     10 /* seconds the killed processes get to end */
#define WATCH_EXIT_FAILED 0x11

/*
 * Guards sched_threads and every thread's all_prev/all_next; taken with
 * interrupts off. Lock order: watch_lock, then console_lock (the report
 * prints under it); nothing takes watch_lock with another lock held.
 */
static struct spinlock watch_lock = SPINLOCK_INIT;
static struct thread *sched_threads;
static uint32_t watch_seconds;
static uint32_t watch_hangs;
/* The current wait's report is out (sched_run_until_idle runs on the boot CPU only). */
static bool watch_fired;

void sched_watch_add(struct thread *t)
{
	uint64_t flags = spin_lock_irqsave(&watch_lock);

	t->all_prev = NULL;
	t->all_next = sched_threads;
	if (sched_threads)
		sched_threads->all_prev = t;
	sched_threads = t;
	spin_unlock_irqrestore(&watch_lock, flags);
}

void sched_watch_remove(struct thread *t)
{
	uint64_t flags = spin_lock_irqsave(&watch_lock);

	if (t->all_prev)
		t->all_prev->all_next = t->all_next;
	else
		sched_threads = t->all_next;
	if (t->all_next)
		t->all_next->all_prev = t->all_prev;
	spin_unlock_irqrestore(&watch_lock, flags);
}

void sched_set_watchdog(uint32_t seconds)
{
	watch_seconds = seconds;
}

uint32_t sched_hangs(void)
{
	return __atomic_load_n(&watch_hangs, __ATOMIC_RELAXED);
}

static const char *watch_state_name(enum thread_state s)
{
	switch (s) {
	case THREAD_RUNNABLE: return "runnable";
	case THREAD_RUNNING: return "running";
	case THREAD_BLOCKED: return "blocked";
	case THREAD_DEAD: return "dead";
	}
	return "?";
}

/* What a blocked thread waits on, and that object's state, on the current line. */
static void watch_print_object(const struct object *o)
{
	if (!o) {
		kprintf("nothing recorded");
		return;
	}
	if (o->type == KEEL_OBJ_ENDPOINT) {
		const struct endpoint *ep = (const struct endpoint *)o;

		kprintf("endpoint %p (readers %u, writers %u, callers %s, bound bits %#llx)", (void *)o,
			ep->readers, ep->writers, ep->callers ? "queued" : "none",
			ep->bound ? (unsigned long long)ep->bound->bits : 0ull);
	} else if (o->type == KEEL_OBJ_NOTIFICATION) {
		const struct notification *n = (const struct notification *)o;

		kprintf("notification %p (bits %#llx, wait handles %u, watched %s, bound %s)",
			(void *)o, (unsigned long long)n->bits, n->wait_handles,
			n->watches ? "yes" : "no", n->bound_ep ? "yes" : "no");
	} else {
		kprintf("an object of type %u", o->type);
	}
}

/*
 * The fields are read without the threads' locks: a report of a hang,
 * where nothing moves; a line may be stale if something does. A thread's
 * user frame is at the top of its kernel stack (thread_arch.c); while it is
 * in a system call, its rax is the call's number.
 */
void sched_dump_threads(void)
{
	uint64_t flags = spin_lock_irqsave(&watch_lock);

	for (const struct thread *t = sched_threads; t; t = t->all_next) {
		const struct trap_frame *f = (const struct trap_frame *)(uintptr_t)t->kstack.top - 1;
		const struct object *w = __atomic_load_n(&t->wait_obj, __ATOMIC_RELAXED);

		kprintf("  thread %u of process %u (%s): %s on CPU %u%s, system call %llu at rip "
			"%#llx%s%s; waits on ",
			t->id, t->proc->id, t->proc->name, watch_state_name(t->state), t->cpu,
			t->on_cpu ? " (on it)" : "", (unsigned long long)f->rax,
			(unsigned long long)f->rip, t->wait_notif ? ", timed" : "",
			t->ipc_reply_to ? ", owes a reply" : "");
		watch_print_object(w ? w : (const struct object *)t->wait_notif);
		kprintf("\n");
	}
	spin_unlock_irqrestore(&watch_lock, flags);
}

/* Each CPU's tick count, switches and run queue: a CPU that stopped ticking shows here. */
static void watch_dump_cpus(void)
{
	for (uint32_t i = 0; i < PERCPU_MAX; i++) {
		const struct percpu *c = percpu_get(i);

		if (!c || !(arch_cpus_online() & (1ull << i)))
			continue;
		kprintf("  CPU %u: %llu ticks, %llu switches, %u runnable, running %s, IPIs in %llu, "
			"next timeout in %lld ms\n",
			i, (unsigned long long)c->timer.ticks, (unsigned long long)c->context_switches,
			sched_rq[i].runnable, c->current && c->current->proc ? c->current->proc->name : "idle",
			(unsigned long long)c->xcall.ipis_received, (long long)ipc_next_timeout_ms(i));
	}
}

/* Kill every process with a thread on the list; the kills happen outside watch_lock. */
static void watch_kill_all(void)
{
	struct process *victims[WATCH_KILL_MAX];
	uint32_t n = 0;
	uint64_t flags = spin_lock_irqsave(&watch_lock);

	for (struct thread *t = sched_threads; t && n < WATCH_KILL_MAX; t = t->all_next) {
		bool seen = false;

		for (uint32_t i = 0; i < n; i++)
			seen |= victims[i] == t->proc;
		if (seen)
			continue;
		ipc_object_ref(&t->proc->obj); /* the thread's process lives until the thread is freed */
		victims[n++] = t->proc;
	}
	spin_unlock_irqrestore(&watch_lock, flags);
	for (uint32_t i = 0; i < n; i++) {
		(void)process_kill(victims[i], -KEEL_ETIMEDOUT); /* -ECLOSED: it ended meanwhile */
		ipc_object_unref(&victims[i]->obj);
	}
}

bool sched_watch_expired(uint64_t since_tsc)
{
	uint64_t waited = arch_read_tsc() - since_tsc;

	if (!watch_seconds || !tsc_info.hz)
		return false;
	if (!watch_fired) {
		if (waited < watch_seconds * tsc_info.hz)
			return false;
		watch_fired = true;
		__atomic_fetch_add(&watch_hangs, 1, __ATOMIC_RELAXED);
		kprintf("keel: watchdog: processes still running after %u s; every thread:\n",
			watch_seconds);
		sched_dump_threads();
		watch_dump_cpus();
		kprintf("keel: watchdog: killing them all\n");
		watch_kill_all();
		return false;
	}
	if (waited < (uint64_t)(watch_seconds + WATCH_GRACE_S) * tsc_info.hz)
		return false;
	kprintf("keel: watchdog: they did not end within %u s; what is left:\n", WATCH_GRACE_S);
	sched_dump_threads();
	kprintf("keel: watchdog: the test run cannot go on; leaving QEMU\n");
	arch_emulator_exit(WATCH_EXIT_FAILED);
	return true; /* no isa-debug-exit device: the caller stops waiting */
}

void sched_watch_reset(void)
{
	watch_fired = false;
}
