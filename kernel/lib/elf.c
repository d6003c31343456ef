/*
 * kernel/lib/elf.c: strict checks of an ELF64 x86-64 executable (elf.h).
 *
 * Field offsets follow the System V gABI and the x86-64 psABI (ELF64_Ehdr,
 * ELF64_Phdr). The file is hostile: every field is read byte by byte (the
 * buffer need not be aligned), and every sum of two file values is checked
 * for overflow before it is used.
 */
#include "elf.h"

#include <keel/syscall.h>

#include "kstring.h"

#define ELF_PAGE 4096u

/* ELF64_Ehdr */
#define EH_SIZE      64
#define EI_CLASS     4
#define EI_DATA      5
#define EI_VERSION   6
#define EH_TYPE      16
#define EH_MACHINE   18
#define EH_VERSION   20
#define EH_ENTRY     24
#define EH_PHOFF     32
#define EH_PHENTSIZE 54
#define EH_PHNUM     56

/* ELF64_Phdr */
#define PH_SIZE   56
#define PH_TYPE   0
#define PH_FLAGS  4
#define PH_OFFSET 8
#define PH_VADDR  16
#define PH_FILESZ 32
#define PH_MEMSZ  40
#define PH_ALIGN  48

#define ELFCLASS64  2
#define ELFDATA2LSB 1
#define EV_CURRENT  1
#define ET_EXEC     2
#define EM_X86_64   62
#define PT_LOAD     1
#define PT_DYNAMIC  2
#define PT_INTERP   3
#define PT_TLS      7

/* elf_check_window rules beyond the common ones. */
#define ELF_RULE_USER 1u /* elf_check_user's (elf.h) */

static uint64_t elf_read_le(const uint8_t *p, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = bytes; i > 0; i--)
		v = (v << 8) | p[i - 1];
	return v;
}

/* Last byte of a non-empty segment; the caller has checked that it does not wrap. */
static uint64_t elf_seg_last(const struct elf_segment *s)
{
	return s->vaddr + (s->memsz - 1);
}

/* Checks of one non-empty PT_LOAD segment (filesz <= memsz already checked). */
static int elf_check_segment(const struct elf_segment *s, uint64_t align, size_t size,
			     uint64_t win_base, uint64_t win_size, unsigned rules)
{
	if (s->filesz > 0 && (s->offset > size || s->filesz > size - s->offset))
		return ELF_EOUTSIDE_FILE;

	/* Window test written without win_base + win_size, which may wrap. */
	if (s->vaddr < win_base || s->vaddr - win_base > win_size ||
	    s->memsz > win_size - (s->vaddr - win_base))
		return ELF_EOUTSIDE_WINDOW;
	/*
	 * However odd the window, the segment's page-rounded end must fit in 64
	 * bits: its last byte lies below the last page of the address space.
	 */
	if (s->vaddr > UINT64_MAX - ELF_PAGE || s->memsz - 1 > UINT64_MAX - ELF_PAGE - s->vaddr)
		return ELF_EOUTSIDE_WINDOW;

	if (align > 1 && (align & (align - 1)) != 0)
		return ELF_EALIGN;
	if (s->filesz > 0 && (s->vaddr % ELF_PAGE) != (s->offset % ELF_PAGE))
		return ELF_EALIGN;
	if ((s->flags & ELF_PF_W) && (s->flags & ELF_PF_X))
		return ELF_EWX;
	if (rules & ELF_RULE_USER) {
		if (s->flags & ~(ELF_PF_R | ELF_PF_W | ELF_PF_X))
			return ELF_EFLAGS;
		if (s->vaddr % ELF_PAGE != 0 || (s->filesz > 0 && s->offset % ELF_PAGE != 0))
			return ELF_EPAGE;
	}
	return ELF_OK;
}

static int elf_check_header(const uint8_t *f, size_t size)
{
	if (size < EH_SIZE)
		return ELF_ETRUNCATED;
	if (f[0] != 0x7f || f[1] != 'E' || f[2] != 'L' || f[3] != 'F')
		return ELF_EMAGIC;
	if (f[EI_CLASS] != ELFCLASS64)
		return ELF_ECLASS;
	if (f[EI_DATA] != ELFDATA2LSB)
		return ELF_EDATA;
	if (f[EI_VERSION] != EV_CURRENT || elf_read_le(f + EH_VERSION, 4) != EV_CURRENT)
		return ELF_EVERSION;
	if (elf_read_le(f + EH_MACHINE, 2) != EM_X86_64)
		return ELF_EMACHINE;
	if (elf_read_le(f + EH_TYPE, 2) != ET_EXEC)
		return ELF_ETYPE;
	return ELF_OK;
}

/* Insertion sort by vaddr: at most ELF_MAX_SEGMENTS entries. */
static void elf_sort_segments(struct elf_segment *seg, uint32_t count)
{
	for (uint32_t i = 1; i < count; i++) {
		struct elf_segment key = seg[i];
		uint32_t j = i;

		while (j > 0 && seg[j - 1].vaddr > key.vaddr) {
			seg[j] = seg[j - 1];
			j--;
		}
		seg[j] = key;
	}
}

