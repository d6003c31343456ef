/*
 * kernel/core/devobj.c: interrupts, I/O port ranges and device memory as
 * objects (devobj.h).
 *
 * An interrupt object claims one GSI from its creation to its end (the list
 * devobj_irqs); binding gives it a vector, whose entry in devobj_vectors is
 * what the interrupt handler finds. Both are under devobj_lock. An MSI
 * object (KEEL_IRQ_MSI) claims no line: binding gives it a vector and the
 * APIC ID its device's messages go to; it is on devobj_irqs too (one list
 * to unlink from) but never matches a GSI.
 *
 * A DMA object (KEEL_OBJ_DMA) is the capability that
 * object_create(KEEL_OBJ_DMAMEM) asks for instead of the resource, and the
 * keeper of the DMA VMOs made with it: each holds a reference from the DMA
 * object, so its pages stay out of the page allocator until the DMA object
 * itself goes, whatever the driver closed or however it died. A device may
 * go on writing into them until someone turns its bus mastering off; init
 * keeps its own handle on a driver's DMA object until it has done so.
 *
 * COM1 (0x3f8-0x3ff) is the kernel's serial console at boot and the
 * user-space uart driver's device after: an I/O port object overlapping it
 * holds the serial sink (console_sink_hold) from its creation to its end, so
 * the kernel stays off the UART while a driver may use it, and reprograms it
 * when the last such object is gone (console.c counts the holds under its own
 * lock; devobj_lock is not needed for them). Device memory overlapping the
 * framebuffer holds the framebuffer console the same way (vmo_hold_console):
 * the kernel draws nothing while a driver may, and clears the screen and
 * shows the log's last lines when the last such object goes.
 */
#include "core/devobj.h"

#include <stddef.h>

#include <keel/syscall.h>

#include "acpi/boot.h"
#include "arch/x86_64/ioapic.h"
#include "arch/x86_64/iopb.h"
#include "arch/x86_64/irq.h"
#include "arch/x86_64/mmio.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/percpu.h"
#include "core/arch.h"
#include "core/console.h"
#include "core/ipc.h"
#include "core/ipc_impl.h"
#include "core/klog.h"
#include "core/spinlock.h"
#include "core/thread.h"
#include "core/vmo.h"
#include "dev/fbcon.h"
#include "lib/kstring.h"
#include "mm/kslab.h"

#define DEVOBJ_PHYS_LIMIT     (1ull << 52) /* the architecture's largest physical address */
#define DEVOBJ_ISA_IRQS       16
#define DEVOBJ_COM1           0x3f8 /* the serial console's UART: 8 ports */
#define DEVOBJ_COM1_PORTS     8
#define DEVOBJ_MSI_BASE       0xfee00000ull /* an MSI address: the LAPICs (SDM §11.11.1) */
#define DEVOBJ_MSI_DEST_SHIFT 12
#define DEVOBJ_MSI_DEST_MAX   0xff /* 8 destination bits without interrupt remapping */
#define DEVOBJ_DMA32_LIMIT    (1ull << 32)

struct devobj_irq {
	struct object obj;
	struct devobj_irq *next; /* on devobj_irqs */
	uint32_t gsi;
	uint8_t polarity, trigger; /* ACPI_POLARITY_*, ACPI_TRIGGER_* */
	uint32_t vector;           /* 0: not bound */
	bool msi;                  /* message-signalled: no GSI, nothing to mask */
	uint8_t msi_dest;          /* MSI, bound: the APIC ID its messages name */
	bool masked;               /* bound, fired and not yet acknowledged (a line only) */
	struct object *notif;      /* bound: holds a reference */
	uint64_t bits;
};

struct devobj_ioport {
	struct object obj;
	uint32_t base, count;
	bool console; /* overlaps COM1: holds the serial sink */
};

struct devobj_dma {
	struct object obj;
	struct spinlock lock; /* guards kept */
	struct object *kept;  /* the DMA VMOs made with it (vmo_keep), each with a reference */
};

union devobj_any {
	struct devobj_irq irq;
	struct devobj_ioport ioport;
	struct devobj_dma dma;
};

