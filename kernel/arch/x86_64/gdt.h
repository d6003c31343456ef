/*
 * kernel/arch/x86_64/gdt.h: the kernel's segment selectors. Included from
 * assembly (entry.S) too: constants only.
 */
#ifndef KEEL_ARCH_X86_64_GDT_H
#define KEEL_ARCH_X86_64_GDT_H

#define GDT_KERNEL_CODE 0x08 /* entry 1: 64-bit code, DPL 0 */
#define GDT_KERNEL_DATA 0x10 /* entry 2: data, DPL 0 */

#endif
