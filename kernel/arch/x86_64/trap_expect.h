/*
 * kernel/arch/x86_64/trap_expect.h: the recoverable test hook of trap.c. A
 * test arms it for one exception vector and a range of faulting rip, then
 * runs a probe: one asm statement that stores where to resume (rip and rsp)
 * in trap_expect and executes the faulting instruction. When that exception
 * comes, trap_dispatch records its error code, CR2 and rip, disarms the hook
 * and resumes at the probe's label instead of reporting and halting. Any
 * other exception is reported as always.
 *
 * For tests only: one CPU, interrupts off, one probe at a time.
 */
#ifndef KEEL_ARCH_X86_64_TRAP_EXPECT_H
#define KEEL_ARCH_X86_64_TRAP_EXPECT_H

#include <stdbool.h>
#include <stdint.h>

struct trap_expect {
	/* Set by trap_expect_arm. */
	volatile bool armed;
	uint32_t vector;
	uint64_t rip_lo, rip_hi; /* only a fault at rip in [rip_lo, rip_hi) is taken */
	/* Set by the probe itself, just before it faults (TRAP_EXPECT_SET_RESUME). */
	uint64_t resume_rip, resume_rsp;
	/* Set by the handler when it took the fault. */
	volatile bool hit;
	uint64_t error, cr2, rip;
	uint64_t rbp;         /* the trapped rbp: a backtrace can start from (rip, rbp) */
	uint64_t handler_rsp; /* roughly where the handler ran: shows an IST switch */
};

extern struct trap_expect trap_expect;

/* Expect `vector` at rip in [rip_lo, rip_hi); clears the record of the last hit. */
void trap_expect_arm(uint32_t vector, uint64_t rip_lo, uint64_t rip_hi);

/* Disarm (a probe that did not fault leaves the hook armed). */
void trap_expect_disarm(void);

/*
 * The start of a probe's asm: resume at local label 9 with the current rsp.
 * Clobbers rax.
 */
#define TRAP_EXPECT_SET_RESUME                                                                     \
	"leaq 9f(%%rip), %%rax\n\t"                                                                \
	"movq %%rax, trap_expect+%c[resume_rip](%%rip)\n\t"                                        \
	"movq %%rsp, trap_expect+%c[resume_rsp](%%rip)\n\t"

/* The operands TRAP_EXPECT_SET_RESUME needs. */
#define TRAP_EXPECT_OPERANDS                                                                       \
	[resume_rip] "i"(__builtin_offsetof(struct trap_expect, resume_rip)),                      \
	    [resume_rsp] "i"(__builtin_offsetof(struct trap_expect, resume_rsp))

#endif
