/*
 * kernel/lib/psf.c: glyph lookup in a converted console font (psf.h).
 */
#include "psf.h"

#include <stddef.h>

static const uint8_t *psf_glyph_at(const struct psf_font *font, uint32_t index)
{
	if (index >= font->glyph_count)
		return NULL;
	return font->glyphs + (size_t)index * font->height * font->row_bytes;
}

const uint8_t *psf_glyph(const struct psf_font *font, uint32_t cp)
{
	const uint8_t *g = NULL;

	if (cp < PSF_MAP_SIZE && font->map[cp] != PSF_NO_GLYPH)
		g = psf_glyph_at(font, font->map[cp]);
	return g ? g : psf_glyph_at(font, font->fallback);
}
