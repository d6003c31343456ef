/*
 * kernel/dev/fbcon.c: the framebuffer text console (fbcon.h).
 *
 * The screen is a grid of cols x rows character cells of the font's size; the
 * cursor is the cell the next character goes to. A line that reaches the
 * right edge wraps.
 *
 * The console keeps the characters it shows (fbcon_text), and scrolls by
 * moving that grid up and drawing every cell again: the framebuffer is only
 * ever written, never read. That is what a write-combining mapping wants
 * (reads from it are uncached and slow), and it is the mapping the console
 * switches to once the kernel's own page tables exist (fbcon_map_wc); until
 * then it draws through the stub's direct map.
 */
#include "dev/fbcon.h"

#include "core/boot.h"
#include "core/console.h"
#include "dev/font.h"
#include "lib/fb.h"
#include "lib/fmt.h"
#include "lib/kstring.h"
#include "mm/vm.h"

#define FBCON_TAB      8
#define FBCON_GREY     0xaa /* VGA's light grey: 0xaaaaaa */
#define FBCON_MAX_COLS 256  /* a larger screen shows the console in its top-left part */
#define FBCON_MAX_ROWS 128

static struct {
	uint32_t *pixels; /* first pixel: the direct map, then the WC mapping */
	uint64_t phys, size;
	uint32_t stride; /* pixels per line */
	uint32_t cols, rows;
	uint32_t col, row; /* cursor; col == cols means "wrap before the next character" */
	uint32_t fg, bg;
	bool wc; /* pixels is the write-combining mapping */
} fbcon;

/* What each cell shows; 0 is a blank cell. */
static unsigned char fbcon_text[FBCON_MAX_ROWS][FBCON_MAX_COLS];

static uint32_t *fbcon_cell(uint32_t col, uint32_t row)
{
	return fbcon.pixels + (size_t)row * font_console.height * fbcon.stride +
	       (size_t)col * font_console.width;
}

/* Draw one cell from fbcon_text: its glyph, or the background. */
static void fbcon_draw(uint32_t col, uint32_t row)
{
	unsigned char c = fbcon_text[row][col];
	const uint8_t *glyph = c ? psf_glyph(&font_console, c) : NULL;
	uint32_t *line = fbcon_cell(col, row);

	for (uint32_t y = 0; y < font_console.height; y++, line += fbcon.stride) {
		const uint8_t *bits = glyph ? glyph + y * font_console.row_bytes : NULL;

		for (uint32_t x = 0; x < font_console.width; x++)
			line[x] = bits && (bits[x / 8] & (0x80 >> (x % 8))) ? fbcon.fg : fbcon.bg;
	}
}

static void fbcon_newline(void)
{
	fbcon.col = 0;
	if (fbcon.row + 1 < fbcon.rows) {
		fbcon.row++;
		return;
	}
	memmove(fbcon_text[0], fbcon_text[1], (size_t)(fbcon.rows - 1) * FBCON_MAX_COLS);
	memset(fbcon_text[fbcon.rows - 1], 0, FBCON_MAX_COLS);
	for (uint32_t r = 0; r < fbcon.rows; r++)
		for (uint32_t c = 0; c < fbcon.cols; c++)
			fbcon_draw(c, r);
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
		fbcon_text[fbcon.row][fbcon.col] = (unsigned char)c;
		fbcon_draw(fbcon.col, fbcon.row);
		fbcon.col++;
		return;
	}
}

static void fbcon_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fbcon_putc(s[i]);
}

static const struct console_sink fbcon_sink = {"framebuffer", fbcon_write, NULL};

const struct console_sink *fbcon_init(const struct keel_framebuffer *fb, uint64_t direct_map_size,
				      char *why, size_t why_size)
{
	uint32_t *line;

	if (fb_check(fb, direct_map_size, why, why_size) != 0)
		return NULL;
	if (fb->width < font_console.width || fb->height < font_console.height) {
		fmt_snprintf(why, why_size, "%ux%u is smaller than one %ux%u character", fb->width,
			     fb->height, font_console.width, font_console.height);
		return NULL;
	}
	fbcon.pixels = boot_phys_to_virt(fb->base);
	fbcon.phys = fb->base;
	fbcon.size = fb->size;
	fbcon.stride = fb->pixels_per_line;
	fbcon.cols = fb->width / font_console.width;
	fbcon.rows = fb->height / font_console.height;
	if (fbcon.cols > FBCON_MAX_COLS)
		fbcon.cols = FBCON_MAX_COLS;
	if (fbcon.rows > FBCON_MAX_ROWS)
		fbcon.rows = FBCON_MAX_ROWS;
	fbcon.col = fbcon.row = 0;
	fbcon.fg = fb_pack_rgb(fb, FBCON_GREY, FBCON_GREY, FBCON_GREY);
	fbcon.bg = fb_pack_rgb(fb, 0, 0, 0);
	fbcon.wc = false;
	memset(fbcon_text, 0, sizeof(fbcon_text));
	line = fbcon.pixels;
	for (uint32_t y = 0; y < fb->height; y++, line += fbcon.stride)
		for (uint32_t x = 0; x < fb->width; x++)
			line[x] = fbcon.bg;
	return &fbcon_sink;
}

void fbcon_map_wc(void)
{
	volatile void *p;

	if (!fbcon.pixels)
		return;
	p = vm_map_mmio(fbcon.phys, fbcon.size, VM_CACHE_WC);
	if (!p) {
		kprintf("fbcon: no write-combining mapping; drawing through the direct map\n");
		return;
	}
	/*
	 * Plain stores are what a framebuffer wants (they may be combined and
	 * reordered; nothing reads them back), hence no volatile. The console
	 * lock is not needed: this runs on the boot CPU before the others start.
	 */
	fbcon.pixels = (uint32_t *)(uintptr_t)p;
	fbcon.wc = vm_cache_index(VM_CACHE_WC) != vm_cache_index(VM_CACHE_UC);
	kprintf("fbcon: framebuffer at 0x%llx mapped %s\n", (unsigned long long)fbcon.phys,
		fbcon.wc ? "write-combining" : "uncached (no PAT)");
}

const void *fbcon_mapping(void)
{
	return fbcon.pixels;
}
