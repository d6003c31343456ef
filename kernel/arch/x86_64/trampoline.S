/*
 * kernel/arch/x86_64/trampoline.S: where an AP starts (trampoline.h). This
 * is data to the kernel: smp.c copies it to the trampoline page P (below
 * 1 MiB) and fills in the parameters; a start-up IPI with vector P >> 12 then
 * starts the AP here in real mode with CS = P >> 4, IP = 0.
 *
 * Register contract:
 *   in:  real mode, interrupts off (the SIPI state), any CR0.
 *   out: at ap_entry (entry.S) in 64-bit mode on the trampoline's page
 *        tables, with rsp = TP_STACK, rdi = TP_ARG, rsi = TP_KCR3; EFER,
 *        CR0 and CR4 (PAE only) from the parameters. ebx holds P throughout.
 *
 * The steps are those of SDM Vol. 3A, §9.8.5: protected mode without paging,
 * then PAE, CR3, EFER.LME and paging, then a far jump into a 64-bit segment.
 * Addresses are offsets from trampoline_start: in real mode DS = P >> 4 makes
 * them work; in 32-bit and 64-bit mode they are added to ebx/rbx = P.
 */
#include "trampoline.h"

#define MSR_EFER 0xc0000080
#define CR0_PE   0x1
#define OFF(x)   ((x) - trampoline_start)
#define PARAM(x) (TRAMPOLINE_PARAMS + (x))

	.section .rodata.trampoline, "a"
	.balign 16
	.globl trampoline_start, trampoline_end, trampoline_pm32, trampoline_lm64
	.globl trampoline_gdt, trampoline_gdt_end

	.code16
trampoline_start:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	movzwl %ax, %ebx
	shll $4, %ebx
	lgdtl PARAM(TP_GDTR)
	movl %cr0, %eax
	orl $CR0_PE, %eax
	movl %eax, %cr0
	ljmpl *PARAM(TP_FAR32)

	.code32
trampoline_pm32:
	movl $TRAMPOLINE_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl PARAM(TP_CR4)(%ebx), %eax
	movl %eax, %cr4
	movl PARAM(TP_CR3)(%ebx), %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	movl PARAM(TP_EFER)(%ebx), %eax
	xorl %edx, %edx
	wrmsr
	movl PARAM(TP_CR0)(%ebx), %eax
	movl %eax, %cr0
	ljmpl *PARAM(TP_FAR64)(%ebx)

	.code64
trampoline_lm64:
	movl %ebx, %ebx /* the upper halves are undefined after the mode switch */
	movq PARAM(TP_STACK)(%rbx), %rsp
	movq PARAM(TP_ARG)(%rbx), %rdi
	movq PARAM(TP_KCR3)(%rbx), %rsi
	jmpq *PARAM(TP_ENTRY)(%rbx)

	.balign 8
trampoline_gdt:
	.quad 0                    /* null */
	.quad 0x00af9b000000ffff   /* TRAMPOLINE_CODE64: 64-bit code, DPL 0 */
	.quad 0x00cf93000000ffff   /* TRAMPOLINE_DATA: flat data */
	.quad 0x00cf9b000000ffff   /* TRAMPOLINE_CODE32: flat 32-bit code */
trampoline_gdt_end:
trampoline_end:
