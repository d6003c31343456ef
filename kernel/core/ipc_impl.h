/*
 * kernel/core/ipc_impl.h: what ipc.c shares with its fast path
 * (ipc_fast.c), and nothing else includes.
 */
#ifndef KEEL_CORE_IPC_IMPL_H
#define KEEL_CORE_IPC_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/ipc.h"
#include "core/spinlock.h"

struct thread;
struct watch;
struct notification;

struct endpoint {
	struct object obj;
	struct spinlock lock;
	struct thread *receivers, *receivers_tail; /* blocked in recv */
	struct thread *callers, *callers_tail;     /* blocked in call, no receiver yet */
	uint32_t readers, writers;  /* open handles with KEEL_RIGHT_READ, KEEL_RIGHT_WRITE */
	struct notification *bound; /* its bound notification (under this lock and its), or NULL */
	struct watch *watches;      /* "owner gone" watches on it (under watch_lock, watch.c) */
};

struct notification {
	struct object obj;
	struct spinlock lock;
	uint64_t bits;
	struct thread *waiters, *waiters_tail;
	uint32_t wait_handles;     /* open handles with KEEL_RIGHT_WAIT (atomic) */
	struct endpoint *bound_ep; /* the endpoint it is bound to (under both locks), or NULL */
	struct watch *watches;     /* "owner gone" watches on it (under watch_lock) */
	struct watch *targeted; /* watches that set bits here when they fire (under watch_lock) */
};

/*
 * "Owner gone" watches (watch.c; irq_bind on a notification or an endpoint).
 * watch_bind: bind a watch on `obj` (a notification or an endpoint) that
 * sets bit `bit` in `target` once obj's owner side is gone (at once if it is
 * already). 0, or -KEEL_ENOMEM. watch_fire: obj's owner side just went
 * (its last handle with KEEL_RIGHT_WAIT, resp. KEEL_RIGHT_READ, closed): set
 * the bits of its watches and free them; no lock held but the caller's
 * process lock, and the wake-ups wait on this CPU's pending list
 * (ipc_wake_pending). watch_target_gone and watch_object_gone: n, resp. obj
 * is being freed: its watches go. watch_live: watches allocated, not yet
 * freed.
 */
int watch_bind(struct object *obj, struct notification *target, uint64_t bit);
void watch_fire(struct object *obj);
void watch_object_gone(struct object *obj);
void watch_target_gone(struct notification *n);
uint64_t watch_live(void);
/* Set up the watches' slab cache with its first slab (once; ipc_caches_init), so that leak
 * checks find the same pages before and after the first watch. */
void watch_prime(void);

/*
 * Set bits on n from a context that holds locks (a watch firing under the
 * process lock): a waiter taken is woken through this CPU's pending list
 * (ipc_wake_pending), never here. n->lock not held; interrupts off.
 */
void ipc_notification_signal_deferred(struct notification *n, uint64_t bits);

/* A reference on obj unless its last one went already (it is being freed): true if taken. */
bool ipc_object_tryref(struct object *obj);

/*
 * The end of a receive, in the receiver's context: a slow-path message
 * delivered to `me` is put in its table and buffer. `result`, or an error.
 */
int64_t ipc_finish_in(struct thread *me, int64_t result);

#endif
