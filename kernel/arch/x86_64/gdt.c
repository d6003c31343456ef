/*
 * kernel/arch/x86_64/gdt.c: the boot GDT, loaded by kernel_entry (entry.S)
 * before anything touches a segment register (the firmware's GDT is no
 * longer mapped when the stub jumps to the kernel), and the per-CPU GDTs that
 * replace it once a CPU has its TSS.
 *
 * In long mode base and limit are ignored for code and data; what matters is
 * L=1 for code, the type, DPL and the present bit (SDM Vol. 3A, §3.4.5). The
 * accessed bit is preset in each type: otherwise the CPU writes it on the
 * first load.
 */
#include <stddef.h>
#include <stdint.h>

#include "gdt.h"

struct gdt_pointer {
	uint16_t limit;
	const void *base;
} __attribute__((packed));

static const uint64_t gdt_boot[] = {
    0,                     /* the null descriptor */
    0x00af9b000000ffffull, /* GDT_KERNEL_CODE: P, DPL 0, code exec/read/accessed, L, G */
    0x00cf93000000ffffull, /* GDT_KERNEL_DATA: P, DPL 0, data read/write/accessed, D/B, G */
    0x00cff3000000ffffull, /* GDT_USER_DATA: as kernel data, DPL 3 */
    0x00affb000000ffffull, /* GDT_USER_CODE: as kernel code, DPL 3 */
};

/* Used by lgdt in entry.S. */
const struct gdt_pointer gdt_pointer = {sizeof(gdt_boot) - 1, gdt_boot};

_Static_assert(sizeof(struct tss) == 104, "the 64-bit TSS is 104 bytes");
_Static_assert(GDT_TSS / 8 + 2 == GDT_ENTRIES, "the TSS descriptor ends the GDT");

#define TSS_TYPE_AVAILABLE 0x9ull /* 64-bit TSS, not busy */
#define GDT_PRESENT        (1ull << 47)

/* The TSS descriptor, a system descriptor of 16 bytes (SDM Vol. 3A, §8.2.3), not busy. */
static void gdt_set_tss_descriptor(struct gdt_cpu *g, const struct tss *tss, uint64_t limit)
{
	uint64_t base = (uint64_t)(uintptr_t)tss;

	g->table[GDT_TSS / 8] = (limit & 0xffff) | (base & 0xffffff) << 16 |
				TSS_TYPE_AVAILABLE << 40 | GDT_PRESENT |
				((limit >> 16) & 0xf) << 48 | ((base >> 24) & 0xff) << 56;
	g->table[GDT_TSS / 8 + 1] = base >> 32;
}

void gdt_cpu_use_tss(struct gdt_cpu *g, struct tss *tss, uint32_t limit)
{
	uint16_t iomap_base = tss->iomap_base;

	*tss = *g->tss_active;
	tss->iomap_base = iomap_base;
	/* ltr needs a descriptor that is not busy: the rewrite leaves it available. */
	gdt_set_tss_descriptor(g, tss, limit);
	g->tss_active = tss;
	__asm__ volatile("ltr %w0" : : "r"(GDT_TSS) : "memory");
}

void gdt_cpu_load(struct gdt_cpu *g, const uint64_t ist_top[GDT_IST_COUNT])
{
	struct gdt_pointer p = {sizeof(g->table) - 1, g->table};

	for (size_t i = 0; i < sizeof(gdt_boot) / sizeof(gdt_boot[0]); i++)
		g->table[i] = gdt_boot[i];
	g->tss = (struct tss){.iomap_base = sizeof(g->tss)};
	for (int i = 0; i < GDT_IST_COUNT; i++)
		g->tss.ist[i] = ist_top[i]; /* slot i + 1 */
	g->tss_active = &g->tss;
	gdt_set_tss_descriptor(g, &g->tss, sizeof(g->tss) - 1);
	/* CS is reloaded with a far return to the next instruction. */
	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\tmovl %2, %%eax\n\t"
			 "movl %%eax, %%ss\n\t"
			 "movl %%eax, %%ds\n\t"
			 "movl %%eax, %%es\n\t"
			 "ltr %w3"
			 :
			 : "m"(p), "i"(GDT_KERNEL_CODE), "i"(GDT_KERNEL_DATA), "r"(GDT_TSS)
			 : "rax", "memory");
}
