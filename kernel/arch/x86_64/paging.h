/*
 * kernel/arch/x86_64/paging.h: building x86-64 4-level page tables. Pure
 * logic: it allocates and reaches tables only through the callbacks of a
 * struct paging_env and never touches CR3, so the same file builds the
 * kernel's tables (mm/vm.c) and tables in fake physical memory in the host
 * test (tests/unit/test_paging.c).
 *
 * Intermediate entries are present and writable, never NX, and user in the
 * lower (user) half only: the rights of a translation are decided by its leaf
 * alone (SDM Vol. 3A, §4.6 combines all levels, so permissive upper levels
 * leave it to the leaf). The kernel half never gets a user entry.
 */
#ifndef KEEL_ARCH_X86_64_PAGING_H
#define KEEL_ARCH_X86_64_PAGING_H

#include <stdbool.h>
#include <stdint.h>

#define PAGING_4K 0x1000ull
#define PAGING_2M 0x200000ull
#define PAGING_1G 0x40000000ull

/* Leaf rights; a page without PAGING_EXEC is NX where the env allows NX. */
#define PAGING_WRITE  (1u << 0)
#define PAGING_EXEC   (1u << 1)
#define PAGING_GLOBAL (1u << 2)
#define PAGING_USER   (1u << 3) /* ring 3 may use it; lower half only, never global */

/* A protection key (0-15) for a user leaf, in rights bits 8-11 (SDM §4.6.2). */
#define PAGING_PKEY_SHIFT 8
#define PAGING_PKEY(k)    ((unsigned)(k) << PAGING_PKEY_SHIFT)
#define PAGING_PKEY_OF(r) (((r) >> PAGING_PKEY_SHIFT) & 0xfu)

/*
 * Memory types, as PAT indices (PWT, PCD and the PAT bit of a leaf select
 * one of the eight PAT MSR entries). Entries 0-3 keep the power-on values,
 * so that a leaf with all three bits clear is WB as before the kernel
 * programmed the PAT; entry 4, WB at power-on, becomes WC (mm/vm.c).
 */
#define PAGING_CACHE_WB       0
#define PAGING_CACHE_WT       1
#define PAGING_CACHE_UC_MINUS 2
#define PAGING_CACHE_UC       3
#define PAGING_CACHE_WC       4
#define PAGING_CACHE_MAX      4

/* Errors, returned negated. */
#define PAGING_EINVAL 1 /* misaligned, non-canonical, wrapping, bad size or type */
#define PAGING_ENOMEM 2 /* the table allocator said no */
#define PAGING_EEXIST 3 /* something is already mapped there */
#define PAGING_ENOENT 4 /* lookup: nothing mapped there */

struct paging_env {
	void *ctx;
	/* One 4 KiB-aligned page for a table: 0 and *phys, or non-zero. */
	int (*alloc_table)(void *ctx, uint64_t *phys);
	/* Where the table at `phys` can be read and written. */
	uint64_t *(*table_at)(void *ctx, uint64_t phys);
	bool nx; /* whether leaves may carry the NX bit (EFER.NXE is on) */
};

struct paging {
	struct paging_env env;
	uint64_t root; /* physical address of the PML4 */
};

/* What a lookup found: the rights of all levels together. */
struct paging_leaf {
	uint64_t phys;      /* of the byte at the address looked up */
	uint64_t page_size; /* PAGING_4K, _2M or _1G */
	unsigned rights;    /* PAGING_WRITE / _EXEC / _GLOBAL / _USER, and the PAGING_PKEY */
	unsigned cache;     /* PAGING_CACHE_* */
};

/* An empty PML4. 0, or -PAGING_ENOMEM. */
int paging_init(struct paging *pt, const struct paging_env *env);

/*
 * Map [va, va + size) to [pa, pa + size) with pages of page_size (4K, 2M or
 * 1G; va, pa and size aligned to it), with `rights` and memory type `cache`.
 * 0, or -PAGING_EINVAL, -PAGING_ENOMEM, -PAGING_EEXIST. On error the pages
 * before the failing one stay mapped: the caller gives up on the tables.
 */
int paging_map(struct paging *pt, uint64_t va, uint64_t pa, uint64_t size, uint64_t page_size,
	       unsigned rights, unsigned cache);

/* The translation of va: 0 and *out, or -PAGING_ENOENT (or -PAGING_EINVAL). */
int paging_lookup(const struct paging *pt, uint64_t va, struct paging_leaf *out);

/*
 * Remove the 4 KiB leaves of [va, va + size) (page-aligned, canonical, in one
 * half; holes are skipped; a large page there is -PAGING_EINVAL and nothing
 * is removed). For each page removed, `gone(ctx, va, pa)` is called when not
 * NULL. The pages themselves stay allocated: they belong to whoever mapped
 * them. The caller flushes the TLB. 0, or -PAGING_EINVAL.
 */
int paging_unmap(struct paging *pt, uint64_t va, uint64_t size,
		 void (*gone)(void *ctx, uint64_t va, uint64_t pa), void *ctx);

/* What paging_free_lower reports. */
struct paging_free_ops {
	void *ctx;
	void (*free_table)(void *ctx, uint64_t phys);      /* a lower-half table */
	void (*gone)(void *ctx, uint64_t va, uint64_t pa); /* a leaf; NULL: not told */
};

/*
 * Free every page table of the lower half through ops->free_table, telling
 * ops->gone of each leaf (whose page is not freed here), and clear the
 * root's lower half. For an address space that no CPU runs any more.
 */
void paging_free_lower(struct paging *pt, const struct paging_free_ops *ops);

/* One kernel segment: virtual and physical start, bytes (page multiples). */
struct paging_segment {
	uint64_t virt, phys, size;
};

/*
 * What the kernel maps at boot (DESIGN.md §3): its text read-only and
 * executable, rodata read-only, data and bss writable, the last two NX; the
 * direct map of [0, direct_map_size) at direct_map_base, writable and NX,
 * with 1 GiB pages when use_1g, else 2 MiB. Everything global when global.
 */
struct paging_kernel_layout {
	struct paging_segment text, rodata, data;
	uint64_t direct_map_base, direct_map_size;
	bool use_1g, global;
};

/* Map the layout into pt: 0 or a negative PAGING_E* code. */
int paging_map_kernel(struct paging *pt, const struct paging_kernel_layout *l);

const char *paging_strerror(int err);

#endif
