/*
 * kernel/core/ipc.h: kernel objects reached through handles (DESIGN.md §6)
 * and the IPC between them: endpoints (call, recv, reply_recv) and
 * notifications (signal, wait).
 *
 * Every object starts with struct object; handles and blocked threads hold
 * references, and the last one frees it.
 *
 * IPC register convention (include/keel/syscall.h): the message words travel
 * in rsi, rdx, r10 and r8 both ways; call returns 0 with the reply's words in
 * those registers, recv and reply_recv return the caller's badge (its process
 * id) with the request's words in them.
 */
#ifndef KEEL_CORE_IPC_H
#define KEEL_CORE_IPC_H

#include <stdint.h>

#include "core/handle.h"
#include "core/ktest.h"

struct process;

struct object {
	uint32_t type; /* KEEL_OBJ_* */
	uint32_t refs;
};

/* Set up p's handle table (process_create) and drop every handle (the process ends). */
int ipc_process_init(struct process *p);
void ipc_process_fini(struct process *p);

/* Create an object of `type` (KEEL_OBJ_*) with one reference for the caller, or NULL. */
struct object *ipc_object_create(uint32_t type);

/* Put a handle to obj (taking a reference) with `rights` into p's table: the handle or an error. */
int64_t ipc_handle_add(struct process *p, struct object *obj, uint32_t rights);

/*
 * Set `bits` on a notification and wake its first waiter: signal without the
 * handle checks, for the kernel's own senders (interrupts, core/devobj.c);
 * callable in interrupt context.
 */
void ipc_notification_signal(struct object *notification, uint64_t bits);

/*
 * The object behind handle h of the current process (of `type`, with
 * `rights`; handle.h's error order), with a reference for the caller in *out.
 */
int ipc_handle_get(uint64_t h, uint32_t type, uint32_t rights, struct object **out);

/* Take a reference (the caller already holds one, or a lock pins a handle to obj). */
void ipc_object_ref(struct object *obj);

/* Drop a reference. */
void ipc_object_unref(struct object *obj);

/* Set bits (0-62) on a notification and wake its waiter, if any. No lock held. */
void ipc_notification_signal(struct object *obj, uint64_t bits);

struct thread;

/* Free a dead thread's undelivered slow-path messages (and the handles in them). */
void ipc_thread_fini(struct thread *t);

/*
 * t (the current thread, interrupts off) ends: a caller it owes a reply
 * wakes with -KEEL_ECLOSED.
 */
void ipc_thread_exit(struct thread *t);

/*
 * t's process is being killed (process_kill_current): if t is blocked on a
 * queue of ipc.c's slow path, take it off and queue it on this CPU's
 * pending wake-ups with -KEEL_ECLOSED (ipc_wake_pending, once the locks are
 * dropped). t->proc->lock held (its thread list), interrupts off.
 */
void ipc_thread_cancel(struct thread *t);

/*
 * Wake the threads an endpoint's last reading or writing handle left to
 * wake (with -KEEL_ECLOSED) on this CPU. Call it with no lock held after
 * closing or dropping handles (the handle table's unref runs under the
 * process's lock, where sched_wake's cross-call must not happen).
 */
void ipc_wake_pending(void);

/*
 * The tick (interrupt context, every CPU): end the timed waits of this CPU
 * whose deadline passed, with -KEEL_ETIMEDOUT. One tick of granularity.
 */
void ipc_tick(void);

/*
 * A user fault of the current thread, as a call on the supervisor endpoint
 * ep (words as include/keel/syscall.h says; badge: the process id), blocked
 * until the reply. The call's result (0, or -KEEL_ECLOSED when nobody can
 * receive or the supervisor ended first), with the reply's words in reply[];
 * the thread's user registers are left as they were. Interrupts off.
 */
int64_t ipc_fault_call(struct object *ep, const uint64_t words[4], uint64_t reply[4]);

/* Endpoints and notifications allocated and not yet freed (for leak checks). */
uint64_t ipc_objects_live(void);

/* The system calls (core/syscall.h's handler signature; syscall.c's table). */
#define IPC_SYSCALL(name)                                                                          \
	int64_t name(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
IPC_SYSCALL(ipc_sys_object_create);
IPC_SYSCALL(ipc_sys_handle_dup);
IPC_SYSCALL(ipc_sys_handle_close);
IPC_SYSCALL(ipc_sys_call);
IPC_SYSCALL(ipc_sys_recv);
IPC_SYSCALL(ipc_sys_reply_recv);
IPC_SYSCALL(ipc_sys_signal);
IPC_SYSCALL(ipc_sys_wait);
IPC_SYSCALL(ipc_fast_call);       /* ipc_fast.c: call with a message: the slow path, counted */
IPC_SYSCALL(ipc_fast_reply_recv); /* ... reply_recv with a message */
/* The table's entries for call and reply_recv (syscall_entry.S): r9 decides the path. */
IPC_SYSCALL(syscall_ipc_call);
IPC_SYSCALL(syscall_ipc_reply_recv);
#undef IPC_SYSCALL

/*
 * The fast path proper (ipc_fast.c), from syscall_ipc_call and
 * syscall_ipc_reply_recv with interrupts off for a call or reply_recv with
 * r9 (a5) 0; back with interrupts on or off (syscall_entry turns them off).
 */
int64_t ipc_fast_call_entry(uint64_t h, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3);
int64_t ipc_fast_reply_recv_entry(uint64_t h, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3);

/* IPC and notifications, run with user processes (ipc_tests.c). */
extern const struct ktest_suite ipc_test_suite;

/* Wait timeouts, peer death and faults sent to a supervisor (peer_tests.c). */
extern const struct ktest_suite peer_test_suite;

/* Hostile system-call arguments and notification races (fuzz_tests.c). */
extern const struct ktest_suite fuzz_test_suite;

/* Milliseconds until CPU cpu's next wait timeout (negative: past; -1 also: none). Racy: reports. */
int64_t ipc_next_timeout_ms(uint32_t cpu);

#endif
