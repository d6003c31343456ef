/*
 * kernel/arch/x86_64/thread_arch.h: the x86-64 half of threads (thread.c):
 * a new thread's first kernel stack, and the switch between two threads.
 */
#ifndef KEEL_ARCH_X86_64_THREAD_ARCH_H
#define KEEL_ARCH_X86_64_THREAD_ARCH_H

#include <stdint.h>

struct thread;

/*
 * Lay out t's kernel stack so that its first switch-in enters user mode at
 * `entry` with rsp = stack_top, rdi = arg, interrupts on, every other
 * register zero.
 */
void arch_thread_prepare_user(struct thread *t, uint64_t entry, uint64_t stack_top, uint64_t arg);

/*
 * Make next the running thread of this CPU (per-CPU data, the TSS's ring-0
 * stack) and switch kernel stacks; returns when prev is switched back to.
 * Interrupts off.
 */
void arch_switch_threads(struct thread *prev, struct thread *next);

/* Enable interrupts and halt until one comes, then disable them again. */
void arch_wait_for_interrupt(void);

/* sched.c: what a thread does first after any switch, also its very first. */
void sched_after_switch(void);

#endif
