/*
 * efi/acpi.c: the ACPI RSDP from the UEFI configuration table (UEFI 2.10
 * §4.6): the ACPI 2.0 entry first, then the ACPI 1.0 one. An entry is taken
 * only when its RSDP passes acpi_rsdp_check() (kernel/lib/acpi_rsdp.c, ACPI
 * 6.5 §5.2.5.3) and, for the ACPI 2.0 entry, has revision 2 or later.
 */
#include "stub.h"

#include "lib/acpi_rsdp.h"
#include "lib/kstring.h"

/* Nothing lives in page 0: a pointer below this is a broken entry, not a table. */
#define ACPI_MIN_ADDRESS 4096

/* Whether the table has an entry with `guid`; its pointer in *table. */
static bool acpi_find_entry(const EFI_GUID *guid, const uint8_t **table)
{
	const EFI_CONFIGURATION_TABLE *t = stub_st->ConfigurationTable;

	if (t == NULL)
		return false;
	for (UINTN i = 0; i < stub_st->NumberOfTableEntries; i++) {
		if (memcmp(&t[i].VendorGuid, guid, sizeof(*guid)) == 0) {
			*table = t[i].VendorTable;
			return true;
		}
	}
	return false;
}

/* NULL when the entry of ACPI `version` (1 or 2) points at a sound RSDP. */
static const char *acpi_check_entry(const uint8_t *rsdp, unsigned version)
{
	struct acpi_rsdp_info info;
	const char *why;

	if ((uintptr_t)rsdp < ACPI_MIN_ADDRESS)
		return "pointer below 4096";
	/*
	 * The firmware keeps its own table mapped, so any length the RSDP
	 * claims up to the check's own bound may be read.
	 */
	why = acpi_rsdp_check(rsdp, ACPI_RSDP_MAX_SIZE, &info);
	if (why != NULL)
		return why;
	if (version == 2 && info.revision < 2)
		return "revision below 2 in the ACPI 2.0 entry";
	return NULL;
}

void acpi_find_rsdp(struct stub *s)
{
	static const EFI_GUID guids[2] = {ACPI_20_TABLE_GUID, ACPI_TABLE_GUID};
	static const unsigned versions[2] = {2, 1};

	for (int i = 0; i < 2; i++) {
		const uint8_t *rsdp = NULL;
		if (!acpi_find_entry(&guids[i], &rsdp))
			continue;
		const char *why = acpi_check_entry(rsdp, versions[i]);
		if (why != NULL) {
			console_warn("ACPI %u.0 RSDP at 0x%llx: %s; ignored", versions[i],
				     (unsigned long long)(uintptr_t)rsdp, why);
			continue;
		}
		s->handoff->rsdp = (uint64_t)(uintptr_t)rsdp;
		s->handoff->flags |= KEEL_HANDOFF_HAS_RSDP;
		s->acpi_version = versions[i];
		return;
	}
}

void acpi_keep_if_mapped(struct stub *s)
{
	struct keel_handoff *h = s->handoff;
	struct acpi_rsdp_info info;

	if (!(h->flags & KEEL_HANDOFF_HAS_RSDP))
		return;
	/* acpi_find_rsdp accepted it, so this cannot fail; it gives the length. */
	if (acpi_rsdp_check(stub_ptr(h->rsdp), ACPI_RSDP_MAX_SIZE, &info) == NULL &&
	    h->rsdp < h->direct_map_size && info.length <= h->direct_map_size - h->rsdp)
		return;
	console_warn("ACPI RSDP at 0x%llx lies outside the direct map (%llu MiB); ignored",
		     (unsigned long long)h->rsdp, (unsigned long long)(h->direct_map_size >> 20));
	h->rsdp = 0;
	h->flags &= ~KEEL_HANDOFF_HAS_RSDP;
	s->acpi_version = 0;
}
