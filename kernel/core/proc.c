/*
 * kernel/core/proc.c: process and thread objects, and the system calls that
 * make and use them (proc.h).
 *
 * Locking: a process's lock guards its handle table and its threads,
 * started and ended fields. No call here holds two process locks at once:
 * what a handle of the caller names is looked up and referenced under the
 * caller's lock, which is dropped before the target's lock is taken.
 */
#include "core/proc.h"

#include <keel/syscall.h>

#include "arch/x86_64/usercopy.h"
#include "core/arch.h"
#include "core/ipc.h"
#include "core/thread.h"
#include "lib/kstring.h"
#include "mm/kslab.h"

#define PROC_EXIT_BIT_MAX 62 /* notification bits are 63 wide */

/* A thread handle's object: nothing uses it yet but its process reference. */
struct thread_object {
	struct object obj;
	struct process *proc; /* holds a reference */
};

static struct kslab_cache proc_thread_cache;
static bool proc_cache_ready;
static struct spinlock proc_cache_lock = SPINLOCK_INIT;
static uint64_t proc_live;     /* atomic: process structs and thread objects */
static uint32_t proc_next_cpu; /* atomic: round robin for new threads */

static int proc_cache_init(void)
{
	uint64_t flags = spin_lock_irqsave(&proc_cache_lock);
	int err = 0;

	if (!proc_cache_ready) {
		err = kslab_cache_init(&proc_thread_cache, "thread object",
				       sizeof(struct thread_object), 64);
		proc_cache_ready = err == 0;
	}
	spin_unlock_irqrestore(&proc_cache_lock, flags);
	return err == 0 ? 0 : -KEEL_ENOMEM;
}

void proc_note_created(void)
{
	__atomic_fetch_add(&proc_live, 1, __ATOMIC_RELAXED);
}

uint64_t proc_objects_live(void)
{
	return __atomic_load_n(&proc_live, __ATOMIC_RELAXED);
}

/* ---- References ---- */

void proc_object_unref(struct object *obj)
{
	uint32_t left = __atomic_sub_fetch(&obj->refs, 1, __ATOMIC_ACQ_REL);

	if (obj->type == KEEL_OBJ_THREAD) {
		struct thread_object *t = (struct thread_object *)obj;

		if (left != 0)
			return;
		ipc_object_unref(&t->proc->obj);
		kslab_free(&proc_thread_cache, t);
		__atomic_fetch_sub(&proc_live, 1, __ATOMIC_RELAXED);
		return;
	}
	struct process *p = (struct process *)obj;

	if (left == 0) {
		/* Taken apart already (its life's reference went last): the struct goes. */
		if (p->supervisor)
			ipc_object_unref(p->supervisor);
		if (p->exit_notif)
			ipc_object_unref(p->exit_notif);
		proc_struct_free(p);
		__atomic_fetch_sub(&proc_live, 1, __ATOMIC_RELAXED);
		return;
	}
	/*
	 * Only its life's reference is left and no thread ever started: nothing
	 * can name it any more (a thread is created through a handle, whose
	 * reference the creator holds), so it is taken apart now. started is
	 * read without the lock for that reason.
	 */
	if (left == 1 && !__atomic_load_n(&p->started, __ATOMIC_ACQUIRE) &&
	    !__atomic_load_n(&p->torn_down, __ATOMIC_ACQUIRE))
		process_free(p);
}

void proc_notify_exit(const struct process *p)
{
	if (p->exit_notif)
		ipc_notification_signal(p->exit_notif, p->exit_bits);
}

int proc_get(uint64_t h, uint32_t rights, struct process **out)
{
	struct object *obj;
	int err;

	if (h == KEEL_HANDLE_SELF) {
		/* Its life's reference cannot go while one of its threads runs this. */
		*out = thread_current()->proc;
		ipc_object_ref(&(*out)->obj);
		return 0;
	}
	err = ipc_handle_get(h, KEEL_OBJ_PROCESS, rights, &obj);
	if (err == 0)
		*out = (struct process *)obj;
	return err;
}

void proc_put(struct process *p)
{
	ipc_object_unref(&p->obj);
}

