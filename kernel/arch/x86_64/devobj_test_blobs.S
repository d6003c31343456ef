/*
 * kernel/arch/x86_64/devobj_test_blobs.S: the user programs of the device
 * object tests (core/devobj_tests.c), as data like vmo_test_blobs.S:
 * position-independent code that the test copies to a user page and runs as
 * a process of its own.
 *
 * Register contract of each blob: entered at its first byte in ring 3 with
 * rsp at the top of a stack; the test's parameters (a resource handle and
 * physical addresses, devobj_test_blobs.h) are at DEV_BLOB_PARAMS in the
 * same page. Each ends with exit (0, or the number of the step that went
 * wrong) or by faulting on purpose.
 */
#include <keel/syscall.h>

#include "user_blob_macros.h"

#include "devobj_test_blobs.h"

/* object_create(type, arg, arg2, resource): each a register or an immediate. */
.macro CREATE type, arg, arg2, res
	movq \type, %rdi
	movq \arg, %rsi
	movq \arg2, %rdx
	movq \res, %r10
	SYS KEEL_SYS_OBJECT_CREATE
.endm

.macro BIND irq, notif, bit
	movq \irq, %rdi
	movq \notif, %rsi
	movq \bit, %rdx
	SYS KEEL_SYS_IRQ_BIND
.endm

.macro ACK irq
	movq \irq, %rdi
	SYS KEEL_SYS_IRQ_ACK
.endm

.macro ENABLE range
	movq \range, %rdi
	SYS KEEL_SYS_IOPORT_ENABLE
.endm

.macro DUP h, rights
	movq \h, %rdi
	movq \rights, %rsi
	xorl %edx, %edx /* into this process */
	SYS KEEL_SYS_HANDLE_DUP
.endm

.macro CLOSE h
	movq \h, %rdi
	SYS KEEL_SYS_HANDLE_CLOSE
.endm

/*
 * The start of a blob that carves one object from the resource (in %rbx
 * from here on): step 1, `type` with the arguments bad, bad2, must be
 * refused with KEEL_EINVAL; step 2, with arg, arg2, must give a handle,
 * kept in %r12. Failures go to the blob's label 9, with the step in r15.
 */
.macro CARVE_CHECKED type, bad, bad2, arg, arg2
	movl $1, %r15d
	movq DEV_P_RESOURCE, %rbx
	CREATE \type, \bad, \bad2, %rbx
	EXPECT KEEL_EINVAL, 9f /* 1 */
	CREATE \type, \arg, \arg2, %rbx
	EXPECT_POSITIVE 9f /* 2 */
	movq %rax, %r12
.endm

/*
 * The end of a blob that holds its devices while the test looks: wait on
 * DEV_P_NOTIF (the test signals it), then exit 0, closing everything; the
 * failure exits of the steps before (label 9) exit with the step in r15.
 */
.macro HOLD_UNTIL_TOLD
	movq DEV_P_NOTIF, %rdi
	movq $-1, %rsi
	SYS KEEL_SYS_WAIT
	testq %rax, %rax
	jle 9f
	xorl %edi, %edi
	SYS KEEL_SYS_EXIT
9:	movq %r15, %rdi
	SYS KEEL_SYS_EXIT
.endm

/* CMOS register `reg` into %al (ports 0x70-0x71). */
.macro CMOS_READ reg
	movb \reg, %al
	outb %al, $0x70
	inb $0x71, %al
.endm

	.section .rodata

	.globl user_blob_dev_args, user_blob_dev_args_end
/*
 * Every class of bad argument of object_create's device types, irq_bind,
 * irq_ack, ioport_enable and map with KEEL_MAP_WC, each expecting its own
 * code (core/devobj.h), and the good calls between them. Objects stay open
 * at exit, for the exit path to clean up.
 */
