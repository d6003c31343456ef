/*
 * efi/pages.c: every page the stub allocates, remembered so that a failure
 * (or inspect mode) can give all of them back and leak nothing into the
 * shell. A successful boot keeps them: the kernel finds them in the handoff's
 * memory ranges.
 */
#include "stub.h"

#include "lib/kstring.h"

/* The stub makes about a dozen allocations; more means a bug. */
#define PAGES_MAX_ALLOCS 24

struct pages_alloc {
	uint64_t phys;
	uint64_t count;
};

static struct pages_alloc pages_allocs[PAGES_MAX_ALLOCS];
static size_t pages_nallocs;

static EFI_STATUS pages_remember(uint64_t phys, uint64_t count)
{
	if (pages_nallocs == PAGES_MAX_ALLOCS) {
		stub_bs->FreePages(phys, count);
		return EFI_OUT_OF_RESOURCES;
	}
	pages_allocs[pages_nallocs].phys = phys;
	pages_allocs[pages_nallocs].count = count;
	pages_nallocs++;
	/* Zeroed: bss, page tables and the handoff rely on it. */
	memset(stub_ptr(phys), 0, count * KEEL_PAGE_SIZE);
	return EFI_SUCCESS;
}

/* `count` pages anywhere, zeroed; prints the error line on failure. */
EFI_STATUS pages_alloc(EFI_MEMORY_TYPE type, uint64_t count, const char *what, uint64_t *phys)
{
	EFI_PHYSICAL_ADDRESS addr = 0;
	EFI_STATUS st;

	if (count == 0)
		count = 1;
	st = stub_bs->AllocatePages(AllocateAnyPages, type, count, &addr);
	if (st != EFI_SUCCESS)
		return console_error(st, what, "cannot allocate memory");
	if (addr == 0 || addr % KEEL_PAGE_SIZE != 0) {
		/* Page 0 is never handed to the kernel as data: it looks like NULL. */
		if (addr % KEEL_PAGE_SIZE == 0)
			stub_bs->FreePages(addr, count);
		return console_error(EFI_OUT_OF_RESOURCES, what,
				     "firmware returned an unusable address");
	}
	st = pages_remember(addr, count);
	if (st != EFI_SUCCESS)
		return console_error(st, what, "too many allocations");
	*phys = addr;
	return EFI_SUCCESS;
}

/*
 * `count` pages of EfiLoaderData whose last byte is at or below `max`, not
 * starting at page 0. Quiet: the caller decides whether a failure matters.
 */
EFI_STATUS pages_alloc_below(uint64_t max, uint64_t count, uint64_t *phys)
{
	EFI_PHYSICAL_ADDRESS addr = max, zero_block = 0;
	bool holding_zero = false;
	EFI_STATUS st;

	st = stub_bs->AllocatePages(AllocateMaxAddress, EfiLoaderData, count, &addr);
	if (st == EFI_SUCCESS && addr == 0) {
		/* Hold the block at 0 so that the firmware must offer another one. */
		zero_block = addr;
		holding_zero = true;
		addr = max;
		st = stub_bs->AllocatePages(AllocateMaxAddress, EfiLoaderData, count, &addr);
	}
	if (holding_zero)
		stub_bs->FreePages(zero_block, count);
	if (st != EFI_SUCCESS)
		return st;
	if (addr == 0 || addr % KEEL_PAGE_SIZE != 0 || addr + count * KEEL_PAGE_SIZE - 1 > max) {
		if (addr % KEEL_PAGE_SIZE == 0)
			stub_bs->FreePages(addr, count);
		return EFI_OUT_OF_RESOURCES;
	}
	st = pages_remember(addr, count);
	if (st != EFI_SUCCESS)
		return st;
	*phys = addr;
	return EFI_SUCCESS;
}

void pages_free(uint64_t phys)
{
	for (size_t i = 0; i < pages_nallocs; i++) {
		if (pages_allocs[i].phys == phys) {
			stub_bs->FreePages(phys, pages_allocs[i].count);
			pages_allocs[i] = pages_allocs[--pages_nallocs];
			return;
		}
	}
}

void pages_free_all(void)
{
	while (pages_nallocs > 0) {
		pages_nallocs--;
		stub_bs->FreePages(pages_allocs[pages_nallocs].phys,
				   pages_allocs[pages_nallocs].count);
	}
}
