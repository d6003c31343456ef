/*
 * kernel/acpi/madt.c: the Multiple APIC Description Table (ACPI 6.5 §5.2.12):
 * the local APIC address and flags at offsets 36 and 40, then entries of
 * { type, length, ... } to the end of the table. Each entry's length is
 * checked against its type's minimum and the bytes left before it is read; a
 * bad length ends the walk, since the next entry cannot be found without it.
 */
#include "acpi/parse.h"

#define MADT_LAPIC_ADDRESS 36
#define MADT_FLAGS         40
#define MADT_ENTRIES       44
#define MADT_PCAT_COMPAT   (1u << 0)

/* Entry types (Table 5.21). */
#define MADT_LAPIC          0x0 /* Processor Local APIC */
#define MADT_IOAPIC         0x1
#define MADT_OVERRIDE       0x2 /* Interrupt Source Override */
#define MADT_NMI_SOURCE     0x3
#define MADT_LAPIC_NMI      0x4
#define MADT_LAPIC_OVERRIDE 0x5 /* Local APIC Address Override */
#define MADT_X2APIC         0x9 /* Processor Local x2APIC */
#define MADT_X2APIC_NMI     0xa

/* Processor flags (Table 5.23); online-capable exists from MADT revision 5. */
#define MADT_CPU_ENABLED        (1u << 0)
#define MADT_CPU_ONLINE_CAPABLE (1u << 1)
#define MADT_ONLINE_CAPABLE_REV 5

#define XAPIC_BROADCAST_ID  0xffu
#define X2APIC_BROADCAST_ID 0xffffffffu

/*
 * The length of each type in ACPI 6.5: later revisions may make an entry
 * longer, never shorter. Every entry has at least its type and length bytes,
 * and that is all an unknown type needs.
 */
static uint8_t madt_min_length(uint8_t type)
{
	switch (type) {
	case MADT_LAPIC: return 8;
	case MADT_IOAPIC: return 12;
	case MADT_OVERRIDE: return 10;
	case MADT_NMI_SOURCE: return 8;
	case MADT_LAPIC_NMI: return 6;
	case MADT_LAPIC_OVERRIDE: return 12;
	case MADT_X2APIC: return 16;
	case MADT_X2APIC_NMI: return 12;
	default: return 2;
	}
}

/* Where the walk is: the table, the MADT info and the entry being read. */
struct madt_walk {
	struct acpi_parse *ps;
	const struct acpi_table *t;
	struct acpi_madt *madt;
	const uint8_t *e; /* the entry */
	uint64_t e_phys;  /* its physical address, for warnings */
	bool lapic_override_seen;
};

static void madt_warn(struct madt_walk *w, uint32_t code)
{
	acpi_warn(w->ps, code, w->t->signature, w->e_phys);
}

/*
 * MPS INTI flags (Table 5.26): polarity in bits 0-1, trigger mode in bits
 * 2-3, value 2 reserved in both. false when either is reserved.
 */
static bool madt_inti_flags(uint16_t flags, uint8_t *polarity, uint8_t *trigger)
{
	*polarity = flags & 3;
	*trigger = (flags >> 2) & 3;
	return *polarity != 2 && *trigger != 2;
}

/* A CPU entry's fields; kind is ACPI_CPU_X2APIC for a type 9 entry, else 0. */
static void madt_add_cpu(struct madt_walk *w, uint32_t apic_id, uint32_t uid, uint32_t flags,
			 uint32_t kind)
{
	struct acpi_madt *m = w->madt;
	uint32_t usable = MADT_CPU_ENABLED;

	if (w->t->revision >= MADT_ONLINE_CAPABLE_REV)
		usable |= MADT_CPU_ONLINE_CAPABLE;
	/* Neither enabled nor able to come online: a placeholder firmware lists. */
	if (!(flags & usable)) {
		m->cpus_unusable++;
		return;
	}
	if ((kind == 0 && apic_id == XAPIC_BROADCAST_ID) || apic_id == X2APIC_BROADCAST_ID) {
		madt_warn(w, ACPI_WARN_BAD_ENTRY);
		return;
	}
	for (uint32_t i = 0; i < m->cpu_count; i++) {
		if (m->cpus[i].apic_id == apic_id) {
			madt_warn(w, ACPI_WARN_DUPLICATE_APIC_ID);
			return;
		}
	}
	if (m->cpu_count == ACPI_MAX_CPUS) {
		acpi_warn_once(w->ps, ACPI_WARN_TOO_MANY_CPUS, w->t->signature, w->e_phys);
		return;
	}
	/* Online-capable is reserved (and ignored) when the CPU is enabled. */
	m->cpus[m->cpu_count++] = (struct acpi_cpu){
	    .apic_id = apic_id,
	    .uid = uid,
	    .flags = kind | (flags & MADT_CPU_ENABLED ? ACPI_CPU_ENABLED : ACPI_CPU_ONLINE_CAPABLE),
	};
}

static void madt_add_ioapic(struct madt_walk *w)
{
	struct acpi_madt *m = w->madt;
	uint32_t address = acpi_get32(w->e + 4);

	if (address == 0) {
		madt_warn(w, ACPI_WARN_BAD_ENTRY);
		return;
	}
	if (m->ioapic_count == ACPI_MAX_IOAPICS) {
		acpi_warn_once(w->ps, ACPI_WARN_TOO_MANY_IOAPICS, w->t->signature, w->e_phys);
		return;
	}
	m->ioapics[m->ioapic_count++] = (struct acpi_ioapic){
	    .id = w->e[2],
	    .address = address,
	    .gsi_base = acpi_get32(w->e + 8),
	};
}

