/*
 * kernel/core/sched_watch.h: the list of every user thread, for a hang's
 * report (sched_dump_threads) and for sched_run_until_idle's watchdog
 * (thread.h). sched.c adds a thread when it is created and takes it off
 * when its CPU frees it.
 */
#ifndef KEEL_CORE_SCHED_WATCH_H
#define KEEL_CORE_SCHED_WATCH_H

#include <stdbool.h>
#include <stdint.h>

struct thread;

void sched_watch_add(struct thread *t);
void sched_watch_remove(struct thread *t);

/* sched_run_until_idle starts a wait: the watchdog has not fired for it. */
void sched_watch_reset(void);

/*
 * Called by sched_run_until_idle's loop (interrupts off) with the TSC at
 * the wait's start. When the watchdog's time has passed: the report and a
 * kill of every process, once; if they have not ended some seconds later,
 * another report and a failed exit from QEMU. true only when even that did
 * not end the run (no isa-debug-exit device): the caller stops waiting.
 */
bool sched_watch_expired(uint64_t since_tsc);

#endif
