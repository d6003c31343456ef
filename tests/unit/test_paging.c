/*
 * tests/unit/test_paging.c: the page-table builder (kernel/arch/x86_64/
 * paging.c) on fake physical memory: tables come from a pool of host pages
 * standing at a made-up physical address, and every check walks the result
 * with paging_lookup or reads the raw entries.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include <keel/boot.h>

#include "arch/x86_64/paging.h"
#include "ktest.h"

#define POOL_PAGES 64
#define POOL_PHYS  0x7000000ull /* where the fake tables "are" */

static uint64_t pool[POOL_PAGES][512] __attribute__((aligned(4096)));
static unsigned pool_used, pool_limit;

static int fake_alloc(void *ctx, uint64_t *phys)
{
	(void)ctx;
	if (pool_used >= pool_limit)
		return -1;
	*phys = POOL_PHYS + (uint64_t)pool_used++ * 4096;
	return 0;
}

/* A table address the builder never handed out is a bug in it: stop at once. */
static uint64_t *fake_table(void *ctx, uint64_t phys)
{
	(void)ctx;
	if (phys < POOL_PHYS || phys >= POOL_PHYS + (uint64_t)pool_used * 4096 || phys % 4096)
		abort();
	return pool[(phys - POOL_PHYS) / 4096];
}

static void fresh(struct paging *pt, bool nx)
{
	struct paging_env env = {NULL, fake_alloc, fake_table, nx};

	pool_used = 0;
	pool_limit = POOL_PAGES;
	if (paging_init(pt, &env) != 0)
		abort();
}

/* The layout of a small kernel: 3 pages of text, 2 of rodata, 4 of data, 4 GiB of RAM. */
#define K_PHYS  0x200000ull
#define DM_SIZE (4ull << 30)

static const struct paging_kernel_layout layout = {
    .text = {KEEL_KERNEL_BASE, K_PHYS, 3 * 4096},
    .rodata = {KEEL_KERNEL_BASE + 3 * 4096, K_PHYS + 3 * 4096, 2 * 4096},
    .data = {KEEL_KERNEL_BASE + 5 * 4096, K_PHYS + 5 * 4096, 4 * 4096},
    .direct_map_base = KEEL_DIRECT_MAP_BASE,
    .direct_map_size = DM_SIZE,
    .global = true,
};

/* Every page of the segment maps its physical page with exactly these rights. */
static const char *check_segment(const struct paging *pt, const struct paging_segment *s,
				 unsigned rights)
{
	struct paging_leaf leaf;

	for (uint64_t off = 0; off < s->size; off += 4096) {
		KT_EQ(paging_lookup(pt, s->virt + off + 5, &leaf), 0);
		KT_EQ(leaf.phys, s->phys + off + 5);
		KT_EQ(leaf.page_size, PAGING_4K);
		KT_EQ(leaf.rights, rights);
		KT_EQ(leaf.cache, PAGING_CACHE_WB);
	}
	return NULL;
}

