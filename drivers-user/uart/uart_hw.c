/*
 * drivers-user/uart/uart_hw.c: the 16550 register logic (uart_hw.h), over
 * the registers and set-up steps it shares with the kernel's console
 * (include/keel/uart16550.h).
 */
#include "uart_hw.h"

#include <keel/uart16550.h>

const char *uart_hw_probe(uint16_t base)
{
	if (io_inb(base + UART_LSR) == UART_LSR_ABSENT)
		return "nothing answers there (line status reads 0xff)";
	/* Bytes a dead predecessor acknowledged may still be leaving: before the FIFO test clears them. */
	uart16550_drain(base);
	io_outb(base + UART_SCR, 0x5a);
	if (io_inb(base + UART_SCR) != 0x5a)
		return "its scratch register does not keep a value";
	io_outb(base + UART_SCR, 0xa5);
	if (io_inb(base + UART_SCR) != 0xa5)
		return "its scratch register does not keep a value";
	io_outb(base + UART_FCR, UART_FCR_ON);
	if ((io_inb(base + UART_IIR) & UART_IIR_FIFOS) != UART_IIR_FIFOS)
		return "no working FIFOs (not a 16550A)";
	return NULL;
}

void uart_hw_setup(uint16_t base)
{
	uart16550_drain(base);
	uart16550_program(base, UART_MCR_OUT2);
	/* Anything stale in the receive buffer goes before interrupts are on. */
	while (io_inb(base + UART_LSR) & UART_LSR_DR)
		(void)io_inb(base + UART_RBR);
	io_outb(base + UART_IER, UART_IER_RDA | UART_IER_THRE);
}

void uart_hw_quiet(uint16_t base)
{
	io_outb(base + UART_IER, 0);
	io_outb(base + UART_MCR, UART_MCR_DTR_RTS);
}

int uart_hw_idle(uint16_t base)
{
	uint8_t iir = io_inb(base + UART_IIR);

	if (iir & UART_IIR_NONE)
		return 1;
	switch (iir & UART_IIR_CAUSE) {
	case UART_IIR_LINE: (void)io_inb(base + UART_LSR); break;  /* cleared by reading LSR */
	case UART_IIR_MODEM: (void)io_inb(base + UART_MSR); break; /* by reading MSR */
	default: break; /* THRE: cleared by this very read; data: by draining it */
	}
	return 0;
}

int uart_hw_tx_empty(uint16_t base)
{
	return (io_inb(base + UART_LSR) & UART_LSR_THRE) != 0;
}

void uart_hw_tx(uint16_t base, const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n && i < UART_FIFO_SIZE; i++)
		io_outb(base + UART_THR, s[i]);
}

int uart_hw_rx(uint16_t base)
{
	if (!(io_inb(base + UART_LSR) & UART_LSR_DR))
		return -1;
	return io_inb(base + UART_RBR);
}
