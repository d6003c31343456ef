/*
 * kernel/arch/x86_64/cpu.h: single instructions C cannot express (control
 * registers, the time-stamp counter).
 */
#ifndef KEEL_ARCH_X86_64_CPU_H
#define KEEL_ARCH_X86_64_CPU_H

#include <stdint.h>

static inline uint64_t cpu_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

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

#endif
