/*
 * kernel/core/devobj.h: device objects (DESIGN.md §6, §7): interrupts, I/O
 * port ranges and device memory, carved by KEEL_SYS_OBJECT_CREATE out of the
 * resource object that init receives (KEEL_OBJ_RESOURCE, with
 * KEEL_RIGHT_MANAGE), and the calls that use them: irq_bind, irq_ack and
 * ioport_enable.
 *
 * object_create(type, arg, arg2, resource), errors in this order:
 *   -KEEL_EINVAL  type KEEL_OBJ_RESOURCE (only the kernel makes one);
 *   -KEEL_EBADH, -KEEL_ETYPE, -KEEL_EPERM  the resource handle: not open, not
 *                 a resource, no KEEL_RIGHT_MANAGE;
 *   then per type:
 *   KEEL_OBJ_IRQ (arg: 0-15 an ISA IRQ through the MADT's interrupt source
 *     overrides, ISA default edge/active high; 16 up a GSI, taken as PCI's
 *     level/active low since the MADT does not describe it; arg2 0):
 *     -KEEL_EINVAL arg2 not 0 or arg above 2^32; -KEEL_ENOENT no IOAPIC has
 *     that GSI; -KEEL_EBUSY the kernel's own line (ISA IRQ 0, the PIT, and 2,
 *     the cascade, and whatever GSI they reach) or a line another interrupt
 *     object holds (one per line at a time); -KEEL_ENOMEM.
 *   KEEL_OBJ_IOPORT (arg: first port, arg2: count): -KEEL_EINVAL count 0;
 *     -KEEL_ERANGE past port 0xffff; -KEEL_EBUSY overlapping a port the
 *     kernel drives itself: the 8259s (0x20-0x21, 0xa0-0xa1), the PIT
 *     (0x40-0x43), port B (0x61, PIT channel 2's gate), the POST port 0x80
 *     (the 8259 set-up's delays), QEMU's isa-debug-exit (0xf4), Bochs'
 *     shutdown port (0x8900) and the ACPI PM timer block when it is in I/O
 *     space; -KEEL_ENOMEM. COM1 (0x3f8-0x3ff) is not refused: it is handed
 *     over. While any range overlapping it exists the kernel prints nothing
 *     there (the framebuffer still shows everything); when the last one ends
 *     it sets the UART up again and prints there again. A kernel fault's
 *     report always goes to COM1 (console_force).
 *   KEEL_OBJ_DEVMEM (arg: physical address, arg2: bytes): a VMO
 *     (KEEL_OBJ_VMO) over that memory, mapped uncached, or write-combining
 *     with KEEL_MAP_WC. -KEEL_EINVAL size 0 or either unaligned to pages;
 *     -KEEL_ERANGE past 2^52; -KEEL_E2BIG above VMO_SIZE_MAX; -KEEL_EBUSY
 *     any RAM of the handoff's memory map (usable, boot-reclaim, kernel,
 *     initrd, ACPI tables and NVS, trampoline) or the kernel's own device
 *     pages (LAPIC, IOAPICs, HPET, an MMIO PM timer); -KEEL_ENOMEM. MMIO,
 *     reserved ranges, ranges absent from the map and the framebuffer are
 *     device memory.
 *   KEEL_OBJ_IRQ with arg KEEL_IRQ_MSI (arg2 0): a message-signalled
 *     interrupt, no line (include/keel/syscall.h); -KEEL_EINVAL arg2 not 0;
 *     -KEEL_ENOMEM.
 *   KEEL_OBJ_DMA (arg 0, arg2 0): the right to make DMA VMOs
 *     (include/keel/syscall.h); -KEEL_EINVAL, -KEEL_ENOMEM.
 * Each gives a handle with every right. KEEL_OBJ_DMAMEM (a DMA VMO) takes a
 * KEEL_OBJ_DMA handle where the others take the resource, with its own
 * errors (include/keel/syscall.h).
 *
 * irq_bind(object, notification, bit) with a notification or an endpoint as
 * object: an "owner gone" watch (core/watch.c, include/keel/syscall.h).
 * irq_bind(MSI interrupt, notification, bit): a free vector aimed at the
 * calling CPU (the boot CPU's when its APIC ID is above 255), whose message
 * KEEL_INFO_IRQ_MSI tells; each message sets the bit and is acknowledged at
 * the LAPIC, nothing is masked and irq_ack is a no-op. Same errors.
 * irq_bind(interrupt, notification, bit): routes the line to a free vector
 * of the calling CPU (the boot CPU's when its APIC ID does not fit an IOAPIC
 * entry), unmasked. When it fires the kernel masks the line (a level-
 * triggered line would fire again at once), sets the bit on the notification
 * and acknowledges the LAPIC; irq_ack unmasks it. Errors: the notification
 * handle (-KEEL_EBADH, -KEEL_ETYPE, -KEEL_EPERM without KEEL_RIGHT_SIGNAL),
 * the interrupt's (the same, KEEL_RIGHT_WRITE), -KEEL_EINVAL bit above
 * 62, -KEEL_EBUSY already bound (no rebinding) or no vector free. irq_ack:
 * the handle's errors, -KEEL_EINVAL not bound. The last handle closed: the
 * line masked and unrouted, the notification's reference dropped.
 *
 * ioport_enable(range): the handle's errors (KEEL_RIGHT_WRITE), -KEEL_ENOMEM;
 * then the calling process may use the range's ports with IN and OUT
 * (arch/x86_64/iopb.h) until it ends. Without it they fault (#GP).
 *
 * Locking: devobj_lock (interrupts off while held) guards the interrupt
 * objects' lines, bindings and the vector table; it nests inside the process
 * lock (a handle's close frees an object under it) and outside the IOAPIC's
 * lock. Creating and freeing a COM1 range take console_lock (console.c),
 * without devobj_lock and possibly inside the process lock. The interrupt handler takes it, never a
 * process lock, and signals the notification after dropping it.
 */
