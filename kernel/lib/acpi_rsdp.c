/*
 * kernel/lib/acpi_rsdp.c: RSDP checks (acpi_rsdp.h). Field offsets from
 * ACPI 6.5 §5.2.5.3: signature 0, checksum 8, OEM ID 9, revision 15, RSDT
 * address 16, length 20, XSDT address 24, extended checksum 32.
 */
#include "acpi_rsdp.h"

#include "kstring.h"

#define RSDP_REVISION 15
#define RSDP_RSDT     16
#define RSDP_LENGTH   20
#define RSDP_XSDT     24

static uint8_t acpi_rsdp_sum(const uint8_t *p, size_t n)
{
	uint8_t sum = 0;

	for (size_t i = 0; i < n; i++)
		sum = (uint8_t)(sum + p[i]);
	return sum;
}

const char *acpi_rsdp_check(const uint8_t *rsdp, size_t readable, struct acpi_rsdp_info *info)
{
	struct acpi_rsdp_info r = {0};

	if (rsdp == NULL)
		return "null pointer";
	if (readable < ACPI_RSDP_V1_SIZE)
		return "shorter than 20 bytes";
	if (memcmp(rsdp, "RSD PTR ", 8) != 0)
		return "no \"RSD PTR \" signature";
	if (acpi_rsdp_sum(rsdp, ACPI_RSDP_V1_SIZE) != 0)
		return "bad checksum over the first 20 bytes";
	r.revision = rsdp[RSDP_REVISION];
	r.length = ACPI_RSDP_V1_SIZE;
	memcpy(&r.rsdt, rsdp + RSDP_RSDT, sizeof(r.rsdt));
	if (r.revision >= 2) {
		if (readable < ACPI_RSDP_V2_MIN_SIZE)
			return "revision 2+ RSDP shorter than 36 bytes";
		memcpy(&r.length, rsdp + RSDP_LENGTH, sizeof(r.length));
		if (r.length < ACPI_RSDP_V2_MIN_SIZE || r.length > ACPI_RSDP_MAX_SIZE)
			return "length outside 36..4096";
		if (r.length > readable)
			return "length runs past the readable memory";
		if (acpi_rsdp_sum(rsdp, r.length) != 0)
			return "bad extended checksum";
		memcpy(&r.xsdt, rsdp + RSDP_XSDT, sizeof(r.xsdt));
		if (r.xsdt == 0)
			return "revision 2+ RSDP without an XSDT address";
	}
	if (info)
		*info = r;
	return NULL;
}
