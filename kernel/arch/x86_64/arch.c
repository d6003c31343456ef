/*
 * kernel/arch/x86_64/arch.c: small services generic code asks for
 * (core/arch.h): halting, interrupt state, the NX state, leaving the
 * emulator.
 */
#include <keel/portio.h>

#include "core/arch.h"
#include "cpu.h"
#include "tsc.h"

#define QEMU_DEBUG_EXIT_PORT 0xf4   /* -device isa-debug-exit,iobase=0xf4 */
#define BOCHS_SHUTDOWN_PORT  0x8900 /* Bochs powers off on "Shutdown" written here */

noreturn void arch_halt(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

uint64_t arch_read_tsc(void)
{
	return tsc_read();
}

uint64_t arch_irq_save(void)
{
	return cpu_irq_save();
}

void arch_irq_restore(uint64_t flags)
{
	cpu_irq_restore(flags);
}

void arch_cpu_relax(void)
{
	__asm__ volatile("pause" : : : "memory");
}

bool arch_nx_enabled(void)
{
	return cpu_rdmsr(CPU_MSR_EFER) & CPU_EFER_NXE;
}

void arch_emulator_exit(uint8_t code)
{
	static const char bochs_shutdown[] = "Shutdown";

	/* Bochs powers off at once: the last line must have left the UART. */
	arch_serial_drain();
	io_outb(QEMU_DEBUG_EXIT_PORT, code);
	/*
	 * Still here: no isa-debug-exit device. Bochs has none, but ends when
	 * the string "Shutdown" arrives at port 0x8900 one byte at a time (its
	 * exit status is always 1, so scripts/bochs judges the run from the
	 * serial output instead). QEMU never gets here: it exited at port 0xf4.
	 * On any other machine nothing listens on 0x8900 and we return.
	 */
	for (const char *c = bochs_shutdown; *c; c++)
		io_outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*c);
}
