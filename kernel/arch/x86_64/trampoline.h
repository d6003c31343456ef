/*
 * kernel/arch/x86_64/trampoline.h: the layout of the SMP trampoline
 * (trampoline.S), shared with smp.c, which copies it below 1 MiB and fills in
 * its parameters. Included from assembly too.
 *
 * The trampoline area (KEEL_TRAMPOLINE_PAGES pages from the stub):
 *   page 0   the code, its GDT and the parameters at TRAMPOLINE_PARAMS
 *   page 1   PML4: entry 0 -> page 2, entries 256-511 copied from the kernel's
 *   page 2   PDPT for the identity map of the trampoline
 *   page 3   page directory
 *   page 4   page table: the trampoline's pages, identity mapped
 * The identity map exists only for the instructions between turning paging
 * on and jumping to the kernel's own address (ap_entry in entry.S).
 */
#ifndef KEEL_ARCH_X86_64_TRAMPOLINE_H
#define KEEL_ARCH_X86_64_TRAMPOLINE_H

#define TRAMPOLINE_PARAMS 0xf00 /* offset of the parameters in page 0 */

/* Parameter offsets (from TRAMPOLINE_PARAMS). */
#define TP_GDTR  0x00 /* 2-byte limit, 4-byte base: the trampoline's GDT */
#define TP_FAR32 0x08 /* 4-byte offset, 2-byte selector: into 32-bit code */
#define TP_FAR64 0x10 /* 4-byte offset, 2-byte selector: into 64-bit code */
#define TP_CR0   0x18 /* 4 bytes: CR0 with PE and PG */
#define TP_CR3   0x1c /* 4 bytes: page 1, the trampoline PML4 */
#define TP_CR4   0x20 /* 4 bytes: CR4 for the switch (PAE) */
#define TP_EFER  0x24 /* 4 bytes: EFER (LME, NXE) */
#define TP_STACK 0x28 /* 8 bytes: the AP's stack top */
#define TP_ARG   0x30 /* 8 bytes: passed to ap_entry in rdi (its struct percpu) */
#define TP_KCR3  0x38 /* 8 bytes: the kernel's CR3, loaded by ap_entry */
#define TP_ENTRY 0x40 /* 8 bytes: ap_entry's address */
#define TP_END   0x48

/* Selectors of the trampoline GDT. */
#define TRAMPOLINE_CODE64 0x08
#define TRAMPOLINE_DATA   0x10
#define TRAMPOLINE_CODE32 0x18

#ifndef __ASSEMBLER__
#include <stdint.h>

struct trampoline_params {
	uint16_t gdt_limit;
	uint32_t gdt_base;
	uint16_t pad0;
	uint32_t far32_offset;
	uint16_t far32_selector;
	uint16_t pad1;
	uint32_t far64_offset;
	uint16_t far64_selector;
	uint16_t pad2;
	uint32_t cr0, cr3, cr4, efer;
	uint64_t stack, arg, kernel_cr3, entry;
} __attribute__((packed));

_Static_assert(sizeof(struct trampoline_params) == TP_END, "trampoline parameters layout");

/* The code to copy (trampoline.S), position-independent within its page. */
extern const char trampoline_start[], trampoline_end[];

/* Offsets of its entry points into 32-bit and 64-bit code, and of its GDT. */
extern const char trampoline_pm32[], trampoline_lm64[], trampoline_gdt[], trampoline_gdt_end[];
#endif

#endif
