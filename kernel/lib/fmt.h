/*
 * kernel/lib/fmt.h: printf-style formatting into a buffer. Pure logic, shared
 * by the stub (which then writes UCS-2 to ConOut) and the kernel consoles.
 *
 * Supports %d %i %u %x %X %o %c %s %p %% with the flags '-', '0', ' ', '+', '#',
 * a width and a precision (also '*'), and the length modifiers hh h l ll z j t.
 * %s of NULL prints "(null)". Always NUL-terminates when size > 0; returns the
 * length the full output would have had, like C's vsnprintf.
 */
#ifndef KEEL_LIB_FMT_H
#define KEEL_LIB_FMT_H

#include <stdarg.h>
#include <stddef.h>

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
