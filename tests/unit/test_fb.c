/*
 * tests/unit/test_fb.c: kernel/lib/fb.c, framebuffer checks and pixels.
 */
#include <string.h>

#include "ktest.h"
#include "lib/fb.h"

#define DM (4ull << 30) /* a 4 GiB direct map */

static char why[256];

static struct keel_framebuffer good(void)
{
	struct keel_framebuffer fb = {
	    .base = 0x80000000,
	    .size = 1280 * 800 * 4,
	    .width = 1280,
	    .height = 800,
	    .pixels_per_line = 1280,
	    .format = KEEL_FB_BGRX,
	};
	return fb;
}

static const char *test_good_geometry(void)
{
	struct keel_framebuffer fb = good();

	KT_EQ(fb_check(&fb, DM, why, sizeof(why)), 0);
	fb.pixels_per_line = 1344; /* padded lines */
	fb.size = 1344 * 800 * 4;
	KT_EQ(fb_check(&fb, DM, why, sizeof(why)), 0);
	return NULL;
}

static const char *test_bad_geometry(void)
{
	struct keel_framebuffer fb = good();

	fb.size -= 4; /* one pixel short */
	KT_EQ(fb_check(&fb, DM, why, sizeof(why)), -1);
	KT_ASSERT(strstr(why, "size") != NULL);
	fb = good();
	fb.width = 1281;
	KT_EQ(fb_check(&fb, DM, why, sizeof(why)), -1);
	KT_ASSERT(strstr(why, "stride") != NULL);
	fb = good();
	fb.height = 0;
	KT_EQ(fb_check(&fb, DM, why, sizeof(why)), -1);
	fb = good();
	fb.pixels_per_line = 0;
	fb.width = 0;
	KT_EQ(fb_check(&fb, DM, why, sizeof(why)), -1);
	fb = good();
	fb.base = 0;
	KT_EQ(fb_check(&fb, DM, why, sizeof(why)), -1);
	fb = good();
	fb.base = 0x80000002;
	KT_EQ(fb_check(&fb, DM, why, sizeof(why)), -1);
	/* Huge factors must not overflow into a "fits". */
	fb = good();
	fb.height = UINT32_MAX;
	fb.pixels_per_line = UINT32_MAX;
	fb.width = 1;
	KT_EQ(fb_check(&fb, DM, why, sizeof(why)), -1);
	return NULL;
}

/* height * stride * 4 past 2^64 must not wrap into a small "need". */
static const char *test_geometry_overflow(void)
{
	struct keel_framebuffer fb = good();

	fb.height = 0x80000000u;
	fb.width = 1;
	fb.pixels_per_line = 0x80000000u;
	fb.size = 4096;
	KT_EQ(fb_check(&fb, UINT64_MAX, why, sizeof(why)), -1);
	KT_ASSERT(strstr(why, "size") != NULL);
	fb.height = 0xffffffffu;
	fb.pixels_per_line = 0xffffffffu;
	KT_EQ(fb_check(&fb, UINT64_MAX, why, sizeof(why)), -1);
	return NULL;
}

static const char *test_outside_direct_map(void)
{
	struct keel_framebuffer fb = good();

	KT_EQ(fb_check(&fb, 256ull << 20, why, sizeof(why)), -1);
	KT_ASSERT(strstr(why, "direct map") != NULL);
	fb.base = UINT64_MAX - 4095;
	KT_EQ(fb_check(&fb, DM, why, sizeof(why)), -1);
	return NULL;
}

static const char *test_formats(void)
{
	struct keel_framebuffer fb = good();

	fb.format = 3;
	KT_EQ(fb_check(&fb, DM, why, sizeof(why)), -1);
	KT_ASSERT(strstr(why, "format 3") != NULL);
	fb.format = KEEL_FB_BITMASK;
	fb.red_mask = 0xf800, fb.green_mask = 0x07e0, fb.blue_mask = 0x001f;
	KT_EQ(fb_check(&fb, DM, why, sizeof(why)), 0);
	fb.green_mask = 0;
	KT_EQ(fb_check(&fb, DM, why, sizeof(why)), -1);
	fb.green_mask = 0x05e0; /* a hole */
	KT_EQ(fb_check(&fb, DM, why, sizeof(why)), -1);
	fb.green_mask = 0x0ff0; /* overlaps red */
	KT_EQ(fb_check(&fb, DM, why, sizeof(why)), -1);
	fb.green_mask = 0x07e0;
	fb.reserved_mask = 0x1; /* overlaps blue */
	KT_EQ(fb_check(&fb, DM, why, sizeof(why)), -1);
	return NULL;
}

static const char *test_pack(void)
{
	struct keel_framebuffer fb = good();

	fb.format = KEEL_FB_BGRX;
	KT_EQ(fb_pack_rgb(&fb, 0x11, 0x22, 0x33), 0x112233);
	fb.format = KEEL_FB_RGBX;
	KT_EQ(fb_pack_rgb(&fb, 0x11, 0x22, 0x33), 0x332211);
	fb.format = KEEL_FB_BITMASK; /* RGB565 */
	fb.red_mask = 0xf800, fb.green_mask = 0x07e0, fb.blue_mask = 0x001f;
	KT_EQ(fb_pack_rgb(&fb, 0xff, 0xff, 0xff), 0xffff);
	KT_EQ(fb_pack_rgb(&fb, 0xaa, 0xaa, 0xaa), (0x15 << 11) | (0x2a << 5) | 0x15);
	fb.red_mask = 0x3ff00000, fb.green_mask = 0x000ffc00, fb.blue_mask = 0x3ff; /* 10 bits */
	KT_EQ(fb_pack_rgb(&fb, 0xff, 0, 0x80), (0x3fcu << 20) | 0x200);
	return NULL;
}

static const char *test_format_names(void)
{
	KT_ASSERT(strcmp(fb_format_name(KEEL_FB_RGBX), "RGBX") == 0);
	KT_ASSERT(strcmp(fb_format_name(KEEL_FB_BGRX), "BGRX") == 0);
	KT_ASSERT(strcmp(fb_format_name(KEEL_FB_BITMASK), "bitmask") == 0);
	KT_ASSERT(strcmp(fb_format_name(99), "unknown") == 0);
	return NULL;
}

static const struct ktest tests[] = {
    KTEST(test_good_geometry),      KTEST(test_bad_geometry), KTEST(test_geometry_overflow),
    KTEST(test_outside_direct_map), KTEST(test_formats),      KTEST(test_pack),
    KTEST(test_format_names),
};

int main(void)
{
	return ktest_main(tests, KTEST_COUNT(tests));
}
