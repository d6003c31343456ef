/*
 * kernel/arch/x86_64/interrupts.c: arch_interrupts_init (core/arch.h), the
 * order in which the interrupt and time hardware is brought up on the boot
 * CPU, and its boot line.
 */
#include "acpi/boot.h"
#include "core/arch.h"
#include "core/console.h"
#include "ioapic.h"
#include "lapic.h"
#include "pic.h"
#include "timer.h"
#include "tsc.h"

#define WHY_MAX 160

void arch_interrupts_init(void)
{
	const struct acpi_info *a = acpi_boot_info();
	char why[WHY_MAX];
	uint32_t inputs = 0;

	/* The 8259s first: nothing may reach the CPU through them from here on. */
	pic_disable();
	if (lapic_init(why, sizeof(why)) != 0) {
		kprintf("apic: local APIC not usable: %s; interrupts stay off\n", why);
		return;
	}
	ioapic_init(&a->madt);
	for (uint32_t i = 0; i < ioapic_count(); i++)
		inputs += ioapic_get(i)->inputs;
	kprintf("apic: %s id %u, %u IOAPIC%s (%u inputs, all masked), 8259s masked\n",
		lapic_x2apic_mode() ? "x2APIC" : "xAPIC", lapic_id(), ioapic_count(),
		ioapic_count() == 1 ? "" : "s", inputs);
	timer_calibrate_begin(); /* the LAPIC timer is measured over the TSC's window too */
	tsc_init(a);
	timer_init();
	__asm__ volatile("sti" : : : "memory");
}
