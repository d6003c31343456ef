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
 */
#include "core/ipc.h"

#include <stddef.h>

#include <keel/syscall.h>

#include "arch/x86_64/syscall.h"
#include "arch/x86_64/trap.h"
#include "arch/x86_64/usercopy.h"
#include "core/arch.h"
#include "core/ipc_impl.h"
#include "core/spinlock.h"
#include "core/syscall.h"
#include "core/thread.h"
#include "core/vmo.h"
#include "lib/kstring.h"
#include "mm/kslab.h"
#include "mm/pmm.h"

#define IPC_HANDLES_MAX 4096 /* handles one process may hold */

struct notification {
	struct object obj;
	struct spinlock lock;
	uint64_t bits;
	struct thread *waiters, *waiters_tail;
};

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

/* ---- Objects ---- */

static int ipc_caches_init(void)
{
	uint64_t flags = spin_lock_irqsave(&ipc_caches_lock);
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
	}
	spin_unlock_irqrestore(&ipc_caches_lock, flags);
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
	if (__atomic_sub_fetch(&obj->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	/* No handle and no blocked thread names it any more: its queues are empty. */
	if (obj->type == KEEL_OBJ_VMO) {
		vmo_destroy(obj); /* no mapping either: every one holds a reference */
		return;
	}
	if (obj->type == KEEL_OBJ_ENDPOINT)
		kslab_free(&ipc_endpoint_cache, obj);
	else
		kslab_free(&ipc_notification_cache, obj);
	/* ipc_live counts endpoints and notifications (ipc_object_create). */
	__atomic_fetch_sub(&ipc_live, 1, __ATOMIC_RELAXED);
}

uint64_t ipc_objects_live(void)
{
	return __atomic_load_n(&ipc_live, __ATOMIC_RELAXED);
}

/* ---- Handle tables ---- */

static void ipc_table_ref(void *ctx, void *obj, uint32_t type)
{
	(void)ctx;
	(void)type;
	ipc_object_ref(obj);
}

static void ipc_table_unref(void *ctx, void *obj, uint32_t type)
{
	(void)ctx;
	(void)type;
	ipc_object_unref(obj);
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
	handle_table_destroy(&p->handles);
}

int64_t ipc_handle_add(struct process *p, struct object *obj, uint32_t rights)
{
	uint64_t flags = spin_lock_irqsave(&p->lock);
	int64_t h = handle_add(&p->handles, obj, obj->type, rights);

	spin_unlock_irqrestore(&p->lock, flags);
	return h;
}

/* The object behind handle h of the current process, with a reference for the caller. */
static int ipc_get(uint64_t h, uint32_t type, uint32_t rights, struct object **out)
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
		ipc_object_unref(m->handle.obj);
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
	return result;
}

void ipc_thread_fini(struct thread *t)
{
	if (t->ipc_out)
		ipc_message_free(t->ipc_out);
	if (t->ipc_in)
		ipc_message_free(t->ipc_in);
	t->ipc_out = t->ipc_in = NULL;
}

/*
 * Receive on ep for the current thread (interrupts off, ep->lock held and
 * released here): take a waiting caller's message, or block until one comes.
 * The result is the caller's badge; the words are in this thread's frame.
 */
static int64_t ipc_receive_locked(struct endpoint *ep)
{
	struct thread *me = thread_current(),
		      *caller = ipc_dequeue(&ep->callers, &ep->callers_tail);

	if (caller) {
		spin_unlock(&ep->lock);
		me->ipc_reply_to = caller;
		ipc_hand_over(caller, me);
		ipc_deliver(me, caller->ipc_words, ipc_badge(caller));
		return me->ipc_result;
	}
	ipc_enqueue(&ep->receivers, &ep->receivers_tail, me);
	me->state = THREAD_BLOCKED;
	spin_unlock(&ep->lock);
	sched_block();
	return me->ipc_result;
}

int64_t ipc_sys_call(uint64_t h, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3, uint64_t a5)
{
	struct thread *me = thread_current(), *receiver;
	struct object *obj;
	struct endpoint *ep;
	uint64_t flags;
	int err = ipc_get(h, KEEL_OBJ_ENDPOINT, KEEL_RIGHT_WRITE, &obj);

	if (err != 0)
		return err;
	ep = (struct endpoint *)obj;
	me->ipc_words[0] = w0, me->ipc_words[1] = w1, me->ipc_words[2] = w2, me->ipc_words[3] = w3;
	/* a5 (r9): a struct keel_msg for a handle or a longer message, both ways. */
	me->ipc_buf = a5;
	err = ipc_prepare_out(me, a5, me->ipc_words);
	if (err != 0) {
		ipc_object_unref(obj);
		return err;
	}
	flags = arch_irq_save();
	spin_lock(&ep->lock);
	receiver = ipc_dequeue(&ep->receivers, &ep->receivers_tail);
	if (receiver) {
		spin_unlock(&ep->lock);
		/* From here on nothing can fail: the receiver is ours. */
		receiver->ipc_reply_to = me;
		ipc_hand_over(me, receiver);
		ipc_deliver(receiver, me->ipc_words, ipc_badge(me));
		sched_block_and_run(receiver);
	} else {
		ipc_enqueue(&ep->callers, &ep->callers_tail, me);
		me->state = THREAD_BLOCKED;
		spin_unlock(&ep->lock);
		sched_block();
	}
	arch_irq_restore(flags);
	ipc_object_unref(obj);
	return ipc_finish_in(me, me->ipc_result);
}

