/*
 * kernel/core/thread.h: processes and threads, and the scheduler that runs
 * them (sched.c).
 *
 * A process owns an address space and its threads; a thread has its own
 * guarded kernel stack, on which its user context (struct trap_frame) sits
 * whenever it is in the kernel. Threads are created on the CPU that asks,
 * run there (fixed priorities, round robin within one, preempted by the
 * tick on their way back to user mode) and are freed by the next thread to
 * run on that CPU once they are dead and switched away from.
 */
#ifndef KEEL_CORE_THREAD_H
#define KEEL_CORE_THREAD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdnoreturn.h>

#include "arch/x86_64/thread_arch.h"
#include "core/handle.h"
#include "core/ipc.h"
#include "core/ktest.h"
#include "core/spinlock.h"
#include "core/timeout.h"
#include "core/vmo.h"
#include "mm/aspace.h"
#include "mm/vm.h"

#define PROC_NAME_MAX         16
#define SCHED_PRIORITIES      4 /* 0 highest */
#define SCHED_PRIORITY_DRIVER 1
#define SCHED_PRIORITY_APP    2
#define SCHED_SLICE_TICKS     2

enum thread_state {
	THREAD_RUNNABLE, /* on its CPU's run queue */
	THREAD_RUNNING,
	THREAD_BLOCKED,
	THREAD_DEAD, /* switched away from for good; its CPU frees it */
};

struct iopb;

/*
 * A process is an object (core/proc.c): handles and thread objects hold
 * references on obj, and so does its life, from process_create until its
 * resources (threads, address space, handles, mappings) are gone; the last
 * reference frees the struct, so KEEL_INFO_PROCESS still answers after the
 * end. lock also guards threads, started and ended.
 */
struct process {
	struct object obj; /* KEEL_OBJ_PROCESS; first member */
	uint32_t id;
	char name[PROC_NAME_MAX];
	struct spinlock lock;        /* guards handles */
	struct handle_table handles; /* core/ipc.c */
	struct aspace as;
	/* VMO mappings and protection keys (core/vmo.c). */
	struct vmo_space vmo;
	uint32_t threads;         /* not yet dead */
	bool started;             /* a thread was created (under lock) */
	bool ended;               /* its last thread died: no thread may start (under lock) */
	bool torn_down;           /* resources gone (process_free) */
	uint32_t unfreed_threads; /* atomic: created and not yet freed by their CPU */
	int64_t exit_status;      /* when threads == 0 */
	bool killed;              /* by a fault: exit_status is the vector */
	uint32_t priority;        /* of its threads (SCHED_PRIORITY_*) */
	/* Set by proc_create, fixed after: references held until the process is freed. */
	struct object *supervisor; /* endpoint its faults are sent to (NULL: killed at once) */
	struct object *exit_notif; /* notification told when it ends (NULL: none) */
	uint64_t exit_bits;        /* the bit(s) set on exit_notif */
	struct iopb *iopb;         /* I/O ports it enabled (arch/x86_64/iopb.h); NULL: none */
	/* Its threads not yet dead, through proc_next (under lock; killed is set under it). */
	struct thread *thread_list;
};

struct ipc_message;

struct thread {
	uint64_t ksp; /* saved kernel rsp while switched out */
	struct vm_stack kstack;
	struct process *proc; /* NULL for a CPU's idle thread */
	enum thread_state state;
	uint32_t id, priority, slice;
	uint32_t cpu; /* where it runs, set at thread_create_user_on: threads never migrate */
	struct thread *next;     /* run queue or wait queue link */
	struct thread_arch arch; /* user registers beyond the general ones */
	bool on_cpu;             /* still running somewhere (until its switch-out completes) */
	/* IPC (ipc.c): the message in flight and who waits for the reply. */
	uint64_t ipc_words[4];
	int64_t ipc_result;          /* what the blocked system call returns when resumed */
	struct thread *ipc_reply_to; /* the caller this thread owes a reply */
	struct ipc_message *ipc_out; /* the slow-path message it sends (NULL: words only) */
	struct ipc_message *ipc_in;  /* one delivered to it, not yet copied out */
	uint64_t ipc_buf;            /* its struct keel_msg in user memory (0: none) */
	/*
	 * A wait with a timeout (ipc.c): the deadline, on the list of the CPU it
	 * blocked on, and the notification it waits on (it holds a reference).
	 */
	struct timeout wait_timeout;
	void *wait_notif;
	/*
	 * Process-wide kill (ipc_thread_cancel): the object on whose queue this
	 * thread blocked in ipc.c's slow path (NULL: none; it holds a reference
	 * until it runs again), and the killers reading that pointer (wait_pin),
	 * whom it waits for before it clears it and drops that reference.
	 */
	struct object *wait_obj;
	uint32_t wait_pin;
	struct thread *proc_next; /* its process's thread_list */
	/* Every user thread not yet freed (sched.c's sched_threads, under its lock). */
	struct thread *all_prev, *all_next;
};

/*
 * A process named `name` with an empty address space, or NULL (out of
 * memory). It has no thread yet.
 */
struct process *process_create(const char *name);

/*
 * Drop the creator's hold on a process none of whose threads ever started
 * (a failed start): its resources go, and the struct with its last reference.
 */
void process_destroy_unstarted(struct process *p);

