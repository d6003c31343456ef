/*
 * kernel/acpi/table.c: checked access to one ACPI table and the warning list
 * (parse.h). The header layout is ACPI 6.5 §5.2.6: signature 0, length 4,
 * revision 8, checksum 9, OEM fields after; the whole table sums to 0.
 */
#include "acpi/parse.h"

#define HEADER_LENGTH 4

/* What each warning left out; every text fits after "acpi: SIG at 0x...: ". */
static const char *const acpi_warning_texts[ACPI_WARN_CODE_COUNT] = {
    [ACPI_WARN_UNMAPPED] = "header not in readable memory, table skipped",
    [ACPI_WARN_LENGTH] = "length outside 36 bytes..1 MiB, table skipped",
    [ACPI_WARN_TRUNCATED] = "length runs past readable memory, table skipped",
    [ACPI_WARN_CHECKSUM] = "bad checksum, table skipped",
    [ACPI_WARN_SIGNATURE] = "unexpected or unprintable signature, table skipped",
    [ACPI_WARN_XSDT_FALLBACK] = "XSDT unusable, using the RSDT",
    [ACPI_WARN_NULL_ENTRY] = "root table entry is 0, ignored",
    [ACPI_WARN_RAGGED] = "length is not a whole number of entries, partial entry ignored",
    [ACPI_WARN_TOO_MANY_TABLES] = "more than 256 tables, the rest ignored",
    [ACPI_WARN_DUPLICATE] = "duplicate, the first one is used",
    [ACPI_WARN_TOO_SHORT] = "shorter than its fixed fields, table skipped",
    [ACPI_WARN_ENTRY_LENGTH] = "entry shorter than its type needs, rest of the table ignored",
    [ACPI_WARN_ENTRY_OVERRUN] = "entry runs past the end of the table, rest ignored",
    [ACPI_WARN_BAD_ENTRY] = "entry with impossible values, ignored",
    [ACPI_WARN_DUPLICATE_APIC_ID] = "second CPU with the same APIC ID, ignored",
    [ACPI_WARN_TOO_MANY_CPUS] = "more than 256 CPUs, the rest ignored",
    [ACPI_WARN_TOO_MANY_IOAPICS] = "more than 16 IOAPICs, the rest ignored",
    [ACPI_WARN_TOO_MANY_OVERRIDES] = "more than 32 interrupt overrides, the rest ignored",
    [ACPI_WARN_TOO_MANY_NMI_SOURCES] = "more than 16 NMI sources, the rest ignored",
    [ACPI_WARN_TOO_MANY_LAPIC_NMIS] = "more than 16 local APIC NMIs, the rest ignored",
    [ACPI_WARN_TOO_MANY_MCFG] = "more than 16 ECAM segments, the rest ignored",
    [ACPI_WARN_HPET_ADDRESS] = "HPET registers not at an aligned system memory address, ignored",
    [ACPI_WARN_PM_TIMER] = "PM timer block unusable",
    [ACPI_WARN_RESET_REG] = "reset register unusable, no ACPI reset",
};

_Static_assert(ACPI_MAX_TABLES == 256 && ACPI_MAX_CPUS == 256 && ACPI_MAX_IOAPICS == 16 &&
		   ACPI_MAX_OVERRIDES == 32 && ACPI_MAX_NMI_SOURCES == 16 &&
		   ACPI_MAX_LAPIC_NMIS == 16 && ACPI_MAX_MCFG == 16 &&
		   ACPI_TABLE_MAX_LENGTH == 1u << 20,
	       "the warning texts quote these limits");

const char *acpi_warning_text(uint32_t code)
{
	if (code < ACPI_WARN_CODE_COUNT && acpi_warning_texts[code] != NULL)
		return acpi_warning_texts[code];
	return "unknown warning";
}

const char *acpi_strerror(int err)
{
	switch (err) {
	case ACPI_OK: return "no error";
	case ACPI_ERSDP: return "RSDP unreadable or invalid";
	case ACPI_EROOT: return "neither the XSDT nor the RSDT is usable";
	default: return "unknown ACPI error";
	}
}

static bool acpi_is_printable(char c)
{
	return c >= 0x20 && c < 0x7f;
}

void acpi_warn(struct acpi_parse *ps, uint32_t code, const char *signature, uint64_t phys)
{
	struct acpi_info *info = ps->info;
	struct acpi_warning *w;

	if (info->warning_count == ACPI_MAX_WARNINGS) {
		info->warnings_dropped++;
		return;
	}
	w = &info->warnings[info->warning_count++];
	w->code = code;
	/* The signature may come from a table that failed its checks. */
	for (int i = 0; i < 4; i++)
		w->signature[i] = acpi_is_printable(signature[i]) ? signature[i] : '?';
	w->phys = phys;
}

void acpi_warn_once(struct acpi_parse *ps, uint32_t code, const char *signature, uint64_t phys)
{
	if (ps->warned_once & (1u << code))
		return;
	ps->warned_once |= 1u << code;
	acpi_warn(ps, code, signature, phys);
}

static uint8_t acpi_sum(const uint8_t *p, uint32_t n)
{
	uint8_t sum = 0;

	for (uint32_t i = 0; i < n; i++)
		sum = (uint8_t)(sum + p[i]);
	return sum;
}

int acpi_table_map(struct acpi_parse *ps, uint64_t phys, struct acpi_table *t)
{
	const uint8_t *header = ps->mem->map(ps->mem->ctx, phys, ACPI_HEADER_LENGTH);
	const uint8_t *bytes;
	uint32_t length;

	if (header == NULL) {
		acpi_warn(ps, ACPI_WARN_UNMAPPED, "????", phys);
		return -1;
	}
	for (int i = 0; i < 4; i++)
		t->signature[i] = (char)header[i];
	for (int i = 0; i < 4; i++) {
		if (!acpi_is_printable(t->signature[i])) {
			acpi_warn(ps, ACPI_WARN_SIGNATURE, t->signature, phys);
			return -1;
		}
	}
	length = acpi_get32(header + HEADER_LENGTH);
	if (length < ACPI_HEADER_LENGTH || length > ACPI_TABLE_MAX_LENGTH) {
		acpi_warn(ps, ACPI_WARN_LENGTH, t->signature, phys);
		return -1;
	}
	bytes = ps->mem->map(ps->mem->ctx, phys, length);
	if (bytes == NULL) {
		acpi_warn(ps, ACPI_WARN_TRUNCATED, t->signature, phys);
		return -1;
	}
	if (acpi_sum(bytes, length) != 0) {
		acpi_warn(ps, ACPI_WARN_CHECKSUM, t->signature, phys);
		return -1;
	}
	/* From here on only `bytes` is read, and only below `length`. */
	t->bytes = bytes;
	t->length = length;
	t->revision = bytes[8];
	t->phys = phys;
	return 0;
}
