/*
 * kernel/lib/textgrid.h: a text screen over a 32-bit pixel buffer, drawn
 * with a PSF font (lib/psf.h). Pure logic, no kernel or system calls: the
 * kernel's framebuffer console (kernel/dev/fbcon.c) and the user-space
 * driver (drivers-user/fbcon/) both draw with it; tests/unit/test_textgrid.c
 * draws into memory.
 *
 * The grid keeps what each cell shows (the caller's cells array, cols * rows)
 * and never reads the pixels back: a write-combining framebuffer reads
 * uncached. Scrolling moves the cells up and marks every row dirty; writes
 * mark the rows they touch. textgrid_flush draws the dirty rows, so a burst
 * of text that scrolls many times draws the screen once. With a second
 * array (textgrid_track) the grid also remembers what each cell shows on
 * the screen, and a flush draws only the cells that differ: after a scroll
 * most of a log's cells are blank under blank, and drawing a glyph is the
 * cost (millions of instructions for a whole screen).
 *
 * Colours are 16 palette entries (the VGA/ANSI order: black, red, green,
 * yellow, blue, magenta, cyan, white, then the bright ones), packed by the
 * caller into the framebuffer's pixel format (lib/fb.h fb_pack_rgb).
 */
#ifndef KEEL_LIB_TEXTGRID_H
#define KEEL_LIB_TEXTGRID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/psf.h"

#define TEXTGRID_COLOURS 16
#define TEXTGRID_TAB     8
#define TEXTGRID_NO_CELL SIZE_MAX

struct textgrid_cell {
	uint8_t ch;   /* code point 0-255; 0 is a blank cell */
	uint8_t attr; /* foreground palette index in bits 0-3, background in 4-7 */
};

struct textgrid {
	uint32_t *pixels; /* the top-left pixel of the grid */
	uint32_t stride;  /* pixels per line */
	const struct psf_font *font;
	struct textgrid_cell *cells; /* rows * cols, row by row */
	uint32_t cols, rows;
	uint32_t col, row;               /* cursor; col == cols: wrap before the next character */
	uint8_t attr;                    /* what new characters get */
	bool cursor;                     /* draw the cursor cell inverted */
	uint32_t dirty_first, dirty_end; /* rows [first, end) to draw; first == end: none */
	struct textgrid_cell *shown;     /* NULL, or what each cell shows now (textgrid_track) */
	size_t shown_cursor;             /* the cell shown inverted, or TEXTGRID_NO_CELL */
	bool shown_stale;                /* the pixels may show anything: draw every dirty cell */
	uint32_t palette[TEXTGRID_COLOURS];
};

/*
 * Set up a grid over width x height pixels (stride pixels per line) with as
 * many whole cells as fit, at most max_cells of them (fewer rows then). The
 * cells are cleared with attr; every row is dirty. -1 when not one cell fits.
 */
int textgrid_init(struct textgrid *g, uint32_t *pixels, uint32_t stride, uint32_t width,
		  uint32_t height, const struct psf_font *font, struct textgrid_cell *cells,
		  size_t max_cells, uint8_t attr);

/*
 * Remember what the screen shows in shown (at least cols * rows cells, else
 * ignored), so that a flush draws only changed cells. The pixels' present
 * content is taken as unknown: the next flush draws every dirty cell.
 */
void textgrid_track(struct textgrid *g, struct textgrid_cell *shown, size_t max_cells);

/*
 * Blank every cell with the current attr, cursor home, everything dirty;
 * what the screen shows is taken as unknown (someone else may have drawn
 * there), so the next flush draws it all.
 */
void textgrid_clear(struct textgrid *g);

/* One character: '\n' new line, '\r' column 0, '\t' to the next tab stop, '\b' back one. */
void textgrid_putc(struct textgrid *g, uint8_t c);

/* Move the cursor (clamped to the grid); its old and new rows become dirty. */
void textgrid_move(struct textgrid *g, uint32_t col, uint32_t row);

/* Show or hide the cursor. */
void textgrid_show_cursor(struct textgrid *g, bool on);

/* Draw the dirty rows, then none is dirty. */
void textgrid_flush(struct textgrid *g);

#endif
