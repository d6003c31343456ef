/*
 * kernel/core/klog.c: the kernel log ring and the log objects (klog.h).
 *
 * klog_lock guards the ring (klog_buf, klog_pos, klog_hold_pos, klog_drained). console_write
 * appends with console_lock held and interrupts off, from anywhere: under a
 * notification's or an endpoint's lock (kprintf there), in interrupt and
 * fault handlers. So klog_lock is the innermost lock of the kernel: taken with
 * interrupts off, held only to copy bytes, never calling out. Readers take it
 * the same way and copy by chunks into their own stack, then to user space
 * with the lock dropped.
 *
 * A fault on this CPU while it holds klog_lock (only a bug in the copy could
 * do that) must not hang the fault's report: klog_owner names the holder, and
 * its nested append is dropped.
 *
 * klog_obj_lock (interrupts off) guards the log objects' slots and bindings;
 * it is never held with klog_lock. New text only sets klog_pending; the timer
 * tick (klog_tick) clears it and signals every bound notification, without
 * klog_obj_lock (a wake-up may cross-call another CPU), each pinned by a
 * reference taken under it.
 */
#include "core/klog.h"

#include <stdbool.h>

#include <keel/syscall.h>

#include "arch/x86_64/usercopy.h"
#include "core/arch.h"
#include "core/ipc.h"
#include "core/spinlock.h"
#include "core/thread.h"
#include "lib/fmt.h"
#include "lib/kstring.h"

#define KLOG_MASK     ((uint64_t)KLOG_SIZE - 1)
#define KLOG_NO_OWNER UINT32_MAX
#define KLOG_CHUNK    256 /* bytes copied per hold of klog_lock by the system call */
#define KLOG_HEADER   sizeof(uint64_t)

_Static_assert((KLOG_SIZE & (KLOG_SIZE - 1)) == 0, "KLOG_SIZE is a power of two");

static struct spinlock klog_lock = SPINLOCK_INIT;
static volatile uint32_t klog_owner = KLOG_NO_OWNER; /* CPU index holding klog_lock */
static char klog_buf[KLOG_SIZE];
static uint64_t klog_pos;      /* bytes ever appended; byte p is at klog_buf[p & KLOG_MASK] */
static uint64_t klog_hold_pos; /* klog_pos when the serial sink last went silent */
static uint64_t klog_drained;  /* the furthest position a draining reader asked for (klog_replay) */
static bool klog_pending;      /* atomic: text added since the last klog_tick */

struct klog_obj {
	struct object obj;    /* type 0: the slot is free */
	struct object *notif; /* bound: holds a reference */
	uint64_t bits;
	/*
	 * Atomic, set once: a read through it asked for KEEL_LOG_FROM_HOLD, so its
	 * reader drains the serial sink's text (drivers-user/uart) and its reads
	 * move klog_drained. A screen's reader starts elsewhere (fbcon: at 0) and
	 * must not: klog_replay would skip what the serial driver never sent.
	 */
	bool drains;
};

static struct spinlock klog_obj_lock = SPINLOCK_INIT;
static struct klog_obj klog_objs[KLOG_OBJECTS];
static uint64_t klog_obj_count; /* atomic: klog_objects_live */

/* ---- The ring ---- */

void klog_append(const char *s, size_t n)
{
	uint32_t me = arch_cpu_index();
	uint64_t at;
	size_t part;

	if (klog_owner == me)
		return;        /* a fault inside the copy below: keep the report going */
	spin_lock(&klog_lock); /* interrupts are off (console_write) */
	klog_owner = me;
	/* Only the last KLOG_SIZE bytes of a longer write can stay. */
	if (n > KLOG_SIZE) {
		klog_pos += n - KLOG_SIZE;
		s += n - KLOG_SIZE;
		n = KLOG_SIZE;
	}
	at = klog_pos & KLOG_MASK;
	part = KLOG_SIZE - at < n ? KLOG_SIZE - at : n;
	memcpy(klog_buf + at, s, part);
	memcpy(klog_buf, s + part, n - part);
	klog_pos += n;
	klog_owner = KLOG_NO_OWNER;
	spin_unlock(&klog_lock);
	if (n)
		__atomic_store_n(&klog_pending, true, __ATOMIC_RELEASE);
}

void klog_mark_hold(void)
{
	uint64_t flags = spin_lock_irqsave(&klog_lock);

	klog_hold_pos = klog_pos;
	spin_unlock_irqrestore(&klog_lock, flags);
}

uint64_t klog_end(void)
{
	uint64_t flags = spin_lock_irqsave(&klog_lock);
	uint64_t end = klog_pos;

	spin_unlock_irqrestore(&klog_lock, flags);
	return end;
}

/*
 * Copy up to n bytes from *pos (moved to the oldest byte kept when the ring
 * lost it and `may_skip`): the bytes copied; 0 at the end or when the text
 * at *pos is gone and it may not skip. klog_lock taken here.
 */