static const char *check_kernel(const struct paging *pt, uint64_t dm_page)
{
	struct paging_leaf leaf;
	const char *err;

	if ((err = check_segment(pt, &layout.text, PAGING_EXEC | PAGING_GLOBAL)) ||
	    (err = check_segment(pt, &layout.rodata, PAGING_GLOBAL)) ||
	    (err = check_segment(pt, &layout.data, PAGING_WRITE | PAGING_GLOBAL)))
		return err;
	/* Just outside the image: nothing. */
	KT_EQ(paging_lookup(pt, KEEL_KERNEL_BASE - 4096, &leaf), -PAGING_ENOENT);
	KT_EQ(paging_lookup(pt, KEEL_KERNEL_BASE + 9 * 4096, &leaf), -PAGING_ENOENT);
	/* The direct map: every large page, writable, NX, global; nothing past it. */
	for (uint64_t pa = 0; pa < DM_SIZE; pa += dm_page) {
		KT_EQ(paging_lookup(pt, KEEL_DIRECT_MAP_BASE + pa + dm_page - 8, &leaf), 0);
		KT_EQ(leaf.phys, pa + dm_page - 8);
		KT_EQ(leaf.page_size, dm_page);
		KT_EQ(leaf.rights, PAGING_WRITE | PAGING_GLOBAL);
	}
	KT_EQ(paging_lookup(pt, KEEL_DIRECT_MAP_BASE + DM_SIZE, &leaf), -PAGING_ENOENT);
	KT_EQ(paging_lookup(pt, KEEL_DIRECT_MAP_BASE - 4096, &leaf),
	      -PAGING_EINVAL); /* non-canonical */
	/* No identity map: neither low memory nor the kernel's physical pages. */
	KT_EQ(paging_lookup(pt, 0, &leaf), -PAGING_ENOENT);
	KT_EQ(paging_lookup(pt, K_PHYS, &leaf), -PAGING_ENOENT);
	return NULL;
}

static const char *test_kernel_1g(void)
{
	struct paging pt;
	struct paging_kernel_layout l = layout;

	fresh(&pt, true);
	l.use_1g = true;
	KT_EQ(paging_map_kernel(&pt, &l), 0);
	/* PML4, the direct map's PDPT, and PDPT, PD, PT for the kernel. */
	KT_EQ(pool_used, 5);
	return check_kernel(&pt, PAGING_1G);
}

static const char *test_kernel_2m(void)
{
	struct paging pt;

	fresh(&pt, true);
	KT_EQ(paging_map_kernel(&pt, &layout), 0);
	/* One PD per GiB of direct map on top of the five. */
	KT_EQ(pool_used, 5 + DM_SIZE / PAGING_1G);
	return check_kernel(&pt, PAGING_2M);
}

/* Only the text's leaves lack NX; without NX (EFER.NXE off) no entry has bit 63. */
static const char *test_nx_bits(void)
{
	struct paging pt;
	struct paging_leaf leaf;
	unsigned nx_entries = 0;

	fresh(&pt, false);
	KT_EQ(paging_map_kernel(&pt, &layout), 0);
	for (unsigned t = 0; t < pool_used; t++)
		for (unsigned i = 0; i < 512; i++)
			nx_entries += pool[t][i] >> 63;
	KT_EQ(nx_entries, 0);
	KT_EQ(paging_lookup(&pt, layout.data.virt, &leaf), 0);
	KT_EQ(leaf.rights, PAGING_WRITE | PAGING_EXEC | PAGING_GLOBAL);

	fresh(&pt, true);
	KT_EQ(paging_map_kernel(&pt, &layout), 0);
	/* 4 pages of data + 2 of rodata + 4 x 512 direct-map PDEs; upper levels never. */
	for (unsigned t = 0; t < pool_used; t++)
		for (unsigned i = 0; i < 512; i++)
			nx_entries += pool[t][i] >> 63;
	KT_EQ(nx_entries, 6 + 4 * 512);
	return NULL;
}

/* A stack with a guard page under it: the guard stays unmapped. */
static const char *test_stack_guard(void)
{
	const uint64_t base = 0xffffffffa0000000ull;
	struct paging pt;
	struct paging_leaf leaf;

	fresh(&pt, true);
	KT_EQ(paging_map(&pt, base + 4096, 0x300000, 4 * 4096, PAGING_4K,
			 PAGING_WRITE | PAGING_GLOBAL, PAGING_CACHE_WB),
	      0);
	KT_EQ(paging_lookup(&pt, base, &leaf), -PAGING_ENOENT);
	KT_EQ(paging_lookup(&pt, base + 4095, &leaf), -PAGING_ENOENT);
	KT_EQ(paging_lookup(&pt, base + 4096, &leaf), 0);
	KT_EQ(leaf.phys, 0x300000);
	KT_EQ(leaf.rights, PAGING_WRITE | PAGING_GLOBAL);
	KT_EQ(paging_lookup(&pt, base + 5 * 4096 - 1, &leaf), 0);
	KT_EQ(paging_lookup(&pt, base + 5 * 4096, &leaf), -PAGING_ENOENT);
	return NULL;
}

