/*
 * kernel/core/ksyms.c: reading the symbol table (format in ksyms.h).
 *
 * The table is checked whole before any lookup trusts it: the header, that
 * the sizes add up to the table's size exactly, that offsets strictly
 * increase and stay below text_end, that every name starts inside the
 * strings and that the strings end with a NUL (so every name ends inside
 * them). After that a lookup is a binary search with no further checks.
 * Fields are read byte by byte: the table needs no alignment.
 */
#include "core/ksyms.h"

static uint32_t ksyms_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t ksyms_entry_offset(const uint8_t *table, uint32_t i)
{
	return ksyms_u32(table + KSYMS_HEADER_SIZE + (size_t)i * KSYMS_ENTRY_SIZE);
}

static uint32_t ksyms_entry_name(const uint8_t *table, uint32_t i)
{
	return ksyms_u32(table + KSYMS_HEADER_SIZE + (size_t)i * KSYMS_ENTRY_SIZE + 4);
}

const char *ksyms_check(const uint8_t *table, size_t size)
{
	uint32_t count, strings_size, text_end;
	const uint8_t *strings;

	if (table == NULL || size < KSYMS_HEADER_SIZE)
		return "shorter than its header";
	if (ksyms_u32(table) != KSYMS_MAGIC)
		return "bad magic";
	count = ksyms_u32(table + 4);
	strings_size = ksyms_u32(table + 8);
	text_end = ksyms_u32(table + 12);
	/* In 64 bits, so that no product or sum of 32-bit fields wraps. */
	if ((uint64_t)KSYMS_HEADER_SIZE + (uint64_t)count * KSYMS_ENTRY_SIZE + strings_size !=
	    (uint64_t)size)
		return "sizes do not add up to the table's size";
	strings = table + KSYMS_HEADER_SIZE + (size_t)count * KSYMS_ENTRY_SIZE;
	if (strings_size != 0 && strings[strings_size - 1] != '\0')
		return "the strings do not end with a NUL";
	for (uint32_t i = 0; i < count; i++) {
		uint32_t offset = ksyms_entry_offset(table, i);

		if (offset >= text_end)
			return "a symbol lies past the end of text";
		if (i > 0 && offset <= ksyms_entry_offset(table, i - 1))
			return "offsets do not strictly increase";
		if (ksyms_entry_name(table, i) >= strings_size)
			return "a name starts outside the strings";
	}
	return NULL;
}

bool ksyms_lookup(struct ksyms *k, uint64_t addr, const char **name, uint64_t *offset)
{
	uint32_t count, lo, hi;
	uint64_t rel;

	*name = "?";
	*offset = 0;
	if (k->state == KSYMS_UNCHECKED)
		k->state = ksyms_check(k->table, k->size) == NULL ? KSYMS_OK : KSYMS_BAD;
	if (k->state != KSYMS_OK || addr < k->base)
		return false;
	count = ksyms_u32(k->table + 4);
	rel = addr - k->base;
	if (count == 0 || rel >= ksyms_u32(k->table + 12) || rel < ksyms_entry_offset(k->table, 0))
		return false;
	/* The last entry whose offset is <= rel: entry lo always qualifies, hi never does. */
	lo = 0;
	hi = count;
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (ksyms_entry_offset(k->table, mid) <= rel)
			lo = mid;
		else
			hi = mid;
	}
	*name = (const char *)k->table + KSYMS_HEADER_SIZE + (size_t)count * KSYMS_ENTRY_SIZE +
		ksyms_entry_name(k->table, lo);
	*offset = rel - ksyms_entry_offset(k->table, lo);
	return true;
}
