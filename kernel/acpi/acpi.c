/*
 * kernel/acpi/acpi.c: from the RSDP to the tables (acpi.h). The RSDP check
 * is kernel/lib/acpi_rsdp.c's; the root table is the XSDT (64-bit entries)
 * when the RSDP has revision 2 or more, else, or when the XSDT is unusable,
 * the RSDT (32-bit entries) (ACPI 6.5 §5.2.7, §5.2.8). Each table it lists is
 * checked on its own and handed to its parser by signature.
 */
#include "acpi/parse.h"

#include "lib/acpi_rsdp.h"
#include "lib/kstring.h"

#define RSDP_REVISION 15 /* offsets in the RSDP, §5.2.5.3 */
#define RSDP_LENGTH   20

/* The tables Keel parses; `present` is at present_offset inside struct acpi_info. */
struct acpi_parser {
	char signature[4];
	uint32_t min_length;
	size_t present_offset;
	void (*parse)(struct acpi_parse *ps, const struct acpi_table *t);
};

static const struct acpi_parser acpi_parsers[] = {
    {"APIC", ACPI_MADT_MIN_LENGTH, offsetof(struct acpi_info, madt.present), acpi_madt_parse},
    {"FACP", ACPI_FADT_MIN_LENGTH, offsetof(struct acpi_info, fadt.present), acpi_fadt_parse},
    {"HPET", ACPI_HPET_MIN_LENGTH, offsetof(struct acpi_info, hpet.present), acpi_hpet_parse},
    {"MCFG", ACPI_MCFG_MIN_LENGTH, offsetof(struct acpi_info, mcfg.present), acpi_mcfg_parse},
};

/*
 * Map and check the RSDP. The revision and length it claims decide how much
 * to map before acpi_rsdp_check() has judged them, so they are only used to
 * ask for more bytes; an absurd length is left for the check to refuse.
 */
static const char *acpi_rsdp_read(const struct acpi_mem *mem, uint64_t phys,
				  struct acpi_rsdp_info *r)
{
	const uint8_t *p = mem->map(mem->ctx, phys, ACPI_RSDP_V1_SIZE);
	size_t readable = ACPI_RSDP_V1_SIZE;

	if (p == NULL)
		return "not in readable memory";
	if (p[RSDP_REVISION] >= 2) {
		const uint8_t *v2 = mem->map(mem->ctx, phys, ACPI_RSDP_V2_MIN_SIZE);

		if (v2 != NULL) {
			uint32_t length = acpi_get32(v2 + RSDP_LENGTH);
			const uint8_t *whole = NULL;

			p = v2;
			readable = ACPI_RSDP_V2_MIN_SIZE;
			if (length > ACPI_RSDP_V2_MIN_SIZE && length <= ACPI_RSDP_MAX_SIZE)
				whole = mem->map(mem->ctx, phys, length);
			if (whole != NULL) {
				p = whole;
				readable = length;
			}
		}
	}
	return acpi_rsdp_check(p, readable, r);
}

/* Hand a table to its parser, unless it is unknown, too short or a duplicate. */
static void acpi_table_dispatch(struct acpi_parse *ps, const struct acpi_table *t)
{
	for (size_t i = 0; i < sizeof(acpi_parsers) / sizeof(acpi_parsers[0]); i++) {
		const struct acpi_parser *pr = &acpi_parsers[i];
		const bool *present = (const bool *)((const char *)ps->info + pr->present_offset);

		if (memcmp(t->signature, pr->signature, 4) != 0)
			continue;
		if (*present)
			acpi_warn(ps, ACPI_WARN_DUPLICATE, t->signature, t->phys);
		else if (t->length < pr->min_length)
			acpi_warn(ps, ACPI_WARN_TOO_SHORT, t->signature, t->phys);
		else
			pr->parse(ps, t);
		return;
	}
}

/* One table the root lists: checked, listed in info->tables, parsed if Keel uses it. */
static void acpi_table_use(struct acpi_parse *ps, uint64_t phys)
{
	struct acpi_info *info = ps->info;
	struct acpi_table_ref *ref;
	struct acpi_table t;

	if (acpi_table_map(ps, phys, &t) != 0)
		return;
	/* Never full: the root walk stops at ACPI_MAX_TABLES entries. */
	ref = &info->tables[info->table_count++];
	memcpy(ref->signature, t.signature, 4);
	ref->revision = t.revision;
	ref->length = t.length;
	ref->phys = phys;
	acpi_table_dispatch(ps, &t);
}

/*
 * Use the root table at `phys` with signature `signature` and entries of
 * `entry_size` bytes (8 for the XSDT, 4 for the RSDT). 0 when it passed its
 * checks and its entries were walked, -1 after a warning otherwise.
 */
static int acpi_root_walk(struct acpi_parse *ps, uint64_t phys, const char *signature,
			  uint32_t entry_size)
{
	struct acpi_table root;
	uint32_t count;

	if (acpi_table_map(ps, phys, &root) != 0)
		return -1;
	if (memcmp(root.signature, signature, 4) != 0) {
		acpi_warn(ps, ACPI_WARN_SIGNATURE, root.signature, phys);
		return -1;
	}
	count = (root.length - ACPI_HEADER_LENGTH) / entry_size;
	if ((root.length - ACPI_HEADER_LENGTH) % entry_size != 0)
		acpi_warn(ps, ACPI_WARN_RAGGED, root.signature, phys);
	if (count > ACPI_MAX_TABLES) {
		acpi_warn(ps, ACPI_WARN_TOO_MANY_TABLES, root.signature, phys);
		count = ACPI_MAX_TABLES;
	}
	ps->info->root_is_xsdt = entry_size == 8;
	ps->info->root_phys = phys;
	for (uint32_t i = 0; i < count; i++) {
		uint32_t at = ACPI_HEADER_LENGTH + i * entry_size;
		uint64_t entry =
		    entry_size == 8 ? acpi_get64(root.bytes + at) : acpi_get32(root.bytes + at);

		if (entry == 0)
			acpi_warn(ps, ACPI_WARN_NULL_ENTRY, root.signature, phys + at);
		else
			acpi_table_use(ps, entry);
	}
	return 0;
}

int acpi_parse(const struct acpi_mem *mem, uint64_t rsdp, struct acpi_info *info,
	       const char **rsdp_why)
{
	struct acpi_parse ps = {.mem = mem, .info = info};
	struct acpi_rsdp_info r;
	const char *why;

	memset(info, 0, sizeof(*info));
	if (rsdp_why != NULL)
		*rsdp_why = NULL;
	why = acpi_rsdp_read(mem, rsdp, &r);
	if (why != NULL) {
		if (rsdp_why != NULL)
			*rsdp_why = why;
		return ACPI_ERSDP;
	}
	info->rsdp_revision = r.revision;
	/* acpi_rsdp_check guarantees a non-zero XSDT address from revision 2 on. */
	if (r.revision >= 2) {
		if (acpi_root_walk(&ps, r.xsdt, "XSDT", 8) == 0)
			return ACPI_OK;
		if (r.rsdt == 0)
			return ACPI_EROOT;
		acpi_warn(&ps, ACPI_WARN_XSDT_FALLBACK, "XSDT", r.xsdt);
	}
	if (r.rsdt != 0 && acpi_root_walk(&ps, r.rsdt, "RSDT", 4) == 0)
		return ACPI_OK;
	return ACPI_EROOT;
}
