/*
 * drivers-user/shell/lineedit.h: the shell's line editor, pure code (no
 * system call) so that tests/unit/test_shell.c runs it as the shell does.
 *
 * Characters come one at a time from either keyboard (ps2kbd's ch, serial
 * bytes): printable ASCII goes into the line, backspace (0x08, or DEL 0x7f
 * as serial terminals send it) takes the last one back, Enter (CR or LF; a
 * LF right after a CR is the same Enter) ends the line, ctrl-c (0x03) drops
 * it. Anything else is ignored, and so is a character past LINEEDIT_MAX.
 * What the screen should show for each key comes back as `echo`.
 */
#ifndef KEEL_SHELL_LINEEDIT_H
#define KEEL_SHELL_LINEEDIT_H

#include <stddef.h>
#include <stdint.h>

#define LINEEDIT_MAX  120 /* bytes of a line, without its NUL */
#define LINEEDIT_ECHO 8   /* the most bytes one key echoes */

enum lineedit_result {
	LINEEDIT_MORE,   /* the line goes on */
	LINEEDIT_DONE,   /* Enter: the line is in text, NUL-terminated */
	LINEEDIT_CANCEL, /* ctrl-c: the line was dropped */
};

struct lineedit {
	char text[LINEEDIT_MAX + 1];
	size_t len;
	int after_cr; /* the last key was a CR: a LF now is part of it */
};

void lineedit_reset(struct lineedit *e);

/*
 * Take one character; echo (LINEEDIT_ECHO bytes) gets what to show, *echo_len
 * its length (0: nothing). After LINEEDIT_DONE or _CANCEL the next key
 * starts a new line.
 */
enum lineedit_result lineedit_key(struct lineedit *e, uint8_t ch, char *echo, size_t *echo_len);

#endif