static int elf_check_window(const void *file, size_t size, uint64_t win_base, uint64_t win_size,
			    unsigned rules, struct elf_image *out)
{
	const uint8_t *f = file;
	struct elf_image img;
	int err = elf_check_header(f, size);

	if (err != ELF_OK)
		return err;

	uint64_t phoff = elf_read_le(f + EH_PHOFF, 8);
	uint64_t phentsize = elf_read_le(f + EH_PHENTSIZE, 2);
	uint64_t phnum = elf_read_le(f + EH_PHNUM, 2);

	/*
	 * phnum is at most 0xffff, so phnum * PH_SIZE cannot overflow. 0xffff
	 * (PN_XNUM) would move the real count into section 0: not for us.
	 */
	if (phentsize != PH_SIZE || phnum == 0xffff || phoff > size ||
	    phnum * PH_SIZE > size - phoff)
		return ELF_EPHDR;

	memset(&img, 0, sizeof(img));
	img.entry = elf_read_le(f + EH_ENTRY, 8);
	for (uint64_t i = 0; i < phnum; i++) {
		const uint8_t *ph = f + phoff + i * PH_SIZE;
		uint64_t type = elf_read_le(ph + PH_TYPE, 4);
		struct elf_segment s;

		/* A user image must not need what the loader does not do. */
		if ((rules & ELF_RULE_USER) &&
		    (type == PT_INTERP || type == PT_DYNAMIC || type == PT_TLS))
			return ELF_ESEGTYPE;
		if (type != PT_LOAD)
			continue; /* PT_GNU_STACK, PT_NOTE, ...: nothing to load */
		s.flags = (uint32_t)elf_read_le(ph + PH_FLAGS, 4);
		s.offset = elf_read_le(ph + PH_OFFSET, 8);
		s.vaddr = elf_read_le(ph + PH_VADDR, 8);
		s.filesz = elf_read_le(ph + PH_FILESZ, 8);
		s.memsz = elf_read_le(ph + PH_MEMSZ, 8);
		if (s.filesz > s.memsz)
			return ELF_EFILESZ;
		if (s.memsz == 0)
			continue; /* occupies no address: nothing to map or check */
		if (img.count == ELF_MAX_SEGMENTS)
			return ELF_ETOOMANY;
		err = elf_check_segment(&s, elf_read_le(ph + PH_ALIGN, 8), size, win_base, win_size,
					rules);
		if (err != ELF_OK)
			return err;
		img.seg[img.count++] = s;
	}
	if (img.count == 0)
		return ELF_ENOLOAD;

	elf_sort_segments(img.seg, img.count);
	/* Sorted: only neighbours can share a page. Mapping works page by page. */
	for (uint32_t i = 1; i < img.count; i++) {
		if (elf_seg_last(&img.seg[i - 1]) / ELF_PAGE >= img.seg[i].vaddr / ELF_PAGE)
			return ELF_EOVERLAP;
	}

	err = ELF_EENTRY;
	for (uint32_t i = 0; i < img.count; i++) {
		const struct elf_segment *s = &img.seg[i];

		if ((s->flags & ELF_PF_X) && img.entry >= s->vaddr && img.entry <= elf_seg_last(s))
			err = ELF_OK;
	}
	if (err != ELF_OK)
		return err;

	img.vbase = img.seg[0].vaddr & ~(uint64_t)(ELF_PAGE - 1);
	/* elf_check_segment keeps every end below 2^64 - 4096: rounding up cannot wrap. */
	img.vend = (elf_seg_last(&img.seg[img.count - 1]) | (ELF_PAGE - 1)) + 1;
	*out = img;
	return ELF_OK;
}

int elf_check(const void *file, size_t size, uint64_t win_base, uint64_t win_size,
	      struct elf_image *out)
{
	return elf_check_window(file, size, win_base, win_size, 0, out);
}

int elf_check_user(const void *file, size_t size, struct elf_image *out)
{
	return elf_check_window(file, size, KEEL_USER_BASE, KEEL_USER_END - KEEL_USER_BASE,
				ELF_RULE_USER, out);
}

const char *elf_strerror(int err)
{
	switch (err) {
	case ELF_OK: return "ok";
	case ELF_ETRUNCATED: return "file shorter than an ELF header";
	case ELF_EMAGIC: return "not an ELF file (bad magic)";
	case ELF_ECLASS: return "not a 64-bit ELF file";
	case ELF_EDATA: return "not a little-endian ELF file";
	case ELF_EVERSION: return "unknown ELF version";
	case ELF_EMACHINE: return "not an x86-64 ELF file";
	case ELF_ETYPE: return "not an executable (ET_EXEC) ELF file";
	case ELF_EPHDR: return "bad program header table";
	case ELF_ENOLOAD: return "no loadable segment";
	case ELF_ETOOMANY: return "too many loadable segments";
	case ELF_EFILESZ: return "segment file size larger than its memory size";
	case ELF_EOUTSIDE_FILE: return "segment outside the file";
	case ELF_EOUTSIDE_WINDOW: return "segment outside the allowed window";
	case ELF_EALIGN: return "misaligned segment";
	case ELF_EOVERLAP: return "segments share a page";
	case ELF_EWX: return "writable and executable segment";
	case ELF_EENTRY: return "entry point outside the executable segments";
	case ELF_EPAGE: return "segment not page-aligned";
	case ELF_ESEGTYPE: return "needs an interpreter, dynamic linking or TLS";
	case ELF_EFLAGS: return "unknown segment flags";
	default: return "unknown ELF error";
	}
}
