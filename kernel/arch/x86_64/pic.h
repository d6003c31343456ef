/*
 * kernel/arch/x86_64/pic.h: the legacy 8259 pair, remapped off the
 * exception vectors and masked for good: Keel takes interrupts through the
 * LAPIC and IOAPICs only.
 */
#ifndef KEEL_ARCH_X86_64_PIC_H
#define KEEL_ARCH_X86_64_PIC_H

/*
 * Remap the master to vectors PIC_VECTOR_BASE..+7 and the slave to the next
 * eight, then mask every line. Done whether or not the MADT says the PICs
 * exist: without them the port writes go nowhere. A spurious IRQ 7 or 15
 * that still arrives lands on a vector with a gate (irq.c), never on an
 * exception.
 */
void pic_disable(void);

#endif