user_blob_dev_args:
	movl $1, %r15d
	movq DEV_P_RESOURCE, %rbx
	CREATE $KEEL_OBJ_NOTIFICATION, $0, $0, $0
	EXPECT_POSITIVE 9f /* 1 */
	movq %rax, %r12
	/* The resource handle. */
	CREATE $KEEL_OBJ_IRQ, $8, $0, $0x12345
	EXPECT KEEL_EBADH, 9f /* 2 */
	CREATE $KEEL_OBJ_IRQ, $8, $0, %r12
	EXPECT KEEL_ETYPE, 9f /* 3 */
	DUP %rbx, $DEV_BLOB_RIGHTS_NO_MANAGE
	EXPECT_POSITIVE 9f /* 4 */
	movq %rax, %r13
	CREATE $KEEL_OBJ_IRQ, $8, $0, %r13
	EXPECT KEEL_EPERM, 9f /* 5 */
	CREATE $KEEL_OBJ_IOPORT, $0x70, $2, %r13
	EXPECT KEEL_EPERM, 9f /* 6 */
	CREATE $KEEL_OBJ_DEVMEM, DEV_P_LAPIC, $4096, %r13
	EXPECT KEEL_EPERM, 9f /* 7 */
	CREATE $KEEL_OBJ_RESOURCE, $0, $0, %rbx
	EXPECT KEEL_EINVAL, 9f /* 8 */

	/* Interrupts (without an IOAPIC, as under Bochs: on to step 33). */
	cmpq $0, DEV_P_IOAPIC
	jne 1f
	movl $33, %r15d
	jmp 2f
1:
	CREATE $KEEL_OBJ_IRQ, $8, $1, %rbx
	EXPECT KEEL_EINVAL, 9f /* 9: arg2 */
	movabsq $0x100000008, %rsi
	CREATE $KEEL_OBJ_IRQ, %rsi, $0, %rbx
	EXPECT KEEL_EINVAL, 9f /* 10: above 2^32 */
	CREATE $KEEL_OBJ_IRQ, $0, $0, %rbx
	EXPECT KEEL_EBUSY, 9f /* 11: the PIT's */
	CREATE $KEEL_OBJ_IRQ, $2, $0, %rbx
	EXPECT KEEL_EBUSY, 9f /* 12: the cascade */
	CREATE $KEEL_OBJ_IRQ, $100000, $0, %rbx
	EXPECT KEEL_ENOENT, 9f /* 13: no IOAPIC has it */
	CREATE $KEEL_OBJ_IRQ, $8, $0, %rbx
	EXPECT_POSITIVE 9f /* 14 */
	movq %rax, %r14
	CREATE $KEEL_OBJ_IRQ, $8, $0, %rbx
	EXPECT KEEL_EBUSY, 9f /* 15: one object per line */
	BIND %r14, %r12, $63
	EXPECT KEEL_EINVAL, 9f /* 16: bit 63 */
	BIND %r14, %r14, $0
	EXPECT KEEL_ETYPE, 9f /* 17: an interrupt as notification */
	BIND %rbx, %r12, $0
	EXPECT KEEL_ETYPE, 9f /* 18: a resource as interrupt (a notification is a watch) */
	BIND $0x12345, %r12, $0
	EXPECT KEEL_EBADH, 9f /* 19 */
	BIND %r14, $0x12345, $0
	EXPECT KEEL_EBADH, 9f /* 20 */
	ACK %r14
	EXPECT KEEL_EINVAL, 9f /* 21: not bound */
	ACK %r12
	EXPECT KEEL_ETYPE, 9f /* 22 */
	DUP %r14, $DEV_BLOB_RIGHT_READ
	EXPECT_POSITIVE 9f /* 23 */
	movq %rax, %r13
	BIND %r13, %r12, $1
	EXPECT KEEL_EPERM, 9f /* 24: no write right */
	ACK %r13
	EXPECT KEEL_EPERM, 9f /* 25 */
	BIND %r14, %r12, $5
	EXPECT 0, 9f /* 26 */
	BIND %r14, %r12, $6
	EXPECT KEEL_EBUSY, 9f /* 27: bound already */
	ACK %r14
	EXPECT 0, 9f /* 28 */
	CLOSE %r13
	EXPECT 0, 9f /* 29 */
	CLOSE %r14
	EXPECT 0, 9f /* 30: the line is free again */
	CREATE $KEEL_OBJ_IRQ, $8, $0, %rbx
	EXPECT_POSITIVE 9f /* 31 */
	CLOSE %rax
	EXPECT 0, 9f /* 32 */

	/* I/O ports. */
