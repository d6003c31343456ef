/*
 * kernel/arch/x86_64/smp.h: the other CPUs (smp.c) and cross-calls
 * (xcall.c). The machine-independent side is in core/arch.h
 * (arch_smp_init, arch_cross_call, arch_cpus_online, ...).
 */
#ifndef KEEL_ARCH_X86_64_SMP_H
#define KEEL_ARCH_X86_64_SMP_H

#include <stdint.h>
#include <stdnoreturn.h>

struct percpu;

/* Bit i set: CPU i is online. Read through arch_cpus_online(). */
extern volatile uint64_t smp_online_mask;

/* entry.S: where the trampoline jumps; smp_ap_main is what it calls. */
void ap_entry(void);
noreturn void smp_ap_main(struct percpu *p);

/* The cross-call IPI's handler (irq.c), interrupts off; the caller sends the EOI. */
void xcall_handle_ipi(void);

/* Load the shared IDT on this AP (idt.c). */
void idt_load_this_cpu(void);

#endif
