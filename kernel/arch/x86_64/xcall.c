/*
 * kernel/arch/x86_64/xcall.c: cross-calls, running a function on a set of
 * CPUs and waiting until every one of them has run it (arch_cross_call).
 *
 * One cross-call at a time, under xcall_lock; each target gets the request
 * in its own mailbox (struct xcall_cpu) and an IPI on IRQ_VECTOR_XCALL.
 *
 * Why no deadlock: the caller waits with interrupts off, so two CPUs that
 * cross-call each other at once could each wait for the other forever. They
 * cannot both hold xcall_lock, and whoever spins for the lock keeps serving
 * its own mailbox while it spins, so the holder's request to it completes.
 * The function runs in interrupt context on the targets (interrupts off): it
 * must be short, must not sleep, and must not cross-call.
 */
#include "core/arch.h"
#include "core/console.h"
#include "core/spinlock.h"
#include "irq.h"
#include "lapic.h"
#include "percpu.h"
#include "smp.h"
#include "tsc.h"

#define XCALL_WARN_US 2000000 /* a target this late is reported (and still waited for) */

static struct spinlock xcall_lock = SPINLOCK_INIT;
static uint64_t xcall_seq; /* the last request number; under xcall_lock */

/* Run what this CPU's mailbox holds, if it has not run it yet. Interrupts off. */
static void xcall_serve(struct percpu *p)
{
	uint64_t seq = __atomic_load_n(&p->xcall.req_seq, __ATOMIC_ACQUIRE);

	if (seq == p->xcall.done_seq)
		return;
	p->xcall.fn(p->xcall.arg);
	p->xcall.calls_run++;
	__atomic_store_n(&p->xcall.done_seq, seq, __ATOMIC_RELEASE);
}

void xcall_handle_ipi(void)
{
	struct percpu *p = percpu_this();

	p->xcall.ipis_received++;
	xcall_serve(p);
	/* arch_kick_cpu's: the flag first, then the IPI, so it is seen here. */
	if (__atomic_exchange_n(&p->xcall.kick, false, __ATOMIC_ACQ_REL))
		p->need_resched = true;
}

void arch_kick_cpu(uint32_t cpu)
{
	struct percpu *t = percpu_get(cpu);

	if (!t || cpu == arch_cpu_index() || !(arch_cpus_online() & (1ull << cpu)))
		return;
	__atomic_store_n(&t->xcall.kick, true, __ATOMIC_RELEASE);
	/* Not counted in ipis_sent (the cross-call tests count those); received is. */
	if (lapic_send_ipi(t->apic_id, IRQ_VECTOR_XCALL) != 0)
		kprintf("xcall: a kick IPI could not be sent\n");
}

/* Wait until CPU `t` has run request `seq`; warns (once) when it is late. */
static void xcall_wait(const struct percpu *t, uint64_t seq)
{
	uint64_t t0 = tsc_read(), late = tsc_info.hz / 1000000 * XCALL_WARN_US;
	bool warned = false;

	while (__atomic_load_n(&t->xcall.done_seq, __ATOMIC_ACQUIRE) != seq) {
		if (!warned && late && tsc_read() - t0 > late) {
			kprintf("xcall: CPU %u has not answered a cross-call for %u ms; still "
				"waiting\n",
				t->index, XCALL_WARN_US / 1000);
			warned = true;
		}
		arch_cpu_relax();
	}
}

int arch_cross_call(uint64_t cpus, void (*fn)(void *arg), void *arg)
{
	uint64_t flags = arch_irq_save(), targets, seq;
	struct percpu *me = percpu_this();
	uint64_t self = 1ull << me->index;
	int err = 0;

	while (!spin_trylock(&xcall_lock)) {
		xcall_serve(me);
		arch_cpu_relax();
	}
	targets = cpus & arch_cpus_online();
	seq = ++xcall_seq;
	for (uint32_t i = 0; i < PERCPU_MAX; i++) {
		struct percpu *t = percpu_get(i);

		if (!(targets & ~self & (1ull << i)) || !t)
			continue;
		t->xcall.fn = fn;
		t->xcall.arg = arg;
		__atomic_store_n(&t->xcall.req_seq, seq, __ATOMIC_RELEASE);
		/*
		 * An IPI that cannot be sent is reported, and still waited for: the
		 * target may see the request anyway (while it spins for the lock),
		 * and fn must not run after the caller has returned.
		 */
		if (lapic_send_ipi(t->apic_id, IRQ_VECTOR_XCALL) != 0)
			err = -1;
		else
			me->xcall.ipis_sent++;
	}
	if (targets & self) {
		fn(arg);
		me->xcall.calls_run++;
	}
	for (uint32_t i = 0; i < PERCPU_MAX; i++)
		if (targets & ~self & (1ull << i))
			xcall_wait(percpu_get(i), seq);
	spin_unlock(&xcall_lock);
	arch_irq_restore(flags);
	if (err)
		kprintf("xcall: a cross-call IPI could not be sent\n");
	return err;
}
