/*
 * drivers-user/lib/klog_drain.h: a console driver drains the kernel log
 * (KEEL_OBJ_LOG, kernel/core/klog.h) to its device: drivers-user/uart to the
 * line, drivers-user/fbcon to the screen. While a driver holds the kernel's
 * sink (COM1, the framebuffer) the kernel's output there is silent; its lines
 * and every program's keel_printf (KEEL_SYS_DEBUG_LOG) reach the device only
 * this way.
 *
 * The log object comes from init's config (`log` on a driver line, start
 * slot after its devices); its bound bit wakes the driver within a tick of
 * new text. The first read starts where the serial sink went silent
 * (KEEL_LOG_FROM_HOLD), so nothing printed between the handover and the
 * driver's start is lost; text the ring overwrote before it was read shows as
 * one line "[N bytes of kernel log lost]".
 *
 * The uart's pump asks for log bytes only between client writes (never
 * inside one request's bytes), and keeps taking them while a line is half
 * sent (klog_drain_midline), so lines come out whole unless the kernel's text
 * itself stops mid-line. '\n' goes out as "\r\n", never split across fills.
 */
#ifndef KEEL_LIB_KLOG_DRAIN_H
#define KEEL_LIB_KLOG_DRAIN_H

#include <stddef.h>
#include <stdint.h>

#define KLOG_DRAIN_BUF  2048 /* text read in one go */
#define KLOG_DRAIN_NOTE 48   /* the "[N bytes ... lost]" line */

struct klog_drain {
	uint64_t handle; /* the log, or KEEL_MSG_NO_HANDLE: nothing to drain */
	uint64_t pos;    /* the next position to read (KEEL_LOG_FROM_HOLD at first; a screen sets 0 after init: the oldest kept) */
	uint64_t lost;   /* bytes the ring overwrote before they were read, in all */
	size_t off, len; /* text still to send: rd.bytes[8 + off, 8 + len) */
	size_t note_off, note_len;
	int midline; /* the last byte sent was not the end of a line */
	int more;    /* the log may have text not read yet (a kick, or the last read was full) */
	char note[KLOG_DRAIN_NOTE];
	union {
		uint64_t first; /* KEEL_INFO_LOG's position in and out */
		char bytes[8 + KLOG_DRAIN_BUF];
	} rd;
};

/* Set up with the log handle (KEEL_MSG_NO_HANDLE: none) and bind its bit. 0 or -KEEL_E*. */
int64_t klog_drain_init(struct klog_drain *l, uint64_t handle, uint64_t notif, unsigned bit);

/* The bound bit came: the log has new text (read when what was read is sent). */
void klog_drain_kick(struct klog_drain *l);

/* Read new text when everything read was sent. 0, the bytes read, or -KEEL_E*. */
int64_t klog_drain_fetch(struct klog_drain *l);

/* Whether text waits to be sent, or may wait in the log. */
int klog_drain_pending(const struct klog_drain *l);

/* Whether the last byte sent left a line open (take more before a client's write). */
int klog_drain_midline(const struct klog_drain *l);

/*
 * Up to `room` bytes for the transmitter ('\n' as "\r\n", whole), fetching
 * more when what was read is sent: how many were put in out.
 */
size_t klog_drain_take(struct klog_drain *l, uint8_t *out, size_t room);

#endif
