/*
 * kernel/arch/x86_64/usercopy.h: copying between the kernel and user memory
 * (DESIGN.md §3: user memory is touched only here). The range is checked to
 * lie in the user half, and a fault during the copy (unmapped, or not
 * writable) ends the copy with -KEEL_EFAULT instead of a crash. With SMAP on,
 * EFLAGS.AC is set for exactly the copy.
 */
#ifndef KEEL_ARCH_X86_64_USERCOPY_H
#define KEEL_ARCH_X86_64_USERCOPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct trap_frame;

/* 0, or -KEEL_EFAULT (a bad range, or a fault on the way: part may be copied). */
int usercopy_from(void *dst, uint64_t user_src, size_t n);
int usercopy_to(uint64_t user_dst, const void *src, size_t n);

/* trap.c: a kernel fault inside the copy resumes at its fixup; true when it was one. */
bool usercopy_fixup_fault(struct trap_frame *f);

#endif