static struct object devobj_root = {KEEL_OBJ_RESOURCE, 1}; /* the kernel's reference: never 0 */
static struct kslab_cache devobj_cache;
static bool devobj_cache_ready;
static struct spinlock devobj_lock = SPINLOCK_INIT;
static struct devobj_irq *devobj_irqs;                            /* every interrupt object */
static struct devobj_irq *devobj_vectors[IRQ_VECTOR_IO_LAST + 1]; /* bound ones by vector */
static uint64_t devobj_count;                                     /* atomic: devobj_live */
static uint64_t devobj_delivered; /* atomic: devobj_irqs_delivered */

/* The ports the kernel drives itself (devobj.h lists them with their reasons). */
static const struct {
	uint16_t base, count;
} devobj_kernel_ports[] = {
    {0x20, 2}, {0x40, 4}, {0x61, 1}, {0x80, 1}, {0xa0, 2}, {0xf4, 1}, {0x8900, 1},
};

struct object *devobj_resource_root(void)
{
	ipc_object_ref(&devobj_root);
	return &devobj_root;
}

int64_t devobj_resource_add(struct process *p)
{
	/* The root is never freed, so it needs no reference of its own here. */
	return ipc_handle_add(p, &devobj_root, KEEL_RIGHTS_ALL);
}

uint64_t devobj_irqs_delivered(void)
{
	return __atomic_load_n(&devobj_delivered, __ATOMIC_RELAXED);
}

uint64_t devobj_live(void)
{
	return __atomic_load_n(&devobj_count, __ATOMIC_RELAXED);
}

/* An object of the cache, zeroed, with one reference (interrupts off), or NULL. */
static void *devobj_alloc(uint32_t type)
{
	struct object *o;

	if (!devobj_cache_ready) {
		if (kslab_cache_init(&devobj_cache, "devobj", sizeof(union devobj_any), 64) != 0)
			return NULL;
		devobj_cache_ready = true;
	}
	o = kslab_alloc(&devobj_cache);
	if (!o)
		return NULL;
	memset(o, 0, sizeof(union devobj_any));
	o->type = type;
	o->refs = 1;
	__atomic_fetch_add(&devobj_count, 1, __ATOMIC_RELAXED);
	return o;
}

static void devobj_free(struct object *o)
{
	kslab_free(&devobj_cache, o);
	__atomic_fetch_sub(&devobj_count, 1, __ATOMIC_RELAXED);
}

/* A handle with every right to obj in the caller's table; obj's creation reference is dropped. */
static int64_t devobj_give(struct object *obj)
{
	int64_t h = ipc_handle_add(thread_current()->proc, obj, KEEL_RIGHTS_ALL);

	ipc_object_unref(obj);
	return h;
}

/* ---- Interrupts ---- */

/* The GSI, polarity and trigger of the interrupt `arg` names (devobj.h). */
static int devobj_irq_line(uint64_t arg, uint32_t *gsi, uint8_t *polarity, uint8_t *trigger)
{
	const struct acpi_madt *m = &acpi_boot_info()->madt;
	uint32_t kernel_gsi[2];
	uint8_t pol, trig;

	if (arg > UINT32_MAX)
		return -KEEL_EINVAL;
	if (arg < DEVOBJ_ISA_IRQS) {
		ioapic_isa_irq(m, (uint8_t)arg, gsi, polarity, trigger);
	} else {
		*gsi = (uint32_t)arg;
		*polarity = ACPI_POLARITY_LOW;
		*trigger = ACPI_TRIGGER_LEVEL;
	}
	if (!ioapic_has_gsi(*gsi))
		return -KEEL_ENOENT;
	/* The PIT's IRQ 0 and the cascade's IRQ 2, wherever the overrides put them. */
	ioapic_isa_irq(m, 0, &kernel_gsi[0], &pol, &trig);
	ioapic_isa_irq(m, 2, &kernel_gsi[1], &pol, &trig);
	if (arg == 0 || arg == 2 || *gsi == kernel_gsi[0] || *gsi == kernel_gsi[1])
		return -KEEL_EBUSY;
	return 0;
}

