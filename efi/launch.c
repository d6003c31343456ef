/*
 * efi/launch.c: the boot stack, ExitBootServices and the jump into the kernel
 * (DESIGN.md §2 step 6).
 */
#include "stub.h"

#include "lib/bootmap.h"
#include "lib/fmt.h"

/* switch.S: runs in place from .text; paging.c identity-maps its page(s). */
extern void switch_to_kernel(uint64_t pml4, uint64_t stack_top, uint64_t handoff, uint64_t entry)
    __attribute__((ms_abi, noreturn));
extern const uint8_t switch_code_end[];

EFI_STATUS launch_prepare(struct stub *s)
{
	uint64_t start = (uint64_t)(uintptr_t)&switch_to_kernel;
	uint64_t end = (uint64_t)(uintptr_t)switch_code_end;
	uint64_t first = start & ~(KEEL_PAGE_SIZE - 1);

	/* Boot services run identity-mapped: these addresses are physical too. */
	if (end <= start || end - start > KEEL_PAGE_SIZE)
		return console_error(EFI_ABORTED, "switch routine",
				     "does not fit a page (stub bug)");
	s->switch_base = first;
	s->switch_pages = stub_pages(end - first);
	return pages_alloc(EfiLoaderData, STUB_BOOT_STACK_SIZE / KEEL_PAGE_SIZE, "boot stack",
			   &s->stack_phys);
}

/*
 * After the first ExitBootServices call, failed or not: ConOut and every
 * other boot service but the memory map and allocation ones may be gone
 * (UEFI 2.10 §7.4.6), and there is no firmware left to return to safely.
 * One line on COM1, then halt.
 */
static _Noreturn void launch_fail_late(const char *what, const char *check, EFI_STATUS status)
{
	static char line[192];
	const char *name = status_name(status);

	if (name != NULL)
		fmt_snprintf(line, sizeof(line),
			     "keel.efi: error after ExitBootServices: %s: %s: %s; halted\n", what,
			     check, name);
	else
		fmt_snprintf(line, sizeof(line),
			     "keel.efi: error after ExitBootServices: %s: %s: EFI status 0x%llx; "
			     "halted\n",
			     what, check, (unsigned long long)status);
	serial_fail_and_halt(line);
}

EFI_STATUS launch_kernel(struct stub *s)
{
	struct keel_handoff *h = s->handoff;
	size_t count;
	EFI_STATUS st;

	/*
	 * Invariant: nothing may allocate memory or print between this
	 * memmap_read and ExitBootServices. Both can change the memory map
	 * (ConOut may allocate), and a changed map makes the key stale.
	 */
	st = memmap_read(&s->map);
	if (st != EFI_SUCCESS)
		return st;
	st = stub_bs->ExitBootServices(stub_image, s->map.key);
	if (st != EFI_SUCCESS) {
		/*
		 * A stale map key. From here on only GetMemoryMap and the
		 * allocation services may be called: a failure is reported on
		 * COM1, nothing is freed and nothing returns to the firmware.
		 */
		st = memmap_get(&s->map);
		if (st != EFI_SUCCESS)
			launch_fail_late("memory map",
					 "GetMemoryMap failed after ExitBootServices refused", st);
		st = stub_bs->ExitBootServices(stub_image, s->map.key);
		if (st != EFI_SUCCESS)
			launch_fail_late("ExitBootServices",
					 "failed twice, with a fresh memory map", st);
	}

	/* Boot services are gone: nothing below may call the firmware. */
	cpu_disable_interrupts();
	int rc = memmap_convert(s, &count);
	if (rc != BOOTMAP_OK)
		launch_fail_late("memory map", bootmap_strerror(rc), EFI_LOAD_ERROR);
	/* Allocations only turn RAM into RAM: the direct map still covers it all. */
	if (memmap_ram_end(s->ranges, count) > h->direct_map_size)
		launch_fail_late("memory map", "RAM beyond the direct map in the final map",
				 EFI_LOAD_ERROR);
	h->range_count = (uint32_t)count;
	if (h->flags & KEEL_HANDOFF_NX)
		cpu_wrmsr(CPU_MSR_EFER, cpu_rdmsr(CPU_MSR_EFER) | CPU_EFER_NXE);
	h->tsc_before_jump = cpu_rdtsc();
	switch_to_kernel(s->pml4, KEEL_DIRECT_MAP_BASE + s->stack_phys + STUB_BOOT_STACK_SIZE,
			 KEEL_DIRECT_MAP_BASE + (uint64_t)(uintptr_t)h, h->kernel_entry);
}