2:
	CREATE $KEEL_OBJ_IOPORT, $0x70, $0, %rbx
	EXPECT KEEL_EINVAL, 9f /* 33: none */
	CREATE $KEEL_OBJ_IOPORT, $0xffff, $2, %rbx
	EXPECT KEEL_ERANGE, 9f /* 34 */
	CREATE $KEEL_OBJ_IOPORT, $0x10000, $1, %rbx
	EXPECT KEEL_ERANGE, 9f /* 35 */
	CREATE $KEEL_OBJ_IOPORT, $0x70, $-1, %rbx
	EXPECT KEEL_ERANGE, 9f /* 36 */
	CREATE $KEEL_OBJ_IOPORT, $0x1f, $2, %rbx
	EXPECT KEEL_EBUSY, 9f /* 37: the 8259 */
	CREATE $KEEL_OBJ_IOPORT, $0x40, $4, %rbx
	EXPECT KEEL_EBUSY, 9f /* 38: the PIT */
	CREATE $KEEL_OBJ_IOPORT, $0xf4, $1, %rbx
	EXPECT KEEL_EBUSY, 9f /* 39: isa-debug-exit */
	CREATE $KEEL_OBJ_IOPORT, $0, $0x10000, %rbx
	EXPECT KEEL_EBUSY, 9f /* 40: all of them */
	CREATE $KEEL_OBJ_IOPORT, $0x70, $2, %rbx
	EXPECT_POSITIVE 9f /* 41 */
	movq %rax, %r14
	ENABLE $0x12345
	EXPECT KEEL_EBADH, 9f /* 42 */
	ENABLE %r12
	EXPECT KEEL_ETYPE, 9f /* 43 */
	DUP %r14, $DEV_BLOB_RIGHT_READ
	EXPECT_POSITIVE 9f /* 44 */
	ENABLE %rax
	EXPECT KEEL_EPERM, 9f /* 45 */
	ENABLE %r14
	EXPECT 0, 9f /* 46 */
	ENABLE %r14
	EXPECT 0, 9f /* 47: again */

	/* Device memory. */
	movq DEV_P_LAPIC, %rsi
	incq %rsi
	CREATE $KEEL_OBJ_DEVMEM, %rsi, $4096, %rbx
	EXPECT KEEL_EINVAL, 9f /* 48: unaligned */
	CREATE $KEEL_OBJ_DEVMEM, DEV_P_LAPIC, $0, %rbx
	EXPECT KEEL_EINVAL, 9f /* 49: empty */
	CREATE $KEEL_OBJ_DEVMEM, DEV_P_LAPIC, $100, %rbx
	EXPECT KEEL_EINVAL, 9f /* 50: unaligned size */
	CREATE $KEEL_OBJ_DEVMEM, $-4096, $8192, %rbx
	EXPECT KEEL_ERANGE, 9f /* 51: wraps */
	movabsq $0x10000000000000, %rsi
	CREATE $KEEL_OBJ_DEVMEM, %rsi, $4096, %rbx
	EXPECT KEEL_ERANGE, 9f /* 52: 2^52 */
	movabsq $0x100000000000, %rsi
	CREATE $KEEL_OBJ_DEVMEM, %rsi, $0x80000000, %rbx
	EXPECT KEEL_E2BIG, 9f /* 53: 2 GiB */
	CREATE $KEEL_OBJ_DEVMEM, DEV_P_RAM, $4096, %rbx
	EXPECT KEEL_EBUSY, 9f /* 54: RAM */
	CREATE $KEEL_OBJ_DEVMEM, DEV_P_LAPIC, $4096, %rbx
	EXPECT KEEL_EBUSY, 9f /* 55: the LAPIC */
	movq DEV_P_IOAPIC, %rsi
	testq %rsi, %rsi
	jz 3f
	subq $4096, %rsi
	CREATE $KEEL_OBJ_DEVMEM, %rsi, $8192, %rbx
	EXPECT KEEL_EBUSY, 9f /* 56: the IOAPIC */
	jmp 4f
