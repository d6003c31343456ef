/*
 * kernel/arch/x86_64/fpu.h: the x87, SSE and AVX registers of user threads.
 *
 * The kernel is built -mgeneral-regs-only, so only user threads own this
 * state. Each has one save area (64-byte aligned, from a slab cache sized at
 * boot): the XSAVE standard format for the XCR0 the kernel enabled, or the
 * 512-byte FXSAVE format without XSAVE. Switching is eager (thread_arch.c):
 * the old thread's registers are saved and the new one's loaded on every
 * switch between user threads, so no #NM trap and no CR0.TS games.
 */
#ifndef KEEL_ARCH_X86_64_FPU_H
#define KEEL_ARCH_X86_64_FPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FPU_AREA_ALIGN    64     /* XSAVE and XRSTOR #GP on anything less */
#define FPU_FXSAVE_SIZE   512    /* the legacy region; all of an FXSAVE area */
#define FPU_XSAVE_MIN     576    /* legacy region plus the 64-byte XSAVE header */
#define FPU_AREA_MAX      4096   /* more than XCR0 x87|SSE|AVX can ask; refused beyond */
#define FPU_FCW_DEFAULT   0x37f  /* FNINIT: every x87 exception masked, 64-bit precision */
#define FPU_MXCSR_DEFAULT 0x1f80 /* every SSE exception masked, round to nearest */

/* Decided once by fpu_init on the boot CPU, read-only afterwards. */
struct fpu_info {
	bool xsave;                /* XSAVE on: XSAVE/XRSTOR with mask xcr0, else FXSAVE */
	bool xsaveopt;             /* XSAVEOPT instead of XSAVE (skips unmodified components) */
	uint64_t xcr0;             /* the components saved */
	uint32_t size;             /* bytes of one area; 0 when user threads cannot have one */
	bool clear_error_pointers; /* AMD without XSAVEERPTR: FIP/FDP/FOP survive a restore */
	uint32_t xcr0_lo, xcr0_hi; /* xcr0 as EDX:EAX take it (the IPC fast path, ipc_switch.h) */
};

extern struct fpu_info fpu_info;

/*
 * Size the areas for what cpufeatures enabled (CPUID 0xD after XSETBV) and
 * print the `fpu:` line. Once, on the boot CPU, after the features are on.
 */
void fpu_init(void);

/* "xsaveopt", "xsave" or "fxsave": how areas are saved. */
const char *fpu_info_method(void);

/* A new area holding the default state (as after FNINIT, MXCSR 0x1f80), or NULL. */
void *fpu_area_alloc(void);

/* Give an area back (NULL is ignored). */
void fpu_area_free(void *area);

/*
 * Store this CPU's registers into area / load them from it. Interrupts off.
 * Inline: they run on every switch between user threads (thread_arch.c).
 * The REX.W forms: 64-bit x87 instruction and operand pointers.
 */
static inline void fpu_save(void *area)
{
	uint32_t lo = (uint32_t)fpu_info.xcr0, hi = (uint32_t)(fpu_info.xcr0 >> 32);

	if (!fpu_info.xsave)
		__asm__ volatile("fxsave64 (%0)" : : "r"(area) : "memory");
	else if (fpu_info.xsaveopt)
		__asm__ volatile("xsaveopt64 (%0)" : : "r"(area), "a"(lo), "d"(hi) : "memory");
	else
		__asm__ volatile("xsave64 (%0)" : : "r"(area), "a"(lo), "d"(hi) : "memory");
}

static inline void fpu_restore(const void *area)
{
	static const uint32_t zero;
	uint32_t lo = (uint32_t)fpu_info.xcr0, hi = (uint32_t)(fpu_info.xcr0 >> 32);

	if (fpu_info.clear_error_pointers)
		__asm__ volatile("fnclex; emms; fildl %0" : : "m"(zero) : "memory");

	if (!fpu_info.xsave)
		__asm__ volatile("fxrstor64 (%0)" : : "r"(area) : "memory");
	else
		__asm__ volatile("xrstor64 (%0)" : : "r"(area), "a"(lo), "d"(hi) : "memory");
}

#endif
