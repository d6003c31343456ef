/*
 * kernel/arch/x86_64/lapic.c: the local APIC (lapic.h).
 */
#include "lapic.h"

#include "acpi/boot.h"
#include "core/console.h"
#include "cpu.h"
#include "cpufeatures.h"
#include "irq.h"
#include "lib/fmt.h"
#include "mm/vm.h"
#include "mmio.h"

#define MSR_APIC_BASE    0x1b
#define APIC_BASE_EXTD   (1ull << 10) /* x2APIC mode */
#define APIC_BASE_EN     (1ull << 11) /* APIC globally enabled */
#define APIC_BASE_ADDR   0x000ffffffffff000ull
#define MSR_X2APIC_FIRST 0x800
#define LAPIC_SVR_ENABLE (1u << 8)
#define LAPIC_MMIO_SIZE  0x400

/*
 * Set by the boot CPU's lapic_init before any AP starts; every CPU then uses
 * the same mode, and in xAPIC mode the same mapping (each CPU sees its own
 * LAPIC at the shared address).
 */
static bool lapic_x2;
static volatile uint8_t *lapic_regs; /* xAPIC mode only */

bool lapic_x2apic_mode(void)
{
	return lapic_x2;
}

uint32_t lapic_read(uint32_t reg)
{
	if (lapic_x2)
		return (uint32_t)cpu_rdmsr(MSR_X2APIC_FIRST + reg / 16);
	return mmio_read32(lapic_regs + reg);
}

void lapic_write(uint32_t reg, uint32_t v)
{
	if (lapic_x2)
		cpu_wrmsr(MSR_X2APIC_FIRST + reg / 16, v);
	else
		mmio_write32(lapic_regs + reg, v);
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_REG_EOI, 0);
}

bool lapic_in_service(uint32_t vector)
{
	vector &= 0xff;
	return lapic_read(LAPIC_REG_ISR + (vector / 32) * 0x10) & (1u << (vector % 32));
}

uint32_t lapic_id(void)
{
	uint32_t id = lapic_read(LAPIC_REG_ID);

	return lapic_x2 ? id : id >> 24;
}

/* Put the LAPIC in the mode wanted; the xAPIC registers get mapped. */
static int lapic_set_mode(char *why, size_t why_size)
{
	uint64_t base = cpu_rdmsr(MSR_APIC_BASE);
	const struct acpi_madt *m = &acpi_boot_info()->madt;
	uint64_t phys = base & APIC_BASE_ADDR;

	lapic_x2 = cpufeatures_on(CPUFEATURE_X2APIC);
	if (lapic_x2) {
		cpu_wrmsr(MSR_APIC_BASE, base | APIC_BASE_EN | APIC_BASE_EXTD);
		return 0;
	}
	/* Leaving x2APIC mode for xAPIC is allowed only through disabled (SDM §11.12.5). */
	if (base & APIC_BASE_EXTD) {
		cpu_wrmsr(MSR_APIC_BASE, base & ~(APIC_BASE_EN | APIC_BASE_EXTD));
		base &= ~APIC_BASE_EXTD;
	}
	cpu_wrmsr(MSR_APIC_BASE, base | APIC_BASE_EN);
	if (lapic_regs)
		return 0; /* an AP: the boot CPU mapped the page */
	/*
	 * The registers are where IA32_APIC_BASE says, whatever the MADT claims:
	 * the MSR is the hardware's own answer, the table only a copy of it.
	 */
	if (m->present && m->lapic_address != phys)
		kprintf("apic: the MADT puts the local APIC at 0x%lx, IA32_APIC_BASE at 0x%lx: "
			"using the MSR\n",
			(unsigned long)m->lapic_address, (unsigned long)phys);
	if (mmio_overlaps_ram(phys, LAPIC_MMIO_SIZE)) {
		fmt_snprintf(why, why_size, "xAPIC registers at 0x%lx would be in RAM",
			     (unsigned long)phys);
		return -1;
	}
	lapic_regs = vm_map_mmio(phys, LAPIC_MMIO_SIZE, VM_CACHE_UC);
	if (!lapic_regs) {
		fmt_snprintf(why, why_size, "xAPIC registers at 0x%lx cannot be mapped",
			     (unsigned long)phys);
		return -1;
	}
	return 0;
}

int lapic_init(char *why, size_t why_size)
{
	if (lapic_set_mode(why, why_size) != 0)
		return -1;
	/* An absent or disabled xAPIC reads all ones on QEMU and real chipsets. */
	if (!lapic_x2 && lapic_read(LAPIC_REG_VERSION) == 0xffffffffu) {
		fmt_snprintf(why, why_size, "no local APIC answers at its address");
		return -1;
	}
	lapic_write(LAPIC_REG_TPR, 0);
	lapic_write(LAPIC_REG_LVT_TMR, LAPIC_LVT_MASKED | IRQ_VECTOR_TIMER);
	lapic_write(LAPIC_REG_LVT_LINT0, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_REG_LVT_ERR, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_REG_SVR, LAPIC_SVR_ENABLE | IRQ_VECTOR_SPURIOUS);
	/* The ESR latches on a write; two writes clear it (SDM §11.5.3). */
	lapic_write(LAPIC_REG_ESR, 0);
	lapic_write(LAPIC_REG_ESR, 0);
	return 0;
}

/* Bits of the interrupt command register (SDM Vol. 3A, §11.6.1). */
#define ICR_DELIVERY_INIT    (5u << 8)
#define ICR_DELIVERY_STARTUP (6u << 8)
#define ICR_SEND_PENDING     (1u << 12) /* xAPIC only */
#define ICR_LEVEL_ASSERT     (1u << 14)
#define MSR_X2APIC_ICR       0x830
#define LAPIC_REG_ICR_LOW    0x300
#define LAPIC_REG_ICR_HIGH   0x310
#define ICR_SEND_SPINS       1000000 /* xAPIC: polls of the pending bit before giving up */

/*
 * Write the ICR. In xAPIC mode the two halves are separate writes, so
 * interrupts stay off between them (a handler's IPI would take the
 * destination half), and the previous IPI must have left first.
 */
static int lapic_send(uint32_t apic_id, uint32_t low)
{
	uint64_t flags;
	int spins;

	if (lapic_x2) {
		/* One MSR write; no pending bit to wait for (SDM §11.12.9). */
		cpu_wrmsr(MSR_X2APIC_ICR, (uint64_t)apic_id << 32 | low);
		return 0;
	}
	if (apic_id > 0xff)
		return -1;
	flags = cpu_irq_save();
	for (spins = 0; lapic_read(LAPIC_REG_ICR_LOW) & ICR_SEND_PENDING; spins++)
		if (spins == ICR_SEND_SPINS) {
			cpu_irq_restore(flags);
			return -1;
		}
	lapic_write(LAPIC_REG_ICR_HIGH, apic_id << 24);
	lapic_write(LAPIC_REG_ICR_LOW, low);
	cpu_irq_restore(flags);
	return 0;
}

int lapic_send_ipi(uint32_t apic_id, uint8_t vector)
{
	return lapic_send(apic_id, vector);
}

int lapic_send_init(uint32_t apic_id)
{
	return lapic_send(apic_id, ICR_DELIVERY_INIT | ICR_LEVEL_ASSERT);
}

int lapic_send_startup(uint32_t apic_id, uint8_t page)
{
	return lapic_send(apic_id, ICR_DELIVERY_STARTUP | ICR_LEVEL_ASSERT | page);
}
