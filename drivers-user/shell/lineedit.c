/*
 * drivers-user/shell/lineedit.c: the line editor (lineedit.h).
 */
#include "lineedit.h"

#define KEY_CTRL_C    0x03
#define KEY_BACKSPACE 0x08
#define KEY_DELETE    0x7f

void lineedit_reset(struct lineedit *e)
{
	e->len = 0;
	e->text[0] = '\0';
	e->after_cr = 0;
}

static void lineedit_echo(char *echo, size_t *echo_len, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		echo[i] = s[i];
	*echo_len = n;
}

enum lineedit_result lineedit_key(struct lineedit *e, uint8_t ch, char *echo, size_t *echo_len)
{
	int after_cr = e->after_cr;

	*echo_len = 0;
	e->after_cr = ch == '\r';
	if (ch == '\n' && after_cr)
		return LINEEDIT_MORE; /* the CR was the Enter */
	if (ch == '\r' || ch == '\n') {
		e->text[e->len] = '\0';
		lineedit_echo(echo, echo_len, "\r\n", 2);
		e->len = 0; /* the text stays readable until the next key */
		return LINEEDIT_DONE;
	}
	if (ch == KEY_CTRL_C) {
		lineedit_reset(e);
		lineedit_echo(echo, echo_len, "^C\r\n", 4);
		return LINEEDIT_CANCEL;
	}
	if (ch == KEY_BACKSPACE || ch == KEY_DELETE) {
		if (e->len > 0) {
			e->len--;
			lineedit_echo(echo, echo_len, "\b \b", 3); /* back, blank it, back */
		}
		return LINEEDIT_MORE;
	}
	if (ch >= 0x20 && ch < 0x7f && e->len < LINEEDIT_MAX) {
		e->text[e->len++] = (char)ch;
		lineedit_echo(echo, echo_len, (const char *)&ch, 1);
	}
	return LINEEDIT_MORE;
}
