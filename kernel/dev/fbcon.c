/*
 * kernel/dev/fbcon.c: the framebuffer text console (fbcon.h).
 *
 * The text, the cursor and the drawing are lib/textgrid.c's (shared with
 * drivers-user/fbcon): it keeps the characters shown and scrolls by drawing
 * the cells again, so the framebuffer is only ever written, never read. That
 * is what a write-combining mapping wants (reads from it are uncached and
 * slow), and it is the mapping the console switches to once the kernel's own
 * page tables exist (fbcon_map_wc); until then it draws through the stub's
 * direct map.
 *
 * Handover: while a device-memory object covers the framebuffer (devobj.c,
 * carved by init for drivers-user/fbcon) the sink is held and this file draws
 * nothing; the last release (or a kernel fault's report, console_force)
 * calls fbcon_reset, which clears the screen before the kernel prints again.
 * Both run under console_lock, like every write.
 */
#include "dev/fbcon.h"

#include "core/boot.h"
#include "core/console.h"
#include "dev/font.h"
#include "lib/fb.h"
#include "lib/fmt.h"
#include "lib/textgrid.h"
#include "mm/vm.h"

#define FBCON_GREY      0xaa        /* VGA's light grey: 0xaaaaaa */
#define FBCON_MAX_CELLS (256 * 128) /* a larger screen shows the console in its top part */
#define FBCON_ATTR      1           /* palette: 0 black background, 1 grey foreground */

static struct {
	uint32_t *pixels; /* first pixel: the direct map, then the WC mapping */
	uint64_t phys, size;
	uint32_t width, height;
	bool wc; /* pixels is the write-combining mapping */
} fbcon;

static struct textgrid fbcon_grid;
static struct textgrid_cell fbcon_cells[FBCON_MAX_CELLS];
static struct textgrid_cell fbcon_shown[FBCON_MAX_CELLS]; /* what the screen shows */

static void fbcon_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		textgrid_putc(&fbcon_grid, (uint8_t)s[i]);
	textgrid_flush(&fbcon_grid);
}

/* Every pixel to the background, and an empty grid. */
static void fbcon_reset(void)
{
	uint32_t *line = fbcon.pixels;

	for (uint32_t y = 0; y < fbcon.height; y++, line += fbcon_grid.stride)
		for (uint32_t x = 0; x < fbcon.width; x++)
			line[x] = fbcon_grid.palette[0];
	textgrid_clear(&fbcon_grid);
	textgrid_flush(&fbcon_grid);
}

static const struct console_sink fbcon_sink = {"framebuffer", fbcon_write, fbcon_reset, false};

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
	fbcon.phys = fb->base;
	fbcon.size = fb->size;
	fbcon.width = fb->width;
	fbcon.height = fb->height;
	fbcon.wc = false;
	fbcon_grid.palette[0] = fb_pack_rgb(fb, 0, 0, 0);
	fbcon_grid.palette[FBCON_ATTR] = fb_pack_rgb(fb, FBCON_GREY, FBCON_GREY, FBCON_GREY);
	/* The font fits (checked above), so the grid has a cell. */
	textgrid_init(&fbcon_grid, fbcon.pixels, fb->pixels_per_line, fb->width, fb->height,
		      &font_console, fbcon_cells, FBCON_MAX_CELLS, FBCON_ATTR);
	textgrid_track(&fbcon_grid, fbcon_shown, FBCON_MAX_CELLS);
	fbcon_reset();
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
	fbcon_grid.pixels = fbcon.pixels;
	fbcon.wc = vm_cache_index(VM_CACHE_WC) != vm_cache_index(VM_CACHE_UC);
	kprintf("fbcon: framebuffer at 0x%llx mapped %s\n", (unsigned long long)fbcon.phys,
		fbcon.wc ? "write-combining" : "uncached (no PAT)");
}

const void *fbcon_mapping(void)
{
	return fbcon.pixels;
}

uint64_t fbcon_phys(void)
{
	return fbcon.pixels ? fbcon.phys : 0;
}

const struct console_sink *fbcon_sink_over(uint64_t phys, uint64_t size)
{
	if (!fbcon.pixels || size == 0)
		return NULL;
	return phys < fbcon.phys + fbcon.size && fbcon.phys < phys + size ? &fbcon_sink : NULL;
}