/* ---- proc_create ---- */

/* An optional handle argument (0: none) of `type` with `rights`, referenced into *out. */
static int proc_optional(uint64_t h, uint32_t type, uint32_t rights, struct object **out)
{
	*out = NULL;
	return h == 0 ? 0 : ipc_handle_get(h, type, rights, out);
}

int64_t proc_sys_create(uint64_t uname, uint64_t n, uint64_t supervisor, uint64_t exit_notif,
			uint64_t exit_bit, uint64_t flags)
{
	struct process *me = thread_current()->proc, *p;
	struct object *sup = NULL, *notif = NULL;
	char name[PROC_NAME_MAX];
	int64_t h;
	int err;

	/* Error order: name (EINVAL/E2BIG/EFAULT), flags, bit, then the two handles. */
	if (n == 0)
		return -KEEL_EINVAL;
	if (n >= PROC_NAME_MAX)
		return -KEEL_E2BIG;
	err = usercopy_from(name, uname, n);
	if (err != 0)
		return err;
	name[n] = '\0';
	if (strlen(name) != n)
		return -KEEL_EINVAL; /* a NUL inside the name */
	if (flags & ~(uint64_t)KEEL_PROC_DRIVER)
		return -KEEL_EINVAL;
	if ((flags & KEEL_PROC_DRIVER) && me->priority > SCHED_PRIORITY_DRIVER)
		return -KEEL_EPERM;
	if (exit_bit > PROC_EXIT_BIT_MAX)
		return -KEEL_EINVAL;
	err = proc_optional(supervisor, KEEL_OBJ_ENDPOINT, KEEL_RIGHT_WRITE, &sup);
	if (err == 0)
		err = proc_optional(exit_notif, KEEL_OBJ_NOTIFICATION, KEEL_RIGHT_SIGNAL, &notif);
	if (err == 0 && !(p = process_create(name)))
		err = -KEEL_ENOMEM;
	if (err != 0) {
		if (sup)
			ipc_object_unref(sup);
		if (notif)
			ipc_object_unref(notif);
		return err;
	}
	/* Fixed from here on; the references go when the struct is freed. */
	p->priority = (flags & KEEL_PROC_DRIVER) ? SCHED_PRIORITY_DRIVER : SCHED_PRIORITY_APP;
	p->supervisor = sup;
	p->exit_notif = notif;
	p->exit_bits = notif ? 1ull << exit_bit : 0;
	h = ipc_handle_add(me, &p->obj, KEEL_RIGHTS_ALL);
	if (h < 0)
		process_destroy_unstarted(p); /* no handle: nothing names it */
	return h;
}

/* ---- thread_create ---- */

/* The next online CPU, round robin: new threads spread over the machine. */
static uint32_t proc_pick_cpu(void)
{
	uint64_t online = arch_cpus_online();
	uint32_t count = (uint32_t)__builtin_popcountll(online), k;

	if (count <= 1)
		return arch_cpu_index();
	k = __atomic_fetch_add(&proc_next_cpu, 1, __ATOMIC_RELAXED) % count;
	while (k--)
		online &= online - 1; /* drop the lowest CPU k times */
	return (uint32_t)__builtin_ctzll(online);
}

