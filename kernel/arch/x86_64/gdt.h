/*
 * kernel/arch/x86_64/gdt.h: the kernel's segment selectors, the TSS and its
 * interrupt stack table (IST). Included from assembly (entry.S) too: the C
 * declarations are hidden from it.
 */
#ifndef KEEL_ARCH_X86_64_GDT_H
#define KEEL_ARCH_X86_64_GDT_H

/*
 * The order is SYSCALL's and SYSRET's (syscall.c): SYSCALL loads CS from
 * STAR[47:32] and SS from that + 8; SYSRET to 64-bit code loads SS from
 * STAR[63:48] + 8 and CS from STAR[63:48] + 16, both with RPL 3.
 */
#define GDT_KERNEL_CODE 0x08 /* entry 1: 64-bit code, DPL 0 */
#define GDT_KERNEL_DATA 0x10 /* entry 2: data, DPL 0 */
#define GDT_USER_DATA   0x18 /* entry 3: data, DPL 3 */
#define GDT_USER_CODE   0x20 /* entry 4: 64-bit code, DPL 3 */
#define GDT_TSS         0x28 /* entries 5 and 6: the 64-bit TSS (16 bytes), per-CPU GDTs only */
#define GDT_ENTRIES     7
#define GDT_RPL_USER    3

/*
 * IST slots (1-7; 0 in a gate means "no IST"): the exceptions that may come
 * while the current stack is unusable (a kernel stack overflow into its guard
 * page ends in #DF) or at any instruction (NMI, #MC) get stacks of their own.
 */
#define GDT_IST_DF    1
#define GDT_IST_NMI   2
#define GDT_IST_MC    3
#define GDT_IST_COUNT 3

#ifndef __ASSEMBLER__

#include <stdint.h>

/* The 64-bit TSS (SDM Vol. 3A, §8.7): the ring-0 stack, the IST and the I/O map base. */
struct tss {
	uint32_t reserved0;
	uint64_t rsp[3]; /* stacks for a switch to rings 0-2 */
	uint64_t reserved1;
	uint64_t ist[7]; /* IST slots 1-7 */
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base; /* past the limit: no I/O permission bitmap */
} __attribute__((packed));

#define GDT_TSS_LIMIT_MAX 0xfffff /* the descriptor's 20-bit limit, in bytes (G = 0) */

/*
 * One CPU's GDT and TSS. Each CPU needs its own: ltr marks the TSS
 * descriptor busy, and a second CPU cannot load a busy one.
 */
struct gdt_cpu {
	uint64_t table[GDT_ENTRIES];
	struct tss tss;
	/*
	 * The TSS the task register holds: &tss, or once a process with I/O
	 * ports ran here, a larger one that ends in an I/O permission bitmap
	 * (iopb.c). Written by this CPU only, with interrupts off.
	 */
	struct tss *tss_active;
};

/*
 * Fill *g (the boot GDT's code and data descriptors, and a TSS whose IST
 * slots 1..GDT_IST_COUNT hold the given 16-byte aligned stack tops), load it
 * on this CPU, reload CS, SS, DS and ES from it and load the task register.
 * FS and GS are left alone: loading a selector into GS would zero the GS base
 * that points at the per-CPU data. Once per CPU; *g must stay in place.
 */
void gdt_cpu_load(struct gdt_cpu *g, const uint64_t ist_top[GDT_IST_COUNT]);

/*
 * Make `tss` (limit: its last byte's offset, at most GDT_TSS_LIMIT_MAX) this
 * CPU's TSS, in place of the one gdt_cpu_load gave it: its stacks are copied
 * from the current one, its descriptor rewritten and the task register
 * reloaded. *tss must stay in place. This CPU only, interrupts off.
 */
void gdt_cpu_use_tss(struct gdt_cpu *g, struct tss *tss, uint32_t limit);

/* The stack the CPU switches to on an interrupt or exception from ring 3. */
static inline void gdt_set_kernel_stack(struct gdt_cpu *g, uint64_t top)
{
	g->tss_active->rsp[0] = top;
}

/* Make the gate of `vector` switch to IST slot `ist` (idt.c). */
void idt_set_ist(uint32_t vector, uint8_t ist);

#endif

#endif
