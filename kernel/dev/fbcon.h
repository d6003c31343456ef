/*
 * kernel/dev/fbcon.h: a text console on the GOP framebuffer, drawn through
 * the direct map with the build's PSF font (kernel/dev/font.h), light grey on
 * black, scrolling when the screen is full.
 */
#ifndef KEEL_DEV_FBCON_H
#define KEEL_DEV_FBCON_H

#include <stddef.h>
#include <stdint.h>

#include <keel/boot.h>

#include "core/console.h"

/*
 * Check the framebuffer (lib/fb.h: geometry, format, inside the direct map of
 * direct_map_size bytes), clear it and return the console's sink. NULL when
 * it cannot be used, with the reason in why; nothing is drawn then.
 */
const struct console_sink *fbcon_init(const struct keel_framebuffer *fb, uint64_t direct_map_size,
				      char *why, size_t why_size);

#endif
