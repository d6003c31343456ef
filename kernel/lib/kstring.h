/*
 * kernel/lib/kstring.h: the C string functions the kernel and the stub provide
 * themselves (kernel/lib/string.c), with the standard prototypes, so that pure
 * code also links against the host's libc in unit tests. The compiler may emit
 * calls to memcpy/memset/memmove/memcmp on its own: they must exist.
 */
#ifndef KEEL_LIB_KSTRING_H
#define KEEL_LIB_KSTRING_H

#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strstr(const char *haystack, const char *needle);

#endif
