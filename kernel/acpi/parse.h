/*
 * kernel/acpi/parse.h: inside kernel/acpi only. The state of one acpi_parse()
 * call, the checked access to a table (table.c) and the parsers of the
 * tables Keel uses (madt.c, fadt.c, hpet.c, mcfg.c).
 */
#ifndef KEEL_ACPI_PARSE_H
#define KEEL_ACPI_PARSE_H

#include "acpi/acpi.h"

/* One parse; lives on acpi_parse()'s stack. */
struct acpi_parse {
	const struct acpi_mem *mem;
	struct acpi_info *info;
	uint32_t warned_once; /* bit per enum acpi_warning_code given by acpi_warn_once */
};

_Static_assert(ACPI_WARN_CODE_COUNT <= 32, "warned_once has a bit per warning code");

/*
 * A table that passed acpi_table_map(): `length` bytes at `bytes`, with
 * 36 <= length <= ACPI_TABLE_MAX_LENGTH and a zero byte sum. Nothing past
 * `length` may be read.
 */
struct acpi_table {
	const uint8_t *bytes;
	uint32_t length;
	uint8_t revision;
	char signature[4]; /* printable: acpi_table_map refuses anything else */
	uint64_t phys;
};

/* Little-endian fields at any alignment (tables pack them tightly). */
static inline uint16_t acpi_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t acpi_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t acpi_get64(const uint8_t *p)
{
	return (uint64_t)acpi_get32(p) | (uint64_t)acpi_get32(p + 4) << 32;
}

/* A Generic Address Structure: 12 bytes at p (§5.2.3.2). */
static inline struct acpi_gas acpi_get_gas(const uint8_t *p)
{
	struct acpi_gas g = {
	    .space = p[0],
	    .bit_width = p[1],
	    .bit_offset = p[2],
	    .access_size = p[3],
	    .address = acpi_get64(p + 4),
	};
	return g;
}

/*
 * Record a warning about the table (or entry) at `phys` whose signature is
 * the 4 bytes at `signature`; counted in warnings_dropped when the list is
 * full. acpi_warn_once records a code only the first time in a parse (for
 * "array full", which would otherwise repeat for every entry past the end).
 */
void acpi_warn(struct acpi_parse *ps, uint32_t code, const char *signature, uint64_t phys);
void acpi_warn_once(struct acpi_parse *ps, uint32_t code, const char *signature, uint64_t phys);

/*
 * Map the table at `phys`: its header first, then the length it claims,
 * which must lie in [36, ACPI_TABLE_MAX_LENGTH]; then a printable signature
 * and a zero checksum. 0 with *t filled, or -1 after a warning.
 */
int acpi_table_map(struct acpi_parse *ps, uint64_t phys, struct acpi_table *t);

/*
 * The table parsers. Each is called once per table of its signature with at
 * least its ACPI_*_MIN_LENGTH bytes, and sets `present` in its part of the
 * info when it accepts the table; a second table of the same signature is
 * refused before it gets here.
 */
#define ACPI_MADT_MIN_LENGTH 44  /* header, LAPIC address, flags */
#define ACPI_FADT_MIN_LENGTH 116 /* the ACPI 1.0 FADT, through Flags */
#define ACPI_HPET_MIN_LENGTH 56
#define ACPI_MCFG_MIN_LENGTH 44 /* header and 8 reserved bytes */

void acpi_madt_parse(struct acpi_parse *ps, const struct acpi_table *t);
void acpi_fadt_parse(struct acpi_parse *ps, const struct acpi_table *t);
void acpi_hpet_parse(struct acpi_parse *ps, const struct acpi_table *t);
void acpi_mcfg_parse(struct acpi_parse *ps, const struct acpi_table *t);

#endif
