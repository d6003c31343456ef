/*
 * kernel/arch/x86_64/gdt.h: the kernel's segment selectors, the TSS and its
 * interrupt stack table (IST). Included from assembly (entry.S) too: the C
 * declarations are hidden from it.
 */
#ifndef KEEL_ARCH_X86_64_GDT_H
#define KEEL_ARCH_X86_64_GDT_H

#define GDT_KERNEL_CODE 0x08 /* entry 1: 64-bit code, DPL 0 */
#define GDT_KERNEL_DATA 0x10 /* entry 2: data, DPL 0 */
#define GDT_TSS         0x18 /* entries 3 and 4: the 64-bit TSS (16 bytes) */

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

/*
 * Point the TSS's IST slots 1..GDT_IST_COUNT at the given stack tops (16-byte
 * aligned), put the TSS in the GDT and load the task register. Once, on the
 * boot CPU, before idt_set_ist names a slot.
 */
void gdt_load_tss(const uint64_t ist_top[GDT_IST_COUNT]);

/* Make the gate of `vector` switch to IST slot `ist` (idt.c). */
void idt_set_ist(uint32_t vector, uint8_t ist);

#endif

#endif
