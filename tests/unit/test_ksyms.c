/*
 * tests/unit/test_ksyms.c: kernel/core/ksyms.c against hand-made tables,
 * every truncation and random corruption of one, and the real table.
 *
 * Every table lives in a heap block of exactly its own size, so ASan catches
 * any read past the end. Usage: test_ksyms [TABLE LISTING [KSYMGEN]]: the
 * harness passes the kernel's generated table, the System V symbol listing
 * of build/kernel.elf (every .text FUNC in it must be found at offset 0), and
 * the generator, which is then run on a hand-made listing too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/ksyms.h"
#include "ktest.h"
#include "ktest_file.h"
#include "ktest_rng.h"

#define BASE 0xffffffff80000000ull

struct spec_sym {
	uint32_t offset;
	const char *name;
};

static char **given;
static int given_count;

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* A table of n symbols in a heap block of exactly its size (*size). */
static uint8_t *table_build(const struct spec_sym *s, uint32_t n, uint32_t text_end, size_t *size)
{
	uint32_t strings = 0, at = 0;
	uint8_t *t;

	for (uint32_t i = 0; i < n; i++)
		strings += (uint32_t)strlen(s[i].name) + 1;
	*size = KSYMS_HEADER_SIZE + n * KSYMS_ENTRY_SIZE + strings;
	t = malloc(*size);
	put32(t, KSYMS_MAGIC);
	put32(t + 4, n);
	put32(t + 8, strings);
	put32(t + 12, text_end);
	for (uint32_t i = 0; i < n; i++) {
		uint8_t *e = t + KSYMS_HEADER_SIZE + i * KSYMS_ENTRY_SIZE;
		size_t len = strlen(s[i].name) + 1;

		put32(e, s[i].offset);
		put32(e + 4, at);
		memcpy(t + KSYMS_HEADER_SIZE + n * KSYMS_ENTRY_SIZE + at, s[i].name, len);
		at += (uint32_t)len;
	}
	return t;
}

static const struct spec_sym three[] = {{0x10, "first"}, {0x40, "second"}, {0x100, "last"}};

/* Whether lookup(addr) gives `name`+`offset` (name NULL: not found, "?"). */
static const char *expect(struct ksyms *k, uint64_t addr, const char *name, uint64_t offset)
{
	const char *got;
	uint64_t off;
	bool found = ksyms_lookup(k, addr, &got, &off);

	if (name == NULL) {
		if (found || strcmp(got, "?") != 0 || off != 0)
			return ktest_msg("0x%llx: got %s+0x%llx, want ?", (unsigned long long)addr,
					 got, (unsigned long long)off);
		return NULL;
	}
	if (!found || strcmp(got, name) != 0 || off != offset)
		return ktest_msg("0x%llx: got %s+0x%llx (%s), want %s+0x%llx",
				 (unsigned long long)addr, got, (unsigned long long)off,
				 found ? "found" : "not found", name, (unsigned long long)offset);
	return NULL;
}

#define EXPECT(k, addr, name, off)                                                                 \
	do {                                                                                       \
		const char *e_ = expect(k, addr, name, off);                                       \
		if (e_)                                                                            \
			return e_;                                                                 \
	} while (0)

static const char *test_lookup(void)
{
	size_t size;
	uint8_t *t = table_build(three, 3, 0x180, &size);
	struct ksyms k = {t, size, BASE, KSYMS_UNCHECKED};

	KT_ASSERT(ksyms_check(t, size) == NULL);
	EXPECT(&k, BASE + 0x10, "first", 0);
	EXPECT(&k, BASE + 0x11, "first", 1);
	EXPECT(&k, BASE + 0x3f, "first", 0x2f);
	EXPECT(&k, BASE + 0x40, "second", 0);
	EXPECT(&k, BASE + 0xff, "second", 0xbf);
	EXPECT(&k, BASE + 0x100, "last", 0);
	EXPECT(&k, BASE + 0x17f, "last", 0x7f);
	KT_EQ(k.state, KSYMS_OK);
	/* Before the first symbol, below the base, at and past the end of text. */
	EXPECT(&k, BASE + 0xf, NULL, 0);
	EXPECT(&k, BASE, NULL, 0);
	EXPECT(&k, BASE - 1, NULL, 0);
	EXPECT(&k, 0, NULL, 0);
	EXPECT(&k, BASE + 0x180, NULL, 0);
	EXPECT(&k, ~0ull, NULL, 0);
	free(t);
	return NULL;
}

