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

#include "core/arch.h"
#include "io.h"

#define COM1     0x3f8
#define UART_THR 0 /* transmit holding register (DLAB 0) */
#define UART_DLL 0 /* divisor latch, low byte (DLAB 1) */
#define UART_IER 1 /* interrupt enable (DLAB 0) */
#define UART_DLM 1 /* divisor latch, high byte (DLAB 1) */
#define UART_FCR 2 /* FIFO control */
#define UART_LCR 3 /* line control */
#define UART_MCR 4 /* modem control */
#define UART_LSR 5 /* line status */

#define UART_LCR_DLAB         0x80
#define UART_LCR_8N1          0x03
#define UART_FCR_ENABLE_CLEAR 0x07 /* FIFOs on, both cleared */
#define UART_MCR_DTR_RTS      0x03
#define UART_LSR_THRE         0x20 /* transmit holding register empty */
#define UART_LSR_TEMT         0x40 /* holding and shift registers both empty */
#define UART_LSR_ABSENT       0xff /* what a floating bus reads */
#define UART_DIVISOR_115200   1    /* 115200 = 1.8432 MHz / 16 / 1 */

/*
 * Polls of LSR per byte before giving up. At 115200 baud a byte leaves in
 * 87 us; a port read takes about 1 us on hardware, so this is ~100 ms.
 */
#define UART_SPIN_LIMIT 100000

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
	for (int i = 0; serial_alive && i < UART_SPIN_LIMIT; i++) {
		if (io_inb(COM1 + UART_LSR) & UART_LSR_TEMT)
			return;
	}
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
	for (int i = 0; i < UART_SPIN_LIMIT; i++)
		if (io_inb(COM1 + UART_LSR) & UART_LSR_TEMT)
			break;
	io_outb(COM1 + UART_IER, 0);
	io_outb(COM1 + UART_LCR, UART_LCR_DLAB);
	io_outb(COM1 + UART_DLL, UART_DIVISOR_115200);
	io_outb(COM1 + UART_DLM, 0);
	io_outb(COM1 + UART_LCR, UART_LCR_8N1);
	io_outb(COM1 + UART_FCR, UART_FCR_ENABLE_CLEAR);
	io_outb(COM1 + UART_MCR, UART_MCR_DTR_RTS);
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
