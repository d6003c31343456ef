/*
 * tests/unit/test_shell.c: the shell's pure parts on the host: the line
 * editor (drivers-user/shell/lineedit.c: typing, backspace, Enter as CR, LF
 * or CR LF, ctrl-c, characters it must ignore, a line longer than it holds)
 * and the command parser (parse.c: words, numbers with their overflow and
 * junk, the hex dump's lines).
 */
#include <stdint.h>
#include <string.h>

#include "../../drivers-user/shell/lineedit.h"
#include "../../drivers-user/shell/parse.h"
#include "ktest.h"

/* Type s into e; the last result, and everything echoed in echo_all (NUL-terminated). */
static enum lineedit_result type(struct lineedit *e, const char *s, char *echo_all, size_t size)
{
	enum lineedit_result r = LINEEDIT_MORE;
	char echo[LINEEDIT_ECHO];
	size_t n, k = 0;

	for (; *s; s++) {
		r = lineedit_key(e, (uint8_t)*s, echo, &n);
		if (k + n < size) {
			memcpy(echo_all + k, echo, n);
			k += n;
		}
	}
	echo_all[k] = '\0';
	return r;
}

static const char *test_lineedit_typing(void)
{
	struct lineedit e;
	char echo[256];

	lineedit_reset(&e);
	KT_EQ(type(&e, "echo hi", echo, sizeof(echo)), LINEEDIT_MORE);
	KT_ASSERT(strcmp(echo, "echo hi") == 0);
	KT_EQ(type(&e, "\r", echo, sizeof(echo)), LINEEDIT_DONE);
	KT_ASSERT(strcmp(echo, "\r\n") == 0);
	KT_ASSERT(strcmp(e.text, "echo hi") == 0);
	/* A LF after the CR is the same Enter: nothing, and the next line starts empty. */
	KT_EQ(type(&e, "\nls\n", echo, sizeof(echo)), LINEEDIT_DONE);
	KT_ASSERT(strcmp(e.text, "ls") == 0);
	/* A LF alone ends a line too (the keyboard's Enter); an empty line is a line. */
	KT_EQ(type(&e, "\n", echo, sizeof(echo)), LINEEDIT_DONE);
	KT_ASSERT(strcmp(e.text, "") == 0);
	return NULL;
}

static const char *test_lineedit_backspace(void)
{
	struct lineedit e;
	char echo[256];

	lineedit_reset(&e);
	KT_EQ(type(&e, "ab\b", echo, sizeof(echo)), LINEEDIT_MORE);
	KT_ASSERT(strcmp(echo, "ab\b \b") == 0);
	/* DEL as serial terminals send it; past the start nothing is echoed. */
	KT_EQ(type(&e, "\x7f\x7f\b", echo, sizeof(echo)), LINEEDIT_MORE);
	KT_ASSERT(strcmp(echo, "\b \b") == 0);
	KT_EQ(type(&e, "cd\r", echo, sizeof(echo)), LINEEDIT_DONE);
	KT_ASSERT(strcmp(e.text, "cd") == 0);
	return NULL;
}

static const char *test_lineedit_ctrl_c_and_junk(void)
{
	struct lineedit e;
	char echo[256];

	lineedit_reset(&e);
	KT_EQ(type(&e, "kill uart\x03", echo, sizeof(echo)), LINEEDIT_CANCEL);
	KT_ASSERT(strcmp(echo, "kill uart^C\r\n") == 0);
	/* Control characters, escapes and bytes above 0x7e are ignored, echoing nothing. */
	KT_EQ(type(&e, "\x1b[A\x01\t\xff\x80x\n", echo, sizeof(echo)), LINEEDIT_DONE);
	KT_ASSERT(strcmp(e.text, "[Ax") == 0);
	KT_ASSERT(strcmp(echo, "[Ax\r\n") == 0);
	return NULL;
}

