/*
 * efi/launch.c: the switch page, the boot stack, ExitBootServices and the jump
 * into the kernel (DESIGN.md §2 step 6).
 */
#include "stub.h"

#include "lib/bootmap.h"
#include "lib/fmt.h"
#include "lib/kstring.h"

/* switch.S: the routine copied into its own identity-mapped page. */
extern const uint8_t switch_code_start[];
extern const uint8_t switch_code_end[];

typedef void (*launch_switch_fn)(uint64_t pml4, uint64_t stack_top, uint64_t handoff,
				 uint64_t entry) __attribute__((ms_abi, noreturn));

EFI_STATUS launch_prepare(struct stub *s)
{
	size_t len = (size_t)(switch_code_end - switch_code_start);
	EFI_STATUS st;

	if (len == 0 || len > KEEL_PAGE_SIZE)
		return console_error(EFI_ABORTED, "switch page", "switch routine does not fit a page");
	/* Loader code: the firmware's page tables leave it executable. */
	st = pages_alloc(EfiLoaderCode, 1, "switch page", &s->switch_page);
	if (st != EFI_SUCCESS)
		return st;
	memcpy(stub_ptr(s->switch_page), switch_code_start, len);
	return pages_alloc(EfiLoaderData, STUB_BOOT_STACK_SIZE / KEEL_PAGE_SIZE, "boot stack",
			   &s->stack_phys);
}

/* After ExitBootServices: no console, no memory services, only COM1. */
static _Noreturn void launch_fail_late(const char *check)
{
	static char line[160];

	fmt_snprintf(line, sizeof(line),
		     "keel.efi: error after ExitBootServices: memory map: %s; halted\n", check);
	serial_fail_and_halt(line);
}

EFI_STATUS launch_kernel(struct stub *s)
{
	struct keel_handoff *h = s->handoff;
	size_t count;
	EFI_STATUS st;

	st = memmap_read(&s->map);
	if (st != EFI_SUCCESS)
		return st;
	st = stub_bs->ExitBootServices(stub_image, s->map.key);
	if (st != EFI_SUCCESS) {
		/*
		 * A stale map key. The firmware may have shut down part of boot
		 * services (its timer, say): only memory services are safe now
		 * (UEFI 2.10 §7.4.6), so no pause for a reader after this.
		 */
		s->no_pause = true;
		st = memmap_get(&s->map);
		if (st != EFI_SUCCESS)
			return console_error(st, "memory map", "GetMemoryMap failed after ExitBootServices refused");
		st = stub_bs->ExitBootServices(stub_image, s->map.key);
		if (st != EFI_SUCCESS)
			return console_error(st, "ExitBootServices", "failed twice, with a fresh memory map");
	}

	/* Boot services are gone: nothing below may call the firmware. */
	cpu_disable_interrupts();
	int rc = memmap_convert(s, &count);
	if (rc != BOOTMAP_OK)
		launch_fail_late(bootmap_strerror(rc));
	h->range_count = (uint32_t)count;
	if (h->flags & KEEL_HANDOFF_NX)
		cpu_wrmsr(CPU_MSR_EFER, cpu_rdmsr(CPU_MSR_EFER) | CPU_EFER_NXE);
	h->tsc_before_jump = cpu_rdtsc();
	launch_switch_fn sw = (launch_switch_fn)(uintptr_t)s->switch_page;
	sw(s->pml4, KEEL_DIRECT_MAP_BASE + s->stack_phys + STUB_BOOT_STACK_SIZE,
	   KEEL_DIRECT_MAP_BASE + (uint64_t)(uintptr_t)h, h->kernel_entry);
}
