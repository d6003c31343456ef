/*
 * tests/unit/test_elf.c: kernel/lib/elf.c against ELF images built in memory.
 *
 * Every image lives in a heap block of exactly its own size, so ASan catches
 * any read past the end. Usage: test_elf [FILE...] [--user FILE...]; each
 * FILE must be accepted in the kernel window, each FILE after --user by
 * elf_check_user (the harness passes build/kernel.elf --user build/user/init).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <keel/boot.h>
#include <keel/syscall.h>

#include "ktest.h"
#include "ktest_file.h"
#include "ktest_rng.h"
#include "lib/elf.h"

#define WIN          KEEL_KERNEL_BASE
#define WIN_SIZE     KEEL_KERNEL_WINDOW
#define PT_LOAD      1
#define PT_DYNAMIC   2
#define PT_INTERP    3
#define PT_NOTE      4
#define PT_TLS       7
#define PT_GNU_STACK 0x6474e551u
#define R            ELF_PF_R
#define W            ELF_PF_W
#define X            ELF_PF_X

struct ph_spec {
	uint32_t type, flags;
	uint64_t offset, vaddr, filesz, memsz, align;
};

struct elf_spec {
	uint64_t entry;
	uint16_t type, machine, phentsize;
	uint64_t phoff;
	uint32_t phnum_extra; /* added to the real count in e_phnum */
	size_t file_size;
	unsigned nph;
	struct ph_spec ph[24];
};

static char **given_files;
static int given_count;
static char **given_user_files;
static int given_user_count;