#ifndef KEEL_CORE_DEVOBJ_H
#define KEEL_CORE_DEVOBJ_H

#include <stdbool.h>
#include <stdint.h>

#include "core/ktest.h"

struct keel_msi;
struct object;
struct process;

/*
 * The root resource object, with a reference for the caller: the kernel puts
 * a handle to it (KEEL_RIGHTS_ALL) in init's start block. It is never freed.
 */
struct object *devobj_resource_root(void);

/*
 * A handle to the root resource with every right in p's table (init's start
 * block: handle[KEEL_START_RESOURCE]), or an error (-KEEL_ENOMEM).
 */
int64_t devobj_resource_add(struct process *p);

/* object_create for KEEL_OBJ_IRQ .. KEEL_OBJ_RESOURCE (ipc.c hands them over). */
int64_t devobj_sys_create(uint64_t type, uint64_t arg, uint64_t arg2, uint64_t resource);

/* Free a device object whose last reference went (ipc_object_unref). */
void devobj_destroy(struct object *obj);

/* An interrupt on `vector` (irq.c, interrupt context): whether an object owns it. */
bool devobj_irq_handle(uint32_t vector);

/* Interrupts delivered to notifications since boot (for tests). */
uint64_t devobj_irqs_delivered(void);

/* Interrupt and I/O port objects allocated and not yet freed (for leak checks). */
uint64_t devobj_live(void);

/* KEEL_INFO_IRQ_MSI of the interrupt handle h into *out: 0 or an error (syscall.h). */
int devobj_sys_msi(uint64_t h, struct keel_msi *out);

/* The system calls (syscall.c's table). */
int64_t devobj_sys_irq_bind(uint64_t irq, uint64_t notification, uint64_t bit, uint64_t a3,
			    uint64_t a4, uint64_t a5);
int64_t devobj_sys_irq_ack(uint64_t irq, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
			   uint64_t a5);
int64_t devobj_sys_ioport_enable(uint64_t range, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
				 uint64_t a5);

/* Device objects, run with user processes (devobj_tests.c). */
extern const struct ktest_suite devobj_test_suite;

#endif
