/*
 * kernel/dev/fbcon.h: a text console on the GOP framebuffer with the build's
 * PSF font (kernel/dev/font.h), light grey on black, scrolling when the
 * screen is full. It draws through the direct map at first and through a
 * write-combining mapping once fbcon_map_wc has made one.
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

/*
 * Map the framebuffer write-combining (mm/vm.h; uncached on a CPU without
 * PAT) and draw through that from now on, and say so on the console. Once,
 * on the boot CPU, after vm_init; without a console it does nothing, and if
 * the mapping fails the console keeps the direct map.
 */
void fbcon_map_wc(void);

/*
 * The console's sink when [phys, phys + size) overlaps the framebuffer it
 * draws on, else NULL: device memory carved there holds it (core/devobj.c).
 */
const struct console_sink *fbcon_sink_over(uint64_t phys, uint64_t size);

/* The framebuffer's physical address (0 without a console), for tests. */
uint64_t fbcon_phys(void);

/* Where the console draws now (NULL without one), for tests. */
const void *fbcon_mapping(void);

#endif