static int64_t devobj_irq_create(uint64_t arg, uint64_t arg2)
{
	struct devobj_irq *o;
	uint32_t gsi = 0;
	uint8_t polarity = 0, trigger = 0;
	uint64_t flags;
	bool msi = arg == KEEL_IRQ_MSI;
	int err = arg2 != 0 ? -KEEL_EINVAL
		  : msi     ? 0
			    : devobj_irq_line(arg, &gsi, &polarity, &trigger);

	if (err != 0)
		return err;
	flags = spin_lock_irqsave(&devobj_lock);
	for (o = msi ? NULL : devobj_irqs; o; o = o->next)
		if (!o->msi && o->gsi == gsi)
			break;
	if (o) {
		spin_unlock_irqrestore(&devobj_lock, flags);
		return -KEEL_EBUSY;
	}
	o = devobj_alloc(KEEL_OBJ_IRQ);
	if (o) {
		o->msi = msi;
		o->gsi = gsi;
		o->polarity = polarity;
		o->trigger = trigger;
		o->next = devobj_irqs;
		devobj_irqs = o;
	}
	spin_unlock_irqrestore(&devobj_lock, flags);
	return o ? devobj_give(&o->obj) : -KEEL_ENOMEM;
}

/*
 * An MSI object's vector and destination: this CPU, or the boot CPU when its
 * APIC ID does not fit the message's 8 bits. devobj_lock held, o->vector set.
 */
static int devobj_msi_route(struct devobj_irq *o)
{
	uint32_t dest = percpu_this()->apic_id;

	if (dest > DEVOBJ_MSI_DEST_MAX)
		dest = percpu_boot.apic_id;
	if (dest > DEVOBJ_MSI_DEST_MAX)
		return -KEEL_EBUSY;
	o->msi_dest = (uint8_t)dest;
	return 0;
}

/*
 * Give o a free vector: route its line to this CPU (or the boot CPU),
 * unmasked, or for MSI pick its destination. devobj_lock held.
 */
static int devobj_irq_route(struct devobj_irq *o)
{
	uint32_t v, dest = percpu_this()->apic_id;
	int r;

	for (v = IRQ_VECTOR_IO_FIRST; v <= IRQ_VECTOR_IO_LAST && devobj_vectors[v]; v++)
		;
	if (v > IRQ_VECTOR_IO_LAST)
		return -KEEL_EBUSY;
	/* In the table first: the line may fire as soon as it is routed. */
	devobj_vectors[v] = o;
	o->vector = v;
	if (o->msi) {
		r = devobj_msi_route(o);
		if (r != 0)
			devobj_vectors[v] = NULL, o->vector = 0;
		return r;
	}
	r = ioapic_route_gsi(o->gsi, o->polarity, o->trigger, v, dest);
	if (r == IOAPIC_EDEST)
		r = ioapic_route_gsi(o->gsi, o->polarity, o->trigger, v, percpu_boot.apic_id);
	if (r != IOAPIC_OK) {
		devobj_vectors[v] = NULL;
		o->vector = 0;
		return -KEEL_EBUSY;
	}
	return 0;
}

int64_t devobj_sys_irq_bind(uint64_t h, uint64_t nh, uint64_t bit, uint64_t a3, uint64_t a4,
			    uint64_t a5)
{
	struct object *obj, *notif;
	struct devobj_irq *o;
	uint64_t flags;
	int err = ipc_handle_get(nh, KEEL_OBJ_NOTIFICATION, KEEL_RIGHT_SIGNAL, &notif);

	(void)a3, (void)a4, (void)a5;
	if (err != 0)
		return err;
	/* A notification or an endpoint (any rights): an "owner gone" watch (core/watch.c). */
	err = ipc_handle_get(h, HANDLE_TYPE_ANY, 0, &obj);
	if (err == 0 && (obj->type == KEEL_OBJ_NOTIFICATION || obj->type == KEEL_OBJ_ENDPOINT)) {
		err = bit > 62 ? -KEEL_EINVAL : watch_bind(obj, (struct notification *)notif, bit);
		ipc_object_unref(obj);
		ipc_object_unref(notif);
		return err;
	}
	if (err == 0 && obj->type == KEEL_OBJ_LOG) {
		/* The log (core/klog.c): the bit is set when text is added. */
		ipc_object_unref(obj);
		err = ipc_handle_get(h, KEEL_OBJ_LOG, KEEL_RIGHT_READ, &obj);
		if (err == 0) {
			err = klog_bind(obj, notif, bit);
			ipc_object_unref(obj);
		}
		ipc_object_unref(notif);
		return err;
	}
	if (err == 0) {
		ipc_object_unref(obj);
		err = ipc_handle_get(h, KEEL_OBJ_IRQ, KEEL_RIGHT_WRITE, &obj);
	}
	if (err != 0) {
		ipc_object_unref(notif);
		return err;
	}
	o = (struct devobj_irq *)obj;
	/* Bits are 63 wide (signal's rule). */
	if (bit > 62)
		err = -KEEL_EINVAL;
	flags = spin_lock_irqsave(&devobj_lock);
	if (err == 0 && o->vector)
		err = -KEEL_EBUSY;
	if (err == 0) {
		o->notif = notif; /* the binding keeps this reference */
		o->bits = 1ull << bit;
		o->masked = false;
		err = devobj_irq_route(o);
		if (err != 0)
			o->notif = NULL;
	}
	spin_unlock_irqrestore(&devobj_lock, flags);
	if (err != 0)
		ipc_object_unref(notif);
	ipc_object_unref(obj);
	return err;
}

