/*
 * kernel/core/console.c: fan-out of kernel output to the sinks (console.h).
 *
 * console_lock keeps lines from different CPUs whole. Sinks are added only
 * on the boot CPU before the others start. A fault while this CPU holds it (a sink that faults
 * mid-write, then the report of that fault) must not wait for itself: the lock records its holder,
 * and the holder's nested writes go through without it.
 *
 * A sink handed over to a user-space driver (console_sink_hold) is skipped.
 * Its hold count, like the sink list, is under console_lock: a write sees a
 * sink held or not for the whole line, so a hold never cuts a line in two,
 * and the reset after the last release (which reprograms the UART) cannot
 * interleave with a write's bytes. console_forced (a kernel fault being
 * reported) overrides the holds for good.
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
static uint32_t console_holds[CONSOLE_MAX_SINKS]; /* by index, beside console_sinks */
static size_t console_sink_count;
static volatile bool console_forced; /* set once, read without the lock */

/* Index of the sink being written to, or -1: read by the fault path. */
static volatile int console_writing = -1;

void console_add_sink(const struct console_sink *sink)
{
	if (console_sink_count < CONSOLE_MAX_SINKS)
		console_sinks[console_sink_count++] = sink;
}

/* Take console_lock (interrupts off) unless this CPU holds it; true: taken here. */
static bool console_lock_take(uint64_t *flags)
{
	uint32_t me;

	*flags = arch_irq_save();
	me = arch_cpu_index();
	if (console_owner == me)
		return false;
	spin_lock(&console_lock);
	console_owner = me;
	return true;
}

static void console_lock_give(bool taken, uint64_t flags)
{
	if (taken) {
		console_owner = CONSOLE_NO_OWNER;
		spin_unlock(&console_lock);
	}
	arch_irq_restore(flags);
}

void console_write(const char *s, size_t n)
{
	uint64_t flags;
	bool taken = console_lock_take(&flags);

	/* Into the log first, held sinks or not (klog.c calls nothing out). */
	klog_append(s, n);
	for (size_t i = 0; i < console_sink_count; i++) {
		if (console_holds[i] && !console_forced)
			continue; /* a driver has the device */
		console_writing = (int)i;
		console_sinks[i]->write(s, n);
	}
	console_writing = -1;
	console_lock_give(taken, flags);
}

/* The index of sink, or -1. console_lock held. */
static int console_sink_index(const struct console_sink *sink)
{
	for (size_t i = 0; sink && i < console_sink_count; i++)
		if (console_sinks[i] == sink)
			return (int)i;
	return -1;
}

void console_sink_hold(const struct console_sink *sink)
{
	uint64_t flags;
	bool taken = console_lock_take(&flags);
	int i = console_sink_index(sink);

	/* Where this sink went silent: its driver's first read (KEEL_LOG_FROM_HOLD). */
	if (i >= 0 && console_holds[i]++ == 0 && sink->drains_log)
		klog_mark_hold();
	console_lock_give(taken, flags);
}

void console_sink_release(const struct console_sink *sink)
{
	uint64_t flags;
	bool taken = console_lock_take(&flags);
	int i = console_sink_index(sink);

	/* The driver may have left the device in any state: set it up again before printing. */
	if (i >= 0 && console_holds[i] && --console_holds[i] == 0) {
		if (sink->reset)
			sink->reset();
		/* What its driver did not drain of the log goes out now (klog.h). */
		console_writing = i;
		if (sink->drains_log)
			klog_replay(sink->write);
		else
			klog_replay_tail(sink->write);
		console_writing = -1;
	}
	console_lock_give(taken, flags);
}

bool console_sink_held(const struct console_sink *sink)
{
	uint64_t flags;
	bool taken = console_lock_take(&flags);
	int i = console_sink_index(sink);
	bool held = i >= 0 && console_holds[i] != 0;

	console_lock_give(taken, flags);
	return held;
}

void console_force(void)
{
	uint64_t flags;
	bool taken;

	if (console_forced)
		return;
	/*
	 * Under the lock like a write, so that no line is half through a sink
	 * being reset. A CPU stuck holding it stops this report as it would any
	 * other line (the exception path has always waited here).
	 */
	taken = console_lock_take(&flags);
	for (size_t i = 0; i < console_sink_count; i++)
		if (console_holds[i] && console_sinks[i]->reset)
			console_sinks[i]->reset();
	console_forced = true;
	console_lock_give(taken, flags);
}

void console_drop_faulting_sink(void)
{
	int bad = console_writing;

	if (bad < 0)
		return;
	for (size_t i = (size_t)bad; i + 1 < console_sink_count; i++) {
		console_sinks[i] = console_sinks[i + 1];
		console_holds[i] = console_holds[i + 1];
	}
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
