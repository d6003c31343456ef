/*
 * efi/initrd.c: \keel\initrd.cpio, loaded as it is and walked once with
 * cpio_validate() (kernel/lib/cpio.c) so that a broken archive is refused
 * here, where the firmware can still say so.
 */
#include "stub.h"

#include "lib/cpio.h"

EFI_STATUS initrd_load(struct stub *s, EFI_FILE_HANDLE root)
{
	uint64_t phys, size;
	char name[32];
	EFI_STATUS st;

	st = file_read(root, STUB_INITRD_PATH, false, &phys, &size);
	if (st != EFI_SUCCESS)
		return st;
	int rc = cpio_validate(stub_ptr(phys), size, &s->initrd_entries);
	if (rc != CPIO_OK) {
		pages_free(phys);
		file_path_ascii(STUB_INITRD_PATH, name, sizeof(name));
		return console_error(EFI_LOAD_ERROR, name, cpio_strerror(rc));
	}
	s->handoff->initrd_base = phys;
	s->handoff->initrd_size = size;
	return EFI_SUCCESS;
}
