/*
 * tests/unit/test_acpi.c: kernel/acpi/ against ACPI tables built here from
 * the ACPI 6.5 layouts, modelled on what QEMU's q35 machine provides (RSDP,
 * XSDT and RSDT, FADT, MADT, HPET, MCFG, WAET), then with each table
 * corrupted in turn, then under a fuzz loop.
 *
 * The fake physical memory hands every map() request a fresh heap block of
 * exactly the length asked for, so ASan catches any read past what the
 * parser mapped, not just past the table.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ktest.h"
#include "ktest_rng.h"
#include "ktest_ranges.h"
#include "acpi/acpi.h"
#include "acpi/physmap.h"

/* ---- tables in memory ---- */

#define TBUF_MAX 8192

struct tbuf {
	uint64_t phys;
	size_t len;    /* bytes of the table built */
	size_t mapped; /* bytes the fake memory holds at phys: 0 = nothing there */
	uint8_t b[TBUF_MAX];
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static void add8(struct tbuf *t, uint8_t v)
{
	t->b[t->len++] = v;
}

static void add16(struct tbuf *t, uint16_t v)
{
	put16(t->b + t->len, v);
	t->len += 2;
}

static void add32(struct tbuf *t, uint32_t v)
{
	put32(t->b + t->len, v);
	t->len += 4;
}

static void add64(struct tbuf *t, uint64_t v)
{
	put64(t->b + t->len, v);
	t->len += 8;
}

/* A Generic Address Structure. */
static void add_gas(struct tbuf *t, uint8_t space, uint8_t width, uint8_t offset, uint8_t access,
		    uint64_t address)
{
	add8(t, space);
	add8(t, width);
	add8(t, offset);
	add8(t, access);
	add64(t, address);
}

/* Start a table at phys: the 36-byte header with QEMU's OEM fields. */
static void tb_header(struct tbuf *t, uint64_t phys, const char *sig, uint8_t revision)
{
	memset(t->b, 0, sizeof(t->b));
	t->phys = phys;
	memcpy(t->b, sig, 4);
	t->b[8] = revision;
	memcpy(t->b + 10, "BOCHS ", 6);
	memcpy(t->b + 16, "BXPC    ", 8);
	put32(t->b + 24, 1);          /* OEM revision */
	memcpy(t->b + 28, "BXPC", 4); /* creator */
	put32(t->b + 32, 1);
	t->len = 36;
}

/* The checksum over the table as built, whatever its length field says. */
static void tb_resum(struct tbuf *t)
{
	ktest_fix_sum8(t->b, t->len, 9);
}

/* Finish a table: length field, checksum, all of it mapped. */
static void tb_seal(struct tbuf *t)
{
	put32(t->b + 4, (uint32_t)t->len);
	tb_resum(t);
	t->mapped = t->len;
}

/* ---- the q35 fixture ---- */

enum { T_RSDP, T_XSDT, T_RSDT, T_FACP, T_APIC, T_HPET, T_MCFG, T_WAET, T_EXTRA, T_COUNT };

/* 8 KiB apart: no table of TBUF_MAX bytes runs into the next. */
#define RSDP_PHYS   0x7fe0014ull
#define XSDT_PHYS   0x7fe2000ull
#define RSDT_PHYS   0x7fe4000ull
#define FACP_PHYS   0x7fe6000ull
#define APIC_PHYS   0x7fe8000ull
#define HPET_PHYS   0x7fea000ull
#define MCFG_PHYS   0x7fec000ull
#define WAET_PHYS   0x7fee000ull
#define EXTRA_PHYS  0x7ff0000ull
#define FIXTURE_END 0x7ff2000ull
#define DSDT_PHYS   0x7ff8000ull /* only its address is used */

static const char *const sigs[T_COUNT] = {"RSD ", "XSDT", "RSDT", "FACP", "APIC",
					  "HPET", "MCFG", "WAET", "????"};

struct fixture {
	struct tbuf t[T_COUNT];
	uint8_t rsdp_revision;
};

/* The RSDP of `revision` pointing at both roots; version 1 has 20 bytes. */
static void rsdp_build(struct fixture *f, uint8_t revision)
{
	struct tbuf *t = &f->t[T_RSDP];

	memset(t->b, 0, sizeof(t->b));
	t->phys = RSDP_PHYS;
	memcpy(t->b, "RSD PTR ", 8);
	memcpy(t->b + 9, "BOCHS ", 6);
	t->b[15] = revision;
	put32(t->b + 16, (uint32_t)RSDT_PHYS);
	put32(t->b + 20, 36);
	put64(t->b + 24, revision >= 2 ? XSDT_PHYS : 0);
	ktest_fix_sum8(t->b, 20, 8);
	t->len = t->mapped = revision >= 2 ? 36 : 20;
	if (revision >= 2)
		ktest_fix_sum8(t->b, 36, 32);
	f->rsdp_revision = revision;
}

/* XSDT and RSDT listing every table the fixture holds, in slot order. */
static void roots_build(struct fixture *f)
{
	struct tbuf *x = &f->t[T_XSDT], *r = &f->t[T_RSDT];

	tb_header(x, XSDT_PHYS, "XSDT", 1);
	tb_header(r, RSDT_PHYS, "RSDT", 1);
	for (int i = T_FACP; i < T_COUNT; i++) {
		if (f->t[i].len == 0)
			continue;
		add64(x, f->t[i].phys);
		add32(r, (uint32_t)f->t[i].phys);
	}
	tb_seal(x);
	tb_seal(r);
}

/*
 * FADT revision 3 (ACPI 2.0 layout, 244 bytes) as QEMU 7.2 builds it for
 * q35 (its flags leave TMR_VAL_EXT clear: a 24-bit PM timer).
 */
#define Q35_FADT_FLAGS                                                                             \
	0x84a5 /* WBINVD, PROC_C1, SLP_BUTTON, RTC_S4, RESET_REG_SUP, PLATFORM_CLOCK */

static void fadt_build(struct tbuf *t)
{
	tb_header(t, FACP_PHYS, "FACP", 3);
	t->len = 244;
	put32(t->b + 36, 0x7ffa000);           /* FIRMWARE_CTRL */
	put32(t->b + 40, (uint32_t)DSDT_PHYS); /* DSDT */
	put16(t->b + 46, 9);                   /* SCI_INT */
	put32(t->b + 48, 0xb2);                /* SMI_CMD */
	t->b[52] = 0xf1;                       /* ACPI_ENABLE */
	t->b[53] = 0xf0;                       /* ACPI_DISABLE */
	put32(t->b + 56, 0x600);               /* PM1a_EVT_BLK */
	put32(t->b + 64, 0x604);               /* PM1a_CNT_BLK */
	put32(t->b + 76, 0x608);               /* PM_TMR_BLK */
	put32(t->b + 80, 0x620);               /* GPE0_BLK */
	t->b[88] = 4;                          /* PM1_EVT_LEN */
	t->b[89] = 2;                          /* PM1_CNT_LEN */
	t->b[91] = 4;                          /* PM_TMR_LEN */
	t->b[92] = 16;                         /* GPE0_BLK_LEN */
	put16(t->b + 96, 0xfff);               /* P_LVL2_LAT: no C2 */
	put16(t->b + 98, 0xfff);               /* P_LVL3_LAT: no C3 */
	t->b[108] = 0x32;                      /* CENTURY */
	put16(t->b + 109, 0x0002);             /* IAPC_BOOT_ARCH: 8042 */
	put32(t->b + 112, Q35_FADT_FLAGS);     /* Flags */
	size_t len = t->len;
	t->len = 116;
	add_gas(t, 1, 8, 0, 0, 0xcf9); /* RESET_REG */
	add8(t, 0x0f);                 /* RESET_VALUE */
	t->len = 140;
	add64(t, DSDT_PHYS);            /* X_DSDT */
	add_gas(t, 1, 32, 0, 0, 0x600); /* X_PM1a_EVT_BLK */
	t->len = 172;
	add_gas(t, 1, 16, 0, 0, 0x604); /* X_PM1a_CNT_BLK */
	t->len = 208;
	add_gas(t, 1, 32, 0, 0, 0x608);  /* X_PM_TMR_BLK */
	add_gas(t, 1, 128, 0, 0, 0x620); /* X_GPE0_BLK */
	t->len = len;
	tb_seal(t);
}

/* MADT entries */
static void madt_lapic(struct tbuf *t, uint8_t uid, uint8_t id, uint32_t flags)
{
	add8(t, 0);
	add8(t, 8);
	add8(t, uid);
	add8(t, id);
	add32(t, flags);
}

static void madt_x2apic(struct tbuf *t, uint32_t id, uint32_t flags, uint32_t uid)
{
	add8(t, 9);
	add8(t, 16);
	add16(t, 0);
	add32(t, id);
	add32(t, flags);
	add32(t, uid);
}

static void madt_ioapic(struct tbuf *t, uint8_t id, uint32_t address, uint32_t gsi_base)
{
	add8(t, 1);
	add8(t, 12);
	add8(t, id);
	add8(t, 0);
	add32(t, address);
	add32(t, gsi_base);
}

static void madt_override(struct tbuf *t, uint8_t bus, uint8_t irq, uint32_t gsi, uint16_t flags)
{
	add8(t, 2);
	add8(t, 10);
	add8(t, bus);
	add8(t, irq);
	add32(t, gsi);
	add16(t, flags);
}

static void madt_nmi_source(struct tbuf *t, uint16_t flags, uint32_t gsi)
{
	add8(t, 3);
	add8(t, 8);
	add16(t, flags);
	add32(t, gsi);
}

static void madt_lapic_nmi(struct tbuf *t, uint8_t uid, uint16_t flags, uint8_t lint)
{
	add8(t, 4);
	add8(t, 6);
	add8(t, uid);
	add16(t, flags);
	add8(t, lint);
}

static void madt_x2apic_nmi(struct tbuf *t, uint16_t flags, uint32_t uid, uint8_t lint)
{
	add8(t, 0xa);
	add8(t, 12);
	add16(t, flags);
	add32(t, uid);
	add8(t, lint);
	add8(t, 0);
	add16(t, 0);
}

static void madt_lapic_override(struct tbuf *t, uint64_t address)
{
	add8(t, 5);
	add8(t, 12);
	add16(t, 0);
	add64(t, address);
}

static void madt_header(struct tbuf *t, uint64_t phys, uint8_t revision)
{
	tb_header(t, phys, "APIC", revision);
	add32(t, 0xfee00000); /* Local Interrupt Controller Address */
	add32(t, 1);          /* Flags: PCAT_COMPAT */
}

/*
 * Where the second and third entries start in the MADTs the tests build:
 * after the fixed fields (44 bytes) and one or two Local APICs (8 each).
 */
#define MADT_E_SECOND 52
#define MADT_E_THIRD  60

/*
 * QEMU's q35 MADT with more variety: Local APICs (enabled, online-capable,
 * unusable), x2APICs, one IOAPIC, the five overrides QEMU gives, NMIs of
 * every kind and an entry of a type Keel does not know.
 */
static void madt_build(struct tbuf *t)
{
	madt_header(t, APIC_PHYS, 5);
	madt_lapic(t, 0, 0, 1);
	madt_lapic(t, 1, 1, 1);
	madt_lapic(t, 2, 2, 2); /* online-capable (revision 5) */
	madt_lapic(t, 3, 3, 0); /* neither: unusable */
	madt_x2apic(t, 0x100, 1, 0x100);
	madt_x2apic(t, 0x101, 2, 0x101);
	madt_x2apic(t, 0x102, 0, 0x102); /* unusable */
	madt_ioapic(t, 0, 0xfec00000, 0);
	madt_override(t, 0, 0, 2, 0);
	madt_override(t, 0, 5, 5, 0xd);
	madt_override(t, 0, 9, 9, 0xd);
	madt_override(t, 0, 10, 10, 0xd);
	madt_override(t, 0, 11, 11, 0xd);
	madt_nmi_source(t, 0x5, 23);
	madt_lapic_nmi(t, 0xff, 0, 1);
	madt_x2apic_nmi(t, 0xf, 0x100, 0);
	add8(t, 0x7f); /* unknown type, 6 bytes */
	add8(t, 6);
	add32(t, 0xdeadbeef);
	tb_seal(t);
}

static void hpet_build(struct tbuf *t)
{
	tb_header(t, HPET_PHYS, "HPET", 1);
	add32(t, 0x8086a201); /* Event Timer Block ID */
	add_gas(t, 0, 0, 0, 0, 0xfed00000);
	add8(t, 0);       /* HPET number */
	add16(t, 0x0080); /* minimum clock tick (QEMU: 0; set here to see it read) */
	add8(t, 0);       /* page protection */
	tb_seal(t);
}

static void mcfg_entry(struct tbuf *t, uint64_t base, uint16_t segment, uint8_t start, uint8_t end)
{
	add64(t, base);
	add16(t, segment);
	add8(t, start);
	add8(t, end);
	add32(t, 0);
}

static void mcfg_build(struct tbuf *t)
{
	tb_header(t, MCFG_PHYS, "MCFG", 1);
	add64(t, 0); /* reserved */
	mcfg_entry(t, 0xb0000000, 0, 0, 255);
	mcfg_entry(t, 0xc0000000, 1, 0x10, 0x1f);
	tb_seal(t);
}

static void waet_build(struct tbuf *t)
{
	tb_header(t, WAET_PHYS, "WAET", 1);
	add32(t, 2); /* emulated device flags: ACPI PM timer good */
	tb_seal(t);
}

static struct fixture *fixture_q35(void)
{
	struct fixture *f = calloc(1, sizeof(*f));