int64_t devobj_sys_irq_ack(uint64_t h, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
			   uint64_t a5)
{
	struct object *obj;
	struct devobj_irq *o;
	uint64_t flags;
	int err = ipc_handle_get(h, KEEL_OBJ_IRQ, KEEL_RIGHT_WRITE, &obj);

	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	if (err != 0)
		return err;
	o = (struct devobj_irq *)obj;
	flags = spin_lock_irqsave(&devobj_lock);
	if (!o->vector) {
		err = -KEEL_EINVAL;
	} else if (o->masked) { /* never for MSI: nothing was masked */
		o->masked = false;
		ioapic_set_masked(o->gsi, false);
	}
	spin_unlock_irqrestore(&devobj_lock, flags);
	ipc_object_unref(obj);
	return err;
}

bool devobj_irq_handle(uint32_t vector)
{
	struct devobj_irq *o;
	struct object *notif;
	uint64_t bits;

	if (vector < IRQ_VECTOR_IO_FIRST || vector > IRQ_VECTOR_IO_LAST)
		return false;
	spin_lock(&devobj_lock); /* interrupt context: interrupts are off */
	o = devobj_vectors[vector];
	if (!o) {
		spin_unlock(&devobj_lock);
		return false;
	}
	/*
	 * A line is masked until irq_ack: a level-triggered line stays asserted
	 * until its driver acts. A message is an edge: nothing stays asserted.
	 */
	if (!o->msi) {
		ioapic_set_masked(o->gsi, true);
		o->masked = true;
	}
	notif = o->notif;
	bits = o->bits;
	ipc_object_ref(notif);
	spin_unlock(&devobj_lock);
	/* Without devobj_lock: the wake-up may cross-call another CPU. */
	ipc_notification_signal(notif, bits);
	ipc_object_unref(notif);
	__atomic_fetch_add(&devobj_delivered, 1, __ATOMIC_RELAXED);
	return true;
}

static void devobj_irq_destroy(struct devobj_irq *o)
{
	struct devobj_irq **pp;
	struct object *notif = NULL;
	uint64_t flags = spin_lock_irqsave(&devobj_lock);

	if (o->vector) {
		/* Masked and unrouted before the vector is reused (an MSI: the driver's job). */
		if (!o->msi)
			ioapic_mask_gsi(o->gsi);
		devobj_vectors[o->vector] = NULL;
		notif = o->notif;
	}
	for (pp = &devobj_irqs; *pp != o; pp = &(*pp)->next)
		;
	*pp = o->next;
	spin_unlock_irqrestore(&devobj_lock, flags);
	if (notif)
		ipc_object_unref(notif);
	devobj_free(&o->obj);
}

int devobj_sys_msi(uint64_t h, struct keel_msi *out)
{
	struct object *obj;
	struct devobj_irq *o;
	uint64_t flags;
	int err = ipc_handle_get(h, KEEL_OBJ_IRQ, KEEL_RIGHT_READ, &obj);

	if (err != 0)
		return err;
	o = (struct devobj_irq *)obj;
	memset(out, 0, sizeof(*out));
	flags = spin_lock_irqsave(&devobj_lock);
	if (!o->msi || !o->vector) {
		err = -KEEL_EINVAL;
	} else {
		/* Physical destination mode, no redirection hint; data: fixed, edge. */
		out->address = DEVOBJ_MSI_BASE | (uint64_t)o->msi_dest << DEVOBJ_MSI_DEST_SHIFT;
		out->data = o->vector;
	}
	spin_unlock_irqrestore(&devobj_lock, flags);
	ipc_object_unref(obj);
	return err;
}

/* ---- DMA ---- */

