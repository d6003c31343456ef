/*
 * efi/switch.S: the last instructions of keel.efi. They run in place, from the
 * image's .text: the firmware maps that executable however strict its NX
 * policy for new allocations is (EDK2's PcdDxeNxMemoryProtectionPolicy, the
 * Microsoft mitigations), whereas a page the stub allocated and copied code
 * into may be mapped NX and fault, silently, after ExitBootServices.
 * paging.c identity-maps the page(s) between switch_to_kernel and
 * switch_code_end in the new tables, so the code keeps running across the
 * CR3 load. The routine starts a page of its own (.p2align 12) and is far
 * shorter than a page, so that is one page. It touches no memory but the new
 * stack.
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
	.globl switch_to_kernel
	.globl switch_code_end
	.p2align 12
switch_to_kernel:
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