	fadt_build(&f->t[T_FACP]);
	madt_build(&f->t[T_APIC]);
	hpet_build(&f->t[T_HPET]);
	mcfg_build(&f->t[T_MCFG]);
	waet_build(&f->t[T_WAET]);
	roots_build(f);
	rsdp_build(f, 2);
	return f;
}

/* ---- fake physical memory ---- */

struct fakemem {
	const struct fixture *f;
	void **copies;
	size_t ncopies, cap;
	size_t requests;
	bool bad_request; /* a map of 0 bytes or more than ACPI_TABLE_MAX_LENGTH */
	uint64_t log_phys[64];
	size_t log_len[64];
};

static const void *fake_map(void *ctx, uint64_t phys, size_t len)
{
	struct fakemem *m = ctx;

	if (m->requests < 64) {
		m->log_phys[m->requests] = phys;
		m->log_len[m->requests] = len;
	}
	m->requests++;
	if (len == 0 || len > ACPI_TABLE_MAX_LENGTH)
		m->bad_request = true;
	for (int i = 0; i < T_COUNT; i++) {
		const struct tbuf *t = &m->f->t[i];

		if (t->mapped == 0 || phys < t->phys || phys - t->phys > t->mapped ||
		    len > t->mapped - (phys - t->phys))
			continue;
		if (m->ncopies == m->cap) {
			m->cap = m->cap ? 2 * m->cap : 32;
			m->copies = realloc(m->copies, m->cap * sizeof(*m->copies));
		}
		void *copy = malloc(len);
		memcpy(copy, t->b + (phys - t->phys), len);
		m->copies[m->ncopies++] = copy;
		return copy;
	}
	return NULL;
}

static void fakemem_free(struct fakemem *m)
{
	for (size_t i = 0; i < m->ncopies; i++)
		free(m->copies[i]);
	free(m->copies);
	m->copies = NULL;
	m->ncopies = m->cap = 0;
}

static const char *last_why;
static bool last_bad_request;

static int parse_logged(const struct fixture *f, struct acpi_info *info, struct fakemem *m)
{
	struct acpi_mem mem = {.map = fake_map, .ctx = m};
	int rc;

	memset(m, 0, sizeof(*m));
	m->f = f;
	rc = acpi_parse(&mem, RSDP_PHYS, info, &last_why);
	fakemem_free(m);
	last_bad_request = m->bad_request;
	return rc;
}

static int parse(const struct fixture *f, struct acpi_info *info)
{
	struct fakemem m;

	return parse_logged(f, info, &m);
}

static bool has_warning(const struct acpi_info *info, uint32_t code, const char *sig, uint64_t phys)
{
	for (uint32_t i = 0; i < info->warning_count; i++) {
		const struct acpi_warning *w = &info->warnings[i];

		if (w->code == code && memcmp(w->signature, sig, 4) == 0 && w->phys == phys)
			return true;
	}
	return false;
}

/* The warnings, for failure messages. */
static const char *warnings_text(const struct acpi_info *info)
{
	static char buf[2048];
	size_t n = 0;

	buf[0] = '\0';
	for (uint32_t i = 0; i < info->warning_count && n < sizeof(buf); i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "[%.4s 0x%llx: %s] ",
				      info->warnings[i].signature,
				      (unsigned long long)info->warnings[i].phys,
				      acpi_warning_text(info->warnings[i].code));
	return buf;
}

#define KT_WARNED(info, code, sig, phys)                                                           \
	do {                                                                                       \
		if (!has_warning(info, code, sig, phys))                                           \
			return ktest_msg("%s:%d: no warning %s for %s at %#llx; got %s", __FILE__, \
					 __LINE__, #code, sig, (unsigned long long)(phys),         \
					 warnings_text(info));                                     \
	} while (0)

#define KT_NO_WARNINGS(info)                                                                       \
	do {                                                                                       \
		if ((info)->warning_count != 0)                                                    \
			return ktest_msg("%s:%d: unexpected warnings %s", __FILE__, __LINE__,      \
					 warnings_text(info));                                     \
	} while (0)

/* ---- the good machine ---- */

static const char *check_q35_madt(const struct acpi_madt *m)
{
	static const struct acpi_cpu cpus[] = {
	    {0, 0, ACPI_CPU_ENABLED},
	    {1, 1, ACPI_CPU_ENABLED},
	    {2, 2, ACPI_CPU_ONLINE_CAPABLE},
	    {0x100, 0x100, ACPI_CPU_ENABLED | ACPI_CPU_X2APIC},
	    {0x101, 0x101, ACPI_CPU_ONLINE_CAPABLE | ACPI_CPU_X2APIC},
	};

	KT_ASSERT(m->present);
	KT_EQ(m->phys, APIC_PHYS);
	KT_EQ(m->lapic_address, 0xfee00000);
	KT_ASSERT(!m->lapic_overridden);
	KT_ASSERT(m->pcat_compat);
	KT_EQ(m->cpu_count, 5);
	KT_EQ(m->cpus_unusable, 2);
	for (size_t i = 0; i < KTEST_COUNT(cpus); i++) {
		KT_EQ(m->cpus[i].apic_id, cpus[i].apic_id);
		KT_EQ(m->cpus[i].uid, cpus[i].uid);
		KT_EQ(m->cpus[i].flags, cpus[i].flags);
	}
	KT_EQ(m->ioapic_count, 1);
	KT_EQ(m->ioapics[0].id, 0);
	KT_EQ(m->ioapics[0].address, 0xfec00000);
	KT_EQ(m->ioapics[0].gsi_base, 0);
	KT_EQ(m->override_count, 5);
	KT_EQ(m->overrides[0].irq, 0);
	KT_EQ(m->overrides[0].gsi, 2);
	KT_EQ(m->overrides[0].polarity, ACPI_POLARITY_CONFORMS);
	KT_EQ(m->overrides[0].trigger, ACPI_TRIGGER_CONFORMS);
	KT_EQ(m->overrides[4].irq, 11);
	KT_EQ(m->overrides[4].gsi, 11);
	KT_EQ(m->overrides[4].polarity, ACPI_POLARITY_HIGH);
	KT_EQ(m->overrides[4].trigger, ACPI_TRIGGER_LEVEL);
	KT_EQ(m->nmi_source_count, 1);
	KT_EQ(m->nmi_sources[0].gsi, 23);
	KT_EQ(m->nmi_sources[0].polarity, ACPI_POLARITY_HIGH);
	KT_EQ(m->nmi_sources[0].trigger, ACPI_TRIGGER_EDGE);
	KT_EQ(m->lapic_nmi_count, 2);
	KT_EQ(m->lapic_nmis[0].uid, ACPI_UID_ALL);
	KT_EQ(m->lapic_nmis[0].lint, 1);
	KT_EQ(m->lapic_nmis[0].polarity, ACPI_POLARITY_CONFORMS);
	KT_EQ(m->lapic_nmis[1].uid, 0x100);
	KT_EQ(m->lapic_nmis[1].lint, 0);
	KT_EQ(m->lapic_nmis[1].polarity, ACPI_POLARITY_LOW);
	KT_EQ(m->lapic_nmis[1].trigger, ACPI_TRIGGER_LEVEL);
	return NULL;
}

static const char *check_q35_fadt(const struct acpi_fadt *f)
{
	KT_ASSERT(f->present);
	KT_EQ(f->phys, FACP_PHYS);
	KT_EQ(f->revision, 3);
	KT_EQ(f->flags, Q35_FADT_FLAGS);
	KT_EQ(f->boot_arch, ACPI_BOOT_8042);
	KT_EQ(f->sci_irq, 9);
	KT_ASSERT(f->pm_timer);
	KT_ASSERT(!f->pm_timer_32bit);
	KT_EQ(f->pm_timer_reg.space, ACPI_SPACE_IO);
	KT_EQ(f->pm_timer_reg.bit_width, 32);
	KT_EQ(f->pm_timer_reg.address, 0x608);
	KT_ASSERT(f->reset);
	KT_EQ(f->reset_reg.space, ACPI_SPACE_IO);
	KT_EQ(f->reset_reg.bit_width, 8);
	KT_EQ(f->reset_reg.address, 0xcf9);
	KT_EQ(f->reset_value, 0x0f);
	KT_EQ(f->dsdt, DSDT_PHYS);
	return NULL;
}

static const char *check_q35(const struct acpi_info *info)
{
	static const uint64_t phys[] = {FACP_PHYS, APIC_PHYS, HPET_PHYS, MCFG_PHYS, WAET_PHYS};
	static const char *const tsigs[] = {"FACP", "APIC", "HPET", "MCFG", "WAET"};
	const char *err;

	KT_EQ(info->table_count, 5);
	for (size_t i = 0; i < KTEST_COUNT(phys); i++) {
		KT_EQ(info->tables[i].phys, phys[i]);
		KT_ASSERT(memcmp(info->tables[i].signature, tsigs[i], 4) == 0);
	}
	KT_EQ(info->tables[0].length, 244);
	KT_EQ(info->tables[0].revision, 3);
	if ((err = check_q35_madt(&info->madt)) || (err = check_q35_fadt(&info->fadt)))
		return err;
	KT_ASSERT(info->hpet.present);
	KT_EQ(info->hpet.phys, HPET_PHYS);
	KT_EQ(info->hpet.address, 0xfed00000);
	KT_EQ(info->hpet.block_id, 0x8086a201);
	KT_EQ(info->hpet.number, 0);
	KT_EQ(info->hpet.min_tick, 0x80);
	KT_ASSERT(info->mcfg.present);
	KT_EQ(info->mcfg.phys, MCFG_PHYS);
	KT_EQ(info->mcfg.count, 2);
	KT_EQ(info->mcfg.segments[0].base, 0xb0000000);
	KT_EQ(info->mcfg.segments[0].segment, 0);
	KT_EQ(info->mcfg.segments[0].bus_start, 0);
	KT_EQ(info->mcfg.segments[0].bus_end, 255);
	KT_EQ(info->mcfg.segments[1].base, 0xc0000000);
	KT_EQ(info->mcfg.segments[1].segment, 1);
	KT_EQ(info->mcfg.segments[1].bus_start, 0x10);
	KT_EQ(info->mcfg.segments[1].bus_end, 0x1f);
	return NULL;
}

static const char *test_q35(void)
{
	struct fixture *f = fixture_q35();
	struct acpi_info info;
	struct fakemem m;
	const char *err;

	KT_EQ(parse_logged(f, &info, &m), ACPI_OK);
	free(f);
	KT_ASSERT(last_why == NULL);
	KT_ASSERT(!last_bad_request);
	KT_NO_WARNINGS(&info);
	KT_EQ(info.warnings_dropped, 0);
	KT_EQ(info.rsdp_revision, 2);
	KT_ASSERT(info.root_is_xsdt);
	KT_EQ(info.root_phys, XSDT_PHYS);
	if ((err = check_q35(&info)))
		return err;
	/* The RSDP is read as 20, then 36 bytes; each table header first, then all of it. */
	KT_EQ(m.log_phys[0], RSDP_PHYS);
	KT_EQ(m.log_len[0], 20);
	KT_EQ(m.log_len[1], 36);
	KT_EQ(m.log_phys[2], XSDT_PHYS);
	KT_EQ(m.log_len[2], 36);
	KT_EQ(m.log_len[3], 36 + 5 * 8);
	KT_EQ(m.log_phys[4], FACP_PHYS);
	KT_EQ(m.log_len[4], 36);
	KT_EQ(m.log_phys[5], FACP_PHYS);
	KT_EQ(m.log_len[5], 244);
	KT_EQ(m.requests, 4 + 2 * 5);
	return NULL;
}

/* A revision 0 RSDP (only 20 bytes mapped) leads to the RSDT and the same tables. */
static const char *test_rsdt(void)
{
	struct fixture *f = fixture_q35();
	struct acpi_info info;
	const char *err;

	rsdp_build(f, 0);
	KT_EQ(parse(f, &info), ACPI_OK);
	free(f);
	KT_NO_WARNINGS(&info);
	KT_EQ(info.rsdp_revision, 0);
	KT_ASSERT(!info.root_is_xsdt);
	KT_EQ(info.root_phys, RSDT_PHYS);
	if ((err = check_q35(&info)))
		return err;
	return NULL;
}

/* ---- corruptions ---- */

/* Whether the parser's part for table slot i says present. */
static bool slot_present(const struct acpi_info *info, int i)
{
	switch (i) {
	case T_FACP: return info->fadt.present;
	case T_APIC: return info->madt.present;
	case T_HPET: return info->hpet.present;
	case T_MCFG: return info->mcfg.present;
	default: return false;
	}
}

/*
 * After table slot `bad` of f was broken: the parse still succeeds with one
 * warning, `code` for that table (whose signature now reads `sig`), and every
 * other table is there.
 */
static const char *check_only_missing(const struct acpi_info *info, const struct fixture *f,
				      int bad, uint32_t code, const char *sig)
{
	KT_WARNED(info, code, sig, f->t[bad].phys);
	KT_EQ(info->warning_count, 1);
	KT_EQ(info->table_count, 4);
	for (int i = T_FACP; i <= T_MCFG; i++)
		if (slot_present(info, i) != (i != bad))
			return ktest_msg("table slot %d present=%d after breaking slot %d", i,
					 slot_present(info, i), bad);
	return NULL;
}

/* Ways to break one table; each gives the warning in `code`. */
enum breakage {
	BR_CHECKSUM,
	BR_PAST_MAP,
	BR_HEADER_CUT,
	BR_ABSENT,
	BR_LEN0,
	BR_LEN35,
	BR_LEN_MAX,
	BR_LEN_HUGE,
	BR_SIGNATURE,
	BR_COUNT
};

static const uint32_t breakage_code[BR_COUNT] = {
    ACPI_WARN_CHECKSUM, ACPI_WARN_TRUNCATED, ACPI_WARN_UNMAPPED,
    ACPI_WARN_UNMAPPED, ACPI_WARN_LENGTH,    ACPI_WARN_LENGTH,
    ACPI_WARN_LENGTH,   ACPI_WARN_LENGTH,    ACPI_WARN_SIGNATURE,
};

/*
 * Break t as `how` says. The signature its warning carries: "????" when the
 * header cannot be read, else t's own with unprintable bytes shown as '?'.
 */
static void tb_break(struct tbuf *t, enum breakage how, char sig[5])
{
	memcpy(sig, t->b, 4);
	sig[4] = '\0';
	switch (how) {
	case BR_CHECKSUM: t->b[20] ^= 0x55; break;
	case BR_PAST_MAP: t->mapped = t->len - 1; break;
	case BR_HEADER_CUT: t->mapped = 35; break;
	case BR_ABSENT: t->mapped = 0; break;
	case BR_LEN0: put32(t->b + 4, 0); break;
	case BR_LEN35: put32(t->b + 4, 35); break;
	case BR_LEN_MAX: put32(t->b + 4, 0xffffffff); break;
	case BR_LEN_HUGE: put32(t->b + 4, ACPI_TABLE_MAX_LENGTH + 1); break;
	case BR_SIGNATURE: t->b[1] = 0x01; break;
	case BR_COUNT: break;
	}
	if (how == BR_HEADER_CUT || how == BR_ABSENT)
		memcpy(sig, "????", 4);
	if (how == BR_SIGNATURE)
		sig[1] = '?';
	/* Only the checksum case is about the checksum. */
	if (how != BR_CHECKSUM)
		tb_resum(t);
}

static const char *test_broken_tables(void)
{
	for (int i = T_FACP; i <= T_WAET; i++) {
		for (int how = 0; how < BR_COUNT; how++) {
			struct fixture *f = fixture_q35();
			struct acpi_info info;
			char sig[5];
			const char *err;

			tb_break(&f->t[i], how, sig);
			KT_EQ(parse(f, &info), ACPI_OK);
			KT_ASSERT(!last_bad_request);
			err = check_only_missing(&info, f, i, breakage_code[how], sig);
			free(f);
			if (err)
				return ktest_msg("slot %d breakage %d: %s", i, how, err);
		}
	}
	return NULL;
}

/* A broken XSDT: the RSDT serves instead, with both warnings. */
static const char *test_broken_xsdt(void)
{
	for (int how = 0; how < BR_COUNT; how++) {
		struct fixture *f = fixture_q35();
		struct acpi_info info;
		char sig[5];
		const char *err;

		tb_break(&f->t[T_XSDT], how, sig);
		KT_EQ(parse(f, &info), ACPI_OK);
		free(f);
		KT_WARNED(&info, breakage_code[how], sig, XSDT_PHYS);
		KT_WARNED(&info, ACPI_WARN_XSDT_FALLBACK, "XSDT", XSDT_PHYS);
		KT_EQ(info.warning_count, 2);
		KT_ASSERT(!info.root_is_xsdt);
		KT_EQ(info.root_phys, RSDT_PHYS);
		if ((err = check_q35(&info)))
			return ktest_msg("breakage %d: %s", how, err);
	}
	return NULL;
}

static const char *test_broken_roots(void)
{
	struct fixture *f = fixture_q35();
	struct acpi_info info;

	/* An XSDT with a valid checksum but another signature. */
	memcpy(f->t[T_XSDT].b, "XSDX", 4);
	tb_resum(&f->t[T_XSDT]);
	KT_EQ(parse(f, &info), ACPI_OK);
	KT_WARNED(&info, ACPI_WARN_SIGNATURE, "XSDX", XSDT_PHYS);
	KT_ASSERT(!info.root_is_xsdt);
	KT_EQ(info.table_count, 5);

	/* Both roots broken. */
	f->t[T_RSDT].b[20] ^= 1;
	KT_EQ(parse(f, &info), ACPI_EROOT);
	KT_ASSERT(last_why == NULL);
	KT_WARNED(&info, ACPI_WARN_CHECKSUM, "RSDT", RSDT_PHYS);
	KT_EQ(info.table_count, 0);
	KT_ASSERT(!info.madt.present);

	/* A revision 0 RSDP and a broken RSDT: nothing to fall back to. */
	rsdp_build(f, 0);
	KT_EQ(parse(f, &info), ACPI_EROOT);
	KT_WARNED(&info, ACPI_WARN_CHECKSUM, "RSDT", RSDT_PHYS);
	KT_EQ(info.warning_count, 1);

	/* A revision 2 RSDP without an RSDT and a broken XSDT. */
	rsdp_build(f, 2);
	put32(f->t[T_RSDP].b + 16, 0);
	ktest_fix_sum8(f->t[T_RSDP].b, 20, 8);
	ktest_fix_sum8(f->t[T_RSDP].b, 36, 32);
	KT_EQ(parse(f, &info), ACPI_EROOT);
	KT_EQ(info.warning_count, 1); /* the XSDT's signature; no fallback claimed */

	/* An RSDT whose signature says XSDT is not taken as the RSDT. */
	free(f);
	f = fixture_q35();
	rsdp_build(f, 0);
	memcpy(f->t[T_RSDT].b, "XSDT", 4);
	tb_resum(&f->t[T_RSDT]);
	KT_EQ(parse(f, &info), ACPI_EROOT);
	free(f);
	KT_WARNED(&info, ACPI_WARN_SIGNATURE, "XSDT", RSDT_PHYS);
	return NULL;
}

static const char *test_broken_rsdp(void)
{
	struct fixture *f = fixture_q35();
	struct acpi_info info;

	f->t[T_RSDP].mapped = 0;
	KT_EQ(parse(f, &info), ACPI_ERSDP);
	KT_ASSERT(last_why != NULL);
	KT_EQ(info.warning_count, 0);
	KT_EQ(info.table_count, 0);

	/* A revision 2 RSDP with only its first 20 bytes readable. */
	f->t[T_RSDP].mapped = 20;
	KT_EQ(parse(f, &info), ACPI_ERSDP);
	KT_ASSERT(last_why != NULL);

	rsdp_build(f, 2);
	f->t[T_RSDP].b[3] ^= 1;
	KT_EQ(parse(f, &info), ACPI_ERSDP);

	/* Absurd RSDP lengths are never asked for. */
	static const uint32_t lengths[] = {0, 35, 37, 4097, 0xffffffff};
	for (size_t i = 0; i < KTEST_COUNT(lengths); i++) {
		rsdp_build(f, 2);
		put32(f->t[T_RSDP].b + 20, lengths[i]);
		ktest_fix_sum8(f->t[T_RSDP].b, 36, 32);
		KT_EQ(parse(f, &info), ACPI_ERSDP);
		KT_ASSERT(!last_bad_request);
	}
	/* A longer RSDP than 36 bytes, all of it readable, is fine. */
	rsdp_build(f, 2);
	put32(f->t[T_RSDP].b + 20, 40);
	f->t[T_RSDP].len = f->t[T_RSDP].mapped = 40;
	ktest_fix_sum8(f->t[T_RSDP].b, 40, 32);
	KT_EQ(parse(f, &info), ACPI_OK);
	free(f);
	KT_NO_WARNINGS(&info);
	return NULL;
}

/* XSDT entries at nothing, across the end of a table, wrapping, or 0. */
static const char *test_bad_entries_in_root(void)
{
	struct fixture *f = fixture_q35();
	struct tbuf *x = &f->t[T_XSDT];
	struct acpi_info info;
	uint64_t hpet_cut = HPET_PHYS + f->t[T_HPET].len - 10;

	tb_header(x, XSDT_PHYS, "XSDT", 1);
	add64(x, 0xdead0000);
	add64(x, FACP_PHYS);
	add64(x, 0);
	add64(x, 0xfffffffffffffff0ull);
	add64(x, hpet_cut);
	add64(x, APIC_PHYS);
	tb_seal(x);
	x->len += 4; /* half an entry more */
	tb_seal(x);
	KT_EQ(parse(f, &info), ACPI_OK);
	free(f);
	KT_ASSERT(info.root_is_xsdt);
	KT_WARNED(&info, ACPI_WARN_UNMAPPED, "????", 0xdead0000);
	KT_WARNED(&info, ACPI_WARN_NULL_ENTRY, "XSDT", XSDT_PHYS + 36 + 2 * 8);
	KT_WARNED(&info, ACPI_WARN_UNMAPPED, "????", 0xfffffffffffffff0ull);
	KT_WARNED(&info, ACPI_WARN_UNMAPPED, "????", hpet_cut);
	KT_WARNED(&info, ACPI_WARN_RAGGED, "XSDT", XSDT_PHYS);
	KT_EQ(info.warning_count, 5);
	KT_EQ(info.table_count, 2);
	KT_ASSERT(info.fadt.present && info.madt.present && !info.hpet.present);
	return NULL;
}

static const char *test_too_many_tables(void)
{
	struct fixture *f = fixture_q35();
	struct tbuf *x = &f->t[T_XSDT];
	struct acpi_info info;

	tb_header(x, XSDT_PHYS, "XSDT", 1);
	for (int i = 0; i < 300; i++)
		add64(x, i == 299 ? APIC_PHYS : WAET_PHYS);
	tb_seal(x);
	KT_EQ(parse(f, &info), ACPI_OK);
	free(f);
	KT_WARNED(&info, ACPI_WARN_TOO_MANY_TABLES, "XSDT", XSDT_PHYS);
	KT_EQ(info.warning_count, 1);
	KT_EQ(info.table_count, ACPI_MAX_TABLES);
	KT_ASSERT(!info.madt.present); /* entry 299 was never looked at */
	return NULL;
}

/* A second table of a parsed signature is refused; a broken first one lets the second in. */
static const char *test_duplicates(void)
{
	for (int i = T_FACP; i <= T_MCFG; i++) {
		for (int broken_first = 0; broken_first < 2; broken_first++) {
			struct fixture *f = fixture_q35();
			struct acpi_info info;
			uint64_t first = f->t[i].phys, want;

			f->t[T_EXTRA] = f->t[i];
			f->t[T_EXTRA].phys = EXTRA_PHYS;
			f->t[T_EXTRA].b[20] ^= 0x20; /* another OEM table ID */
			tb_seal(&f->t[T_EXTRA]);
			roots_build(f);
			if (broken_first)
				f->t[i].b[20] ^= 0x55;
			KT_EQ(parse(f, &info), ACPI_OK);
			free(f);
			want = broken_first ? EXTRA_PHYS : first;
			switch (i) {
			case T_FACP: KT_EQ(info.fadt.phys, want); break;
			case T_APIC: KT_EQ(info.madt.phys, want); break;
			case T_HPET: KT_EQ(info.hpet.phys, want); break;
			default: KT_EQ(info.mcfg.phys, want); break;
			}
			KT_EQ(info.warning_count, 1);
			if (broken_first)
				KT_WARNED(&info, ACPI_WARN_CHECKSUM, sigs[i], first);
			else
				KT_WARNED(&info, ACPI_WARN_DUPLICATE, sigs[i], EXTRA_PHYS);
		}
	}
	return NULL;
}

/* ---- MADT ---- */

/* Parse a fixture whose MADT the caller built in f->t[T_APIC] (sealed here). */
static int parse_madt(struct fixture *f, struct acpi_info *info)
{
	tb_seal(&f->t[T_APIC]);
	return parse(f, info);
}

static const char *test_madt_entry_lengths(void)
{
	struct fixture *f = fixture_q35();
	struct tbuf *t = &f->t[T_APIC];
	struct acpi_info info;

	/* An entry of length 0, then of length 1: the walk stops there. */
	for (uint8_t len = 0; len < 2; len++) {
		madt_header(t, APIC_PHYS, 1);
		madt_lapic(t, 0, 0, 1);
		madt_lapic(t, 1, 1, 1);
		add8(t, 0);
		add8(t, len);
		madt_ioapic(t, 0, 0xfec00000, 0);
		KT_EQ(parse_madt(f, &info), ACPI_OK);
		KT_WARNED(&info, ACPI_WARN_ENTRY_LENGTH, "APIC", APIC_PHYS + MADT_E_THIRD);
		KT_EQ(info.warning_count, 1);
		KT_ASSERT(info.madt.present);
		KT_EQ(info.madt.cpu_count, 2);
		KT_EQ(info.madt.ioapic_count, 0);
	}

	/* An IOAPIC entry of 8 bytes, under its type's 12. */
	madt_header(t, APIC_PHYS, 1);
	madt_lapic(t, 0, 0, 1);
	madt_lapic(t, 1, 1, 1);
	madt_ioapic(t, 0, 0xfec00000, 0);
	t->b[MADT_E_THIRD + 1] = 8;
	KT_EQ(parse_madt(f, &info), ACPI_OK);
	KT_WARNED(&info, ACPI_WARN_ENTRY_LENGTH, "APIC", APIC_PHYS + MADT_E_THIRD);
	KT_EQ(info.madt.ioapic_count, 0);

	/* An x2APIC entry cut by the end of the table. */
	madt_header(t, APIC_PHYS, 1);
	madt_lapic(t, 0, 0, 1);
	madt_lapic(t, 1, 1, 1);
	madt_x2apic(t, 0x100, 1, 0x100);
	t->len -= 8;
	KT_EQ(parse_madt(f, &info), ACPI_OK);
	KT_WARNED(&info, ACPI_WARN_ENTRY_OVERRUN, "APIC", APIC_PHYS + MADT_E_THIRD);
	KT_EQ(info.warning_count, 1);
	KT_EQ(info.madt.cpu_count, 2);

	/* An entry that claims more than is left, though at least its minimum. */
	madt_header(t, APIC_PHYS, 1);
	madt_lapic(t, 0, 0, 1);
	madt_lapic(t, 1, 1, 1);
	madt_lapic(t, 2, 2, 1);
	t->b[MADT_E_THIRD + 1] = 200;
	KT_EQ(parse_madt(f, &info), ACPI_OK);
	KT_WARNED(&info, ACPI_WARN_ENTRY_OVERRUN, "APIC", APIC_PHYS + MADT_E_THIRD);
	KT_EQ(info.madt.cpu_count, 2);

	/* One byte left after the last entry. */
	madt_header(t, APIC_PHYS, 1);
	madt_lapic(t, 0, 0, 1);
	madt_lapic(t, 1, 1, 1);
	add8(t, 0);
	KT_EQ(parse_madt(f, &info), ACPI_OK);
	KT_WARNED(&info, ACPI_WARN_ENTRY_OVERRUN, "APIC", APIC_PHYS + MADT_E_THIRD);
	KT_EQ(info.madt.cpu_count, 2);

	/* Longer entries than ACPI 6.5's are read by their known fields. */
	madt_header(t, APIC_PHYS, 1);
	madt_lapic(t, 0, 7, 1);
	t->b[t->len - 8 + 1] = 12; /* its length byte: 4 more bytes follow */
	add32(t, 0);
	madt_ioapic(t, 2, 0xfec01000, 24);
	KT_EQ(parse_madt(f, &info), ACPI_OK);
	KT_NO_WARNINGS(&info);
	KT_EQ(info.madt.cpu_count, 1);
	KT_EQ(info.madt.cpus[0].apic_id, 7);
	KT_EQ(info.madt.ioapic_count, 1);
	KT_EQ(info.madt.ioapics[0].gsi_base, 24);
	free(f);
	return NULL;
}

static const char *test_madt_truncated(void)
{
	struct fixture *f = fixture_q35();
	struct tbuf *t = &f->t[T_APIC];
	struct acpi_info info;

	/* Shorter than the fixed fields: skipped. */
	for (size_t len = 36; len < 44; len += 7) {
		madt_header(t, APIC_PHYS, 1);
		t->len = len;
		KT_EQ(parse_madt(f, &info), ACPI_OK);
		KT_WARNED(&info, ACPI_WARN_TOO_SHORT, "APIC", APIC_PHYS);
		KT_ASSERT(!info.madt.present);
	}
	/* No entries at all: present, empty, silent. */
	madt_header(t, APIC_PHYS, 1);
	KT_EQ(parse_madt(f, &info), ACPI_OK);
	free(f);
	KT_NO_WARNINGS(&info);
	KT_ASSERT(info.madt.present);
	KT_EQ(info.madt.cpu_count, 0);
	return NULL;
}

static const char *test_madt_full_arrays(void)
{
	struct fixture *f = fixture_q35();
	struct tbuf *t = &f->t[T_APIC];
	struct acpi_info info;
	uint64_t cpu257, ioapic17, override33, nmi17, lnmi17;

	madt_header(t, APIC_PHYS, 1);
	for (uint32_t i = 0; i < 300; i++) {
		if (i == ACPI_MAX_CPUS)
			cpu257 = APIC_PHYS + t->len;
		madt_x2apic(t, i, 1, i);
	}
	for (uint32_t i = 0; i < 20; i++) {
		if (i == ACPI_MAX_IOAPICS)
			ioapic17 = APIC_PHYS + t->len;
		madt_ioapic(t, (uint8_t)i, 0xfec00000 + i * 0x1000, i * 24);
	}
	for (uint32_t i = 0; i < 40; i++) {
		if (i == ACPI_MAX_OVERRIDES)
			override33 = APIC_PHYS + t->len;
		madt_override(t, 0, (uint8_t)(i % 16), i, 0);
	}
	for (uint32_t i = 0; i < 20; i++) {
		if (i == ACPI_MAX_NMI_SOURCES)
			nmi17 = APIC_PHYS + t->len;
		madt_nmi_source(t, 0, i);
	}
	for (uint32_t i = 0; i < 20; i++) {
		if (i == ACPI_MAX_LAPIC_NMIS)
			lnmi17 = APIC_PHYS + t->len;
		madt_lapic_nmi(t, (uint8_t)i, 0, 1);
	}
	KT_EQ(parse_madt(f, &info), ACPI_OK);
	free(f);
	KT_EQ(info.madt.cpu_count, ACPI_MAX_CPUS);
	KT_EQ(info.madt.cpus[ACPI_MAX_CPUS - 1].apic_id, ACPI_MAX_CPUS - 1);
	KT_EQ(info.madt.ioapic_count, ACPI_MAX_IOAPICS);
	KT_EQ(info.madt.override_count, ACPI_MAX_OVERRIDES);
	KT_EQ(info.madt.nmi_source_count, ACPI_MAX_NMI_SOURCES);
	KT_EQ(info.madt.lapic_nmi_count, ACPI_MAX_LAPIC_NMIS);
	/* One warning per full array, at the first entry that did not fit. */
	KT_EQ(info.warning_count, 5);
	KT_WARNED(&info, ACPI_WARN_TOO_MANY_CPUS, "APIC", cpu257);
	KT_WARNED(&info, ACPI_WARN_TOO_MANY_IOAPICS, "APIC", ioapic17);
	KT_WARNED(&info, ACPI_WARN_TOO_MANY_OVERRIDES, "APIC", override33);
	KT_WARNED(&info, ACPI_WARN_TOO_MANY_NMI_SOURCES, "APIC", nmi17);
	KT_WARNED(&info, ACPI_WARN_TOO_MANY_LAPIC_NMIS, "APIC", lnmi17);
	return NULL;
}

static const char *test_madt_bad_values(void)
{
	struct fixture *f = fixture_q35();
	struct tbuf *t = &f->t[T_APIC];
	struct acpi_info info;
	uint64_t at[16];
	int n = 0;

	/* HERE() notes where the next entry starts: the address its warning names. */
#define HERE() (at[n++] = APIC_PHYS + t->len)
	madt_header(t, APIC_PHYS, 1);
	madt_lapic(t, 0, 1, 1);
	HERE(), madt_lapic(t, 1, 0xff, 1);        /* xAPIC broadcast ID */
	HERE(), madt_x2apic(t, 0xffffffff, 1, 9); /* x2APIC broadcast ID */
	madt_x2apic(t, 0xff, 1, 10);              /* fine as an x2APIC ID */
	HERE(), madt_ioapic(t, 0, 0, 0);          /* address 0 */
	HERE(), madt_override(t, 1, 4, 4, 0);     /* bus 1 */
	HERE(), madt_override(t, 0, 16, 16, 0);   /* IRQ 16 */
	HERE(), madt_override(t, 0, 4, 4, 0x2);   /* reserved polarity */
	HERE(), madt_override(t, 0, 4, 4, 0x8);   /* reserved trigger */
	HERE(), madt_nmi_source(t, 0xa, 3);       /* both reserved */
	HERE(), madt_lapic_nmi(t, 0, 0, 2);       /* LINT2 */
	HERE(), madt_x2apic_nmi(t, 0, 5, 7);      /* LINT7 */
	HERE(), madt_lapic_override(t, 0);        /* address 0 */
	madt_lapic_override(t, 0xfee10000);
	HERE(), madt_lapic_override(t, 0xfee20000); /* a second override */
#undef HERE
	KT_EQ(parse_madt(f, &info), ACPI_OK);
	free(f);
	KT_EQ(info.warning_count, (uint32_t)n);
	for (int i = 0; i < n - 1; i++)
		KT_WARNED(&info, ACPI_WARN_BAD_ENTRY, "APIC", at[i]);
	KT_WARNED(&info, ACPI_WARN_DUPLICATE, "APIC", at[n - 1]);
	KT_EQ(info.madt.cpu_count, 2);
	KT_EQ(info.madt.cpus[1].apic_id, 0xff);
	KT_EQ(info.madt.ioapic_count, 0);
	KT_EQ(info.madt.override_count, 0);
	KT_EQ(info.madt.nmi_source_count, 0);
	KT_EQ(info.madt.lapic_nmi_count, 0);
	KT_ASSERT(info.madt.lapic_overridden);
	KT_EQ(info.madt.lapic_address, 0xfee10000);
	KT_ASSERT(info.madt.pcat_compat);
	return NULL;
}

static const char *test_madt_cpus(void)
{
	struct fixture *f = fixture_q35();
	struct tbuf *t = &f->t[T_APIC];
	struct acpi_info info;

	/* One APIC ID twice, the second time from an x2APIC entry: one CPU. */
	madt_header(t, APIC_PHYS, 5);
	madt_lapic(t, 0, 1, 1);
	madt_lapic(t, 1, 1, 1);
	madt_x2apic(t, 1, 1, 2);
	KT_EQ(parse_madt(f, &info), ACPI_OK);
	KT_EQ(info.madt.cpu_count, 1);
	KT_EQ(info.warning_count, 2);
	KT_WARNED(&info, ACPI_WARN_DUPLICATE_APIC_ID, "APIC", APIC_PHYS + MADT_E_SECOND);
	KT_WARNED(&info, ACPI_WARN_DUPLICATE_APIC_ID, "APIC", APIC_PHYS + MADT_E_THIRD);

	/* Online-capable means nothing before MADT revision 5. */
	madt_header(t, APIC_PHYS, 4);
	madt_lapic(t, 0, 0, 1);
	madt_lapic(t, 1, 1, 2);
	madt_x2apic(t, 0x200, 2, 2);
	madt_x2apic(t, 0x201, 3, 3); /* enabled; the online-capable bit is not kept */
	KT_EQ(parse_madt(f, &info), ACPI_OK);
	free(f);
	KT_NO_WARNINGS(&info);
	KT_EQ(info.madt.cpu_count, 2);
	KT_EQ(info.madt.cpus_unusable, 2);
	KT_EQ(info.madt.cpus[1].apic_id, 0x201);
	KT_EQ(info.madt.cpus[1].flags, ACPI_CPU_ENABLED | ACPI_CPU_X2APIC);
	return NULL;
}

/* More warnings than the list holds are counted. */
static const char *test_warning_overflow(void)
{
	struct fixture *f = fixture_q35();
	struct tbuf *t = &f->t[T_APIC];
	struct acpi_info info;

	madt_header(t, APIC_PHYS, 1);
	for (int i = 0; i < ACPI_MAX_WARNINGS + 4; i++)
		madt_ioapic(t, 0, 0, 0);
	KT_EQ(parse_madt(f, &info), ACPI_OK);
	free(f);
	KT_EQ(info.warning_count, ACPI_MAX_WARNINGS);
	KT_EQ(info.warnings_dropped, 4);
	return NULL;
}

/* ---- FADT, HPET, MCFG ---- */

/* Parse with the q35 FADT changed by the caller, resealed at `len` bytes. */
static int parse_fadt(struct fixture *f, size_t len, struct acpi_info *info)
{
	f->t[T_FACP].len = len;
	tb_seal(&f->t[T_FACP]);
	return parse(f, info);
}

static const char *test_fadt_acpi1(void)
{
	struct fixture *f = fixture_q35();
	uint8_t *b = f->t[T_FACP].b;
	struct acpi_info info;

	/*
	 * The 116-byte ACPI 1.0 FADT (QEMU's pc machine has one): PM_TMR_BLK,
	 * 24-bit timer, 32-bit DSDT only.
	 */
	b[8] = 1;
	put32(b + 112, 0x00a5);
	KT_EQ(parse_fadt(f, 116, &info), ACPI_OK);
	KT_NO_WARNINGS(&info);
	KT_ASSERT(info.fadt.present);
	KT_EQ(info.fadt.revision, 1);
	KT_EQ(info.fadt.boot_arch, 0); /* reserved before revision 3 */
	KT_ASSERT(info.fadt.pm_timer);
	KT_ASSERT(!info.fadt.pm_timer_32bit);
	KT_EQ(info.fadt.pm_timer_reg.space, ACPI_SPACE_IO);
	KT_EQ(info.fadt.pm_timer_reg.address, 0x608);
	KT_EQ(info.fadt.pm_timer_reg.bit_width, 32);
	KT_ASSERT(!info.fadt.reset);
	KT_EQ(info.fadt.dsdt, DSDT_PHYS);

	/* RESET_REG_SUP in a FADT too short to hold the register. */
	put32(b + 112, 0x04a5);
	KT_EQ(parse_fadt(f, 116, &info), ACPI_OK);
	KT_WARNED(&info, ACPI_WARN_RESET_REG, "FACP", FACP_PHYS);
	KT_ASSERT(info.fadt.present && !info.fadt.reset);

	/* Shorter than ACPI 1.0's. */
	KT_EQ(parse_fadt(f, 115, &info), ACPI_OK);
	free(f);
	KT_WARNED(&info, ACPI_WARN_TOO_SHORT, "FACP", FACP_PHYS);
	KT_ASSERT(!info.fadt.present);
	return NULL;
}

static const char *test_fadt_pm_timer(void)
{
	struct fixture *f = fixture_q35();
	uint8_t *b = f->t[T_FACP].b;
	struct acpi_info info;

	/* Hardware-reduced: no PM timer whatever the fields say. */
	put32(b + 112, Q35_FADT_FLAGS | ACPI_FADT_HW_REDUCED_ACPI);
	KT_EQ(parse_fadt(f, 244, &info), ACPI_OK);
	KT_NO_WARNINGS(&info);
	KT_ASSERT(!info.fadt.pm_timer);
	put32(b + 112, Q35_FADT_FLAGS | ACPI_FADT_TMR_VAL_EXT); /* a 32-bit timer from here on */

	/* X_PM_TMR_BLK in memory. */
	b[208] = ACPI_SPACE_MEMORY;
	put64(b + 212, 0xfe000008);
	KT_EQ(parse_fadt(f, 244, &info), ACPI_OK);
	KT_NO_WARNINGS(&info);
	KT_EQ(info.fadt.pm_timer_reg.space, ACPI_SPACE_MEMORY);
	KT_EQ(info.fadt.pm_timer_reg.address, 0xfe000008);

	/* X_PM_TMR_BLK in a space a timer cannot be: the legacy port instead. */
	b[208] = ACPI_SPACE_PCI_CONFIG;
	KT_EQ(parse_fadt(f, 244, &info), ACPI_OK);
	KT_WARNED(&info, ACPI_WARN_PM_TIMER, "FACP", FACP_PHYS);
	KT_ASSERT(info.fadt.pm_timer);
	KT_EQ(info.fadt.pm_timer_reg.space, ACPI_SPACE_IO);
	KT_EQ(info.fadt.pm_timer_reg.address, 0x608);

	/* X_PM_TMR_BLK an I/O address past the 16-bit port space. */
	b[208] = ACPI_SPACE_IO;
	put64(b + 212, 0xfffd);
	KT_EQ(parse_fadt(f, 244, &info), ACPI_OK);
	KT_WARNED(&info, ACPI_WARN_PM_TIMER, "FACP", FACP_PHYS);
	KT_EQ(info.fadt.pm_timer_reg.address, 0x608);

	/* X_PM_TMR_BLK 0: PM_TMR_BLK, which needs PM_TMR_LEN 4 and a 16-bit port. */
	put64(b + 212, 0);
	KT_EQ(parse_fadt(f, 244, &info), ACPI_OK);
	KT_NO_WARNINGS(&info);
	KT_ASSERT(info.fadt.pm_timer && info.fadt.pm_timer_32bit);
	KT_EQ(info.fadt.pm_timer_reg.address, 0x608);
	b[91] = 3;
	KT_EQ(parse_fadt(f, 244, &info), ACPI_OK);
	KT_WARNED(&info, ACPI_WARN_PM_TIMER, "FACP", FACP_PHYS);
	KT_ASSERT(!info.fadt.pm_timer && !info.fadt.pm_timer_32bit);
	KT_EQ(info.fadt.pm_timer_reg.address, 0);
	b[91] = 4;
	put32(b + 76, 0xfffe);
	KT_EQ(parse_fadt(f, 244, &info), ACPI_OK);
	KT_WARNED(&info, ACPI_WARN_PM_TIMER, "FACP", FACP_PHYS);
	KT_ASSERT(!info.fadt.pm_timer);

	/* No PM timer at all: silent. */
	put32(b + 76, 0);
	KT_EQ(parse_fadt(f, 244, &info), ACPI_OK);
	free(f);
	KT_NO_WARNINGS(&info);
	KT_ASSERT(!info.fadt.pm_timer);
	return NULL;
}

static const char *test_fadt_reset_and_dsdt(void)
{
	static const struct {
		uint8_t space, width, offset;
		uint64_t address;
		bool ok;
	} regs[] = {
	    {ACPI_SPACE_IO, 8, 0, 0xcf9, true},
	    {ACPI_SPACE_MEMORY, 8, 0, 0xfed00040, true},
	    {ACPI_SPACE_PCI_CONFIG, 8, 0, 0x1f00000044ull, true},  /* 00:1f.0 offset 0x44 */
	    {ACPI_SPACE_PCI_CONFIG, 8, 0, 0x2000000044ull, false}, /* device 32 */
	    {ACPI_SPACE_PCI_CONFIG, 8, 0, 0x0000080044ull, false}, /* function 8 */
	    {ACPI_SPACE_PCI_CONFIG, 8, 0, 0x0000000100ull, false}, /* offset 256 */
	    {ACPI_SPACE_IO, 16, 0, 0xcf9, false},
	    {ACPI_SPACE_IO, 8, 1, 0xcf9, false},
	    {ACPI_SPACE_IO, 8, 0, 0x10000, false},
	    {ACPI_SPACE_IO, 8, 0, 0, false},
	    {3, 8, 0, 0x66, false}, /* embedded controller */
	};
	struct fixture *f = fixture_q35();
	uint8_t *b = f->t[T_FACP].b;
	struct acpi_info info;

	for (size_t i = 0; i < KTEST_COUNT(regs); i++) {
		b[116] = regs[i].space;
		b[117] = regs[i].width;
		b[118] = regs[i].offset;
		put64(b + 120, regs[i].address);
		KT_EQ(parse_fadt(f, 244, &info), ACPI_OK);
		if (info.fadt.reset != regs[i].ok)
			return ktest_msg("reset register %zu: reset=%d", i, info.fadt.reset);
		if (regs[i].ok) {
			KT_NO_WARNINGS(&info);
			KT_EQ(info.fadt.reset_reg.space, regs[i].space);
			KT_EQ(info.fadt.reset_reg.address, regs[i].address);
			KT_EQ(info.fadt.reset_value, 0x0f);
		} else {
			KT_WARNED(&info, ACPI_WARN_RESET_REG, "FACP", FACP_PHYS);
		}
	}
	/* Without RESET_REG_SUP the register is not looked at. */
	put32(b + 112, Q35_FADT_FLAGS & ~ACPI_FADT_RESET_REG_SUP);
	KT_EQ(parse_fadt(f, 244, &info), ACPI_OK);
	KT_NO_WARNINGS(&info);
	KT_ASSERT(!info.fadt.reset);

	/* X_DSDT wins when set; DSDT when it is 0 or past the table's end. */
	put32(b + 40, 0x1234000);
	put64(b + 140, 0x123456789000ull);
	KT_EQ(parse_fadt(f, 244, &info), ACPI_OK);
	KT_EQ(info.fadt.dsdt, 0x123456789000ull);
	KT_EQ(parse_fadt(f, 147, &info), ACPI_OK);
	KT_EQ(info.fadt.dsdt, 0x1234000);
	put64(b + 140, 0);
	KT_EQ(parse_fadt(f, 244, &info), ACPI_OK);
	free(f);
	KT_EQ(info.fadt.dsdt, 0x1234000);
	return NULL;
}

static const char *test_hpet(void)
{
	static const struct {
		uint8_t space;
		uint64_t address;
	} bad[] = {
	    {ACPI_SPACE_IO, 0xfed00000}, {ACPI_SPACE_MEMORY, 0}, {ACPI_SPACE_MEMORY, 0xfed00004}};
	struct acpi_info info;

	for (size_t i = 0; i < KTEST_COUNT(bad); i++) {
		struct fixture *f = fixture_q35();
		uint8_t *b = f->t[T_HPET].b;

		b[40] = bad[i].space;
		put64(b + 44, bad[i].address);
		tb_seal(&f->t[T_HPET]);
		KT_EQ(parse(f, &info), ACPI_OK);
		free(f);
		KT_WARNED(&info, ACPI_WARN_HPET_ADDRESS, "HPET", HPET_PHYS);
		KT_EQ(info.warning_count, 1);
		KT_ASSERT(!info.hpet.present);
		KT_EQ(info.hpet.address, 0);
	}
	return NULL;
}

static const char *test_mcfg(void)
{
	struct fixture *f = fixture_q35();
	struct tbuf *t = &f->t[T_MCFG];
	struct acpi_info info;

	/* Broken entries are skipped one by one. */
	tb_header(t, MCFG_PHYS, "MCFG", 1);
	add64(t, 0);
	mcfg_entry(t, 0xb0000000, 0, 9, 8);              /* start after end */
	mcfg_entry(t, 0, 1, 0, 255);                     /* no base */
	mcfg_entry(t, 0xb0080000, 2, 0, 255);            /* not bus-aligned */
	mcfg_entry(t, 0xfffffffff0100000ull, 3, 0, 255); /* wraps */
	mcfg_entry(t, 0xfffffffff0000000ull, 4, 0, 255); /* ends exactly at 2^64 */
	tb_seal(t);
	t->len += 8; /* half an entry */
	tb_seal(t);
	KT_EQ(parse(f, &info), ACPI_OK);
	KT_ASSERT(info.mcfg.present);
	KT_EQ(info.mcfg.count, 1);
	KT_EQ(info.mcfg.segments[0].segment, 4);
	KT_EQ(info.warning_count, 5);
	for (int i = 0; i < 4; i++)
		KT_WARNED(&info, ACPI_WARN_BAD_ENTRY, "MCFG", MCFG_PHYS + 44 + 16 * i);
	KT_WARNED(&info, ACPI_WARN_RAGGED, "MCFG", MCFG_PHYS);

	/* More segments than kept. */
	tb_header(t, MCFG_PHYS, "MCFG", 1);
	add64(t, 0);
	for (uint16_t i = 0; i < 20; i++)
		mcfg_entry(t, 0x100000000ull * (i + 1), i, 0, 255);
	tb_seal(t);
	KT_EQ(parse(f, &info), ACPI_OK);
	free(f);
	KT_EQ(info.mcfg.count, ACPI_MAX_MCFG);
	KT_EQ(info.mcfg.segments[ACPI_MAX_MCFG - 1].segment, ACPI_MAX_MCFG - 1);
	KT_EQ(info.warning_count, 1);
	KT_WARNED(&info, ACPI_WARN_TOO_MANY_MCFG, "MCFG", MCFG_PHYS + 44 + 16 * ACPI_MAX_MCFG);
	return NULL;
}

static const char *test_texts(void)
{
	const char *err;

	for (uint32_t c = 1; c < ACPI_WARN_CODE_COUNT; c++) {
		const char *text = acpi_warning_text(c);

		KT_ASSERT(text != NULL);
		KT_ASSERT(strcmp(text, acpi_warning_text(0)) != 0);
		for (uint32_t d = 1; d < c; d++)
			KT_ASSERT(strcmp(text, acpi_warning_text(d)) != 0);
	}
	KT_ASSERT(strcmp(acpi_warning_text(ACPI_WARN_CODE_COUNT), acpi_warning_text(0)) == 0);
	if ((err = ktest_strerror_distinct(acpi_strerror, ACPI_EROOT, "acpi_strerror")))
		return err;
	return NULL;
}

/* ---- the kernel's accessor over the direct map ---- */

static const struct keel_mem_range physmap_ranges[] = {
    {0x0, 0x1000, KEEL_RANGE_BOOT_RECLAIM, 0},
    {0x1000, 0x9f000, U, 0},
    {0xe0000, 0x20000, RS, 0},
    {0x100000, 0x7ee0000, U, 0},
    {0x7fe0000, 0x10000, AR, 0},
    {0x7ff0000, 0x10000, NV, 0},
    {0x8000000, 0x1000, U, 0},
    {0x8002000, 0x1000, AR, 0}, /* after a hole */
    {0xfec00000, 0x1000, MM, 0},
    {0xff000000, 0x1000, RS, 0}, /* past the direct map below */
};

static const char *test_physmap(void)
{
	static const struct {
		uint64_t phys;
		size_t len;
		bool ok;
	} cases[] = {
	    {0x7fe0014, 36, true},
	    {0x7fe0000, 0x10000, true},
	    {0x7fef000, 0x2000, true}, /* reclaim into NVS */
	    {0x7ff0000, 0x10000, true},
	    {0x7fff000, 0x1001, false}, /* NVS into usable RAM */
	    {0x7fdfffc, 8, false},      /* usable RAM into reclaim */
	    {0xf5000, 36, true},        /* the legacy BIOS area, reserved */
	    {0x8000ff0, 0x20, false},   /* usable into a hole */
	    {0x8001000, 36, false},     /* the hole */
	    {0x8002000, 0x1000, true},
	    {0x8002fff, 2, false},                /* past the last range */
	    {0x500, 36, false},                   /* boot services memory */
	    {0xfec00000, 4, false},               /* MMIO */
	    {0xff000000, 36, false},              /* outside the direct map */
	    {0x7fe0000, 0, false},                /* empty */
	    {0xfffffffffffffff0ull, 0x20, false}, /* wraps */
	};
	struct acpi_physmap pm = {
	    .window = 0x100000000000ull,
	    .direct_map_size = 0xc0000000,
	    .ranges = physmap_ranges,
	    .range_count = KTEST_COUNT(physmap_ranges),
	};

	for (size_t i = 0; i < KTEST_COUNT(cases); i++) {
		const void *p = acpi_physmap_map(&pm, cases[i].phys, cases[i].len);

		if ((p != NULL) != cases[i].ok)
			return ktest_msg("case %zu: [%#llx +%#zx] mapped=%d", i,
					 (unsigned long long)cases[i].phys, cases[i].len,
					 p != NULL);
		if (p != NULL)
			KT_EQ((uintptr_t)p, pm.window + cases[i].phys);
	}
	pm.range_count = 0;
	KT_ASSERT(acpi_physmap_map(&pm, 0x7fe0014, 36) == NULL);
	return NULL;
}

/* The q35 fixture copied into a block standing for ACPI reclaim memory, read through physmap. */
static const char *test_physmap_parse(void)
{
	struct fixture *f = fixture_q35();
	uint8_t *block = calloc(1, FIXTURE_END - 0x7fe0000);
	static const struct keel_mem_range ranges[] = {{0x7fe0000, FIXTURE_END - 0x7fe0000, AR, 0}};
	struct acpi_physmap pm = {
	    .window = (uintptr_t)block - 0x7fe0000,
	    .direct_map_size = 0x8000000,
	    .ranges = ranges,
	    .range_count = 1,
	};
	struct acpi_mem mem = {.map = acpi_physmap_map, .ctx = &pm};
	struct acpi_info info;
	const char *err;
	int rc;

	for (int i = 0; i < T_COUNT; i++)
		if (f->t[i].len != 0)
			memcpy(block + (f->t[i].phys - 0x7fe0000), f->t[i].b, f->t[i].len);
	free(f);
	rc = acpi_parse(&mem, RSDP_PHYS, &info, NULL);
	free(block);
	KT_EQ(rc, ACPI_OK);
	KT_NO_WARNINGS(&info);
	if ((err = check_q35(&info)))
		return err;
	/* An RSDP outside the firmware-table memory is refused. */
	KT_EQ(acpi_parse(&mem, 0x100000, &info, NULL), ACPI_ERSDP);
	return NULL;
}

/* ---- fuzz ---- */

/* Make t's checksums right again, so that the corruption reaches the parsers. */
static void fuzz_reseal(struct fixture *f, int i)
{
	struct tbuf *t = &f->t[i];

	if (i == T_RSDP) {
		ktest_fix_sum8(t->b, 20, 8);
		if (t->len >= 36)
			ktest_fix_sum8(t->b, 36, 32);
	} else {
		tb_resum(t);
	}
}

/* One random corruption of one random table. */
static void fuzz_mutate(struct fixture *f)
{
	static const uint32_t lengths[] = {0,
					   1,
					   35,
					   36,
					   37,
					   43,
					   44,
					   45,
					   115,
					   116,
					   0xffffffff,
					   ACPI_TABLE_MAX_LENGTH,
					   ACPI_TABLE_MAX_LENGTH + 1};
	int i = (int)ktest_rng_below(T_COUNT - 1); /* T_EXTRA stays empty */
	struct tbuf *t = &f->t[i];
	size_t at = (size_t)ktest_rng_below(t->len);

	switch (ktest_rng_below(6)) {
	case 0: t->b[at] ^= (uint8_t)(1u << ktest_rng_below(8)); break;
	case 1: t->b[at] = (uint8_t)ktest_rng(); break;
	case 2: /* a length field: the table's, or a MADT entry's */
		if (i == T_RSDP)
			put32(t->b + 20, (uint32_t)ktest_rng_below(64));
		else if (ktest_rng_below(2))
			put32(t->b + 4, lengths[ktest_rng_below(KTEST_COUNT(lengths))]);
		else
			put32(t->b + 4, (uint32_t)(t->len + ktest_rng_below(33) - 16));
		break;
	case 3: t->mapped = (size_t)ktest_rng_below(t->len + 1); break;
	case 4: /* a 64-bit field: often an address, sometimes near a table */
		if (at + 8 <= t->len)
			put64(t->b + at, ktest_rng_below(2) ? ktest_rng()
							    : 0x7fe0000 + ktest_rng_below(0x12000));
		break;
	default:
		t->b[at] = (uint8_t)ktest_rng_below(3);
		break; /* small values: lengths, types, flags */
	}
	if (ktest_rng_below(4) != 0)
		fuzz_reseal(f, i);
}

static const char *fuzz_check(const struct acpi_info *info, int rc)
{
	KT_ASSERT(rc == ACPI_OK || rc == ACPI_ERSDP || rc == ACPI_EROOT);
	KT_ASSERT(!last_bad_request);
	KT_ASSERT(info->table_count <= ACPI_MAX_TABLES);
	KT_ASSERT(info->warning_count <= ACPI_MAX_WARNINGS);
	for (uint32_t i = 0; i < info->warning_count; i++)
		KT_ASSERT(info->warnings[i].code >= 1 &&
			  info->warnings[i].code < ACPI_WARN_CODE_COUNT);
	KT_ASSERT(info->madt.cpu_count <= ACPI_MAX_CPUS);
	KT_ASSERT(info->madt.ioapic_count <= ACPI_MAX_IOAPICS);
	KT_ASSERT(info->madt.override_count <= ACPI_MAX_OVERRIDES);
	KT_ASSERT(info->madt.nmi_source_count <= ACPI_MAX_NMI_SOURCES);
	KT_ASSERT(info->madt.lapic_nmi_count <= ACPI_MAX_LAPIC_NMIS);
	KT_ASSERT(info->mcfg.count <= ACPI_MAX_MCFG);
	for (uint32_t i = 0; i < info->madt.override_count; i++)
		KT_ASSERT(info->madt.overrides[i].irq < 16);
	if (info->hpet.present)
		KT_ASSERT(info->hpet.address != 0 && info->hpet.address % 8 == 0);
	if (info->fadt.reset)
		KT_ASSERT(info->fadt.reset_reg.bit_width == 8);
	if (rc != ACPI_OK)
		KT_ASSERT(info->table_count == 0 && !info->madt.present && !info->fadt.present);
	return NULL;
}

#define FUZZ_ITERATIONS 30000

static const char *test_fuzz(void)
{
	const struct fixture *good = fixture_q35();
	struct fixture *f = malloc(sizeof(*f));
	unsigned outcomes[3] = {0};
	const char *err = NULL;
	int n;

	for (n = 0; n < FUZZ_ITERATIONS && err == NULL; n++) {
		struct acpi_info info;
		int rc;

		memcpy(f, good, sizeof(*f));
		for (uint64_t k = 1 + ktest_rng_below(4); k > 0; k--)
			fuzz_mutate(f);
		rc = parse(f, &info);
		if (rc <= 0 && rc >= -2)
			outcomes[-rc]++;
		err = fuzz_check(&info, rc);
	}
	free(f);
	free((void *)good);
	if (err) {
		char why[400];

		snprintf(why, sizeof(why), "%s", err); /* err is in ktest_msg's buffer */
		return ktest_msg("iteration %d: %s", n - 1, why);
	}
	/* The corruptions must not all be caught at the door. */
	KT_ASSERT(outcomes[0] > FUZZ_ITERATIONS / 2);
	KT_ASSERT(outcomes[1] > 0 && outcomes[2] > 0);
	return NULL;
}

static const struct ktest tests[] = {
    KTEST(test_q35),
    KTEST(test_rsdt),
    KTEST(test_broken_tables),
    KTEST(test_broken_xsdt),
    KTEST(test_broken_roots),
    KTEST(test_broken_rsdp),
    KTEST(test_bad_entries_in_root),
    KTEST(test_too_many_tables),
    KTEST(test_duplicates),
    KTEST(test_madt_entry_lengths),
    KTEST(test_madt_truncated),
    KTEST(test_madt_full_arrays),
    KTEST(test_madt_bad_values),
    KTEST(test_madt_cpus),
    KTEST(test_warning_overflow),
    KTEST(test_fadt_acpi1),
    KTEST(test_fadt_pm_timer),
    KTEST(test_fadt_reset_and_dsdt),
    KTEST(test_hpet),
    KTEST(test_mcfg),
    KTEST(test_texts),
    KTEST(test_physmap),
    KTEST(test_physmap_parse),
    KTEST(test_fuzz),
};

int main(void)
{
	return ktest_main(tests, KTEST_COUNT(tests));
}
