/*
 * tests/unit/test_cmdline.c: efi/cmdline.c, the kernel command line from
 * keel.conf and from keel.efi's arguments.
 */
#include <string.h>

#include <keel/boot.h>

#include "ktest.h"
#include "../../efi/cmdline.h"

static char out[KEEL_CMDLINE_MAX];

static int conf(const char *text)
{
	memset(out, 'Z', sizeof(out));
	return cmdline_from_conf(text, strlen(text), out, sizeof(out));
}

static const char *test_conf_empty(void)
{
	KT_EQ(conf(""), CMDLINE_OK);
	KT_ASSERT(strcmp(out, "") == 0);
	KT_EQ(conf("\n\n  \t\r\n"), CMDLINE_OK);
	KT_ASSERT(strcmp(out, "") == 0);
	KT_EQ(conf("# only a comment\n   # another\n"), CMDLINE_OK);
	KT_ASSERT(strcmp(out, "") == 0);
	return NULL;
}

static const char *test_conf_shipped_file(void)
{
	KT_EQ(conf("# Keel kernel command line: one line; '#' starts a comment.\n"
		   "# Arguments given to keel.efi in the UEFI Shell replace this line.\n"
		   "console=serial,fb\n"),
	      CMDLINE_OK);
	KT_ASSERT(strcmp(out, "console=serial,fb") == 0);
	return NULL;
}

static const char *test_conf_lines_joined(void)
{
	KT_EQ(conf("  a=1   b \r\n\tc\t\n\n d # e f\n#g\nh#\ni"), CMDLINE_OK);
	KT_ASSERT(strcmp(out, "a=1 b c d h i") == 0);
	/* A '#' right after a word still separates it from the next line. */
	KT_EQ(conf("x#y\nz"), CMDLINE_OK);
	KT_ASSERT(strcmp(out, "x z") == 0);
	return NULL;
}

static const char *test_conf_without_final_newline(void)
{
	KT_EQ(conf("test"), CMDLINE_OK);
	KT_ASSERT(strcmp(out, "test") == 0);
	return NULL;
}

static const char *test_conf_rejects_control_bytes(void)
{
	KT_EQ(conf("a\x01"
		   "b"),
	      CMDLINE_ECHAR);
	KT_ASSERT(strcmp(out, "") == 0);
	KT_EQ(conf("caf\xc3\xa9"), CMDLINE_ECHAR);
	KT_EQ(conf("a\x7f"), CMDLINE_ECHAR);
	KT_EQ(conf("a\fb"), CMDLINE_ECHAR);
	/* A NUL inside the file is a byte like any other. */
	KT_EQ(cmdline_from_conf("a\0b", 3, out, sizeof(out)), CMDLINE_ECHAR);
	return NULL;
}

static const char *test_conf_comment_may_hold_anything(void)
{
	KT_EQ(conf("ok # caf\xc3\xa9 \x01\x7f\n"), CMDLINE_OK);
	KT_ASSERT(strcmp(out, "ok") == 0);
	return NULL;
}

static const char *test_conf_length_limit(void)
{
	static char text[4096];

	/* 1023 characters fit with the NUL ... */
	memset(text, 'a', KEEL_CMDLINE_MAX - 1);
	text[KEEL_CMDLINE_MAX - 1] = '\0';
	KT_EQ(conf(text), CMDLINE_OK);
	KT_EQ(strlen(out), KEEL_CMDLINE_MAX - 1);
	/* ... 1024 do not. */
	memset(text, 'a', KEEL_CMDLINE_MAX);
	text[KEEL_CMDLINE_MAX] = '\0';
	KT_EQ(conf(text), CMDLINE_ETOOLONG);
	KT_ASSERT(strcmp(out, "") == 0);
	/* The joining space counts; trailing blanks and comments do not. */
	memset(text, 'b', KEEL_CMDLINE_MAX - 3);
	strcpy(text + KEEL_CMDLINE_MAX - 3, "\nc    # long comment .......\n\n");
	KT_EQ(conf(text), CMDLINE_OK);
	KT_EQ(strlen(out), KEEL_CMDLINE_MAX - 1);
	KT_EQ(out[KEEL_CMDLINE_MAX - 3], ' ');
	memset(text, 'b', KEEL_CMDLINE_MAX - 2);
	strcpy(text + KEEL_CMDLINE_MAX - 2, "\nc");
	KT_EQ(conf(text), CMDLINE_ETOOLONG);
	return NULL;
}

