/*
 * kernel/core/summary.c: the boot summary (summary.h). Strings from the
 * handoff and names from the initrd are shown with anything but printable
 * ASCII replaced by '?', so that they cannot drive a terminal.
 */
#include "core/summary.h"

#include "core/console.h"
#include "lib/bootmap.h"
#include "lib/cpio.h"
#include "lib/fb.h"
#include "lib/kstring.h"

#define SUMMARY_TEXT_MAX     200 /* longest string shown, in bytes */
#define SUMMARY_INITRD_NAMES 32  /* initrd entries listed by name */
#define MIB(bytes)           ((unsigned long)((bytes) >> 20))

/*
 * Copy s (at most len bytes, up to a NUL) into buf, made printable and
 * NUL-terminated; a string that does not fit ends in "...". size >= 4.
 */
static const char *summary_clean(char *buf, size_t size, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len && s[i] != '\0' && i + 1 < size; i++)
		buf[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	if (i + 1 == size && i < len && s[i] != '\0')
		memcpy(buf + i - 3, "...", 3);
	buf[i] = '\0';
	return buf;
}

static void summary_firmware(const struct keel_handoff *h)
{
	char vendor[KEEL_FW_VENDOR_MAX];
	uint32_t minor = h->uefi_revision & 0xffff;

	/* UEFI writes 2.3.1 as major 2, minor 31, and 2.7 as minor 70. */
	kprintf("firmware: %s revision 0x%x, UEFI %u.%u",
		summary_clean(vendor, sizeof(vendor), h->fw_vendor, sizeof(h->fw_vendor)),
		h->fw_revision, h->uefi_revision >> 16, minor / 10);
	if (minor % 10)
		kprintf(".%u", minor % 10);
	kprintf("\n");
}

static void summary_memory(const struct boot_info *bi)
{
	const struct keel_mem_range *r = bi->ranges;
	size_t n = bi->handoff->range_count;
	size_t usable_ranges = 0;

	for (size_t i = 0; i < n; i++)
		if (r[i].type == KEEL_RANGE_USABLE)
			usable_ranges++;
	kprintf("memory: %lu MiB usable in %zu ranges, %lu MiB RAM, reclaimable %lu MiB boot + %lu "
		"MiB ACPI; %zu ranges\n",
		MIB(bootmap_total(r, n, KEEL_RANGE_USABLE)), usable_ranges,
		MIB(bootmap_ram_total(r, n)), MIB(bootmap_total(r, n, KEEL_RANGE_BOOT_RECLAIM)),
		MIB(bootmap_total(r, n, KEEL_RANGE_ACPI_RECLAIM)), n);
}

static void summary_framebuffer(const struct keel_handoff *h, const char *fb_why)
{
	const struct keel_framebuffer *fb = &h->fb;

	if (!(h->flags & KEEL_HANDOFF_HAS_FB)) {
		kprintf("framebuffer: none\n");
		return;
	}
	kprintf("framebuffer: %ux%u stride %u %s", fb->width, fb->height, fb->pixels_per_line,
		fb_format_name(fb->format));
	if (fb->format == KEEL_FB_BITMASK)
		kprintf(" (r %08x g %08x b %08x)", fb->red_mask, fb->green_mask, fb->blue_mask);
	kprintf(" at 0x%lx, %lu KiB", (unsigned long)fb->base, (unsigned long)(fb->size >> 10));
	if (fb_why)
		kprintf("; not used: %s", fb_why);
	kprintf("\n");
}

static void summary_initrd(const struct keel_handoff *h)
{
	const void *archive = boot_phys_to_virt(h->initrd_base);
	struct cpio_iter it;
	struct cpio_entry e;
	uint32_t entries;
	char name[SUMMARY_TEXT_MAX];
	int err;

	if (h->initrd_size == 0) {
		kprintf("initrd: none\n");
		return;
	}
	/* handoff_check put the archive inside the direct map; its content is unchecked. */
	err = cpio_validate(archive, h->initrd_size, &entries);
	if (err != CPIO_OK) {
		kprintf("initrd: %lu bytes at 0x%lx, bad archive: %s\n",
			(unsigned long)h->initrd_size, (unsigned long)h->initrd_base,
			cpio_strerror(err));
		return;
	}
	kprintf("initrd: %lu bytes at 0x%lx, %u entries\n", (unsigned long)h->initrd_size,
		(unsigned long)h->initrd_base, entries);
	cpio_iter_init(&it, archive, h->initrd_size);
	for (uint32_t i = 0; i < SUMMARY_INITRD_NAMES && cpio_next(&it, &e) == 1; i++)
		kprintf("  %s (%zu bytes)\n", summary_clean(name, sizeof(name), e.name, e.name_len),
			e.size);
	if (entries > SUMMARY_INITRD_NAMES)
		kprintf("  ... and %u more\n", entries - SUMMARY_INITRD_NAMES);
}

void summary_print(const struct boot_info *bi, const char *fb_why)
{
	const struct keel_handoff *h = bi->handoff;
	char cmdline[CONSOLE_LINE_MAX - 16]; /* room for "cmdline: ", the quotes and '\n' */

	kprintf("keel: handoff ok (version %u, %u bytes)\n", h->version, h->size);
	summary_firmware(h);
	summary_memory(bi);
	summary_framebuffer(h, fb_why);
	if (h->flags & KEEL_HANDOFF_HAS_RSDP)
		kprintf("acpi: RSDP at 0x%lx\n", (unsigned long)h->rsdp);
	else
		kprintf("acpi: no RSDP\n");
	summary_initrd(h);
	/* Quoted, so that an empty command line shows as such (as keel.efi handoff does). */
	kprintf("cmdline: \"%s\"\n",
		summary_clean(cmdline, sizeof(cmdline), h->cmdline, sizeof(h->cmdline)));
	if (bi->tsc_entry >= h->tsc_efi_main)
		kprintf("boot: %lu TSC ticks from efi_main to kernel entry\n",
			(unsigned long)(bi->tsc_entry - h->tsc_efi_main));
	else
		kprintf("boot: TSC at kernel entry (%lu) is before efi_main's (%lu)\n",
			(unsigned long)bi->tsc_entry, (unsigned long)h->tsc_efi_main);
}
