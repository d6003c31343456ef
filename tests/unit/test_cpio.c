/*
 * tests/unit/test_cpio.c: kernel/lib/cpio.c against newc archives built in
 * memory. Archives are handed over in heap blocks of exactly their size, so
 * ASan catches any read past the end. Usage: test_cpio [FILE...]; each FILE
 * must validate (the harness passes build/initrd.cpio).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ktest.h"
#include "ktest_file.h"
#include "lib/cpio.h"

#define HDR        110
#define F_MODE     1
#define F_FILESIZE 6
#define F_NAMESIZE 11

struct arc {
	uint8_t buf[4096];
	size_t len;
};

/* Where the parts of one entry start, for the truncation test. */
struct layout {
	size_t hdr, name_end, data, data_end, next;
	int trailer;
};

static char **given_files;
static int given_count;

static void arc_pad4(struct arc *a)
{
	while (a->len % 4 != 0)
		a->buf[a->len++] = 0;
}

/* A header with 13 fields; fields[] default to 0 where the caller passes 0. */
static void arc_header(struct arc *a, const char *magic, const uint32_t fields[13])
{
	char tmp[16];

	memcpy(a->buf + a->len, magic, 6);
	a->len += 6;
	for (int i = 0; i < 13; i++) {
		snprintf(tmp, sizeof(tmp), "%08X", fields[i]);
		memcpy(a->buf + a->len, tmp, 8);
		a->len += 8;
	}
}

/* A well-formed entry; its layout goes to *l when l is not NULL. */
static void arc_add(struct arc *a, const char *name, uint32_t mode, const void *data, uint32_t size,
		    struct layout *l)
{
	uint32_t f[13] = {0};
	size_t nlen = strlen(name) + 1;

	f[0] = (uint32_t)a->len + 1; /* inode */
	f[F_MODE] = mode;
	f[4] = 1; /* nlink */
	f[F_FILESIZE] = size;
	f[F_NAMESIZE] = (uint32_t)nlen;
	if (l)
		l->hdr = a->len;
	arc_header(a, "070701", f);
	memcpy(a->buf + a->len, name, nlen);
	a->len += nlen;
	if (l)
		l->name_end = a->len;
	arc_pad4(a);
	if (l)
		l->data = a->len;
	memcpy(a->buf + a->len, data, size);
	a->len += size;
	if (l)
		l->data_end = a->len;
	arc_pad4(a);
	if (l) {
		l->next = a->len;
		l->trailer = strcmp(name, "TRAILER!!!") == 0;
	}
}

static void arc_trailer(struct arc *a, struct layout *l)
{
	arc_add(a, "TRAILER!!!", 0, "", 0, l);
}

#define MODE_FILE 0100644u
#define MODE_DIR  0040755u

static const char init_conf[] = "start uart\nstart fbcon\n";

/* ".", "etc", "etc/init.conf", "empty", "bin/x", trailer: every padding length. */
static void arc_good(struct arc *a, struct layout l[6])
{
	a->len = 0;
	arc_add(a, ".", MODE_DIR, "", 0, &l[0]);
	arc_add(a, "etc", MODE_DIR, "", 0, &l[1]);
	arc_add(a, "etc/init.conf", MODE_FILE, init_conf, sizeof(init_conf) - 1, &l[2]);
	arc_add(a, "empty", MODE_FILE, "", 0, &l[3]);
	arc_add(a, "bin/x", 0100755u,
		"\x7f"
		"ELF\x02",
		5, &l[4]);
	arc_trailer(a, &l[5]);
}

/* An exact-size heap copy of the first len bytes. */
static uint8_t *exact(const struct arc *a, size_t len)
{
	uint8_t *p = malloc(len ? len : 1);

	memcpy(p, a->buf, len);
	return p;
}

static int validate(const struct arc *a, size_t len, uint32_t *entries)
{
	uint8_t *p = exact(a, len);
	int r = cpio_validate(p, len, entries);

	free(p);
	return r;
}

