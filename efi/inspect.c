/*
 * efi/inspect.c: `keel.efi handoff` prints the handoff the kernel would get,
 * in the fixed format that tests parse (values decimal unless 0x-prefixed,
 * range ends exclusive, `usable:` last).
 */
#include "stub.h"

#include "lib/bootmap.h"
#include "lib/fb.h"
#include "lib/kstring.h"

/* The widest range type name, so that the columns line up. */
static int inspect_type_width(void)
{
	size_t w = 0;

	for (uint32_t t = 1; t <= KEEL_RANGE_TYPE_MAX; t++) {
		size_t n = strlen(bootmap_type_name(t));
		if (n > w)
			w = n;
	}
	return (int)w;
}

static void inspect_print_kernel(const struct stub *s)
{
	const struct keel_handoff *h = s->handoff;
	const struct elf_image *k = &s->kernel;

	console_print("kernel: \\keel\\kernel.elf entry 0x%llx, %llu KiB at phys 0x%llx\n",
		      (unsigned long long)h->kernel_entry,
		      (unsigned long long)(h->kernel_phys_size / 1024),
		      (unsigned long long)h->kernel_phys_base);
	for (uint32_t i = 0; i < k->count; i++) {
		const struct elf_segment *seg = &k->seg[i];
		console_print("  segment %u: 0x%llx-0x%llx -> phys 0x%llx %c%c%c %llu bytes\n", i,
			      (unsigned long long)seg->vaddr,
			      (unsigned long long)(seg->vaddr + seg->memsz),
			      (unsigned long long)(h->kernel_phys_base + (seg->vaddr - k->vbase)),
			      seg->flags & ELF_PF_R ? 'r' : '-', seg->flags & ELF_PF_W ? 'w' : '-',
			      seg->flags & ELF_PF_X ? 'x' : '-', (unsigned long long)seg->memsz);
	}
}

static void inspect_print_devices(const struct stub *s)
{
	const struct keel_handoff *h = s->handoff;
	const struct keel_framebuffer *fb = &h->fb;

	if (h->flags & KEEL_HANDOFF_HAS_FB)
		console_print("framebuffer: %ux%u stride %u %s at 0x%llx, %llu KiB\n", fb->width,
			      fb->height, fb->pixels_per_line, fb_format_name(fb->format),
			      (unsigned long long)fb->base, (unsigned long long)(fb->size / 1024));
	else
		console_print("framebuffer: none\n");
	if (h->flags & KEEL_HANDOFF_HAS_RSDP)
		console_print("rsdp: 0x%llx (ACPI %s)\n", (unsigned long long)h->rsdp,
			      s->acpi_version == 2 ? "2.0" : "1.0");
	else
		console_print("rsdp: none\n");
	if (h->flags & KEEL_HANDOFF_HAS_TRAMPOLINE)
		console_print("trampoline: 0x%llx\n", (unsigned long long)h->trampoline_phys);
	else
		console_print("trampoline: none\n");
	console_print("direct map: %llu GiB with %s pages\n",
		      (unsigned long long)(h->direct_map_size >> 30),
		      h->flags & KEEL_HANDOFF_1G_PAGES ? "1 GiB" : "2 MiB");
}

static void inspect_print_ranges(const struct keel_mem_range *r, size_t count)
{
	int w = inspect_type_width();
	uint64_t usable_ranges = 0;

	console_print("memory ranges: %llu\n", (unsigned long long)count);
	for (size_t i = 0; i < count; i++) {
		console_print("  0x%016llx-0x%016llx %-*s %llu KiB\n",
			      (unsigned long long)r[i].base,
			      (unsigned long long)(r[i].base + r[i].size), w,
			      bootmap_type_name(r[i].type), (unsigned long long)(r[i].size / 1024));
		if (r[i].type == KEEL_RANGE_USABLE)
			usable_ranges++;
	}
	for (uint32_t t = 1; t <= KEEL_RANGE_TYPE_MAX; t++) {
		uint64_t total = bootmap_total(r, count, t);
		bool present = false;
		for (size_t i = 0; i < count && !present; i++)
			present = r[i].type == t;
		if (!present)
			continue;
		console_print("totals: %-*s %llu KiB\n", w, bootmap_type_name(t),
			      (unsigned long long)(total / 1024));
	}
	console_print("ram: %llu MiB\n", (unsigned long long)(bootmap_ram_total(r, count) >> 20));
	console_print("usable: %llu MiB in %llu ranges\n",
		      (unsigned long long)(bootmap_total(r, count, KEEL_RANGE_USABLE) >> 20),
		      (unsigned long long)usable_ranges);
}

void inspect_print(const struct stub *s, size_t range_count)
{
	const struct keel_handoff *h = s->handoff;

	console_print("keel.efi handoff: what the kernel would receive (nothing is booted)\n");
	console_print("firmware: %s rev 0x%x UEFI %u.%u\n", h->fw_vendor, h->fw_revision,
		      h->uefi_revision >> 16, h->uefi_revision & 0xffff);
	console_print("cmdline: \"%s\"\n", h->cmdline);
	inspect_print_kernel(s);
	console_print("initrd: \\keel\\initrd.cpio %llu bytes, %u entries at phys 0x%llx\n",
		      (unsigned long long)h->initrd_size, s->initrd_entries,
		      (unsigned long long)h->initrd_base);
	inspect_print_devices(s);
	inspect_print_ranges(s->ranges, range_count);
}
