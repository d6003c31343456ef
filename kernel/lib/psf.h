/*
 * kernel/lib/psf.h: a bitmap console font as the framebuffer console uses it.
 * The build converts a PSF1 or PSF2 font (Debian's console fonts) into one of
 * these with kernel/tools/psf2c; the converter checks the font, so the table
 * it writes is consistent: every map entry and the fallback name a glyph that
 * exists. psf_glyph() still checks, so a bad table cannot read out of bounds.
 */
#ifndef KEEL_LIB_PSF_H
#define KEEL_LIB_PSF_H

#include <stdint.h>

/* Code points 0..255 (ASCII and Latin-1) are looked up through map[]. */
#define PSF_MAP_SIZE 256
#define PSF_NO_GLYPH 0xffffu

struct psf_font {
	uint32_t width;     /* pixels */
	uint32_t height;    /* pixels, also rows per glyph */
	uint32_t row_bytes; /* bytes per glyph row: (width + 7) / 8, MSB leftmost */
	uint32_t glyph_count;
	const uint8_t *glyphs;      /* glyph_count * height * row_bytes bytes */
	uint16_t fallback;          /* glyph for code points the font lacks ('?') */
	uint16_t map[PSF_MAP_SIZE]; /* code point -> glyph index, or PSF_NO_GLYPH */
};

/*
 * The bitmap of code point `cp`: height rows of row_bytes each. Code points
 * the font has no glyph for get the fallback glyph; NULL only when even the
 * fallback is out of range (a broken table).
 */
const uint8_t *psf_glyph(const struct psf_font *font, uint32_t cp);

#endif
