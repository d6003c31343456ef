/*
 * kernel/arch/x86_64/backtrace.h: kernel backtraces by the frame-pointer
 * chain, for the crash dump (trap.c) and tests.
 *
 * The kernel is built with frame pointers (kernel.mk): in every function
 * past its prologue, rbp points at {the caller's rbp, the return address}.
 * kernel_entry and vm_run_on_kernel_stack start their stacks with rbp = 0,
 * which ends the chain; trap_common (traps.S) links a frame for the trapped
 * rip, so a walk from inside an exception or interrupt handler goes on
 * through the interrupted code.
 *
 * Nothing the chain says is trusted: each frame pointer is checked before it
 * is read (backtrace.c), so a corrupt one ends the walk with a note, never
 * with a fault inside the crash dump.
 */
#ifndef KEEL_ARCH_X86_64_BACKTRACE_H
#define KEEL_ARCH_X86_64_BACKTRACE_H

#include <stddef.h>
#include <stdint.h>

#define BACKTRACE_MAX 32 /* frames shown */

struct backtrace {
	uint64_t pc[BACKTRACE_MAX]; /* pc[0] the rip walked from, then return addresses */
	size_t count;
	const char *stop;    /* NULL when the chain ended (rbp 0), else why the walk stopped */
	uint64_t stop_value; /* the frame pointer or return address that stopped it */
};

/* Walk the chain from (rip, rbp) of the same frame, e.g. a trap frame's. */
void backtrace_walk(uint64_t rip, uint64_t rbp, struct backtrace *bt);

/* Frame i as one line without newline: "  #i 0xffffffff8000xxxx name+0xoff". */
void backtrace_format(const struct backtrace *bt, size_t i, char *buf, size_t size);

/* Walk from (rip, rbp) and print every line, and why the walk stopped, with kprintf. */
void backtrace_print(uint64_t rip, uint64_t rbp);

#endif
