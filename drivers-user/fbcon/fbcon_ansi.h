/*
 * drivers-user/fbcon/fbcon_ansi.h: the escape sequences the framebuffer
 * console understands, applied to a text grid (kernel/lib/textgrid.h). Pure
 * logic: tests/unit/test_fbcon_ansi.c runs it on the host.
 *
 * ESC [ params m (SGR): 0 reset, 1 bold (bright foreground), 22 normal,
 * 30-37 / 90-97 foreground, 40-47 / 100-107 background, 39 / 49 default.
 * ESC [ row ; col H (from 1; missing: 1), ESC [ 2 J clear the screen,
 * ESC [ K clear to the end of the line. Anything else is dropped whole;
 * at most FBCON_ANSI_PARAMS parameters (more are ignored), each clamped to
 * 9999, so hostile text cannot overflow or stall anything.
 */
#ifndef KEEL_FBCON_ANSI_H
#define KEEL_FBCON_ANSI_H

#include <stddef.h>
#include <stdint.h>

#include "lib/textgrid.h"

#define FBCON_ANSI_PARAMS 8
#define FBCON_ANSI_FG     7 /* default foreground: light grey */
#define FBCON_ANSI_BG     0 /* default background: black */

struct fbcon_ansi {
	struct textgrid *grid;
	int state; /* 0 text, 1 after ESC, 2 inside ESC [ */
	unsigned nparams;
	unsigned params[FBCON_ANSI_PARAMS];
	uint8_t fg, bg; /* palette indices, without bold */
	int bold;
};

void fbcon_ansi_init(struct fbcon_ansi *a, struct textgrid *grid);

/* Feed n bytes of text; the grid changes (textgrid_flush draws it). */
void fbcon_ansi_write(struct fbcon_ansi *a, const uint8_t *s, size_t n);

#endif
