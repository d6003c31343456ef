/*
 * tests/unit/test_uprintf.c: drivers-user/lib/printf.c (keel_printf over the
 * debug log) with the two system calls it uses replaced by recorders: every
 * KEEL_SYS_DEBUG_LOG call must carry exactly one line (or one piece of
 * KEEL_LOG_LINE_MAX bytes of a longer one), without its newline.
 */
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keel.h"
#include "ktest.h"

#define RECORDS_MAX 64

static char records[RECORDS_MAX][KEEL_LOG_LINE_MAX + 1];
static size_t record_len[RECORDS_MAX];
static int record_count;
static int64_t exit_status;
static jmp_buf exit_jump;

int64_t keel_debug_log(const char *s, size_t n)
{
	if (record_count < RECORDS_MAX && n <= KEEL_LOG_LINE_MAX) {
		memcpy(records[record_count], s, n);
		records[record_count][n] = '\0';
		record_len[record_count] = n;
	}
	record_count++;
	return 0;
}

_Noreturn void keel_exit(int64_t status)
{
	exit_status = status;
	longjmp(exit_jump, 1);
}

static void records_reset(void)
{
	keel_log_flush();
	record_count = 0;
}

#define KT_RECORD(i, text)                                                                         \
	do {                                                                                       \
		if (record_count <= (i) || strcmp(records[i], (text)) != 0)                        \
			return ktest_msg("record %d: \"%s\", expected \"%s\"", (i),                \
					 record_count > (i) ? records[i] : "(none)", (text));      \
	} while (0)

static const char *test_lines(void)
{
	records_reset();
	KT_EQ(keel_printf("init: hello from user space\n"), 28);
	KT_EQ(record_count, 1);
	KT_RECORD(0, "init: hello from user space");
	/* Pieces of one line make one record; two lines in one call make two. */
	records_reset();
	keel_printf("a=%d", 1);
	keel_printf(" b=%s", "two");
	KT_EQ(record_count, 0);
	keel_printf(" c=%#x\nsecond\n", 3);
	KT_EQ(record_count, 2);
	KT_RECORD(0, "a=1 b=two c=0x3");
	KT_RECORD(1, "second");
	/* An empty line is a record of length 0; a partial line waits for the flush. */
	records_reset();
	keel_printf("\ntail");
	KT_EQ(record_count, 1);
	KT_EQ(record_len[0], 0);
	keel_log_flush();
	KT_EQ(record_count, 2);
	KT_RECORD(1, "tail");
	keel_log_flush(); /* nothing pending: no record */
	KT_EQ(record_count, 2);
	return NULL;
}

static const char *test_long_line(void)
{
	char big[3 * KEEL_LOG_LINE_MAX + 10];

	records_reset();
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	KT_EQ(keel_printf("%s\n", big), (int)sizeof(big));
	KT_EQ(record_count, 4);
	for (int i = 0; i < 3; i++)
		KT_EQ(record_len[i], KEEL_LOG_LINE_MAX);
	KT_EQ(record_len[3], 9);
	/* Longer than one call formats (1023 bytes): cut, but the length is the full one. */
	records_reset();
	KT_EQ(keel_printf("%5000s", "y"), 5000);
	keel_log_flush();
	size_t total = 0;
	for (int i = 0; i < record_count; i++)
		total += record_len[i];
	KT_EQ(total, 1023);
	records_reset();
	return NULL;
}

static const char *test_snprintf(void)
{
	char buf[8];

	KT_EQ(keel_snprintf(buf, sizeof(buf), "%s-%d", "abc", 12345), 9);
	KT_ASSERT(strcmp(buf, "abc-123") == 0);
	KT_EQ(keel_snprintf(NULL, 0, "%x", 0xbeef), 4);
	return NULL;
}

static const char *test_abort(void)
{
	records_reset();
	keel_printf("pending");
	if (setjmp(exit_jump) == 0)
		keel_abort("keel_free(%p): double free", (void *)0x1000);
	KT_EQ(exit_status, KEEL_EXIT_ABORT);
	KT_EQ(record_count, 2);
	KT_RECORD(0, "pending");
	KT_RECORD(1, "abort: keel_free(0x0000000000001000): double free");
	records_reset();
	return NULL;
}

static const struct ktest tests[] = {
    KTEST(test_lines),
    KTEST(test_long_line),
    KTEST(test_snprintf),
    KTEST(test_abort),
};

int main(void)
{
	return ktest_main(tests, KTEST_COUNT(tests));
}
