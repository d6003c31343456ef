/*
 * kernel/arch/x86_64/paging.c: building page tables (paging.h).
 */
#include "paging.h"

#include <stddef.h>

/* Paging-entry bits (SDM Vol. 3A, §4.5, Tables 4-15 to 4-20). */
#define PTE_P          (1ull << 0)
#define PTE_W          (1ull << 1)
#define PTE_U          (1ull << 2)
#define PTE_PWT        (1ull << 3)
#define PTE_PCD        (1ull << 4)
#define PTE_PS         (1ull << 7) /* in a PDPTE or PDE: a 1 GiB or 2 MiB leaf */
#define PTE_PAT_4K     (1ull << 7) /* in a PTE: the PAT bit */
#define PTE_G          (1ull << 8)
#define PTE_PAT_HUGE   (1ull << 12) /* in a 1 GiB or 2 MiB leaf: the PAT bit */
#define PTE_PKEY_SHIFT 59           /* bits 62..59: the protection key of a user leaf */
#define PTE_NX         (1ull << 63)
#define PTE_ADDR       0x000ffffffffff000ull

#define PT_ENTRIES 512
#define PT_LEVELS  4 /* level 3 is the PML4, 0 the page table */

/* The level whose entries map pages of this size: 0 for 4K, 1 for 2M, 2 for 1G. */
static int paging_leaf_level(uint64_t page_size)
{
	switch (page_size) {
	case PAGING_4K: return 0;
	case PAGING_2M: return 1;
	case PAGING_1G: return 2;
	default: return -1;
	}
}

static unsigned paging_index(uint64_t va, int level)
{
	return (unsigned)(va >> (12 + 9 * level)) % PT_ENTRIES;
}

/* Bits 63..47 all equal: the only addresses 4-level paging translates. */
static bool paging_canonical(uint64_t va)
{
	uint64_t top = va >> 47;

	return top == 0 || top == 0x1ffff;
}

static uint64_t *paging_table(const struct paging *pt, uint64_t phys)
{
	return pt->env.table_at(pt->env.ctx, phys);
}

static int paging_new_table(struct paging *pt, uint64_t *phys)
{
	uint64_t *t;

	if (pt->env.alloc_table(pt->env.ctx, phys) != 0 || (*phys & ~PTE_ADDR) != 0)
		return -PAGING_ENOMEM;
	t = paging_table(pt, *phys);
	for (unsigned i = 0; i < PT_ENTRIES; i++)
		t[i] = 0;
	return 0;
}

int paging_init(struct paging *pt, const struct paging_env *env)
{
	pt->env = *env;
	return paging_new_table(pt, &pt->root);
}

/* The leaf bits for rights and memory type at a level (PAT sits elsewhere in large leaves). */
static uint64_t paging_leaf_bits(const struct paging *pt, int level, unsigned rights,
				 unsigned cache)
{
	uint64_t e = PTE_P;

	if (rights & PAGING_WRITE)
		e |= PTE_W;
	if (!(rights & PAGING_EXEC) && pt->env.nx)
		e |= PTE_NX;
	if (rights & PAGING_GLOBAL)
		e |= PTE_G;
	if (rights & PAGING_USER)
		e |= PTE_U | (uint64_t)PAGING_PKEY_OF(rights) << PTE_PKEY_SHIFT;
	if (cache & 1)
		e |= PTE_PWT;
	if (cache & 2)
		e |= PTE_PCD;
	if (cache & 4)
		e |= level == 0 ? PTE_PAT_4K : PTE_PAT_HUGE;
	if (level > 0)
		e |= PTE_PS;
	return e;
}

