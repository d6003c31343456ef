/*
 * kernel/core/ipc_fast.c: the IPC fast path (ipc.h): call and reply_recv
 * with a register-only message to a partner already waiting, switched to
 * directly. The system-call table's entries for call and reply_recv
 * (syscall_ipc_call / _reply_recv in syscall_entry.S) send those with r9 0
 * to ipc_fast_call_entry / ipc_fast_reply_recv_entry with interrupts off,
 * and the rest (a message) to ipc_fast_call / _reply_recv, which count them
 * slow. Every case not handled falls
 * back to ipc_sys_call / ipc_sys_reply_recv (ipc.c), interrupts on again,
 * with the arguments unchanged and nothing done yet.
 *
 * The switch itself is inline (core/sched_fast.h, arch/x86_64/
 * ipc_switch.h): the run-queue hand-over, the address space with no call
 * through struct tlb_ops (without PCIDs; with them pcid_switch_to), the
 * kernel stack, TSS rsp0 and current, XSAVEOPT/XRSTOR, and PKRU and the
 * FS/GS bases written only when the partner's differ.
 *
 * The common case, and the only one taken here:
 *  - r9 (a5) is 0: words only, no struct keel_msg;
 *  - the handle names an endpoint with the right (write for call, read for
 *    reply_recv), looked up under the process lock;
 *  - call: a receiver is queued on the endpoint and some handle can still
 *    receive from it (readers, ipc.c's peer death); reply_recv: this thread
 *    owes a caller a reply, the endpoint is not KEEL_HANDLE_SELF, and no
 *    other caller is queued on it (else reply_recv would take that one);
 *  - the partner last ran on this CPU and is off it (on_cpu false: its
 *    switch-out here has completed). Priorities are not compared: the slow
 *    path's direct switch (ipc_sys_call, ipc_sys_reply_recv) runs the
 *    partner at once whatever its priority, and the fast path keeps exactly
 *    that rule, so taking it or not changes no scheduling decision.
 * Every check is made before the point marked "from here nothing can
 * fail"; after it the partner is off the queue (or this thread on it) and
 * the switch happens.
 *
 * Locks: interrupts off (from the entry), then the process lock (the handle table), then the
 * endpoint's lock (ipc.c's order: process, then object), both held until
 * the queue is changed, and both only taken when free: the fast path never
 * spins, a busy lock sends it to the slow path. The invariant that keeps
 * the endpoint alive without a reference of the fast path's own: while the
 * process lock is held the handle cannot be closed, and the handle holds a
 * reference. Once the locks are dropped:
 *  - call: the caller needs the endpoint no more (it blocks for the reply,
 *    which comes through ipc_reply_to), so the fast call takes no reference
 *    at all; the receiver it took off the queue keeps the one it held while
 *    queued (every thread blocked on an endpoint holds one, ipc.c and below)
 *    and drops it itself when it runs;
 *  - reply_recv: this thread queues itself as a receiver, so it takes a
 *    reference (one atomic add) under both locks and drops it when it runs
 *    again, as ipc_sys_recv does.
 * So a handle closed by another thread of the process right after the locks
 * are dropped frees nothing the fast path or a queued thread still uses.
 *
 * What the partner finds when it runs: a thread blocked in call or recv,
 * on either path, resumes in its own system call with the words in its
 * frame (rsi rdx r10 r8, restored by syscall_entry's exit) and its result in
 * ipc_result, exactly as ipc_deliver leaves them; a slow-path message
 * (ipc_in) a slow sender gave a thread blocked here is finished by
 * ipc_finish_in as on the slow path.
 *
 * Counters: each call or reply_recv taken here adds one to this CPU's
 * ipc_fast, each one falling back one to ipc_slow (a round trip on the fast
 * path: +2 ipc_fast).
 */
#include <keel/syscall.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/trap.h"
#include "core/ipc.h"
#include "core/ipc_impl.h"
#include "core/sched_fast.h"
#include "core/spinlock.h"
#include "core/thread.h"

/* Whether t can be switched to directly from `me` on this CPU (see the top). */
static inline bool ipc_fast_partner_ok(const struct percpu *pc, const struct thread *me,
				       const struct thread *t)
{
	(void)me;
	return t->cpu == pc->index && !__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE);
}

/* ipc_deliver's work: `to`, blocked in a system call, returns `result` with the words. */
static inline void ipc_fast_deliver(struct thread *to, uint64_t w0, uint64_t w1, uint64_t w2,
				    uint64_t w3, int64_t result)
{
	struct trap_frame *f = (struct trap_frame *)(uintptr_t)to->kstack.top - 1;

	f->rsi = w0;
	f->rdx = w1;
	f->r10 = w2;
	f->r8 = w3;
	to->ipc_result = result;
	/* No message moves with the words (ipc_hand_over of a NULL ipc_out). */
	to->ipc_in = NULL;
}

/*
 * ipc_object_ref and ipc_object_unref, inline (the same atomics): the
 * reference a fast reply_recv holds while queued. A drop that may be the
 * last one (the handle closed meanwhile) takes ipc_object_unref, which
 * frees.
 */
static inline void ipc_fast_ref(struct object *o)
{
	__atomic_fetch_add(&o->refs, 1, __ATOMIC_RELAXED);
}

