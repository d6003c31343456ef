/*
 * kernel/core/handle.h: per-process handle tables with rights (DESIGN.md §6).
 * A handle names one object of the process's table: {object pointer, object
 * type, rights}. Pure logic: no globals, no lock, no arch code, so the same
 * file runs in the kernel and in the host test (tests/unit/test_handle.c),
 * where the storage is malloc.
 *
 * Handle values. A value is (gen << HANDLE_INDEX_BITS) | index: the slot's
 * index in the table and the slot's generation, which goes up by one every
 * time a handle in that slot is closed or taken. A stale value (a handle
 * closed, then its slot reused) therefore names nothing: -KEEL_EBADH, never
 * the new object. Generations start at 1, so 0 (KEEL_HANDLE_SELF) and every
 * value below 2^HANDLE_INDEX_BITS are never handles, and they stay below
 * 2^63 (positive as an int64_t result). A slot whose generation would pass
 * HANDLE_GEN_MAX is retired for good rather than wrapped: a value is never
 * reused, at the cost of a slot after 2^47 reuses of it. Free slots are
 * reused oldest first (a FIFO), so a close followed by an open does not
 * hand the same slot straight back.
 *
 * References. The table holds one reference on its object per open handle:
 * handle_add and handle_dup take one with ops->ref; handle_close and
 * handle_table_destroy drop it with ops->unref; handle_take gives it to the
 * caller (no ref, no unref). ops->unref is called after the table is
 * consistent again (the handle already gone), so it may free the object and
 * may call back into the table (a process object holding a handle to itself,
 * say). Both are called with the caller's lock held, and both are told the
 * handle's rights, so that an owner can count the handles holding a right
 * (the kernel counts an endpoint's receivers and senders to tell a peer gone,
 * ipc.c). handle_take moves a handle away with its reference and rights: no
 * callback, the caller accounts for it.
 *
 * Errors, in this order, for every call that names a handle (user-space tests
 * rely on the distinct codes):
 *   1. -KEEL_EBADH: not an open handle of this table (0, a value whose index
 *      or generation is not open, any value with bits above the generation);
 *   2. -KEEL_EINVAL: an argument out of range (rights bits outside
 *      KEEL_RIGHTS_ALL asked of handle_dup);
 *   3. -KEEL_ETYPE: the handle names an object of another type;
 *   4. -KEEL_EPERM: the handle lacks a right the call needs;
 *   5. -KEEL_ENOMEM: no slot left (capacity_max reached, or the storage
 *      provider has no memory for a larger array).
 * A refused call changes nothing.
 *
 * Storage. The slot array starts at HANDLE_INITIAL_SLOTS (or capacity_max if
 * smaller), taken at the first handle_add, and doubles up to capacity_max
 * through ops->alloc / ops->free (24 bytes per slot: 16 slots take 384 bytes,
 * 65,536 slots 1.5 MiB). It never shrinks before handle_table_destroy.
 *
 * Locking: none here. The caller serialises every call on one table (the
 * kernel holds the owning process's lock).
 */
#ifndef KEEL_CORE_HANDLE_H
#define KEEL_CORE_HANDLE_H

#include <stddef.h>
#include <stdint.h>

#include <keel/syscall.h>

#define HANDLE_INDEX_BITS     16
#define HANDLE_GEN_BITS       47
#define HANDLE_INDEX_MASK     ((1ull << HANDLE_INDEX_BITS) - 1)
#define HANDLE_GEN_MAX        ((1ull << HANDLE_GEN_BITS) - 1)
#define HANDLE_CAPACITY_LIMIT (1u << HANDLE_INDEX_BITS) /* largest capacity_max */
#define HANDLE_INITIAL_SLOTS  16

/* Object types are 1..HANDLE_TYPE_MAX; handle_get's HANDLE_TYPE_ANY accepts every one. */
#define HANDLE_TYPE_ANY 0
#define HANDLE_TYPE_MAX 0xffffu

/* Ends the free list. */
#define HANDLE_NO_SLOT UINT32_MAX

/*
 * What a table needs from its owner; ctx is passed to each call. ref and
 * unref count the table's references on an object (see above); alloc gives
 * `bytes` of memory aligned for pointers, or NULL; free takes back a block
 * alloc gave, with its size. ref and unref get the rights of the handle
 * they count.
 */
struct handle_table_ops {
	void (*ref)(void *ctx, void *obj, uint32_t type, uint32_t rights);
	void (*unref)(void *ctx, void *obj, uint32_t type, uint32_t rights);
	void *(*alloc)(void *ctx, size_t bytes);
	void (*free)(void *ctx, void *mem, size_t bytes);
};

/*
 * One slot. Open: obj != NULL, type != 0, gen is the generation of its
 * handle. Free: obj NULL, type 0, gen the generation of its next handle,
 * on the free list through next_free. Retired: obj NULL, type 0, gen 0,
 * on no list.
 */
struct handle_slot {
	void *obj;
	uint64_t gen;
	uint16_t rights;
	uint16_t type;
	uint32_t next_free;
};

/* What a handle names (handle_lookup, handle_take). */
struct handle_entry {
	void *obj;
	uint32_t type;
	uint32_t rights;
};

/* Accounting, exact after every call. */
struct handle_stats {
	uint32_t open;          /* open handles */
	uint32_t capacity;      /* slots in the array */
	uint32_t capacity_max;  /* the most it may grow to */
	uint32_t free;          /* slots on the free list */
	uint32_t retired;       /* slots whose generations ran out */
	uint64_t grows;         /* times the array was enlarged */
	uint64_t grow_failures; /* enlargements the storage provider refused */
};

