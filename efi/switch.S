/*
 * efi/switch.S: the last instructions of keel.efi. launch.c copies the bytes
 * between switch_code_start and switch_code_end into a page of their own that
 * is mapped at the same address in the firmware's page tables and in the new
 * ones (identity), so the code keeps running across the CR3 load. It is
 * position-independent and touches no memory but the new stack.
 *
 * Register contract (called from C with the Microsoft x64 convention):
 *   rcx  physical address of the new PML4
 *   rdx  boot stack top (direct-map address, 16-byte aligned)
 *   r8   handoff (direct-map address), becomes rdi for the kernel
 *   r9   kernel entry point
 * Interrupts are off. Never returns: the kernel starts with rsp = rdx - 8
 * (a zero return address pushed, as if called) and rdi = the handoff.
 */
	.text
	.globl switch_code_start
	.globl switch_code_end
	.p2align 4
switch_code_start:
	mov %rcx, %cr3
	/* Toggling CR4.PGE drops global TLB entries the firmware may have made. */
	mov %cr4, %rax
	mov %rax, %r10
	and $~0x80, %rax
	mov %rax, %cr4
	mov %r10, %cr4
	mov %rdx, %rsp
	pushq $0
	mov %r8, %rdi
	xor %ebp, %ebp
	jmp *%r9
switch_code_end:
