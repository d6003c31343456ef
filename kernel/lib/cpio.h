/*
 * kernel/lib/cpio.h: reader for cpio "newc" archives (the Linux initramfs
 * format: 110-byte ASCII-hex headers with magic 070701, name and data each
 * padded to 4 bytes, ended by an entry named TRAILER!!!). Pure logic, shared
 * by the stub, the kernel and the host tests. The archive is hostile input.
 */
#ifndef KEEL_LIB_CPIO_H
#define KEEL_LIB_CPIO_H

#include <stddef.h>
#include <stdint.h>

enum cpio_error {
	CPIO_OK = 0,
	CPIO_EMAGIC = -1,     /* header does not start with 070701 */
	CPIO_EHEADER = -2,    /* header truncated (archive ends inside it) */
	CPIO_EHEX = -3,       /* a header field is not 8 hex digits */
	CPIO_ENAME = -4,      /* name size 0, name not NUL-terminated, or past the end */
	CPIO_ESIZE = -5,      /* file data runs past the end of the archive */
	CPIO_ENOTRAILER = -6, /* archive ends without TRAILER!!! */
};

#define CPIO_MODE_TYPE 0170000u
#define CPIO_MODE_FILE 0100000u
#define CPIO_MODE_DIR  0040000u

struct cpio_entry {
	const char *name; /* NUL-terminated, inside the archive */
	size_t name_len;  /* without the NUL */
	const void *data; /* inside the archive */
	size_t size;
	uint32_t mode;
};

struct cpio_iter {
	const uint8_t *base;
	size_t size;
	size_t offset; /* of the next header */
};

void cpio_iter_init(struct cpio_iter *it, const void *archive, size_t size);

/* 1: *e holds the next entry; 0: the trailer was reached; <0: enum cpio_error. */
int cpio_next(struct cpio_iter *it, struct cpio_entry *e);

/*
 * Walk the whole archive. CPIO_OK if every header is valid and the trailer is
 * present; *entries (may be NULL) receives the number of entries before it.
 */
int cpio_validate(const void *archive, size_t size, uint32_t *entries);

/* Find `name` in a valid archive: 1 found (*e filled), 0 absent, <0 error. */
int cpio_find(const void *archive, size_t size, const char *name, struct cpio_entry *e);

const char *cpio_strerror(int err);

#endif
