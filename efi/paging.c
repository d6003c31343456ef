/*
 * efi/paging.c: the first page tables the kernel runs on (DESIGN.md §2 step
 * 5), in one run of EfiLoaderData pages:
 * - the kernel's segments at their vaddrs, 4 KiB pages with the segment's own
 *   permissions (R: read-only NX, RW: writable NX, RX: read-only executable),
 *   nothing between segments;
 * - the direct map: physical 0 up to the highest end of any RAM or reserved
 *   range (firmware tables may sit in reserved memory) or of the framebuffer
 *   the stub kept, rounded up to 1 GiB, at KEEL_DIRECT_MAP_BASE, writable and
 *   NX, in 1 GiB pages where CPUID allows, else 2 MiB pages. MMIO does not
 *   count: one high device window must not refuse the boot. RAM beyond what
 *   the CPU can address or beyond KEEL_DIRECT_MAP_MAX refuses it; reserved
 *   memory there is left out, with a warning;
 * - an identity map of the page(s) holding the switch routine (switch.S, in
 *   the image's .text), so that the instruction after the CR3 load is still
 *   mapped.
 * Four-level paging only: a firmware that runs with CR4.LA57 is refused.
 */
#include "stub.h"

#include "lib/fmt.h"

#define PTE_P    (1ull << 0)
#define PTE_W    (1ull << 1)
#define PTE_PS   (1ull << 7)
#define PTE_NX   (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

#define PAGING_2M             (1ull << 21)
#define PAGING_1G             (1ull << 30)
/* The identity map must stay in the canonical lower half. */
#define PAGING_LOWER_HALF_END (1ull << 47)

/* The kernel window is one PDPT entry: one PDPT and one PD hold all of it. */
_Static_assert(KEEL_KERNEL_BASE % PAGING_1G == 0 && KEEL_KERNEL_WINDOW <= PAGING_1G,
	       "the table count below assumes a 1 GiB-aligned kernel window of at most 1 GiB");
_Static_assert(KEEL_DIRECT_MAP_BASE % (512 * PAGING_1G) == 0, "direct map starts a PML4 entry");

/* A bump allocator over the table pages (all zeroed by pages_alloc). */
struct paging {
	uint64_t pml4;
	uint64_t next;
	uint64_t end;
};

static unsigned paging_index(uint64_t va, unsigned level)
{
	return (va >> (12 + 9 * level)) & 511; /* level 3: PML4 ... level 0: PT */
}

/* The table an entry points to, made when the entry is empty. */
static uint64_t *paging_descend(struct paging *p, uint64_t *entry)
{
	if (!(*entry & PTE_P)) {
		if (p->next == p->end)
			return NULL;
		/* Upper levels allow everything; the leaf decides. */
		*entry = p->next | PTE_P | PTE_W;
		p->next += KEEL_PAGE_SIZE;
	} else if (*entry & PTE_PS) {
		return NULL;
	}
	return stub_ptr(*entry & PTE_ADDR);
}

/* Map one page of level 0 (4 KiB), 1 (2 MiB) or 2 (1 GiB). False if taken. */
static bool paging_map(struct paging *p, uint64_t va, uint64_t pa, unsigned level, uint64_t flags)
{
	uint64_t *t = stub_ptr(p->pml4);

	for (unsigned l = 3; l > level; l--) {
		t = paging_descend(p, &t[paging_index(va, l)]);
		if (t == NULL)
			return false;
	}
	uint64_t *e = &t[paging_index(va, level)];
	if (*e & PTE_P)
		return false;
	*e = pa | flags | (level > 0 ? PTE_PS : 0);
	return true;
}

/* An upper bound of the table pages the three maps need. */
static uint64_t paging_count_tables(const struct elf_image *k, uint64_t dm_size, bool pages_1g)
{
	uint64_t gib = dm_size / PAGING_1G;
	uint64_t n = 1; /* PML4 */

	n += (gib + 511) / 512; /* direct map PDPTs */
	if (!pages_1g)
		n += gib;                                          /* direct map PDs */
	n += 2;                                                    /* kernel PDPT and PD */
	n += (k->vend - 1) / PAGING_2M - k->vbase / PAGING_2M + 1; /* kernel PTs */
	n += 3 * 2; /* identity PDPT, PD, PT per page */
	return n;
}

static uint64_t paging_segment_flags(uint32_t f, uint64_t nx)
{
	if (f & ELF_PF_X)
		return PTE_P; /* read-only, executable (elf_check refuses W+X) */
	if (f & ELF_PF_W)
		return PTE_P | PTE_W | nx;
	return PTE_P | nx;
}

static bool paging_map_kernel(struct paging *p, const struct stub *s, uint64_t nx)
{
	const struct elf_image *k = &s->kernel;

	for (uint32_t i = 0; i < k->count; i++) {
		const struct elf_segment *seg = &k->seg[i];
		if (seg->memsz == 0)
			continue;
		uint64_t va = seg->vaddr & ~(KEEL_PAGE_SIZE - 1);
		uint64_t end = seg->vaddr + seg->memsz;
		uint64_t flags = paging_segment_flags(seg->flags, nx);
		for (; va < end; va += KEEL_PAGE_SIZE) {
			uint64_t pa = s->handoff->kernel_phys_base + (va - k->vbase);
			if (!paging_map(p, va, pa, 0, flags))
				return false;
		}
	}
	return true;
}

