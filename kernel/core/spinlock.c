/*
 * kernel/core/spinlock.c: the ticket lock (spinlock.h).
 *
 * Ordering: taking the lock is an acquire (the holder sees every write made
 * before the previous unlock), releasing it a release. spin_unlock and
 * spin_trylock are inline in spinlock.h (the IPC fast path uses them).
 */
#include "spinlock.h"

#include "core/arch.h"

void spin_lock(struct spinlock *l)
{
	uint32_t ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&l->serving, __ATOMIC_ACQUIRE) != ticket)
		arch_cpu_relax();
}

uint64_t spin_lock_irqsave(struct spinlock *l)
{
	uint64_t flags = arch_irq_save();

	spin_lock(l);
	return flags;
}

void spin_unlock_irqrestore(struct spinlock *l, uint64_t flags)
{
	spin_unlock(l);
	arch_irq_restore(flags);
}

bool spin_is_locked(const struct spinlock *l)
{
	return __atomic_load_n(&l->next, __ATOMIC_RELAXED) !=
	       __atomic_load_n(&l->serving, __ATOMIC_RELAXED);
}
