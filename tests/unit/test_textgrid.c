/*
 * tests/unit/test_textgrid.c: kernel/lib/textgrid.c drawing into a pixel
 * buffer in memory, with a 2x2 font built here: glyphs appear where the
 * cursor was, in the attr's colours; scrolling moves pixels up; flush draws
 * only dirty rows; the cursor is drawn inverted; with tracking, only the
 * cells that differ from what the screen shows, and everything after a clear.
 */
#include <string.h>

#include "ktest.h"
#include "lib/textgrid.h"

#define W      6 /* 3 columns of 2 pixels */
#define H      4 /* 2 rows of 2 pixels */
#define STRIDE 8 /* pixels per line: 2 past the grid that must stay untouched */
#define FG     0x00ff00u
#define BG     0x000011u
#define PAD    0xdeadbeefu

/* Glyph 0 '?': blank; 1 'A': top-left pixel only; 2 'B': all four. */
static const uint8_t glyphs[3 * 2] = {0x00, 0x00, 0x80, 0x00, 0xc0, 0xc0};

static uint32_t pix[H * STRIDE];
static struct textgrid_cell cells[16];
static struct textgrid_cell shown[16];
static struct psf_font font;

static void setup(struct textgrid *g, size_t max_cells)
{
	font = (struct psf_font){.width = 2,
				 .height = 2,
				 .row_bytes = 1,
				 .glyph_count = 3,
				 .glyphs = glyphs,
				 .fallback = 0};
	for (int i = 0; i < PSF_MAP_SIZE; i++)
		font.map[i] = PSF_NO_GLYPH;
	font.map['?'] = 0;
	font.map['A'] = 1;
	font.map['B'] = 2;
	for (size_t i = 0; i < sizeof(pix) / sizeof(pix[0]); i++)
		pix[i] = PAD;
	memset(g, 0, sizeof(*g));
	g->palette[0] = BG;
	g->palette[2] = FG;
	(void)textgrid_init(g, pix, STRIDE, W, H, &font, cells, max_cells, 0x02);
}

static uint32_t at(uint32_t x, uint32_t y)
{
	return pix[y * STRIDE + x];
}

static const char *test_geometry(void)
{
	struct textgrid g;

	setup(&g, 16);
	KT_ASSERT(g.cols == 3 && g.rows == 2);
	setup(&g, 4); /* room for one row of 3 */
	KT_ASSERT(g.cols == 3 && g.rows == 1);
	KT_ASSERT(textgrid_init(&g, pix, STRIDE, W, H, &font, cells, 2, 0) == -1);
	KT_ASSERT(textgrid_init(&g, pix, STRIDE, 1, H, &font, cells, 16, 0) == -1);
	KT_ASSERT(textgrid_init(&g, pix, 4, W, H, &font, cells, 16, 0) == -1); /* width > stride */
	return NULL;
}

static const char *test_draw_and_padding(void)
{
	struct textgrid g;

	setup(&g, 16);
	textgrid_putc(&g, 'A');
	textgrid_putc(&g, 'B');
	textgrid_flush(&g);
	KT_ASSERT(at(0, 0) == FG && at(1, 0) == BG && at(0, 1) == BG); /* 'A' */
	KT_ASSERT(at(2, 0) == FG && at(3, 1) == FG);                   /* 'B' */
	KT_ASSERT(at(4, 0) == BG && at(5, 3) == BG);                   /* blank cells */
	for (uint32_t y = 0; y < H; y++)
		KT_ASSERT(at(6, y) == PAD && at(7, y) == PAD); /* past the grid: untouched */
	return NULL;
}

static const char *test_wrap_and_scroll(void)
{
	struct textgrid g;

	setup(&g, 16);
	for (const char *s = "AAABBB"; *s; s++)
		textgrid_putc(&g, (uint8_t)*s);
	textgrid_flush(&g);
	KT_ASSERT(at(0, 0) == FG && at(1, 0) == BG && at(1, 2) == FG);
	textgrid_putc(&g, 'A'); /* wraps past the last row: scrolls */
	textgrid_flush(&g);
	KT_ASSERT(g.row == 1 && g.col == 1);
	KT_ASSERT(at(1, 0) == FG && at(1, 1) == FG); /* 'B' moved up */
	KT_ASSERT(at(0, 2) == FG && at(1, 2) == BG); /* the new 'A' */
	KT_ASSERT(at(2, 2) == BG && at(3, 3) == BG); /* the rest of the new row: blank */
	return NULL;
}