3:	incq %r15
4:

	/* Write-combining on a VMO that is not device memory. */
	CREATE $KEEL_OBJ_VMO, $4096, $0, $0
	EXPECT_POSITIVE 9f /* 57 */
	movq $0, %rdi
	movq %rax, %rsi
	movq $DEV_BLOB_VA, %rdx
	xorl %r10d, %r10d
	movq $4096, %r8
	movq $(DEV_BLOB_MAP_RW | DEV_BLOB_MAP_WC), %r9
	SYS KEEL_SYS_MAP
	EXPECT KEEL_EINVAL, 9f /* 58 */
	xorl %edi, %edi
	SYS KEEL_SYS_EXIT
9:	movq %r15, %rdi
	SYS KEEL_SYS_EXIT
user_blob_dev_args_end:

	.globl user_blob_dev_noenable, user_blob_dev_noenable_end
/* Holds the CMOS ports but never enables them: IN faults (#GP). exit(step) if not. */
user_blob_dev_noenable:
	movl $1, %r15d
	CREATE $KEEL_OBJ_IOPORT, $0x70, $2, DEV_P_RESOURCE
	EXPECT_POSITIVE 9f
	inb $0x71, %al /* #GP */
	movl $99, %edi
	SYS KEEL_SYS_EXIT
9:	movq %r15, %rdi
	SYS KEEL_SYS_EXIT
user_blob_dev_noenable_end:

	.globl user_blob_dev_rtc, user_blob_dev_rtc_end
/*
 * The CMOS/RTC as a driver would use it: enable ports 0x70-0x71, read the
 * seconds register, bind IRQ 8 to bit 3 of a notification, turn the RTC's
 * periodic interrupt on (register B's PIE) and take DEV_BLOB_IRQS of them,
 * each acknowledged at the RTC (reading register C) and then with irq_ack.
 * Polls with yield, and gives up after DEV_BLOB_TIMEOUT ns: exit(100 + the
 * interrupts seen). Turns PIE off and closes the interrupt at the end.
 * Without an IOAPIC (DEV_P_IOAPIC 0) it stops after the seconds.
 */
user_blob_dev_rtc:
	movl $1, %r15d
	movq DEV_P_RESOURCE, %rbx
	subq $16, %rsp
	CREATE $KEEL_OBJ_IOPORT, $0x70, $2, %rbx
	EXPECT_POSITIVE 9f /* 1 */
	ENABLE %rax
	EXPECT 0, 9f /* 2 */
	CMOS_READ $0x00
	cmpb $0x59, %al /* seconds: BCD or binary, below 60 either way */
	ja 9f
	incq %r15 /* 3 */
	cmpq $0, DEV_P_IOAPIC
	je 6f /* no IOAPIC: the ports only */
	CREATE $KEEL_OBJ_NOTIFICATION, $0, $0, $0
	EXPECT_POSITIVE 9f /* 4 */
	movq %rax, %r12
	CREATE $KEEL_OBJ_IRQ, $8, $0, %rbx
	EXPECT_POSITIVE 9f /* 5 */
	movq %rax, %r13
	BIND %r13, %r12, $3
	EXPECT 0, 9f /* 6 */
	CMOS_READ $0x0c /* nothing stale pending */
	CMOS_READ $0x0b
	orb $0x40, %al
	movb %al, %cl
	movb $0x0b, %al
	outb %al, $0x70
	movb %cl, %al
	outb %al, $0x71
	/* The deadline in rbp. */
	call 7f
	movabsq $DEV_BLOB_TIMEOUT, %rbp
	addq (%rsp), %rbp
	xorl %r14d, %r14d
1:	movq %r12, %rdi
	xorl %esi, %esi
	SYS KEEL_SYS_WAIT
	cmpq $8, %rax
	je 2f
	cmpq $-KEEL_ETIMEDOUT, %rax
	jne 9f
	call 7f
	cmpq %rbp, (%rsp)
	ja 8f
	SYS KEEL_SYS_YIELD
	jmp 1b