static const char *test_good_archive(void)
{
	struct arc a;
	struct layout l[6];
	struct cpio_iter it;
	struct cpio_entry e;
	uint32_t n = 99;

	arc_good(&a, l);
	uint8_t *p = exact(&a, a.len);
	KT_EQ(cpio_validate(p, a.len, &n), CPIO_OK);
	KT_EQ(n, 5);

	static const struct {
		const char *name;
		uint32_t mode;
		size_t size;
	} want[] = {
	    {".", MODE_DIR, 0},
	    {"etc", MODE_DIR, 0},
	    {"etc/init.conf", MODE_FILE, sizeof(init_conf) - 1},
	    {"empty", MODE_FILE, 0},
	    {"bin/x", 0100755u, 5},
	};
	cpio_iter_init(&it, p, a.len);
	for (size_t i = 0; i < KTEST_COUNT(want); i++) {
		int r = cpio_next(&it, &e);

		if (r != 1) {
			free(p);
			return ktest_msg("entry %zu: cpio_next gave %d", i, r);
		}
		if (strcmp(e.name, want[i].name) != 0 || e.name_len != strlen(want[i].name) ||
		    e.mode != want[i].mode || e.size != want[i].size ||
		    (const uint8_t *)e.data != p + l[i].data) {
			free(p);
			return ktest_msg("entry %zu: got \"%s\" len %zu mode %o size %zu at %td", i,
					 e.name, e.name_len, e.mode, e.size,
					 (const uint8_t *)e.data - p);
		}
	}
	/* The trailer ends the walk, and keeps ending it. */
	int r1 = cpio_next(&it, &e), r2 = cpio_next(&it, &e);

	free(p);
	KT_EQ(r1, 0);
	KT_EQ(r2, 0);
	return NULL;
}

static const char *test_find(void)
{
	struct arc a;
	struct layout l[6];
	struct cpio_entry e;

	arc_good(&a, l);
	uint8_t *p = exact(&a, a.len);
	int hit = cpio_find(p, a.len, "etc/init.conf", &e);
	int data_ok =
	    hit == 1 && e.size == sizeof(init_conf) - 1 && memcmp(e.data, init_conf, e.size) == 0;
	int empty = cpio_find(p, a.len, "empty", &e);
	int empty_ok = empty == 1 && e.size == 0 && (const uint8_t *)e.data == p + l[3].data;
	static const char *const misses[] = {
	    "etc/init", "etc/init.conf2", "./etc/init.conf", "ETC/INIT.CONF", "", "TRAILER!!!"};
	int miss[KTEST_COUNT(misses)];

	for (size_t i = 0; i < KTEST_COUNT(misses); i++)
		miss[i] = cpio_find(p, a.len, misses[i], &e);
	free(p);
	KT_EQ(hit, 1);
	KT_ASSERT(data_ok);
	KT_EQ(empty, 1);
	KT_ASSERT(empty_ok);
	for (size_t i = 0; i < KTEST_COUNT(misses); i++) {
		if (miss[i] != 0)
			return ktest_msg("cpio_find(\"%s\") gave %d, expected 0", misses[i],
					 miss[i]);
	}

	/* A name in a broken archive is not found: the error comes back. */
	a.len = l[5].hdr; /* no trailer */
	p = exact(&a, a.len);
	int broken = cpio_find(p, a.len, "etc/init.conf", &e);
	free(p);
	KT_EQ(broken, CPIO_ENOTRAILER);
	return NULL;
}

static const char *test_variants_accepted(void)
{
	struct arc a;
	struct layout l[6];
	uint32_t n;

	/* GNU cpio pads the archive to 512 bytes after the trailer. */
	arc_good(&a, l);
	memset(a.buf + a.len, 0, 512 - a.len % 512);
	a.len += 512 - a.len % 512;
	KT_EQ(validate(&a, a.len, &n), CPIO_OK);
	KT_EQ(n, 5);

	/* The trailer's own padding may be missing. */
	arc_good(&a, l);
	KT_EQ(validate(&a, l[5].name_end, &n), CPIO_OK);

	/* Names that only look like the trailer are ordinary entries. */
	a.len = 0;
	arc_add(&a, "TRAILER!!X", MODE_FILE, "", 0, NULL);
	arc_add(&a, "TRAILER!!", MODE_FILE, "", 0, NULL);
	arc_add(&a, "TRAILER!!!!", MODE_FILE, "", 0, NULL);
	KT_EQ(validate(&a, a.len, &n), CPIO_ENOTRAILER);
	arc_trailer(&a, NULL);
	KT_EQ(validate(&a, a.len, &n), CPIO_OK);
	KT_EQ(n, 3);

	/* "070702" (with checksum) and lower-case hex digits. */
	arc_good(&a, l);
	memcpy(a.buf + l[2].hdr, "070702", 6);
	for (size_t i = l[2].hdr + 6; i < l[2].hdr + HDR; i++) {
		if (a.buf[i] >= 'A' && a.buf[i] <= 'F')
			a.buf[i] = (uint8_t)(a.buf[i] - 'A' + 'a');
	}
	KT_EQ(validate(&a, a.len, &n), CPIO_OK);
	KT_EQ(n, 5);
	return NULL;
}

