/*
 * drivers-user/uart/uart_hw.h: the 16550's registers (COM1 at 0x3f8, or any
 * base the driver was given) and the few things the driver asks of them.
 * Port I/O needs the range enabled first (keel_ioport_enable): every function
 * here runs IN/OUT on base..base+7.
 */
#ifndef KEEL_UART_HW_H
#define KEEL_UART_HW_H

#include <stddef.h>
#include <stdint.h>

#define UART_PORTS     8  /* the register block */
#define UART_FIFO_SIZE 16 /* a 16550A's transmit FIFO */

/*
 * Is there a 16550 with working FIFOs at base? NULL when so, else a short
 * reason ("nothing answers at the port" ...).
 */
const char *uart_hw_probe(uint16_t base);

/* 115200 baud 8N1, FIFOs on and cleared, receive-data and transmitter-empty interrupts on. */
void uart_hw_setup(uint16_t base);

/* Interrupts off (before the driver exits: the line may stay with nobody to ack it). */
void uart_hw_quiet(uint16_t base);

/*
 * 1 when no interrupt cause is pending (the UART's line is low), else 0 after
 * clearing what a read can clear: a transmitter-empty cause is cleared by the
 * read itself (so fill the FIFO after this, checking uart_hw_tx_empty), line
 * and modem status causes by reading those registers; pending input stays
 * until uart_hw_rx took it.
 */
int uart_hw_idle(uint16_t base);

/* Whether the transmit FIFO is empty: UART_FIFO_SIZE bytes may be written now. */
int uart_hw_tx_empty(uint16_t base);

/* Write n bytes (n <= UART_FIFO_SIZE, into an empty FIFO). */
void uart_hw_tx(uint16_t base, const uint8_t *s, size_t n);

/* One received byte: 0-255, or -1 when none is waiting. */
int uart_hw_rx(uint16_t base);

#endif