static void put_le(uint8_t *p, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* A heap block of exactly file_size bytes (at an odd address if `odd`). */
static uint8_t *elf_build(const struct elf_spec *s, int odd, void **block)
{
	uint8_t *f;

	*block = malloc(s->file_size + 1);
	f = (uint8_t *)*block + (odd ? 1 : 0);
	memset(f, 0xcc, s->file_size);
	if (s->file_size < 64)
		return f;
	memcpy(f,
	       "\x7f"
	       "ELF",
	       4);
	f[4] = 2; /* ELFCLASS64 */
	f[5] = 1; /* little-endian */
	f[6] = 1; /* EV_CURRENT */
	memset(f + 7, 0, 9);
	put_le(f + 16, s->type, 2);
	put_le(f + 18, s->machine, 2);
	put_le(f + 20, 1, 4);
	put_le(f + 24, s->entry, 8);
	put_le(f + 32, s->phoff, 8);
	put_le(f + 40, 0, 8);
	put_le(f + 48, 0, 4);
	put_le(f + 52, 64, 2);
	put_le(f + 54, s->phentsize, 2);
	put_le(f + 56, s->nph + s->phnum_extra, 2);
	put_le(f + 58, 64, 2);
	put_le(f + 60, 0, 2);
	put_le(f + 62, 0, 2);
	for (unsigned i = 0; i < s->nph; i++) {
		uint64_t at = s->phoff + (uint64_t)i * 56;

		if (at > s->file_size || s->file_size - at < 56)
			break; /* tests of a table past the end write what fits */
		uint8_t *ph = f + at;
		put_le(ph + 0, s->ph[i].type, 4);
		put_le(ph + 4, s->ph[i].flags, 4);
		put_le(ph + 8, s->ph[i].offset, 8);
		put_le(ph + 16, s->ph[i].vaddr, 8);
		put_le(ph + 24, s->ph[i].vaddr, 8);
		put_le(ph + 32, s->ph[i].filesz, 8);
		put_le(ph + 40, s->ph[i].memsz, 8);
		put_le(ph + 48, s->ph[i].align, 8);
	}
	return f;
}

/*
 * Unsorted on purpose (data, text, rodata) with segments elf_check must
 * ignore: PT_GNU_STACK, PT_NOTE and an empty PT_LOAD.
 */
static struct elf_spec spec_good(void)
{
	struct elf_spec s = {
	    .entry = WIN + 0x10,
	    .type = 2,
	    .machine = 62,
	    .phentsize = 56,
	    .phoff = 64,
	    .file_size = 0x4000,
	    .nph = 6,
	    .ph =
		{
		    {PT_LOAD, R | W, 0x3000, WIN + 0x3000, 0x80, 0x2000, 0x1000},
		    {PT_GNU_STACK, R | W, 0, 0, 0, 0, 16},
		    {PT_LOAD, R | X, 0x1000, WIN, 0x800, 0x800, 0x1000},
		    {PT_NOTE, R, 0x2100, WIN + 0x2100, 0x20, 0x20, 4},
		    {PT_LOAD, R, 0x2000, WIN + 0x2000, 0x100, 0x100, 0x1000},
		    {PT_LOAD, R, 0, WIN + 0x9000, 0, 0, 0x1000},
		},
	};
	return s;
}

static int check_in(const struct elf_spec *s, uint64_t base, uint64_t size, struct elf_image *img)
{
	void *block;
	uint8_t *f = elf_build(s, 0, &block);
	struct elf_image tmp;
	int r = elf_check(f, s->file_size, base, size, img ? img : &tmp);

	free(block);
	return r;
}

static int check(const struct elf_spec *s)
{
	return check_in(s, WIN, WIN_SIZE, NULL);
}

/* The good image with one byte of the ELF header replaced. */
static int check_patched(size_t off, uint8_t val)
{
	struct elf_spec s = spec_good();
	void *block;
	uint8_t *f = elf_build(&s, 0, &block);
	struct elf_image img;
	int r;

	f[off] = val;
	r = elf_check(f, s.file_size, WIN, WIN_SIZE, &img);
	free(block);
	return r;
}

static const char *test_good_image(void)
{
	for (int odd = 0; odd <= 1; odd++) {
		struct elf_spec s = spec_good();
		void *block;
		uint8_t *f = elf_build(&s, odd, &block);
		struct elf_image img;
		int r = elf_check(f, s.file_size, WIN, WIN_SIZE, &img);

		free(block);
		KT_EQ(r, ELF_OK);
		KT_EQ(img.count, 3);
		KT_EQ(img.entry, WIN + 0x10);
		KT_EQ(img.vbase, WIN);
		KT_EQ(img.vend, WIN + 0x5000);
		KT_EQ(img.seg[0].vaddr, WIN);
		KT_EQ(img.seg[0].offset, 0x1000);
		KT_EQ(img.seg[0].filesz, 0x800);
		KT_EQ(img.seg[0].memsz, 0x800);
		KT_EQ(img.seg[0].flags, R | X);
		KT_EQ(img.seg[1].vaddr, WIN + 0x2000);
		KT_EQ(img.seg[1].flags, R);
		KT_EQ(img.seg[2].vaddr, WIN + 0x3000);
		KT_EQ(img.seg[2].offset, 0x3000);
		KT_EQ(img.seg[2].filesz, 0x80);
		KT_EQ(img.seg[2].memsz, 0x2000);
		KT_EQ(img.seg[2].flags, R | W);
	}
	return NULL;
}

static const char *test_truncated(void)
{
	static const size_t lens[] = {0, 1, 4, 16, 63};

	for (size_t i = 0; i < KTEST_COUNT(lens); i++) {
		struct elf_spec s = spec_good();

		s.file_size = lens[i];
		if (check(&s) != ELF_ETRUNCATED)
			return ktest_msg("a file of %zu bytes gave %d, expected ELF_ETRUNCATED",
					 lens[i], check(&s));
	}
	/* Header complete, program headers cut off: the table is outside the file. */
	struct elf_spec s = spec_good();
	s.file_size = 64 + 56;
	KT_EQ(check(&s), ELF_EPHDR);
	return NULL;
}

static const char *test_ident(void)
{
	KT_EQ(check_patched(0, 0x7e), ELF_EMAGIC);
	KT_EQ(check_patched(3, 'f'), ELF_EMAGIC);
	KT_EQ(check_patched(4, 1), ELF_ECLASS); /* ELFCLASS32 */
	KT_EQ(check_patched(4, 0), ELF_ECLASS);
	KT_EQ(check_patched(5, 2), ELF_EDATA); /* big-endian */
	KT_EQ(check_patched(6, 0), ELF_EVERSION);
	KT_EQ(check_patched(20, 2), ELF_EVERSION); /* e_version */
	return NULL;
}

static const char *test_machine_and_type(void)
{
	struct elf_spec s = spec_good();

	s.machine = 3; /* EM_386 */
	KT_EQ(check(&s), ELF_EMACHINE);
	s = spec_good();
	s.machine = 183; /* EM_AARCH64 */
	KT_EQ(check(&s), ELF_EMACHINE);
	s = spec_good();
	s.type = 3; /* ET_DYN */
	KT_EQ(check(&s), ELF_ETYPE);
	s.type = 1; /* ET_REL */
	KT_EQ(check(&s), ELF_ETYPE);
	s.type = 4; /* ET_CORE */
	KT_EQ(check(&s), ELF_ETYPE);
	return NULL;
}

static const char *test_phdr_table(void)
{
	struct elf_spec s = spec_good();

	s.phoff = s.file_size - 10;
	KT_EQ(check(&s), ELF_EPHDR);
	s.phoff = s.file_size + 64;
	KT_EQ(check(&s), ELF_EPHDR);
	s.phoff = UINT64_MAX - 55; /* phoff + 56 wraps */
	KT_EQ(check(&s), ELF_EPHDR);
	s = spec_good();
	s.phnum_extra = 300; /* 306 entries of 56 bytes: past the 16 KiB file */
	KT_EQ(check(&s), ELF_EPHDR);
	s.phnum_extra = 0xffff - s.nph; /* PN_XNUM */
	KT_EQ(check(&s), ELF_EPHDR);
	s = spec_good();
	s.phentsize = 64;
	KT_EQ(check(&s), ELF_EPHDR);
	s.phentsize = 0;
	KT_EQ(check(&s), ELF_EPHDR);
	return NULL;
}

static const char *test_no_load(void)
{
	struct elf_spec s = spec_good();

	s.nph = 0;
	KT_EQ(check(&s), ELF_ENOLOAD);
	s.nph = 2;
	s.ph[0] = (struct ph_spec){PT_NOTE, R, 0x100, WIN, 0x10, 0x10, 4};
	s.ph[1] = (struct ph_spec){PT_LOAD, R | X, 0x1000, WIN, 0, 0, 0x1000}; /* empty */
	KT_EQ(check(&s), ELF_ENOLOAD);
	return NULL;
}

/* n one-page PT_LOAD segments (bss only), the first executable. */
static struct elf_spec spec_many(unsigned n)
{
	struct elf_spec s = spec_good();

	s.nph = n;
	for (unsigned i = 0; i < n; i++)
		s.ph[i] = (struct ph_spec){
		    PT_LOAD, i == 0 ? R | X : R, 0, WIN + i * 0x1000ull, 0, 0x1000, 0x1000};
	return s;
}

static const char *test_segment_count(void)
{
	struct elf_spec s = spec_many(ELF_MAX_SEGMENTS);
	struct elf_image img;

	KT_EQ(check_in(&s, WIN, WIN_SIZE, &img), ELF_OK);
	KT_EQ(img.count, ELF_MAX_SEGMENTS);
	KT_EQ(img.vend, WIN + ELF_MAX_SEGMENTS * 0x1000ull);
	s = spec_many(ELF_MAX_SEGMENTS + 1);
	KT_EQ(check(&s), ELF_ETOOMANY);
	return NULL;
}

static const char *test_filesz(void)
{
	struct elf_spec s = spec_good();

	s.ph[4].filesz = s.ph[4].memsz + 1;
	KT_EQ(check(&s), ELF_EFILESZ);
	s.ph[4].memsz = 0; /* an empty segment with file bytes is still wrong */
	s.ph[4].filesz = 1;
	KT_EQ(check(&s), ELF_EFILESZ);
	return NULL;
}

static const char *test_outside_file(void)
{
	struct elf_spec s = spec_good();

	s.ph[0].filesz = 0x1001; /* 0x3000 + 0x1001 > 0x4000 */
	KT_EQ(check(&s), ELF_EOUTSIDE_FILE);
	s = spec_good();
	s.ph[0].offset = 0x5000;
	s.ph[0].vaddr = WIN + 0x5000;
	KT_EQ(check(&s), ELF_EOUTSIDE_FILE);
	s = spec_good();
	s.ph[0].offset = UINT64_MAX - 0xfff; /* far past the end */
	KT_EQ(check(&s), ELF_EOUTSIDE_FILE);
	s = spec_good();
	s.ph[0].filesz = UINT64_MAX - 0x1000; /* offset + filesz wraps to 0x1fff */
	s.ph[0].memsz = UINT64_MAX;
	KT_EQ(check(&s), ELF_EOUTSIDE_FILE);
	/* A bss-only segment's offset is not looked at. */
	s = spec_good();
	s.ph[0].filesz = 0;
	s.ph[0].offset = UINT64_MAX;
	KT_EQ(check(&s), ELF_OK);
	return NULL;
}

static const char *test_outside_window(void)
{
	struct elf_spec s = spec_good();

	s.ph[0].vaddr = WIN - 0x1000; /* below the window */
	KT_EQ(check(&s), ELF_EOUTSIDE_WINDOW);
	s = spec_good();
	s.ph[0].vaddr = WIN + WIN_SIZE - 0x1000; /* starts inside, bss runs out */
	KT_EQ(check(&s), ELF_EOUTSIDE_WINDOW);
	s.ph[0].vaddr = WIN + WIN_SIZE; /* just past */
	KT_EQ(check(&s), ELF_EOUTSIDE_WINDOW);
	s.ph[0].vaddr = WIN + WIN_SIZE - 0x2000; /* ends exactly at the window end */
	KT_EQ(check(&s), ELF_OK);
	s.ph[0].vaddr = UINT64_MAX - 0xfff; /* vaddr + memsz wraps to a low address */
	s.ph[0].memsz = 0x3000;
	s.ph[0].filesz = 0;
	KT_EQ(check(&s), ELF_EOUTSIDE_WINDOW);
	s.ph[0].memsz = UINT64_MAX;
	KT_EQ(check(&s), ELF_EOUTSIDE_WINDOW);
	/* A window that reaches 2^64: the last page stays out (its end would wrap). */
	s = spec_good();
	s.entry = 0xffffffffc0000010ull;
	s.ph[2].vaddr = 0xffffffffc0000000ull;
	s.ph[4].vaddr = 0xffffffffc0002000ull;
	s.ph[0].vaddr = 0xfffffffffffff000ull;
	s.ph[0].memsz = 0x1000;
	s.ph[0].filesz = 0x80;
	KT_EQ(check_in(&s, 0xffffffffc0000000ull, 0x40000000ull, NULL), ELF_EOUTSIDE_WINDOW);
	s.ph[0].vaddr = 0xffffffffffffe000ull;
	struct elf_image img;
	KT_EQ(check_in(&s, 0xffffffffc0000000ull, 0x40000000ull, &img), ELF_OK);
	KT_EQ(img.vend, 0xfffffffffffff000ull);
	return NULL;
}

static const char *test_overlap(void)
{
	struct elf_spec s = spec_good();

	s.ph[4].vaddr = WIN + 0x700; /* rodata over the end of text */
	s.ph[4].offset = 0x1700;
	KT_EQ(check(&s), ELF_EOVERLAP);
	s.ph[4].vaddr = WIN + 0x800; /* no common byte, but the same page */
	s.ph[4].offset = 0x1800;
	KT_EQ(check(&s), ELF_EOVERLAP);
	s = spec_good();
	s.ph[4].vaddr = WIN + 0x4000; /* inside data's bss */
	s.ph[4].offset = 0x0;
	KT_EQ(check(&s), ELF_EOVERLAP);
	s = spec_good();
	s.ph[4] = s.ph[2]; /* the same segment twice */
	KT_EQ(check(&s), ELF_EOVERLAP);
	return NULL;
}

static const char *test_wx(void)
{
	struct elf_spec s = spec_good();

	s.ph[0].flags = R | W | X;
	KT_EQ(check(&s), ELF_EWX);
	s.ph[0].flags = W | X;
	KT_EQ(check(&s), ELF_EWX);
	return NULL;
}

static const char *test_alignment(void)
{
	struct elf_spec s = spec_good();

	s.ph[0].vaddr = WIN + 0x3010; /* offset 0x3000: not congruent mod 4096 */
	KT_EQ(check(&s), ELF_EALIGN);
	s = spec_good();
	s.ph[0].offset = 0x2f00;
	KT_EQ(check(&s), ELF_EALIGN);
	s = spec_good();
	s.ph[0].align = 3;
	KT_EQ(check(&s), ELF_EALIGN);
	s.ph[0].align = 0x1800;
	KT_EQ(check(&s), ELF_EALIGN);
	s.ph[0].align = 0;
	KT_EQ(check(&s), ELF_OK);
	s.ph[0].align = 1;
	KT_EQ(check(&s), ELF_OK);
	s.ph[0].align = 0x200000;
	KT_EQ(check(&s), ELF_OK);
	/* Congruent but not page-aligned: fine. */
	s = spec_good();
	s.ph[0].vaddr = WIN + 0x3040;
	s.ph[0].offset = 0x3040;
	KT_EQ(check(&s), ELF_OK);
	return NULL;
}

static const char *test_entry(void)
{
	struct elf_spec s = spec_good();

	s.entry = WIN + 0x3000; /* in data */
	KT_EQ(check(&s), ELF_EENTRY);
	s.entry = WIN + 0x800; /* one past text */
	KT_EQ(check(&s), ELF_EENTRY);
	s.entry = 0;
	KT_EQ(check(&s), ELF_EENTRY);
	s.entry = WIN + 0x7ff; /* last byte of text */
	KT_EQ(check(&s), ELF_OK);
	s.entry = WIN;
	KT_EQ(check(&s), ELF_OK);
	return NULL;
}

static const char *test_strerror(void)
{
	const char *err = ktest_strerror_distinct(elf_strerror, ELF_EFLAGS, "elf_strerror");

	if (err)
		return err;
	KT_ASSERT(strcmp(elf_strerror(ELF_EOUTSIDE_FILE), "segment outside the file") == 0);
	return NULL;
}

/* ---- elf_check_user: the user window and the loader's extra rules ---- */

#define UBASE 0x400000ull /* where drivers-user/lib/user.ld links */

/* spec_good moved to UBASE (still unsorted, with PT_GNU_STACK and PT_NOTE). */
static struct elf_spec spec_user(void)
{
	struct elf_spec s = spec_good();

	s.entry = s.entry - WIN + UBASE;
	for (unsigned i = 0; i < s.nph; i++) {
		if (s.ph[i].vaddr >= WIN)
			s.ph[i].vaddr = s.ph[i].vaddr - WIN + UBASE;
	}
	return s;
}

static int check_user(const struct elf_spec *s, struct elf_image *img)
{
	void *block;
	uint8_t *f = elf_build(s, 0, &block);
	struct elf_image tmp;
	int r = elf_check_user(f, s->file_size, img ? img : &tmp);

	free(block);
	return r;
}

static const char *test_user_good(void)
{
	struct elf_spec s = spec_user();
	struct elf_image img;

	KT_EQ(check_user(&s, &img), ELF_OK);
	KT_EQ(img.count, 3);
	KT_EQ(img.entry, UBASE + 0x10);
	KT_EQ(img.vbase, UBASE);
	KT_EQ(img.vend, UBASE + 0x5000);
	KT_EQ(img.seg[0].flags, R | X);
	KT_EQ(img.seg[2].flags, R | W);
	/* The same image at the kernel's address is outside the user window, and back. */
	s = spec_good();
	KT_EQ(check_user(&s, NULL), ELF_EOUTSIDE_WINDOW);
	s = spec_user();
	KT_EQ(check(&s), ELF_EOUTSIDE_WINDOW);
	return NULL;
}

static const char *test_user_window(void)
{
	struct elf_spec s = spec_user();

	s.ph[0].vaddr = 0; /* page 0 */
	KT_EQ(check_user(&s, NULL), ELF_EOUTSIDE_WINDOW);
	s.ph[0].vaddr = KEEL_USER_BASE - 0x1000; /* the last page below the window */
	KT_EQ(check_user(&s, NULL), ELF_EOUTSIDE_WINDOW);
	s.ph[0].vaddr = KEEL_USER_BASE;
	s.ph[0].offset = 0x3000;
	KT_EQ(check_user(&s, NULL), ELF_OK);
	s.ph[0].vaddr = KEEL_USER_END - 0x2000; /* ends exactly at KEEL_USER_END */
	KT_EQ(check_user(&s, NULL), ELF_OK);
	s.ph[0].vaddr = KEEL_USER_END - 0x1000; /* bss runs past it */
	KT_EQ(check_user(&s, NULL), ELF_EOUTSIDE_WINDOW);
	s.ph[0].vaddr = KEEL_USER_END; /* non-canonical */
	KT_EQ(check_user(&s, NULL), ELF_EOUTSIDE_WINDOW);
	s.ph[0].vaddr = 0xffff800000000000ull; /* the kernel half */
	KT_EQ(check_user(&s, NULL), ELF_EOUTSIDE_WINDOW);
	s.ph[0].vaddr = UBASE + 0x3000;
	s.ph[0].memsz = KEEL_USER_END; /* huge bss */
	KT_EQ(check_user(&s, NULL), ELF_EOUTSIDE_WINDOW);
	s = spec_user();
	s.entry = WIN + 0x10; /* an entry in the kernel */
	KT_EQ(check_user(&s, NULL), ELF_EENTRY);
	return NULL;
}

static const char *test_user_page_aligned(void)
{
	struct elf_spec s = spec_user();

	/* Congruent but not page-aligned: elf_check allows it, the user loader does not. */
	s.ph[0].vaddr = UBASE + 0x3040;
	s.ph[0].offset = 0x3040;
	KT_EQ(check_user(&s, NULL), ELF_EPAGE);
	KT_EQ(check_in(&s, UBASE, 0x100000, NULL), ELF_OK);
	/* bss only: the offset does not matter, the vaddr does. */
	s.ph[0].vaddr = UBASE + 0x3000;
	s.ph[0].filesz = 0;
	s.ph[0].offset = 0x123;
	KT_EQ(check_user(&s, NULL), ELF_OK);
	s.ph[0].vaddr = UBASE + 0x3800;
	KT_EQ(check_user(&s, NULL), ELF_EPAGE);
	s = spec_user();
	s.ph[2].vaddr = UBASE + 0x10; /* text not on a page start */
	s.ph[2].offset = 0x1010;
	s.entry = UBASE + 0x20;
	KT_EQ(check_user(&s, NULL), ELF_EPAGE);
	return NULL;
}

static const char *test_user_segment_types(void)
{
	static const uint32_t bad[] = {PT_INTERP, PT_DYNAMIC, PT_TLS};

	for (size_t i = 0; i < KTEST_COUNT(bad); i++) {
		struct elf_spec s = spec_user();

		s.ph[3].type = bad[i]; /* was the PT_NOTE */
		if (check_user(&s, NULL) != ELF_ESEGTYPE)
			return ktest_msg("p_type %u gave %d, expected ELF_ESEGTYPE", bad[i],
					 check_user(&s, NULL));
		/* The kernel check ignores them (the stub loads no such thing anyway). */
		s = spec_good();
		s.ph[3].type = bad[i];
		KT_EQ(check(&s), ELF_OK);
	}
	return NULL;
}

static const char *test_user_flags(void)
{
	struct elf_spec s = spec_user();

	s.ph[4].flags = R | 0x8; /* an undefined bit */
	KT_EQ(check_user(&s, NULL), ELF_EFLAGS);
	s.ph[4].flags = R | 0x0ff00000u; /* PF_MASKOS */
	KT_EQ(check_user(&s, NULL), ELF_EFLAGS);
	s.ph[4].flags = 0; /* no access at all: allowed (a guard) */
	KT_EQ(check_user(&s, NULL), ELF_OK);
	s = spec_user();
	s.ph[0].flags = R | W | X;
	KT_EQ(check_user(&s, NULL), ELF_EWX);
	s.ph[0].flags = R | W;
	s.ph[2].flags = R; /* no executable segment left */
	KT_EQ(check_user(&s, NULL), ELF_EENTRY);
	return NULL;
}

/* The common checks hold in the user variant too. */
static const char *test_user_common(void)
{
	struct elf_spec s = spec_user();

	s.ph[4].filesz = s.ph[4].memsz + 1;
	KT_EQ(check_user(&s, NULL), ELF_EFILESZ);
	s = spec_user();
	s.ph[0].filesz = 0x1001;
	KT_EQ(check_user(&s, NULL), ELF_EOUTSIDE_FILE);
	s = spec_user();
	s.ph[4].vaddr = UBASE + 0x4000; /* inside data's bss */
	s.ph[4].offset = 0;
	KT_EQ(check_user(&s, NULL), ELF_EOVERLAP);
	s = spec_user();
	s.type = 3; /* ET_DYN: a PIE */
	KT_EQ(check_user(&s, NULL), ELF_ETYPE);
	s = spec_user();
	s.file_size = 40;
	KT_EQ(check_user(&s, NULL), ELF_ETRUNCATED);
	return NULL;
}

/*
 * Random damage to a good user image: never a crash or an out-of-bounds read
 * (ASan), and whatever is accepted keeps every promise of elf_check_user.
 */
static const char *test_user_random_damage(void)
{
	struct elf_spec s = spec_user();
	void *block;
	uint8_t *good = elf_build(&s, 0, &block);
	uint8_t *f = malloc(s.file_size);
	unsigned accepted = 0;

	ktest_rng_state = 0x5eed0e1full;
	for (int iter = 0; iter < 20000; iter++) {
		struct elf_image img;

		memcpy(f, good, s.file_size);
		/* Damage the headers mostly: that is where the checks look. */
		int hits = 1 + (int)ktest_rng_below(4);
		for (int k = 0; k < hits; k++) {
			size_t at = ktest_rng_below(4) ? ktest_rng_below(64 + 6 * 56)
						       : ktest_rng_below(s.file_size);
			f[at] = (uint8_t)ktest_rng();
		}
		size_t size = ktest_rng_below(8) ? s.file_size : ktest_rng_below(s.file_size + 1);
		if (elf_check_user(f, size, &img) != ELF_OK)
			continue;
		accepted++;
		int entry_ok = 0;
		for (uint32_t i = 0; i < img.count; i++) {
			const struct elf_segment *g = &img.seg[i];

			if (g->vaddr < KEEL_USER_BASE || g->memsz == 0 ||
			    g->memsz > KEEL_USER_END - g->vaddr || g->vaddr % 4096 != 0 ||
			    g->filesz > g->memsz || (g->filesz && g->offset % 4096 != 0) ||
			    (g->filesz && (g->offset > size || g->filesz > size - g->offset)) ||
			    ((g->flags & W) && (g->flags & X)) || (g->flags & ~(R | W | X)))
				goto bad;
			if (i > 0 && (img.seg[i - 1].vaddr + img.seg[i - 1].memsz - 1) / 4096 >=
					 g->vaddr / 4096)
				goto bad;
			if ((g->flags & X) && img.entry >= g->vaddr &&
			    img.entry - g->vaddr < g->memsz)
				entry_ok = 1;
		}
		if (!entry_ok || img.vend > KEEL_USER_END)
			goto bad;
	}
	free(f);
	free(block);
	printf("# %u of 20000 damaged images accepted, each sound\n", accepted);
	return NULL;
bad:
	free(f);
	free(block);
	return "a damaged image was accepted with a segment that breaks the rules";
}

static const char *test_given_files(void)
{
	for (int i = 0; i < given_count; i++) {
		size_t size;
		uint8_t *f = ktest_read_file(given_files[i], &size);
		struct elf_image img;

		if (f == NULL)
			return ktest_msg("cannot read %s", given_files[i]);
		int r = elf_check(f, size, WIN, WIN_SIZE, &img);
		free(f);
		if (r != ELF_OK)
			return ktest_msg("%s rejected: %s", given_files[i], elf_strerror(r));
		printf("# %s: %u segments, entry %#llx\n", given_files[i], img.count,
		       (unsigned long long)img.entry);
	}
	for (int i = 0; i < given_user_count; i++) {
		size_t size;
		uint8_t *f = ktest_read_file(given_user_files[i], &size);
		struct elf_image img, kimg;

		if (f == NULL)
			return ktest_msg("cannot read %s", given_user_files[i]);
		int r = elf_check_user(f, size, &img);
		int k = elf_check(f, size, WIN, WIN_SIZE, &kimg);
		free(f);
		if (r != ELF_OK)
			return ktest_msg("%s rejected as a user program: %s", given_user_files[i],
					 elf_strerror(r));
		if (k != ELF_EOUTSIDE_WINDOW)
			return ktest_msg("%s in the kernel window gave %d", given_user_files[i], k);
		printf("# %s (user): %u segments, entry %#llx, %#llx-%#llx\n", given_user_files[i],
		       img.count, (unsigned long long)img.entry, (unsigned long long)img.vbase,
		       (unsigned long long)img.vend);
	}
	return NULL;
}

static const struct ktest tests[] = {
    KTEST(test_good_image),         KTEST(test_truncated),   KTEST(test_ident),
    KTEST(test_machine_and_type),   KTEST(test_phdr_table),  KTEST(test_no_load),
    KTEST(test_segment_count),      KTEST(test_filesz),      KTEST(test_outside_file),
    KTEST(test_outside_window),     KTEST(test_overlap),     KTEST(test_wx),
    KTEST(test_alignment),          KTEST(test_entry),       KTEST(test_strerror),
    KTEST(test_user_good),          KTEST(test_user_window), KTEST(test_user_page_aligned),
    KTEST(test_user_segment_types), KTEST(test_user_flags),  KTEST(test_user_common),
    KTEST(test_user_random_damage), KTEST(test_given_files),
};

int main(int argc, char **argv)
{
	given_files = argv + 1;
	given_count = argc - 1;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--user") == 0) {
			given_count = i - 1;
			given_user_files = argv + i + 1;
			given_user_count = argc - i - 1;
			break;
		}
	}
	return ktest_main(tests, KTEST_COUNT(tests));
}
