/*
 * kernel/core/ipc.c: objects, handles and IPC (ipc.h).
 *
 * Locking: a process's lock guards its handle table; an endpoint's or a
 * notification's lock guards its wait queues and bits. Lock order: process,
 * then object, then a run queue (sched.c). Every call runs with interrupts
 * off from the moment it takes an object lock until it blocks or returns.
 *
 * The call fast path (ipc_call with a receiver waiting): look the endpoint
 * up, take the waiting receiver, hand it the words, and switch to it
 * directly; after the receiver is taken off the queue nothing can fail.
 * Threads never migrate (placement is at thread_create_user_on): the
 * direct switch (sched_block_and_run) runs the partner here only when it is
 * this CPU's; a partner of another CPU is woken there, and two processes
 * that talk from two CPUs stay on them. So a thread's timeout list, its
 * CPU's TSS I/O bitmap copy, PCID slots and FPU registers are always its
 * own CPU's.
 *
 * Peer death (-KEEL_ECLOSED). An endpoint counts the handles that hold
 * KEEL_RIGHT_READ (receivers) and KEEL_RIGHT_WRITE (senders), through the
 * handle table's ref/unref callbacks, which are told each handle's rights; a
 * handle in flight in a message still counts until the message is delivered
 * or dropped. When the last reading handle closes, the queued callers wake
 * with -KEEL_ECLOSED, and a call on an endpoint with no reading handle fails
 * at once. When the last writing handle closes, the blocked receivers wake
 * with -KEEL_ECLOSED (a later recv blocks: a supervised process's faults
 * reach its supervisor without a handle, through the reference in struct
 * process). A thread that ends owing a reply wakes its caller with
 * -KEEL_ECLOSED (ipc_thread_exit), and so does one that calls recv again
 * before replying (it gives that caller up). Those wake-ups are found under locks
 * (the process's, when a handle closes) that must not be held across
 * sched_wake's cross-call, so they are queued on this CPU's pending list and
 * woken once the locks are dropped (ipc_wake_pending).
 *
 * Wait timeouts. A wait with a timeout other than 0 and KEEL_FOREVER puts
 * the thread's deadline (ns of KEEL_INFO_CLOCK, saturating: an absurd
 * timeout is a long wait) on the timeout list of the CPU it blocks on; that
 * CPU's 100 Hz tick (ipc_tick) pops the expired ones, so a wait ends between
 * its timeout and one tick (10 ms) later. A blocked waiter is woken on the
 * CPU it blocked on (sched_wake), so its list is only ever touched by that
 * CPU with interrupts off, and the waiter cannot run, end or drop its
 * reference to the notification while the tick looks at it. Exactly one of
 * signal and tick wins: whoever takes the thread off the notification's
 * waiters queue, under the notification's lock, gives the answer (bits or
 * -KEEL_ETIMEDOUT); the other finds it gone and does nothing, and bits that
 * come after are kept for the next wait.
 *
 * Process-wide kill (process_kill_current, sched.c). A thread that blocks on
 * a queue here records the object (wait_obj, ipc_wait_on) under its lock;
 * the killer, holding the process's lock, reads it and takes the thread off
 * that queue under the object's lock (ipc_thread_cancel): the thread is
 * woken with -KEEL_ECLOSED through the pending list, and ends on its way
 * back to user mode. Two races, and what settles them:
 *  - the object's life: the thread holds a reference while it blocks, and
 *    drops it only after clearing wait_obj (ipc_wait_done), which waits
 *    until no killer is between reading wait_obj and dropping the object's
 *    lock (wait_pin, counted by the killer before it reads);
 *  - a thread that queues itself just as the process is killed: it stores
 *    wait_obj, then reads killed; the killer stores killed, then reads
 *    wait_obj (both sequentially consistent), so at least one of them sees
 *    the other; whoever takes the thread off the queue, under the object's
 *    lock, decides: the thread itself does not block, or the killer wakes it.
 * The fast path (ipc_fast.c) records nothing, but a fast reply_recv queues
 * its thread as a receiver under the process's lock, which the killer holds
 * while it looks, and refuses a killed process's thread: the killer finds
 * one it queued before through the handle its frame names (rdi of
 * KEEL_SYS_REPLY_RECV), looked up under that lock; a stale frame or handle
 * finds nothing, as the thread is taken only if it is on that queue.
 */
#include "core/ipc.h"

#include <stddef.h>

#include <keel/syscall.h>

#include "arch/x86_64/percpu.h"
#include "arch/x86_64/syscall.h"
#include "arch/x86_64/trap.h"
#include "arch/x86_64/tsc.h"
#include "arch/x86_64/usercopy.h"
#include "core/arch.h"
#include "core/devobj.h"
#include "core/proc.h"
#include "core/ipc_impl.h"
#include "core/klog.h"
#include "core/spinlock.h"
#include "core/syscall.h"
#include "core/thread.h"
#include "core/timeout.h"
#include "core/vmo.h"
#include "lib/kstring.h"
#include "mm/kslab.h"
#include "mm/pmm.h"

#define IPC_HANDLES_MAX 4096 /* handles one process may hold */

/*
 * A slow-path message: a struct keel_msg copied in from the sender, and the
 * handle it carries, taken out of the sender's table (the reference moves
 * with it). It moves from the sender's ipc_out to the receiver's ipc_in by
 * pointer; the receiver copies it out in its own context (ipc_finish_in).
 */
struct ipc_message {
	struct keel_msg msg;
	struct handle_entry handle;
	bool has_handle;
};

static struct kslab_cache ipc_endpoint_cache, ipc_notification_cache, ipc_message_cache;
static bool ipc_caches_ready;
static struct spinlock ipc_caches_lock = SPINLOCK_INIT;
static uint64_t ipc_live; /* objects allocated and not yet freed (ipc_objects_live) */

/*
 * Per CPU, touched only by that CPU with interrupts off: threads to wake
 * with -KEEL_ECLOSED once the locks are dropped (linked through
 * thread->next), and the deadlines of the timed waits blocked there.
 */
static struct thread *ipc_pending_wake[PERCPU_MAX];
static struct timeout_list ipc_timeouts[PERCPU_MAX];

/* Notifications bound to endpoints (defined with the notifications, below). */
static void ipc_unbind_notification(struct notification *n);
static void ipc_unbind_endpoint(struct endpoint *ep);
static uint64_t ipc_bound_take(struct endpoint *ep);
static bool ipc_bound_pending(const struct endpoint *ep);

