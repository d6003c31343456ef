/*
 * kernel/core/spinlock.h: a ticket spinlock, fair between CPUs (the lock is
 * granted in the order the CPUs asked for it).
 *
 * Plain spin_lock leaves interrupts as they are: only for data that no
 * interrupt handler touches. spin_lock_irqsave also turns interrupts off on
 * this CPU and gives back the flags for spin_unlock_irqrestore: for data an
 * interrupt handler may touch, or when the holder must not be preempted.
 * Locks are not recursive: taking one twice on the same CPU hangs.
 */
#ifndef KEEL_CORE_SPINLOCK_H
#define KEEL_CORE_SPINLOCK_H

#include <stdbool.h>
#include <stdint.h>

struct spinlock {
	uint32_t next;    /* the ticket the next arrival takes */
	uint32_t serving; /* the ticket that holds the lock */
};

#define SPINLOCK_INIT                                                                              \
	{                                                                                          \
		0, 0                                                                               \
	}

void spin_lock(struct spinlock *l);

/* Only the holder writes `serving`, so the unlock is a plain store-release of serving + 1. */
static inline void spin_unlock(struct spinlock *l)
{
	uint32_t mine = __atomic_load_n(&l->serving, __ATOMIC_RELAXED);

	__atomic_store_n(&l->serving, mine + 1, __ATOMIC_RELEASE);
}

/* Take the lock only if it is free at once; true when taken. */
static inline bool spin_trylock(struct spinlock *l)
{
	uint32_t serving = __atomic_load_n(&l->serving, __ATOMIC_RELAXED);
	uint32_t expected = serving;

	/* Free means next == serving; take ticket `serving` only then. */
	return __atomic_compare_exchange_n(&l->next, &expected, serving + 1, false,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

uint64_t spin_lock_irqsave(struct spinlock *l);
void spin_unlock_irqrestore(struct spinlock *l, uint64_t flags);

/* Whether someone holds the lock (for assertions and crash paths). */
bool spin_is_locked(const struct spinlock *l);

#endif