/* What cpio_validate must say about the good archive cut to `cut` bytes. */
static int expected_for_cut(const struct layout l[6], size_t cut)
{
	for (int k = 0; k < 6; k++) {
		if (cut >= l[k].next && !l[k].trailer)
			continue;
		if (cut == l[k].hdr)
			return CPIO_ENOTRAILER;
		if (cut < l[k].hdr + HDR)
			return CPIO_EHEADER;
		if (cut < l[k].name_end)
			return CPIO_ENAME;
		if (l[k].trailer)
			return CPIO_OK;
		if (cut < l[k].data_end || cut < l[k].data)
			return CPIO_ESIZE;
		return CPIO_ENOTRAILER; /* cut inside the data's padding */
	}
	return CPIO_OK;
}

static const char *test_every_truncation(void)
{
	struct arc a;
	struct layout l[6];

	arc_good(&a, l);
	for (size_t cut = 0; cut < a.len; cut++) {
		int want = expected_for_cut(l, cut), got = validate(&a, cut, NULL);

		if (got != want)
			return ktest_msg("archive cut to %zu bytes: %d (%s), expected %d (%s)", cut,
					 got, cpio_strerror(got), want, cpio_strerror(want));
	}
	return NULL;
}

static const char *test_bad_magic(void)
{
	struct arc a;
	struct layout l[6];

	arc_good(&a, l);
	memcpy(a.buf, "070707", 6); /* old portable (odc) format */
	KT_EQ(validate(&a, a.len, NULL), CPIO_EMAGIC);
	arc_good(&a, l);
	a.buf[l[3].hdr + 5] = '3'; /* a later entry */
	KT_EQ(validate(&a, a.len, NULL), CPIO_EMAGIC);
	arc_good(&a, l);
	a.buf[l[5].hdr] = 'x'; /* the trailer's */
	KT_EQ(validate(&a, a.len, NULL), CPIO_EMAGIC);
	return NULL;
}

static const char *test_non_hex(void)
{
	static const char bad[] = {'g', 'G', ' ', '-', '+', 'x', '\0', 0x80};
	struct arc a;
	struct layout l[6];

	for (int field = 0; field < 13; field++) {
		for (size_t b = 0; b < sizeof(bad); b++) {
			arc_good(&a, l);
			a.buf[l[2].hdr + 6 + 8 * field + (b % 8)] = (uint8_t)bad[b];
			int r = validate(&a, a.len, NULL);

			if (r != CPIO_EHEX)
				return ktest_msg(
				    "byte 0x%02x in field %d gave %d, expected CPIO_EHEX",
				    (unsigned char)bad[b], field, r);
		}
	}
	return NULL;
}

/* An archive of one raw entry: header fields as given, then `tail` bytes. */
static size_t arc_raw(struct arc *a, uint32_t namesize, uint32_t filesize, const void *tail,
		      size_t tail_len)
{
	uint32_t f[13] = {0};

	f[F_MODE] = MODE_FILE;
	f[F_NAMESIZE] = namesize;
	f[F_FILESIZE] = filesize;
	a->len = 0;
	arc_header(a, "070701", f);
	memcpy(a->buf + a->len, tail, tail_len);
	a->len += tail_len;
	return a->len;
}

static const char *test_bad_names(void)
{
	struct arc a;
	struct layout l;

	/* Each followed by a trailer, so that only the name is wrong. */
	arc_raw(&a, 0, 0, "ab\0\0", 4);
	arc_trailer(&a, &l);
	KT_EQ(validate(&a, a.len, NULL), CPIO_ENAME);
	arc_raw(&a, 4, 0, "abcd", 4); /* no NUL */
	arc_trailer(&a, &l);
	KT_EQ(validate(&a, a.len, NULL), CPIO_ENAME);
	arc_raw(&a, 6, 0, "ab\0cd\0\0\0", 8); /* a NUL inside */
	arc_trailer(&a, &l);
	KT_EQ(validate(&a, a.len, NULL), CPIO_ENAME);
	arc_raw(&a, 1, 0, "\0\0", 2); /* the empty name is well-formed */
	arc_trailer(&a, &l);
	KT_EQ(validate(&a, a.len, NULL), CPIO_OK);

	/* Past the end, and a size that would wrap any sum. */
	arc_raw(&a, 100, 0, "abc\0", 4);
	KT_EQ(validate(&a, a.len, NULL), CPIO_ENAME);
	arc_raw(&a, 0xffffffffu, 0, "abc\0", 4);
	KT_EQ(validate(&a, a.len, NULL), CPIO_ENAME);
	arc_raw(&a, 0xffffff00u, 0, "abc\0", 4);
	arc_trailer(&a, &l);
	KT_EQ(validate(&a, a.len, NULL), CPIO_ENAME);
	return NULL;
}

