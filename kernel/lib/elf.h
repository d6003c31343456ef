/*
 * kernel/lib/elf.h: strict checks of an ELF64 x86-64 executable held in
 * memory. Pure logic: shared by the stub (kernel.elf), the kernel (user
 * programs) and the host unit tests. The file is hostile input.
 */
#ifndef KEEL_LIB_ELF_H
#define KEEL_LIB_ELF_H

#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_SEGMENTS 16

/* Segment permission flags, as in p_flags. */
#define ELF_PF_X 1u
#define ELF_PF_W 2u
#define ELF_PF_R 4u

/* Each rejection has its own code; elf_strerror() names it. */
enum elf_error {
	ELF_OK = 0,
	ELF_ETRUNCATED = -1,       /* file shorter than the ELF header */
	ELF_EMAGIC = -2,           /* not \x7fELF */
	ELF_ECLASS = -3,           /* not ELFCLASS64 */
	ELF_EDATA = -4,            /* not little-endian */
	ELF_EVERSION = -5,         /* e_ident version or e_version not 1 */
	ELF_EMACHINE = -6,         /* not EM_X86_64 */
	ELF_ETYPE = -7,            /* not ET_EXEC */
	ELF_EPHDR = -8,            /* program header table bad: size, entsize, outside file */
	ELF_ENOLOAD = -9,          /* no PT_LOAD segment */
	ELF_ETOOMANY = -10,        /* more than ELF_MAX_SEGMENTS PT_LOAD segments */
	ELF_EFILESZ = -11,         /* p_filesz > p_memsz */
	ELF_EOUTSIDE_FILE = -12,   /* segment bytes past the end of the file */
	ELF_EOUTSIDE_WINDOW = -13, /* segment not inside the allowed window */
	ELF_EALIGN = -14,          /* vaddr/offset not congruent mod page, or bad p_align */
	ELF_EOVERLAP = -15,        /* two PT_LOAD segments share a page */
	ELF_EWX = -16,             /* a segment both writable and executable */
	ELF_EENTRY = -17,          /* entry point not inside an executable segment */
	ELF_EPAGE = -18,           /* user image: segment vaddr or offset not page-aligned */
	ELF_ESEGTYPE = -19,        /* user image: PT_INTERP, PT_DYNAMIC or PT_TLS (unsupported) */
	ELF_EFLAGS = -20,          /* user image: p_flags beyond R, W, X */
};

struct elf_segment {
	uint64_t vaddr;  /* p_vaddr */
	uint64_t memsz;  /* p_memsz */
	uint64_t offset; /* p_offset */
	uint64_t filesz; /* p_filesz */
	uint32_t flags;  /* ELF_PF_* */
};

struct elf_image {
	uint64_t entry;
	uint64_t vbase; /* lowest segment vaddr, rounded down to a page */
	uint64_t vend;  /* highest segment end, rounded up to a page */
	uint32_t count; /* PT_LOAD segments, sorted by vaddr */
	struct elf_segment seg[ELF_MAX_SEGMENTS];
};

/*
 * Check `file` (size bytes) as an ET_EXEC ELF64 x86-64 image whose PT_LOAD
 * segments all lie inside [win_base, win_base + win_size) and inside the file,
 * do not share a page, and are never W+X. Fills *out on success.
 * Returns ELF_OK or a negative enum elf_error.
 */
int elf_check(const void *file, size_t size, uint64_t win_base, uint64_t win_size,
	      struct elf_image *out);

/*
 * Check a user program (drivers-user/lib/user.ld) for the kernel's loader:
 * everything elf_check checks, in the window [KEEL_USER_BASE, KEEL_USER_END)
 * of include/keel/syscall.h, and more, so that the loader can map the file's
 * pages directly and needs no relocation, interpreter or TLS: every loaded
 * segment's vaddr (and its offset, when it has file bytes) is page-aligned,
 * p_flags has no bit beyond R, W and X, and there is no PT_INTERP,
 * PT_DYNAMIC or PT_TLS header.
 */
int elf_check_user(const void *file, size_t size, struct elf_image *out);

/* A short constant description of an elf_error ("segment outside the file"). */
const char *elf_strerror(int err);

#endif
