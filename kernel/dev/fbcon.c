/*
 * kernel/dev/fbcon.c: the framebuffer text console (fbcon.h).
 *
 * The screen is a grid of cols x rows character cells of the font's size; the
 * cursor is the cell the next character goes to. A line that reaches the
 * right edge wraps. Scrolling copies the framebuffer up by one text row and
 * clears the last: slow on real framebuffers (reads from video memory), but
 * simple, and the boot console prints little.
 */
#include "dev/fbcon.h"

#include "core/boot.h"
#include "dev/font.h"
#include "lib/fb.h"
#include "lib/fmt.h"
#include "lib/kstring.h"

#define FBCON_TAB  8
#define FBCON_GREY 0xaa /* VGA's light grey: 0xaaaaaa */

static struct {
	uint32_t *pixels; /* first pixel, through the direct map */
	uint32_t stride;  /* pixels per line */
	uint32_t width;   /* visible pixels per line */
	uint32_t cols, rows;
	uint32_t col, row; /* cursor; col == cols means "wrap before the next character" */
	uint32_t fg, bg;
} fbcon;

static uint32_t *fbcon_cell(uint32_t col, uint32_t row)
{
	return fbcon.pixels + (size_t)row * font_console.height * fbcon.stride +
	       (size_t)col * font_console.width;
}

/* Fill pixel lines [first, first + count) with the background colour. */
static void fbcon_clear_lines(uint32_t first, uint32_t count)
{
	uint32_t *line = fbcon.pixels + (size_t)first * fbcon.stride;

	for (uint32_t y = 0; y < count; y++, line += fbcon.stride)
		for (uint32_t x = 0; x < fbcon.width; x++)
			line[x] = fbcon.bg;
}

static void fbcon_draw(uint32_t col, uint32_t row, unsigned char c)
{
	const uint8_t *glyph = psf_glyph(&font_console, c);
	uint32_t *line = fbcon_cell(col, row);

	if (!glyph)
		return;
	for (uint32_t y = 0; y < font_console.height; y++, line += fbcon.stride) {
		const uint8_t *bits = glyph + y * font_console.row_bytes;

		for (uint32_t x = 0; x < font_console.width; x++)
			line[x] = (bits[x / 8] & (0x80 >> (x % 8))) ? fbcon.fg : fbcon.bg;
	}
}

static void fbcon_newline(void)
{
	fbcon.col = 0;
	if (fbcon.row + 1 < fbcon.rows) {
		fbcon.row++;
		return;
	}
	memmove(fbcon_cell(0, 0), fbcon_cell(0, 1),
		(size_t)(fbcon.rows - 1) * font_console.height * fbcon.stride * sizeof(uint32_t));
	fbcon_clear_lines((fbcon.rows - 1) * font_console.height, font_console.height);
}

static void fbcon_putc(char c)
{
	switch (c) {
	case '\n': fbcon_newline(); return;
	case '\r': fbcon.col = 0; return;
	case '\t':
		do
			fbcon_putc(' ');
		while (fbcon.col % FBCON_TAB != 0 && fbcon.col < fbcon.cols);
		return;
	default:
		if (fbcon.col == fbcon.cols)
			fbcon_newline();
		fbcon_draw(fbcon.col, fbcon.row, (unsigned char)c);
		fbcon.col++;
		return;
	}
}

static void fbcon_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fbcon_putc(s[i]);
}

static const struct console_sink fbcon_sink = {"framebuffer", fbcon_write};

const struct console_sink *fbcon_init(const struct keel_framebuffer *fb, uint64_t direct_map_size,
				      char *why, size_t why_size)
{
	if (fb_check(fb, direct_map_size, why, why_size) != 0)
		return NULL;
	if (fb->width < font_console.width || fb->height < font_console.height) {
		fmt_snprintf(why, why_size, "%ux%u is smaller than one %ux%u character", fb->width,
			     fb->height, font_console.width, font_console.height);
		return NULL;
	}
	fbcon.pixels = boot_phys_to_virt(fb->base);
	fbcon.stride = fb->pixels_per_line;
	fbcon.width = fb->width;
	fbcon.cols = fb->width / font_console.width;
	fbcon.rows = fb->height / font_console.height;
	fbcon.col = fbcon.row = 0;
	fbcon.fg = fb_pack_rgb(fb, FBCON_GREY, FBCON_GREY, FBCON_GREY);
	fbcon.bg = fb_pack_rgb(fb, 0, 0, 0);
	fbcon_clear_lines(0, fb->height);
	return &fbcon_sink;
}