static const char *test_flush_draws_only_dirty_rows(void)
{
	struct textgrid g;

	setup(&g, 16);
	textgrid_flush(&g);
	pix[2 * STRIDE] = PAD; /* row 1's first pixel, "damaged" */
	textgrid_putc(&g, 'B');
	textgrid_flush(&g);
	KT_ASSERT(at(0, 2) == PAD); /* row 1 not dirty: not drawn again */
	textgrid_putc(&g, '\n');
	textgrid_flush(&g);
	KT_ASSERT(at(0, 2) == BG);
	return NULL;
}

static const char *test_controls_and_cursor(void)
{
	struct textgrid g;

	setup(&g, 16);
	textgrid_putc(&g, '\t'); /* to the end of the row: 3 columns < one tab */
	KT_ASSERT(g.col == 3 && g.row == 0);
	textgrid_putc(&g, '\r');
	KT_ASSERT(g.col == 0);
	textgrid_putc(&g, 'A');
	textgrid_putc(&g, '\b');
	KT_ASSERT(g.col == 0);
	textgrid_move(&g, 9, 9);
	KT_ASSERT(g.col == 2 && g.row == 1);
	textgrid_move(&g, 1, 0);
	textgrid_show_cursor(&g, true);
	textgrid_flush(&g);
	KT_ASSERT(at(2, 0) == FG && at(3, 1) == FG); /* a blank cell, inverted */
	KT_ASSERT(at(0, 0) == FG && at(1, 0) == BG); /* 'A' as it was */
	textgrid_show_cursor(&g, false);
	textgrid_flush(&g);
	KT_ASSERT(at(2, 0) == BG);
	textgrid_putc(&g, 0xff); /* no glyph: the fallback, blank here */
	textgrid_flush(&g);
	KT_ASSERT(at(2, 0) == BG && g.col == 2);
	return NULL;
}

/* With tracking, a flush draws only cells whose content or cursor changed. */
static const char *test_tracking_draws_changed_cells(void)
{
	struct textgrid g;

	setup(&g, 16);
	textgrid_track(&g, shown, 16);
	textgrid_putc(&g, 'A');
	textgrid_flush(&g);
	pix[0] = PAD;        /* 'A' (unchanged from here on), "damaged" */
	pix[4] = PAD;        /* column 2, blank and staying so */
	textgrid_putc(&g, 'B'); /* column 1 changes; row 0 is dirty */
	textgrid_flush(&g);
	KT_ASSERT(at(0, 0) == PAD && at(4, 0) == PAD); /* not drawn again */
	KT_ASSERT(at(2, 0) == FG && at(3, 1) == FG);   /* the 'B' */
	textgrid_move(&g, 0, 0);
	textgrid_show_cursor(&g, true);
	textgrid_flush(&g);
	KT_ASSERT(at(0, 0) == BG && at(1, 0) == FG); /* the cursor: 'A' inverted */
	textgrid_move(&g, 2, 0);
	textgrid_flush(&g);
	KT_ASSERT(at(0, 0) == FG && at(1, 0) == BG); /* left: drawn plain again */
	KT_ASSERT(at(4, 0) == FG);                   /* the blank cell, inverted */
	textgrid_move(&g, 0, 0); /* back, before the old cursor cell in drawing order */
	textgrid_flush(&g);
	KT_ASSERT(at(4, 0) == BG && at(0, 0) == BG); /* old one plain, new one inverted */
	textgrid_clear(&g);                          /* unknown screen: all drawn */
	pix[2 * STRIDE + 2] = PAD;
	textgrid_flush(&g);
	KT_ASSERT(at(2, 2) == BG && at(2, 0) == BG);
	textgrid_track(&g, shown, 5); /* too small for 3 x 2: no tracking */
	KT_ASSERT(g.shown == NULL);
	return NULL;
}

static const struct ktest tests[] = {
    KTEST(test_geometry),
    KTEST(test_draw_and_padding),
    KTEST(test_wrap_and_scroll),
    KTEST(test_flush_draws_only_dirty_rows),
    KTEST(test_controls_and_cursor),
    KTEST(test_tracking_draws_changed_cells),
};

int main(void)
{
	return ktest_main(tests, KTEST_COUNT(tests));
}
