/*
 * drivers-user/fbcon/main.c: the framebuffer console, a user-space driver
 * serving "fbcon" ring sessions (include/keel/service.h) with libkeel's
 * server side (drivers-user/lib/session.h).
 *
 * Start block (init's config line `driver fbcon bin/fbcon fb wc log`):
 * handle[KEEL_START_SERVICE] the service endpoint (READ),
 * handle[KEEL_START_DEVICE0] the framebuffer's device memory (page-rounded
 * around sb->fb.base), handle[KEEL_START_DEVICE0 + 1] the kernel log
 * (optional); sb->fb the geometry and pixel format, checked here like the
 * kernel checks the stub's (kernel/lib/fb.h). While the device memory exists
 * the kernel draws nothing on the screen (kernel/core/devobj.c); when this
 * driver ends it clears it and prints again.
 *
 * The top text row is a banner (white on blue, scripts/test's screen
 * scenario looks for it); the rows below show the text. Text is drawn by
 * kernel/lib/textgrid.c (the kernel's console uses the same
 * code) with the build's PSF font, through a write-combining mapping that is
 * only ever written. Escape sequences: fbcon_ansi.h. The kernel log is shown
 * from the oldest text the kernel kept (the boot log), then as it grows.
 *
 * KEEL_FB_WRITE: len bytes at offset go to the screen; the completion comes
 * once they are drawn. A bad request (opcode, range) gets an error
 * completion and the driver goes on. Single-threaded.
 */
#include <keel/service.h>

#include "dev/font.h"
#include "fbcon_ansi.h"
#include "keel.h"
#include "klog_drain.h"
#include "lib/fb.h"
#include "session.h"

#define FBCON_LOG_BIT     1 /* the kernel log's bit on the server's notification */
#define FBCON_SQ          64
#define FBCON_CQ          64
#define FBCON_DATA        4096
#define FBCON_MAX_CELLS   (256 * 128)
#define FBCON_BANNER_COLS 1024 /* 8192 pixels of an 8-pixel font */
#define FBCON_PAGE        4096ull
#define FBCON_VA          0x0000300000000000ull /* where the framebuffer is mapped */
#define FBCON_LOG_CHUNK   512

struct fbcon_drv {
	struct keel_server srv;
	struct textgrid banner; /* the top text row: what this screen is */
	struct textgrid grid;   /* the rows below: the log and the clients' text */
	struct fbcon_ansi ansi;
	struct klog_drain log;
};

static struct fbcon_drv fbcon;
static struct textgrid_cell fbcon_cells[FBCON_MAX_CELLS];
static struct textgrid_cell fbcon_shown[FBCON_MAX_CELLS]; /* what the screen shows */
static struct textgrid_cell fbcon_banner_cells[FBCON_BANNER_COLS];

#define FBCON_BANNER      "Keel - framebuffer console (bin/fbcon)"
#define FBCON_BANNER_ATTR (15 | 4 << 4) /* white on blue */

/* The VGA/ANSI palette (fbcon_ansi.h's indices). */
static const uint8_t fbcon_rgb[TEXTGRID_COLOURS][3] = {
    {0x00, 0x00, 0x00}, {0xaa, 0x00, 0x00}, {0x00, 0xaa, 0x00}, {0xaa, 0x55, 0x00},
    {0x00, 0x00, 0xaa}, {0xaa, 0x00, 0xaa}, {0x00, 0xaa, 0xaa}, {0xaa, 0xaa, 0xaa},
    {0x55, 0x55, 0x55}, {0xff, 0x55, 0x55}, {0x55, 0xff, 0x55}, {0xff, 0xff, 0x55},
    {0x55, 0x55, 0xff}, {0xff, 0x55, 0xff}, {0x55, 0xff, 0xff}, {0xff, 0xff, 0xff},
};

/* One request, from keel_server_step. */
static int fbcon_request(void *ctx, struct keel_server_session *s, const struct keel_ring_sqe *e,
			 struct keel_ring_cqe *c)
{
	struct fbcon_drv *d = ctx;
	const uint8_t *buf;

	c->len = 0;
	if (e->opcode != KEEL_FB_WRITE) {
		c->status = -KEEL_EINVAL;
		return 1;
	}
	buf = ring_buf(&s->ring, e->offset, e->len);
	if (!buf) {
		c->status = -KEEL_ERANGE;
		return 1;
	}
	fbcon_ansi_write(&d->ansi, buf, e->len);
	textgrid_flush(&d->grid);
	c->status = 0;
	c->len = e->len;
	return 1;
}

/* Everything the kernel log has now, drawn. */
static void fbcon_show_log(struct fbcon_drv *d)
{
	uint8_t chunk[FBCON_LOG_CHUNK];
	size_t n;

	while (klog_drain_pending(&d->log) && (n = klog_drain_take(&d->log, chunk, sizeof(chunk))))
		fbcon_ansi_write(&d->ansi, chunk, n);
	textgrid_flush(&d->grid);
}