/* Map one page of the leaf level; tables on the way are created as needed. */
static int paging_map_one(struct paging *pt, uint64_t va, uint64_t pa, int leaf, uint64_t bits)
{
	uint64_t table = pt->root;

	for (int level = PT_LEVELS - 1; level > leaf; level--) {
		uint64_t *e = &paging_table(pt, table)[paging_index(va, level)];
		uint64_t next;
		int err;

		if (!(*e & PTE_P)) {
			err = paging_new_table(pt, &next);
			if (err != 0)
				return err;
			/* Lower-half tables are user tables: their leaves decide. */
			*e = next | PTE_P | PTE_W | ((va >> 63) ? 0 : PTE_U);
		} else if (*e & PTE_PS) {
			return -PAGING_EEXIST; /* a large page covers this address already */
		}
		table = *e & PTE_ADDR;
	}
	uint64_t *e = &paging_table(pt, table)[paging_index(va, leaf)];

	if (*e & PTE_P)
		return -PAGING_EEXIST;
	*e = pa | bits;
	return 0;
}

int paging_map(struct paging *pt, uint64_t va, uint64_t pa, uint64_t size, uint64_t page_size,
	       unsigned rights, unsigned cache)
{
	int leaf = paging_leaf_level(page_size);
	uint64_t bits;

	if (leaf < 0 || cache > PAGING_CACHE_MAX || size == 0)
		return -PAGING_EINVAL;
	if ((va | pa | size) & (page_size - 1))
		return -PAGING_EINVAL;
	/* Neither range may wrap; va stays in one canonical half, pa below 2^52. */
	if (va + size - 1 < va || pa + size - 1 < pa || (pa + size - 1) >> 52 != 0)
		return -PAGING_EINVAL;
	if (!paging_canonical(va) || !paging_canonical(va + size - 1) ||
	    (va >> 63) != ((va + size - 1) >> 63))
		return -PAGING_EINVAL;
	/* User leaves: lower half only, never global; keys only on user leaves. */
	if ((rights & PAGING_USER) ? (va >> 63) || (rights & PAGING_GLOBAL)
				   : PAGING_PKEY_OF(rights) != 0)
		return -PAGING_EINVAL;
	bits = paging_leaf_bits(pt, leaf, rights, cache);
	for (uint64_t off = 0; off < size; off += page_size) {
		int err = paging_map_one(pt, va + off, pa + off, leaf, bits);

		if (err != 0)
			return err;
	}
	return 0;
}

int paging_lookup(const struct paging *pt, uint64_t va, struct paging_leaf *out)
{
	uint64_t table = pt->root;
	bool writable = true, nx = false, user = true;

	if (!paging_canonical(va))
		return -PAGING_EINVAL;
	for (int level = PT_LEVELS - 1; level >= 0; level--) {
		uint64_t e = paging_table(pt, table)[paging_index(va, level)];
		uint64_t size, pat;

		if (!(e & PTE_P))
			return -PAGING_ENOENT;
		writable = writable && (e & PTE_W);
		user = user && (e & PTE_U);
		nx = nx || (e & PTE_NX);
		if (level > 0 && !(e & PTE_PS)) {
			table = e & PTE_ADDR;
			continue;
		}
		size = 1ull << (12 + 9 * level);
		pat = level == 0 ? PTE_PAT_4K : PTE_PAT_HUGE;
		/* A large leaf's address field holds its PAT bit (bit 12): mask it off. */
		out->phys = (e & PTE_ADDR & ~(size - 1)) | (va & (size - 1));
		out->page_size = size;
		out->rights = (writable ? PAGING_WRITE : 0) | (nx ? 0 : PAGING_EXEC) |
			      ((e & PTE_G) ? PAGING_GLOBAL : 0) |
			      (user ? PAGING_USER | PAGING_PKEY((e >> PTE_PKEY_SHIFT) & 0xf) : 0);
		out->cache =
		    ((e & PTE_PWT) ? 1 : 0) | ((e & PTE_PCD) ? 2 : 0) | ((e & pat) ? 4 : 0);
		return 0;
	}
	return -PAGING_ENOENT; /* not reached: level 0 always ends the walk */
}

