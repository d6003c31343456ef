/*
 * kernel/arch/x86_64/serial.c: the serial console on COM1, a 16550 UART at
 * 0x3f8, 115200 baud 8N1, polled (no interrupts).
 *
 * There may be no UART at all (many laptops): an absent port reads 0xff, and
 * a UART that never reports its transmit register empty is given up after a
 * bounded wait, so printing never hangs.
 *
 * After boot COM1 may be handed to the user-space driver (drivers-user/uart):
 * console.c skips this sink while devobj.c holds it for a carved port range,
 * and calls serial_reset, under console_lock, when the last range goes or a
 * kernel fault is reported: the driver may have changed every register.
 */
#include <stdbool.h>

#include <keel/uart16550.h>

#include "core/arch.h"

#define COM1 0x3f8

static bool serial_alive;

static void serial_put(char c)
{
	for (int i = 0; i < UART_SPIN_LIMIT; i++) {
		if (io_inb(COM1 + UART_LSR) & UART_LSR_THRE) {
			io_outb(COM1 + UART_THR, (uint8_t)c);
			return;
		}
	}
	/* The UART never drained: treat it as gone rather than stall every line. */
	serial_alive = false;
}

static void serial_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n && serial_alive; i++) {
		if (s[i] == '\n')
			serial_put('\r');
		serial_put(s[i]);
	}
}

void arch_serial_drain(void)
{
	if (serial_alive)
		uart16550_drain(COM1);
}

/* 115200 8N1, FIFOs on, no interrupts: what the kernel prints through. */
static void serial_reset(void)
{
	if (io_inb(COM1 + UART_LSR) == UART_LSR_ABSENT) {
		serial_alive = false;
		return;
	}
	/*
	 * What a driver put in the transmitter was acknowledged to its client:
	 * let it leave (bounded) before the FIFO is cleared and the line reset.
	 */
	uart16550_drain(COM1);
	uart16550_program(COM1, 0);
	serial_alive = true;
}

static const struct console_sink serial_sink = {"serial", serial_write, serial_reset, true};
static const struct console_sink *serial_registered; /* set once on the boot CPU */

const struct console_sink *arch_serial_init(void)
{
	serial_reset();
	if (!serial_alive)
		return NULL;
	serial_registered = &serial_sink;
	return &serial_sink;
}

const struct console_sink *arch_serial_sink(void)
{
	return serial_registered;
}
