/*
 * efi/gop.c: the framebuffer of the Graphics Output Protocol's current mode
 * (UEFI 2.10 §12.9), recorded as it is: the stub never changes the mode. It
 * is kept only when the kernel can draw on it:
 * - it passes fb_check() (kernel/lib/fb.c, the check the kernel makes too)
 *   with the most physical memory a direct map can cover on this CPU, so the
 *   direct map paging.c builds always includes it;
 * - it overlaps no RAM range: the FRAMEBUFFER overlay would otherwise relabel
 *   RAM the stub placed data in (handoff, stack, page tables, kernel, initrd).
 *   Only MMIO, reserved and unlisted space qualifies.
 * No GOP or a blt-only mode leaves the handoff without a framebuffer
 * (KEEL_HANDOFF_HAS_FB clear); any other refusal prints one warning first.
 * The boot goes on either way.
 */
#include "stub.h"

#include "lib/bootmap.h"
#include "lib/fb.h"

/* The pixel format in Keel's terms; false when there is no linear buffer. */
static bool gop_format(const EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *info,
		       struct keel_framebuffer *fb)
{
	const EFI_PIXEL_BITMASK *m = &info->PixelInformation;

	switch (info->PixelFormat) {
	case PixelRedGreenBlueReserved8BitPerColor: fb->format = KEEL_FB_RGBX; return true;
	case PixelBlueGreenRedReserved8BitPerColor: fb->format = KEEL_FB_BGRX; return true;
	case PixelBitMask:
		/* fb_check() decides whether the masks are usable. */
		fb->format = KEEL_FB_BITMASK;
		fb->red_mask = m->RedMask;
		fb->green_mask = m->GreenMask;
		fb->blue_mask = m->BlueMask;
		fb->reserved_mask = m->ReservedMask;
		return true;
	case PixelBltOnly: return false;
	default:
		console_warn("framebuffer: unknown pixel format %u; ignored",
			     (unsigned)info->PixelFormat);
		return false;
	}
}

/*
 * The first RAM range that shares a byte with the framebuffer, or NULL.
 * Ranges are whole pages, so this also covers the page-rounded overlay.
 */
static const struct keel_mem_range *gop_ram_overlap(const struct keel_mem_range *r, size_t count,
						    const struct keel_framebuffer *fb)
{
	for (size_t i = 0; i < count; i++) {
		/* fb_check() passed: base + size does not wrap; bootmap's ranges never do. */
		if (bootmap_type_is_ram(r[i].type) && fb->base < r[i].base + r[i].size &&
		    r[i].base < fb->base + fb->size)
			return &r[i];
	}
	return NULL;
}

void gop_probe(struct stub *s, size_t count)
{
	EFI_GUID guid = EFI_GRAPHICS_OUTPUT_PROTOCOL_GUID;
	EFI_GRAPHICS_OUTPUT_PROTOCOL *gop = NULL;
	struct keel_framebuffer fb = {0};
	const struct keel_mem_range *ram;
	char why[160];

	if (stub_bs->LocateProtocol(&guid, NULL, (void **)&gop) != EFI_SUCCESS || gop == NULL)
		return;
	const EFI_GRAPHICS_OUTPUT_PROTOCOL_MODE *mode = gop->Mode;
	if (mode == NULL || mode->Info == NULL || mode->SizeOfInfo < sizeof(*mode->Info)) {
		console_warn("framebuffer: GOP reports no mode information; ignored");
		return;
	}
	const EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *info = mode->Info;
	if (!gop_format(info, &fb))
		return;
	fb.base = mode->FrameBufferBase;
	fb.size = mode->FrameBufferSize;
	fb.width = info->HorizontalResolution;
	fb.height = info->VerticalResolution;
	fb.pixels_per_line = info->PixelsPerScanLine;
	if (fb_check(&fb, paging_phys_limit(&s->cpu), why, sizeof(why)) != 0) {
		console_warn("framebuffer: %s; ignored", why);
		return;
	}
	ram = gop_ram_overlap(s->ranges, count, &fb);
	if (ram != NULL) {
		console_warn(
		    "framebuffer: 0x%llx-0x%llx overlaps %s memory at 0x%llx-0x%llx; ignored",
		    (unsigned long long)fb.base, (unsigned long long)(fb.base + fb.size),
		    bootmap_type_name(ram->type), (unsigned long long)ram->base,
		    (unsigned long long)(ram->base + ram->size));
		return;
	}
	s->handoff->fb = fb;
	s->handoff->flags |= KEEL_HANDOFF_HAS_FB;
}