static int64_t devobj_dma_create(uint64_t arg, uint64_t arg2)
{
	struct object *o;
	uint64_t flags;

	if (arg != 0 || arg2 != 0)
		return -KEEL_EINVAL;
	flags = spin_lock_irqsave(&devobj_lock);
	o = devobj_alloc(KEEL_OBJ_DMA);
	spin_unlock_irqrestore(&devobj_lock, flags);
	return o ? devobj_give(o) : -KEEL_ENOMEM;
}

/* object_create(KEEL_OBJ_DMAMEM, size, flags, dma): a DMA VMO (include/keel/syscall.h). */
static int64_t devobj_dmamem_create(uint64_t size, uint64_t flags, uint64_t dma)
{
	struct object *cap, *vmo;
	struct devobj_dma *d;
	uint64_t irq;
	int err;

	if (flags & ~(uint64_t)KEEL_DMAMEM_BELOW_4G)
		return -KEEL_EINVAL;
	err = ipc_handle_get(dma, KEEL_OBJ_DMA, KEEL_RIGHT_MANAGE, &cap);
	if (err != 0)
		return err;
	d = (struct devobj_dma *)cap;
	err = vmo_create_contiguous(
	    size, (flags & KEEL_DMAMEM_BELOW_4G) ? DEVOBJ_DMA32_LIMIT : ~0ull, &vmo);
	if (err == 0) {
		irq = spin_lock_irqsave(&d->lock);
		vmo_keep(&d->kept, vmo);
		spin_unlock_irqrestore(&d->lock, irq);
	}
	ipc_object_unref(cap); /* the VMO does not keep the DMA object: the other way round */
	return err != 0 ? err : devobj_give(vmo);
}

static void devobj_dma_destroy(struct devobj_dma *d)
{
	/* Its last reference: nobody else reaches the list now. */
	vmo_keep_release(d->kept);
	devobj_free(&d->obj);
}

/* ---- I/O ports ---- */

/* Whether [base, base + count) overlaps a port the kernel drives. */
static bool devobj_ports_kernel(uint32_t base, uint32_t count)
{
	const struct acpi_fadt *f = &acpi_boot_info()->fadt;
	uint64_t pm;

	for (size_t i = 0; i < sizeof(devobj_kernel_ports) / sizeof(devobj_kernel_ports[0]); i++)
		if (base < devobj_kernel_ports[i].base + devobj_kernel_ports[i].count &&
		    devobj_kernel_ports[i].base < base + count)
			return true;
	if (f->present && f->pm_timer && f->pm_timer_reg.space == ACPI_SPACE_IO) {
		pm = f->pm_timer_reg.address;
		if (base < pm + 4 && pm < base + count)
			return true;
	}
	return false;
}

static int64_t devobj_ioport_create(uint64_t base, uint64_t count)
{
	struct devobj_ioport *o;
	uint64_t flags;

	if (count == 0)
		return -KEEL_EINVAL;
	if (base >= IOPB_PORTS || count > IOPB_PORTS - base)
		return -KEEL_ERANGE;
	if (devobj_ports_kernel((uint32_t)base, (uint32_t)count))
		return -KEEL_EBUSY;
	flags = spin_lock_irqsave(&devobj_lock);
	o = devobj_alloc(KEEL_OBJ_IOPORT);
	spin_unlock_irqrestore(&devobj_lock, flags);
	if (!o)
		return -KEEL_ENOMEM;
	o->base = (uint32_t)base;
	o->count = (uint32_t)count;
	o->console = base < DEVOBJ_COM1 + DEVOBJ_COM1_PORTS && DEVOBJ_COM1 < base + count;
	/* Before any handle exists: no process can touch the UART while the kernel prints. */
	if (o->console)
		console_sink_hold(arch_serial_sink());
	return devobj_give(&o->obj);
}

int64_t devobj_sys_ioport_enable(uint64_t h, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
				 uint64_t a5)
{
	struct process *p = thread_current()->proc;
	struct devobj_ioport *o;
	uint64_t flags;
	void *obj;
	int err;

	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	/* Under the process lock: the handle stays open, and enables of one process are serialised.
	 */
	flags = spin_lock_irqsave(&p->lock);
	err = handle_get(&p->handles, h, KEEL_OBJ_IOPORT, KEEL_RIGHT_WRITE, &obj);
	if (err == 0) {
		o = obj;
		err = iopb_enable(p, o->base, o->count);
	}
	spin_unlock_irqrestore(&p->lock, flags);
	return err;
}

