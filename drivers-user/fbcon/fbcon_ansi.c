/*
 * drivers-user/fbcon/fbcon_ansi.c: escape sequences on a text grid
 * (fbcon_ansi.h).
 */
#include "fbcon_ansi.h"

#define ANSI_ESC       0x1b
#define ANSI_PARAM_MAX 9999

enum { ANSI_TEXT, ANSI_ESCAPE, ANSI_CSI };

static void ansi_attr(struct fbcon_ansi *a)
{
	uint8_t fg = a->bold && a->fg < 8 ? (uint8_t)(a->fg + 8) : a->fg;

	a->grid->attr = (uint8_t)(fg | a->bg << 4);
}

void fbcon_ansi_init(struct fbcon_ansi *a, struct textgrid *grid)
{
	a->grid = grid;
	a->state = ANSI_TEXT;
	a->nparams = 0;
	a->fg = FBCON_ANSI_FG;
	a->bg = FBCON_ANSI_BG;
	a->bold = 0;
	ansi_attr(a);
}

static void ansi_sgr(struct fbcon_ansi *a)
{
	if (a->nparams == 0)
		a->params[a->nparams++] = 0; /* ESC [ m is ESC [ 0 m */
	for (unsigned i = 0; i < a->nparams; i++) {
		unsigned p = a->params[i];

		if (p == 0) {
			a->fg = FBCON_ANSI_FG;
			a->bg = FBCON_ANSI_BG;
			a->bold = 0;
		} else if (p == 1) {
			a->bold = 1;
		} else if (p == 22) {
			a->bold = 0;
		} else if (p >= 30 && p <= 37) {
			a->fg = (uint8_t)(p - 30);
		} else if (p >= 90 && p <= 97) {
			a->fg = (uint8_t)(p - 90 + 8);
		} else if (p >= 40 && p <= 47) {
			a->bg = (uint8_t)(p - 40);
		} else if (p >= 100 && p <= 107) {
			a->bg = (uint8_t)(p - 100 + 8);
		} else if (p == 39) {
			a->fg = FBCON_ANSI_FG;
		} else if (p == 49) {
			a->bg = FBCON_ANSI_BG;
		}
	}
	ansi_attr(a);
}

/* Blank cells [col, end) of the cursor's row, cursor kept. */
static void ansi_blank_to_end(struct textgrid *g)
{
	uint32_t col = g->col, row = g->row;

	for (uint32_t c = col; c < g->cols; c++)
		textgrid_putc(g, ' ');
	textgrid_move(g, col, row);
}

static void ansi_final(struct fbcon_ansi *a, uint8_t c)
{
	struct textgrid *g = a->grid;
	unsigned p0 = a->nparams > 0 ? a->params[0] : 0;
	unsigned p1 = a->nparams > 1 ? a->params[1] : 0;

	switch (c) {
	case 'm': ansi_sgr(a); break;
	case 'H': textgrid_move(g, p1 ? p1 - 1 : 0, p0 ? p0 - 1 : 0); break;
	case 'J':
		if (p0 == 2)
			textgrid_clear(g);
		break;
	case 'K': ansi_blank_to_end(g); break;
	default: break; /* not understood: dropped */
	}
}

static void ansi_byte(struct fbcon_ansi *a, uint8_t c)
{
	switch (a->state) {
	case ANSI_TEXT:
		if (c == ANSI_ESC)
			a->state = ANSI_ESCAPE;
		else
			textgrid_putc(a->grid, c);
		return;
	case ANSI_ESCAPE:
		a->state = c == '[' ? ANSI_CSI : ANSI_TEXT;
		a->nparams = 0;
		return;
	default:
		if (c >= '0' && c <= '9') {
			unsigned *p;

			if (a->nparams == 0)
				a->params[a->nparams++] = 0;
			p = &a->params[a->nparams - 1];
			*p = *p * 10 + (unsigned)(c - '0');
			if (*p > ANSI_PARAM_MAX)
				*p = ANSI_PARAM_MAX;
		} else if (c == ';') {
			if (a->nparams == 0)
				a->params[a->nparams++] = 0;
			if (a->nparams < FBCON_ANSI_PARAMS)
				a->params[a->nparams++] = 0;
			/* past the last: later digits keep adding to the last one, clamped */
		} else if (c >= 0x40 && c <= 0x7e) {
			ansi_final(a, c);
			a->state = ANSI_TEXT;
		} else if (c < 0x20 || c > 0x3f) {
			a->state = ANSI_TEXT; /* not a CSI byte: the sequence is dropped */
		}
		return;
	}
}

void fbcon_ansi_write(struct fbcon_ansi *a, const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ansi_byte(a, s[i]);
}
