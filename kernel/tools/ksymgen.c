/*
 * kernel/tools/ksymgen.c: build-time generator of the kernel's symbol table
 * (format in kernel/core/ksyms.h) from the first link's symbols.
 *
 *   llvm-nm -n --defined-only --format=sysv kernel.pass1.elf > syms.txt
 *   ksymgen syms.txt > ksyms.bin
 *
 * Each symbol line of the System V listing is
 *   NAME |VALUE|CLASS|TYPE|SIZE|LINE|SECTION
 * with blanks around the fields. The name is everything before the sixth `|`
 * counted from the right, so a name may hold any character but a newline.
 * Lines without six `|` (the listing's titles, blank lines) are skipped.
 *
 * Kept: FUNC and NOTYPE symbols (assembly labels such as trap_common are
 * NOTYPE) of section .text in [KEEL_KERNEL_BASE, kernel_text_end). Where
 * several share an address one wins: a FUNC over a NOTYPE (kernel_entry over
 * the linker script's kernel_image_start), a global over a local, then the
 * smaller name, so the table does not depend on the listing's order. No
 * symbol at all gives a valid empty table. kernel_text_end must be listed:
 * it bounds the last symbol. Any malformed line ends the build with one line
 * naming the file, the line number and what is wrong.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <keel/boot.h>

#include "../core/ksyms.h"

#define LINE_MAX_LEN  4096
#define TEXT_END_NAME "kernel_text_end"

struct sym {
	uint64_t value;
	char *name;
	int func;   /* STT_FUNC */
	int global; /* upper-case class letter */
};

static const char *input_path;
static unsigned long line_no;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ksymgen: %s:%lu: ", input_path, line_no);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* The field [s, e) without blanks on either side, copied into buf. */
static void field(const char *s, const char *e, char *buf, size_t size)
{
	while (s < e && isspace((unsigned char)*s))
		s++;
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	if ((size_t)(e - s) >= size)
		die("field too long");
	memcpy(buf, s, (size_t)(e - s));
	buf[e - s] = '\0';
}

static uint64_t parse_hex(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 16);
	if (*s == '\0' || *end != '\0' || errno != 0)
		die("bad value \"%s\"", s);
	return v;
}

static int sym_order(const void *pa, const void *pb)
{
	const struct sym *a = pa, *b = pb;

	if (a->value != b->value)
		return a->value < b->value ? -1 : 1;
	if (a->func != b->func)
		return b->func - a->func;
	if (a->global != b->global)
		return b->global - a->global;
	return strcmp(a->name, b->name);
}

static void put_u32(uint32_t v)
{
	uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};

	if (fwrite(b, 1, 4, stdout) != 4)
		die("writing the table: %s", strerror(errno));
}

int main(int argc, char **argv)
{
	char line[LINE_MAX_LEN + 2], name[LINE_MAX_LEN], value[32], class[8], type[32], section[64];
	struct sym *syms = NULL, *kept;
	size_t n = 0, cap = 0, nkept = 0;
	uint64_t text_end = 0, strings_size = 0;
	int have_text_end = 0;
	FILE *fp;

	if (argc != 2) {
		fprintf(stderr, "usage: ksymgen NM-SYSV-LISTING > ksyms.bin\n");
		return 2;
	}
	input_path = argv[1];
	fp = fopen(input_path, "r");
	if (fp == NULL) {
		fprintf(stderr, "ksymgen: %s: %s\n", input_path, strerror(errno));
		return 1;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		const char *bar[6], *end;
		size_t len = strlen(line);
		int found = 0;

		line_no++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		else if (!feof(fp))
			die("line longer than %d bytes", LINE_MAX_LEN);
		/* The six field separators, found from the right. */
		end = line + len;
		for (const char *p = end; p > line && found < 6;) {
			if (*--p == '|')
				bar[found++] = p;
		}
		if (found < 6)
			continue;
		field(line, bar[5], name, sizeof(name));
		field(bar[5] + 1, bar[4], value, sizeof(value));
		field(bar[4] + 1, bar[3], class, sizeof(class));
		field(bar[3] + 1, bar[2], type, sizeof(type));
		field(bar[0] + 1, end, section, sizeof(section));
		if (name[0] == '\0' || strlen(class) != 1)
			die("not a symbol line");
		if (strcmp(name, TEXT_END_NAME) == 0) {
			text_end = parse_hex(value);
			have_text_end = 1;
			continue;
		}
		if (strcmp(section, ".text") != 0 ||
		    (strcmp(type, "FUNC") != 0 && strcmp(type, "NOTYPE") != 0))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			syms = realloc(syms, cap * sizeof(*syms));
			if (syms == NULL)
				die("out of memory");
		}
		syms[n].value = parse_hex(value);
		syms[n].name = malloc(strlen(name) + 1);
		if (syms[n].name == NULL)
			die("out of memory");
		strcpy(syms[n].name, name);
		syms[n].func = strcmp(type, "FUNC") == 0;
		syms[n].global = isupper((unsigned char)class[0]) != 0;
		n++;
	}
	if (ferror(fp))
		die("reading: %s", strerror(errno));
	fclose(fp);
	if (!have_text_end)
		die("no %s symbol: where text ends is unknown", TEXT_END_NAME);
	if (text_end < KEEL_KERNEL_BASE || text_end - KEEL_KERNEL_BASE > UINT32_MAX)
		die("%s 0x%llx is not within 4 GiB above KEEL_KERNEL_BASE", TEXT_END_NAME,
		    (unsigned long long)text_end);

	/* Sort, keep one symbol per address inside text, total the names. */
	if (n > 0)
		qsort(syms, n, sizeof(*syms), sym_order);
	kept = syms;
	for (size_t i = 0; i < n; i++) {
		if (syms[i].value < KEEL_KERNEL_BASE || syms[i].value >= text_end)
			continue;
		if (nkept > 0 && kept[nkept - 1].value == syms[i].value)
			continue;
		kept[nkept++] = syms[i];
		strings_size += strlen(syms[i].name) + 1;
	}
	if (KSYMS_HEADER_SIZE + (uint64_t)nkept * KSYMS_ENTRY_SIZE + strings_size > UINT32_MAX)
		die("the table would exceed 4 GiB");

	put_u32(KSYMS_MAGIC);
	put_u32((uint32_t)nkept);
	put_u32((uint32_t)strings_size);
	put_u32((uint32_t)(text_end - KEEL_KERNEL_BASE));
	strings_size = 0;
	for (size_t i = 0; i < nkept; i++) {
		put_u32((uint32_t)(kept[i].value - KEEL_KERNEL_BASE));
		put_u32((uint32_t)strings_size);
		strings_size += strlen(kept[i].name) + 1;
	}
	for (size_t i = 0; i < nkept; i++) {
		size_t len = strlen(kept[i].name) + 1;

		if (fwrite(kept[i].name, 1, len, stdout) != len)
			die("writing the table: %s", strerror(errno));
	}
	if (fflush(stdout) != 0)
		die("writing the table: %s", strerror(errno));
	return 0;
}
