/*
 * efi/trampoline.c: the pages below 1 MiB that the kernel will start other
 * CPUs from (KEEL_TRAMPOLINE_PAGES; a SIPI vector addresses pages 0x01-0x9f;
 * page 0 and the EBDA/ROM area above 0x9ffff are out). Without them the
 * system still boots, on one CPU.
 */
#include "stub.h"

#define TRAMPOLINE_MAX 0x9ffffull

void trampoline_reserve(struct stub *s)
{
	uint64_t base;
	EFI_STATUS st = pages_alloc_below(TRAMPOLINE_MAX, KEEL_TRAMPOLINE_PAGES, &base);

	if (st != EFI_SUCCESS) {
		console_warn("no %d free pages below 0xa0000 for the SMP trampoline (%s); booting "
			     "without one",
			     KEEL_TRAMPOLINE_PAGES,
			     status_name(st) != NULL ? status_name(st) : "error");
		return;
	}
	s->handoff->trampoline_phys = base;
	s->handoff->flags |= KEEL_HANDOFF_HAS_TRAMPOLINE;
}
