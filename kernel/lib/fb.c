/*
 * kernel/lib/fb.c: framebuffer checks and pixel packing (fb.h).
 */
#include "fb.h"

#include <stdbool.h>

#include "fmt.h"

/* A mask is usable when it is one run of set bits. */
static bool fb_mask_contiguous(uint32_t m)
{
	uint32_t run;

	if (m == 0)
		return false;
	run = m >> __builtin_ctz(m);
	return (run & (run + 1)) == 0;
}

static int fb_check_masks(const struct keel_framebuffer *fb, char *why, size_t why_size)
{
	const uint32_t masks[3] = {fb->red_mask, fb->green_mask, fb->blue_mask};
	static const char *const names[3] = {"red", "green", "blue"};

	for (int i = 0; i < 3; i++) {
		if (!fb_mask_contiguous(masks[i])) {
			fmt_snprintf(why, why_size, "%s mask 0x%08x is empty or not contiguous",
				     names[i], masks[i]);
			return -1;
		}
	}
	if ((fb->red_mask & fb->green_mask) || (fb->red_mask & fb->blue_mask) ||
	    (fb->green_mask & fb->blue_mask) ||
	    ((fb->red_mask | fb->green_mask | fb->blue_mask) & fb->reserved_mask)) {
		fmt_snprintf(
		    why, why_size,
		    "pixel masks overlap (red 0x%08x green 0x%08x blue 0x%08x reserved 0x%08x)",
		    fb->red_mask, fb->green_mask, fb->blue_mask, fb->reserved_mask);
		return -1;
	}
	return 0;
}

int fb_check(const struct keel_framebuffer *fb, uint64_t direct_map_size, char *why,
	     size_t why_size)
{
	if (fb->base == 0 || fb->base % FB_BYTES_PER_PIXEL != 0) {
		fmt_snprintf(why, why_size, "base 0x%llx is zero or not 4-byte aligned",
			     (unsigned long long)fb->base);
		return -1;
	}
	if (fb->width == 0 || fb->height == 0 || fb->pixels_per_line == 0) {
		fmt_snprintf(why, why_size, "empty geometry %ux%u stride %u", fb->width, fb->height,
			     fb->pixels_per_line);
		return -1;
	}
	if (fb->width > fb->pixels_per_line) {
		fmt_snprintf(why, why_size, "width %u exceeds the stride of %u pixels", fb->width,
			     fb->pixels_per_line);
		return -1;
	}
	/*
	 * height * stride * 4 can exceed 64 bits (two 32-bit factors and a
	 * third), so compare by division: the rows must fit in size.
	 */
	if (fb->height > fb->size / FB_BYTES_PER_PIXEL / fb->pixels_per_line) {
		fmt_snprintf(why, why_size, "size %llu bytes < height %u * stride %u * 4 bytes",
			     (unsigned long long)fb->size, fb->height, fb->pixels_per_line);
		return -1;
	}
	if (fb->base > direct_map_size || fb->size > direct_map_size - fb->base) {
		fmt_snprintf(why, why_size,
			     "0x%llx + 0x%llx bytes lies outside the direct map (0x%llx bytes)",
			     (unsigned long long)fb->base, (unsigned long long)fb->size,
			     (unsigned long long)direct_map_size);
		return -1;
	}
	switch (fb->format) {
	case KEEL_FB_RGBX:
	case KEEL_FB_BGRX: return 0;
	case KEEL_FB_BITMASK: return fb_check_masks(fb, why, why_size);
	default: fmt_snprintf(why, why_size, "unknown pixel format %u", fb->format); return -1;
	}
}

/* Scale an 8-bit channel value into a contiguous mask. */
static uint32_t fb_pack_channel(uint32_t mask, uint8_t v)
{
	int shift, bits;
	uint32_t scaled;

	if (mask == 0) /* fb_check refuses this; ctz(0) would be undefined */
		return 0;
	shift = __builtin_ctz(mask);
	bits = __builtin_popcount(mask);
	scaled = bits >= 8 ? (uint32_t)v << (bits - 8) : (uint32_t)v >> (8 - bits);
	return (scaled << shift) & mask;
}

uint32_t fb_pack_rgb(const struct keel_framebuffer *fb, uint8_t r, uint8_t g, uint8_t b)
{
	switch (fb->format) {
	case KEEL_FB_RGBX: return (uint32_t)r | (uint32_t)g << 8 | (uint32_t)b << 16;
	case KEEL_FB_BGRX: return (uint32_t)b | (uint32_t)g << 8 | (uint32_t)r << 16;
	default:
		return fb_pack_channel(fb->red_mask, r) | fb_pack_channel(fb->green_mask, g) |
		       fb_pack_channel(fb->blue_mask, b);
	}
}

const char *fb_format_name(uint32_t format)
{
	switch (format) {
	case KEEL_FB_RGBX: return "RGBX";
	case KEEL_FB_BGRX: return "BGRX";
	case KEEL_FB_BITMASK: return "bitmask";
	default: return "unknown";
	}
}
