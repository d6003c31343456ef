/*
 * include/keel/boot.h: the boot handoff, the one structure keel.efi passes to
 * the kernel (DESIGN.md §2).
 *
 * Contract:
 * - The stub jumps to the kernel entry with the direct-map address of a
 *   struct keel_handoff in rdi, interrupts off, on its own page tables (kernel
 *   segments at KEEL_KERNEL_BASE, all physical memory at KEEL_DIRECT_MAP_BASE)
 *   and on a boot stack reached through the direct map. The GDT and IDT still
 *   point at firmware memory that is no longer mapped: the kernel loads its
 *   own before it touches a segment register or enables interrupts.
 * - magic, version and size come first and never move. A kernel refuses a
 *   handoff whose magic or version it does not know, or whose size differs
 *   from its own sizeof(struct keel_handoff) for that version.
 * - Every address in the handoff is physical. The kernel reaches it through
 *   the direct map (KEEL_DIRECT_MAP_BASE + phys).
 * - Pure data: fixed-width fields only (the stub is compiled for an LLP64
 *   target, the kernel for LP64), no pointers, no enums in the layout.
 */
#ifndef KEEL_BOOT_H
#define KEEL_BOOT_H

#include <stdint.h>

#define KEEL_HANDOFF_MAGIC   0x46464f444e41484bULL /* "KHANDOFF" little-endian */
#define KEEL_HANDOFF_VERSION 2 /* 2: the trampoline grew to KEEL_TRAMPOLINE_PAGES */

/* Virtual layout set up by the stub. */
#define KEEL_KERNEL_BASE     0xffffffff80000000ULL /* kernel window start */
#define KEEL_KERNEL_WINDOW   0x40000000ULL         /* 1 GiB kernel window */
#define KEEL_DIRECT_MAP_BASE 0xffff800000000000ULL /* phys 0 maps here */

#define KEEL_PAGE_SIZE 4096ULL

/*
 * The SMP trampoline: the real-mode start-up code in the first page, then
 * the page tables an AP uses to reach long mode (kernel/arch/x86_64/smp.c).
 * A SIPI can only start a CPU below 1 MiB, and the first CR3 load happens in
 * 32-bit mode, so those tables must be low too.
 */
#define KEEL_TRAMPOLINE_PAGES 5
#define KEEL_TRAMPOLINE_SIZE  (KEEL_TRAMPOLINE_PAGES * KEEL_PAGE_SIZE)

/*
 * Limits both sides enforce: the stub refuses to boot past them (while it can
 * still print), the kernel refuses a handoff past them.
 */
#define KEEL_HANDOFF_MAX_RANGES 4096u        /* QEMU's map gives about 40 */
#define KEEL_DIRECT_MAP_MAX     (1ULL << 46) /* 64 TiB, far below the kernel window */

/*
 * Memory range types. The stub turns the UEFI map into these, sorted by base,
 * disjoint, adjacent ranges of one type merged.
 *
 * BOOT_RECLAIM is memory the firmware or the stub used during boot (UEFI boot
 * services code and data, loader code and data). It includes the handoff, the
 * ranges array, the stub's page tables and the boot stack: the kernel may use
 * it only after it has copied what it needs from the handoff and moved to its
 * own stack and page tables.
 */
#define KEEL_RANGE_USABLE       1  /* free RAM */
#define KEEL_RANGE_RESERVED     2  /* firmware-reserved, runtime services, unusable */
#define KEEL_RANGE_ACPI_RECLAIM 3  /* ACPI tables; RAM once they are parsed */
#define KEEL_RANGE_ACPI_NVS     4  /* ACPI non-volatile storage: never touch */
#define KEEL_RANGE_BOOT_RECLAIM 5  /* boot services and loader memory, see above */
#define KEEL_RANGE_KERNEL       6  /* the kernel image's physical pages */
#define KEEL_RANGE_INITRD       7  /* the initrd as loaded */
#define KEEL_RANGE_FRAMEBUFFER  8  /* the GOP framebuffer */
#define KEEL_RANGE_MMIO         9  /* memory-mapped I/O the firmware reported */
#define KEEL_RANGE_TRAMPOLINE   10 /* the pages below 1 MiB kept for SMP start-up */
#define KEEL_RANGE_TYPE_MAX     10

