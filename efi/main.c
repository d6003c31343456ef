/*
 * efi/main.c: keel.efi's entry and its two modes (DESIGN.md §2): boot the
 * kernel, or (`keel.efi handoff`) print what the kernel would receive and go
 * back to the shell. Each step lives in its own file; this one only orders
 * them and owns the failure path: one error line (printed where the failure
 * was found), every page freed, a pause for a reader unless the UEFI Shell
 * started us, and the status back to the firmware.
 */
#include "stub.h"

#include "lib/bootmap.h"
#include "lib/fb.h"
#include "lib/kstring.h"

EFI_HANDLE stub_image;
EFI_SYSTEM_TABLE *stub_st;
EFI_BOOT_SERVICES *stub_bs;

/* Static rather than on the firmware's stack, which may be small. */
static struct stub stub_state;

static EFI_STATUS stub_load_files(struct stub *s)
{
	EFI_FILE_HANDLE root = NULL;
	EFI_STATUS st = file_open_volume(&root);

	if (st != EFI_SUCCESS)
		return st;
	st = args_parse(s, root);
	if (st == EFI_SUCCESS)
		st = kernel_load(s, root);
	if (st == EFI_SUCCESS)
		st = initrd_load(s, root);
	file_close(root);
	return st;
}

/* The one line a normal boot prints. */
static void stub_print_progress(const struct stub *s)
{
	const struct keel_handoff *h = s->handoff;

	console_print("keel.efi: kernel %llu KiB, initrd %llu KiB, ",
		      (unsigned long long)(h->kernel_phys_size / 1024),
		      (unsigned long long)((h->initrd_size + 1023) / 1024));
	if (h->flags & KEEL_HANDOFF_HAS_FB)
		console_print("%ux%u %s, booting\n", h->fb.width, h->fb.height,
			      fb_format_name(h->fb.format));
	else
		console_print("no framebuffer, booting\n");
}

/*
 * A dry run of the conversion bootmap will make after ExitBootServices: a
 * map it refuses is reported while the firmware can still print.
 */
static EFI_STATUS stub_dry_run(struct stub *s, size_t *count)
{
	EFI_STATUS st = memmap_read(&s->map);
	int rc;

	if (st != EFI_SUCCESS)
		return st;
	rc = memmap_convert(s, count);
	if (rc != BOOTMAP_OK)
		return console_error(EFI_LOAD_ERROR, "memory map", bootmap_strerror(rc));
	return EFI_SUCCESS;
}

static EFI_STATUS stub_run(struct stub *s, uint64_t tsc)
{
	uint64_t handoff;
	size_t count;
	EFI_STATUS st;

	args_detect_shell(s);
	st = pages_alloc(EfiLoaderData, stub_pages(sizeof(struct keel_handoff)), "handoff",
			 &handoff);
	if (st != EFI_SUCCESS)
		return st;
	s->handoff = stub_ptr(handoff);
	handoff_init(s->handoff, tsc);
	st = stub_load_files(s);
	if (st != EFI_SUCCESS)
		return st;
	cpu_probe_features(&s->cpu);
	acpi_find_rsdp(s);
	trampoline_reserve(s);
	st = launch_prepare(s);
	if (st == EFI_SUCCESS)
		st = memmap_alloc(&s->map);
	if (st == EFI_SUCCESS)
		st = memmap_alloc_ranges(s);
	/*
	 * The first dry run has no framebuffer yet: where RAM lies decides
	 * whether the GOP's framebuffer is kept and how far the direct map
	 * reaches. The page tables allocated next only turn free RAM into
	 * loader data, which changes neither.
	 */
	if (st == EFI_SUCCESS)
		st = stub_dry_run(s, &count);
	if (st != EFI_SUCCESS)
		return st;
	gop_probe(s, count);
	st = paging_build(s, count);
	if (st == EFI_SUCCESS) {
		acpi_keep_if_mapped(s);
		st = stub_dry_run(s, &count);
	}
	if (st != EFI_SUCCESS)
		return st;
	if (s->inspect) {
		inspect_print(s, count);
		return EFI_SUCCESS;
	}
	stub_print_progress(s);
	return launch_kernel(s);
}

EFI_STATUS EFIAPI efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	uint64_t tsc = cpu_rdtsc();
	EFI_STATUS status;

	if (st == NULL || st->BootServices == NULL)
		return EFI_INVALID_PARAMETER;
	stub_image = image;
	stub_st = st;
	stub_bs = st->BootServices;
	memset(&stub_state, 0, sizeof(stub_state));
	status = stub_run(&stub_state, tsc);
	/*
	 * Only a failure before ExitBootServices or inspect mode gets here
	 * (launch.c halts on a later one): give every page back.
	 */
	pages_free_all();
	if (EFI_ERROR(status) && stub_state.shell == NULL)
		console_wait_for_reader();
	return status;
}
