/*
 * kernel/core/console.h: kernel output. Everything printed goes to every
 * registered sink (the serial port, the framebuffer console), in order.
 */
#ifndef KEEL_CORE_CONSOLE_H
#define KEEL_CORE_CONSOLE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct console_sink {
	const char *name;
	/* Write n bytes; '\n' means a new line (each sink translates as it must). */
	void (*write)(const char *s, size_t n);
	/*
	 * Put the device back the way the kernel set it up (someone else drove it
	 * meanwhile), or NULL. Called with console_lock held.
	 */
	void (*reset)(void);
	/*
	 * Its driver drains the kernel log from where this sink went silent (the
	 * serial sink, drivers-user/uart): its first hold marks that point
	 * (KEEL_LOG_FROM_HOLD) and its last release writes what was not drained
	 * (klog_replay). Otherwise (the screen) the release shows the log's last
	 * lines (klog_replay_tail) and leaves the mark alone.
	 */
	bool drains_log;
};

#define CONSOLE_MAX_SINKS 4

/* Add a sink; ignored (there is nowhere to say so) beyond CONSOLE_MAX_SINKS. */
void console_add_sink(const struct console_sink *sink);

void console_write(const char *s, size_t n);

/*
 * Handover of a sink's device to a user-space driver (COM1 to drivers-user/
 * uart, devobj.c): while a sink has holds it is skipped (the other sinks
 * still print); the release of the last hold resets the device (sink->reset)
 * and the sink prints again, starting with the log text it missed (drains_log). Holds count, so carvings may overlap and come and
 * go in any order. A sink not registered (or NULL) is ignored.
 */
void console_sink_hold(const struct console_sink *sink);
void console_sink_release(const struct console_sink *sink);

/* Whether the sink is held now (for tests). */
bool console_sink_held(const struct console_sink *sink);

/*
 * The kernel is going down (a kernel fault's report): every held sink is reset
 * and written again from now on, whoever holds it. Never undone.
 */
void console_force(void);

/* printf to every sink; lines longer than CONSOLE_LINE_MAX are cut. */
#define CONSOLE_LINE_MAX 512
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char *fmt, va_list ap);

/*
 * Called by the exception handler before it prints: if the exception hit
 * while a sink was writing, that sink is what faulted, so it is dropped and
 * the report goes to the others. A no-op when no sink was writing.
 */
void console_drop_faulting_sink(void);

#endif
