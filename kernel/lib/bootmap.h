/*
 * kernel/lib/bootmap.h: the UEFI memory map turned into Keel's own ranges
 * (struct keel_mem_range, include/keel/boot.h). Pure logic, shared by the stub
 * and the host tests. The firmware's map is hostile input.
 */
#ifndef KEEL_LIB_BOOTMAP_H
#define KEEL_LIB_BOOTMAP_H

#include <stddef.h>
#include <stdint.h>

#include <keel/boot.h>

/* UEFI 2.x memory types (EFI_MEMORY_TYPE), spec §7.2. */
#define UEFI_RESERVED_MEMORY             0
#define UEFI_LOADER_CODE                 1
#define UEFI_LOADER_DATA                 2
#define UEFI_BOOT_SERVICES_CODE          3
#define UEFI_BOOT_SERVICES_DATA          4
#define UEFI_RUNTIME_SERVICES_CODE       5
#define UEFI_RUNTIME_SERVICES_DATA       6
#define UEFI_CONVENTIONAL_MEMORY         7
#define UEFI_UNUSABLE_MEMORY             8
#define UEFI_ACPI_RECLAIM_MEMORY         9
#define UEFI_ACPI_MEMORY_NVS             10
#define UEFI_MEMORY_MAPPED_IO            11
#define UEFI_MEMORY_MAPPED_IO_PORT_SPACE 12
#define UEFI_PAL_CODE                    13
#define UEFI_PERSISTENT_MEMORY           14
#define UEFI_UNACCEPTED_MEMORY           15

/* EFI_MEMORY_DESCRIPTOR's layout; the firmware's stride (desc_size) may be larger. */
struct uefi_memory_descriptor {
	uint32_t type;
	uint32_t pad;
	uint64_t physical_start;
	uint64_t virtual_start;
	uint64_t number_of_pages;
	uint64_t attribute;
};

enum bootmap_error {
	BOOTMAP_OK = 0,
	BOOTMAP_EDESCSIZE = -1, /* desc_size < sizeof(descriptor), not a multiple of 8, or map_size
				   not a multiple of it */
	BOOTMAP_EEMPTY = -2,    /* a descriptor of zero pages */
	BOOTMAP_EALIGN = -3,    /* physical_start not page-aligned */
	BOOTMAP_EWRAP = -4,     /* start + pages * 4 KiB overflows 64 bits */
	BOOTMAP_EOVERLAP = -5,  /* two descriptors overlap */
	BOOTMAP_ENOSPACE = -6,  /* more ranges than the output can hold */
	BOOTMAP_EOVERLAY = -7,  /* an overlay is empty, unaligned or wraps */
	BOOTMAP_ETOOMANY = -8,  /* more than BOOTMAP_MAX_DESCRIPTORS descriptors */
};

/*
 * Real maps hold a few hundred descriptors (QEMU about 120). The bound keeps
 * the conversion's insertion sort fast on any map that passes it.
 */
#define BOOTMAP_MAX_DESCRIPTORS 8192

/*
 * A range the stub knows better than the firmware (the kernel image, the
 * initrd, the trampoline, the framebuffer): it replaces whatever the map says
 * for those pages, and is added where the map says nothing.
 */
struct bootmap_overlay {
	uint64_t base; /* page-aligned */
	uint64_t size; /* non-zero multiple of the page size */
	uint32_t type; /* KEEL_RANGE_* */
};

/* The Keel range type a UEFI memory type becomes (unknown types: RESERVED). */
uint32_t bootmap_type_from_uefi(uint32_t uefi_type);

/*
 * Convert the UEFI map (map_size bytes, descriptors desc_size apart) into at
 * most `cap` sorted, disjoint ranges in out[], overlays applied, adjacent ranges
 * of one type merged. *count receives the number written. Needs no memory but
 * out[]: a cap of (descriptors + 2 * overlays + 1) always suffices.
 * Returns BOOTMAP_OK or a negative enum bootmap_error; out[] is undefined then.
 */
int bootmap_from_uefi(const void *map, size_t map_size, size_t desc_size,
		      const struct bootmap_overlay *overlays, size_t overlay_count,
		      struct keel_mem_range *out, size_t cap, size_t *count);

/* Sum of the sizes of the ranges of `type`. */
uint64_t bootmap_total(const struct keel_mem_range *r, size_t count, uint32_t type);

/*
 * Whether a range of this type is RAM (usable, boot-reclaim, acpi-reclaim,
 * acpi-nvs, kernel, initrd, trampoline), as opposed to reserved or device
 * memory (reserved, framebuffer, mmio).
 */
int bootmap_type_is_ram(uint32_t keel_type);

/* Sum of the sizes of the RAM ranges. */
uint64_t bootmap_ram_total(const struct keel_mem_range *r, size_t count);

const char *bootmap_strerror(int err);
const char *bootmap_type_name(uint32_t keel_type); /* "usable", "reserved", ... */

#endif
