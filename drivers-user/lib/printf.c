/*
 * drivers-user/lib/printf.c: keel_printf and friends over KEEL_SYS_DEBUG_LOG.
 *
 * Formatting is the kernel's own pure formatter (kernel/lib/fmt.c, compiled
 * into libkeel as it is). Text is cut into lines here, so that each kernel log
 * record is one whole line whatever the program's printf calls look like:
 * keel_printf("a"); keel_printf("b\n") logs "ab" once. The line buffer is
 * static: libkeel is single-threaded for now (keel.h).
 *
 * keel_output_set routes the lines elsewhere (keel_console_open: through the
 * uart driver, drivers-user/lib/console.c) instead of the kernel's log.
 */
#include "keel.h"

#include "lib/fmt.h"

/* The most one keel_printf call formats; the rest of a longer output is cut. */
#define PRINTF_MAX 1024

static char log_line[KEEL_LOG_LINE_MAX];
static size_t log_len; /* bytes of log_line in use, < KEEL_LOG_LINE_MAX */
static void (*out_line)(const char *s, size_t n); /* NULL: the kernel's log */
static void (*out_drain)(void);

void keel_output_set(void (*line)(const char *s, size_t n), void (*drain)(void))
{
	out_line = line;
	out_drain = drain;
}

/* One line (without its newline) to wherever output goes. */
static void log_emit(const char *s, size_t n)
{
	if (out_line)
		out_line(s, n);
	else
		keel_debug_log(s, n);
}

void keel_log_flush(void)
{
	if (log_len > 0)
		log_emit(log_line, log_len);
	log_len = 0;
}

void keel_output_drain(void)
{
	keel_log_flush();
	if (out_drain)
		out_drain();
}

static void log_put(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n') {
			/* An empty line is logged too: it is part of the output. */
			log_emit(log_line, log_len);
			log_len = 0;
			continue;
		}
		log_line[log_len++] = s[i];
		if (log_len == KEEL_LOG_LINE_MAX)
			keel_log_flush();
	}
}

int keel_vprintf(const char *fmt, va_list ap)
{
	char buf[PRINTF_MAX];
	int n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);

	if (n < 0)
		return n;
	log_put(buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
	return n;
}

int keel_printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = keel_vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int keel_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	return fmt_vsnprintf(buf, size, fmt, ap);
}

int keel_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

_Noreturn void keel_abort(const char *fmt, ...)
{
	char buf[KEEL_LOG_LINE_MAX];
	va_list ap;
	int n;

	keel_log_flush();
	n = fmt_snprintf(buf, sizeof(buf), "abort: ");
	va_start(ap, fmt);
	fmt_vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	va_end(ap);
	log_emit(buf, strlen(buf));
	if (out_drain)
		out_drain();
	keel_exit(KEEL_EXIT_ABORT);
}
