/*
 * efi/cpu.h: the few x86-64 instructions the stub needs from C (time stamp,
 * CPUID, MSRs, CR4, port I/O, halting). Inline assembly lives here only.
 * The kernel's counterparts are kernel/arch/x86_64/cpu.h and io.h: the stub
 * is compiled for another target (PE/COFF, Microsoft ABI) against the
 * firmware's headers, so it keeps its own copy of these few one-liners.
 */
#ifndef KEEL_EFI_CPU_H
#define KEEL_EFI_CPU_H

#include <stdbool.h>
#include <stdint.h>

#define CPU_MSR_EFER 0xc0000080u
#define CPU_EFER_NXE (1ull << 11)
#define CPU_CR4_LA57 (1ull << 12)

static inline uint64_t cpu_rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline void cpu_cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

static inline uint64_t cpu_rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void cpu_wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline uint64_t cpu_read_cr4(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline void cpu_disable_interrupts(void)
{
	__asm__ volatile("cli" : : : "memory");
}

static inline _Noreturn void cpu_halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

/* What the page-table builder needs to know about the CPU (CPUID). */
struct cpu_features {
	bool nx;            /* 0x80000001 EDX[20]: the NX bit exists */
	bool pages_1g;      /* 0x80000001 EDX[26]: 1 GiB pages */
	unsigned phys_bits; /* 0x80000008 EAX[7:0]: physical address width */
};

static inline void cpu_probe_features(struct cpu_features *f)
{
	uint32_t a, b, c, d, max;

	f->nx = false;
	f->pages_1g = false;
	f->phys_bits = 36; /* the architectural default without leaf 0x80000008 */
	cpu_cpuid(0x80000000u, &max, &b, &c, &d);
	if (max >= 0x80000001u) {
		cpu_cpuid(0x80000001u, &a, &b, &c, &d);
		f->nx = (d >> 20) & 1;
		f->pages_1g = (d >> 26) & 1;
	}
	if (max >= 0x80000008u) {
		cpu_cpuid(0x80000008u, &a, &b, &c, &d);
		if ((a & 0xff) >= 32 && (a & 0xff) <= 52)
			f->phys_bits = a & 0xff;
	}
}

#endif
