/*
 * tests/unit/ktest_file.h: reading a whole file for host unit tests that
 * check real files given on their command line (test_cpio, test_elf).
 */
#ifndef KEEL_TESTS_KTEST_FILE_H
#define KEEL_TESTS_KTEST_FILE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The contents of `path` in a malloc'ed buffer of exactly its size (so that
 * ASan sees a read past the end), its length in *size. NULL when the file
 * cannot be opened or read, or memory runs out. The caller frees it.
 */
static inline uint8_t *ktest_read_file(const char *path, size_t *size)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf = NULL, *exact = NULL, *grown;
	size_t len = 0, cap = 0, got;

	if (fp == NULL)
		return NULL;
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 65536;
			grown = realloc(buf, cap);
			if (grown == NULL)
				goto out;
			buf = grown;
		}
		got = fread(buf + len, 1, cap - len, fp);
		if (got == 0)
			break;
		len += got;
	}
	if (ferror(fp))
		goto out;
	exact = malloc(len ? len : 1);
	if (exact != NULL) {
		memcpy(exact, buf, len);
		*size = len;
	}
out:
	free(buf);
	fclose(fp);
	return exact;
}

#endif