/* Lookups agree with a linear search on tables of every size up to 40. */
static const char *test_lookup_sizes(void)
{
	struct spec_sym s[40];
	char names[40][8];

	for (uint32_t n = 0; n <= 40; n++) {
		size_t size;
		uint8_t *t;
		struct ksyms k;

		for (uint32_t i = 0; i < n; i++) {
			snprintf(names[i], sizeof(names[i]), "f%u", i);
			s[i] = (struct spec_sym){8 + 8 * i, names[i]};
		}
		t = table_build(s, n, 8 + 8 * n, &size);
		k = (struct ksyms){t, size, BASE, KSYMS_UNCHECKED};
		for (uint64_t off = 0; off < 8 + 8 * n + 4; off++) {
			if (off < 8 || off >= 8 + 8 * n)
				EXPECT(&k, BASE + off, NULL, 0);
			else
				EXPECT(&k, BASE + off, names[(off - 8) / 8], off % 8);
		}
		free(t);
	}
	return NULL;
}

static const char *test_empty(void)
{
	size_t size;
	uint8_t *t = table_build(NULL, 0, 0x1000, &size);
	struct ksyms k = {t, size, BASE, KSYMS_UNCHECKED};

	KT_EQ(size, KSYMS_HEADER_SIZE);
	KT_ASSERT(ksyms_check(t, size) == NULL);
	EXPECT(&k, BASE, NULL, 0);
	EXPECT(&k, BASE + 0x10, NULL, 0);
	KT_EQ(k.state, KSYMS_OK);
	free(t);
	/* No table at all (the first link's empty file). */
	k = (struct ksyms){NULL, 0, BASE, KSYMS_UNCHECKED};
	EXPECT(&k, BASE + 0x10, NULL, 0);
	KT_EQ(k.state, KSYMS_BAD);
	return NULL;
}

/* Change one field of the three-symbol table; it must be refused and give "?". */
static const char *corrupt(const char *what, size_t at, uint32_t value, size_t extra)
{
	size_t size;
	uint8_t *good = table_build(three, 3, 0x180, &size);
	uint8_t *t = calloc(1, size + extra);
	struct ksyms k = {t, size + extra, BASE, KSYMS_UNCHECKED};
	const char *got;
	uint64_t off;

	memcpy(t, good, size);
	free(good);
	if (at != SIZE_MAX)
		put32(t + at, value);
	if (ksyms_check(t, size + extra) == NULL || ksyms_lookup(&k, BASE + 0x40, &got, &off) ||
	    strcmp(got, "?") != 0 || k.state != KSYMS_BAD) {
		free(t);
		return ktest_msg("%s: accepted", what);
	}
	free(t);
	return NULL;
}

static const char *test_corrupt(void)
{
	const size_t e0 = KSYMS_HEADER_SIZE, e1 = e0 + KSYMS_ENTRY_SIZE, e2 = e1 + KSYMS_ENTRY_SIZE;
	const char *err;
	size_t size;
	uint8_t *t;

	if ((err = corrupt("magic", 0, 0x3259534b, 0)) ||
	    (err = corrupt("count one more", 4, 4, 0)) ||
	    (err = corrupt("count huge", 4, 0xffffffff, 0)) ||
	    (err = corrupt("count one less", 4, 2, 0)) ||
	    (err = corrupt("strings one more", 8, 19, 0)) ||
	    (err = corrupt("strings huge", 8, 0xfffffff0, 0)) ||
	    (err = corrupt("a byte after the table", SIZE_MAX, 0, 1)) ||
	    (err = corrupt("offsets out of order", e1, 0x08, 0)) ||
	    (err = corrupt("two symbols at one offset", e1, 0x10, 0)) ||
	    (err = corrupt("a symbol past the end of text", e2, 0x180, 0)) ||
	    (err = corrupt("text_end 0", 12, 0, 0)) ||
	    (err = corrupt("a name past the strings", e1 + 4, 19, 0)) ||
	    (err = corrupt("a name far past the strings", e0 + 4, 0x80000000, 0)))
		return err;
	/* The last name without its NUL. */
	t = table_build(three, 3, 0x180, &size);
	t[size - 1] = 'x';
	KT_ASSERT(ksyms_check(t, size) != NULL);
	/* Every truncation, in a block of exactly that size. */
	for (size_t n = 0; n < size; n++) {
		uint8_t *cut = malloc(n ? n : 1);

		memcpy(cut, t, n);
		if (ksyms_check(cut, n) == NULL) {
			free(cut);
			free(t);
			return ktest_msg("the table cut to %zu bytes was accepted", n);
		}
		free(cut);
	}
	free(t);
	return NULL;
}