int64_t proc_sys_thread_create(uint64_t proc, uint64_t entry, uint64_t stack_top, uint64_t arg,
			       uint64_t a4, uint64_t a5)
{
	struct process *me = thread_current()->proc, *p;
	struct thread_object *t;
	uint64_t flags;
	int64_t h;
	bool ended;
	int err;

	(void)a4, (void)a5;
	err = proc_get(proc, KEEL_RIGHT_MANAGE, &p);
	if (err != 0)
		return err;
	/* The entry in the user half; the stack's top at most its end, 16-byte aligned. */
	if (entry < KEEL_USER_BASE || entry >= KEEL_USER_END || stack_top <= KEEL_USER_BASE ||
	    stack_top > KEEL_USER_END)
		err = -KEEL_ERANGE;
	else if (stack_top & 15)
		err = -KEEL_EINVAL;
	if (err == 0) {
		flags = spin_lock_irqsave(&p->lock);
		ended = p->ended || p->killed; /* a killed process is ending */
		spin_unlock_irqrestore(&p->lock, flags);
		if (ended)
			err = -KEEL_ECLOSED;
	}
	if (err == 0 && (proc_cache_init() != 0 || !(t = kslab_alloc(&proc_thread_cache))))
		err = -KEEL_ENOMEM;
	if (err != 0) {
		proc_put(p);
		return err;
	}
	t->obj.type = KEEL_OBJ_THREAD;
	t->obj.refs = 1;
	t->proc = p; /* proc_get's reference moves here */
	__atomic_fetch_add(&proc_live, 1, __ATOMIC_RELAXED);
	/* The handle first: once the thread runs, nothing may fail. */
	h = ipc_handle_add(me, &t->obj, KEEL_RIGHTS_ALL);
	if (h >= 0 &&
	    !thread_create_user_on(p, entry, stack_top, arg, p->priority, proc_pick_cpu())) {
		flags = spin_lock_irqsave(&p->lock);
		ended = p->ended || p->killed; /* a killed process is ending */
		spin_unlock_irqrestore(&p->lock, flags);
		/* Closed unless another thread of the caller closed it already. */
		flags = spin_lock_irqsave(&me->lock);
		handle_close(&me->handles, (uint64_t)h);
		spin_unlock_irqrestore(&me->lock, flags);
		h = ended ? -KEEL_ECLOSED : -KEEL_ENOMEM;
	}
	ipc_object_unref(&t->obj); /* the handle holds it now (or nothing does) */
	return h;
}

/* ---- handle_dup into another process ---- */

int64_t proc_handle_dup_to(uint64_t h, uint64_t rights, uint64_t process)
{
	struct process *me = thread_current()->proc, *target = NULL;
	struct handle_entry e;
	uint64_t flags;
	void *obj;
	int64_t r;
	int err;

	/* The source handle's errors first (handle_dup's order), then the process's. */
	flags = spin_lock_irqsave(&me->lock);
	err = handle_lookup(&me->handles, h, &e);
	if (err == 0 && (rights & ~(uint64_t)KEEL_RIGHTS_ALL) != 0)
		err = -KEEL_EINVAL;
	if (err == 0 && (!(e.rights & KEEL_RIGHT_DUPLICATE) || (rights & ~(uint64_t)e.rights) != 0))
		err = -KEEL_EPERM;
	if (err == 0)
		err = handle_get(&me->handles, process, KEEL_OBJ_PROCESS, KEEL_RIGHT_MANAGE, &obj);
	if (err == 0) {
		/* Both pinned by the caller's handles while its lock is held. */
		target = obj;
		ipc_object_ref(&target->obj);
		ipc_object_ref(e.obj);
	}
	spin_unlock_irqrestore(&me->lock, flags);
	if (err != 0)
		return err;
	flags = spin_lock_irqsave(&target->lock);
	if (target->ended || target->handles.ops == NULL)
		r = -KEEL_ECLOSED;
	else if ((e.type == KEEL_OBJ_PROCESS || e.type == KEEL_OBJ_THREAD) && !target->started)
		r = -KEEL_EINVAL; /* proc.h: nothing that pins a process in an unstarted one */
	else
		r = handle_add(&target->handles, e.obj, e.type, (uint32_t)rights);
	spin_unlock_irqrestore(&target->lock, flags);
	ipc_object_unref(e.obj);
	proc_put(target);
	return r;
}

/* ---- KEEL_INFO_PROCESS ---- */

int proc_info(uint64_t h, struct keel_process_info *out)
{
	struct process *p;
	uint64_t flags;
	int err = proc_get(h, KEEL_RIGHT_READ, &p);

	if (err != 0)
		return err;
	flags = spin_lock_irqsave(&p->lock);
	out->id = p->id;
	out->threads = p->threads;
	out->exit_status = p->ended ? p->exit_status : 0;
	out->killed = p->ended && p->killed;
	spin_unlock_irqrestore(&p->lock, flags);
	proc_put(p);
	return 0;
}