/* ---- Objects ---- */

static int ipc_caches_init(void)
{
	uint64_t flags = spin_lock_irqsave(&ipc_caches_lock);
	bool primed = false;
	int err = 0;

	if (!ipc_caches_ready) {
		err =
		    kslab_cache_init(&ipc_endpoint_cache, "endpoint", sizeof(struct endpoint), 64);
		if (err == 0)
			err = kslab_cache_init(&ipc_notification_cache, "notification",
					       sizeof(struct notification), 64);
		if (err == 0)
			err = kslab_cache_init(&ipc_message_cache, "ipc message",
					       sizeof(struct ipc_message), 64);
		ipc_caches_ready = err == 0;
		primed = ipc_caches_ready;
	}
	spin_unlock_irqrestore(&ipc_caches_lock, flags);
	if (primed)
		watch_prime(); /* outside ipc_caches_lock: watch_lock is taken under no object lock
				*/
	return err == 0 ? 0 : -KEEL_ENOMEM;
}

struct object *ipc_object_create(uint32_t type)
{
	struct object *o;

	if (ipc_caches_init() != 0)
		return NULL;
	switch (type) {
	case KEEL_OBJ_ENDPOINT: {
		struct endpoint *e = kslab_alloc(&ipc_endpoint_cache);

		if (!e)
			return NULL;
		memset(e, 0, sizeof(*e));
		o = &e->obj;
		break;
	}
	case KEEL_OBJ_NOTIFICATION: {
		struct notification *n = kslab_alloc(&ipc_notification_cache);

		if (!n)
			return NULL;
		memset(n, 0, sizeof(*n));
		o = &n->obj;
		break;
	}
	default: return NULL;
	}
	o->type = type;
	o->refs = 1;
	__atomic_fetch_add(&ipc_live, 1, __ATOMIC_RELAXED);
	return o;
}

void ipc_object_ref(struct object *obj)
{
	__atomic_fetch_add(&obj->refs, 1, __ATOMIC_RELAXED);
}