/* Random bytes changed: whatever is accepted, no lookup reads outside the table. */
static const char *test_random_corruption(void)
{
	size_t size;
	uint8_t *good = table_build(three, 3, 0x180, &size);

	ktest_rng_state = 0x6b73796d73ull;
	for (int round = 0; round < 20000; round++) {
		uint8_t *t = malloc(size);
		struct ksyms k = {t, size, BASE, KSYMS_UNCHECKED};
		const char *name;
		uint64_t off;

		memcpy(t, good, size);
		for (int flips = 1 + (int)ktest_rng_below(3); flips > 0; flips--)
			t[ktest_rng_below(size)] ^= (uint8_t)(1 + ktest_rng_below(255));
		for (uint64_t a = 0; a < 0x200; a += 0x7)
			if (ksyms_lookup(&k, BASE + a, &name, &off))
				KT_ASSERT(strlen(name) < size);
		free(t);
	}
	free(good);
	return NULL;
}

/*
 * The real table against the listing of the final link: every FUNC in .text
 * is found at offset 0 (by its own name unless another symbol shares its
 * address), and kernel_main by name.
 */
static const char *test_kernel_table(void)
{
	size_t size, list_size, funcs = 0;
	uint8_t *t, *list;
	struct ksyms k;
	char *line, *save = NULL;
	bool saw_main = false;

	if (given_count < 2) {
		printf("# no table given: skipped\n");
		return NULL;
	}
	t = ktest_read_file(given[0], &size);
	list = ktest_read_file(given[1], &list_size);
	if (!t || !list)
		return ktest_msg("cannot read %s or %s", given[0], given[1]);
	k = (struct ksyms){t, size, BASE, KSYMS_UNCHECKED};
	KT_ASSERT(ksyms_check(t, size) == NULL);
	list = realloc(list, list_size + 1);
	list[list_size] = '\0';
	for (line = strtok_r((char *)list, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[256], type[16], section[16];
		unsigned long long value;
		const char *got;
		uint64_t off;

		size_t len;

		if (sscanf(line, "%255[^|]|%llx| %*s | %15[^|]|%*[^|]|%*[^|]| %15s", name, &value,
			   type, section) != 4)
			continue;
		for (len = strlen(name); len > 0 && name[len - 1] == ' ';)
			name[--len] = '\0';
		if (strcmp(section, ".text") != 0 || strstr(type, "FUNC") == NULL)
			continue;
		funcs++;
		if (!ksyms_lookup(&k, value, &got, &off) || off != 0)
			return ktest_msg("%s at 0x%llx: got %s+0x%llx", name, value, got,
					 (unsigned long long)off);
		if (strcmp(name, "kernel_main") == 0) {
			KT_ASSERT(strcmp(got, "kernel_main") == 0);
			EXPECT(&k, value + 5, "kernel_main", 5);
			saw_main = true;
		}
	}
	printf("# %s: %zu functions found, %u symbols, %zu bytes\n", given[0], funcs,
	       (unsigned)(t[4] | t[5] << 8), size);
	free(t);
	free(list);
	KT_ASSERT(funcs > 100);
	KT_ASSERT(saw_main);
	return NULL;
}

/* The generator on a listing with odd names, duplicates, other sections, no symbols. */
static const char *run_ksymgen(const char *listing, uint8_t **out, size_t *out_size)
{
	char in_path[] = "/tmp/test_ksyms_in_XXXXXX", out_path[] = "/tmp/test_ksyms_out_XXXXXX";
	char cmd[512];
	int fd_in = mkstemp(in_path), fd_out = mkstemp(out_path), status;
	FILE *fp;

	if (fd_in < 0 || fd_out < 0)
		return "mkstemp failed";
	fp = fdopen(fd_in, "w");
	fputs(listing, fp);
	fclose(fp);
	close(fd_out);
	snprintf(cmd, sizeof(cmd), "%s %s > %s 2>/dev/null", given[2], in_path, out_path);
	status = system(cmd);
	*out = status == 0 ? ktest_read_file(out_path, out_size) : NULL;
	unlink(in_path);
	unlink(out_path);
	return NULL;
}

#define SYM(name, value, class, type)                                                              \
	name " |" value "|   " class "  |  " type "|0000000000000000|     |.text\n"

static const char *test_ksymgen(void)
{
	static const char listing[] =
	    "\nSymbols from x:\n\nName Value Class Type Size Line Section\n" SYM(
		"kernel_image_start", "ffffffff80000000", "T",
		"NOTYPE") SYM("kernel_entry", "ffffffff80000000", "T", "FUNC")
		SYM("odd name|with \"quotes\\", "ffffffff80000010", "t", "NOTYPE")
		    SYM("local_twin", "ffffffff80000020", "t", "FUNC")
			SYM("global_twin", "ffffffff80000020", "T", "FUNC")
			    SYM("an_object", "ffffffff80000030", "D",
				"OBJECT") "data_thing |ffffffff80000040|   d  |  NOTYPE|0|     "
					  "|.data\n" SYM("kernel_text_end", "ffffffff80001000", "T",
							 "NOTYPE")
					      SYM("past_text", "ffffffff80001000", "t", "NOTYPE");
	uint8_t *t;
	size_t size;
	struct ksyms k;
	const char *err;

	if (given_count < 3) {
		printf("# no generator given: skipped\n");
		return NULL;
	}
	if ((err = run_ksymgen(listing, &t, &size)))
		return err;
	if (!t)
		return "ksymgen failed on a good listing";
	k = (struct ksyms){t, size, BASE, KSYMS_UNCHECKED};
	KT_ASSERT(ksyms_check(t, size) == NULL);
	KT_EQ(t[4], 3);
	EXPECT(&k, BASE, "kernel_entry", 0);
	EXPECT(&k, BASE + 0x12, "odd name|with \"quotes\\", 2);
	EXPECT(&k, BASE + 0x30, "global_twin", 0x10);
	EXPECT(&k, BASE + 0xfff, "global_twin", 0xfdf);
	EXPECT(&k, BASE + 0x1000, NULL, 0);
	free(t);
	/* Only kernel_text_end: an empty, valid table. */
	if ((err =
		 run_ksymgen(SYM("kernel_text_end", "ffffffff80001000", "T", "NOTYPE"), &t, &size)))
		return err;
	KT_ASSERT(t != NULL && size == KSYMS_HEADER_SIZE && ksyms_check(t, size) == NULL);
	free(t);
	/* Without kernel_text_end, or with a bad value: refused. */
	if ((err = run_ksymgen(SYM("f", "ffffffff80000010", "T", "FUNC"), &t, &size)))
		return err;
	KT_ASSERT(t == NULL);
	if ((err =
		 run_ksymgen(SYM("kernel_text_end", "ffffffff8000zz00", "T", "NOTYPE"), &t, &size)))
		return err;
	KT_ASSERT(t == NULL);
	return NULL;
}

static const struct ktest tests[] = {
    KTEST(test_lookup),  KTEST(test_lookup_sizes),      KTEST(test_empty),
    KTEST(test_corrupt), KTEST(test_random_corruption), KTEST(test_kernel_table),
    KTEST(test_ksymgen),
};

int main(int argc, char **argv)
{
	given = argv + 1;
	given_count = argc - 1;
	return ktest_main(tests, KTEST_COUNT(tests));
}