/* Map the framebuffer and set the grid up over it: 0, or says why not. */
static int fbcon_screen(struct fbcon_drv *d, const struct keel_start *sb, uint64_t mem)
{
	const struct keel_framebuffer *fb = &sb->fb;
	uint64_t first = fb->base & ~(FBCON_PAGE - 1);
	uint64_t size = (fb->base + fb->size - first + FBCON_PAGE - 1) & ~(FBCON_PAGE - 1);
	uint64_t flags = KEEL_MAP_READ | KEEL_MAP_WRITE;
	uint32_t *pixels;
	char why[128];
	int64_t err;

	if (fb->base == 0) {
		keel_printf("no framebuffer in the start block; exiting\n");
		return -1;
	}
	if (fb_check(fb, UINT64_MAX, why, sizeof(why)) != 0) {
		keel_printf("framebuffer not usable: %s; exiting\n", why);
		return -1;
	}
	if (sb->arg & KEEL_DRIVER_ARG_WC)
		flags |= KEEL_MAP_WC;
	err = keel_map(KEEL_HANDLE_SELF, mem, FBCON_VA, 0, size, flags);
	if (err != 0) {
		keel_printf("cannot map the framebuffer (%llu bytes): %s\n",
			    (unsigned long long)size, keel_strerror(err));
		return -1;
	}
	for (unsigned i = 0; i < TEXTGRID_COLOURS; i++)
		d->grid.palette[i] =
		    fb_pack_rgb(fb, fbcon_rgb[i][0], fbcon_rgb[i][1], fbcon_rgb[i][2]);
	pixels = (uint32_t *)(uintptr_t)(FBCON_VA + (fb->base - first));
	/* One row for the banner, at least one below it for the text. */
	if (fb->height < 2 * font_console.height ||
	    textgrid_init(&d->banner, pixels, fb->pixels_per_line, fb->width, font_console.height,
			  &font_console, fbcon_banner_cells, FBCON_BANNER_COLS,
			  FBCON_BANNER_ATTR) ||
	    textgrid_init(&d->grid, pixels + (size_t)font_console.height * fb->pixels_per_line,
			  fb->pixels_per_line, fb->width, fb->height - font_console.height,
			  &font_console, fbcon_cells, FBCON_MAX_CELLS, FBCON_ANSI_FG)) {
		keel_printf("%ux%u is smaller than two rows of characters\n", fb->width,
			    fb->height);
		return -1;
	}
	textgrid_track(&d->grid, fbcon_shown, FBCON_MAX_CELLS);
	d->banner.palette[FBCON_BANNER_ATTR & 15] = d->grid.palette[FBCON_BANNER_ATTR & 15];
	d->banner.palette[FBCON_BANNER_ATTR >> 4] = d->grid.palette[FBCON_BANNER_ATTR >> 4];
	for (const char *b = FBCON_BANNER; *b; b++)
		textgrid_putc(&d->banner, (uint8_t)*b);
	textgrid_flush(&d->banner);
	fbcon_ansi_init(&d->ansi, &d->grid);
	textgrid_show_cursor(&d->grid, true);
	textgrid_flush(&d->grid);
	keel_printf("%ux%u pixels, %ux%u characters, %s\n", fb->width, fb->height, d->grid.cols,
		    d->grid.rows, flags & KEEL_MAP_WC ? "write-combining" : "uncached");
	return 0;
}

int main(uint64_t start)
{
	const struct keel_start *sb = (const struct keel_start *)(uintptr_t)start;
	struct fbcon_drv *d = &fbcon;
	int64_t err;

	if (!sb || sb->magic != KEEL_START_MAGIC) {
		keel_printf("no start block: init starts this driver\n");
		return 1;
	}
	if (sb->handle[KEEL_START_SERVICE] == KEEL_MSG_NO_HANDLE ||
	    sb->handle[KEEL_START_DEVICE0] == KEEL_MSG_NO_HANDLE) {
		keel_printf("no service or framebuffer handle (init's config: driver fbcon "
			    "bin/fbcon fb wc log)\n");
		return 1;
	}
	if (fbcon_screen(d, sb, sb->handle[KEEL_START_DEVICE0]) != 0)
		return 1;
	err = keel_server_init(&d->srv, sb->handle[KEEL_START_SERVICE], FBCON_SQ, FBCON_CQ,
			       FBCON_DATA, fbcon_request, d);
	if (err != 0) {
		keel_printf("cannot serve: %s\n", keel_strerror(err));
		return 1;
	}
	err = klog_drain_init(&d->log, sb->handle[KEEL_START_DEVICE0 + 1], d->srv.notif,
			      FBCON_LOG_BIT);
	if (err != 0) {
		keel_printf("the kernel log is not shown: %s\n", keel_strerror(err));
		klog_drain_init(&d->log, KEEL_MSG_NO_HANDLE, 0, 0);
	}
	d->log.pos = 0; /* the oldest text kept: the screen shows the boot log */
	fbcon_show_log(d);
	/* scripts/test's screen scenario takes its screendump after this line. */
	keel_printf("kernel log on the screen\n");
	while (!d->srv.gone) {
		uint64_t bits = keel_server_step(&d->srv);

		if (bits & (1ull << FBCON_LOG_BIT))
			klog_drain_kick(&d->log);
		fbcon_show_log(d);
	}
	return 0;
}
