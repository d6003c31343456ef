/*
 * kernel/arch/x86_64/arch.c: small services generic code asks for
 * (core/arch.h): halting, the NX state, leaving the emulator.
 */
#include "core/arch.h"
#include "cpu.h"
#include "io.h"

#define QEMU_DEBUG_EXIT_PORT 0xf4 /* -device isa-debug-exit,iobase=0xf4 */

noreturn void arch_halt(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

bool arch_nx_enabled(void)
{
	return cpu_rdmsr(CPU_MSR_EFER) & CPU_EFER_NXE;
}

void arch_emulator_exit(uint8_t code)
{
	io_outb(QEMU_DEBUG_EXIT_PORT, code);
}
