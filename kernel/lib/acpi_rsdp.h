/*
 * kernel/lib/acpi_rsdp.h: checking an ACPI Root System Description Pointer
 * (ACPI 6.5 §5.2.5.3). Pure logic, shared by the stub (which takes the RSDP
 * from the firmware's configuration table), the kernel and the host tests.
 * The bytes are hostile input.
 */
#ifndef KEEL_LIB_ACPI_RSDP_H
#define KEEL_LIB_ACPI_RSDP_H

#include <stddef.h>
#include <stdint.h>

#define ACPI_RSDP_V1_SIZE     20   /* ACPI 1.0 RSDP: checksum covers these */
#define ACPI_RSDP_V2_MIN_SIZE 36   /* ACPI 2.0+: the length field's minimum */
#define ACPI_RSDP_MAX_SIZE    4096 /* far above any real one; bounds the sum */

struct acpi_rsdp_info {
	uint8_t revision; /* 0 for ACPI 1.0, 2 and up for ACPI 2.0+ */
	uint32_t length;  /* bytes covered by the checks */
	uint32_t rsdt;    /* physical address of the RSDT */
	uint64_t xsdt;    /* physical address of the XSDT; 0 below revision 2 */
};

/*
 * Check the RSDP at `rsdp`, of which at most `readable` bytes may be read:
 * the "RSD PTR " signature and the checksum of the first 20 bytes; from
 * revision 2 on also a length in [36, 4096] that fits in `readable`, the
 * extended checksum over it, and a non-zero XSDT address. Returns NULL and
 * fills *info (may be NULL) when it is sound, else a short reason.
 */
const char *acpi_rsdp_check(const uint8_t *rsdp, size_t readable, struct acpi_rsdp_info *info);

#endif
