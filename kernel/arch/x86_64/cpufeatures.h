/*
 * kernel/arch/x86_64/cpufeatures.h: the CPU features in use, detected once
 * with CPUID and enabled by arch_cpu_features_init (core/arch.h) on the boot
 * CPU. Other x86-64 code asks cpufeatures_on() before it uses one.
 */
#ifndef KEEL_ARCH_X86_64_CPUFEATURES_H
#define KEEL_ARCH_X86_64_CPUFEATURES_H

#include <stdbool.h>
#include <stdint.h>

#include "cpufeatures_table.h"

/* Written once by arch_cpu_features_init, read-only afterwards. */
struct cpufeatures {
	bool present[CPUFEATURE_COUNT];                /* what CPUID offered, usable here */
	enum cpufeature_state state[CPUFEATURE_COUNT]; /* after the command line */
	uint64_t xcr0;                                 /* written when XSAVE is on, else 0 */
	uint64_t cr4;                                  /* the boot CPU's, copied to every AP */
};

extern struct cpufeatures cpufeatures;

/* Whether a feature is ON (present and not switched off). */
static inline bool cpufeatures_on(enum cpufeature f)
{
	return (unsigned)f < CPUFEATURE_COUNT && cpufeatures.state[f] == CPUFEATURE_ON;
}

/*
 * Ask CPUID (and CR3, and the XSAVE leaf) which features this CPU can use.
 * The XCR0 value XSAVE would get goes to *xcr0. Reads only; enables nothing.
 */
void cpufeatures_detect(bool present[CPUFEATURE_COUNT], uint64_t *xcr0);

/* The CR4 bit that turns a feature on, 0 for one that has none. */
uint64_t cpufeatures_cr4_bit(enum cpufeature f);

/* Enable on this AP what arch_cpu_features_init enabled on the boot CPU. */
void cpufeatures_init_this_cpu(void);

#endif