static const char *test_lineedit_full_line(void)
{
	struct lineedit e;
	char echo[512], in[LINEEDIT_MAX + 11];

	lineedit_reset(&e);
	memset(in, 'a', sizeof(in) - 1);
	in[sizeof(in) - 1] = '\0';
	type(&e, in, echo, sizeof(echo));
	KT_EQ(strlen(echo), LINEEDIT_MAX); /* the rest was neither taken nor echoed */
	KT_EQ(type(&e, "\bz\r", echo, sizeof(echo)), LINEEDIT_DONE);
	KT_EQ(strlen(e.text), LINEEDIT_MAX);
	KT_EQ(e.text[LINEEDIT_MAX - 1], 'z');
	return NULL;
}

static const char *test_parse_split(void)
{
	char line[] = "  blk\t-d  disk read 0x10  ";
	char *argv[PARSE_ARGS];
	char many[PARSE_ARGS * 2 + 8];

	KT_EQ(parse_split(line, argv, PARSE_ARGS), 5);
	KT_ASSERT(strcmp(argv[0], "blk") == 0 && strcmp(argv[1], "-d") == 0);
	KT_ASSERT(strcmp(argv[2], "disk") == 0 && strcmp(argv[3], "read") == 0);
	KT_ASSERT(strcmp(argv[4], "0x10") == 0);
	char blank[] = " \t ";
	KT_EQ(parse_split(blank, argv, PARSE_ARGS), 0);
	/* One word too many: refused, not cut. */
	for (int i = 0; i <= PARSE_ARGS; i++)
		many[2 * i] = 'w', many[2 * i + 1] = ' ';
	many[2 * (PARSE_ARGS + 1)] = '\0';
	KT_EQ(parse_split(many, argv, PARSE_ARGS), -1);
	return NULL;
}

static const char *test_parse_u64(void)
{
	uint64_t v = 7;

	KT_EQ(parse_u64("0", &v), 0);
	KT_EQ(v, 0);
	KT_EQ(parse_u64("123", &v), 0);
	KT_EQ(v, 123);
	KT_EQ(parse_u64("0x1F", &v), 0);
	KT_EQ(v, 31);
	KT_EQ(parse_u64("18446744073709551615", &v), 0);
	KT_ASSERT(v == UINT64_MAX);
	KT_EQ(parse_u64("0xffffffffffffffff", &v), 0);
	KT_ASSERT(v == UINT64_MAX);
	v = 7;
	KT_EQ(parse_u64("18446744073709551616", &v), -1); /* overflow */
	KT_EQ(parse_u64("0x10000000000000000", &v), -1);
	KT_EQ(parse_u64("", &v), -1);
	KT_EQ(parse_u64("0x", &v), -1);
	KT_EQ(parse_u64("-1", &v), -1);
	KT_EQ(parse_u64("12a", &v), -1);
	KT_EQ(parse_u64("0x1g", &v), -1);
	KT_EQ(parse_u64(" 1", &v), -1);
	KT_EQ(v, 7); /* untouched by every refusal */
	return NULL;
}

static const char *test_parse_dump_line(void)
{
	uint8_t b[16];
	char out[PARSE_DUMP_LINE];

	for (int i = 0; i < 16; i++)
		b[i] = (uint8_t)(i * 0x11);
	b[14] = 0x55, b[15] = 0xaa;
	parse_dump_line(out, 0x1f0, b, 16);
	KT_ASSERT(strcmp(out, "0x01f0: 00 11 22 33 44 55 66 77 88 99 aa bb cc dd 55 aa") == 0);
	parse_dump_line(out, 0, b, 2);
	KT_ASSERT(strcmp(out, "0x0000: 00 11") == 0);
	/* More than 16 bytes asked: one line's worth only, within the buffer. */
	parse_dump_line(out, 0xffff, b, 64);
	KT_EQ(strlen(out), 7 + 16 * 3);
	return NULL;
}

static const struct ktest tests[] = {
    KTEST(test_lineedit_typing),
    KTEST(test_lineedit_backspace),
    KTEST(test_lineedit_ctrl_c_and_junk),
    KTEST(test_lineedit_full_line),
    KTEST(test_parse_split),
    KTEST(test_parse_u64),
    KTEST(test_parse_dump_line),
};

int main(void)
{
	return ktest_main(tests, KTEST_COUNT(tests));
}
