/*
 * include/keel/uart16550.h: the 16550 UART's registers and the steps the
 * kernel's polled console (kernel/arch/x86_64/serial.c) and the user-space
 * driver (drivers-user/uart) share. Register numbers and bits are the
 * National Semiconductor PC16550D data sheet's; the divisor is
 * 1.8432 MHz / 16 / 115200 = 1.
 */
#ifndef KEEL_UART16550_H
#define KEEL_UART16550_H

#include <keel/portio.h>

#define UART_RBR 0 /* receive buffer (read, DLAB 0) */
#define UART_THR 0 /* transmit holding (write, DLAB 0) */
#define UART_DLL 0 /* divisor latch low (DLAB 1) */
#define UART_IER 1 /* interrupt enable (DLAB 0) */
#define UART_DLM 1 /* divisor latch high (DLAB 1) */
#define UART_IIR 2 /* interrupt identification (read) */
#define UART_FCR 2 /* FIFO control (write) */
#define UART_LCR 3 /* line control */
#define UART_MCR 4 /* modem control */
#define UART_LSR 5 /* line status */
#define UART_MSR 6 /* modem status */
#define UART_SCR 7 /* scratch */

#define UART_IER_RDA     0x01 /* received data available */
#define UART_IER_THRE    0x02 /* transmit holding register empty */
#define UART_IIR_NONE    0x01 /* no interrupt pending */
#define UART_IIR_CAUSE   0x0e
#define UART_IIR_LINE    0x06 /* receiver line status */
#define UART_IIR_MODEM   0x00 /* modem status */
#define UART_IIR_FIFOS   0xc0 /* both set: FIFOs enabled and working (a 16550A) */
#define UART_FCR_ON      0x07 /* enable, clear receive and transmit FIFOs, trigger at 1 byte */
#define UART_LCR_DLAB    0x80
#define UART_LCR_8N1     0x03
#define UART_MCR_DTR_RTS 0x03
#define UART_MCR_OUT2    0x08 /* gates the interrupt line on PCs */
#define UART_LSR_DR      0x01 /* data ready */
#define UART_LSR_THRE    0x20 /* transmit FIFO empty */
#define UART_LSR_TEMT    0x40 /* FIFO and shift register empty: all sent */
#define UART_LSR_ABSENT  0xff /* what a floating bus reads */
#define UART_DIVISOR     1    /* 115200 baud */

/*
 * LSR polls before a wait gives up. At 115200 baud a byte leaves in 87 us
 * and a port read takes about 1 us on hardware: about 100 ms.
 */
#define UART_SPIN_LIMIT 100000

/* Let what is in the transmitter leave (bounded): whoever put it there acknowledged it. */
static inline void uart16550_drain(uint16_t base)
{
	for (int i = 0; i < UART_SPIN_LIMIT; i++)
		if (io_inb(base + UART_LSR) & UART_LSR_TEMT)
			return;
}

/*
 * 115200 8N1 with the FIFOs on and cleared, interrupts off, DTR and RTS up
 * (plus `mcr_extra`, e.g. OUT2 for a driver that wants the interrupt line).
 */
static inline void uart16550_program(uint16_t base, uint8_t mcr_extra)
{
	io_outb(base + UART_IER, 0);
	io_outb(base + UART_LCR, UART_LCR_DLAB);
	io_outb(base + UART_DLL, UART_DIVISOR);
	io_outb(base + UART_DLM, 0);
	io_outb(base + UART_LCR, UART_LCR_8N1);
	io_outb(base + UART_FCR, UART_FCR_ON);
	io_outb(base + UART_MCR, UART_MCR_DTR_RTS | mcr_extra);
}

#endif