static const char *test_conf_tiny_buffers(void)
{
	char small[2];
	KT_EQ(cmdline_from_conf("x", 1, small, 0), CMDLINE_ETOOLONG);
	KT_EQ(cmdline_from_conf("x", 1, small, 1), CMDLINE_ETOOLONG);
	KT_EQ(cmdline_from_conf(" ", 1, small, 1), CMDLINE_OK);
	KT_EQ(small[0], '\0');
	KT_EQ(cmdline_from_conf("x", 1, small, 2), CMDLINE_OK);
	KT_ASSERT(strcmp(small, "x") == 0);
	return NULL;
}

static const char *test_append_words(void)
{
	static const uint16_t first[] = {'h', 'a', 'n', 'd', 'o', 'f', 'f', 0};
	static const uint16_t second[] = {' ', 'a', '=', '1', '\t', ' ', 'b', ' ', 0};

	out[0] = '\0';
	KT_EQ(cmdline_append_ucs2(out, sizeof(out), first, SIZE_MAX), CMDLINE_OK);
	KT_ASSERT(strcmp(out, "handoff") == 0);
	KT_EQ(cmdline_append_ucs2(out, sizeof(out), second, SIZE_MAX), CMDLINE_OK);
	KT_ASSERT(strcmp(out, "handoff a=1 b") == 0);
	return NULL;
}

static const char *test_append_stops_at_count_or_nul(void)
{
	static const uint16_t s[] = {'a', 'b', 'c', 0, 'd'};

	out[0] = '\0';
	KT_EQ(cmdline_append_ucs2(out, sizeof(out), s, 2), CMDLINE_OK);
	KT_ASSERT(strcmp(out, "ab") == 0);
	out[0] = '\0';
	KT_EQ(cmdline_append_ucs2(out, sizeof(out), s, 5), CMDLINE_OK);
	KT_ASSERT(strcmp(out, "abc") == 0);
	return NULL;
}

static const char *test_append_blank_only_adds_nothing(void)
{
	static const uint16_t s[] = {' ', '\t', 0};

	strcpy(out, "x");
	KT_EQ(cmdline_append_ucs2(out, sizeof(out), s, SIZE_MAX), CMDLINE_OK);
	KT_ASSERT(strcmp(out, "x") == 0);
	return NULL;
}

static const char *test_append_rejects_non_ascii(void)
{
	static const uint16_t s[] = {'o', 'k', ' ', 0x00e9, 0};
	static const uint16_t ctl[] = {0x1b, 0};

	strcpy(out, "keep");
	KT_EQ(cmdline_append_ucs2(out, sizeof(out), s, SIZE_MAX), CMDLINE_ECHAR);
	KT_ASSERT(strcmp(out, "keep") == 0);
	KT_EQ(cmdline_append_ucs2(out, sizeof(out), ctl, SIZE_MAX), CMDLINE_ECHAR);
	KT_ASSERT(strcmp(out, "keep") == 0);
	return NULL;
}

static const char *test_append_length_limit(void)
{
	static uint16_t s[KEEL_CMDLINE_MAX + 1];

	for (size_t i = 0; i < KEEL_CMDLINE_MAX - 3; i++)
		s[i] = 'w';
	s[KEEL_CMDLINE_MAX - 3] = 0;
	strcpy(out, "a");
	/* "a" + " " + 1021 characters = 1023: fits. */
	KT_EQ(cmdline_append_ucs2(out, sizeof(out), s, SIZE_MAX), CMDLINE_OK);
	KT_EQ(strlen(out), KEEL_CMDLINE_MAX - 1);
	strcpy(out, "ab");
	KT_EQ(cmdline_append_ucs2(out, sizeof(out), s, SIZE_MAX), CMDLINE_ETOOLONG);
	KT_ASSERT(strcmp(out, "ab") == 0);
	return NULL;
}