/*
 * Free a process's resources (handles, mappings, address space) once, and
 * drop the reference its life held: its last thread is freed, or it never
 * started and nothing else names it (proc.c). Signals its exit notification
 * when it had run.
 */
void process_free(struct process *p);

/*
 * A thread of p that starts in user mode at `entry` with rsp = stack_top and
 * rdi = arg, queued on this CPU at `priority`. NULL when out of memory.
 */
struct thread *thread_create_user(struct process *p, uint64_t entry, uint64_t stack_top,
				  uint64_t arg, uint32_t priority);

/*
 * As thread_create_user, queued on CPU `cpu` (online), which is woken to run
 * it. NULL also when p has ended (p->ended: its last thread died).
 */
struct thread *thread_create_user_on(struct process *p, uint64_t entry, uint64_t stack_top,
				     uint64_t arg, uint32_t priority, uint32_t cpu);

/* The thread running on this CPU. */
struct thread *thread_current(void);

/* End the current thread (and its process with `status` when it is the last). Never returns. */
noreturn void thread_exit(int64_t status);

/*
 * End the current thread's whole process because of a fault (vector): it is
 * marked killed with the vector as its status (once: a second fault, in
 * another of its threads, changes nothing), and every thread of it ends:
 * this one at once; one running on another CPU at its next return to user
 * mode (that CPU is kicked into the kernel); a runnable one when it is next
 * picked, on its way back to user mode; one blocked in ipc.c's slow path
 * (call or recv queued on an endpoint, a notification wait with or without
 * timeout, a fault call queued on its supervisor's endpoint) taken off that
 * queue and woken with -KEEL_ECLOSED, to end on its way out. One waiting
 * for a reply from a server that took its call ends when the reply (or the
 * server's end, -KEEL_ECLOSED) comes. The process is taken apart when its
 * last thread is freed (process_free), as for an exit. The
 * trap path first offers a fault to the process's supervisor, if it has one
 * (trap.c, ipc_fault_call): only a reply other than KEEL_FAULT_RESUME, or a
 * supervisor gone, comes here.
 */
noreturn void process_kill_current(uint64_t vector);

/*
 * Kill p from outside (KEEL_SYS_SIGNAL on a process handle with
 * KEEL_RIGHT_MANAGE) exactly as process_kill_current does, with `status` as
 * its exit status: every thread ends (blocked ones are taken off their
 * queues, running ones are kicked into the kernel and end on their way out).
 * A process that never started ends at once (no thread may start in it). 0
 * (also for one already being killed), or -KEEL_ECLOSED when p has ended. p
 * is not the caller's process (that one is process_kill_current). No lock
 * held.
 */
int process_kill(struct process *p, int64_t status);

/*
 * Switch away from the current thread, which its caller has marked
 * THREAD_BLOCKED (under the lock of the queue where its waker finds it), until
 * sched_wake or a direct hand-over runs it again. Interrupts off.
 */
void sched_block(void);

/*
 * Block the current thread and run `next` (blocked, on no run queue): the
 * IPC direct switch. Threads never migrate (placement is at
 * thread_create_user_on): next runs here at once only if it is this CPU's;
 * one of another CPU is woken there (sched_wake, with its cross-call) once
 * the current thread is off this CPU, and this CPU runs its own queue.
 * Interrupts off.
 */
void sched_block_and_run(struct thread *next);

/* Make a blocked thread runnable again on its CPU (which is woken if it is another). */
void sched_wake(struct thread *t);

/* Run something else if something of equal or higher priority is runnable. */
void sched_yield(void);

/* Make this CPU's boot context its idle thread (once per CPU, interrupts off). */
void sched_init_this_cpu(void);

/* The tick (interrupt context): charge the running thread's slice. */
void sched_tick(void);

/*
 * On the way back to user mode: switch if the tick or a wake-up asked to,
 * and end the thread if its process was killed (process_kill_current).
 */
void sched_return_to_user(void);

/*
 * Run threads until every process has ended and been freed (on any CPU); on
 * the boot CPU. With a watchdog set (sched_set_watchdog), a wait that lasts
 * longer prints every thread (sched_dump_threads), kills every process, and
 * counts a hang (sched_hangs); if even that does not end them, it leaves
 * QEMU with a failure (the test run cannot go on).
 */
void sched_run_until_idle(void);

/* The watchdog of sched_run_until_idle, in seconds (0: none; test mode sets it). */
void sched_set_watchdog(uint32_t seconds);

/* How many times the watchdog has fired since boot. */
uint32_t sched_hangs(void);

/* Print every user thread: process, state, CPU, what it waits on, user rip (a hang's report). */
void sched_dump_threads(void);

/* An AP's life after start-up: run what its queue holds, halt when it is empty. */
noreturn void sched_idle_loop(void);

/* How many processes have ended, and the last two ones' status (for tests). */
struct sched_stats {
	uint64_t processes_ended;
	int64_t last_status;
	bool last_killed;
	int64_t prev_status; /* the one that ended before the last */
	bool prev_killed;
	uint64_t context_switches;
};
void sched_read_stats(struct sched_stats *out);

/* User mode: processes, system calls, faults, switches (user_tests.c). */
extern const struct ktest_suite user_test_suite;

/* Per-thread FPU/SSE/AVX registers, PKRU and FS/GS bases (fpu_tests.c). */
extern const struct ktest_suite fpu_test_suite;

#endif
