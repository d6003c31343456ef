/*
 * kernel/arch/x86_64/usercopy.c: the checked copies (usercopy.h).
 */
#include "usercopy.h"

#include <keel/syscall.h>

#include "cpufeatures.h"
#include "trap.h"
#include "trapinfo.h"

int usercopy_raw(void *dst, const void *src, size_t n); /* usercopy.S */
extern const char usercopy_fault_start[], usercopy_fault_end[], usercopy_fixup[];

/* Whether [addr, addr + n) lies in the user half (n == 0 is fine anywhere there). */
static bool usercopy_range_ok(uint64_t addr, size_t n)
{
	return addr >= KEEL_USER_BASE && addr < KEEL_USER_END && n <= KEEL_USER_END - addr;
}

/* The copy with SMAP's guard lifted for exactly its duration. */
static int usercopy(void *dst, const void *src, size_t n)
{
	bool smap = cpufeatures_on(CPUFEATURE_SMAP);
	int err;

	if (smap)
		__asm__ volatile("stac" : : : "memory");
	err = usercopy_raw(dst, src, n);
	if (smap)
		__asm__ volatile("clac" : : : "memory");
	return err;
}

int usercopy_from(void *dst, uint64_t user_src, size_t n)
{
	if (!usercopy_range_ok(user_src, n))
		return -KEEL_EFAULT;
	return usercopy(dst, (const void *)(uintptr_t)user_src, n);
}

int usercopy_to(uint64_t user_dst, const void *src, size_t n)
{
	if (!usercopy_range_ok(user_dst, n))
		return -KEEL_EFAULT;
	return usercopy((void *)(uintptr_t)user_dst, src, n);
}

bool usercopy_fixup_fault(struct trap_frame *f)
{
	if ((f->vector != TRAP_PF && f->vector != TRAP_GP) ||
	    f->rip < (uint64_t)(uintptr_t)usercopy_fault_start ||
	    f->rip >= (uint64_t)(uintptr_t)usercopy_fault_end)
		return false;
	f->rip = (uint64_t)(uintptr_t)usercopy_fixup;
	return true;
}