static size_t klog_copy(uint64_t *pos, char *buf, size_t n, bool may_skip)
{
	uint64_t flags = spin_lock_irqsave(&klog_lock);
	uint64_t oldest = klog_pos > KLOG_SIZE ? klog_pos - KLOG_SIZE : 0;
	uint64_t at;
	size_t part;

	if (*pos < oldest) {
		if (!may_skip) {
			spin_unlock_irqrestore(&klog_lock, flags);
			return 0;
		}
		*pos = oldest;
	}
	if (n > klog_pos - *pos)
		n = (size_t)(klog_pos - *pos);
	at = *pos & KLOG_MASK;
	part = KLOG_SIZE - at < n ? KLOG_SIZE - at : n;
	memcpy(buf, klog_buf + at, part);
	memcpy(buf + part, klog_buf, n - part);
	spin_unlock_irqrestore(&klog_lock, flags);
	return n;
}

/* A reader asks for pos: everything before it went out (klog_replay starts there). */
static void klog_note_drained(uint64_t pos)
{
	uint64_t flags = spin_lock_irqsave(&klog_lock);

	if (pos > klog_drained)
		klog_drained = pos;
	spin_unlock_irqrestore(&klog_lock, flags);
}

/* pos resolved (KEEL_LOG_FROM_HOLD) and checked against the end: 0 or -KEEL_EINVAL. */
static int klog_start(uint64_t *pos)
{
	uint64_t flags = spin_lock_irqsave(&klog_lock);
	int err = 0;

	if (*pos == KEEL_LOG_FROM_HOLD)
		*pos = klog_hold_pos;
	else if (*pos > klog_pos)
		err = -KEEL_EINVAL;
	spin_unlock_irqrestore(&klog_lock, flags);
	return err;
}

/* Write the log text [from, end) to a sink, chunk by chunk, without klog_lock while it writes. */
static void klog_write_range(uint64_t from, uint64_t end, void (*write)(const char *s, size_t n))
{
	char chunk[KLOG_CHUNK];
	size_t got;

	while (from < end &&
	       (got = klog_copy(&from, chunk,
				end - from < KLOG_CHUNK ? (size_t)(end - from) : KLOG_CHUNK,
				true)) > 0) {
		write(chunk, got);
		from += got;
	}
}

void klog_replay(void (*write)(const char *s, size_t n))
{
	char note[KLOG_CHUNK];
	uint64_t flags = spin_lock_irqsave(&klog_lock);
	uint64_t from = klog_drained > klog_hold_pos ? klog_drained : klog_hold_pos;
	uint64_t end = klog_pos;
	int n;

	/* Replayed once: a later release starts from here. */
	klog_drained = end;
	spin_unlock_irqrestore(&klog_lock, flags);
	if (end - from > KLOG_REPLAY_MAX) {
		/* Interrupts stay off while the sink polls: bounded to a few KiB. */
		n = fmt_snprintf(note, sizeof(note), "[%llu bytes of kernel log not shown]\n",
				 (unsigned long long)(end - KLOG_REPLAY_MAX - from));
		write(note, (size_t)n < sizeof(note) ? (size_t)n : sizeof(note) - 1);
		from = end - KLOG_REPLAY_MAX;
	}
	klog_write_range(from, end, write);
}

void klog_replay_tail(void (*write)(const char *s, size_t n))
{
	uint64_t end = klog_end();
	uint64_t from = end > KLOG_REPLAY_MAX ? end - KLOG_REPLAY_MAX : 0;
	char c;

	/* Start at a line's beginning: skip the partial line the cut left. */
	while (from > 0 && from < end && klog_copy(&(uint64_t){from - 1}, &c, 1, false) == 1 &&
	       c != '\n')
		from++;
	klog_write_range(from, end, write);
}

int64_t klog_read(uint64_t pos, char *buf, size_t n, uint64_t *first)
{
	int err = klog_start(&pos);

	if (err != 0)
		return err;
	/* One hold of the lock: the text is whole and begins at pos. */
	n = klog_copy(&pos, buf, n, true);
	*first = pos;
	return (int64_t)n;
}

/* ---- Log objects ---- */

int64_t klog_object_create(uint64_t arg, uint64_t arg2)
{
	struct klog_obj *o = NULL;
	uint64_t flags;
	int64_t h;

	if (arg != 0 || arg2 != 0)
		return -KEEL_EINVAL;
	flags = spin_lock_irqsave(&klog_obj_lock);
	for (size_t i = 0; i < KLOG_OBJECTS && !o; i++)
		if (klog_objs[i].obj.type == 0)
			o = &klog_objs[i];
	if (o) {
		o->obj.type = KEEL_OBJ_LOG;
		o->obj.refs = 1;
		o->notif = NULL;
		o->bits = 0;
		o->drains = false;
		__atomic_fetch_add(&klog_obj_count, 1, __ATOMIC_RELAXED);
	}
	spin_unlock_irqrestore(&klog_obj_lock, flags);
	if (!o)
		return -KEEL_ENOMEM;
	/* A handle with every right; the creation reference goes (a failed add frees the object).
	 */
	h = ipc_handle_add(thread_current()->proc, &o->obj, KEEL_RIGHTS_ALL);
	ipc_object_unref(&o->obj);
	return h;
}

