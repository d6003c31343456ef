/*
 * efi/memmap.c: the UEFI memory map (UEFI 2.10 §7.2 GetMemoryMap), its
 * conversion into the handoff's ranges (kernel/lib/bootmap.c).
 *
 * The map buffer is allocated once, with room to spare, before the last
 * allocations: the final GetMemoryMap, right before ExitBootServices, must not
 * need memory of its own.
 */
#include "stub.h"

#include "lib/bootmap.h"

/* A map larger than this is not a memory map. */
#define MEMMAP_MAX_SIZE (16u << 20)
/* Room for the descriptors the stub's own later allocations add. */
#define MEMMAP_SLACK    (16u << 10)
/* Kernel, initrd, trampoline, framebuffer. */
#define MEMMAP_OVERLAYS 4

/* The map into m->buf. Quiet: it also runs after a failed ExitBootServices. */
EFI_STATUS memmap_get(struct memmap *m)
{
	UINTN size = m->cap, key = 0, desc_size = 0;
	UINT32 version = 0;
	EFI_STATUS st;

	st = stub_bs->GetMemoryMap(&size, stub_ptr(m->buf), &key, &desc_size, &version);
	if (st != EFI_SUCCESS)
		return st;
	/* Checked here too: the capacity sums below divide by it. */
	if (desc_size < sizeof(struct uefi_memory_descriptor) || desc_size > KEEL_PAGE_SIZE ||
	    size > m->cap)
		return EFI_INCOMPATIBLE_VERSION;
	m->size = size;
	m->key = key;
	m->desc_size = desc_size;
	return EFI_SUCCESS;
}

EFI_STATUS memmap_read(struct memmap *m)
{
	EFI_STATUS st = memmap_get(m);

	if (st == EFI_INCOMPATIBLE_VERSION)
		return console_error(st, "memory map", "descriptor size out of range");
	if (st != EFI_SUCCESS)
		return console_error(st, "memory map", "GetMemoryMap failed");
	return EFI_SUCCESS;
}

EFI_STATUS memmap_alloc(struct memmap *m)
{
	UINTN size = 0, key, desc_size;
	UINT32 version;
	EFI_STATUS st;

	/* A zero-sized buffer makes the firmware say how much it needs. */
	st = stub_bs->GetMemoryMap(&size, NULL, &key, &desc_size, &version);
	if (st != EFI_BUFFER_TOO_SMALL)
		return console_error(st == EFI_SUCCESS ? EFI_DEVICE_ERROR : st, "memory map",
				     "GetMemoryMap did not report its size");
	if (size == 0 || size > MEMMAP_MAX_SIZE)
		return console_error(EFI_BAD_BUFFER_SIZE, "memory map", "implausible size");
	/* Twice the size and a bit: our own allocations split descriptors. */
	m->cap = stub_pages(size * 2 + MEMMAP_SLACK) * KEEL_PAGE_SIZE;
	st = pages_alloc(EfiLoaderData, m->cap / KEEL_PAGE_SIZE, "memory map", &m->buf);
	if (st != EFI_SUCCESS)
		return st;
	return memmap_read(m);
}

static void memmap_add_overlay(struct bootmap_overlay *o, size_t *n, uint64_t base, uint64_t size,
			       uint32_t type)
{
	uint64_t start = base & ~(KEEL_PAGE_SIZE - 1);

	o[*n].base = start;
	o[*n].size = stub_pages(base + size - start) * KEEL_PAGE_SIZE;
	o[*n].type = type;
	(*n)++;
}

/*
 * The map last read, with the stub's own ranges laid over it, into the
 * handoff's ranges array. Pure computation: safe after ExitBootServices.
 * Returns a bootmap error code.
 */
int memmap_convert(const struct stub *s, size_t *count)
{
	const struct keel_handoff *h = s->handoff;
	struct bootmap_overlay o[MEMMAP_OVERLAYS];
	size_t n = 0;

	memmap_add_overlay(o, &n, h->kernel_phys_base, h->kernel_phys_size, KEEL_RANGE_KERNEL);
	memmap_add_overlay(o, &n, h->initrd_base, h->initrd_size, KEEL_RANGE_INITRD);
	if (h->flags & KEEL_HANDOFF_HAS_TRAMPOLINE)
		memmap_add_overlay(o, &n, h->trampoline_phys, KEEL_TRAMPOLINE_SIZE,
				   KEEL_RANGE_TRAMPOLINE);
	if (h->flags & KEEL_HANDOFF_HAS_FB)
		memmap_add_overlay(o, &n, h->fb.base, h->fb.size, KEEL_RANGE_FRAMEBUFFER);
	return bootmap_from_uefi(stub_ptr(s->map.buf), s->map.size, s->map.desc_size, o, n,
				 s->ranges, s->ranges_cap, count);
}

/* The end of the highest RAM range (bootmap_type_is_ram), 0 without RAM. */
uint64_t memmap_ram_end(const struct keel_mem_range *r, size_t count)
{
	uint64_t end = 0;

	for (size_t i = 0; i < count; i++) {
		/* bootmap keeps base + size below 2^64. */
		if (bootmap_type_is_ram(r[i].type) && r[i].base + r[i].size > end)
			end = r[i].base + r[i].size;
	}
	return end;
}

/*
 * The handoff's ranges array: one range per descriptor the map buffer can
 * hold, plus two splits per overlay and one more (bootmap.h's bound), but
 * never more than the kernel accepts: a map that needs more is refused by
 * the dry run (BOOTMAP_ENOSPACE), while the firmware can still print.
 */
EFI_STATUS memmap_alloc_ranges(struct stub *s)
{
	uint64_t phys;
	size_t cap = s->map.cap / s->map.desc_size + 2 * MEMMAP_OVERLAYS + 1;
	EFI_STATUS st;

	if (cap > KEEL_HANDOFF_MAX_RANGES)
		cap = KEEL_HANDOFF_MAX_RANGES;
	st = pages_alloc(EfiLoaderData, stub_pages(cap * sizeof(struct keel_mem_range)),
			 "memory ranges", &phys);
	if (st != EFI_SUCCESS)
		return st;
	s->ranges = stub_ptr(phys);
	s->ranges_cap = cap;
	s->handoff->ranges = phys;
	return EFI_SUCCESS;
}