static const char *test_bad_sizes(void)
{
	struct arc a;
	struct layout l;

	/* Name at 110, data at 116 (after padding): 4 of its 8 bytes present. */
	arc_raw(&a, 4, 8, "abc\0\0\0data", 10);
	KT_EQ(validate(&a, a.len, NULL), CPIO_ESIZE);
	arc_raw(&a, 4, 0xffffffffu, "abc\0data", 8);
	arc_trailer(&a, &l);
	KT_EQ(validate(&a, a.len, NULL), CPIO_ESIZE);
	arc_raw(&a, 4, 0x100, "abc\0data", 8);
	arc_trailer(&a, &l); /* the trailer's bytes count as data: still short */
	KT_EQ(validate(&a, a.len, NULL), CPIO_ESIZE);
	return NULL;
}

static const char *test_missing_trailer(void)
{
	struct arc a;
	struct layout l[6];
	uint32_t n = 77;

	arc_good(&a, l);
	KT_EQ(validate(&a, l[5].hdr, NULL), CPIO_ENOTRAILER);
	KT_EQ(validate(&a, l[1].hdr, NULL), CPIO_ENOTRAILER);
	KT_EQ(validate(&a, 0, &n), CPIO_ENOTRAILER);
	KT_EQ(n, 77); /* untouched on failure */
	KT_EQ(cpio_validate(NULL, 0, NULL), CPIO_ENOTRAILER);
	/* Zero bytes where the trailer should be: not a header. */
	memset(a.buf + l[5].hdr, 0, 128);
	KT_EQ(validate(&a, l[5].hdr + 128, NULL), CPIO_EMAGIC);
	return NULL;
}

static const char *test_errors_stick(void)
{
	struct arc a;
	struct layout l[6];
	struct cpio_iter it;
	struct cpio_entry e;

	arc_good(&a, l);
	a.buf[l[1].hdr] = 'X';
	uint8_t *p = exact(&a, a.len);
	cpio_iter_init(&it, p, a.len);
	int r0 = cpio_next(&it, &e), r1 = cpio_next(&it, &e), r2 = cpio_next(&it, &e);
	free(p);
	KT_EQ(r0, 1);
	KT_EQ(r1, CPIO_EMAGIC);
	KT_EQ(r2, CPIO_EMAGIC);
	return NULL;
}

static const char *test_strerror(void)
{
	return ktest_strerror_distinct(cpio_strerror, CPIO_ENOTRAILER, "cpio_strerror");
}

static const char *test_given_files(void)
{
	for (int i = 0; i < given_count; i++) {
		size_t size;
		uint32_t n = 0;
		uint8_t *f = ktest_read_file(given_files[i], &size);

		if (f == NULL)
			return ktest_msg("cannot read %s", given_files[i]);
		int r = cpio_validate(f, size, &n);
		free(f);
		if (r != CPIO_OK)
			return ktest_msg("%s rejected: %s", given_files[i], cpio_strerror(r));
		printf("# %s: %u entries\n", given_files[i], n);
	}
	return NULL;
}

static const struct ktest tests[] = {
    KTEST(test_good_archive),     KTEST(test_find),      KTEST(test_variants_accepted),
    KTEST(test_every_truncation), KTEST(test_bad_magic), KTEST(test_non_hex),
    KTEST(test_bad_names),        KTEST(test_bad_sizes), KTEST(test_missing_trailer),
    KTEST(test_errors_stick),     KTEST(test_strerror),  KTEST(test_given_files),
};

int main(int argc, char **argv)
{
	given_files = argv + 1;
	given_count = argc - 1;
	return ktest_main(tests, KTEST_COUNT(tests));
}
