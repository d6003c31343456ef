/*
 * kernel/core/watch.c: "owner gone" watches (ipc_impl.h; KEEL_SYS_IRQ_BIND on
 * a notification or an endpoint, include/keel/syscall.h).
 *
 * A watch names the object it watches (a notification or an endpoint) and
 * the notification it signals (its target), and is on two lists: the
 * watched object's `watches` and the target's `targeted`. It holds no
 * reference on either: the watched object cannot be freed while a watch is
 * on it (a watch exists only while some handle gives the object an owner,
 * and the last such handle fires it; a watched object freed anyway takes
 * its watches along, watch_object_gone), and a target freed first takes
 * its watches off both lists (watch_target_gone), so a watch never keeps a
 * notification alive and never outlives either side.
 *
 * A watch fires once: when the owner side goes (watch_fire, from the handle
 * table's unref callback, ipc.c), or at once when it is bound after that;
 * then it is freed. Firing takes the watches off both lists under
 * watch_lock, with a reference on each target (one already being freed is
 * skipped), and signals the targets once watch_lock is dropped. Binding the same (object, target,
 * bit) again while one waits changes nothing.
 *
 * Locking: watch_lock (interrupts off while held) guards every watch list
 * and every watch. Lock order: a process's lock, then watch_lock, then an
 * endpoint's lock, then a notification's lock (ipc.c's order, with
 * watch_lock between the process and the objects). Nobody takes watch_lock
 * while holding an object's lock: the callers of watch_fire decide "gone"
 * under the object's lock and call it once that is dropped. A waiter a
 * fired watch's signal takes is woken through this CPU's pending list
 * (ipc_notification_signal_deferred), since the caller may hold a process
 * lock, where sched_wake's cross-call must not happen.
 */
#include <stddef.h>

#include <keel/syscall.h>

#include "core/arch.h"
#include "core/ipc.h"
#include "core/ipc_impl.h"
#include "core/spinlock.h"
#include "mm/kslab.h"

struct watch {
	struct object *obj;          /* watched: a notification or an endpoint */
	struct notification *target; /* signalled with bits when it fires */
	uint64_t bits;
	struct watch *obj_next;    /* on obj's watches */
	struct watch *target_next; /* on target's targeted */
};

static struct spinlock watch_lock = SPINLOCK_INIT;
static struct kslab_cache watch_cache; /* set up under watch_lock */
static bool watch_cache_ready;
static uint64_t watch_count; /* atomic: watch_live */

uint64_t watch_live(void)
{
	return __atomic_load_n(&watch_count, __ATOMIC_RELAXED);
}

/* The list of watches on obj (a notification or an endpoint). */
static struct watch **watch_head(struct object *obj)
{
	if (obj->type == KEEL_OBJ_ENDPOINT)
		return &((struct endpoint *)obj)->watches;
	return &((struct notification *)obj)->watches;
}

/* Whether obj's owner side is gone. watch_lock held; takes obj's lock (the order above). */
static bool watch_gone(struct object *obj)
{
	bool gone;

	if (obj->type == KEEL_OBJ_ENDPOINT) {
		struct endpoint *ep = (struct endpoint *)obj;

		spin_lock(&ep->lock);
		gone = ep->readers == 0;
		spin_unlock(&ep->lock);
	} else {
		/* Counted atomically (ipc.c, ipc_notification_count). */
		gone = __atomic_load_n(&((struct notification *)obj)->wait_handles,
				       __ATOMIC_ACQUIRE) == 0;
	}
	return gone;
}

/* Take w off its target's list. watch_lock held. */
static void watch_unlink_target(struct watch *w)
{
	struct watch **pp = &w->target->targeted;

	while (*pp && *pp != w)
		pp = &(*pp)->target_next;
	if (*pp)
		*pp = w->target_next;
}

/* Take w off its watched object's list. watch_lock held. */
static void watch_unlink_obj(struct watch *w)
{
	struct watch **pp = watch_head(w->obj);

	while (*pp && *pp != w)
		pp = &(*pp)->obj_next;
	if (*pp)
		*pp = w->obj_next;
}

static void watch_free(struct watch *w)
{
	kslab_free(&watch_cache, w);
	__atomic_fetch_sub(&watch_count, 1, __ATOMIC_RELAXED);
}