static bool paging_map_direct(struct paging *p, uint64_t size, bool pages_1g, uint64_t nx)
{
	uint64_t step = pages_1g ? PAGING_1G : PAGING_2M;
	uint64_t flags = PTE_P | PTE_W | nx;

	for (uint64_t pa = 0; pa < size; pa += step) {
		if (!paging_map(p, KEEL_DIRECT_MAP_BASE + pa, pa, pages_1g ? 2 : 1, flags))
			return false;
	}
	return true;
}

/* The switch routine's pages at their own address: read-only, executable. */
static bool paging_map_identity(struct paging *p, uint64_t base, uint64_t pages)
{
	for (uint64_t i = 0; i < pages; i++) {
		uint64_t pa = base + i * KEEL_PAGE_SIZE;

		if (!paging_map(p, pa, pa, 0, PTE_P))
			return false;
	}
	return true;
}

uint64_t paging_phys_limit(const struct cpu_features *cpu)
{
	uint64_t width = 1ull << cpu->phys_bits; /* phys_bits is 32..52 */

	return width < KEEL_DIRECT_MAP_MAX ? width : KEEL_DIRECT_MAP_MAX;
}

/*
 * How much physical memory the direct map covers: RAM and reserved ranges of
 * the dry run (s->ranges[0..count)) and the kept framebuffer, which gop.c has
 * already checked against paging_phys_limit.
 */
static EFI_STATUS paging_direct_map_size(const struct stub *s, size_t count, uint64_t *size)
{
	static char why[128];
	const struct keel_handoff *h = s->handoff;
	uint64_t limit = paging_phys_limit(&s->cpu);
	uint64_t end = memmap_ram_end(s->ranges, count);
	bool clipped = false;

	if (end > limit) {
		fmt_snprintf(why, sizeof(why), "RAM up to 0x%llx, beyond %s (0x%llx)",
			     (unsigned long long)end,
			     limit == KEEL_DIRECT_MAP_MAX ? "the 64 TiB direct map"
							  : "the CPU's physical address width",
			     (unsigned long long)limit);
		return console_error(EFI_UNSUPPORTED, "memory map", why);
	}
	for (size_t i = 0; i < count; i++) {
		const struct keel_mem_range *r = &s->ranges[i];
		uint64_t e = r->base + r->size; /* bootmap keeps it below 2^64 */

		if (r->type != KEEL_RANGE_RESERVED)
			continue;
		if (e > limit) {
			clipped = true;
			e = r->base < limit ? limit : 0;
		}
		if (e > end)
			end = e;
	}
	if (clipped)
		console_warn("reserved memory above 0x%llx is left out of the direct map",
			     (unsigned long long)limit);
	if ((h->flags & KEEL_HANDOFF_HAS_FB) && h->fb.base + h->fb.size > end)
		end = h->fb.base + h->fb.size;
	/* limit is 2^32 or more, a multiple of 1 GiB: rounding stays within it. */
	*size = (end + PAGING_1G - 1) & ~(PAGING_1G - 1);
	if (*size == 0)
		*size = PAGING_1G;
	return EFI_SUCCESS;
}

EFI_STATUS paging_build(struct stub *s, size_t range_count)
{
	struct keel_handoff *h = s->handoff;
	struct paging p;
	uint64_t dm_size, tables, count;
	EFI_STATUS st;

	if (cpu_read_cr4() & CPU_CR4_LA57)
		return console_error(EFI_UNSUPPORTED, "paging",
				     "firmware runs 5-level paging (CR4.LA57)");
	st = paging_direct_map_size(s, range_count, &dm_size);
	if (st != EFI_SUCCESS)
		return st;
	/* The identity-mapped pages must sit in the lower half, apart from the rest. */
	if (s->switch_base + s->switch_pages * KEEL_PAGE_SIZE > PAGING_LOWER_HALF_END)
		return console_error(EFI_UNSUPPORTED, "paging",
				     "switch routine outside the lower half");
	count = paging_count_tables(&s->kernel, dm_size, s->cpu.pages_1g);
	st = pages_alloc(EfiLoaderData, count, "page tables", &tables);
	if (st != EFI_SUCCESS)
		return st;
	p.pml4 = tables;
	p.next = tables + KEEL_PAGE_SIZE;
	p.end = tables + count * KEEL_PAGE_SIZE;

	uint64_t nx = s->cpu.nx ? PTE_NX : 0;
	if (!paging_map_direct(&p, dm_size, s->cpu.pages_1g, nx) || !paging_map_kernel(&p, s, nx) ||
	    !paging_map_identity(&p, s->switch_base, s->switch_pages)) {
		pages_free(tables);
		return console_error(EFI_ABORTED, "paging",
				     "mapping collides or tables ran out (stub bug)");
	}
	s->pml4 = tables;
	h->direct_map_size = dm_size;
	if (s->cpu.nx)
		h->flags |= KEEL_HANDOFF_NX;
	if (s->cpu.pages_1g)
		h->flags |= KEEL_HANDOFF_1G_PAGES;
	return EFI_SUCCESS;
}
