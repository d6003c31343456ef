/*
 * kernel/arch/x86_64/entry.S: kernel_entry, where keel.efi jumps.
 *
 * Register contract (include/keel/boot.h):
 *   in:  rdi = direct-map address of struct keel_handoff (not yet checked)
 *        interrupts off; the stub's page tables (kernel segments at their
 *        link addresses, all physical memory at KEEL_DIRECT_MAP_BASE); rsp on
 *        a boot stack in the direct map; GDTR and IDTR still point at firmware
 *        memory that is no longer mapped, so no segment load and no exception
 *        may happen before the lgdt below and the lidt in kernel_main.
 *   out: kernel_main(rdi = the same handoff address, rsi = TSC at entry) on
 *        the kernel's own GDT and a 16 KiB stack in .bss, with CR0.WP set.
 *        kernel_main never returns; if it did, the CPU halts here.
 * Clobbers rax, rdx and every segment register; rdi passes through.
 */
#include "cpu.h"
#include "gdt.h"

#define BOOT_STACK_SIZE 16384

	.section .text.entry, "ax", @progbits
	.globl kernel_entry
	.type kernel_entry, @function
kernel_entry:
	cli
	/* The boot-time measurement: read the TSC before doing anything else. */
	rdtsc
	shlq $32, %rdx
	orq %rdx, %rax
	movq %rax, %rsi

	/*
	 * Without CR0.WP ring 0 may write to read-only pages: the stub maps text
	 * and rodata read-only, but the firmware may have left WP clear.
	 */
	movq %cr0, %rax
	orq $CPU_CR0_WP, %rax
	movq %rax, %cr0

	lgdt gdt_pointer(%rip)
	/* Reload CS with a far return: push the selector, then the target. */
	leaq 1f(%rip), %rax
	pushq $GDT_KERNEL_CODE
	pushq %rax
	lretq
1:	movl $GDT_KERNEL_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %eax, %fs
	movl %eax, %gs

	leaq boot_stack_top(%rip), %rsp
	xorl %ebp, %ebp /* ends frame-pointer walks here */
	cld             /* the C ABI expects DF clear */
	call kernel_main
2:	cli
	hlt
	jmp 2b
	.size kernel_entry, . - kernel_entry

/*
 * ap_entry: where the SMP trampoline (trampoline.S) jumps, on the
 * trampoline's page tables, which map the kernel as the kernel's own do.
 *   in:  rdi = the AP's struct percpu, rsi = the kernel's CR3 (PCID 0),
 *        rsp = the AP's stack top (16-byte aligned), interrupts off.
 *   out: smp_ap_main(rdi) on the kernel's page tables; it never returns.
 */
	.section .text
	.globl ap_entry
	.type ap_entry, @function
ap_entry:
	movq %rsi, %cr3
	xorl %ebp, %ebp
	cld
	call smp_ap_main
3:	cli
	hlt
	jmp 3b
	.size ap_entry, . - ap_entry

	.section .bss
	.balign 16
boot_stack:
	.skip BOOT_STACK_SIZE
boot_stack_top:
