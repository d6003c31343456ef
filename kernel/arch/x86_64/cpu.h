/*
 * kernel/arch/x86_64/cpu.h: control-register bits, model-specific registers,
 * and the single instructions C cannot express. The constants are plain
 * numbers so that assembly (entry.S) can include this header too.
 */
#ifndef KEEL_ARCH_X86_64_CPU_H
#define KEEL_ARCH_X86_64_CPU_H

#define CPU_CR0_WP 0x10000 /* bit 16: ring 0 honours read-only pages (SDM Vol. 3A, §2.5) */
#define CPU_CR0_MP 0x2     /* bit 1: WAIT/FWAIT honour TS */
#define CPU_CR0_EM 0x4     /* bit 2: x87 emulation (every x87/SSE instruction faults) */
#define CPU_CR0_TS 0x8     /* bit 3: task switched (the next x87/SSE instruction is a #NM) */
#define CPU_CR0_NE 0x20    /* bit 5: x87 errors as #MF, not through the legacy IRQ 13 */

/* CR4 (SDM Vol. 3A, §2.5). */
#define CPU_CR4_PGE        0x80     /* bit 7: global pages */
#define CPU_CR4_OSFXSR     0x200    /* bit 9: FXSAVE/FXRSTOR and SSE instructions allowed */
#define CPU_CR4_OSXMMEXCPT 0x400    /* bit 10: unmasked SSE exceptions raise #XM */
#define CPU_CR4_UMIP       0x800    /* bit 11: SGDT, SIDT, SLDT, SMSW, STR fault in ring 3 */
#define CPU_CR4_LA57       0x1000   /* bit 12: 5-level paging */
#define CPU_CR4_FSGSBASE   0x10000  /* bit 16: RDFSBASE and friends allowed */
#define CPU_CR4_PCIDE      0x20000  /* bit 17: process-context identifiers */
#define CPU_CR4_OSXSAVE    0x40000  /* bit 18: XSAVE and XSETBV allowed */
#define CPU_CR4_SMEP       0x100000 /* bit 20: ring 0 never executes user pages */
#define CPU_CR4_SMAP       0x200000 /* bit 21: ring 0 touches user pages only with EFLAGS.AC */
#define CPU_CR4_PKE        0x400000 /* bit 22: protection keys for user pages */

/* CR3 with CR4.PCIDE = 1 (SDM Vol. 3A, §4.10.4.1). */
#define CPU_CR3_PCID_MASK 0xfff
#define CPU_CR3_NOFLUSH   0x8000000000000000 /* bit 63: keep the PCID's TLB entries */
#define CPU_CR3_ADDR_MASK 0x000ffffffffff000

#define CPU_MSR_EFER           0xc0000080 /* extended feature enable register */
#define CPU_EFER_NXE           0x800 /* bit 11: the XD (NX) bit of paging entries is honoured */
#define CPU_MSR_FS_BASE        0xc0000100 /* FS base */
#define CPU_MSR_KERNEL_GS_BASE 0xc0000102 /* the GS base SWAPGS swaps in: the user's, in ring 0 */

/* XCR0 state components (SDM Vol. 1, §13.3). */
#define CPU_XCR0_X87 0x1
#define CPU_XCR0_SSE 0x2
#define CPU_XCR0_AVX 0x4

/* INVPCID types (SDM Vol. 2A, INVPCID). */
#define CPU_INVPCID_ADDRESS     0 /* one address in one PCID */
#define CPU_INVPCID_SINGLE      1 /* every non-global entry of one PCID */
#define CPU_INVPCID_ALL_GLOBAL  2 /* everything, global entries too */
#define CPU_INVPCID_ALL_NONGLOB 3 /* everything but global entries */

#define CPU_RFLAGS_IF 0x200 /* bit 9: interrupts enabled */

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

/* The memory clobber: a control-register write changes what memory means. */
#define CPU_WRITE_CR(n)                                                                            \
	static inline void cpu_write_cr##n(uint64_t v)                                             \
	{                                                                                          \
		__asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory");                         \
	}
CPU_WRITE_CR(0)
CPU_WRITE_CR(3)
CPU_WRITE_CR(4)
#undef CPU_WRITE_CR

struct cpu_cpuid {
	uint32_t eax, ebx, ecx, edx;
};

static inline struct cpu_cpuid cpu_cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct cpu_cpuid r;

	__asm__ volatile("cpuid"
			 : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			 : "a"(leaf), "c"(subleaf));
	return r;
}

static inline uint64_t cpu_rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static inline void cpu_wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr"
			 :
			 : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
			 : "memory");
}

/* #UD unless CR4.OSXSAVE is set. */
static inline uint64_t cpu_xgetbv(uint32_t xcr)
{
	uint32_t lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(xcr));
	return (uint64_t)hi << 32 | lo;
}

static inline void cpu_xsetbv(uint32_t xcr, uint64_t v)
{
	__asm__ volatile("xsetbv" : : "c"(xcr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

/* #UD unless CR4.FSGSBASE is set. */
static inline uint64_t cpu_rdfsbase(void)
{
	uint64_t v;

	__asm__ volatile("rdfsbase %0" : "=r"(v));
	return v;
}

/* #GP for a non-canonical address. */
static inline void cpu_wrfsbase(uint64_t v)
{
	__asm__ volatile("wrfsbase %0" : : "r"(v) : "memory");
}

static inline void cpu_invlpg(const volatile void *va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

/* #UD without CPUID.7.0:EBX.INVPCID; #GP for a bad type or descriptor. */
static inline void cpu_invpcid(uint64_t type, uint64_t pcid, uint64_t va)
{
	struct {
		uint64_t pcid, va;
	} desc = {pcid, va};

	__asm__ volatile("invpcid %0, %1" : : "m"(desc), "r"(type) : "memory");
}

/* Interrupts off; returns RFLAGS to give to cpu_irq_restore. */
static inline uint64_t cpu_irq_save(void)
{
	uint64_t flags;

	__asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
	return flags;
}

static inline void cpu_irq_restore(uint64_t flags)
{
	if (flags & CPU_RFLAGS_IF)
		__asm__ volatile("sti" : : : "memory");
}

#endif /* __ASSEMBLER__ */

#endif
