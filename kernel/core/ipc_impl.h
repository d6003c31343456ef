/*
 * kernel/core/ipc_impl.h: what ipc.c shares with its fast path
 * (ipc_fast.c), and nothing else includes.
 */
#ifndef KEEL_CORE_IPC_IMPL_H
#define KEEL_CORE_IPC_IMPL_H

#include <stdint.h>

#include "core/ipc.h"
#include "core/spinlock.h"

struct thread;

struct endpoint {
	struct object obj;
	struct spinlock lock;
	struct thread *receivers, *receivers_tail; /* blocked in recv */
	struct thread *callers, *callers_tail;     /* blocked in call, no receiver yet */
	uint32_t readers, writers; /* open handles with KEEL_RIGHT_READ, KEEL_RIGHT_WRITE */
};

/*
 * The end of a receive, in the receiver's context: a slow-path message
 * delivered to `me` is put in its table and buffer. `result`, or an error.
 */
int64_t ipc_finish_in(struct thread *me, int64_t result);

#endif
