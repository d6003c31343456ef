/*
 * kernel/arch/x86_64/gdt.c: the kernel's global descriptor table, loaded by
 * kernel_entry (entry.S) before anything touches a segment register: the
 * firmware's GDT is no longer mapped when the stub jumps to the kernel.
 *
 * In long mode base and limit are ignored for code and data; what matters is
 * L=1 for code, the type, DPL and the present bit (SDM Vol. 3A, §3.4.5). The
 * accessed bit is preset in each type: otherwise the CPU writes it on the
 * first load. The table lives in .data because the TSS descriptor will be
 * added and marked busy at run time.
 */
#include <stdint.h>

#include "gdt.h"

struct gdt_pointer {
	uint16_t limit;
	const void *base;
} __attribute__((packed));

static uint64_t gdt[] = {
    0,                     /* the null descriptor */
    0x00af9b000000ffffull, /* GDT_KERNEL_CODE: P, DPL 0, code exec/read/accessed, L, G */
    0x00cf93000000ffffull, /* GDT_KERNEL_DATA: P, DPL 0, data read/write/accessed, D/B, G */
};

/* Used by lgdt in entry.S. */
const struct gdt_pointer gdt_pointer = {sizeof(gdt) - 1, gdt};
