/*
 * kernel/arch/x86_64/trap.h: the frame every exception stub (traps.S) builds
 * before calling trap_dispatch(), and what the handler records for tests.
 */
#ifndef KEEL_ARCH_X86_64_TRAP_H
#define KEEL_ARCH_X86_64_TRAP_H

#include <stdint.h>

/*
 * Lowest address first: the registers traps.S pushes, then the vector and
 * error code (0 where the CPU pushes none), then what the CPU pushed.
 */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

/* Called by traps.S with interrupts off. Returns only for #BP. */
void trap_dispatch(struct trap_frame *f);

/* Breakpoints (int3) seen, and the vector of the last exception returned from. */
extern volatile uint64_t trap_breakpoint_count;
extern volatile uint64_t trap_last_vector;

#endif
