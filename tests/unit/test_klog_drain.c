/*
 * tests/unit/test_klog_drain.c: libkeel's kernel-log drain (the uart and fbcon drivers')
 * (drivers-user/lib/klog_drain.c) on the host, against a fake KEEL_INFO_LOG:
 * '\n' goes out as "\r\n" and never split across fills, the first read
 * starts at the hold, text the ring lost shows as one "[N bytes ... lost]"
 * line (on a line of its own), text longer than one read arrives whole and
 * in order, new text is read only after the bound bit's kick, and no log
 * handle means nothing to drain.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <keel/syscall.h>

#include "../../drivers-user/lib/klog_drain.h"
#include "ktest.h"

/* The fake log: positions [fake_base, fake_end) hold fake_byte(p). */
static uint64_t fake_base, fake_end, fake_hold, fake_bound_bit;
static int fake_reads;

static char fake_byte(uint64_t p)
{
	return p % 7 == 6 ? '\n' : (char)('a' + p % 26);
}

int64_t keel_info(uint64_t kind, uint64_t cpu, void *buf, size_t n)
{
	uint64_t pos, got;
	char *text = (char *)buf + 8;

	(void)cpu;
	if (kind != KEEL_INFO_LOG || n < 8)
		return -KEEL_EINVAL;
	fake_reads++;
	memcpy(&pos, buf, 8);
	if (pos == KEEL_LOG_FROM_HOLD)
		pos = fake_hold;
	if (pos > fake_end)
		return -KEEL_EINVAL;
	if (pos < fake_base)
		pos = fake_base;
	got = fake_end - pos < n - 8 ? fake_end - pos : n - 8;
	for (uint64_t i = 0; i < got; i++)
		text[i] = fake_byte(pos + i);
	memcpy(buf, &pos, 8);
	return (int64_t)got;
}

int64_t keel_irq_bind(uint64_t interrupt, uint64_t notification, uint64_t bit)
{
	(void)interrupt, (void)notification;
	fake_bound_bit = bit;
	return 0;
}

int keel_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static struct klog_drain lg;

/* Drain everything with fills of `room` bytes into out: the bytes. */
static size_t drain(uint8_t *out, size_t max, size_t room)
{
	size_t n = 0, got;

	while (n + room <= max && (got = klog_drain_take(&lg, out + n, room)) > 0)
		n += got;
	return n;
}

/* The fake text [from, to) as the line shows it ("\r\n" for '\n'). */
static size_t expect(char *out, uint64_t from, uint64_t to)
{
	size_t n = 0;

	for (uint64_t p = from; p < to; p++) {
		if (fake_byte(p) == '\n')
			out[n++] = '\r';
		out[n++] = fake_byte(p);
	}
	return n;
}

static void fake_reset(uint64_t base, uint64_t end, uint64_t hold)
{
	fake_base = base, fake_end = end, fake_hold = hold, fake_reads = 0;
}

static const char *test_from_hold_crlf(void)
{
	static uint8_t out[256];
	static char want[256];
	size_t n, w;
	int reads;

	fake_reset(0, 40, 10);
	KT_EQ(klog_drain_init(&lg, 5, 9, 1), 0);
	KT_EQ(fake_bound_bit, 1);
	n = drain(out, sizeof(out), 16);
	w = expect(want, 10, 40);
	KT_EQ(n, w);
	KT_ASSERT(memcmp(out, want, w) == 0);
	KT_EQ(lg.pos, 40);
	/* Nothing new: nothing to send, and the next text comes after. */
	KT_EQ(klog_drain_take(&lg, out, 16), 0);
	KT_EQ(klog_drain_pending(&lg), 0);
	/* New text is read only after the bound bit's kick. */
	fake_end = 50;
	reads = fake_reads;
	KT_EQ(klog_drain_take(&lg, out, 16), 0);
	KT_EQ(fake_reads, reads);
	klog_drain_kick(&lg);
	KT_EQ(klog_drain_pending(&lg), 1);
	n = drain(out, sizeof(out), 16);
	w = expect(want, 40, 50);
	KT_EQ(n, w);
	KT_ASSERT(memcmp(out, want, w) == 0);
	return NULL;
}

static const char *test_newline_not_split(void)
{
	uint8_t out[4];

	/* Bytes 5 'f', 6 '\n', 7 'h'. */
	fake_reset(0, 8, 5);
	klog_drain_init(&lg, 5, 9, 1);
	KT_EQ(klog_drain_take(&lg, out, 2), 1); /* 'f'; "\r\n" does not fit in the one left */
	KT_EQ(out[0], 'f');
	KT_EQ(klog_drain_midline(&lg), 1);
	KT_EQ(klog_drain_take(&lg, out, 2), 2);
	KT_EQ(out[0], '\r');
	KT_EQ(out[1], '\n');
	KT_EQ(klog_drain_midline(&lg), 0);
	KT_EQ(klog_drain_take(&lg, out, 1), 1);
	KT_EQ(out[0], 'h');
	KT_EQ(klog_drain_midline(&lg), 1);
	KT_EQ(klog_drain_pending(&lg), 0);
	return NULL;
}

static const char *test_lost(void)
{
	static uint8_t out[512];
	static char want[512];
	const char *note = "\r\n[15 bytes of kernel log lost]\r\n";
	size_t n, w, k = strlen(note);

	fake_reset(0, 10, 0);
	klog_drain_init(&lg, 5, 9, 1);
	drain(out, sizeof(out), 16);
	KT_EQ(klog_drain_midline(&lg), 1); /* byte 9 is 'j' */
	/* The ring moves on past what was not read: positions 10-24 are gone. */
	fake_reset(25, 40, 0);
	klog_drain_kick(&lg);
	n = drain(out, sizeof(out), 16);
	KT_ASSERT(n > k);
	KT_ASSERT(memcmp(out, note, k) == 0);
	w = expect(want, 25, 40);
	KT_EQ(n - k, w);
	KT_ASSERT(memcmp(out + k, want, w) == 0);
	KT_EQ(lg.lost, 15);
	return NULL;
}

static const char *test_long_text(void)
{
	static uint8_t out[3 * KLOG_DRAIN_BUF * 2];
	static char want[3 * KLOG_DRAIN_BUF * 2];
	uint64_t end = 3 * KLOG_DRAIN_BUF + 5;
	size_t n, w;

	fake_reset(0, end, 0);
	klog_drain_init(&lg, 5, 9, 1);
	n = drain(out, sizeof(out), 16);
	w = expect(want, 0, end);
	KT_EQ(n, w);
	KT_ASSERT(memcmp(out, want, w) == 0);
	KT_ASSERT(fake_reads >= 4);
	return NULL;
}

static const char *test_no_log(void)
{
	uint8_t out[16];

	fake_reset(0, 40, 0);
	fake_bound_bit = 99;
	KT_EQ(klog_drain_init(&lg, KEEL_MSG_NO_HANDLE, 9, 1), 0);
	KT_EQ(fake_bound_bit, 99);
	KT_EQ(klog_drain_take(&lg, out, sizeof(out)), 0);
	KT_EQ(klog_drain_fetch(&lg), 0);
	KT_EQ(fake_reads, 0);
	return NULL;
}

static const struct ktest tests[] = {
    KTEST(test_from_hold_crlf), KTEST(test_newline_not_split),
    KTEST(test_lost),           KTEST(test_long_text),
    KTEST(test_no_log),
};

int main(void)
{
	return ktest_main(tests, KTEST_COUNT(tests));
}
