/*
 * kernel/arch/x86_64/cpu.h: control-register bits, model-specific registers,
 * and the single instructions C cannot express. The constants are plain
 * numbers so that assembly (entry.S) can include this header too.
 */
#ifndef KEEL_ARCH_X86_64_CPU_H
#define KEEL_ARCH_X86_64_CPU_H

#define CPU_CR0_WP   0x10000 /* bit 16: ring 0 honours read-only pages (SDM Vol. 3A, §2.5) */
#define CPU_CR4_LA57 0x1000  /* bit 12: 5-level paging */

#define CPU_MSR_EFER 0xc0000080 /* extended feature enable register */
#define CPU_EFER_NXE 0x800      /* bit 11: the XD (NX) bit of paging entries is honoured */

#ifndef __ASSEMBLER__

#include <stdint.h>

#define CPU_READ_CR(n)                                                                             \
	static inline uint64_t cpu_read_cr##n(void)                                                \
	{                                                                                          \
		uint64_t v;                                                                        \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));                                  \
		return v;                                                                          \
	}
CPU_READ_CR(0)
CPU_READ_CR(2)
CPU_READ_CR(3)
CPU_READ_CR(4)
#undef CPU_READ_CR

static inline uint64_t cpu_rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

#endif /* __ASSEMBLER__ */

#endif