/* Set the cache up, and give it its first slab (kept), under watch_lock. 0, or -KEEL_ENOMEM. */
static int watch_cache_init_locked(void)
{
	void *w;

	if (watch_cache_ready)
		return 0;
	if (kslab_cache_init(&watch_cache, "watch", sizeof(struct watch), 64) != 0)
		return -KEEL_ENOMEM;
	watch_cache_ready = true;
	w = kslab_alloc(&watch_cache);
	if (w)
		kslab_free(&watch_cache, w);
	return 0;
}

void watch_prime(void)
{
	uint64_t flags = spin_lock_irqsave(&watch_lock);

	watch_cache_init_locked();
	spin_unlock_irqrestore(&watch_lock, flags);
}

int watch_bind(struct object *obj, struct notification *target, uint64_t bit)
{
	uint64_t bits = 1ull << bit, flags = spin_lock_irqsave(&watch_lock);
	struct watch *w;

	/*
	 * Gone already: fire at once, allocating nothing. Decided under
	 * watch_lock: a last handle closing after this look fires the list,
	 * with this watch on it, once it gets watch_lock.
	 */
	if (watch_gone(obj)) {
		spin_unlock_irqrestore(&watch_lock, flags);
		ipc_notification_signal(&target->obj, bits); /* no lock held: may wake */
		return 0;
	}
	for (w = *watch_head(obj); w; w = w->obj_next) {
		if (w->target == target && w->bits == bits) {
			spin_unlock_irqrestore(&watch_lock, flags);
			return 0; /* the same watch waits already */
		}
	}
	w = watch_cache_init_locked() == 0 ? kslab_alloc(&watch_cache) : NULL;
	if (!w) {
		spin_unlock_irqrestore(&watch_lock, flags);
		return -KEEL_ENOMEM;
	}
	__atomic_fetch_add(&watch_count, 1, __ATOMIC_RELAXED);
	w->obj = obj;
	w->target = target;
	w->bits = bits;
	w->obj_next = *watch_head(obj);
	*watch_head(obj) = w;
	w->target_next = target->targeted;
	target->targeted = w;
	spin_unlock_irqrestore(&watch_lock, flags);
	return 0;
}

void watch_fire(struct object *obj)
{
	struct watch **head = watch_head(obj), *w, *next;
	uint64_t flags;

	/*
	 * Always under watch_lock, never a look first: a bind that read the
	 * owner there just before the count reached 0 links its watch before
	 * this takes the lock, and one after it finds the owner gone.
	 */
	flags = spin_lock_irqsave(&watch_lock);
	w = *head;
	*head = NULL;
	for (struct watch *c = w; c; c = c->obj_next) {
		watch_unlink_target(c);
		/*
		 * A reference on the target, so that it is signalled with
		 * watch_lock dropped (a bound endpoint's unref may free it, which
		 * takes watch_lock); one already on its way to be freed is skipped.
		 */
		if (!ipc_object_tryref(&c->target->obj))
			c->target = NULL;
	}
	spin_unlock_irqrestore(&watch_lock, flags);
	for (; w; w = next) {
		next = w->obj_next;
		if (w->target) {
			flags = arch_irq_save(); /* the pending list is this CPU's */
			ipc_notification_signal_deferred(w->target, w->bits);
			arch_irq_restore(flags);
			ipc_object_unref(&w->target->obj);
		}
		watch_free(w);
	}
}

void watch_object_gone(struct object *obj)
{
	struct watch **head = watch_head(obj), *w, *next;
	uint64_t flags;

	/* Nothing can name obj any more: no bind adds to its list. */
	if (!__atomic_load_n(head, __ATOMIC_ACQUIRE))
		return;
	flags = spin_lock_irqsave(&watch_lock);
	for (w = *head, *head = NULL; w; w = next) {
		next = w->obj_next;
		watch_unlink_target(w);
		watch_free(w);
	}
	spin_unlock_irqrestore(&watch_lock, flags);
}

void watch_target_gone(struct notification *n)
{
	struct watch *w, *next;
	uint64_t flags;

	/* No handle names n: no bind adds to targeted; a fire only takes off it. */
	if (!__atomic_load_n(&n->targeted, __ATOMIC_ACQUIRE))
		return;
	flags = spin_lock_irqsave(&watch_lock);
	for (w = n->targeted, n->targeted = NULL; w; w = next) {
		next = w->target_next;
		watch_unlink_obj(w);
		watch_free(w);
	}
	spin_unlock_irqrestore(&watch_lock, flags);
}