struct keel_mem_range {
	uint64_t base; /* physical, page-aligned */
	uint64_t size; /* bytes, a non-zero multiple of KEEL_PAGE_SIZE */
	uint32_t type; /* KEEL_RANGE_* */
	uint32_t reserved;
};

/* Pixel formats, after the GOP's. */
#define KEEL_FB_RGBX    0 /* byte 0 red, 1 green, 2 blue, 3 reserved */
#define KEEL_FB_BGRX    1 /* byte 0 blue, 1 green, 2 red, 3 reserved */
#define KEEL_FB_BITMASK 2 /* see the masks */

struct keel_framebuffer {
	uint64_t base;  /* physical; 0 when there is no framebuffer */
	uint64_t size;  /* bytes */
	uint32_t width; /* visible pixels */
	uint32_t height;
	uint32_t pixels_per_line; /* stride in pixels (>= width), 4 bytes each */
	uint32_t format;          /* KEEL_FB_* */
	uint32_t red_mask;        /* meaningful for KEEL_FB_BITMASK only */
	uint32_t green_mask;
	uint32_t blue_mask;
	uint32_t reserved_mask;
};

/* flags */
#define KEEL_HANDOFF_HAS_FB         (1u << 0) /* framebuffer is valid */
#define KEEL_HANDOFF_HAS_RSDP       (1u << 1) /* rsdp is valid */
#define KEEL_HANDOFF_HAS_TRAMPOLINE (1u << 2) /* trampoline_phys is valid */
#define KEEL_HANDOFF_NX             (1u << 3) /* stub set EFER.NXE and NX bits */
#define KEEL_HANDOFF_1G_PAGES       (1u << 4) /* direct map uses 1 GiB pages */

#define KEEL_CMDLINE_MAX   1024
#define KEEL_FW_VENDOR_MAX 64

struct keel_handoff {
	/* Never move these three. */
	uint64_t magic;   /* KEEL_HANDOFF_MAGIC */
	uint32_t version; /* KEEL_HANDOFF_VERSION */
	uint32_t size;    /* sizeof(struct keel_handoff) */

	uint32_t flags; /* KEEL_HANDOFF_* */
	uint32_t range_count;
	uint64_t ranges; /* phys of struct keel_mem_range[range_count] */

	struct keel_framebuffer fb;

	uint64_t rsdp;        /* phys of the ACPI RSDP (2.0+ preferred) */
	uint64_t initrd_base; /* phys, page-aligned; 0 and size 0 if none */
	uint64_t initrd_size; /* bytes of the archive (not rounded) */

	uint64_t kernel_phys_base; /* phys of the lowest kernel segment page */
	uint64_t kernel_phys_size; /* bytes, page-rounded, all segments */
	uint64_t kernel_virt_base; /* vaddr that kernel_phys_base maps to */
	uint64_t kernel_entry;     /* ELF entry point */
	uint64_t direct_map_size;  /* bytes of phys mapped at KEEL_DIRECT_MAP_BASE */
	uint64_t trampoline_phys;  /* KEEL_TRAMPOLINE_SIZE bytes below 0xa0000 for SMP start-up */

	uint64_t tsc_efi_main;    /* rdtsc at the first line of efi_main */
	uint64_t tsc_before_jump; /* rdtsc just before the jump to the kernel */

	uint32_t fw_revision;               /* SystemTable->FirmwareRevision */
	uint32_t uefi_revision;             /* SystemTable->Hdr.Revision */
	char fw_vendor[KEEL_FW_VENDOR_MAX]; /* ASCII, NUL-terminated */
	char cmdline[KEEL_CMDLINE_MAX];     /* NUL-terminated */
};

#endif
