/*
 * efi/serial.c: COM1 written directly, for the one failure that can happen
 * after ExitBootServices, when ConOut is gone and there is nobody left to
 * return to. The firmware has set the UART up; a missing one reads as all
 * ones (transmitter empty), so no wait below can hang.
 *
 * The kernel's COM1 driver is kernel/arch/x86_64/serial.c; both use the
 * registers of include/keel/uart16550.h. The stub needs no set-up (the
 * firmware's stands): it only polls and writes.
 */
#include "stub.h"

#include <keel/uart16550.h>

#define SERIAL_COM1 0x3f8

static void serial_putc(char c)
{
	for (int i = 0; i < UART_SPIN_LIMIT; i++) {
		if (io_inb(SERIAL_COM1 + UART_LSR) & UART_LSR_THRE)
			break;
	}
	io_outb(SERIAL_COM1 + UART_THR, (uint8_t)c);
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
