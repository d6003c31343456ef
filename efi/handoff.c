/*
 * efi/handoff.c: the handoff's fixed header and what the firmware says about
 * itself (vendor, revisions). The other fields are filled by the step that
 * learns them.
 */
#include "stub.h"

/* Firmware vendor string (UCS-2) to ASCII, '?' for anything else. */
static void handoff_copy_vendor(char *out, const CHAR16 *vendor)
{
	size_t i = 0;

	if (vendor != NULL) {
		for (; i + 1 < KEEL_FW_VENDOR_MAX && vendor[i] != 0; i++)
			out[i] = vendor[i] >= 0x20 && vendor[i] < 0x7f ? (char)vendor[i] : '?';
	}
	out[i] = '\0';
}

void handoff_init(struct keel_handoff *h, uint64_t tsc_efi_main)
{
	h->magic = KEEL_HANDOFF_MAGIC;
	h->version = KEEL_HANDOFF_VERSION;
	h->size = sizeof(*h);
	h->tsc_efi_main = tsc_efi_main;
	h->fw_revision = stub_st->FirmwareRevision;
	h->uefi_revision = stub_st->Hdr.Revision;
	handoff_copy_vendor(h->fw_vendor, stub_st->FirmwareVendor);
}
