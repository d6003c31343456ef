/*
 * efi/kernel.c: \keel\kernel.elf checked (kernel/lib/elf.c: ELF64 x86-64
 * ET_EXEC, segments inside the file and the kernel window, no overlap, no
 * W+X) and laid out in one contiguous run of pages: the segment at vaddr goes
 * to kernel_phys_base + (vaddr - vbase), the rest of the run stays zero (bss
 * and the gaps between segments).
 */
#include "stub.h"

#include "lib/kstring.h"

EFI_STATUS kernel_load(struct stub *s, EFI_FILE_HANDLE root)
{
	struct keel_handoff *h = s->handoff;
	struct elf_image *img = &s->kernel;
	uint64_t file, size, phys;
	char name[32];
	EFI_STATUS st;

	file_path_ascii(STUB_KERNEL_PATH, name, sizeof(name));
	st = file_read(root, STUB_KERNEL_PATH, false, &file, &size);
	if (st != EFI_SUCCESS)
		return st;
	int rc = elf_check(stub_ptr(file), size, KEEL_KERNEL_BASE, KEEL_KERNEL_WINDOW, img);
	if (rc != ELF_OK) {
		pages_free(file);
		return console_error(EFI_LOAD_ERROR, name, elf_strerror(rc));
	}
	/* elf_check promises this; the copy below relies on it. */
	if (img->vend <= img->vbase || img->vend - img->vbase > KEEL_KERNEL_WINDOW) {
		pages_free(file);
		return console_error(EFI_LOAD_ERROR, name, "segments span no pages");
	}
	st = pages_alloc(EfiLoaderData, (img->vend - img->vbase) / KEEL_PAGE_SIZE, name, &phys);
	if (st != EFI_SUCCESS) {
		pages_free(file);
		return st;
	}
	for (uint32_t i = 0; i < img->count; i++) {
		const struct elf_segment *seg = &img->seg[i];
		memcpy(stub_ptr(phys + (seg->vaddr - img->vbase)),
		       (const uint8_t *)stub_ptr(file) + seg->offset, seg->filesz);
	}
	pages_free(file);
	h->kernel_phys_base = phys;
	h->kernel_phys_size = img->vend - img->vbase;
	h->kernel_virt_base = img->vbase;
	h->kernel_entry = img->entry;
	return EFI_SUCCESS;
}