/* Memory types: the PAT bit is bit 7 in a PTE and bit 12 in a large leaf. */
static const char *test_cache_types(void)
{
	const uint64_t va = 0xffffffffc0000000ull;
	struct paging pt;
	struct paging_leaf leaf;

	fresh(&pt, true);
	for (unsigned c = 0; c <= PAGING_CACHE_MAX; c++) {
		KT_EQ(paging_map(&pt, va + c * 4096, 0xfee00000 + c * 4096, 4096, PAGING_4K,
				 PAGING_WRITE, c),
		      0);
		KT_EQ(paging_lookup(&pt, va + c * 4096, &leaf), 0);
		KT_EQ(leaf.cache, c);
		KT_EQ(leaf.phys, 0xfee00000 + c * 4096);
	}
	KT_EQ(paging_map(&pt, va + 2 * PAGING_2M, 0x80000000, PAGING_2M, PAGING_2M, PAGING_WRITE,
			 PAGING_CACHE_WC),
	      0);
	KT_EQ(paging_lookup(&pt, va + 2 * PAGING_2M + 0x1234, &leaf), 0);
	KT_EQ(leaf.cache, PAGING_CACHE_WC);
	KT_EQ(leaf.phys, 0x80001234); /* the PAT bit (12) is not part of the address */
	KT_EQ(leaf.page_size, PAGING_2M);
	return NULL;
}

static const char *test_bad_requests(void)
{
	const uint64_t va = 0xffffffffa0000000ull;
	struct paging pt;
	struct paging_env env = {NULL, fake_alloc, fake_table, true};

	fresh(&pt, true);
	KT_EQ(paging_map(&pt, va + 1, 0, 4096, PAGING_4K, 0, 0), -PAGING_EINVAL);
	KT_EQ(paging_map(&pt, va, 0x100, 4096, PAGING_4K, 0, 0), -PAGING_EINVAL);
	KT_EQ(paging_map(&pt, va, 0, 4095, PAGING_4K, 0, 0), -PAGING_EINVAL);
	KT_EQ(paging_map(&pt, va, 0, 0, PAGING_4K, 0, 0), -PAGING_EINVAL);
	KT_EQ(paging_map(&pt, va, 0, 8192, 8192, 0, 0), -PAGING_EINVAL);
	KT_EQ(paging_map(&pt, va, 0, 4096, PAGING_4K, 0, PAGING_CACHE_MAX + 1), -PAGING_EINVAL);
	KT_EQ(paging_map(&pt, 0x0000800000000000ull, 0, 4096, PAGING_4K, 0, 0), -PAGING_EINVAL);
	KT_EQ(paging_map(&pt, 0x00007ffffffff000ull, 0, 8192, PAGING_4K, 0, 0), -PAGING_EINVAL);
	KT_EQ(paging_map(&pt, va, 1ull << 52, 4096, PAGING_4K, 0, 0), -PAGING_EINVAL);
	KT_EQ(paging_map(&pt, va, ~0xfffull, 8192, PAGING_4K, 0, 0), -PAGING_EINVAL);
	/* Overlaps: the same page twice, a 4K page inside a 2M one, a 2M page over 4K ones. */
	KT_EQ(paging_map(&pt, va, 0, 4096, PAGING_4K, 0, 0), 0);
	KT_EQ(paging_map(&pt, va, 0x1000, 4096, PAGING_4K, 0, 0), -PAGING_EEXIST);
	KT_EQ(paging_map(&pt, va, 0, PAGING_2M, PAGING_2M, 0, 0), -PAGING_EEXIST);
	KT_EQ(paging_map(&pt, va + PAGING_2M, 0, PAGING_2M, PAGING_2M, 0, 0), 0);
	KT_EQ(paging_map(&pt, va + PAGING_2M + 4096, 0, 4096, PAGING_4K, 0, 0), -PAGING_EEXIST);
	/* Out of table memory: an error, not a crash; and paging_init itself. */
	pool_limit = pool_used;
	KT_EQ(paging_map(&pt, 0xffffff0000000000ull, 0, 4096, PAGING_4K, 0, 0), -PAGING_ENOMEM);
	KT_EQ(paging_init(&pt, &env), -PAGING_ENOMEM);
	KT_EQ(paging_lookup(&pt, 0x0000800000000000ull, &(struct paging_leaf){0}), -PAGING_EINVAL);
	return NULL;
}

