/*
 * kernel/core/klog.h: the kernel log, the last KLOG_SIZE bytes of everything
 * printed (console_write appends every byte), and the log object
 * (KEEL_OBJ_LOG) through which a user-space console driver reads it: once
 * COM1 is handed to drivers-user/uart the kernel's serial sink is silent
 * (console_sink_hold), and the driver drains the log to the line instead.
 *
 * Positions count bytes ever written (u64, never wraps in practice): the
 * ring holds [end - KLOG_SIZE, end) once that much was written.
 *
 * object_create(KEEL_OBJ_LOG, 0, 0, resource): carved from init's resource
 * handle (KEEL_RIGHT_MANAGE, devobj.c's errors), arg and arg2 0 (else
 * -KEEL_EINVAL); -KEEL_ENOMEM beyond KLOG_OBJECTS live at once.
 *
 * info(KEEL_INFO_LOG, log, buf, n): the log handle needs KEEL_RIGHT_READ.
 * buf's first 8 bytes hold the position wanted (KEEL_LOG_FROM_HOLD: where
 * the serial sink last went silent, 0 if it never did); the call writes
 * there the position of the first byte returned (later than asked when the
 * ring lost that text) and the text after it, at most n - 8 bytes; returns
 * the bytes of text (0: nothing newer). Errors in order: the handle's
 * (-KEEL_EBADH, -KEEL_ETYPE, -KEEL_EPERM), -KEEL_EINVAL n < 8,
 * -KEEL_EFAULT buf, -KEEL_EINVAL a position past the end.
 *
 * irq_bind(log, notification, bit): `bit` is set in the notification when
 * text is added (from the timer tick after it: up to 10 ms late, never from
 * inside console_write). One binding per log object (-KEEL_EBUSY); the
 * binding holds a reference to the notification, dropped when the log
 * object goes. Errors: the notification's handle (devobj_sys_irq_bind),
 * the log's (KEEL_RIGHT_READ), -KEEL_EINVAL bit above 62, -KEEL_EBUSY.
 */
#ifndef KEEL_CORE_KLOG_H
#define KEEL_CORE_KLOG_H

#include <stddef.h>
#include <stdint.h>

#include "core/ktest.h"

struct object;

#define KLOG_SIZE    (64 * 1024) /* a power of two */
#define KLOG_OBJECTS 8           /* log objects live at once */

/*
 * Append n bytes (console_write, with console_lock held and interrupts off:
 * anywhere, under any other lock). Takes only klog_lock and calls nothing.
 */
void klog_append(const char *s, size_t n);

/* Remember the end of the log as the point where the serial sink went silent (console_lock held).
 */
void klog_mark_hold(void);

/*
 * The sink held since klog_mark_hold is back (console_sink_release, with
 * console_lock held): write to it the log text its driver did not drain,
 * from the last position a draining reader (one whose log object was once
 * read from KEEL_LOG_FROM_HOLD) asked for (everything before it was sent:
 * drivers-user/uart reads only once it sent all it read), but at most the
 * newest KLOG_REPLAY_MAX bytes, after a "[N bytes of kernel log not shown]"
 * line. Text a dying driver read and half sent may come twice.
 */
#define KLOG_REPLAY_MAX 4096
void klog_replay(void (*write)(const char *s, size_t n));

/*
 * A screen taken back (console_sink_release, console_lock held): write to it
 * the newest KLOG_REPLAY_MAX bytes of the log, from a line's start, without
 * touching what klog_replay and KEEL_LOG_FROM_HOLD go by.
 */
void klog_replay_tail(void (*write)(const char *s, size_t n));

/* The position after the last byte written. */
uint64_t klog_end(void);

/*
 * Copy the text from position `pos` (KEEL_LOG_FROM_HOLD allowed) into buf,
 * at most n bytes: the bytes copied, *first the position of the first
 * (later than pos when the ring lost text), or -KEEL_EINVAL pos past the
 * end. Kernel memory only (tests); the system call goes by chunks.
 */
int64_t klog_read(uint64_t pos, char *buf, size_t n, uint64_t *first);

/* Log objects (devobj.c hands them over). */
int64_t klog_object_create(uint64_t arg, uint64_t arg2);
void klog_object_destroy(struct object *obj);
int klog_bind(struct object *log, struct object *notification, uint64_t bit);
int64_t klog_sys_read(uint64_t h, uint64_t ubuf, uint64_t n);

/* Log objects live (counted in ipc_objects_live for the leak checks). */
uint64_t klog_objects_live(void);

/* The timer tick (any CPU, interrupt context): signal the bound notifications of new text. */
void klog_tick(void);

/* The ring itself: read-back, lost text, bad positions (klog_tests.c). */
extern const struct ktest_suite klog_test_suite;

#endif
