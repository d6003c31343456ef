/*
 * efi/stub.h: what the parts of keel.efi share (DESIGN.md §2).
 *
 * Error convention: a function that returns an EFI_STATUS and fails has
 * already printed the one `keel.efi: error: ...` line (console_error); its
 * callers only pass the status up. Everything allocated goes through pages.c,
 * so that one pages_free_all() undoes it on every failure path before
 * ExitBootServices. Once ExitBootServices has been called (even when it
 * failed), a failure is reported on COM1 and halts (launch.c).
 */
#ifndef KEEL_EFI_STUB_H
#define KEEL_EFI_STUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <efi.h>

#include <keel/boot.h>

#include "cpu.h"
#include "lib/elf.h"

/* Set once by efi_main; boot services are gone after ExitBootServices. */
extern EFI_HANDLE stub_image;
extern EFI_SYSTEM_TABLE *stub_st;
extern EFI_BOOT_SERVICES *stub_bs;

#define STUB_KERNEL_PATH L"\\keel\\kernel.elf"
#define STUB_INITRD_PATH L"\\keel\\initrd.cpio"
#define STUB_CONF_PATH   L"\\keel\\keel.conf"

/*
 * The boot stack only has to last until kernel_entry moves to its own: it
 * holds the zero return address switch.S pushes and the two words of
 * kernel_entry's far return (kernel/arch/x86_64/entry.S). One page.
 */
#define STUB_BOOT_STACK_SIZE KEEL_PAGE_SIZE

/* The UEFI memory map as last read, in a buffer allocated once (memmap.c). */
struct memmap {
	uint64_t buf;    /* phys of the buffer */
	UINTN cap;       /* its size in bytes */
	UINTN size;      /* bytes of the map last read */
	UINTN desc_size; /* firmware's descriptor stride */
	UINTN key;       /* map key for ExitBootServices */
};

/* Everything the stub learns on its way to the kernel. */
struct stub {
	/* Set when the UEFI Shell started us: no pause after an error then. */
	EFI_SHELL_PARAMETERS_PROTOCOL *shell;
	bool inspect; /* `keel.efi handoff`: print, do not boot */

	struct keel_handoff *handoff;  /* its own page; filled step by step */
	struct keel_mem_range *ranges; /* handoff->ranges, ranges_cap entries */
	size_t ranges_cap;

	struct elf_image kernel; /* the checked kernel.elf */
	uint32_t initrd_entries;
	unsigned acpi_version; /* 1 or 2 when the handoff has an RSDP */

	struct cpu_features cpu;
	uint64_t pml4;         /* phys of the new page tables' root */
	uint64_t switch_base;  /* phys = virt of the switch routine's first page */
	uint64_t switch_pages; /* pages it spans (1; 2 if it crossed a boundary) */
	uint64_t stack_phys;   /* the boot stack's lowest byte */

	struct memmap map;
};

/* console.c: ConOut output and the failure path. */
void console_print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void console_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
EFI_STATUS console_error(EFI_STATUS status, const char *what, const char *check);
void console_wait_for_reader(void);

/* status.c: "EFI_NOT_FOUND" etc., NULL for a status without a name. */
const char *status_name(EFI_STATUS status);

/* pages.c: page allocations, remembered so that they can all be freed. */
EFI_STATUS pages_alloc(EFI_MEMORY_TYPE type, uint64_t count, const char *what, uint64_t *phys);
EFI_STATUS pages_alloc_below(uint64_t max, uint64_t count, uint64_t *phys);
void pages_free(uint64_t phys);
void pages_free_all(void);

static inline void *stub_ptr(uint64_t phys)
{
	/* Boot services run on an identity map: physical is virtual. */
	return (void *)(uintptr_t)phys;
}

static inline uint64_t stub_pages(uint64_t bytes)
{
	return (bytes + KEEL_PAGE_SIZE - 1) / KEEL_PAGE_SIZE;
}

/* file.c: files on the volume keel.efi was loaded from. */
EFI_STATUS file_open_volume(EFI_FILE_HANDLE *root);
EFI_STATUS file_read(EFI_FILE_HANDLE root, const CHAR16 *path, bool optional, uint64_t *phys,
		     uint64_t *size);
void file_close(EFI_FILE_HANDLE file);
void file_path_ascii(const CHAR16 *path, char *out, size_t cap);

/* args.c: the command line and the mode. */
void args_detect_shell(struct stub *s);
EFI_STATUS args_parse(struct stub *s, EFI_FILE_HANDLE root);

/* handoff.c: the header and the firmware's identity. */
void handoff_init(struct keel_handoff *h, uint64_t tsc_efi_main);

/* kernel.c, initrd.c: the two files the kernel needs. */
EFI_STATUS kernel_load(struct stub *s, EFI_FILE_HANDLE root);
EFI_STATUS initrd_load(struct stub *s, EFI_FILE_HANDLE root);

/*
 * gop.c, acpi.c, trampoline.c: what the firmware can tell, all optional.
 * gop_probe needs s->ranges[0..count), a dry-run conversion without a
 * framebuffer, to refuse a framebuffer that overlaps RAM.
 */
void gop_probe(struct stub *s, size_t count);
void acpi_find_rsdp(struct stub *s);
/* After paging_build: drop an RSDP the kernel could not reach (warning). */
void acpi_keep_if_mapped(struct stub *s);
void trampoline_reserve(struct stub *s);

/* memmap.c: the UEFI map and its conversion into the handoff's ranges. */
EFI_STATUS memmap_alloc(struct memmap *m);
EFI_STATUS memmap_get(struct memmap *m);
EFI_STATUS memmap_read(struct memmap *m);
EFI_STATUS memmap_alloc_ranges(struct stub *s);
int memmap_convert(const struct stub *s, size_t *count);
uint64_t memmap_ram_end(const struct keel_mem_range *r, size_t count);

/*
 * paging.c: the kernel's first page tables. paging_phys_limit: the end of the
 * physical memory a direct map can cover on this CPU (s->cpu probed).
 * paging_build sizes the direct map from s->ranges[0..count) and the kept
 * framebuffer.
 */
uint64_t paging_phys_limit(const struct cpu_features *cpu);
EFI_STATUS paging_build(struct stub *s, size_t count);

/* launch.c: the switch routine's pages, the boot stack and the jump. */
EFI_STATUS launch_prepare(struct stub *s);
EFI_STATUS launch_kernel(struct stub *s);

/* inspect.c: `keel.efi handoff`. */
void inspect_print(const struct stub *s, size_t range_count);

/* serial.c: COM1, for the one message after ExitBootServices. */
_Noreturn void serial_fail_and_halt(const char *msg);

#endif
