/*
 * kernel/core/console.c: fan-out of kernel output to the sinks (console.h).
 *
 * console_lock keeps lines from different CPUs whole. Sinks are added only
 * on the boot CPU before the others start. A fault while this CPU holds it (a sink that faults
 * mid-write, then the report of that fault) must not wait for itself: the lock records its holder,
 * and the holder's nested writes go through without it.
 */
#include "core/console.h"

#include "core/arch.h"
#include "core/klog.h"
#include "core/spinlock.h"
#include "lib/fmt.h"

#define CONSOLE_NO_OWNER UINT32_MAX

static struct spinlock console_lock = SPINLOCK_INIT;
static volatile uint32_t console_owner = CONSOLE_NO_OWNER; /* CPU index holding console_lock */

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
	uint64_t flags = arch_irq_save();
	uint32_t me = arch_cpu_index();
	bool nested = console_owner == me;

	if (!nested) {
		spin_lock(&console_lock);
		console_owner = me;
	}
	/* Into the log first, in the order the sinks see it (klog.c: calls nothing out). */
	klog_append(s, n);
	for (size_t i = 0; i < console_sink_count; i++) {
		console_writing = (int)i;
		console_sinks[i]->write(s, n);
	}
	console_writing = -1;
	if (!nested) {
		console_owner = CONSOLE_NO_OWNER;
		spin_unlock(&console_lock);
	}
	arch_irq_restore(flags);
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