/* Bus 0 is ISA, the only bus the spec allows; ISA has IRQs 0..15. */
static void madt_add_override(struct madt_walk *w)
{
	struct acpi_madt *m = w->madt;
	struct acpi_override o = {.irq = w->e[3], .gsi = acpi_get32(w->e + 4)};

	if (w->e[2] != 0 || o.irq > 15 ||
	    !madt_inti_flags(acpi_get16(w->e + 8), &o.polarity, &o.trigger)) {
		madt_warn(w, ACPI_WARN_BAD_ENTRY);
		return;
	}
	if (m->override_count == ACPI_MAX_OVERRIDES) {
		acpi_warn_once(w->ps, ACPI_WARN_TOO_MANY_OVERRIDES, w->t->signature, w->e_phys);
		return;
	}
	m->overrides[m->override_count++] = o;
}

static void madt_add_nmi_source(struct madt_walk *w)
{
	struct acpi_madt *m = w->madt;
	struct acpi_nmi_source n = {.gsi = acpi_get32(w->e + 4)};

	if (!madt_inti_flags(acpi_get16(w->e + 2), &n.polarity, &n.trigger)) {
		madt_warn(w, ACPI_WARN_BAD_ENTRY);
		return;
	}
	if (m->nmi_source_count == ACPI_MAX_NMI_SOURCES) {
		acpi_warn_once(w->ps, ACPI_WARN_TOO_MANY_NMI_SOURCES, w->t->signature, w->e_phys);
		return;
	}
	m->nmi_sources[m->nmi_source_count++] = n;
}

static void madt_add_lapic_nmi(struct madt_walk *w, uint32_t uid, uint16_t flags, uint8_t lint)
{
	struct acpi_madt *m = w->madt;
	struct acpi_lapic_nmi n = {.uid = uid, .lint = lint};

	if (lint > 1 || !madt_inti_flags(flags, &n.polarity, &n.trigger)) {
		madt_warn(w, ACPI_WARN_BAD_ENTRY);
		return;
	}
	if (m->lapic_nmi_count == ACPI_MAX_LAPIC_NMIS) {
		acpi_warn_once(w->ps, ACPI_WARN_TOO_MANY_LAPIC_NMIS, w->t->signature, w->e_phys);
		return;
	}
	m->lapic_nmis[m->lapic_nmi_count++] = n;
}

/* At most one override may exist (§5.2.12.8); a second one is ignored. */
static void madt_set_lapic_override(struct madt_walk *w)
{
	uint64_t address = acpi_get64(w->e + 4);

	if (w->lapic_override_seen) {
		madt_warn(w, ACPI_WARN_DUPLICATE);
		return;
	}
	if (address == 0) {
		madt_warn(w, ACPI_WARN_BAD_ENTRY);
		return;
	}
	w->lapic_override_seen = true;
	w->madt->lapic_address = address;
	w->madt->lapic_overridden = true;
}

static void madt_entry(struct madt_walk *w)
{
	const uint8_t *e = w->e;

	switch (e[0]) {
	case MADT_LAPIC: madt_add_cpu(w, e[3], e[2], acpi_get32(e + 4), 0); break;
	case MADT_X2APIC:
		madt_add_cpu(w, acpi_get32(e + 4), acpi_get32(e + 12), acpi_get32(e + 8),
			     ACPI_CPU_X2APIC);
		break;
	case MADT_IOAPIC: madt_add_ioapic(w); break;
	case MADT_OVERRIDE: madt_add_override(w); break;
	case MADT_NMI_SOURCE: madt_add_nmi_source(w); break;
	case MADT_LAPIC_NMI:
		/* An 8-bit UID of 0xff means every processor. */
		madt_add_lapic_nmi(w, e[2] == 0xff ? ACPI_UID_ALL : e[2], acpi_get16(e + 3), e[5]);
		break;
	case MADT_X2APIC_NMI:
		madt_add_lapic_nmi(w, acpi_get32(e + 4), acpi_get16(e + 2), e[8]);
		break;
	case MADT_LAPIC_OVERRIDE: madt_set_lapic_override(w); break;
	default: break; /* GIC, RINTC and other architectures' entries, or newer types */
	}
}

void acpi_madt_parse(struct acpi_parse *ps, const struct acpi_table *t)
{
	struct acpi_madt *m = &ps->info->madt;
	struct madt_walk w = {.ps = ps, .t = t, .madt = m};
	uint32_t at = MADT_ENTRIES;

	m->present = true;
	m->phys = t->phys;
	m->lapic_address = acpi_get32(t->bytes + MADT_LAPIC_ADDRESS);
	m->pcat_compat = acpi_get32(t->bytes + MADT_FLAGS) & MADT_PCAT_COMPAT;
	/* Each step moves on by at least 2 bytes: an entry of length 0 or 1 ends the walk. */
	while (at < t->length) {
		uint32_t left = t->length - at;
		uint8_t length;

		w.e = t->bytes + at;
		w.e_phys = t->phys + at;
		if (left < 2) {
			madt_warn(&w, ACPI_WARN_ENTRY_OVERRUN);
			return;
		}
		length = w.e[1];
		if (length < madt_min_length(w.e[0])) {
			madt_warn(&w, ACPI_WARN_ENTRY_LENGTH);
			return;
		}
		if (length > left) {
			madt_warn(&w, ACPI_WARN_ENTRY_OVERRUN);
			return;
		}
		madt_entry(&w);
		at += length;
	}
}
