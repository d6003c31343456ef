/*
 * kernel/arch/x86_64/usercopy.S: usercopy_raw, the one place the kernel
 * reads or writes user memory (usercopy.c checks the range and sets
 * EFLAGS.AC around it where SMAP is on).
 *
 * Register contract:
 *   in:  rdi = destination, rsi = source, rdx = bytes (System V ABI).
 *   out: rax = 0, or -KEEL_EFAULT when a page fault (or #GP) hit an
 *        instruction between usercopy_fault_start and usercopy_fault_end:
 *        trap.c then resumes at usercopy_fixup instead of reporting a crash.
 *   Clobbers rcx, rdi, rsi (rep movsb).
 */
#include <keel/syscall.h>

	.text
	.globl usercopy_raw, usercopy_fault_start, usercopy_fault_end, usercopy_fixup
	.balign 16
usercopy_raw:
	movq %rdx, %rcx
usercopy_fault_start:
	rep movsb
usercopy_fault_end:
	xorl %eax, %eax
	ret
usercopy_fixup:
	movq $-KEEL_EFAULT, %rax
	ret
