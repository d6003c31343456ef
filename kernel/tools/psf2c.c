/*
 * kernel/tools/psf2c.c: build-time converter from a PSF console font to the C
 * table the framebuffer console draws with (struct psf_font, kernel/lib/psf.h).
 *
 *   psf2c FONT.psf > font.c
 *
 * FONT.psf is an uncompressed PSF1 or PSF2 font (Debian ships them gzipped in
 * /usr/share/consolefonts; the Makefile gunzips first). The font comes from
 * outside the tree, so everything is checked against the file size before it
 * is used: the magic, the header fields, the glyph size and count, the glyph
 * data, the Unicode table (its code points and sequences, and that it has one
 * entry per glyph), and that no bytes follow. The font must also have a glyph
 * for every printable ASCII character, which the console relies on. Any
 * problem ends the build with one line naming the file and what is wrong.
 *
 * Formats (as documented with the Linux console tools, kbd's psffontop.h):
 * PSF1: 2-byte magic 36 04, mode (bit 0: 512 glyphs instead of 256, bit 1: has
 *   a Unicode table, bit 2: table has sequences), charsize (= height; width is
 *   8); glyphs follow; the table holds, per glyph, 16-bit little-endian code
 *   points ended by 0xFFFF, with 0xFFFE starting combining sequences.
 * PSF2: 32-byte little-endian header: magic 72 b5 4a 86, version 0, header
 *   size, flags (bit 0: has a Unicode table), glyph count, bytes per glyph,
 *   height, width; glyphs follow at the header size; the table holds, per
 *   glyph, UTF-8 code points ended by 0xFF, with 0xFE starting sequences.
 *
 * Only code points below PSF_MAP_SIZE (ASCII and Latin-1) go into the map;
 * sequences are skipped (the console draws single code points only). When
 * the table maps a code point to several glyphs the first one wins. A font
 * without a table is taken to be in code-page order: glyph i is code point i.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/psf.h"

#define PSF_FILE_MAX   (4u << 20) /* no console font comes near 4 MiB */
#define PSF_GLYPHS_MAX 4096u      /* more is not a console font */
#define PSF_WIDTH_MAX  32u
#define PSF_HEIGHT_MAX 64u

#define PSF1_MAGIC0      0x36
#define PSF1_MAGIC1      0x04
#define PSF1_MODE512     0x01
#define PSF1_MODEHASTAB  0x02
#define PSF1_MODEHASSEQ  0x04
#define PSF1_HEADER_SIZE 4
#define PSF1_SEPARATOR   0xffffu
#define PSF1_STARTSEQ    0xfffeu

#define PSF2_MAGIC             0x864ab572u
#define PSF2_HAS_UNICODE_TABLE 0x01u
#define PSF2_HEADER_SIZE       32
#define PSF2_SEPARATOR         0xffu
#define PSF2_STARTSEQ          0xfeu

struct font {
	const char *path;
	const uint8_t *data;
	size_t size;
	const char *kind; /* "PSF1" or "PSF2" */
	uint32_t width, height, row_bytes, count;
	size_t glyph_offset; /* of glyph 0 in data */
	uint16_t map[PSF_MAP_SIZE];
};

static void psf_die(const struct font *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));

