/*
 * drivers-user/uart/uart_log.h: the uart driver drains the kernel log
 * (KEEL_OBJ_LOG, kernel/core/klog.h) to the line. While this driver holds
 * COM1 the kernel's serial output is silent; its lines and every program's
 * keel_printf (KEEL_SYS_DEBUG_LOG) reach the line only this way.
 *
 * The log object comes from init's config (`driver uart bin/uart
 * ioport=0x3f8:8 irq=4 log`, start slot KEEL_START_DEVICE0 + 2); its bound
 * bit wakes the driver within a tick of new text. The first read starts where
 * the kernel went silent (KEEL_LOG_FROM_HOLD), so nothing printed between the
 * handover and this driver's start is lost; text the ring overwrote before it
 * was read shows as one line "[N bytes of kernel log lost]".
 *
 * The driver's pump asks for log bytes only between client writes (never
 * inside one request's bytes), and keeps taking them while a line is half
 * sent (uart_log_midline), so lines come out whole unless the kernel's text
 * itself stops mid-line. '\n' goes out as "\r\n", never split across fills.
 */
#ifndef KEEL_UART_LOG_H
#define KEEL_UART_LOG_H

#include <stddef.h>
#include <stdint.h>

#define UART_LOG_BUF  2048 /* text read in one go */
#define UART_LOG_NOTE 48   /* the "[N bytes ... lost]" line */

struct uart_log {
	uint64_t handle; /* the log, or KEEL_MSG_NO_HANDLE: nothing to drain */
	uint64_t pos;    /* the next position to read (KEEL_LOG_FROM_HOLD at first) */
	uint64_t lost;   /* bytes the ring overwrote before they were read, in all */
	size_t off, len; /* text still to send: rd.bytes[8 + off, 8 + len) */
	size_t note_off, note_len;
	int midline; /* the last byte sent was not the end of a line */
	int more;    /* the log may have text not read yet (a kick, or the last read was full) */
	char note[UART_LOG_NOTE];
	union {
		uint64_t first; /* KEEL_INFO_LOG's position in and out */
		char bytes[8 + UART_LOG_BUF];
	} rd;
};

/* Set up with the log handle (KEEL_MSG_NO_HANDLE: none) and bind its bit. 0 or -KEEL_E*. */
int64_t uart_log_init(struct uart_log *l, uint64_t handle, uint64_t notif, unsigned bit);

/* The bound bit came: the log has new text (read when what was read is sent). */
void uart_log_kick(struct uart_log *l);

/* Read new text when everything read was sent. 0, the bytes read, or -KEEL_E*. */
int64_t uart_log_fetch(struct uart_log *l);

/* Whether text waits to be sent, or may wait in the log. */
int uart_log_pending(const struct uart_log *l);

/* Whether the last byte sent left a line open (take more before a client's write). */
int uart_log_midline(const struct uart_log *l);

/*
 * Up to `room` bytes for the transmitter ('\n' as "\r\n", whole), fetching
 * more when what was read is sent: how many were put in out.
 */
size_t uart_log_take(struct uart_log *l, uint8_t *out, size_t room);

#endif