2:	incq %r14
	CMOS_READ $0x0c /* the RTC lowers its line */
	ACK %r13
	testq %rax, %rax
	jnz 9f
	cmpq $DEV_BLOB_IRQS, %r14
	jb 1b
	incq %r15 /* 7 */
	CMOS_READ $0x0b
	andb $0xbf, %al
	movb %al, %cl
	movb $0x0b, %al
	outb %al, $0x70
	movb %cl, %al
	outb %al, $0x71
	CMOS_READ $0x0c
	CLOSE %r13
	EXPECT 0, 9f /* 8 */
6:	xorl %edi, %edi
	SYS KEEL_SYS_EXIT
/* info(CLOCK) into 8(%rsp) of the caller's frame, i.e. (%rsp) after the return. */
7:	movl $KEEL_INFO_CLOCK, %edi
	xorl %esi, %esi
	leaq 8(%rsp), %rdx
	movl $8, %r10d
	SYS KEEL_SYS_INFO
	ret
8:	leaq 100(%r14), %rdi
	SYS KEEL_SYS_EXIT
9:	movq %r15, %rdi
	SYS KEEL_SYS_EXIT
user_blob_dev_rtc_end:

	.globl user_blob_dev_fb, user_blob_dev_fb_end
/*
 * The framebuffer as device memory: its first page mapped write-combining,
 * its second uncached; a pixel written to each and read back. Then it waits
 * on the notification DEV_P_NOTIF (the test looks at its page tables
 * meanwhile) and exits.
 */
user_blob_dev_fb:
	movl $1, %r15d
	CREATE $KEEL_OBJ_DEVMEM, DEV_P_FB, DEV_P_FB_SIZE, DEV_P_RESOURCE
	EXPECT_POSITIVE 9f /* 1 */
	movq %rax, %rbx
	xorl %edi, %edi
	movq %rbx, %rsi
	movq $DEV_BLOB_VA, %rdx
	xorl %r10d, %r10d
	movq $4096, %r8
	movq $(DEV_BLOB_MAP_RW | DEV_BLOB_MAP_WC), %r9
	SYS KEEL_SYS_MAP
	EXPECT 0, 9f /* 2 */
	xorl %edi, %edi
	movq %rbx, %rsi
	movq $(DEV_BLOB_VA + 4096), %rdx
	movq $4096, %r10
	movq $4096, %r8
	movq $DEV_BLOB_MAP_RW, %r9
	SYS KEEL_SYS_MAP
	EXPECT 0, 9f /* 3 */
	movl $DEV_BLOB_VA, %ecx
	movl $DEV_BLOB_PIXEL, (%rcx)
	sfence
	cmpl $DEV_BLOB_PIXEL, (%rcx)
	jne 9f
	incq %r15 /* 4 */
	movl $DEV_BLOB_PIXEL, 4096(%rcx)
	cmpl $DEV_BLOB_PIXEL, 4096(%rcx)
	jne 9f
	incq %r15 /* 5 */
	HOLD_UNTIL_TOLD
user_blob_dev_fb_end:

	.globl user_blob_dev_com1, user_blob_dev_com1_end
/*
 * COM1 handed over: its 8 ports and ISA IRQ 4 (when there is an IOAPIC)
 * carved, a second range
 * overlapping the first carved and closed (the kernel must stay off the UART
 * while the first lives), the ports enabled and the line control register
 * set to 5 data bits (the kernel must set it back when the ports are gone).
 * Then it waits on DEV_P_NOTIF (the test checks the console meanwhile) and
 * exits, closing everything.
 */
user_blob_dev_com1:
	movl $1, %r15d
	movq DEV_P_RESOURCE, %rbx
	CREATE $KEEL_OBJ_IOPORT, $0x3f8, $8, %rbx
	EXPECT_POSITIVE 9f /* 1 */
	movq %rax, %r12
	cmpq $0, DEV_P_IOAPIC
	je 1f /* no IOAPIC (Bochs without ACPI): no interrupt objects at all */
	CREATE $KEEL_OBJ_IRQ, $4, $0, %rbx
	EXPECT_POSITIVE 9f /* 2 */
