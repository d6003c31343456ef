/*
 * efi/serial.c: COM1 written directly, for the one failure that can happen
 * after ExitBootServices, when ConOut is gone and there is nobody left to
 * return to. The firmware has set the UART up; a missing one reads as all
 * ones (transmitter empty), so no wait below can hang.
 *
 * The kernel's COM1 driver is kernel/arch/x86_64/serial.c. This small twin is
 * separate because the stub is built for another target (PE/COFF, Microsoft
 * ABI) and needs no set-up (the firmware's stands); it only polls and writes.
 */
#include "stub.h"

#define SERIAL_COM1     0x3f8
#define SERIAL_LSR      5    /* line status register */
#define SERIAL_LSR_THRE 0x20 /* transmit holding register empty */
#define SERIAL_SPIN_MAX 100000

static void serial_putc(char c)
{
	for (int i = 0; i < SERIAL_SPIN_MAX; i++) {
		if (cpu_inb(SERIAL_COM1 + SERIAL_LSR) & SERIAL_LSR_THRE)
			break;
	}
	cpu_outb(SERIAL_COM1, (uint8_t)c);
}

_Noreturn void serial_fail_and_halt(const char *msg)
{
	for (const char *p = msg; *p != '\0'; p++) {
		if (*p == '\n')
			serial_putc('\r');
		serial_putc(*p);
	}
	cpu_halt_forever();
}