static inline void ipc_fast_unref(struct object *o)
{
	uint32_t refs = __atomic_load_n(&o->refs, __ATOMIC_RELAXED);

	if (refs < 2 || !__atomic_compare_exchange_n(&o->refs, &refs, refs - 1, false,
						     __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		ipc_object_unref(o);
}

/* Interrupts on again: the slow path and ipc_finish_in run as any system call. */
static inline void ipc_fast_irq_on(void)
{
	__asm__ volatile("sti" : : : "memory");
}

/*
 * What a thread blocked here returns when it runs again (interrupts still
 * off; a slow-path message is finished with them on, as ipc_sys_* would).
 */
static inline int64_t ipc_fast_resumed(struct thread *me)
{
	int64_t r = me->ipc_result;

	if (!me->ipc_in)
		return r;
	ipc_fast_irq_on();
	return ipc_finish_in(me, r);
}

static inline void ipc_fast_count_slow(void)
{
	percpu_this()->ipc_slow++; /* this CPU's only; others read it relaxed */
}

int64_t ipc_fast_call_entry(uint64_t h, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3)
{
	struct percpu *pc = percpu_this();
	struct thread *me = pc->current, *to;
	struct process *p = me->proc;
	struct endpoint *ep;

	if (!spin_trylock(&p->lock))
		goto slow;
	ep = handle_peek(&p->handles, h, KEEL_OBJ_ENDPOINT, KEEL_RIGHT_WRITE);
	if (!ep || !spin_trylock(&ep->lock)) {
		spin_unlock(&p->lock);
		goto slow;
	}
	to = ep->receivers;
	/* No handle left that can receive (peer death): the slow path says -KEEL_ECLOSED. */
	if (!to || ep->readers == 0 || !ipc_fast_partner_ok(pc, me, to)) {
		spin_unlock(&ep->lock);
		spin_unlock(&p->lock);
		goto slow;
	}
	/* From here nothing can fail: the receiver is ours. */
	ep->receivers = to->next;
	if (!ep->receivers)
		ep->receivers_tail = NULL;
	to->next = NULL;
	spin_unlock(&ep->lock);
	spin_unlock(&p->lock);
	to->ipc_reply_to = me;
	ipc_fast_deliver(to, w0, w1, w2, w3, (int64_t)p->id); /* the badge */
	me->ipc_buf = 0; /* the reply is words only for us, whoever sends it */
	pc->ipc_fast++;
	sched_fast_switch(pc, me, to);
	return ipc_fast_resumed(me);
slow:
	ipc_fast_irq_on();
	ipc_fast_count_slow();
	return ipc_sys_call(h, w0, w1, w2, w3, 0);
}

int64_t ipc_fast_reply_recv_entry(uint64_t h, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3)
{
	struct percpu *pc = percpu_this();
	struct thread *me = pc->current, *caller = me->ipc_reply_to;
	struct process *p = me->proc;
	struct endpoint *ep;
	int64_t r;

	if (!caller || h == KEEL_HANDLE_SELF || !spin_trylock(&p->lock))
		goto slow;
	ep = handle_peek(&p->handles, h, KEEL_OBJ_ENDPOINT, KEEL_RIGHT_READ);
	if (!ep || !spin_trylock(&ep->lock)) {
		spin_unlock(&p->lock);
		goto slow;
	}
	/* A killed process's thread queues itself on the slow path only (ipc.c: kill). */
	/* Bits pending on its bound notification: recv returns them (the slow path). */
	if (ep->callers || p->killed || !ipc_fast_partner_ok(pc, me, caller) ||
	    (ep->bound && __atomic_load_n(&ep->bound->bits, __ATOMIC_RELAXED))) {
		spin_unlock(&ep->lock);
		spin_unlock(&p->lock);
		goto slow;
	}
	/* From here nothing can fail: this thread receives next, the caller runs now. */
	ipc_fast_ref(&ep->obj); /* held while queued on ep (see the top) */
	me->ipc_reply_to = NULL;
	me->ipc_buf = 0;
	me->next = NULL;
	if (ep->receivers_tail)
		ep->receivers_tail->next = me;
	else
		ep->receivers = me;
	ep->receivers_tail = me;
	spin_unlock(&ep->lock);
	spin_unlock(&p->lock);
	ipc_fast_deliver(caller, w0, w1, w2, w3, 0);
	pc->ipc_fast++;
	sched_fast_switch(pc, me, caller);
	r = ipc_fast_resumed(me);
	ipc_fast_unref(&ep->obj);
	return r;
slow:
	ipc_fast_irq_on();
	ipc_fast_count_slow();
	return ipc_sys_reply_recv(h, w0, w1, w2, w3, 0);
}

/* With a message (a5): syscall_ipc_call and syscall_ipc_reply_recv send those here. */
int64_t ipc_fast_call(uint64_t h, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3, uint64_t a5)
{
	ipc_fast_count_slow();
	return ipc_sys_call(h, w0, w1, w2, w3, a5);
}

int64_t ipc_fast_reply_recv(uint64_t h, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3,
			    uint64_t a5)
{
	ipc_fast_count_slow();
	return ipc_sys_reply_recv(h, w0, w1, w2, w3, a5);
}
