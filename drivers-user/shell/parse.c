/*
 * drivers-user/shell/parse.c: words, numbers and dump lines (parse.h).
 */
#include "parse.h"

static const char parse_hex[] = "0123456789abcdef";

static int parse_blank(char c)
{
	return c == ' ' || c == '\t';
}

int parse_split(char *line, char *argv[], int max)
{
	int argc = 0;

	for (;;) {
		while (parse_blank(*line))
			*line++ = '\0';
		if (*line == '\0')
			return argc;
		if (argc == max)
			return -1;
		argv[argc++] = line;
		while (*line != '\0' && !parse_blank(*line))
			line++;
	}
}

/* A digit's value in base 16, or -1. */
static int parse_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int parse_u64(const char *s, uint64_t *v)
{
	unsigned base = 10;
	uint64_t x = 0;
	int d;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16, s += 2;
	if (*s == '\0')
		return -1;
	for (; *s; s++) {
		d = parse_digit(*s);
		if (d < 0 || (unsigned)d >= base || x > (UINT64_MAX - (unsigned)d) / base)
			return -1;
		x = x * base + (unsigned)d;
	}
	*v = x;
	return 0;
}

void parse_dump_line(char out[PARSE_DUMP_LINE], uint32_t offset, const uint8_t *b, size_t n)
{
	size_t k = 0;

	out[k++] = '0', out[k++] = 'x';
	for (int shift = 12; shift >= 0; shift -= 4)
		out[k++] = parse_hex[offset >> shift & 0xf];
	out[k++] = ':';
	for (size_t i = 0; i < n && i < 16; i++) {
		out[k++] = ' ';
		out[k++] = parse_hex[b[i] >> 4];
		out[k++] = parse_hex[b[i] & 0xf];
	}
	out[k] = '\0';
}