static const char *test_strerror(void)
{
	return ktest_strerror_distinct(paging_strerror, -PAGING_ENOENT, "paging_strerror");
}

static unsigned freed_tables;

static void fake_free(void *ctx, uint64_t phys)
{
	(void)ctx;
	fake_table(NULL, phys); /* aborts on a table the builder never handed out */
	freed_tables++;
}

static unsigned unmapped_pages;
static uint64_t unmapped_pa_sum;

static void count_gone(void *ctx, uint64_t va, uint64_t pa)
{
	(void)ctx;
	(void)va;
	unmapped_pages++;
	unmapped_pa_sum += pa;
}

/* User leaves: the U bit on every level, keys, and no user entry in the kernel half. */
static const char *test_user_mappings(void)
{
	struct paging pt;
	struct paging_leaf leaf;

	fresh(&pt, true);
	KT_EQ(paging_map(&pt, 0x400000, 0x9000, 2 * 4096, PAGING_4K,
			 PAGING_USER | PAGING_EXEC | PAGING_PKEY(5), PAGING_CACHE_WB),
	      0);
	KT_EQ(paging_lookup(&pt, 0x401008, &leaf), 0);
	KT_EQ(leaf.phys, 0xa008);
	KT_EQ(leaf.rights, PAGING_USER | PAGING_EXEC | PAGING_PKEY(5));
	/* A kernel mapping in the lower half is not user (the leaf decides). */
	KT_EQ(paging_map(&pt, 0x600000, 0xb000, 4096, PAGING_4K, PAGING_WRITE, PAGING_CACHE_WB), 0);
	KT_EQ(paging_lookup(&pt, 0x600000, &leaf), 0);
	KT_EQ(leaf.rights, PAGING_WRITE);
	/* Refused: user pages in the kernel half, global user pages, keys on kernel pages. */
	KT_EQ(paging_map(&pt, KEEL_KERNEL_BASE, 0xc000, 4096, PAGING_4K, PAGING_USER,
			 PAGING_CACHE_WB),
	      -PAGING_EINVAL);
	KT_EQ(paging_map(&pt, 0x700000, 0xc000, 4096, PAGING_4K, PAGING_USER | PAGING_GLOBAL,
			 PAGING_CACHE_WB),
	      -PAGING_EINVAL);
	KT_EQ(paging_map(&pt, 0x700000, 0xc000, 4096, PAGING_4K, PAGING_PKEY(1), PAGING_CACHE_WB),
	      -PAGING_EINVAL);
	/* The kernel half's tables get no U bit even next to user ones. */
	KT_EQ(paging_map(&pt, KEEL_KERNEL_BASE, 0xc000, 4096, PAGING_4K, PAGING_WRITE,
			 PAGING_CACHE_WB),
	      0);
	KT_EQ(pool[0][511] & 4, 0);
	KT_EQ(pool[0][0] & 4, 4);
	return NULL;
}