int64_t ipc_sys_recv(uint64_t h, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct object *obj;
	uint64_t flags;
	int64_t r;
	int err = ipc_get(h, KEEL_OBJ_ENDPOINT, KEEL_RIGHT_READ, &obj);

	(void)a1, (void)a2, (void)a3, (void)a4;
	if (err != 0)
		return err;
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
	err = ipc_get(h, KEEL_OBJ_ENDPOINT, KEEL_RIGHT_READ, &obj);
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
	if (caller && !ep->callers) {
		/*
		 * The fast path back: nobody else waits, so this thread will block
		 * in recv; the caller runs here at once, as the direct switch.
		 * From here on nothing can fail.
		 */
		ipc_enqueue(&ep->receivers, &ep->receivers_tail, me);
		spin_unlock(&ep->lock);
		ipc_hand_over(me, caller);
		ipc_deliver(caller, words, 0);
		sched_block_and_run(caller);
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

int64_t ipc_sys_signal(uint64_t h, uint64_t bits, uint64_t a2, uint64_t a3, uint64_t a4,
		       uint64_t a5)
{
	struct object *obj;
	struct notification *n;
	struct thread *waiter;
	uint64_t flags;
	int err = ipc_get(h, KEEL_OBJ_NOTIFICATION, KEEL_RIGHT_SIGNAL, &obj);

	(void)a2, (void)a3, (void)a4, (void)a5;
	if (err != 0)
		return err;
	/* Bits are 63 wide: bit 63 alone would wake a waiter with 0, "no bits". */
	if (bits >> 63) {
		ipc_object_unref(obj);
		return -KEEL_EINVAL;
	}
	n = (struct notification *)obj;
	flags = spin_lock_irqsave(&n->lock);
	n->bits |= bits;
	waiter = n->bits ? ipc_dequeue(&n->waiters, &n->waiters_tail) : NULL;
	if (waiter) {
		waiter->ipc_result = (int64_t)(n->bits & INT64_MAX);
		n->bits = 0;
	}
	spin_unlock_irqrestore(&n->lock, flags);
	if (waiter)
		sched_wake(waiter);
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
	int err = ipc_get(h, KEEL_OBJ_NOTIFICATION, KEEL_RIGHT_WAIT, &obj);

	(void)a2, (void)a3, (void)a4, (void)a5;
	if (err != 0)
		return err;
	/* Timeouts other than none (0: poll) and forever come with the timer wheel. */
	if (timeout != 0 && timeout != KEEL_FOREVER) {
		ipc_object_unref(obj);
		return -KEEL_EINVAL;
	}
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
		me->state = THREAD_BLOCKED;
		spin_unlock(&n->lock);
		sched_block();
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

	(void)a2, (void)a3, (void)a4, (void)a5;
	if (type == KEEL_OBJ_VMO) {
		int err = vmo_create(arg, &obj);

		if (err != 0)
			return err;
	} else {
		if (type != KEEL_OBJ_ENDPOINT && type != KEEL_OBJ_NOTIFICATION)
			return -KEEL_EINVAL;
		if (arg != 0)
			return -KEEL_EINVAL;
		obj = ipc_object_create((uint32_t)type);
		if (!obj)
			return -KEEL_ENOMEM;
	}
	h = ipc_handle_add(thread_current()->proc, obj, KEEL_RIGHTS_ALL);
	ipc_object_unref(obj); /* the handle holds it now (or nothing does) */
	return h;
}

int64_t ipc_sys_handle_dup(uint64_t h, uint64_t rights, uint64_t a2, uint64_t a3, uint64_t a4,
			   uint64_t a5)
{
	struct process *p = thread_current()->proc;
	uint64_t flags = spin_lock_irqsave(&p->lock);
	int64_t r = handle_dup(&p->handles, h, rights);

	(void)a2, (void)a3, (void)a4, (void)a5;
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
	return r;
}
