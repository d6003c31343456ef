/*
 * kernel/arch/x86_64/idt.c: the interrupt descriptor table. Loading it
 * (arch_trap_init) is the first thing kernel_main does, so that any fault from then on prints a
 * report instead of triple-faulting through the firmware's unmapped IDT.
 *
 * Every vector has a gate: the 32 exceptions go to trap_dispatch, vectors
 * 32-255 to irq_dispatch (irq.h), which survives a vector nobody owns.
 */
#include <stdint.h>

#include "core/arch.h"
#include "gdt.h"
#include "irq.h"
#include "percpu.h"
#include "smp.h"
#include "trap.h"
#include "trapinfo.h"

#define IDT_VECTORS        256
#define IDT_INTERRUPT_GATE 0x8e /* present, DPL 0, 64-bit interrupt gate: IF cleared */

struct idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
};

struct idt_pointer {
	uint16_t limit;
	const void *base;
} __attribute__((packed));

_Static_assert(sizeof(struct idt_gate) == 16, "an IDT gate is 16 bytes in long mode");

extern const uint64_t trap_stubs[TRAP_EXCEPTION_COUNT]; /* traps.S */
extern const uint64_t irq_stubs[IRQ_VECTOR_COUNT];      /* traps.S */

static struct idt_gate idt[IDT_VECTORS] __attribute__((aligned(16)));

static void idt_set_gate(uint32_t vector, uint64_t handler)
{
	idt[vector] = (struct idt_gate){
	    .offset_low = (uint16_t)handler,
	    .selector = GDT_KERNEL_CODE,
	    .type_attr = IDT_INTERRUPT_GATE,
	    .offset_mid = (uint16_t)(handler >> 16),
	    .offset_high = (uint32_t)(handler >> 32),
	};
}

void idt_set_ist(uint32_t vector, uint8_t ist)
{
	if (vector < IDT_VECTORS && ist <= 7) /* 3 bits; the CPU reads the gate at each delivery */
		idt[vector].ist = ist;
}

void idt_load_this_cpu(void)
{
	struct idt_pointer p = {sizeof(idt) - 1, idt};

	__asm__ volatile("lidt %0" : : "m"(p) : "memory");
}

void arch_trap_init(void)
{
	/* First: console output already reads the CPU index through GS. */
	percpu_install(&percpu_boot);
	for (uint32_t v = 0; v < TRAP_EXCEPTION_COUNT; v++)
		idt_set_gate(v, trap_stubs[v]);
	for (uint32_t v = 0; v < IRQ_VECTOR_COUNT; v++)
		idt_set_gate(IRQ_VECTOR_FIRST + v, irq_stubs[v]);
	idt_load_this_cpu();
}