/* Unmap removes exactly the leaves asked for, reports each, and skips holes. */
static const char *test_unmap(void)
{
	struct paging pt;
	struct paging_leaf leaf;

	fresh(&pt, true);
	KT_EQ(paging_map(&pt, 0x400000, 0x10000, 4 * 4096, PAGING_4K, PAGING_USER | PAGING_WRITE,
			 PAGING_CACHE_WB),
	      0);
	KT_EQ(paging_map(&pt, 0x40000000, 0x200000, PAGING_2M, PAGING_2M, PAGING_USER,
			 PAGING_CACHE_WB),
	      0);
	unmapped_pages = 0;
	unmapped_pa_sum = 0;
	/* The first two pages, then a range with holes on both sides of the rest. */
	KT_EQ(paging_unmap(&pt, 0x400000, 2 * 4096, count_gone, NULL), 0);
	KT_EQ(unmapped_pages, 2);
	KT_EQ(unmapped_pa_sum, 0x10000 + 0x11000);
	KT_EQ(paging_lookup(&pt, 0x400000, &leaf), -PAGING_ENOENT);
	KT_EQ(paging_lookup(&pt, 0x402000, &leaf), 0);
	KT_EQ(paging_unmap(&pt, 0x3fe000, 8 * 4096, count_gone, NULL), 0);
	KT_EQ(unmapped_pages, 4);
	/* Refused: a large page, non-canonical, misalignment, empty and wrapping ranges. */
	KT_EQ(paging_unmap(&pt, 0x40000000, 4096, NULL, NULL), -PAGING_EINVAL);
	KT_EQ(paging_lookup(&pt, 0x40000000, &leaf), 0);
	KT_EQ(paging_unmap(&pt, 0x0000800000000000ull, 4096, NULL, NULL), -PAGING_EINVAL);
	KT_EQ(paging_unmap(&pt, 0x00007ffffffff000ull, 8192, NULL, NULL), -PAGING_EINVAL);
	KT_EQ(paging_unmap(&pt, 0x400800, 4096, NULL, NULL), -PAGING_EINVAL);
	KT_EQ(paging_unmap(&pt, 0x400000, 0, NULL, NULL), -PAGING_EINVAL);
	KT_EQ(paging_unmap(&pt, ~0xfffull, 8192, NULL, NULL), -PAGING_EINVAL);
	return NULL;
}

/* Freeing the lower half returns every user table and leaves the kernel half alone. */
static const char *test_free_lower(void)
{
	struct paging pt;
	struct paging_leaf leaf;
	unsigned kernel_tables;

	fresh(&pt, true);
	KT_EQ(paging_map_kernel(&pt, &layout), 0);
	kernel_tables = pool_used - 1; /* the root is not freed */
	KT_EQ(paging_map(&pt, 0x400000, 0x10000, 4096, PAGING_4K, PAGING_USER, PAGING_CACHE_WB), 0);
	KT_EQ(
	    paging_map(&pt, 0x7fff00000000, 0x20000, 4096, PAGING_4K, PAGING_USER, PAGING_CACHE_WB),
	    0);
	freed_tables = 0;
	unmapped_pages = 0;
	unmapped_pa_sum = 0;
	paging_free_lower(&pt, &(struct paging_free_ops){NULL, fake_free, count_gone});
	KT_EQ(freed_tables, pool_used - 1 - kernel_tables);
	KT_EQ(unmapped_pages, 2);
	KT_EQ(unmapped_pa_sum, 0x30000);
	KT_EQ(paging_lookup(&pt, 0x400000, &leaf), -PAGING_ENOENT);
	return check_kernel(&pt, PAGING_2M);
}

static const struct ktest tests[] = {
    KTEST(test_user_mappings), KTEST(test_unmap),       KTEST(test_free_lower),
    KTEST(test_kernel_1g),     KTEST(test_kernel_2m),   KTEST(test_nx_bits),
    KTEST(test_stack_guard),   KTEST(test_cache_types), KTEST(test_bad_requests),
    KTEST(test_strerror),
};

int main(void)
{
	return ktest_main(tests, KTEST_COUNT(tests));
}
