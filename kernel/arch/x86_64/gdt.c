/*
 * kernel/arch/x86_64/gdt.c: the kernel's global descriptor table, loaded by
 * kernel_entry (entry.S) before anything touches a segment register: the
 * firmware's GDT is no longer mapped when the stub jumps to the kernel.
 *
 * In long mode base and limit are ignored for code and data; what matters is
 * L=1 for code, the type, DPL and the present bit (SDM Vol. 3A, §3.4.5). The
 * accessed bit is preset in each type: otherwise the CPU writes it on the
 * first load. The table lives in .data because the TSS descriptor is
 * written, and marked busy by ltr, at run time.
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
    0,                     /* GDT_TSS, low half: written by gdt_load_tss */
    0,                     /* GDT_TSS, high half: base bits 63..32 */
};

/* Used by lgdt in entry.S. */
const struct gdt_pointer gdt_pointer = {sizeof(gdt) - 1, gdt};

/* The 64-bit TSS (SDM Vol. 3A, §8.7): only the IST is used (no ring 3 yet). */
struct tss {
	uint32_t reserved0;
	uint64_t rsp[3]; /* stacks for a switch to rings 0-2 */
	uint64_t reserved1;
	uint64_t ist[7]; /* IST slots 1-7 */
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base; /* past the limit: no I/O permission bitmap */
} __attribute__((packed));

_Static_assert(sizeof(struct tss) == 104, "the 64-bit TSS is 104 bytes");

static struct tss tss;

#define TSS_TYPE_AVAILABLE 0x9ull /* 64-bit TSS, not busy */
#define GDT_PRESENT        (1ull << 47)

void gdt_load_tss(const uint64_t ist_top[GDT_IST_COUNT])
{
	uint64_t base = (uint64_t)(uintptr_t)&tss;
	uint64_t limit = sizeof(tss) - 1;

	for (int i = 0; i < GDT_IST_COUNT; i++)
		tss.ist[i] = ist_top[i]; /* slot i + 1 */
	tss.iomap_base = sizeof(tss);
	/* A system descriptor of 16 bytes (SDM Vol. 3A, §8.2.3). */
	gdt[GDT_TSS / 8] = (limit & 0xffff) | (base & 0xffffff) << 16 | TSS_TYPE_AVAILABLE << 40 |
			   GDT_PRESENT | ((limit >> 16) & 0xf) << 48 | ((base >> 24) & 0xff) << 56;
	gdt[GDT_TSS / 8 + 1] = base >> 32;
	__asm__ volatile("ltr %w0" : : "r"(GDT_TSS) : "memory");
}
