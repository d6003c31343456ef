/*
 * kernel/dev/font.h: the console font, generated at build time from a Debian
 * PSF font by kernel/tools/psf2c into $(BUILD)/kernel/generated/font.c
 * (kernel/kernel.mk names the font).
 */
#ifndef KEEL_DEV_FONT_H
#define KEEL_DEV_FONT_H

#include "lib/psf.h"

extern const struct psf_font font_console;

#endif
