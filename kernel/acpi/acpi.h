/*
 * kernel/acpi/acpi.h: the ACPI tables the kernel needs, parsed once at boot
 * (DESIGN.md §3): RSDP, XSDT or RSDT, MADT, HPET, MCFG and FADT, following
 * the layouts of ACPI 6.5 §5.2.
 *
 * Pure logic: no globals, no assembly. Physical memory is reached only
 * through a caller's struct acpi_mem, so the same code runs in the kernel
 * (over the direct map, kernel/acpi/physmap.h) and in the host test (over a
 * fake physical memory). Every table is hostile input: a table that cannot be
 * read, has an absurd length or a bad checksum is skipped with a warning, an
 * entry that does not make sense is ignored with a warning, and an array that
 * is full drops what does not fit, again with a warning. Only an unusable
 * RSDP or root table fails the whole parse.
 */
#ifndef KEEL_ACPI_ACPI_H
#define KEEL_ACPI_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Physical memory for the parser. map() returns a pointer to the `len` bytes
 * at physical `phys`, or NULL when any of [phys, phys + len) may not be read
 * (including when the sum wraps). The parser asks for exact lengths (first a
 * table's 36-byte header, then the length that header claims) and reads
 * nothing past what it asked for. Pointers stay valid until acpi_parse()
 * returns.
 */
struct acpi_mem {
	const void *(*map)(void *ctx, uint64_t phys, size_t len);
	void *ctx;
};

/*
 * The longest table accepted: 1 MiB. A table is read whole (its checksum
 * covers all of it), so this bounds the work one table can cause. Far above
 * any table this code parses: a MADT of 1 MiB lists 65536 x2APICs, an XSDT
 * of 1 MiB 131072 tables. Large AML tables (SSDTs) stay well below it; the
 * DSDT, the largest, is only located here, not read.
 */
#define ACPI_TABLE_MAX_LENGTH (1u << 20)
#define ACPI_HEADER_LENGTH    36 /* the System Description Table Header (§5.2.6) */

/*
 * Root table entries looked at: more is firmware gone wrong. With the length
 * bound this caps the whole parse at 256 MiB checksummed even for the most
 * hostile tables; real machines list a few dozen.
 */
#define ACPI_MAX_TABLES      256
#define ACPI_MAX_CPUS        256
#define ACPI_MAX_IOAPICS     16
#define ACPI_MAX_OVERRIDES   32
#define ACPI_MAX_NMI_SOURCES 16
#define ACPI_MAX_LAPIC_NMIS  16
#define ACPI_MAX_MCFG        16
#define ACPI_MAX_WARNINGS    16

/* Generic Address Structure address spaces (§5.2.3.2). */
#define ACPI_SPACE_MEMORY     0
#define ACPI_SPACE_IO         1
#define ACPI_SPACE_PCI_CONFIG 2

/* A register in a Generic Address Structure (§5.2.3.2). */
struct acpi_gas {
	uint8_t space; /* ACPI_SPACE_* */
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size; /* 0 undefined, 1 byte, 2 word, 3 dword, 4 qword */
	uint64_t address;
};

/* Interrupt polarity and trigger mode from the MPS INTI flags (§5.2.12.5). */
#define ACPI_POLARITY_CONFORMS 0 /* as the bus dictates (ISA: active high) */
#define ACPI_POLARITY_HIGH     1
#define ACPI_POLARITY_LOW      3
#define ACPI_TRIGGER_CONFORMS  0 /* as the bus dictates (ISA: edge) */
#define ACPI_TRIGGER_EDGE      1
#define ACPI_TRIGGER_LEVEL     3

/* struct acpi_cpu flags */
#define ACPI_CPU_ENABLED        (1u << 0) /* usable now */
#define ACPI_CPU_ONLINE_CAPABLE (1u << 1) /* disabled, may be brought online (MADT rev >= 5) */
#define ACPI_CPU_X2APIC         (1u << 2) /* from a Local x2APIC entry (type 9) */

/* A processor from a Local APIC (type 0) or Local x2APIC (type 9) entry. */
struct acpi_cpu {
	uint32_t apic_id; /* 8 bits for type 0 */
	uint32_t uid;     /* ACPI processor UID, matched by the LAPIC NMI entries */
	uint32_t flags;   /* ACPI_CPU_* */
};

struct acpi_ioapic {
	uint8_t id;
	uint32_t address;  /* physical base of its registers */
	uint32_t gsi_base; /* first global system interrupt it handles */
};

/* An ISA IRQ wired to another GSI or with other polarity/trigger (type 2). */
struct acpi_override {
	uint8_t irq; /* ISA IRQ, 0..15 */
	uint32_t gsi;
	uint8_t polarity; /* ACPI_POLARITY_* */
	uint8_t trigger;  /* ACPI_TRIGGER_* */
};

/* A GSI that is an NMI (type 3). */
struct acpi_nmi_source {
	uint32_t gsi;
	uint8_t polarity;
	uint8_t trigger;
};

#define ACPI_UID_ALL 0xffffffffu /* a LAPIC NMI entry for every processor */

/* A local APIC LINT pin wired to NMI (type 4, or type 0xA for x2APIC UIDs). */
struct acpi_lapic_nmi {
	uint32_t uid; /* ACPI processor UID, or ACPI_UID_ALL */
	uint8_t lint; /* 0 or 1 */
	uint8_t polarity;
	uint8_t trigger;
};

struct acpi_madt {
	bool present;
	uint64_t phys;
	uint64_t lapic_address; /* the header's, or the type 5 override's */
	bool lapic_overridden;  /* a type 5 entry gave lapic_address */
	bool pcat_compat;       /* dual 8259 PICs present: mask them */
	uint32_t cpus_unusable; /* entries neither enabled nor online-capable */
	uint32_t cpu_count;
	struct acpi_cpu cpus[ACPI_MAX_CPUS];
	uint32_t ioapic_count;
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	uint32_t override_count;
	struct acpi_override overrides[ACPI_MAX_OVERRIDES];
	uint32_t nmi_source_count;
	struct acpi_nmi_source nmi_sources[ACPI_MAX_NMI_SOURCES];
	uint32_t lapic_nmi_count;
	struct acpi_lapic_nmi lapic_nmis[ACPI_MAX_LAPIC_NMIS];
};

/* The first HPET block. Its period is read later from the device itself. */
struct acpi_hpet {
	bool present;
	uint64_t phys;     /* of the table */
	uint64_t address;  /* of the registers, in system memory, 8-byte aligned */
	uint32_t block_id; /* Event Timer Block ID: vendor, comparators, counter size */
	uint8_t number;    /* HPET sequence number */
	uint16_t min_tick; /* minimum periodic clock tick, in counter ticks */
};

/* One PCI Express ECAM window: bus b's config space is at base + (b << 20). */
struct acpi_mcfg_segment {
	uint64_t base;
	uint16_t segment;
	uint8_t bus_start;
	uint8_t bus_end;
};

struct acpi_mcfg {
	bool present;
	uint64_t phys;
	uint32_t count;
	struct acpi_mcfg_segment segments[ACPI_MAX_MCFG];
};

/* FADT Flags (§5.2.9, Table 5.10): those the kernel uses. */
#define ACPI_FADT_TMR_VAL_EXT     (1u << 8)  /* the PM timer counts 32 bits, not 24 */
#define ACPI_FADT_RESET_REG_SUP   (1u << 10) /* RESET_REG is valid */
#define ACPI_FADT_HW_REDUCED_ACPI (1u << 20) /* no fixed hardware: no PM timer */

/* FADT IA-PC Boot Architecture Flags (§5.2.9.3). */
#define ACPI_BOOT_LEGACY_DEVICES (1u << 0) /* ISA devices (LPC) present */
#define ACPI_BOOT_8042           (1u << 1) /* a PS/2 keyboard controller */
#define ACPI_BOOT_NO_VGA         (1u << 2)
#define ACPI_BOOT_NO_MSI         (1u << 3)
#define ACPI_BOOT_NO_CMOS_RTC    (1u << 5)

struct acpi_fadt {
	bool present;
	uint64_t phys;
	uint8_t revision;             /* the FADT's own major version */
	uint32_t flags;               /* ACPI_FADT_* and the others of Table 5.10 */
	uint16_t boot_arch;           /* ACPI_BOOT_*; 0 before FADT revision 3 */
	uint16_t sci_irq;             /* the SCI's ISA IRQ (or GSI) */
	bool pm_timer;                /* pm_timer_reg is usable */
	bool pm_timer_32bit;          /* TMR_VAL_EXT: 32-bit counter, else 24-bit */
	struct acpi_gas pm_timer_reg; /* X_PM_TMR_BLK when set, else PM_TMR_BLK as I/O */
	bool reset;                   /* RESET_REG_SUP and a sound reset_reg */
	struct acpi_gas reset_reg;    /* 8 bits, offset 0, memory, I/O or PCI config */
	uint8_t reset_value;          /* written to reset_reg to reset the machine */
	uint64_t dsdt;                /* X_DSDT when set, else DSDT; 0 when neither */
};

/* A table the root table lists that passed the header checks. */
struct acpi_table_ref {
	char signature[4];
	uint8_t revision;
	uint32_t length;
	uint64_t phys;
};

/* Why something was skipped or ignored: see acpi_warning_text(). */
enum acpi_warning_code {
	ACPI_WARN_UNMAPPED = 1,      /* header not in readable memory */
	ACPI_WARN_LENGTH,            /* length < 36 or > ACPI_TABLE_MAX_LENGTH */
	ACPI_WARN_TRUNCATED,         /* length runs past readable memory */
	ACPI_WARN_CHECKSUM,          /* bytes do not sum to 0 */
	ACPI_WARN_SIGNATURE,         /* not the signature expected, or not printable */
	ACPI_WARN_XSDT_FALLBACK,     /* XSDT unusable, RSDT used */
	ACPI_WARN_NULL_ENTRY,        /* root table entry 0 */
	ACPI_WARN_RAGGED,            /* root or MCFG length not a whole number of entries */
	ACPI_WARN_TOO_MANY_TABLES,   /* more than ACPI_MAX_TABLES entries */
	ACPI_WARN_DUPLICATE,         /* a second APIC/HPET/MCFG/FACP */
	ACPI_WARN_TOO_SHORT,         /* shorter than the table's fixed fields */
	ACPI_WARN_ENTRY_LENGTH,      /* MADT entry below its type's minimum length */
	ACPI_WARN_ENTRY_OVERRUN,     /* MADT entry runs past the table */
	ACPI_WARN_BAD_ENTRY,         /* an entry with impossible values */
	ACPI_WARN_DUPLICATE_APIC_ID, /* a second CPU with one APIC ID */
	ACPI_WARN_TOO_MANY_CPUS,     /* more than ACPI_MAX_CPUS */
	ACPI_WARN_TOO_MANY_IOAPICS,
	ACPI_WARN_TOO_MANY_OVERRIDES,
	ACPI_WARN_TOO_MANY_NMI_SOURCES,
	ACPI_WARN_TOO_MANY_LAPIC_NMIS,
	ACPI_WARN_TOO_MANY_MCFG,
	ACPI_WARN_HPET_ADDRESS, /* HPET not in system memory, zero or unaligned */
	ACPI_WARN_PM_TIMER,     /* PM timer block unusable */
	ACPI_WARN_RESET_REG,    /* RESET_REG_SUP but an unusable register */
	ACPI_WARN_CODE_COUNT
};

/*
 * One warning: the table's signature (non-printable bytes as '?', "????"
 * when it could not be read) and the physical address of the table, or of
 * the MADT/MCFG entry at fault. Printed as
 *   "acpi: %.4s at 0x%lx: %s", signature, phys, acpi_warning_text(code)
 * e.g. "acpi: HPET at 0x7fe2000: bad checksum, table skipped".
 */
struct acpi_warning {
	uint32_t code; /* enum acpi_warning_code */
	char signature[4];
	uint64_t phys;
};

struct acpi_info {
	uint8_t rsdp_revision;
	bool root_is_xsdt;  /* tables came from the XSDT, else from the RSDT */
	uint64_t root_phys; /* of the root table used */
	uint32_t table_count;
	struct acpi_table_ref tables[ACPI_MAX_TABLES];
	struct acpi_madt madt;
	struct acpi_hpet hpet;
	struct acpi_mcfg mcfg;
	struct acpi_fadt fadt;
	uint32_t warning_count;
	struct acpi_warning warnings[ACPI_MAX_WARNINGS];
	uint32_t warnings_dropped; /* warnings that did not fit */
};

enum acpi_error {
	ACPI_OK = 0,
	ACPI_ERSDP = -1, /* the RSDP is unreadable or fails acpi_rsdp_check() */
	ACPI_EROOT = -2, /* neither the XSDT nor the RSDT passes the checks */
};

/*
 * Parse the tables reached from the RSDP at physical `rsdp` into *info
 * (cleared first). ACPI_OK when a root table was found, whatever the
 * warnings say; otherwise a negative enum acpi_error, and then *rsdp_why
 * (may be NULL) is the RSDP check's reason for ACPI_ERSDP, NULL otherwise.
 * The warnings in *info hold in every case.
 */
int acpi_parse(const struct acpi_mem *mem, uint64_t rsdp, struct acpi_info *info,
	       const char **rsdp_why);

/* A short text for an enum acpi_error. */
const char *acpi_strerror(int err);

/* A short text for an enum acpi_warning_code, saying what was left out. */
const char *acpi_warning_text(uint32_t code);

#endif
