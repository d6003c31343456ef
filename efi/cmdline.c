/*
 * efi/cmdline.c: the kernel command line from keel.conf and from keel.efi's
 * arguments (see cmdline.h). Pure logic: no UEFI headers, no globals.
 */
#include "cmdline.h"

#include <keel/boot.h>

#include "lib/kstring.h"

/* cmdline_strerror() names the limit the stub passes as cap. */
_Static_assert(KEEL_CMDLINE_MAX == 1024, "update the CMDLINE_ETOOLONG text");

static bool cmdline_is_blank(uint32_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool cmdline_is_word_char(uint32_t c)
{
	return c > 0x20 && c < 0x7f;
}

/*
 * Builds a command line one character at a time. `pending_space` defers the
 * separator until the next word starts, so that blanks never lead or trail.
 */
struct cmdline_builder {
	char *out;
	size_t cap;
	size_t len;
	bool pending_space;
};

static void cmdline_builder_init(struct cmdline_builder *b, char *out, size_t cap, size_t len)
{
	b->out = out;
	b->cap = cap;
	b->len = len;
	b->pending_space = false;
}

/* Feed one character: a blank ends the current word, anything else extends it. */
static int cmdline_builder_put(struct cmdline_builder *b, uint32_t c)
{
	if (cmdline_is_blank(c)) {
		if (b->len > 0)
			b->pending_space = true;
		return CMDLINE_OK;
	}
	if (!cmdline_is_word_char(c))
		return CMDLINE_ECHAR;
	size_t need = b->pending_space ? 2 : 1;
	/* Keep room for the NUL: at most cap - 1 characters. */
	if (b->cap == 0 || need > b->cap - 1 - b->len)
		return CMDLINE_ETOOLONG;
	if (b->pending_space)
		b->out[b->len++] = ' ';
	b->out[b->len++] = (char)c;
	b->pending_space = false;
	return CMDLINE_OK;
}

int cmdline_from_conf(const char *text, size_t len, char *out, size_t cap)
{
	struct cmdline_builder b;
	bool in_comment = false;

	if (cap == 0)
		return CMDLINE_ETOOLONG;
	cmdline_builder_init(&b, out, cap, 0);
	for (size_t i = 0; i < len; i++) {
		uint8_t c = (uint8_t)text[i];
		if (c == '\n') {
			in_comment = false;
		} else if (in_comment) {
			continue;
		} else if (c == '#') {
			in_comment = true;
			/* A comment ends the word before it, like a blank. */
			c = ' ';
		}
		int rc = cmdline_builder_put(&b, c);
		if (rc != CMDLINE_OK) {
			out[0] = '\0';
			return rc;
		}
	}
	out[b.len] = '\0';
	return CMDLINE_OK;
}

int cmdline_append_ucs2(char *out, size_t cap, const uint16_t *s, size_t n)
{
	struct cmdline_builder b;
	size_t start = strlen(out);

	if (start >= cap)
		return CMDLINE_ETOOLONG;
	cmdline_builder_init(&b, out, cap, start);
	/* The first word of s is separated from what out already holds. */
	b.pending_space = start > 0;
	for (size_t i = 0; i < n && s[i] != 0; i++) {
		int rc = cmdline_builder_put(&b, s[i]);
		if (rc != CMDLINE_OK) {
			out[start] = '\0';
			return rc;
		}
	}
	out[b.len] = '\0';
	return CMDLINE_OK;
}

bool cmdline_is_text(const uint16_t *opts, size_t bytes, size_t *units)
{
	size_t count = bytes / 2, i;

	*units = 0;
	if (opts == NULL || bytes == 0 || bytes % 2 != 0)
		return false;
	for (i = 0; i < count && opts[i] != 0; i++) {
		if (!cmdline_is_blank(opts[i]) && !cmdline_is_word_char(opts[i]))
			return false;
	}
	if (i == 0)
		return false;
	*units = i;
	for (; i < count; i++) {
		if (opts[i] != 0)
			return false;
	}
	return true;
}

bool cmdline_take_word(char *line, const char *word)
{
	size_t n = strlen(word);

	if (n == 0 || strncmp(line, word, n) != 0)
		return false;
	if (line[n] == '\0') {
		line[0] = '\0';
		return true;
	}
	if (line[n] != ' ')
		return false;
	memmove(line, line + n + 1, strlen(line + n + 1) + 1);
	return true;
}

const char *cmdline_strerror(int err)
{
	switch (err) {
	case CMDLINE_OK: return "no error";
	case CMDLINE_ECHAR: return "character that is not printable ASCII";
	case CMDLINE_ETOOLONG: return "command line too long (1023 characters at most)";
	}
	return "unknown command line error";
}