static void psf_die(const struct font *f, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "psf2c: %s: ", f->path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static uint32_t psf_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void psf_read_file(struct font *f)
{
	/* One byte more than allowed, to notice a file that is too large. */
	static uint8_t buf[PSF_FILE_MAX + 1];
	FILE *in = fopen(f->path, "rb");
	size_t n;

	if (!in)
		psf_die(f, "cannot open: %s", strerror(errno));
	n = fread(buf, 1, sizeof(buf), in);
	if (ferror(in))
		psf_die(f, "read error: %s", strerror(errno));
	fclose(in);
	if (n > PSF_FILE_MAX)
		psf_die(f, "larger than %u bytes: not a console font", PSF_FILE_MAX);
	f->data = buf;
	f->size = n;
}

/* Record that code point cp is drawn with glyph g (the first mapping wins). */
static void psf_map_add(struct font *f, uint32_t cp, uint32_t g)
{
	if (cp < PSF_MAP_SIZE && f->map[cp] == PSF_NO_GLYPH)
		f->map[cp] = (uint16_t)g;
}

/* Check the glyph block [glyph_offset, + count * glyph bytes) lies in the file. */
static size_t psf_glyphs_end(const struct font *f)
{
	uint64_t end = (uint64_t)f->glyph_offset + (uint64_t)f->count * f->height * f->row_bytes;

	if (end > f->size)
		psf_die(f, "%s: %u glyphs of %u bytes need %llu bytes, the file has %zu", f->kind,
			f->count, f->height * f->row_bytes, (unsigned long long)end, f->size);
	return (size_t)end;
}

/* Nothing may follow the last part of the font (named by `after`). */
static void psf_check_end(const struct font *f, size_t pos, const char *after)
{
	if (pos != f->size)
		psf_die(f, "%s: %zu bytes after %s", f->kind, f->size - pos, after);
}

/* A font without a Unicode table is in code-page order: glyph i is code point i. */
static void psf_map_identity(struct font *f, size_t glyphs_end)
{
	for (uint32_t g = 0; g < f->count; g++)
		psf_map_add(f, g, g);
	psf_check_end(f, glyphs_end, "the glyphs of a font without a Unicode table");
}

static void psf_parse_psf1(struct font *f)
{
	const uint8_t *d = f->data;
	uint8_t mode = d[2];
	size_t pos;

	f->kind = "PSF1";
	if (mode & ~(PSF1_MODE512 | PSF1_MODEHASTAB | PSF1_MODEHASSEQ))
		psf_die(f, "PSF1: unknown mode bits 0x%02x", mode);
	f->width = 8;
	f->height = d[3];
	f->row_bytes = 1;
	if (f->height == 0 || f->height > PSF_HEIGHT_MAX)
		psf_die(f, "PSF1: glyph height %u, expected 1..%u", f->height, PSF_HEIGHT_MAX);
	f->count = (mode & PSF1_MODE512) ? 512 : 256;
	f->glyph_offset = PSF1_HEADER_SIZE;
	pos = psf_glyphs_end(f);

	if (!(mode & (PSF1_MODEHASTAB | PSF1_MODEHASSEQ))) {
		psf_map_identity(f, pos);
		return;
	}
	for (uint32_t g = 0; g < f->count; g++) {
		int in_sequence = 0;

		for (;;) {
			uint32_t u;

			if (f->size - pos < 2)
				psf_die(f, "PSF1: Unicode table ends inside the entry of glyph %u",
					g);
			u = (uint32_t)d[pos] | (uint32_t)d[pos + 1] << 8;
			pos += 2;
			if (u == PSF1_SEPARATOR)
				break;
			if (u == PSF1_STARTSEQ)
				in_sequence = 1;
			else if (!in_sequence)
				psf_map_add(f, u, g);
		}
	}
	psf_check_end(f, pos, "the Unicode table");
}

/*
 * Decode one UTF-8 code point at d[*pos] (strict: no overlong forms, no
 * surrogates, nothing above U+10FFFF). Returns it and advances *pos.
 */
static uint32_t psf_utf8_next(const struct font *f, size_t *pos, uint32_t glyph)
{
	const uint8_t *d = f->data;
	uint8_t c = d[*pos];
	uint32_t cp, min;
	int extra;

	if (c < 0x80) {
		*pos += 1;
		return c;
	}
	if ((c & 0xe0) == 0xc0) {
		extra = 1, cp = c & 0x1f, min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		extra = 2, cp = c & 0x0f, min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		extra = 3, cp = c & 0x07, min = 0x10000;
	} else {
		psf_die(f, "PSF2: bad UTF-8 lead byte 0x%02x in the entry of glyph %u", c, glyph);
	}
	if (f->size - *pos <= (size_t)extra)
		psf_die(f, "PSF2: Unicode table ends inside a UTF-8 sequence (glyph %u)", glyph);
	for (int i = 1; i <= extra; i++) {
		uint8_t cc = d[*pos + (size_t)i];

		if ((cc & 0xc0) != 0x80)
			psf_die(f, "PSF2: bad UTF-8 continuation byte 0x%02x (glyph %u)", cc,
				glyph);
		cp = cp << 6 | (cc & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		psf_die(f, "PSF2: invalid UTF-8 code point U+%X (glyph %u)", cp, glyph);
	*pos += (size_t)extra + 1;
	return cp;
}

static void psf_parse_psf2(struct font *f)
{
	const uint8_t *d = f->data;
	uint32_t version, header_size, flags, charsize;
	size_t pos;

	f->kind = "PSF2";
	if (f->size < PSF2_HEADER_SIZE)
		psf_die(f, "PSF2: file shorter than the 32-byte header");
	version = psf_le32(d + 4);
	header_size = psf_le32(d + 8);
	flags = psf_le32(d + 12);
	f->count = psf_le32(d + 16);
	charsize = psf_le32(d + 20);
	f->height = psf_le32(d + 24);
	f->width = psf_le32(d + 28);
	if (version != 0)
		psf_die(f, "PSF2: version %u, expected 0", version);
	if (header_size < PSF2_HEADER_SIZE || header_size > f->size)
		psf_die(f, "PSF2: header size %u, expected 32..%zu", header_size, f->size);
	if (flags & ~PSF2_HAS_UNICODE_TABLE)
		psf_die(f, "PSF2: unknown flags 0x%x", flags);
	if (f->width == 0 || f->width > PSF_WIDTH_MAX)
		psf_die(f, "PSF2: glyph width %u, expected 1..%u", f->width, PSF_WIDTH_MAX);
	if (f->height == 0 || f->height > PSF_HEIGHT_MAX)
		psf_die(f, "PSF2: glyph height %u, expected 1..%u", f->height, PSF_HEIGHT_MAX);
	f->row_bytes = (f->width + 7) / 8;
	if (charsize != f->height * f->row_bytes)
		psf_die(f, "PSF2: %u bytes per glyph, but %ux%u glyphs take %u", charsize, f->width,
			f->height, f->height * f->row_bytes);
	if (f->count == 0 || f->count > PSF_GLYPHS_MAX)
		psf_die(f, "PSF2: %u glyphs, expected 1..%u", f->count, PSF_GLYPHS_MAX);
	f->glyph_offset = header_size;
	pos = psf_glyphs_end(f);

	if (!(flags & PSF2_HAS_UNICODE_TABLE)) {
		psf_map_identity(f, pos);
		return;
	}
	for (uint32_t g = 0; g < f->count; g++) {
		int in_sequence = 0;

		for (;;) {
			uint32_t u;

			if (pos >= f->size)
				psf_die(f, "PSF2: Unicode table ends inside the entry of glyph %u",
					g);
			if (d[pos] == PSF2_SEPARATOR) {
				pos++;
				break;
			}
			if (d[pos] == PSF2_STARTSEQ) {
				pos++;
				in_sequence = 1;
				continue;
			}
			u = psf_utf8_next(f, &pos, g);
			if (!in_sequence)
				psf_map_add(f, u, g);
		}
	}
	psf_check_end(f, pos, "the Unicode table");
}

static void psf_emit(const struct font *f)
{
	size_t bytes = (size_t)f->count * f->height * f->row_bytes;
	const uint8_t *g = f->data + f->glyph_offset;

	printf("/* Generated by kernel/tools/psf2c from %s (%s, %u glyphs of %ux%u): do not edit. "
	       "*/\n",
	       f->path, f->kind, f->count, f->width, f->height);
	printf("#include \"dev/font.h\"\n\n");
	printf("static const uint8_t font_console_glyphs[%zu] = {", bytes);
	for (size_t i = 0; i < bytes; i++)
		printf("%s0x%02x,", i % 12 ? " " : "\n\t", g[i]);
	printf("\n};\n\n");
	printf("const struct psf_font font_console = {\n");
	printf("\t.width = %u,\n\t.height = %u,\n\t.row_bytes = %u,\n\t.glyph_count = %u,\n",
	       f->width, f->height, f->row_bytes, f->count);
	printf("\t.glyphs = font_console_glyphs,\n");
	printf("\t.fallback = %u, /* '?' */\n", f->map['?']);
	printf("\t.map = {");
	for (size_t i = 0; i < PSF_MAP_SIZE; i++)
		printf("%s0x%04x,", i % 8 ? " " : "\n\t\t", f->map[i]);
	printf("\n\t},\n};\n");
}

int main(int argc, char **argv)
{
	struct font f = {.path = argc > 1 ? argv[1] : ""};

	if (argc != 2) {
		fprintf(stderr, "usage: psf2c FONT.psf > font.c\n");
		return 2;
	}
	for (size_t i = 0; i < PSF_MAP_SIZE; i++)
		f.map[i] = PSF_NO_GLYPH;
	psf_read_file(&f);

	if (f.size >= 4 && f.data[0] == PSF1_MAGIC0 && f.data[1] == PSF1_MAGIC1)
		psf_parse_psf1(&f);
	else if (f.size >= 4 && psf_le32(f.data) == PSF2_MAGIC)
		psf_parse_psf2(&f);
	else
		psf_die(&f, "not a PSF1 or PSF2 font (bad magic; is it still gzipped?)");

	/* The console prints ASCII: every printable character must be drawable. */
	for (uint32_t c = 0x20; c < 0x7f; c++)
		if (f.map[c] == PSF_NO_GLYPH)
			psf_die(&f, "%s: no glyph for '%c' (U+%04X)", f.kind, (int)c, c);

	psf_emit(&f);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "psf2c: error writing the output: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