/* ---- Device memory ---- */

/* Whether [phys, phys + size) overlaps a page of the kernel's own devices. */
static bool devobj_mem_kernel(uint64_t phys, uint64_t size)
{
	const struct acpi_info *a = acpi_boot_info();
	uint64_t pages[2 + 2 * ACPI_MAX_IOAPICS + 2];
	uint32_t n = 0;

	pages[n++] = 0xfee00000; /* the LAPIC's default */
	if (a->madt.present)
		pages[n++] = a->madt.lapic_address;
	for (uint32_t i = 0; a->madt.present && i < a->madt.ioapic_count && i < ACPI_MAX_IOAPICS;
	     i++)
		pages[n++] = a->madt.ioapics[i].address;
	/* The ones in use too: without a MADT, the PC default ioapic.c probed. */
	for (uint32_t i = 0; i < ioapic_count() && i < ACPI_MAX_IOAPICS; i++)
		pages[n++] = ioapic_get(i)->phys;
	if (a->hpet.present)
		pages[n++] = a->hpet.address;
	if (a->fadt.present && a->fadt.pm_timer && a->fadt.pm_timer_reg.space == ACPI_SPACE_MEMORY)
		pages[n++] = a->fadt.pm_timer_reg.address;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t page = pages[i] & ~(uint64_t)(KEEL_PAGE_SIZE - 1);

		if (phys < page + KEEL_PAGE_SIZE && page < phys + size)
			return true;
	}
	return false;
}

static int64_t devobj_mem_create(uint64_t phys, uint64_t size)
{
	const struct console_sink *sink;
	struct object *vmo;
	int err;

	if (size == 0 || ((phys | size) & (KEEL_PAGE_SIZE - 1)))
		return -KEEL_EINVAL;
	if (phys >= DEVOBJ_PHYS_LIMIT || size > DEVOBJ_PHYS_LIMIT - phys)
		return -KEEL_ERANGE;
	if (size > VMO_SIZE_MAX)
		return -KEEL_E2BIG;
	if (mmio_overlaps_ram(phys, size) || devobj_mem_kernel(phys, size))
		return -KEEL_EBUSY;
	err = vmo_create_phys(phys, size, PAGING_CACHE_UC, &vmo);
	if (err != 0)
		return err;
	/* Over the framebuffer: the kernel stops drawing before any handle exists. */
	if ((sink = fbcon_sink_over(phys, size)) != NULL)
		vmo_hold_console(vmo, sink);
	return devobj_give(vmo);
}

/* ---- Creation and destruction ---- */

int64_t devobj_sys_create(uint64_t type, uint64_t arg, uint64_t arg2, uint64_t resource)
{
	struct object *r;
	int err;

	if (type == KEEL_OBJ_RESOURCE)
		return -KEEL_EINVAL;
	if (type == KEEL_OBJ_DMAMEM)
		return devobj_dmamem_create(arg, arg2,
					    resource); /* a DMA handle, not the resource */
	err = ipc_handle_get(resource, KEEL_OBJ_RESOURCE, KEEL_RIGHT_MANAGE, &r);
	if (err != 0)
		return err;
	ipc_object_unref(r); /* the root: never freed */
	switch (type) {
	case KEEL_OBJ_IRQ: return devobj_irq_create(arg, arg2);
	case KEEL_OBJ_IOPORT: return devobj_ioport_create(arg, arg2);
	case KEEL_OBJ_DEVMEM: return devobj_mem_create(arg, arg2);
	case KEEL_OBJ_LOG: return klog_object_create(arg, arg2); /* core/klog.c */
	case KEEL_OBJ_DMA: return devobj_dma_create(arg, arg2);
	}
	return -KEEL_EINVAL;
}

void devobj_destroy(struct object *obj)
{
	switch (obj->type) {
	case KEEL_OBJ_IRQ: devobj_irq_destroy((struct devobj_irq *)obj); break;
	case KEEL_OBJ_IOPORT:
		if (((struct devobj_ioport *)obj)->console)
			console_sink_release(arch_serial_sink()); /* the last one resets the UART */
		devobj_free(obj);
		break;
	case KEEL_OBJ_LOG: klog_object_destroy(obj); break;
	case KEEL_OBJ_DMA: devobj_dma_destroy((struct devobj_dma *)obj); break;
	default: break; /* the root resource keeps the kernel's reference */
	}
}
