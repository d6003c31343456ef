/*
 * efi/gop.c: the framebuffer of the Graphics Output Protocol's current mode
 * (UEFI 2.10 §12.9), recorded as it is: the stub never changes the mode. No
 * GOP, a blt-only mode or a mode that does not add up leaves the handoff
 * without a framebuffer (KEEL_HANDOFF_HAS_FB clear).
 */
#include "stub.h"

#define GOP_MIN_BASE 0x100000ull     /* 1 MiB */
#define GOP_MAX_END (1ull << 52)     /* the architectural physical limit */

/* The pixel format in Keel's terms; false when there is no linear buffer. */
static bool gop_format(const EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *info, struct keel_framebuffer *fb)
{
	const EFI_PIXEL_BITMASK *m = &info->PixelInformation;

	switch (info->PixelFormat) {
	case PixelRedGreenBlueReserved8BitPerColor:
		fb->format = KEEL_FB_RGBX;
		return true;
	case PixelBlueGreenRedReserved8BitPerColor:
		fb->format = KEEL_FB_BGRX;
		return true;
	case PixelBitMask:
		/* Each colour needs bits of its own. */
		if (m->RedMask == 0 || m->GreenMask == 0 || m->BlueMask == 0 ||
		    (m->RedMask & m->GreenMask) != 0 || (m->RedMask & m->BlueMask) != 0 ||
		    (m->GreenMask & m->BlueMask) != 0 ||
		    ((m->RedMask | m->GreenMask | m->BlueMask) & m->ReservedMask) != 0) {
			console_warn("framebuffer: pixel bit masks overlap or are empty; ignored");
			return false;
		}
		fb->format = KEEL_FB_BITMASK;
		fb->red_mask = m->RedMask;
		fb->green_mask = m->GreenMask;
		fb->blue_mask = m->BlueMask;
		fb->reserved_mask = m->ReservedMask;
		return true;
	case PixelBltOnly:
		return false;
	default:
		console_warn("framebuffer: unknown pixel format %u; ignored", (unsigned)info->PixelFormat);
		return false;
	}
}

/* The framebuffer must not claim memory the stub has placed data in. */
static bool gop_overlaps(uint64_t base, uint64_t size, uint64_t other, uint64_t other_size)
{
	return base < other + other_size && other < base + size;
}

void gop_probe(struct stub *s)
{
	const struct keel_handoff *h = s->handoff;
	EFI_GUID guid = EFI_GRAPHICS_OUTPUT_PROTOCOL_GUID;
	EFI_GRAPHICS_OUTPUT_PROTOCOL *gop = NULL;
	struct keel_framebuffer fb = { 0 };

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
	/* Four bytes a pixel (boot.h): the visible rows must fit the buffer. */
	uint64_t need = (uint64_t)fb.pixels_per_line * fb.height * 4;
	if (fb.base == 0 || fb.width == 0 || fb.height == 0 || fb.pixels_per_line < fb.width ||
	    fb.size < need || fb.base + fb.size < fb.base || fb.base + fb.size > GOP_MAX_END) {
		console_warn("framebuffer: %ux%u stride %u, %llu bytes at 0x%llx does not add up; ignored",
			     fb.width, fb.height, fb.pixels_per_line, (unsigned long long)fb.size,
			     (unsigned long long)fb.base);
		return;
	}
	/* Below 1 MiB lives the trampoline; the kernel and initrd are placed already. */
	if (fb.base < GOP_MIN_BASE ||
	    gop_overlaps(fb.base, fb.size, h->kernel_phys_base, h->kernel_phys_size) ||
	    gop_overlaps(fb.base, fb.size, h->initrd_base, h->initrd_size)) {
		console_warn("framebuffer at 0x%llx overlaps memory in use; ignored",
			     (unsigned long long)fb.base);
		return;
	}
	s->handoff->fb = fb;
	s->handoff->flags |= KEEL_HANDOFF_HAS_FB;
}
