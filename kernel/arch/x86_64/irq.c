/*
 * kernel/arch/x86_64/irq.c: the one entry for vectors 32-255. It must not
 * print: the console is not interrupt-safe, and an interrupt may arrive
 * while the interrupted code is in the middle of a line.
 */
#include "irq.h"

#include "core/devobj.h"
#include "core/thread.h"
#include "gdt.h"
#include "lapic.h"
#include "smp.h"
#include "timer.h"

volatile struct irq_counters irq_counters;

/*
 * After the EOI, on the way back to user mode: the place where the tick
 * preempts (kernel code is never preempted, only interrupted).
 */
static void irq_return(const struct trap_frame *f)
{
	if (f->cs & GDT_RPL_USER)
		sched_return_to_user();
}

void irq_dispatch(struct trap_frame *f)
{
	uint32_t vector = (uint32_t)f->vector;

	switch (vector) {
	case IRQ_VECTOR_TIMER:
		timer_handle_tick();
		sched_tick();
		lapic_eoi();
		irq_return(f);
		return;
	case IRQ_VECTOR_XCALL:
		xcall_handle_ipi();
		lapic_eoi();
		irq_return(f);
		return;
	case IRQ_VECTOR_SPURIOUS:
		/* The LAPIC sets no in-service bit for it: an EOI would retire another. */
		irq_counters.spurious++;
		return;
	}
	/* An IOAPIC line bound to a notification (core/devobj.c): masked and signalled there. */
	if (devobj_irq_handle(vector)) {
		lapic_eoi();
		irq_return(f);
		return;
	}
	irq_counters.unexpected++;
	irq_counters.last_unexpected = vector;
	/*
	 * Acknowledge only what the LAPIC delivered (its in-service bit is set):
	 * a software INT or a spurious 8259 IRQ has none, and an EOI then would
	 * retire a real interrupt in service below it.
	 */
	if (lapic_in_service(vector))
		lapic_eoi();
}
