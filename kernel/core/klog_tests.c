/*
 * kernel/core/klog_tests.c: the kernel log ring (klog.h) from inside: a line
 * the kernel printed read back whole, more than KLOG_SIZE written (the
 * first position returned moves past what was lost, and the text is the
 * newest), and positions past the end refused. The system call, the log
 * object and its binding are tested from user space (drivers-user/utest
 * case_log, the proc suite).
 */
#include <keel/syscall.h>

#include "core/arch.h"
#include "core/console.h"
#include "core/klog.h"
#include "core/ktest.h"
#include "lib/fmt.h"
#include "lib/kstring.h"

#define KLOG_TEST_LINE  32 /* bytes of each line the lost-bytes test writes */
#define KLOG_TEST_LINES (KLOG_SIZE / KLOG_TEST_LINE + 200)

static char klog_test_buf[KLOG_SIZE];

/* Whether [s, s + n) holds `word`. */
static bool klog_test_has(const char *s, size_t n, const char *word)
{
	size_t w = strlen(word);

	for (size_t i = 0; i + w <= n; i++)
		if (memcmp(s + i, word, w) == 0)
			return true;
	return false;
}

/* One line the lost-bytes test writes: exactly KLOG_TEST_LINE bytes. */
static void klog_test_line(char *line, uint32_t i)
{
	fmt_snprintf(line, KLOG_TEST_LINE + 1, "# klog lost-bytes line %08u\n", i);
}

static const char *test_klog_read_back(void)
{
	char word[64];
	uint64_t before = klog_end(), first = 0;
	int64_t n;

	fmt_snprintf(word, sizeof(word), "klog read-back %llu", (unsigned long long)klog_end());
	kprintf("# %s\n", word);
	n = klog_read(before, klog_test_buf, sizeof(klog_test_buf), &first);
	if (n < 0)
		return ktest_fail("klog_read from %llu: %lld", (unsigned long long)before,
				  (long long)n);
	if (first != before)
		return ktest_fail("first byte at %llu, asked %llu", (unsigned long long)first,
				  (unsigned long long)before);
	if (!klog_test_has(klog_test_buf, (size_t)n, word))
		return ktest_fail("the line printed is not in the %lld bytes read", (long long)n);
	return NULL;
}

static const char *test_klog_lost_bytes(void)
{
	char line[KLOG_TEST_LINE + 1], want[KLOG_TEST_LINE + 1];
	uint64_t start = klog_end(), first = 0, flags;
	int64_t n;

	/* Straight into the ring (not the sinks: 70 KiB on the screen would take long). */
	for (uint32_t i = 0; i < KLOG_TEST_LINES; i++) {
		klog_test_line(line, i);
		flags = arch_irq_save();
		klog_append(line, KLOG_TEST_LINE);
		arch_irq_restore(flags);
	}
	n = klog_read(start, klog_test_buf, sizeof(klog_test_buf), &first);
	if (n != KLOG_SIZE)
		return ktest_fail("read %lld bytes, expected the whole ring (%u)", (long long)n,
				  KLOG_SIZE);
	if (first <= start)
		return ktest_fail("first byte at %llu, not past %llu", (unsigned long long)first,
				  (unsigned long long)start);
	/* The ring keeps exactly the last KLOG_SIZE bytes: what was lost is the rest. */
	if (first != klog_end() - KLOG_SIZE && klog_end() - first != (uint64_t)n)
		return ktest_fail("first %llu, end %llu", (unsigned long long)first,
				  (unsigned long long)klog_end());
	/* Nothing else printed meanwhile (one CPU runs tests): lines start on 32-byte steps. */
	if ((first - start) % KLOG_TEST_LINE == 0) {
		uint32_t i = (uint32_t)((first - start) / KLOG_TEST_LINE);

		klog_test_line(want, i);
		if (memcmp(klog_test_buf, want, KLOG_TEST_LINE) != 0)
			return ktest_fail("the oldest text kept is not line %u", i);
		klog_test_line(want, KLOG_TEST_LINES - 1);
		if (memcmp(klog_test_buf + n - KLOG_TEST_LINE, want, KLOG_TEST_LINE) != 0)
			return ktest_fail("the newest text is not the last line written");
	}
	kprintf("# klog_lost_bytes: %llu bytes lost of %u written\n",
		(unsigned long long)(first - start), KLOG_TEST_LINES * KLOG_TEST_LINE);
	return NULL;
}

static const char *test_klog_positions(void)
{
	uint64_t end = klog_end(), first = 1;
	int64_t n = klog_read(end + 1, klog_test_buf, 16, &first);

	if (n != -KEEL_EINVAL)
		return ktest_fail("a position past the end: %lld, expected -KEEL_EINVAL",
				  (long long)n);
	if ((n = klog_read(~1ull, klog_test_buf, 16, &first)) != -KEEL_EINVAL)
		return ktest_fail("position 2^64 - 2: %lld, expected -KEEL_EINVAL", (long long)n);
	first = 1;
	if ((n = klog_read(end, klog_test_buf, sizeof(klog_test_buf), &first)) < 0 || first != end)
		return ktest_fail("at the end: %lld bytes from %llu, expected text from %llu",
				  (long long)n, (unsigned long long)first, (unsigned long long)end);
	if ((n = klog_read(KEEL_LOG_FROM_HOLD, klog_test_buf, 0, &first)) != 0)
		return ktest_fail("from the hold, 0 bytes wanted: %lld", (long long)n);
	return NULL;
}

static const struct ktest klog_tests[] = {
    KTEST(klog_read_back),
    KTEST(klog_lost_bytes),
    KTEST(klog_positions),
};

const struct ktest_suite klog_test_suite = {klog_tests, KTEST_COUNT(klog_tests)};
