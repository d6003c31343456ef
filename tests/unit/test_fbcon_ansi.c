/*
 * tests/unit/test_fbcon_ansi.c: drivers-user/fbcon/fbcon_ansi.c on a text
 * grid in memory: SGR colours land in the cells' attributes, cursor moves and
 * clears work, and malformed or hostile sequences are dropped without
 * printing their bytes or leaving the grid.
 */
#include <string.h>

#include "fbcon/fbcon_ansi.h"
#include "ktest.h"

static uint32_t pix[16 * 8];
static struct textgrid_cell cells[8 * 4];
static struct textgrid grid;
static struct fbcon_ansi ansi;
static const uint8_t glyph[2] = {0, 0};

static void setup(void)
{
	static struct psf_font font;

	font = (struct psf_font){.width = 2,
				 .height = 2,
				 .row_bytes = 1,
				 .glyph_count = 1,
				 .glyphs = glyph,
				 .fallback = 0};
	for (int i = 0; i < PSF_MAP_SIZE; i++)
		font.map[i] = PSF_NO_GLYPH;
	memset(&grid, 0, sizeof(grid));
	(void)textgrid_init(&grid, pix, 16, 16, 8, &font, cells, 32, 0);
	fbcon_ansi_init(&ansi, &grid);
}

static void feed(const char *s)
{
	fbcon_ansi_write(&ansi, (const uint8_t *)s, strlen(s));
}

static struct textgrid_cell cell(uint32_t col, uint32_t row)
{
	return cells[row * grid.cols + col];
}

static const char *test_plain_text_default_colours(void)
{
	setup();
	feed("ab");
	KT_EQ(cell(0, 0).ch, 'a');
	KT_EQ(cell(1, 0).attr, FBCON_ANSI_FG | FBCON_ANSI_BG << 4);
	return NULL;
}

static const char *test_sgr_colours(void)
{
	setup();
	feed("\033[31ma\033[1;44mb\033[0mc\033[92;105md\033[39;49me\033[mf");
	KT_EQ(cell(0, 0).attr, 0x01); /* red on black */
	KT_EQ(cell(1, 0).attr, 0x49); /* bold red (bright) on blue */
	KT_EQ(cell(2, 0).attr, 0x07); /* reset */
	KT_EQ(cell(3, 0).attr, 0xda); /* bright green on bright magenta */
	KT_EQ(cell(4, 0).attr, 0x07); /* defaults */
	KT_EQ(cell(5, 0).attr, 0x07);
	KT_EQ(cell(5, 0).ch, 'f');
	return NULL;
}

static const char *test_cursor_and_clear(void)
{
	setup();
	feed("abcdef\033[2;3Hx");
	KT_EQ(cell(2, 1).ch, 'x');
	feed("\033[1;1H\033[K");
	KT_EQ(cell(0, 0).ch, ' ');
	KT_EQ(cell(5, 0).ch, ' ');
	KT_EQ(grid.col, 0);
	feed("\033[99;99Hy"); /* clamped to the last cell */
	KT_EQ(cell(7, 3).ch, 'y');
	feed("\033[2J");
	KT_EQ(cell(2, 1).ch, 0);
	KT_EQ(grid.row, 0);
	return NULL;
}

static const char *test_hostile_sequences(void)
{
	setup();
	feed("\033[99999999999999999999;1;2;3;4;5;6;7;8;9;10;31mz");
	KT_EQ(cell(0, 0).ch, 'z'); /* too many, too large: no overflow, nothing printed */
	feed("\033[12\001q");      /* a control byte inside: dropped */
	KT_EQ(grid.col, 2);
	KT_EQ(cell(1, 0).ch, 'q');
	feed("\033Xr\033"); /* not CSI: the byte after ESC is eaten; a trailing ESC waits */
	KT_EQ(cell(2, 0).ch, 'r');
	feed("[0ms");
	KT_EQ(cell(3, 0).ch, 's');
	return NULL;
}

static const struct ktest tests[] = {
    KTEST(test_plain_text_default_colours),
    KTEST(test_sgr_colours),
    KTEST(test_cursor_and_clear),
    KTEST(test_hostile_sequences),
};

int main(void)
{
	return ktest_main(tests, KTEST_COUNT(tests));
}
