/*
 * kernel/arch/x86_64/thread_arch.h: the x86-64 half of threads (thread.c):
 * a new thread's first kernel stack, its user register state beyond the
 * general registers, and the switch between two threads.
 */
#ifndef KEEL_ARCH_X86_64_THREAD_ARCH_H
#define KEEL_ARCH_X86_64_THREAD_ARCH_H

#include <stdint.h>

struct thread;

/* PKRU of a new thread: key 0 allowed, keys 1-15 access- and write-disabled (DESIGN.md §5). */
#define THREAD_PKRU_DEFAULT 0xfffffffcu

/*
 * What a user thread keeps besides the general registers (struct trap_frame
 * on its kernel stack). Saved when it is switched out and loaded when it is
 * switched in, for user threads only: fpu is NULL for a CPU's idle thread,
 * which never enters user mode.
 */
struct thread_arch {
	void *fpu;        /* x87/SSE/AVX save area (fpu.h) */
	uint64_t fs_base; /* user FS base, with FSGSBASE (else always 0) */
	uint64_t gs_base; /* user GS base (IA32_KERNEL_GS_BASE while in the kernel) */
	uint32_t pkru;    /* with PKU */
};

/*
 * Give t (zeroed) its user state in the default configuration: clean
 * FPU registers, PKRU THREAD_PKRU_DEFAULT, FS and GS bases 0. 0, or
 * -KEEL_ENOMEM.
 */
int arch_thread_init_user_state(struct thread *t);

/* Free what arch_thread_init_user_state allocated (a thread that is dead or never ran). */
void arch_thread_free_user_state(struct thread *t);

/*
 * Lay out t's kernel stack so that its first switch-in enters user mode at
 * `entry` with rsp = stack_top, rdi = arg, interrupts on, every other
 * register zero.
 */
void arch_thread_prepare_user(struct thread *t, uint64_t entry, uint64_t stack_top, uint64_t arg);

/*
 * Make next the running thread of this CPU (per-CPU data, the TSS's ring-0
 * stack, its user state of struct thread_arch, prev's saved unless it is
 * dead) and switch kernel stacks; returns when prev is switched back to.
 * Interrupts off.
 */
void arch_switch_threads(struct thread *prev, struct thread *next);

/* Enable interrupts and halt until one comes, then disable them again. */
void arch_wait_for_interrupt(void);

/* sched.c: what a thread does first after any switch, also its very first. */
void sched_after_switch(void);

#endif