1:	movl $3, %r15d
	CREATE $KEEL_OBJ_IOPORT, $0x3fc, $1, %rbx
	EXPECT_POSITIVE 9f /* 3 */
	CLOSE %rax
	EXPECT 0, 9f /* 4 */
	ENABLE %r12
	EXPECT 0, 9f /* 5 */
	movw $0x3fb, %dx
	xorl %eax, %eax
	outb %al, %dx
	HOLD_UNTIL_TOLD
user_blob_dev_com1_end:

/* info(kind, handle, buf, n). */
.macro INFO kind, h, buf, n
	movq \kind, %rdi
	movq \h, %rsi
	movq \buf, %rdx
	movq \n, %r10
	SYS KEEL_SYS_INFO
.endm

	.globl user_blob_dev_dma, user_blob_dev_dma_end
/*
 * DMA memory: the DMA capability carved, every refusal of a DMA VMO and of
 * its physical address (ordinary VMO, no KEEL_RIGHT_MANAGE, short buffer),
 * then a 3-page DMA VMO below 4 GiB whose address goes to DEV_BLOB_REPORT,
 * mapped at DEV_BLOB_VA, its handles closed (the mapping keeps the pages)
 * and DEV_BLOB_PIXEL written at the start of each page. Then it waits on
 * DEV_P_NOTIF (the test checks the page tables and the memory) and exits.
 */
user_blob_dev_dma:
	/* 1-2: an argument refused, the DMA right */
	CARVE_CHECKED $KEEL_OBJ_DMA, $1, $0, $0, $0
	CREATE $KEEL_OBJ_DMAMEM, $4096, $2, %r12
	EXPECT KEEL_EINVAL, 9f /* 3: an unknown flag */
	CREATE $KEEL_OBJ_DMAMEM, $4096, $(DEV_BLOB_DMAMEM_BELOW_4G | 4), %r12
	EXPECT KEEL_EINVAL, 9f /* 4: another */
	CREATE $KEEL_OBJ_DMAMEM, $4096, $0, $0x12345
	EXPECT KEEL_EBADH, 9f /* 5 */
	CREATE $KEEL_OBJ_DMAMEM, $4096, $0, %rbx
	EXPECT KEEL_ETYPE, 9f /* 6: the resource is not the DMA right */
	DUP %r12, $DEV_BLOB_RIGHTS_NO_MANAGE
	EXPECT_POSITIVE 9f /* 7 */
	movq %rax, %r13
	CREATE $KEEL_OBJ_DMAMEM, $4096, $0, %r13
	EXPECT KEEL_EPERM, 9f /* 8 */
	CREATE $KEEL_OBJ_DMAMEM, $0, $0, %r12
	EXPECT KEEL_EINVAL, 9f /* 9 */
	CREATE $KEEL_OBJ_DMAMEM, $(DEV_BLOB_DMAMEM_MAX + 1), $0, %r12
	EXPECT KEEL_E2BIG, 9f /* 10 */
	CREATE $KEEL_OBJ_VMO, $4096, $0, $0
	EXPECT_POSITIVE 9f /* 11 */
	INFO $KEEL_INFO_VMO_PHYS, %rax, $DEV_BLOB_REPORT, $8
	EXPECT KEEL_EINVAL, 9f /* 12: an ordinary VMO has no known address */
	CREATE $KEEL_OBJ_DMAMEM, $DEV_BLOB_DMA_SIZE, $DEV_BLOB_DMAMEM_BELOW_4G, %r12
	EXPECT_POSITIVE 9f /* 13 */
	movq %rax, %r14
	INFO $KEEL_INFO_VMO_PHYS, %r14, $DEV_BLOB_REPORT, $4
	EXPECT KEEL_E2BIG, 9f /* 14 */
	INFO $KEEL_INFO_VMO_PHYS, %r14, $DEV_BLOB_REPORT, $8
	EXPECT -8, 9f /* 15: 8 bytes written */
	DUP %r14, $DEV_BLOB_RIGHTS_NO_MANAGE
	EXPECT_POSITIVE 9f /* 16 */
	movq %rax, %r13
	INFO $KEEL_INFO_VMO_PHYS, %r13, $DEV_BLOB_REPORT + 8, $8
	EXPECT KEEL_EPERM, 9f /* 17 */
	xorl %edi, %edi
	movq %r14, %rsi
	movq $DEV_BLOB_VA, %rdx
	xorl %r10d, %r10d
	movq $DEV_BLOB_DMA_SIZE, %r8
	movq $DEV_BLOB_MAP_RW, %r9
	SYS KEEL_SYS_MAP
	EXPECT 0, 9f /* 18 */
	CLOSE %r14
	EXPECT 0, 9f /* 19 */
	CLOSE %r13
	EXPECT 0, 9f /* 20 */
	movl $DEV_BLOB_VA, %ecx
