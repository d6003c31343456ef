/*
 * kernel/lib/textgrid.c: a text screen drawn with a PSF font (textgrid.h).
 */
#include "lib/textgrid.h"

static void textgrid_dirty(struct textgrid *g, uint32_t first, uint32_t end)
{
	if (g->dirty_first == g->dirty_end) {
		g->dirty_first = first;
		g->dirty_end = end;
		return;
	}
	if (first < g->dirty_first)
		g->dirty_first = first;
	if (end > g->dirty_end)
		g->dirty_end = end;
}

int textgrid_init(struct textgrid *g, uint32_t *pixels, uint32_t stride, uint32_t width,
		  uint32_t height, const struct psf_font *font, struct textgrid_cell *cells,
		  size_t max_cells, uint8_t attr)
{
	if (!font->width || !font->height || width > stride)
		return -1;
	g->cols = width / font->width;
	g->rows = height / font->height;
	if (g->cols == 0 || g->rows == 0 || max_cells < g->cols)
		return -1;
	if ((size_t)g->cols * g->rows > max_cells)
		g->rows = (uint32_t)(max_cells / g->cols);
	g->pixels = pixels;
	g->stride = stride;
	g->font = font;
	g->cells = cells;
	g->attr = attr;
	g->cursor = false;
	g->shown = NULL;
	textgrid_clear(g);
	return 0;
}

void textgrid_clear(struct textgrid *g)
{
	struct textgrid_cell blank = {0, g->attr};

	for (size_t i = 0; i < (size_t)g->cols * g->rows; i++)
		g->cells[i] = blank;
	g->col = g->row = 0;
	g->dirty_first = 0;
	g->dirty_end = g->rows;
	g->shown_stale = true;
}

void textgrid_track(struct textgrid *g, struct textgrid_cell *shown, size_t max_cells)
{
	g->shown = max_cells >= (size_t)g->cols * g->rows ? shown : NULL;
	g->shown_cursor = TEXTGRID_NO_CELL;
	g->shown_stale = true;
}

static struct textgrid_cell *textgrid_cell(struct textgrid *g, uint32_t col, uint32_t row)
{
	return &g->cells[(size_t)row * g->cols + col];
}

static void textgrid_newline(struct textgrid *g)
{
	struct textgrid_cell blank = {0, g->attr};
	size_t n = (size_t)(g->rows - 1) * g->cols;

	g->col = 0;
	if (g->row + 1 < g->rows) {
		textgrid_dirty(g, g->row, g->row + 2);
		g->row++;
		return;
	}
	/* One block move (string instructions in kernel/lib/string.c): a scroll per log line. */
	__builtin_memmove(g->cells, g->cells + g->cols, n * sizeof(g->cells[0]));
	for (uint32_t c = 0; c < g->cols; c++)
		*textgrid_cell(g, c, g->rows - 1) = blank;
	textgrid_dirty(g, 0, g->rows);
}

void textgrid_putc(struct textgrid *g, uint8_t c)
{
	switch (c) {
	case '\n': textgrid_newline(g); return;
	case '\r': textgrid_move(g, 0, g->row); return;
	case '\b': textgrid_move(g, g->col ? g->col - 1 : 0, g->row); return;
	case '\t':
		do
			textgrid_putc(g, ' ');
		while (g->col % TEXTGRID_TAB != 0 && g->col < g->cols);
		return;
	default:
		if (g->col == g->cols)
			textgrid_newline(g);
		*textgrid_cell(g, g->col, g->row) = (struct textgrid_cell){c, g->attr};
		textgrid_dirty(g, g->row, g->row + 1);
		g->col++;
		return;
	}
}

void textgrid_move(struct textgrid *g, uint32_t col, uint32_t row)
{
	textgrid_dirty(g, g->row, g->row + 1);
	g->col = col < g->cols ? col : g->cols - 1;
	g->row = row < g->rows ? row : g->rows - 1;
	textgrid_dirty(g, g->row, g->row + 1);
}

void textgrid_show_cursor(struct textgrid *g, bool on)
{
	g->cursor = on;
	textgrid_dirty(g, g->row, g->row + 1);
}

/* Draw one cell; inverted: the cursor's. Two pixels per store where the row allows. */
static void textgrid_draw(struct textgrid *g, uint32_t col, uint32_t row, bool inverted)
{
	const struct psf_font *f = g->font;
	struct textgrid_cell cell = *textgrid_cell(g, col, row);
	const uint8_t *glyph = cell.ch ? psf_glyph(f, cell.ch) : NULL;
	uint32_t fg = g->palette[cell.attr & 15], bg = g->palette[cell.attr >> 4];
	uint32_t *line = g->pixels + (size_t)row * f->height * g->stride + (size_t)col * f->width;
	uint32_t two[4][2]; /* two pixels for each pair of glyph bits, the left one high */

	if (inverted) {
		uint32_t t = fg;

		fg = bg;
		bg = t;
	}
	for (unsigned b = 0; b < 4; b++) {
		two[b][0] = b & 2 ? fg : bg;
		two[b][1] = b & 1 ? fg : bg;
	}
	for (uint32_t y = 0; y < f->height; y++, line += g->stride) {
		const uint8_t *bits = glyph ? glyph + (size_t)y * f->row_bytes : NULL;
		uint32_t x = 0;

		for (; x + 2 <= f->width; x += 2) {
			unsigned pair = bits ? (bits[x / 8] >> (6 - x % 8)) & 3 : 0;

			__builtin_memcpy(&line[x], two[pair], sizeof(two[pair]));
		}
		if (x < f->width)
			line[x] = bits && (bits[x / 8] & (0x80 >> (x % 8))) ? fg : bg;
	}
}

/* Whether cell i must be drawn: inverted now (the cursor), or was (the cursor cell shown). */
static bool textgrid_changed(const struct textgrid *g, size_t i, bool inverted, bool was_inverted)
{
	if (!g->shown || g->shown_stale)
		return true;
	return g->shown[i].ch != g->cells[i].ch || g->shown[i].attr != g->cells[i].attr ||
	       inverted != was_inverted;
}

void textgrid_flush(struct textgrid *g)
{
	/* The cursor sits on a cell only while the line has not wrapped past the edge. */
	size_t cursor = g->cursor && g->col < g->cols ? (size_t)g->row * g->cols + g->col
						       : TEXTGRID_NO_CELL;
	size_t was = g->shown ? g->shown_cursor : TEXTGRID_NO_CELL;

	/* Both cursor cells are looked at, wherever the cursor went since the last flush. */
	if (cursor != TEXTGRID_NO_CELL)
		textgrid_dirty(g, g->row, g->row + 1);
	if (was != TEXTGRID_NO_CELL)
		textgrid_dirty(g, (uint32_t)(was / g->cols), (uint32_t)(was / g->cols) + 1);
	for (uint32_t r = g->dirty_first; r < g->dirty_end && r < g->rows; r++)
		for (uint32_t c = 0; c < g->cols; c++) {
			size_t i = (size_t)r * g->cols + c;

			if (!textgrid_changed(g, i, i == cursor, i == was))
				continue;
			textgrid_draw(g, c, r, i == cursor);
			if (g->shown)
				g->shown[i] = g->cells[i];
		}
	g->shown_cursor = cursor;
/* Every row was dirty when the pixels were unknown (clear, track): all drawn now. */
	if (g->dirty_first == 0 && g->dirty_end >= g->rows)
		g->shown_stale = false;
	g->dirty_first = g->dirty_end = 0;
}