void klog_object_destroy(struct object *obj)
{
	struct klog_obj *o = (struct klog_obj *)obj;
	struct object *notif;
	uint64_t flags = spin_lock_irqsave(&klog_obj_lock);

	notif = o->notif;
	o->notif = NULL;
	o->obj.type = 0; /* the slot is free again */
	__atomic_fetch_sub(&klog_obj_count, 1, __ATOMIC_RELAXED);
	spin_unlock_irqrestore(&klog_obj_lock, flags);
	if (notif)
		ipc_object_unref(notif);
}

int klog_bind(struct object *log, struct object *notification, uint64_t bit)
{
	struct klog_obj *o = (struct klog_obj *)log;
	uint64_t flags;
	int err = 0;

	if (bit > 62) /* bits are 63 wide (signal's rule) */
		return -KEEL_EINVAL;
	flags = spin_lock_irqsave(&klog_obj_lock);
	if (o->notif) {
		err = -KEEL_EBUSY;
	} else {
		ipc_object_ref(notification); /* the binding's reference */
		o->notif = notification;
		o->bits = 1ull << bit;
	}
	spin_unlock_irqrestore(&klog_obj_lock, flags);
	return err;
}

uint64_t klog_objects_live(void)
{
	return __atomic_load_n(&klog_obj_count, __ATOMIC_RELAXED);
}

void klog_tick(void)
{
	struct object *notif[KLOG_OBJECTS];
	uint64_t bits[KLOG_OBJECTS], flags;
	size_t n = 0;

	/* The one CPU whose exchange sees it set signals; the others return at once. */
	if (!__atomic_load_n(&klog_pending, __ATOMIC_RELAXED) ||
	    !__atomic_exchange_n(&klog_pending, false, __ATOMIC_ACQ_REL))
		return;
	flags = spin_lock_irqsave(&klog_obj_lock);
	for (size_t i = 0; i < KLOG_OBJECTS; i++) {
		if (klog_objs[i].obj.type != KEEL_OBJ_LOG || !klog_objs[i].notif)
			continue;
		notif[n] = klog_objs[i].notif;
		bits[n] = klog_objs[i].bits;
		ipc_object_ref(notif[n++]); /* the binding's reference pins it meanwhile */
	}
	spin_unlock_irqrestore(&klog_obj_lock, flags);
	for (size_t i = 0; i < n; i++) {
		ipc_notification_signal(notif[i], bits[i]);
		ipc_object_unref(notif[i]);
	}
}

/* ---- The system call ---- */

int64_t klog_sys_read(uint64_t h, uint64_t ubuf, uint64_t n)
{
	char chunk[KLOG_CHUNK];
	struct object *obj;
	uint64_t pos, first, done = 0, left;
	size_t got;
	struct klog_obj *lo;
	bool drains;
	int err = ipc_handle_get(h, KEEL_OBJ_LOG, KEEL_RIGHT_READ, &obj);

	if (err != 0)
		return err;
	lo = (struct klog_obj *)obj;
	err = n < KLOG_HEADER ? -KEEL_EINVAL : usercopy_from(&pos, ubuf, KLOG_HEADER);
	if (err == 0 && pos == KEEL_LOG_FROM_HOLD)
		__atomic_store_n(&lo->drains, true, __ATOMIC_RELAXED);
	drains = __atomic_load_n(&lo->drains, __ATOMIC_RELAXED);
	ipc_object_unref(obj); /* nothing more of the object is used below */
	if (err == 0)
		err = klog_start(&pos);
	if (err != 0)
		return err;
	if (drains)
		klog_note_drained(pos);
	left = n - KLOG_HEADER < KLOG_SIZE ? n - KLOG_HEADER : KLOG_SIZE;
	first = pos;
	/*
	 * Chunk by chunk, the lock dropped for each copy to user space. The first
	 * chunk may skip to the oldest text kept (first moves with it); a later
	 * one whose text was overwritten meanwhile ends the read, so the text
	 * returned is always one unbroken run from `first`.
	 */
	while (left > 0) {
		got = klog_copy(&pos, chunk, left < KLOG_CHUNK ? (size_t)left : KLOG_CHUNK,
				done == 0);
		if (got == 0)
			break;
		if (done == 0)
			first = pos;
		err = usercopy_to(ubuf + KLOG_HEADER + done, chunk, got);
		if (err != 0)
			return err;
		pos += got;
		done += got;
		left -= got;
	}
	if (done == 0) { /* nothing new: the reader is at the end (or the oldest text kept) */
		uint64_t end = klog_end(), oldest = end > KLOG_SIZE ? end - KLOG_SIZE : 0;

		first = pos < oldest ? oldest : pos;
	}
	err = usercopy_to(ubuf, &first, KLOG_HEADER);
	return err != 0 ? err : (int64_t)done;
}