/*
 * One table. Invariants between calls (handle_table_check verifies them):
 * every slot is exactly one of open, free (on the free list, once) or
 * retired; open + free + retired == capacity <= capacity_max; free_head and
 * free_tail are both HANDLE_NO_SLOT exactly when the list is empty.
 */
struct handle_table {
	const struct handle_table_ops *ops; /* NULL: not set up (or destroyed) */
	void *ctx;
	struct handle_slot *slots;
	uint32_t capacity, capacity_max;
	uint32_t free_head, free_tail; /* oldest and newest free slot */
	struct handle_stats stats;
};

/*
 * Set up an empty table of at most capacity_max (1..HANDLE_CAPACITY_LIMIT)
 * handles. *ops is kept, not copied (it is usually one constant for every
 * process); every member must be set. Takes no memory yet. 0, or
 * -KEEL_EINVAL (and *t unusable: every call on it fails).
 */
int handle_table_init(struct handle_table *t, uint32_t capacity_max,
		      const struct handle_table_ops *ops, void *ctx);

/*
 * Close every handle (one ops->unref per open handle, in slot order), give
 * the array back and leave *t unusable. The table is emptied before the
 * first unref, so an unref that calls back into it finds it empty.
 */
void handle_table_destroy(struct handle_table *t);

/*
 * A new handle to obj (not NULL) of `type` (1..HANDLE_TYPE_MAX) with `rights`
 * (within KEEL_RIGHTS_ALL); takes a reference. The handle (> 0), or
 * -KEEL_EINVAL for a bad argument or unusable table, -KEEL_ENOMEM when no
 * slot is left.
 */
int64_t handle_add(struct handle_table *t, void *obj, uint32_t type, uint32_t rights);

/*
 * The object handle h names, if it is of `type` (or type is HANDLE_TYPE_ANY)
 * and h has every right in rights_needed. The pointer is borrowed: it stays
 * valid while the caller's lock keeps the handle open; take a reference
 * (ops->ref) to use it longer. 0, or -KEEL_EBADH, -KEEL_ETYPE, -KEEL_EPERM.
 */
int handle_get(const struct handle_table *t, uint64_t h, uint32_t type, uint32_t rights_needed,
	       void **obj);

/*
 * handle_get for the IPC fast path, inline: the object, or NULL for every
 * refusal (the caller then takes the slow path, which says which one). The
 * same checks as handle_slot_of and handle_get, in a few instructions; the
 * same borrowing rule (the caller's lock keeps the handle open).
 */
static inline void *handle_peek(const struct handle_table *t, uint64_t h, uint32_t type,
				uint32_t rights_needed)
{
	uint64_t gen = h >> HANDLE_INDEX_BITS, index = h & HANDLE_INDEX_MASK;
	const struct handle_slot *s;

	if (t->ops == NULL || gen == 0 || gen > HANDLE_GEN_MAX || index >= t->capacity)
		return NULL;
	s = &t->slots[index];
	if (s->obj == NULL || s->gen != gen || s->type != type ||
	    (s->rights & rights_needed) != rights_needed)
		return NULL;
	return s->obj;
}

/* What h names, with no type or rights check. 0, or -KEEL_EBADH. */
int handle_lookup(const struct handle_table *t, uint64_t h, struct handle_entry *out);

/*
 * A new handle to h's object with `rights`, which must be a subset of h's
 * rights; h needs KEEL_RIGHT_DUPLICATE. rights is 64 bits wide so that a
 * system call can pass its argument unchanged (no truncation can turn an
 * undefined bit into a valid set). Takes a reference. The new handle,
 * or -KEEL_EBADH, -KEEL_EINVAL (rights outside KEEL_RIGHTS_ALL),
 * -KEEL_EPERM (no KEEL_RIGHT_DUPLICATE, or a right h lacks), -KEEL_ENOMEM.
 */
int64_t handle_dup(struct handle_table *t, uint64_t h, uint64_t rights);

/* Close h, dropping its reference. 0, or -KEEL_EBADH. */
int handle_close(struct handle_table *t, uint64_t h);

/*
 * Remove h to move it elsewhere (an IPC message): *out gets its object, type
 * and rights, and the caller gets the handle's reference (no unref). h needs
 * KEEL_RIGHT_TRANSFER and every right in rights_needed. 0, or -KEEL_EBADH,
 * -KEEL_EINVAL (out NULL), -KEEL_EPERM.
 */
int handle_take(struct handle_table *t, uint64_t h, uint32_t rights_needed,
		struct handle_entry *out);

/*
 * Make sure the next n handle_add or handle_dup calls cannot fail for lack
 * of a slot (growing the array now if needed), for a caller that must not
 * fail after it has committed (a handle arriving in an IPC message). Holds
 * only while the caller's lock is held. 0, or -KEEL_ENOMEM (nothing changes
 * but possibly a larger array), -KEEL_EINVAL for an unusable table.
 */
int handle_reserve(struct handle_table *t, uint32_t n);

/* Open handles (0 for an unusable table). */
uint32_t handle_count(const struct handle_table *t);

/* Copy the accounting into *out. */
void handle_table_stats(const struct handle_table *t, struct handle_stats *out);

/*
 * Verify every invariant above: 0, or -KEEL_EINVAL when one is broken (an
 * unusable table is valid when it holds nothing). O(capacity): for tests and
 * debugging.
 */
int handle_table_check(const struct handle_table *t);

#endif
