/*
 * kernel/acpi/boot.h: the kernel's one parse of the firmware's ACPI tables at
 * boot (acpi.h does the parsing), its boot lines, and the result for the rest
 * of the kernel (interrupts, timers and SMP read it).
 */
#ifndef KEEL_ACPI_BOOT_H
#define KEEL_ACPI_BOOT_H

#include <keel/syscall.h>

#include "acpi/acpi.h"
#include "core/boot.h"
#include "core/ktest.h"

/*
 * Parse the tables the handoff's RSDP leads to, through the direct map, and
 * print what was found and every table skipped. Must run before boot-reclaim
 * memory is reused (some firmware keeps tables there). A machine without
 * usable ACPI tables still boots: the result then says nothing is present.
 */
void acpi_boot_init(const struct boot_info *bi);

/* The result of acpi_boot_init (all absent before it ran or without ACPI). */
const struct acpi_info *acpi_boot_info(void);

/*
 * The platform facts for KEEL_INFO_PLATFORM (include/keel/syscall.h) from the
 * result: the MCFG's first segment and the FADT's reset register (memory or
 * I/O only; none without ACPI).
 */
void acpi_boot_platform(struct keel_platform *out);

extern const struct ktest_suite acpi_test_suite;

#endif