static const char *test_is_text(void)
{
	static const uint16_t text[] = {'h', 'a', 'n', 'd', 'o', 'f', 'f', 0, 0};
	static const uint16_t no_nul[] = {'a', ' ', 'b'};
	static const uint16_t binary[] = {0x0881, 0x4eac, 0x9a3d};
	static const uint16_t junk_after_nul[] = {'a', 0, 'b', 0};
	static const uint16_t leading_nul[] = {0, 'a'};
	static const uint16_t blanks[] = {' ', 0};
	size_t units = 99;

	KT_ASSERT(cmdline_is_text(text, sizeof(text), &units));
	KT_EQ(units, 7);
	KT_ASSERT(cmdline_is_text(no_nul, sizeof(no_nul), &units));
	KT_EQ(units, 3);
	KT_ASSERT(cmdline_is_text(blanks, sizeof(blanks), &units));
	KT_EQ(units, 1);
	KT_ASSERT(!cmdline_is_text(binary, sizeof(binary), &units));
	KT_EQ(units, 0);
	KT_ASSERT(!cmdline_is_text(junk_after_nul, sizeof(junk_after_nul), &units));
	KT_ASSERT(!cmdline_is_text(leading_nul, sizeof(leading_nul), &units));
	KT_ASSERT(!cmdline_is_text(text, 0, &units));
	KT_ASSERT(!cmdline_is_text(text, 3, &units));
	KT_ASSERT(!cmdline_is_text(NULL, 4, &units));
	return NULL;
}

static const char *test_take_word(void)
{
	strcpy(out, "handoff");
	KT_ASSERT(cmdline_take_word(out, "handoff"));
	KT_ASSERT(strcmp(out, "") == 0);
	strcpy(out, "handoff console=serial test");
	KT_ASSERT(cmdline_take_word(out, "handoff"));
	KT_ASSERT(strcmp(out, "console=serial test") == 0);
	strcpy(out, "handoffs");
	KT_ASSERT(!cmdline_take_word(out, "handoff"));
	KT_ASSERT(strcmp(out, "handoffs") == 0);
	strcpy(out, "test handoff");
	KT_ASSERT(!cmdline_take_word(out, "handoff"));
	strcpy(out, "");
	KT_ASSERT(!cmdline_take_word(out, "handoff"));
	return NULL;
}

static const char *test_strerror_distinct(void)
{
	KT_ASSERT(strcmp(cmdline_strerror(CMDLINE_ECHAR), cmdline_strerror(CMDLINE_ETOOLONG)) != 0);
	KT_ASSERT(strcmp(cmdline_strerror(-99), cmdline_strerror(CMDLINE_ECHAR)) != 0);
	return NULL;
}

static const struct ktest tests[] = {
    KTEST(test_conf_empty),
    KTEST(test_conf_shipped_file),
    KTEST(test_conf_lines_joined),
    KTEST(test_conf_without_final_newline),
    KTEST(test_conf_rejects_control_bytes),
    KTEST(test_conf_comment_may_hold_anything),
    KTEST(test_conf_length_limit),
    KTEST(test_conf_tiny_buffers),
    KTEST(test_append_words),
    KTEST(test_append_stops_at_count_or_nul),
    KTEST(test_append_blank_only_adds_nothing),
    KTEST(test_append_rejects_non_ascii),
    KTEST(test_append_length_limit),
    KTEST(test_is_text),
    KTEST(test_take_word),
    KTEST(test_strerror_distinct),
};

int main(void)
{
	return ktest_main(tests, KTEST_COUNT(tests));
}
