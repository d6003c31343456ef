/*
 * kernel/lib/cpio.c: reader for cpio "newc" archives (cpio.h).
 *
 * Layout (as written by GNU cpio -H newc and read by Linux's initramfs code):
 * a 110-byte header of ASCII: the magic "070701" ("070702" when a checksum is
 * present, which we do not verify), then 13 fields of 8 hex digits; then the
 * name, namesize bytes including its NUL, padded so that header plus name is a
 * multiple of 4 bytes from the archive start; then filesize bytes of data,
 * padded to 4. The last entry is named TRAILER!!!.
 *
 * Every offset is compared against the archive size without forming a sum that
 * could wrap. On an error the iterator does not move, so it keeps reporting it.
 */
#include "cpio.h"

#include "kstring.h"

#define CPIO_HDR_SIZE  110
#define CPIO_MAGIC_LEN 6
#define CPIO_FIELDS    13

/* Field indexes after the magic. */
#define CPIO_F_MODE     1
#define CPIO_F_FILESIZE 6
#define CPIO_F_NAMESIZE 11

static const char cpio_trailer[] = "TRAILER!!!";

/* 8 ASCII hex digits, nothing else (no sign, no space, no 0x). */
static int cpio_parse_hex(const uint8_t *p, uint32_t *out)
{
	uint32_t v = 0;

	for (int i = 0; i < 8; i++) {
		uint8_t c = p[i];
		uint32_t d;

		if (c >= '0' && c <= '9')
			d = (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (uint32_t)(c - 'A' + 10);
		else
			return CPIO_EHEX;
		v = (v << 4) | d;
	}
	*out = v;
	return CPIO_OK;
}

/* Round up to 4. Callers pass n <= the archive size, which is far from SIZE_MAX. */
static size_t cpio_pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

void cpio_iter_init(struct cpio_iter *it, const void *archive, size_t size)
{
	it->base = archive;
	it->size = size;
	it->offset = 0;
}

int cpio_next(struct cpio_iter *it, struct cpio_entry *e)
{
	size_t avail = it->size - it->offset; /* offset <= size always holds */
	uint32_t field[CPIO_FIELDS];

	if (avail == 0)
		return CPIO_ENOTRAILER;
	if (avail < CPIO_HDR_SIZE)
		return CPIO_EHEADER;

	const uint8_t *h = it->base + it->offset;

	if (memcmp(h, "070701", CPIO_MAGIC_LEN) != 0 && memcmp(h, "070702", CPIO_MAGIC_LEN) != 0)
		return CPIO_EMAGIC;
	for (int i = 0; i < CPIO_FIELDS; i++) {
		if (cpio_parse_hex(h + CPIO_MAGIC_LEN + 8 * i, &field[i]) != CPIO_OK)
			return CPIO_EHEX;
	}

	/* The name: namesize bytes right after the header, the last one its only NUL. */
	size_t namesize = field[CPIO_F_NAMESIZE];
	const char *name = (const char *)h + CPIO_HDR_SIZE;

	if (namesize == 0 || namesize > avail - CPIO_HDR_SIZE)
		return CPIO_ENAME;
	for (size_t i = 0; i < namesize - 1; i++) {
		if (name[i] == '\0')
			return CPIO_ENAME;
	}
	if (name[namesize - 1] != '\0')
		return CPIO_ENAME;

	if (namesize == sizeof(cpio_trailer) && memcmp(name, cpio_trailer, namesize) == 0)
		return 0; /* stay on the trailer: later calls return 0 again */

	/*
	 * Data starts after the name's padding. offset + 110 + namesize <= size,
	 * so the padded value is at most size + 3 and cannot wrap.
	 */
	size_t data = cpio_pad4(it->offset + CPIO_HDR_SIZE + namesize);
	size_t filesize = field[CPIO_F_FILESIZE];

	if (data > it->size || filesize > it->size - data)
		return CPIO_ESIZE;

	e->name = name;
	e->name_len = namesize - 1;
	e->data = it->base + data;
	e->size = filesize;
	e->mode = field[CPIO_F_MODE];

	/* The data's padding may be cut off at the archive end: the next call reports that. */
	size_t next = cpio_pad4(data + filesize);
	it->offset = next < it->size ? next : it->size;
	return 1;
}

int cpio_validate(const void *archive, size_t size, uint32_t *entries)
{
	struct cpio_iter it;
	struct cpio_entry e;
	uint32_t n = 0;
	int r;

	cpio_iter_init(&it, archive, size);
	while ((r = cpio_next(&it, &e)) == 1)
		n++;
	if (r < 0)
		return r;
	if (entries)
		*entries = n;
	return CPIO_OK;
}

int cpio_find(const void *archive, size_t size, const char *name, struct cpio_entry *e)
{
	struct cpio_iter it;
	struct cpio_entry cur;
	size_t len = strlen(name);
	int r = cpio_validate(archive, size, NULL);

	/* Validate first: a name found in a broken archive is not trusted. */
	if (r != CPIO_OK)
		return r;
	cpio_iter_init(&it, archive, size);
	while ((r = cpio_next(&it, &cur)) == 1) {
		if (cur.name_len == len && memcmp(cur.name, name, len) == 0) {
			*e = cur;
			return 1;
		}
	}
	return r;
}

const char *cpio_strerror(int err)
{
	switch (err) {
	case CPIO_OK: return "ok";
	case CPIO_EMAGIC: return "bad cpio magic (not newc 070701)";
	case CPIO_EHEADER: return "cpio header truncated";
	case CPIO_EHEX: return "cpio header field not 8 hex digits";
	case CPIO_ENAME: return "bad cpio entry name";
	case CPIO_ESIZE: return "cpio file data past the end of the archive";
	case CPIO_ENOTRAILER: return "cpio archive has no TRAILER!!!";
	default: return "unknown cpio error";
	}
}
