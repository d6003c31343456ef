/*
 * kernel/core/timeout.h: a list of deadlines kept in order, the earliest
 * first: what a CPU's tick looks at to end the waits that timed out (ipc.c,
 * KEEL_SYS_WAIT). Pure logic: no lock, no clock, no arch code, so the same
 * file runs in the kernel and in the host test (tests/unit/test_timeout.c).
 *
 * Deadlines are absolute times in any unit the owner picks (the kernel uses
 * nanoseconds of KEEL_INFO_CLOCK). timeout_deadline adds a relative timeout
 * without overflow: a sum past TIMEOUT_NEVER saturates there, so an absurd
 * timeout (2^62 ns) is a very long wait, never one that has already passed.
 *
 * Insertion walks the list (O(n) in the waits pending on one CPU, which are
 * few); equal deadlines keep their insertion order. Popping the expired ones
 * and removing an entry are O(1) and O(n). An entry knows whether it is on a
 * list (armed), so removing one the tick already popped is a no-op.
 *
 * Locking: none here; the owner serialises every call on one list (the
 * kernel: one list per CPU, touched only by that CPU with interrupts off).
 */
#ifndef KEEL_CORE_TIMEOUT_H
#define KEEL_CORE_TIMEOUT_H

#include <stdbool.h>
#include <stdint.h>

#define TIMEOUT_NEVER UINT64_MAX

struct timeout {
	uint64_t deadline;
	struct timeout *next;
	bool armed; /* on a list */
};

struct timeout_list {
	struct timeout *head; /* earliest deadline first */
	uint32_t count;
};

/* now + rel, or TIMEOUT_NEVER when that would pass it. */
uint64_t timeout_deadline(uint64_t now, uint64_t rel);

/* Put t (not armed) on the list at `deadline`, after every entry due no later. */
void timeout_insert(struct timeout_list *l, struct timeout *t, uint64_t deadline);

/* Take t off the list if it is there: true if it was. */
bool timeout_remove(struct timeout_list *l, struct timeout *t);

/* The earliest entry if its deadline is <= now, taken off the list; else NULL. */
struct timeout *timeout_pop_expired(struct timeout_list *l, uint64_t now);

#endif
