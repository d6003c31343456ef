/*
 * drivers-user/uart/uart_hw.c: the 16550 register logic (uart_hw.h). The
 * register numbers and bits are the National Semiconductor PC16550D data
 * sheet's; the divisor is 1.8432 MHz / 16 / 115200 = 1.
 */
#include "uart_hw.h"

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
#define UART_MCR_OUT2    0x08   /* gates the interrupt line on PCs */
#define UART_LSR_DR      0x01   /* data ready */
#define UART_LSR_THRE    0x20   /* transmit FIFO empty */
#define UART_LSR_TEMT    0x40   /* FIFO and shift register empty: all sent */
#define UART_LSR_ABSENT  0xff   /* a floating bus */
#define UART_DIVISOR     1      /* 115200 baud */
#define UART_DRAIN_POLLS 100000 /* LSR reads: ~100 ms on hardware, 16 bytes take 1.4 ms */

static inline void uart_outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t uart_inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* Bytes a dead predecessor acknowledged may still be leaving: let them go (bounded). */
static void uart_drain(uint16_t base)
{
	for (int i = 0; i < UART_DRAIN_POLLS; i++)
		if (uart_inb(base + UART_LSR) & UART_LSR_TEMT)
			return;
}

const char *uart_hw_probe(uint16_t base)
{
	if (uart_inb(base + UART_LSR) == UART_LSR_ABSENT)
		return "nothing answers there (line status reads 0xff)";
	uart_drain(base); /* before the FIFO test clears the FIFOs */
	uart_outb(base + UART_SCR, 0x5a);
	if (uart_inb(base + UART_SCR) != 0x5a)
		return "its scratch register does not keep a value";
	uart_outb(base + UART_SCR, 0xa5);
	if (uart_inb(base + UART_SCR) != 0xa5)
		return "its scratch register does not keep a value";
	uart_outb(base + UART_FCR, UART_FCR_ON);
	if ((uart_inb(base + UART_IIR) & UART_IIR_FIFOS) != UART_IIR_FIFOS)
		return "no working FIFOs (not a 16550A)";
	return NULL;
}

void uart_hw_setup(uint16_t base)
{
	uart_drain(base);
	uart_outb(base + UART_IER, 0);
	uart_outb(base + UART_LCR, UART_LCR_DLAB);
	uart_outb(base + UART_DLL, UART_DIVISOR);
	uart_outb(base + UART_DLM, 0);
	uart_outb(base + UART_LCR, UART_LCR_8N1);
	uart_outb(base + UART_FCR, UART_FCR_ON);
	uart_outb(base + UART_MCR, UART_MCR_DTR_RTS | UART_MCR_OUT2);
	/* Anything stale in the receive buffer goes before interrupts are on. */
	while (uart_inb(base + UART_LSR) & UART_LSR_DR)
		(void)uart_inb(base + UART_RBR);
	uart_outb(base + UART_IER, UART_IER_RDA | UART_IER_THRE);
}

void uart_hw_quiet(uint16_t base)
{
	uart_outb(base + UART_IER, 0);
	uart_outb(base + UART_MCR, UART_MCR_DTR_RTS);
}

int uart_hw_idle(uint16_t base)
{
	uint8_t iir = uart_inb(base + UART_IIR);

	if (iir & UART_IIR_NONE)
		return 1;
	switch (iir & UART_IIR_CAUSE) {
	case UART_IIR_LINE: (void)uart_inb(base + UART_LSR); break;  /* cleared by reading LSR */
	case UART_IIR_MODEM: (void)uart_inb(base + UART_MSR); break; /* by reading MSR */
	default: break; /* THRE: cleared by this very read; data: by draining it */
	}
	return 0;
}

int uart_hw_tx_empty(uint16_t base)
{
	return (uart_inb(base + UART_LSR) & UART_LSR_THRE) != 0;
}

void uart_hw_tx(uint16_t base, const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n && i < UART_FIFO_SIZE; i++)
		uart_outb(base + UART_THR, s[i]);
}

int uart_hw_rx(uint16_t base)
{
	if (!(uart_inb(base + UART_LSR) & UART_LSR_DR))
		return -1;
	return uart_inb(base + UART_RBR);
}
