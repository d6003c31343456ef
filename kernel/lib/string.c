/*
 * kernel/lib/string.c: the C string functions of kernel/lib/kstring.h for the
 * kernel and the stub (host unit tests use libc's).
 *
 * The compiler may turn a byte loop into a call to memset or memcpy, which
 * here would call itself forever. -fno-builtin (in both the stub's and the
 * kernel's flags) stops that idiom recognition; the loops are kept plain so
 * that nothing else invites it. `objdump -d` of the object shows no calls.
 *
 * memcpy, memset and memmove's forward case are string instructions, eight
 * bytes a step then the rest a byte a step: a byte loop costs three or four
 * instructions a byte, which under QEMU's TCG (and icount, make bench) made
 * every page copied or zeroed cost some 14,000. The direction flag is clear
 * on entry (the C ABI; the kernel's entry paths clear it).
 */
#include "kstring.h"

#include <stdint.h>

/* n bytes from s up to d, lowest first (so d below an overlapping s is fine). */
static void copy_up(unsigned char *d, const unsigned char *s, size_t n)
{
	size_t words = n / 8, bytes = n % 8;

	__asm__ volatile("rep movsq" : "+D"(d), "+S"(s), "+c"(words) : : "memory");
	__asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(bytes) : : "memory");
}

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	copy_up(dst, src, n);
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d == s || n == 0)
		return dst;
	if (d < s) {
		copy_up(d, s, n);
	} else {
		/* dst above src: copy from the end so that no byte is overwritten early. */
		for (size_t i = n; i > 0; i--)
			d[i - 1] = s[i - 1];
	}
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	uint64_t v = (unsigned char)c * 0x0101010101010101ull;
	size_t words = n / 8, bytes = n % 8;

	__asm__ volatile("rep stosq" : "+D"(d), "+c"(words) : "a"(v) : "memory");
	__asm__ volatile("rep stosb" : "+D"(d), "+c"(bytes) : "a"(v) : "memory");
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (size_t i = 0; i < n; i++) {
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	}
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n] != '\0')
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;

	while (*x != '\0' && *x == *y) {
		x++;
		y++;
	}
	return (*x > *y) - (*x < *y);
}

int strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;

	for (size_t i = 0; i < n; i++) {
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
		if (x[i] == '\0')
			return 0;
	}
	return 0;
}

char *strstr(const char *haystack, const char *needle)
{
	size_t n = strlen(needle);

	for (; *haystack; haystack++)
		if (strncmp(haystack, needle, n) == 0)
			return (char *)haystack;
	return n == 0 ? (char *)haystack : NULL;
}
