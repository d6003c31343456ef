/*
 * kernel/lib/fb.h: checking the framebuffer the stub reported (struct
 * keel_framebuffer, include/keel/boot.h) and turning colours into its pixel
 * values. Pure logic: the framebuffer console (kernel/dev/fbcon.c) and the
 * boot tests use it; the host unit tests check it.
 */
#ifndef KEEL_LIB_FB_H
#define KEEL_LIB_FB_H

#include <stddef.h>
#include <stdint.h>

#include <keel/boot.h>

#define FB_BYTES_PER_PIXEL 4u

/*
 * Whether the framebuffer can be drawn on through the direct map, which
 * covers physical [0, direct_map_size): base non-zero and 4-byte aligned,
 * width, height and stride non-zero, width <= pixels_per_line, size covers
 * height * pixels_per_line * 4 bytes, the whole of it inside the direct map,
 * a known pixel format, and for KEEL_FB_BITMASK red, green and blue masks
 * that are non-empty, contiguous and disjoint (also from the reserved mask).
 * 0 when usable; otherwise -1 with the reason, values included, in why.
 */
int fb_check(const struct keel_framebuffer *fb, uint64_t direct_map_size, char *why,
	     size_t why_size);

/* The 32-bit pixel for 8-bit r, g, b on a framebuffer that passed fb_check. */
uint32_t fb_pack_rgb(const struct keel_framebuffer *fb, uint8_t r, uint8_t g, uint8_t b);

/* "RGBX", "BGRX", "bitmask" or "unknown". */
const char *fb_format_name(uint32_t format);

#endif
