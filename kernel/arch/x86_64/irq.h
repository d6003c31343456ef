/*
 * kernel/arch/x86_64/irq.h: the interrupt vectors above the exceptions, and
 * what reaches them. Every vector 32-255 has a gate (traps.S irq stubs):
 * one that nothing owns is counted and acknowledged, never fatal.
 *
 * The fixed assignments (a higher vector has a higher LAPIC priority class):
 *   0x20-0x2f  the masked 8259s (only spurious IRQ 7 and 15 can come)
 *   0x30-0xef  IOAPIC inputs, as drivers route them
 *   0xf0       never raised by hardware: the tests' unused vector
 *   0xfd       cross-call IPI (xcall.c)
 *   0xfe       LAPIC timer (the scheduler tick)
 *   0xff       LAPIC spurious interrupt (its low four bits must be 1s)
 */
#ifndef KEEL_ARCH_X86_64_IRQ_H
#define KEEL_ARCH_X86_64_IRQ_H

#include <stdint.h>

#include "trap.h"

#define IRQ_VECTOR_FIRST    0x20
#define IRQ_VECTOR_COUNT    (256 - IRQ_VECTOR_FIRST)
#define IRQ_VECTOR_PIC_BASE 0x20
#define IRQ_VECTOR_IO_FIRST 0x30
#define IRQ_VECTOR_IO_LAST  0xef
#define IRQ_VECTOR_UNUSED   0xf0
#define IRQ_VECTOR_XCALL    0xfd
#define IRQ_VECTOR_TIMER    0xfe
#define IRQ_VECTOR_SPURIOUS 0xff

/* Called by traps.S for vectors 32-255, interrupts off, with the saved frame. */
void irq_dispatch(struct trap_frame *f);

/* What arrived that nobody owns, for the tests (written only by irq_dispatch). */
struct irq_counters {
	uint64_t spurious;        /* LAPIC spurious vector: no EOI */
	uint64_t unexpected;      /* any other vector without an owner */
	uint64_t last_unexpected; /* its vector */
};

extern volatile struct irq_counters irq_counters;

#endif