/* The level-0 entry that maps va, or NULL when a table on the way is missing. */
static uint64_t *paging_pte(const struct paging *pt, uint64_t va, bool *large)
{
	uint64_t table = pt->root;

	*large = false;
	for (int level = PT_LEVELS - 1; level > 0; level--) {
		uint64_t e = paging_table(pt, table)[paging_index(va, level)];

		if (!(e & PTE_P))
			return NULL;
		if (e & PTE_PS) {
			*large = true;
			return NULL;
		}
		table = e & PTE_ADDR;
	}
	return &paging_table(pt, table)[paging_index(va, 0)];
}

int paging_unmap(struct paging *pt, uint64_t va, uint64_t size,
		 void (*gone)(void *ctx, uint64_t va, uint64_t pa), void *ctx)
{
	bool large;

	if (size == 0 || ((va | size) & (PAGING_4K - 1)) || va + size - 1 < va ||
	    !paging_canonical(va) || !paging_canonical(va + size - 1) ||
	    (va >> 63) != ((va + size - 1) >> 63))
		return -PAGING_EINVAL;
	/* First pass: refuse before changing anything. */
	for (uint64_t off = 0; off < size; off += PAGING_4K)
		if (!paging_pte(pt, va + off, &large) && large)
			return -PAGING_EINVAL;
	for (uint64_t off = 0; off < size; off += PAGING_4K) {
		uint64_t *e = paging_pte(pt, va + off, &large);

		if (!e || !(*e & PTE_P))
			continue;
		if (gone)
			gone(ctx, va + off, *e & PTE_ADDR);
		*e = 0;
	}
	return 0;
}

/*
 * Free the table at `phys` of `level` (3: the PML4, whose first `entries`
 * only are walked) mapping from `base`, and the tables below it; report each
 * leaf to `gone`.
 */
static void paging_free_table(struct paging *pt, uint64_t phys, int level, uint64_t base,
			      unsigned entries, const struct paging_free_ops *ops)
{
	uint64_t *t = paging_table(pt, phys);

	for (unsigned i = 0; i < entries; i++) {
		uint64_t e = t[i], va = base + ((uint64_t)i << (12 + 9 * level));

		if (!(e & PTE_P))
			continue;
		if (level > 0 && !(e & PTE_PS))
			paging_free_table(pt, e & PTE_ADDR, level - 1, va, PT_ENTRIES, ops);
		else if (ops->gone)
			ops->gone(ops->ctx, va, e & PTE_ADDR & ~((1ull << (12 + 9 * level)) - 1));
		t[i] = 0;
	}
	if (level < PT_LEVELS - 1)
		ops->free_table(ops->ctx, phys);
}

void paging_free_lower(struct paging *pt, const struct paging_free_ops *ops)
{
	paging_free_table(pt, pt->root, PT_LEVELS - 1, 0, PT_ENTRIES / 2, ops);
}

static int paging_map_segment(struct paging *pt, const struct paging_segment *s, unsigned rights)
{
	return paging_map(pt, s->virt, s->phys, s->size, PAGING_4K, rights, PAGING_CACHE_WB);
}

int paging_map_kernel(struct paging *pt, const struct paging_kernel_layout *l)
{
	unsigned g = l->global ? PAGING_GLOBAL : 0;
	int err;

	err = paging_map_segment(pt, &l->text, PAGING_EXEC | g);
	if (err == 0)
		err = paging_map_segment(pt, &l->rodata, g);
	if (err == 0)
		err = paging_map_segment(pt, &l->data, PAGING_WRITE | g);
	if (err == 0)
		err = paging_map(pt, l->direct_map_base, 0, l->direct_map_size,
				 l->use_1g ? PAGING_1G : PAGING_2M, PAGING_WRITE | g,
				 PAGING_CACHE_WB);
	return err;
}

const char *paging_strerror(int err)
{
	static const char *const msg[] = {
	    [0] = "ok",
	    [PAGING_EINVAL] = "misaligned, non-canonical or wrapping range",
	    [PAGING_ENOMEM] = "no memory for a page table",
	    [PAGING_EEXIST] = "already mapped",
	    [PAGING_ENOENT] = "not mapped",
	};

	if (err > 0 || -err >= (int)(sizeof(msg) / sizeof(msg[0])))
		return "unknown paging error";
	return msg[-err];
}
