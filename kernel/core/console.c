/*
 * kernel/core/console.c: fan-out of kernel output to the sinks (console.h).
 *
 * One CPU, interrupts off: no lock yet. When SMP arrives, a spinlock goes
 * around console_write (and the fault path must not wait for it forever).
 */
#include "core/console.h"

#include "lib/fmt.h"

static const struct console_sink *console_sinks[CONSOLE_MAX_SINKS];
static size_t console_sink_count;

/* Index of the sink being written to, or -1: read by the fault path. */
static volatile int console_writing = -1;

void console_add_sink(const struct console_sink *sink)
{
	if (console_sink_count < CONSOLE_MAX_SINKS)
		console_sinks[console_sink_count++] = sink;
}

void console_write(const char *s, size_t n)
{
	for (size_t i = 0; i < console_sink_count; i++) {
		console_writing = (int)i;
		console_sinks[i]->write(s, n);
	}
	console_writing = -1;
}

void console_drop_faulting_sink(void)
{
	int bad = console_writing;

	if (bad < 0)
		return;
	for (size_t i = (size_t)bad; i + 1 < console_sink_count; i++)
		console_sinks[i] = console_sinks[i + 1];
	console_sink_count--;
	console_writing = -1;
}

void kvprintf(const char *fmt, va_list ap)
{
	/* On the stack, so that a report printed from a fault handler cannot
	 * clobber a line that was being printed when the fault hit. */
	char line[CONSOLE_LINE_MAX];
	int n = fmt_vsnprintf(line, sizeof(line), fmt, ap);

	if (n < 0)
		return;
	console_write(line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

void kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}