void ipc_object_unref(struct object *obj)
{
	/* Processes and threads have their own last-reference rules (proc.c). */
	if (obj->type == KEEL_OBJ_PROCESS || obj->type == KEEL_OBJ_THREAD) {
		proc_object_unref(obj);
		return;
	}
	if (__atomic_sub_fetch(&obj->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	/* No handle and no blocked thread names it any more: its queues are empty. */
	if (obj->type == KEEL_OBJ_VMO) {
		vmo_destroy(obj); /* no mapping either: every one holds a reference */
		return;
	}
	if (obj->type >= KEEL_OBJ_IRQ && obj->type <= KEEL_OBJ_DMA) {
		devobj_destroy(obj); /* core/devobj.c (the log: core/klog.c) */
		return;
	}
	/* Their watches and bindings go first (watch.c, ipc_unbind): they hold no reference. */
	if (obj->type == KEEL_OBJ_NOTIFICATION) {
		watch_target_gone((struct notification *)obj);
		ipc_unbind_notification((struct notification *)obj);
	} else {
		ipc_unbind_endpoint((struct endpoint *)obj);
	}
	watch_object_gone(obj);
	if (obj->type == KEEL_OBJ_ENDPOINT)
		kslab_free(&ipc_endpoint_cache, obj);
	else
		kslab_free(&ipc_notification_cache, obj);
	/* ipc_live counts endpoints and notifications (ipc_object_create). */
	__atomic_fetch_sub(&ipc_live, 1, __ATOMIC_RELAXED);
}

uint64_t ipc_objects_live(void)
{
	return __atomic_load_n(&ipc_live, __ATOMIC_RELAXED) + watch_live() + klog_objects_live();
}

/* ---- Handle tables ---- */

/* ---- Wait queues (FIFO, through thread->next; the object's lock held) ---- */

static void ipc_enqueue(struct thread **head, struct thread **tail, struct thread *t)
{
	t->next = NULL;
	if (*tail)
		(*tail)->next = t;
	else
		*head = t;
	*tail = t;
}

static struct thread *ipc_dequeue(struct thread **head, struct thread **tail)
{
	struct thread *t = *head;

	if (t) {
		*head = t->next;
		if (!*head)
			*tail = NULL;
		t->next = NULL;
	}
	return t;
}

/* Take t out of the queue wherever it is: true if it was there. */
static bool ipc_unqueue(struct thread **head, struct thread **tail, struct thread *t)
{
	struct thread *prev = NULL;

	for (struct thread *c = *head; c; prev = c, c = c->next) {
		if (c != t)
			continue;
		if (prev)
			prev->next = c->next;
		else
			*head = c->next;
		if (*tail == c)
			*tail = prev;
		c->next = NULL;
		return true;
	}
	return false;
}

/* ---- Peer death ---- */

/*
 * Move every thread of a queue to this CPU's pending wake-ups, to return
 * -KEEL_ECLOSED. The queue's lock held, interrupts off.
 */
static void ipc_close_queue(struct thread **head, struct thread **tail)
{
	struct thread **pending = &ipc_pending_wake[arch_cpu_index()];
	struct thread *t;

	while ((t = ipc_dequeue(head, tail)) != NULL) {
		t->ipc_result = -KEEL_ECLOSED;
		t->next = *pending;
		*pending = t;
	}
}

/* Count a handle with `rights` on endpoint obj in (add) or out. */
static void ipc_endpoint_count(struct object *obj, uint32_t rights, bool add)
{
	struct endpoint *ep = (struct endpoint *)obj;
	uint64_t flags = spin_lock_irqsave(&ep->lock);
	bool gone = false;

	if (add) {
		ep->readers += (rights & KEEL_RIGHT_READ) != 0;
		ep->writers += (rights & KEEL_RIGHT_WRITE) != 0;
	} else {
		if ((rights & KEEL_RIGHT_READ) && --ep->readers == 0) {
			ipc_close_queue(&ep->callers, &ep->callers_tail);
			gone = true;
		}
		if ((rights & KEEL_RIGHT_WRITE) && --ep->writers == 0)
			ipc_close_queue(&ep->receivers, &ep->receivers_tail);
	}
	spin_unlock_irqrestore(&ep->lock, flags);
	/* Its owner side gone: its watches fire (watch.c; watch_lock after the endpoint's lock is
	 * dropped, never inside it). */
	if (gone)
		watch_fire(obj);
}

/*
 * Count a handle with `rights` on notification obj in (add) or out: its
 * handles with KEEL_RIGHT_WAIT, the owner side, counted atomically (no lock:
 * a handle moving in a message costs two atomics). The last one gone fires
 * its watches: watch_bind reads the count under watch_lock, which
 * watch_fire takes after the count reached 0, so a watch is either fired
 * at once by its bind or found on the list by the fire.
 */
static void ipc_notification_count(struct object *obj, uint32_t rights, bool add)
{
	struct notification *n = (struct notification *)obj;

	if (!(rights & KEEL_RIGHT_WAIT))
		return;
	if (add)
		__atomic_fetch_add(&n->wait_handles, 1, __ATOMIC_RELAXED);
	else if (__atomic_sub_fetch(&n->wait_handles, 1, __ATOMIC_ACQ_REL) == 0)
		watch_fire(obj);
}

void ipc_wake_pending(void)
{
	uint64_t flags;
	struct thread **pending, *t, *next;

	/* Kernel code stays on its CPU: a look without interrupts off is safe. */
	if (__builtin_expect(!ipc_pending_wake[arch_cpu_index()], 1))
		return;
	flags = arch_irq_save();
	pending = &ipc_pending_wake[arch_cpu_index()];
	t = *pending;
	*pending = NULL;
	arch_irq_restore(flags);
	for (; t; t = next) {
		next = t->next; /* sched_wake reuses the link */
		sched_wake(t);
	}
}

void ipc_thread_exit(struct thread *t)
{
	struct thread *caller = t->ipc_reply_to;

	/* Interrupts off: the caller is blocked on no queue, owed a reply by t alone. */
	if (caller) {
		t->ipc_reply_to = NULL;
		caller->ipc_result = -KEEL_ECLOSED;
		sched_wake(caller);
	}
}

/* A receiver that receives again without replying gives its caller up: -KEEL_ECLOSED. */
static void ipc_drop_caller(struct thread *me)
{
	uint64_t flags;

	if (__builtin_expect(me->ipc_reply_to == NULL, 1))
		return;
	flags = arch_irq_save();
	ipc_thread_exit(me);
	arch_irq_restore(flags);
}

/* ---- Process-wide kill ---- */

/*
 * me has just queued itself on a queue (head, tail) of obj, whose lock it
 * holds: record where, for a killer. false: its process was killed, and it
 * took itself back off the queue with -KEEL_ECLOSED (it must not block;
 * ipc_wait_done once the lock is dropped). The header says why the order.
 */
static bool ipc_wait_on(struct thread *me, struct object *obj, struct thread **head,
			struct thread **tail)
{
	__atomic_store_n(&me->wait_obj, obj, __ATOMIC_SEQ_CST);
	if (__builtin_expect(!__atomic_load_n(&me->proc->killed, __ATOMIC_SEQ_CST), 1))
		return true;
	/* Not on the queue any more: a killer took it, and wakes it once it has blocked. */
	if (!ipc_unqueue(head, tail, me))
		return true;
	me->ipc_result = -KEEL_ECLOSED;
	return false;
}

/*
 * me runs again after ipc_wait_on (no object lock held): forget the object,
 * once no killer still reads it (the caller drops its reference after).
 */
static void ipc_wait_done(struct thread *me)
{
	if (!me->wait_obj)
		return;
	__atomic_store_n(&me->wait_obj, NULL, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&me->wait_pin, __ATOMIC_ACQUIRE))
		arch_cpu_relax();
}

/* The frame of a thread in a system call; defined with the messages below. */
static struct trap_frame *ipc_frame_of(struct thread *t);

/*
 * t queued as a receiver by the fast path's reply_recv (no wait_obj): the
 * endpoint its frame's handle names, and t taken off its receivers if there.
 * t->proc->lock held: the handle stays, and no fast reply_recv queues now.
 */
static bool ipc_cancel_fast_receiver(struct thread *t)
{
	struct trap_frame *f = ipc_frame_of(t);
	struct endpoint *ep;
	void *obj;
	bool taken;

	if (f->rax != KEEL_SYS_REPLY_RECV ||
	    handle_get(&t->proc->handles, f->rdi, KEEL_OBJ_ENDPOINT, KEEL_RIGHT_READ, &obj) != 0)
		return false;
	ep = obj;
	spin_lock(&ep->lock);
	taken = ipc_unqueue(&ep->receivers, &ep->receivers_tail, t);
	spin_unlock(&ep->lock);
	return taken;
}

void ipc_thread_cancel(struct thread *t)
{
	struct thread **pending = &ipc_pending_wake[arch_cpu_index()];
	struct object *obj;
	bool taken = false;

	/* Pinned: t cannot drop its reference to obj (ipc_wait_done) until we unpin. */
	__atomic_fetch_add(&t->wait_pin, 1, __ATOMIC_SEQ_CST);
	obj = __atomic_load_n(&t->wait_obj, __ATOMIC_SEQ_CST);
	if (obj && obj->type == KEEL_OBJ_ENDPOINT) {
		struct endpoint *ep = (struct endpoint *)obj;

		spin_lock(&ep->lock);
		taken = ipc_unqueue(&ep->callers, &ep->callers_tail, t) ||
			ipc_unqueue(&ep->receivers, &ep->receivers_tail, t);
		spin_unlock(&ep->lock);
	} else if (obj) {
		struct notification *n = (struct notification *)obj;

		spin_lock(&n->lock);
		taken = ipc_unqueue(&n->waiters, &n->waiters_tail, t);
		spin_unlock(&n->lock);
	}
	__atomic_fetch_sub(&t->wait_pin, 1, __ATOMIC_RELEASE);
	if (!taken)
		taken = ipc_cancel_fast_receiver(t);
	/*
	 * Taken off its queue, t is ours to wake (nobody else finds it); not
	 * there, whoever took it wakes it (a receiver or a signal, the tick).
	 */
	if (taken) {
		t->ipc_result = -KEEL_ECLOSED;
		t->next = *pending;
		*pending = t;
	}
}

/* ---- Handle tables ---- */

static void ipc_table_ref(void *ctx, void *obj, uint32_t type, uint32_t rights)
{
	(void)ctx;
	if (type == KEEL_OBJ_ENDPOINT)
		ipc_endpoint_count(obj, rights, true);
	else if (type == KEEL_OBJ_NOTIFICATION)
		ipc_notification_count(obj, rights, true);
	ipc_object_ref(obj);
}

/*
 * Drop a handle's reference (closed, or carried by a message never
 * delivered). Wake-ups it causes wait on the pending list.
 */
static void ipc_handle_unref(void *obj, uint32_t type, uint32_t rights)
{
	if (type == KEEL_OBJ_ENDPOINT)
		ipc_endpoint_count(obj, rights, false);
	else if (type == KEEL_OBJ_NOTIFICATION)
		ipc_notification_count(obj, rights, false);
	ipc_object_unref(obj);
}

static void ipc_table_unref(void *ctx, void *obj, uint32_t type, uint32_t rights)
{
	(void)ctx;
	ipc_handle_unref(obj, type, rights);
}

/* Table storage: whole pages from the page allocator (the table grows by doubling). */
static unsigned ipc_table_order(size_t bytes)
{
	unsigned order = 0;

	while ((KEEL_PAGE_SIZE << order) < bytes)
		order++;
	return order;
}

static void *ipc_table_alloc(void *ctx, size_t bytes)
{
	uint64_t phys;

	(void)ctx;
	if (pmm_alloc_pages(ipc_table_order(bytes), &phys) != 0)
		return NULL;
	return boot_phys_to_virt(phys);
}

static void ipc_table_free(void *ctx, void *mem, size_t bytes)
{
	(void)ctx;
	pmm_free_pages((uint64_t)(uintptr_t)mem - KEEL_DIRECT_MAP_BASE, ipc_table_order(bytes));
}

static const struct handle_table_ops ipc_table_ops = {ipc_table_ref, ipc_table_unref,
						      ipc_table_alloc, ipc_table_free};

int ipc_process_init(struct process *p)
{
	p->lock = (struct spinlock)SPINLOCK_INIT;
	return handle_table_init(&p->handles, IPC_HANDLES_MAX, &ipc_table_ops, p) == 0
		   ? 0
		   : -KEEL_ENOMEM;
}

void ipc_process_fini(struct process *p)
{
	struct handle_table t;
	uint64_t flags;

	/*
	 * Another process may be adding a handle here (handle_dup to a process):
	 * take the table out under the lock, leaving an unusable one (every call
	 * on it fails), and empty it outside, where unrefs may take other locks.
	 */
	flags = spin_lock_irqsave(&p->lock);
	t = p->handles;
	memset(&p->handles, 0, sizeof(p->handles));
	spin_unlock_irqrestore(&p->lock, flags);
	handle_table_destroy(&t);
	ipc_wake_pending();
}

int64_t ipc_handle_add(struct process *p, struct object *obj, uint32_t rights)
{
	uint64_t flags = spin_lock_irqsave(&p->lock);
	int64_t h = handle_add(&p->handles, obj, obj->type, rights);

	spin_unlock_irqrestore(&p->lock, flags);
	return h;
}

int ipc_handle_get(uint64_t h, uint32_t type, uint32_t rights, struct object **out)
{
	struct process *p = thread_current()->proc;
	uint64_t flags = spin_lock_irqsave(&p->lock);
	void *obj;
	int err = handle_get(&p->handles, h, type, rights, &obj);

	if (err == 0) {
		ipc_object_ref(obj);
		*out = obj;
	}
	spin_unlock_irqrestore(&p->lock, flags);
	return err;
}

/* ---- Messages ---- */

/* The user frame of a thread blocked in a system call (at its kernel stack's top). */
static struct trap_frame *ipc_frame_of(struct thread *t)
{
	return (struct trap_frame *)(uintptr_t)t->kstack.top - 1;
}

/* Give `to` (blocked in a system call) the words; it returns `result` when it runs. */
static void ipc_deliver(struct thread *to, const uint64_t words[4], int64_t result)
{
	struct trap_frame *f = ipc_frame_of(to);

	f->rsi = words[0];
	f->rdx = words[1];
	f->r10 = words[2];
	f->r8 = words[3];
	to->ipc_result = result;
}

static int64_t ipc_badge(const struct thread *t)
{
	return (int64_t)t->proc->id;
}

static void ipc_message_free(struct ipc_message *m)
{
	if (m->has_handle)
		ipc_handle_unref(m->handle.obj, m->handle.type, m->handle.rights);
	kslab_free(&ipc_message_cache, m);
}

/*
 * The slow path's first half, in the sender's context: copy its struct
 * keel_msg in from `buf` (0: a register-only message, nothing to do), take
 * the handle it names out of its table, and use the message's words. 0, or
 * an error with nothing taken.
 */
static int ipc_prepare_out(struct thread *me, uint64_t buf, uint64_t words[4])
{
	struct process *p = me->proc;
	struct ipc_message *m;
	uint64_t flags;
	int err;

	me->ipc_out = NULL;
	if (buf == 0)
		return 0;
	if (ipc_caches_init() != 0 || !(m = kslab_alloc(&ipc_message_cache)))
		return -KEEL_ENOMEM;
	m->has_handle = false;
	err = usercopy_from(&m->msg, buf, sizeof(m->msg));
	if (err == 0 && m->msg.data_len > KEEL_MSG_DATA_MAX)
		err = -KEEL_E2BIG;
	if (err == 0 && m->msg.handle != KEEL_MSG_NO_HANDLE) {
		flags = spin_lock_irqsave(&p->lock);
		err = handle_take(&p->handles, m->msg.handle, KEEL_RIGHT_TRANSFER, &m->handle);
		spin_unlock_irqrestore(&p->lock, flags);
		m->has_handle = err == 0;
	}
	if (err != 0) {
		kslab_free(&ipc_message_cache, m);
		return err;
	}
	for (int i = 0; i < 4; i++)
		words[i] = m->msg.word[i];
	me->ipc_out = m;
	return 0;
}

/* The message `from` sends becomes `to`'s (by pointer; interrupts off). */
static void ipc_hand_over(struct thread *from, struct thread *to)
{
	to->ipc_in = from->ipc_out;
	from->ipc_out = NULL;
}

/*
 * The slow path's second half, in the receiver's context: put the handle in
 * its table and copy the message out to its buffer. A receiver without a
 * buffer gets the words only (the handle is dropped). The call's result, or
 * -KEEL_EFAULT / -KEEL_ENOMEM when the message could not be given whole.
 */
int64_t ipc_finish_in(struct thread *me, int64_t result)
{
	struct ipc_message *m = me->ipc_in;
	struct process *p = me->proc;
	uint64_t flags;
	int64_t h;
	int err;

	if (!m) {
		/* A register-only message: a buffer, if given, says "no handle, no data". */
		static const uint64_t none[2] = {KEEL_MSG_NO_HANDLE, 0};

		if (me->ipc_buf && result >= 0 &&
		    usercopy_to(me->ipc_buf + offsetof(struct keel_msg, handle), none,
				sizeof(none)) != 0)
			return -KEEL_EFAULT;
		return result;
	}
	me->ipc_in = NULL;
	if (me->ipc_buf == 0) {
		ipc_message_free(m);
		ipc_wake_pending(); /* the handle it carried may have been an owner's last */
		return result;
	}
	m->msg.handle = KEEL_MSG_NO_HANDLE;
	if (m->has_handle) {
		flags = spin_lock_irqsave(&p->lock);
		h = handle_add(&p->handles, m->handle.obj, m->handle.type, m->handle.rights);
		spin_unlock_irqrestore(&p->lock, flags);
		if (h < 0)
			result = h;
		else
			m->msg.handle = (uint64_t)h;
	}
	err = usercopy_to(me->ipc_buf, &m->msg, sizeof(m->msg));
	if (err != 0)
		result = err;
	ipc_message_free(m); /* drops the transferred reference: the table holds its own */
	ipc_wake_pending();
	return result;
}

void ipc_thread_fini(struct thread *t)
{
	if (t->ipc_out)
		ipc_message_free(t->ipc_out);
	if (t->ipc_in)
		ipc_message_free(t->ipc_in);
	t->ipc_out = t->ipc_in = NULL;
	ipc_wake_pending();
}

/*
 * Receive on ep for the current thread (interrupts off, ep->lock held and
 * released here): take a waiting caller's message, or block until one comes.
 * The result is the caller's badge; the words are in this thread's frame.
 */
static int64_t ipc_receive_locked(struct endpoint *ep)
{
	struct thread *me = thread_current(), *caller;
	uint64_t bits = ipc_bound_take(ep);

	/* Its bound notification's bits first, at once (KEEL_BADGE_NOTIFY, w0 = the bits). */
	if (bits) {
		uint64_t words[4] = {bits, 0, 0, 0};

		spin_unlock(&ep->lock);
		ipc_deliver(me, words, (int64_t)KEEL_BADGE_NOTIFY);
		return me->ipc_result;
	}
	caller = ipc_dequeue(&ep->callers, &ep->callers_tail);
	if (caller) {
		spin_unlock(&ep->lock);
		me->ipc_reply_to = caller;
		ipc_hand_over(caller, me);
		ipc_deliver(me, caller->ipc_words, ipc_badge(caller));
		return me->ipc_result;
	}
	ipc_enqueue(&ep->receivers, &ep->receivers_tail, me);
	if (!ipc_wait_on(me, &ep->obj, &ep->receivers, &ep->receivers_tail)) {
		spin_unlock(&ep->lock);
		ipc_wait_done(me);
		return me->ipc_result;
	}
	me->state = THREAD_BLOCKED;
	spin_unlock(&ep->lock);
	sched_block();
	ipc_wait_done(me);
	return me->ipc_result;
}

/*
 * Call ep with the current thread's ipc_words (and ipc_out) and block until
 * the reply: its result, or -KEEL_ECLOSED at once when no handle can receive
 * from ep. A message never handed over is dropped (with the handle it
 * carried). The reply's words are in the thread's frame.
 */
static inline __attribute__((always_inline)) int64_t ipc_call_endpoint(struct thread *me,
								       struct endpoint *ep)
{
	struct thread *receiver;
	uint64_t flags = arch_irq_save();

	spin_lock(&ep->lock);
	if (ep->readers == 0) {
		spin_unlock(&ep->lock);
		me->ipc_result = -KEEL_ECLOSED;
	} else if ((receiver = ipc_dequeue(&ep->receivers, &ep->receivers_tail)) != NULL) {
		spin_unlock(&ep->lock);
		/* From here on nothing can fail: the receiver is ours. */
		receiver->ipc_reply_to = me;
		ipc_hand_over(me, receiver);
		ipc_deliver(receiver, me->ipc_words, ipc_badge(me));
		sched_block_and_run(receiver); /* here, or woken on its own CPU */
	} else {
		ipc_enqueue(&ep->callers, &ep->callers_tail, me);
		if (ipc_wait_on(me, &ep->obj, &ep->callers, &ep->callers_tail)) {
			me->state = THREAD_BLOCKED;
			spin_unlock(&ep->lock);
			sched_block();
		} else {
			spin_unlock(&ep->lock);
		}
		ipc_wait_done(me);
	}
	arch_irq_restore(flags);
	if (me->ipc_out) {
		/* Refused, or the endpoint closed while queued: nobody took it. */
		ipc_message_free(me->ipc_out);
		me->ipc_out = NULL;
		ipc_wake_pending();
	}
	return me->ipc_result;
}

int64_t ipc_sys_call(uint64_t h, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3, uint64_t a5)
{
	struct thread *me = thread_current();
	struct object *obj;
	int64_t r;
	int err = ipc_handle_get(h, KEEL_OBJ_ENDPOINT, KEEL_RIGHT_WRITE, &obj);

	if (err != 0)
		return err;
	me->ipc_words[0] = w0, me->ipc_words[1] = w1, me->ipc_words[2] = w2, me->ipc_words[3] = w3;
	/* a5 (r9): a struct keel_msg for a handle or a longer message, both ways. */
	me->ipc_buf = a5;
	err = ipc_prepare_out(me, a5, me->ipc_words);
	if (err != 0) {
		ipc_object_unref(obj);
		return err;
	}
	r = ipc_call_endpoint(me, (struct endpoint *)obj);
	ipc_object_unref(obj);
	return ipc_finish_in(me, r);
}

int64_t ipc_fault_call(struct object *ep, const uint64_t words[4], uint64_t reply[4])
{
	struct thread *me = thread_current();
	struct trap_frame *f = ipc_frame_of(me);
	/* The reply's words land in the frame: keep the faulting code's registers. */
	uint64_t saved[4] = {f->rsi, f->rdx, f->r10, f->r8};
	int64_t r;

	if (ep->type != KEEL_OBJ_ENDPOINT)
		return -KEEL_ETYPE;
	for (int i = 0; i < 4; i++)
		me->ipc_words[i] = words[i];
	me->ipc_buf = 0; /* a slow-path reply is dropped: only its words count */
	me->ipc_out = NULL;
	ipc_object_ref(ep); /* the process's reference may go while this thread blocks */
	r = ipc_finish_in(me, ipc_call_endpoint(me, (struct endpoint *)ep));
	ipc_object_unref(ep);
	reply[0] = f->rsi, reply[1] = f->rdx, reply[2] = f->r10, reply[3] = f->r8;
	f->rsi = saved[0], f->rdx = saved[1], f->r10 = saved[2], f->r8 = saved[3];
	return r;
}

int64_t ipc_sys_recv(uint64_t h, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct object *obj;
	uint64_t flags;
	int64_t r;
	int err = ipc_handle_get(h, KEEL_OBJ_ENDPOINT, KEEL_RIGHT_READ, &obj);

	(void)a1, (void)a2, (void)a3, (void)a4;
	if (err != 0)
		return err;
	ipc_drop_caller(thread_current());
	thread_current()->ipc_buf = a5;
	flags = arch_irq_save();
	spin_lock(&((struct endpoint *)obj)->lock);
	r = ipc_receive_locked((struct endpoint *)obj);
	arch_irq_restore(flags);
	ipc_object_unref(obj);
	return ipc_finish_in(thread_current(), r);
}

/* Reply to the caller this thread owes one (interrupts off): it becomes runnable. */
static void ipc_reply(struct thread *me, struct thread *caller, const uint64_t words[4])
{
	ipc_hand_over(me, caller);
	ipc_deliver(caller, words, 0);
	sched_wake(caller);
}

int64_t ipc_sys_reply_recv(uint64_t h, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3,
			   uint64_t a5)
{
	struct thread *me = thread_current(), *caller = me->ipc_reply_to;
	uint64_t words[4] = {w0, w1, w2, w3}, flags;
	struct object *obj;
	struct endpoint *ep;
	int64_t r;
	int err;

	/* KEEL_HANDLE_SELF: reply only (a server that ends, or hands work on). */
	if (h == KEEL_HANDLE_SELF) {
		if (!caller)
			return -KEEL_ENOENT;
		err = ipc_prepare_out(me, a5, words);
		if (err != 0)
			return err;
		flags = arch_irq_save();
		me->ipc_reply_to = NULL;
		ipc_reply(me, caller, words);
		arch_irq_restore(flags);
		return 0;
	}
	err = ipc_handle_get(h, KEEL_OBJ_ENDPOINT, KEEL_RIGHT_READ, &obj);
	if (err != 0)
		return err;
	/* a5 (r9): the reply's struct keel_msg, and where the next message goes. */
	err = caller ? ipc_prepare_out(me, a5, words) : 0;
	if (err != 0) {
		ipc_object_unref(obj);
		return err;
	}
	me->ipc_buf = a5;
	ep = (struct endpoint *)obj;
	flags = arch_irq_save();
	me->ipc_reply_to = NULL;
	spin_lock(&ep->lock);
	if (caller && !ep->callers && !ipc_bound_pending(ep)) {
		/*
		 * The fast path back: nobody else waits, so this thread will block
		 * in recv; the caller runs here at once, as the direct switch (or,
		 * if it is another CPU's, is woken there: threads never migrate).
		 * From here on nothing can fail.
		 */
		ipc_enqueue(&ep->receivers, &ep->receivers_tail, me);
		if (ipc_wait_on(me, &ep->obj, &ep->receivers, &ep->receivers_tail)) {
			spin_unlock(&ep->lock);
			ipc_hand_over(me, caller);
			ipc_deliver(caller, words, 0);
			sched_block_and_run(caller);
		} else {
			/* Killed: the reply still goes, and this thread does not block. */
			spin_unlock(&ep->lock);
			ipc_reply(me, caller, words);
		}
		ipc_wait_done(me);
		r = me->ipc_result;
	} else {
		/*
		 * The reply wakes the caller, perhaps with a cross-call to its CPU,
		 * which must not wait for a CPU spinning on this endpoint's lock:
		 * reply with the lock dropped, then receive.
		 */
		if (caller) {
			spin_unlock(&ep->lock);
			ipc_reply(me, caller, words);
			spin_lock(&ep->lock);
		}
		r = ipc_receive_locked(ep);
	}
	arch_irq_restore(flags);
	ipc_object_unref(obj);
	return ipc_finish_in(me, r);
}

/* ---- Notifications ---- */

/* ---- Notifications bound to endpoints ---- */

bool ipc_object_tryref(struct object *obj)
{
	uint32_t refs = __atomic_load_n(&obj->refs, __ATOMIC_RELAXED);

	do {
		if (refs == 0)
			return false;
	} while (!__atomic_compare_exchange_n(&obj->refs, &refs, refs + 1, false, __ATOMIC_ACQUIRE,
					      __ATOMIC_RELAXED));
	return true;
}

/*
 * n's bound endpoint, with a reference, if bits are pending and nobody
 * waits on n: the bits may go to a receiver of it (ipc_bound_deliver). n->lock
 * held: the endpoint cannot be freed meanwhile (freeing it unbinds under
 * n->lock), but it may be on its way (no reference left): then none.
 */
static struct endpoint *ipc_bound_get(struct notification *n)
{
	struct endpoint *ep = n->bound_ep;

	if (!ep || !n->bits || n->waiters || !ipc_object_tryref(&ep->obj))
		return NULL;
	return ep;
}

/*
 * Give n's pending bits to a receiver blocked on its bound endpoint ep (a
 * reference held), if there is one: it returns KEEL_BADGE_NOTIFY with w0 =
 * the bits. Lock order: the endpoint's, then the notification's (recv takes
 * them so). The receiver is woken here, or through this CPU's pending list
 * when `defer` (the caller holds locks). Interrupts off; no object lock held.
 */
static void ipc_bound_deliver(struct endpoint *ep, struct notification *n, bool defer)
{
	struct thread *r = NULL;
	uint64_t words[4] = {0, 0, 0, 0};

	spin_lock(&ep->lock);
	spin_lock(&n->lock);
	if (ep->bound == n && n->bits && (r = ipc_dequeue(&ep->receivers, &ep->receivers_tail))) {
		words[0] = n->bits & INT64_MAX;
		n->bits = 0;
	}
	spin_unlock(&n->lock);
	spin_unlock(&ep->lock);
	if (!r)
		return;
	/* Off the queue: ours to wake (a kill or another signal finds it gone). */
	ipc_deliver(r, words, (int64_t)KEEL_BADGE_NOTIFY);
	if (defer) {
		r->next = ipc_pending_wake[arch_cpu_index()];
		ipc_pending_wake[arch_cpu_index()] = r;
	} else {
		sched_wake(r);
	}
}

/*
 * recv's look at ep's bound notification (ep->lock held, interrupts off):
 * its pending bits, taken (0: none).
 */
static uint64_t ipc_bound_take(struct endpoint *ep)
{
	struct notification *n = ep->bound;
	uint64_t bits;

	if (__builtin_expect(!n, 1))
		return 0;
	spin_lock(&n->lock);
	bits = n->bits & INT64_MAX;
	n->bits = 0;
	spin_unlock(&n->lock);
	return bits;
}

/* Whether ep's bound notification has bits pending (ep->lock held; see ipc_fast.c). */
static bool ipc_bound_pending(const struct endpoint *ep)
{
	return ep->bound && __atomic_load_n(&ep->bound->bits, __ATOMIC_RELAXED) != 0;
}

/* Bind a new notification n to ep (object_create): 0, or -KEEL_EBUSY (one per endpoint). */
static int ipc_bind(struct notification *n, struct endpoint *ep)
{
	uint64_t flags = spin_lock_irqsave(&ep->lock);
	int err = 0;

	if (ep->bound) {
		err = -KEEL_EBUSY;
	} else {
		spin_lock(&n->lock);
		n->bound_ep = ep;
		ep->bound = n;
		spin_unlock(&n->lock);
	}
	spin_unlock_irqrestore(&ep->lock, flags);
	return err;
}

/* ep is being freed: its notification, if bound, is no more (under both locks). */
static void ipc_unbind_endpoint(struct endpoint *ep)
{
	uint64_t flags = spin_lock_irqsave(&ep->lock);
	struct notification *n = ep->bound;

	if (n) {
		spin_lock(&n->lock);
		n->bound_ep = NULL;
		spin_unlock(&n->lock);
		ep->bound = NULL;
	}
	spin_unlock_irqrestore(&ep->lock, flags);
}

/*
 * n is being freed: unbind it from its endpoint. The endpoint's lock comes
 * first, so n's is dropped to take it, with a reference to keep the
 * endpoint; one being freed itself (no reference left) unbinds n under
 * n->lock, which is waited for: n must not go while it may look.
 */
static void ipc_unbind_notification(struct notification *n)
{
	uint64_t flags = arch_irq_save();
	struct endpoint *ep;

	for (;;) {
		spin_lock(&n->lock);
		ep = n->bound_ep;
		if (!ep) {
			spin_unlock(&n->lock);
			break;
		}
		if (!ipc_object_tryref(&ep->obj)) {
			spin_unlock(&n->lock);
			arch_cpu_relax();
			continue;
		}
		spin_unlock(&n->lock);
		spin_lock(&ep->lock);
		spin_lock(&n->lock);
		if (ep->bound == n) {
			ep->bound = NULL;
			n->bound_ep = NULL;
		}
		spin_unlock(&n->lock);
		spin_unlock(&ep->lock);
		arch_irq_restore(flags);
		ipc_object_unref(&ep->obj); /* interrupts as the caller had them: it may free */
		flags = arch_irq_save();
	}
	arch_irq_restore(flags);
}

void ipc_notification_signal(struct object *obj, uint64_t bits)
{
	struct notification *n = (struct notification *)obj;
	struct thread *waiter;
	struct endpoint *ep;
	uint64_t flags = spin_lock_irqsave(&n->lock);

	n->bits |= bits;
	waiter = n->bits ? ipc_dequeue(&n->waiters, &n->waiters_tail) : NULL;
	if (waiter) {
		waiter->ipc_result = (int64_t)(n->bits & INT64_MAX);
		n->bits = 0;
	}
	ep = ipc_bound_get(n); /* nobody waited: a receiver of its endpoint may take them */
	spin_unlock(&n->lock);
	if (waiter)
		sched_wake(waiter);
	if (ep) {
		ipc_bound_deliver(ep, n, false);
		ipc_object_unref(&ep->obj);
	}
	arch_irq_restore(flags);
}

void ipc_notification_signal_deferred(struct notification *n, uint64_t bits)
{
	struct thread **pending = &ipc_pending_wake[arch_cpu_index()], *waiter;
	struct endpoint *ep;

	spin_lock(&n->lock);
	n->bits |= bits;
	waiter = n->bits ? ipc_dequeue(&n->waiters, &n->waiters_tail) : NULL;
	if (waiter) {
		/* Ours to wake (off the queue: neither the tick nor a kill finds it). */
		waiter->ipc_result = (int64_t)(n->bits & INT64_MAX);
		n->bits = 0;
		waiter->next = *pending;
		*pending = waiter;
	}
	ep = ipc_bound_get(n);
	spin_unlock(&n->lock);
	if (ep) {
		ipc_bound_deliver(ep, n, true);
		ipc_object_unref(&ep->obj); /* no watch_lock held (watch_fire): it may free */
	}
}

int64_t ipc_next_timeout_ms(uint32_t cpu)
{
	const struct timeout *to = ipc_timeouts[cpu].head;

	return to ? (int64_t)(to->deadline - tsc_ns()) / 1000000 : -1;
}

void ipc_tick(void)
{
	struct timeout_list *l = &ipc_timeouts[arch_cpu_index()];
	struct timeout *to;
	uint64_t now;

	if (!l->head)
		return;
	now = tsc_ns();
	while ((to = timeout_pop_expired(l, now)) != NULL) {
		struct thread *t =
		    (struct thread *)(void *)((char *)to - offsetof(struct thread, wait_timeout));
		struct notification *n = t->wait_notif;
		bool mine;

		/* Blocked (it cannot run on this CPU while the tick does): n is pinned by it. */
		spin_lock(&n->lock);
		mine = ipc_unqueue(&n->waiters, &n->waiters_tail, t);
		if (mine)
			t->ipc_result = -KEEL_ETIMEDOUT;
		spin_unlock(&n->lock);
		if (mine)
			sched_wake(t); /* this CPU: no cross-call */
	}
}

int64_t ipc_sys_signal(uint64_t h, uint64_t bits, uint64_t a2, uint64_t a3, uint64_t a4,
		       uint64_t a5)
{
	struct object *obj;
	struct process *p;
	int err = ipc_handle_get(h, KEEL_OBJ_NOTIFICATION, KEEL_RIGHT_SIGNAL, &obj);

	(void)a2, (void)a3, (void)a4, (void)a5;
	/* A process handle (KEEL_RIGHT_MANAGE): kill it with `bits` as its status (never 0: self).
	 */
	if (err == -KEEL_ETYPE && (err = proc_get(h, KEEL_RIGHT_MANAGE, &p)) == 0) {
		if (p == thread_current()->proc) {
			proc_put(p); /* its life's reference holds it while this thread runs */
			process_kill_current(bits);
		}
		err = process_kill(p, (int64_t)bits);
		proc_put(p);
		return err;
	}
	if (err != 0)
		return err;
	/* Bits are 63 wide: bit 63 alone would wake a waiter with 0, "no bits". */
	if (bits >> 63) {
		ipc_object_unref(obj);
		return -KEEL_EINVAL;
	}
	/* Nobody can wait for them any more (its last KEEL_RIGHT_WAIT handle closed). */
	if (__atomic_load_n(&((struct notification *)obj)->wait_handles, __ATOMIC_RELAXED) == 0) {
		ipc_object_unref(obj);
		return -KEEL_ECLOSED;
	}
	ipc_notification_signal(obj, bits);
	ipc_object_unref(obj);
	return 0;
}

int64_t ipc_sys_wait(uint64_t h, uint64_t timeout, uint64_t a2, uint64_t a3, uint64_t a4,
		     uint64_t a5)
{
	struct thread *me = thread_current();
	struct object *obj;
	struct notification *n;
	uint64_t flags;
	int64_t r;
	int err = ipc_handle_get(h, KEEL_OBJ_NOTIFICATION, KEEL_RIGHT_WAIT, &obj);

	(void)a2, (void)a3, (void)a4, (void)a5;
	if (err != 0)
		return err;
	n = (struct notification *)obj;
	flags = arch_irq_save();
	spin_lock(&n->lock);
	if (n->bits) {
		/* Bits are 63 wide: a result never looks like an error code. */
		r = (int64_t)(n->bits & INT64_MAX);
		n->bits = 0;
		spin_unlock(&n->lock);
	} else if (timeout == 0) {
		spin_unlock(&n->lock);
		r = -KEEL_ETIMEDOUT;
	} else {
		ipc_enqueue(&n->waiters, &n->waiters_tail, me);
		if (!ipc_wait_on(me, &n->obj, &n->waiters, &n->waiters_tail)) {
			spin_unlock(&n->lock);
			ipc_wait_done(me);
			arch_irq_restore(flags);
			ipc_object_unref(obj);
			return -KEEL_ECLOSED;
		}
		me->state = THREAD_BLOCKED;
		if (timeout != KEEL_FOREVER) {
			me->wait_notif = n;
			timeout_insert(&ipc_timeouts[arch_cpu_index()], &me->wait_timeout,
				       timeout_deadline(tsc_ns(), timeout));
		}
		spin_unlock(&n->lock);
		sched_block();
		/*
		 * Back on the CPU it blocked on (sched_wake queues it there):
		 * woken by a signal, its deadline is still on this CPU's list.
		 */
		if (timeout != KEEL_FOREVER) {
			timeout_remove(&ipc_timeouts[arch_cpu_index()], &me->wait_timeout);
			me->wait_notif = NULL;
		}
		ipc_wait_done(me);
		r = me->ipc_result;
	}
	arch_irq_restore(flags);
	ipc_object_unref(obj);
	return r;
}

/* ---- Objects and handles ---- */

int64_t ipc_sys_object_create(uint64_t type, uint64_t arg, uint64_t a2, uint64_t a3, uint64_t a4,
			      uint64_t a5)
{
	struct object *obj;
	int64_t h;

	(void)a4, (void)a5;
	if (type >= KEEL_OBJ_IRQ && type <= KEEL_OBJ_DMAMEM)
		return devobj_sys_create(type, arg, a2, a3); /* core/devobj.c */
	if (type == KEEL_OBJ_VMO) {
		/* arg2 0: an ordinary VMO; else DMA memory, with the capability in a3. */
		int err = vmo_create(arg, &obj);

		if (err != 0)
			return err;
	} else {
		struct object *ep = NULL;

		if (type != KEEL_OBJ_ENDPOINT && type != KEEL_OBJ_NOTIFICATION)
			return -KEEL_EINVAL;
		if (arg != 0 && type == KEEL_OBJ_ENDPOINT)
			return -KEEL_EINVAL;
		/* A notification's arg: 0, or the endpoint (KEEL_RIGHT_READ) to bind it to. */
		if (arg != 0) {
			int err = ipc_handle_get(arg, KEEL_OBJ_ENDPOINT, KEEL_RIGHT_READ, &ep);

			if (err != 0)
				return err;
		}
		obj = ipc_object_create((uint32_t)type);
		if (!obj) {
			if (ep)
				ipc_object_unref(ep);
			return -KEEL_ENOMEM;
		}
		if (ep) {
			int err = ipc_bind((struct notification *)obj, (struct endpoint *)ep);

			ipc_object_unref(ep); /* the binding holds no reference */
			if (err != 0) {
				ipc_object_unref(obj);
				return err;
			}
		}
	}
	h = ipc_handle_add(thread_current()->proc, obj, KEEL_RIGHTS_ALL);
	ipc_object_unref(obj); /* the handle holds it now (or nothing does) */
	return h;
}

int64_t ipc_sys_handle_dup(uint64_t h, uint64_t rights, uint64_t proc, uint64_t a3, uint64_t a4,
			   uint64_t a5)
{
	struct process *p = thread_current()->proc;
	uint64_t flags;
	int64_t r;

	(void)a3, (void)a4, (void)a5;
	if (proc != KEEL_HANDLE_SELF)
		return proc_handle_dup_to(h, rights, proc); /* into another table (proc.c) */
	flags = spin_lock_irqsave(&p->lock);
	r = handle_dup(&p->handles, h, rights);
	spin_unlock_irqrestore(&p->lock, flags);
	return r;
}

int64_t ipc_sys_handle_close(uint64_t h, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
			     uint64_t a5)
{
	struct process *p = thread_current()->proc;
	uint64_t flags = spin_lock_irqsave(&p->lock);
	int r = handle_close(&p->handles, h);

	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	spin_unlock_irqrestore(&p->lock, flags);
	ipc_wake_pending(); /* the last reading or writing handle of an endpoint */
	return r;
}
