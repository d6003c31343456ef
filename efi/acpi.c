/*
 * efi/acpi.c: the ACPI RSDP from the UEFI configuration table (UEFI 2.10
 * §4.6): the ACPI 2.0 entry first, then the ACPI 1.0 one. An entry is taken
 * only when its RSDP has the signature and checksums of ACPI 6.5 §5.2.5.3.
 */
#include "stub.h"

#include "lib/kstring.h"

#define ACPI_RSDP_V1_LEN 20
#define ACPI_RSDP_V2_MIN_LEN 36
#define ACPI_RSDP_MAX_LEN 4096 /* far above any real one; bounds the sum */

static uint8_t acpi_sum(const uint8_t *p, size_t n)
{
	uint8_t sum = 0;
	while (n--)
		sum += *p++;
	return sum;
}

/* Check the RSDP at `rsdp` as a version 1 (20 bytes) or 2+ table. */
static const char *acpi_check_rsdp(const uint8_t *rsdp, unsigned version)
{
	uint32_t len;

	if (rsdp == NULL)
		return "null pointer";
	if (memcmp(rsdp, "RSD PTR ", 8) != 0)
		return "no \"RSD PTR \" signature";
	if (acpi_sum(rsdp, ACPI_RSDP_V1_LEN) != 0)
		return "bad checksum";
	if (version == 1)
		return NULL;
	if (rsdp[15] < 2)
		return "revision below 2 in the ACPI 2.0 entry";
	memcpy(&len, rsdp + 20, sizeof(len));
	if (len < ACPI_RSDP_V2_MIN_LEN || len > ACPI_RSDP_MAX_LEN)
		return "bad length";
	if (acpi_sum(rsdp, len) != 0)
		return "bad extended checksum";
	return NULL;
}

/* The table entry with `guid`, or NULL. */
static const uint8_t *acpi_find_entry(EFI_GUID *guid)
{
	EFI_CONFIGURATION_TABLE *t = stub_st->ConfigurationTable;

	if (t == NULL)
		return NULL;
	for (UINTN i = 0; i < stub_st->NumberOfTableEntries; i++) {
		if (memcmp(&t[i].VendorGuid, guid, sizeof(*guid)) == 0)
			return t[i].VendorTable;
	}
	return NULL;
}

void acpi_find_rsdp(struct stub *s)
{
	EFI_GUID guids[2] = { ACPI_20_TABLE_GUID, ACPI_TABLE_GUID };
	static const unsigned versions[2] = { 2, 1 };

	for (int i = 0; i < 2; i++) {
		const uint8_t *rsdp = acpi_find_entry(&guids[i]);
		if (rsdp == NULL)
			continue;
		const char *why = acpi_check_rsdp(rsdp, versions[i]);
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