1:	movl $DEV_BLOB_PIXEL, (%rcx)
	addl $4096, %ecx
	cmpl $(DEV_BLOB_VA + DEV_BLOB_DMA_SIZE), %ecx
	jb 1b
	HOLD_UNTIL_TOLD
user_blob_dev_dma_end:

	.globl user_blob_dev_msi, user_blob_dev_msi_end
/*
 * A message-signalled interrupt: the refusals before and after bind, two
 * MSI objects at once (they claim no line), one bound to bit
 * DEV_BLOB_MSI_BIT of its own notification, its struct keel_msi left at
 * DEV_BLOB_REPORT. Then it waits on DEV_P_NOTIF while the test sends that
 * vector to this CPU, finds the bit set and exits.
 */
user_blob_dev_msi:
	/* 1-2: an argument refused, the MSI object */
	CARVE_CHECKED $KEEL_OBJ_IRQ, $DEV_BLOB_IRQ_MSI, $1, $DEV_BLOB_IRQ_MSI, $0
	CREATE $KEEL_OBJ_IRQ, $DEV_BLOB_IRQ_MSI, $0, %rbx
	EXPECT_POSITIVE 9f /* 3: another: no line is claimed */
	INFO $KEEL_INFO_IRQ_MSI, %r12, $DEV_BLOB_REPORT, $16
	EXPECT KEEL_EINVAL, 9f /* 4: not bound */
	ACK %r12
	EXPECT KEEL_EINVAL, 9f /* 5 */
	CREATE $KEEL_OBJ_NOTIFICATION, $0, $0, $0
	EXPECT_POSITIVE 9f /* 6 */
	movq %rax, %r13
	BIND %r12, %r13, $DEV_BLOB_MSI_BIT
	EXPECT 0, 9f /* 7 */
	BIND %r12, %r13, $DEV_BLOB_MSI_BIT
	EXPECT KEEL_EBUSY, 9f /* 8 */
	INFO $KEEL_INFO_IRQ_MSI, %r12, $DEV_BLOB_REPORT, $8
	EXPECT KEEL_E2BIG, 9f /* 9 */
	DUP %r12, $DEV_BLOB_RIGHT_WRITE
	EXPECT_POSITIVE 9f /* 10 */
	INFO $KEEL_INFO_IRQ_MSI, %rax, $DEV_BLOB_REPORT, $16
	EXPECT KEEL_EPERM, 9f /* 11: no KEEL_RIGHT_READ */
	INFO $KEEL_INFO_IRQ_MSI, %r12, $DEV_BLOB_REPORT, $16
	EXPECT -16, 9f /* 12 */
	ACK %r12
	EXPECT 0, 9f /* 13: a no-op */
	movq DEV_P_NOTIF, %rdi
	movq $-1, %rsi
	SYS KEEL_SYS_WAIT
	EXPECT_POSITIVE 9f /* 14 */
	movq %r13, %rdi
	xorl %esi, %esi
	SYS KEEL_SYS_WAIT
	EXPECT -(1 << DEV_BLOB_MSI_BIT), 9f /* 15: the message's bit */
	xorl %edi, %edi
	SYS KEEL_SYS_EXIT
9:	movq %r15, %rdi
	SYS KEEL_SYS_EXIT
user_blob_dev_msi_end:
