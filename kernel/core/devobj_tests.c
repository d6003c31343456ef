/*
 * kernel/core/devobj_tests.c: device objects (devobj.h) with the ring-3
 * programs of arch/x86_64/devobj_test_blobs.S, each given a handle to the
 * root resource: every bad argument's code, port I/O with and without
 * ioport_enable, the RTC's periodic interrupt as notification bits, the
 * framebuffer mapped write-combining, DMA memory against the page tables,
 * an MSI delivered by a self-IPI of its vector, and after each run the line
 * masked again and every page and object back.
 */
#include <keel/portio.h>
#include <keel/syscall.h>

#include "acpi/boot.h"
#include "arch/x86_64/devobj_test_blobs.h"
#include "arch/x86_64/ioapic.h"
#include "arch/x86_64/iopb.h"
#include "arch/x86_64/irq.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/tsc.h"
#include "core/arch.h"
#include "core/boot.h"
#include "core/console.h"
#include "core/devobj.h"
#include "core/ipc.h"
#include "core/ktest.h"
#include "core/thread.h"
#include "core/vmo.h"
#include "dev/fbcon.h"
#include "lib/kstring.h"
#include "mm/pmm.h"
#include "mm/vm.h"

#define TEST_STACK_TOP 0x7fff00000000ull
#define TEST_STACK     (16 * 1024)
#define TEST_TRAP_GP   13
#define TEST_RTC_IRQ   8
#define IOAPIC_MASKED  (1ull << 16)
#define TEST_COM1_LCR  0x3fb /* line control: 0x03 (8N1) as the kernel sets it */

_Static_assert(DEV_BLOB_RIGHT_READ == KEEL_RIGHT_READ && DEV_BLOB_RIGHT_WRITE == KEEL_RIGHT_WRITE &&
		   DEV_BLOB_RIGHTS_NO_MANAGE == (KEEL_RIGHTS_ALL & ~KEEL_RIGHT_MANAGE),
	       "the blobs' rights");
_Static_assert(DEV_BLOB_MAP_RW == (KEEL_MAP_READ | KEEL_MAP_WRITE) &&
		   DEV_BLOB_MAP_WC == KEEL_MAP_WC,
	       "the blobs' map flags");
_Static_assert(DEV_BLOB_DMAMEM_BELOW_4G == KEEL_DMAMEM_BELOW_4G &&
		   DEV_BLOB_DMAMEM_MAX == KEEL_DMAMEM_MAX && DEV_BLOB_IRQ_MSI == KEEL_IRQ_MSI,
	       "the blobs' DMA and MSI constants");

extern const char user_blob_dev_args[], user_blob_dev_args_end[];
extern const char user_blob_dev_noenable[], user_blob_dev_noenable_end[];
extern const char user_blob_dev_rtc[], user_blob_dev_rtc_end[];
extern const char user_blob_dev_fb[], user_blob_dev_fb_end[];
extern const char user_blob_dev_com1[], user_blob_dev_com1_end[];
extern const char user_blob_dev_dma[], user_blob_dev_dma_end[];
extern const char user_blob_dev_msi[], user_blob_dev_msi_end[];

_Static_assert(DEV_BLOB_REPORT >= TEST_STACK_TOP - TEST_STACK && DEV_BLOB_REPORT < TEST_STACK_TOP &&
		   !(DEV_BLOB_REPORT & (KEEL_PAGE_SIZE - 1)),
	       "the report page is a page of the blobs' stack");

/* What the blobs read at DEV_BLOB_PARAMS. */
struct devobj_test_params {
	uint64_t resource, ram, lapic, ioapic, fb, fb_size, notif;
};

static void devobj_test_params(struct devobj_test_params *t)
{
	const struct keel_handoff *h = boot_info.handoff;
	const struct acpi_info *a = acpi_boot_info();

	memset(t, 0, sizeof(*t));
	for (uint32_t i = 0; i < h->range_count && !t->ram; i++)
		if (boot_info.ranges[i].type == KEEL_RANGE_USABLE)
			t->ram = boot_info.ranges[i].base;
	t->lapic = a->madt.present ? a->madt.lapic_address : 0xfee00000;
	t->ioapic = ioapic_count() ? ioapic_get(0)->phys : 0; /* the MADT's or the probed default */
	if ((h->flags & KEEL_HANDOFF_HAS_FB) && h->fb.base &&
	    !(h->fb.base & (KEEL_PAGE_SIZE - 1)) && h->fb.size >= 2 * KEEL_PAGE_SIZE) {
		t->fb = h->fb.base;
		t->fb_size = h->fb.size & ~(uint64_t)(KEEL_PAGE_SIZE - 1);
	}
}

/*
 * A process running [start, end) on `cpu` with a resource handle, and a
 * handle to notif when it is not NULL; *out (if not NULL) gets it. Queued,
 * not yet run.
 */
static const char *devobj_test_spawn_with(const char *start, const char *end, uint32_t cpu,
					  struct object *notif, struct process **out)
{
	struct process *p = process_create("devtest");
	struct devobj_test_params params;
	int64_t h = -1, n = 0;

	if (!p)
		return ktest_fail("no memory for a process");
	if ((size_t)(end - start) > DEV_BLOB_CODE_MAX ||
	    aspace_map_anon(&p->as, DEV_BLOB_CODE_VA, KEEL_PAGE_SIZE, PAGING_EXEC) != 0 ||
	    aspace_map_anon(&p->as, TEST_STACK_TOP - TEST_STACK, TEST_STACK, PAGING_WRITE) != 0 ||
	    (h = devobj_resource_add(p)) < 0 ||
	    (notif && (n = ipc_handle_add(p, notif, KEEL_RIGHTS_ALL)) < 0)) {
		process_destroy_unstarted(p);
		return ktest_fail("cannot set up the test process");
	}
	devobj_test_params(&params);
	params.resource = (uint64_t)h;
	params.notif = (uint64_t)n;
	memcpy(aspace_kernel_view(&p->as, DEV_BLOB_CODE_VA), start, (size_t)(end - start));
	memcpy(aspace_kernel_view(&p->as, DEV_BLOB_PARAMS), &params, sizeof(params));
	if (!thread_create_user_on(p, DEV_BLOB_CODE_VA, TEST_STACK_TOP, 0, SCHED_PRIORITY_APP,
				   cpu)) {
		process_destroy_unstarted(p);
		return ktest_fail("no memory for a thread");
	}
	if (out)
		*out = p;
	return NULL;
}

static const char *devobj_test_spawn(const char *start, const char *end, uint32_t cpu)
{
	return devobj_test_spawn_with(start, end, cpu, NULL, NULL);
}

/* Run one program on `cpu` to its end and check how it ended. */
static const char *devobj_test_run(const char *start, const char *end, uint32_t cpu, bool killed,
				   int64_t status)
{
	const char *err = devobj_test_spawn(start, end, cpu);
	struct sched_stats s;

	if (err)
		return err;
	sched_run_until_idle();
	sched_read_stats(&s);
	if (s.last_killed != killed || s.last_status != status)
		return ktest_fail("ended %s %lld, expected %s %lld",
				  s.last_killed ? "killed by" : "with", (long long)s.last_status,
				  killed ? "killed by" : "with", (long long)status);
	return NULL;
}

/* Pages, device objects and IPC objects all back to what *before says. */
struct devobj_test_counts {
	struct buddy_stats pages;
	uint64_t devobjs, ipc;
};

static void devobj_test_count(struct devobj_test_counts *c)
{
	vm_read_steady_stats(&c->pages);
	c->devobjs = devobj_live();
	c->ipc = ipc_objects_live();
}

static const char *devobj_test_all_back(const struct devobj_test_counts *before)
{
	struct devobj_test_counts after;

	devobj_test_count(&after);
	if (after.pages.free_pages != before->pages.free_pages)
		return ktest_fail("%lld pages not given back",
				  (long long)(before->pages.free_pages - after.pages.free_pages));
	if (after.devobjs != before->devobjs || after.ipc != before->ipc)
		return ktest_fail("%llu device and %llu IPC objects live, expected %llu and %llu",
				  (unsigned long long)after.devobjs, (unsigned long long)after.ipc,
				  (unsigned long long)before->devobjs,
				  (unsigned long long)before->ipc);
	return NULL;
}

/* The redirection entry of ISA IRQ `irq`'s GSI, or 0 when no IOAPIC has it. */
static uint64_t devobj_test_entry(uint8_t irq)
{
	uint32_t gsi;
	uint8_t pol, trig;

	ioapic_isa_irq(&acpi_boot_info()->madt, irq, &gsi, &pol, &trig);
	for (uint32_t i = 0; i < ioapic_count(); i++) {
		const struct ioapic *io = ioapic_get(i);

		if (gsi >= io->gsi_base && gsi - io->gsi_base < io->inputs)
			return ioapic_read_entry(i, gsi - io->gsi_base);
	}
	return 0;
}

/* The other CPU when there are two or more, else this one. */
static uint32_t devobj_test_cpu(void)
{
	uint32_t me = arch_cpu_index();

	return arch_cpu_count() > 1 ? (me == 0 ? 1 : 0) : me;
}

/* Every bad argument class returns its own code; the good calls work; nothing leaks. */
static const char *test_devobj_bad_arguments(void)
{
	struct devobj_test_counts before;
	const char *err;

	/* A first run warms the caches (objects, bitmaps, every CPU's bitmap TSS) up. */
	if ((err = devobj_test_run(user_blob_dev_args, user_blob_dev_args_end, arch_cpu_index(),
				   false, 0)))
		return err;
	devobj_test_count(&before);
	if ((err = devobj_test_run(user_blob_dev_args, user_blob_dev_args_end, arch_cpu_index(),
				   false, 0)))
		return err;
	if (ioapic_count() && !(devobj_test_entry(TEST_RTC_IRQ) & IOAPIC_MASKED))
		return ktest_fail("IRQ 8's line is not masked after its objects closed");
	kprintf("# devobj_bad_arguments: 58 steps, %u CPUs with a bitmap TSS\n", iopb_cpus_ready());
	return devobj_test_all_back(&before);
}

/* Ports held but not enabled: IN faults, the process is killed with #GP, the system goes on. */
static const char *test_devobj_port_without_enable(void)
{
	return devobj_test_run(user_blob_dev_noenable, user_blob_dev_noenable_end, arch_cpu_index(),
			       true, TEST_TRAP_GP);
}

/*
 * The RTC driven from user space (on the other CPU when there is one): ports
 * enabled, seconds read, five periodic interrupts as notification bits.
 * Then the line is masked, everything is back, and a process without ports
 * on the same CPU still faults: the bitmap left with its owner.
 */
static const char *test_devobj_rtc_irq(void)
{
	struct devobj_test_counts before;
	uint32_t cpu = devobj_test_cpu();
	uint64_t delivered;
	const char *err;

	devobj_test_count(&before);
	delivered = devobj_irqs_delivered();
	if ((err = devobj_test_run(user_blob_dev_rtc, user_blob_dev_rtc_end, cpu, false, 0)))
		return err;
	delivered = devobj_irqs_delivered() - delivered;
	if (ioapic_count() && delivered < DEV_BLOB_IRQS)
		return ktest_fail("%llu interrupts delivered, the driver saw %u",
				  (unsigned long long)delivered, DEV_BLOB_IRQS);
	if (ioapic_count() && !(devobj_test_entry(TEST_RTC_IRQ) & IOAPIC_MASKED))
		return ktest_fail("IRQ 8's line is not masked after the driver ended");
	if ((err = devobj_test_run(user_blob_dev_noenable, user_blob_dev_noenable_end, cpu, true,
				   TEST_TRAP_GP)))
		return err;
	if (ioapic_count())
		kprintf("# devobj_rtc_irq: %llu interrupts delivered on CPU %u\n",
			(unsigned long long)delivered, cpu);
	else
		kprintf("# devobj_rtc_irq: no IOAPIC: the CMOS ports only, on CPU %u\n", cpu);
	return devobj_test_all_back(&before);
}

/*
 * The framebuffer as device memory, mapped write-combining and uncached; its
 * page tables are looked at while the program waits: WC, then UC, on the
 * framebuffer's pages. The handover too (like devobj_com1_handover): the
 * kernel's framebuffer console is held while the program lives and released
 * when it ends.
 */
static const char *test_devobj_framebuffer(void)
{
	const struct console_sink *screen;
	struct devobj_test_counts before;
	struct devobj_test_params t;
	struct paging_leaf wc, uc;
	bool held = false;
	struct sched_stats s0, s;
	struct process *p;
	struct object *n;
	const char *err;

	devobj_test_params(&t);
	if (!t.fb) {
		kprintf("# devobj_framebuffer: no framebuffer\n");
		return NULL;
	}
	screen = fbcon_sink_over(t.fb, KEEL_PAGE_SIZE); /* NULL: the kernel does not draw there */
	if (screen && console_sink_held(screen))
		return ktest_fail("the framebuffer console is held before the test");
	devobj_test_count(&before);
	n = ipc_object_create(KEEL_OBJ_NOTIFICATION);
	if (!n)
		return ktest_fail("no notification");
	sched_read_stats(&s0);
	err =
	    devobj_test_spawn_with(user_blob_dev_fb, user_blob_dev_fb_end, arch_cpu_index(), n, &p);
	if (err) {
		ipc_object_unref(n);
		return err;
	}
	/* This CPU runs the program until it blocks in wait (or ends: then p is gone). */
	sched_yield();
	sched_read_stats(&s);
	if (s.processes_ended == s0.processes_ended) {
		if (paging_lookup(&p->as.tables, DEV_BLOB_VA, &wc) != 0 ||
		    paging_lookup(&p->as.tables, DEV_BLOB_VA + KEEL_PAGE_SIZE, &uc) != 0)
			err = ktest_fail("the framebuffer is not mapped");
		else if (wc.cache != PAGING_CACHE_WC || uc.cache != PAGING_CACHE_UC ||
			 wc.phys != t.fb || uc.phys != t.fb + KEEL_PAGE_SIZE)
			err = ktest_fail("mapped as types %u and %u at 0x%llx and 0x%llx", wc.cache,
					 uc.cache, (unsigned long long)wc.phys,
					 (unsigned long long)uc.phys);
		held = console_sink_held(screen);
		ipc_notification_signal(n, 1);
		sched_run_until_idle();
		sched_read_stats(&s);
	}
	ipc_object_unref(n);
	if (err)
		return err;
	if (s.last_killed || s.last_status != 0)
		return ktest_fail("ended %s %lld", s.last_killed ? "killed by" : "with",
				  (long long)s.last_status);
	if (screen && !held)
		return ktest_fail("the framebuffer console drew while the framebuffer was carved");
	if (console_sink_held(screen))
		return ktest_fail("the framebuffer console is still held after the memory closed");
	kprintf("# devobj_framebuffer: WC and UC pages at 0x%llx, pixel written and read; %s\n",
		(unsigned long long)t.fb,
		screen ? "console held while carved, back after" : "no kernel console there");
	return devobj_test_all_back(&before);
}

/*
 * Run a program that waits on a notification (given to it) until it blocks
 * there, then `check` it, wake it and let it end; it must end with 0. What
 * check says wins.
 */
static const char *devobj_test_paused(const char *start, const char *end,
				      const char *(*check)(struct process *p))
{
	struct sched_stats s0, s;
	struct process *p;
	struct object *n = ipc_object_create(KEEL_OBJ_NOTIFICATION);
	const char *err, *checked = NULL;

	if (!n)
		return ktest_fail("no notification");
	sched_read_stats(&s0);
	err = devobj_test_spawn_with(start, end, arch_cpu_index(), n, &p);
	if (err) {
		ipc_object_unref(n);
		return err;
	}
	/* This CPU runs the program until it blocks in wait (or ends: then p is gone). */
	sched_yield();
	sched_read_stats(&s);
	if (s.processes_ended == s0.processes_ended) {
		checked = check(p);
		ipc_notification_signal(n, 1);
		sched_run_until_idle();
		sched_read_stats(&s);
	}
	ipc_object_unref(n);
	if (s.last_killed || s.last_status != 0)
		return ktest_fail("ended %s %lld", s.last_killed ? "killed by" : "with",
				  (long long)s.last_status);
	return checked;
}

/* devobj_test_com1_handover's check, while the program holds COM1: is the serial console held? */
static bool devobj_test_com1_held;

static const char *devobj_test_com1_check(struct process *p)
{
	(void)p;
	devobj_test_com1_held = console_sink_held(arch_serial_sink());
	return NULL;
}

/*
 * COM1 handed to a program (its ports, IRQ 4): the serial console is held
 * while the program lives and released when it ends, the UART set up again
 * (8N1 in the line control register, which the program changed). Nothing is
 * printed while it is held: that line would not reach the serial log.
 */
static const char *test_devobj_com1_handover(void)
{
	const struct console_sink *serial = arch_serial_sink();
	struct devobj_test_counts before;
	const char *err;

	devobj_test_count(&before);
	if (console_sink_held(serial))
		return ktest_fail("the serial console is held before the test");
	devobj_test_com1_held = false;
	err = devobj_test_paused(user_blob_dev_com1, user_blob_dev_com1_end,
				 devobj_test_com1_check);
	if (err)
		return err;
	if (serial && !devobj_test_com1_held)
		return ktest_fail("the serial console printed while COM1's ports were carved");
	if (console_sink_held(serial))
		return ktest_fail("the serial console is still held after the ports closed");
	if (serial && io_inb(TEST_COM1_LCR) != 0x03)
		return ktest_fail("COM1's line control is 0x%02x after the release, not 0x03",
				  io_inb(TEST_COM1_LCR));
	kprintf("# devobj_com1_handover: %s\n",
		serial ? "serial console held while carved, UART reset after"
		       : "no UART: ports and IRQ 4 carved");
	return devobj_test_all_back(&before);
}

/*
 * A paused blob run twice: the first run fills the caches a run uses, the
 * second is counted, and everything it took must be back after.
 */
static const char *devobj_test_twice(const char *blob, const char *end,
				     const char *(*check)(struct process *p))
{
	struct devobj_test_counts before;
	const char *err;

	if ((err = devobj_test_paused(blob, end, check)))
		return err;
	devobj_test_count(&before);
	if ((err = devobj_test_paused(blob, end, check)))
		return err;
	return devobj_test_all_back(&before);
}

/* The dma blob's VMO: contiguous, below 4 GiB, mapped where it says, written through. */
static const char *devobj_test_dma_check(struct process *p)
{
	const uint64_t *report = aspace_kernel_view(&p->as, DEV_BLOB_REPORT);
	uint64_t phys = report ? report[0] : 0;
	struct paging_leaf leaf;

	if (!phys || (phys & (KEEL_PAGE_SIZE - 1)) || phys + DEV_BLOB_DMA_SIZE > (1ull << 32))
		return ktest_fail("DMA memory at 0x%llx", (unsigned long long)phys);
	for (uint64_t off = 0; off < DEV_BLOB_DMA_SIZE; off += KEEL_PAGE_SIZE) {
		if (paging_lookup(&p->as.tables, DEV_BLOB_VA + off, &leaf) != 0)
			return ktest_fail("DMA page +0x%llx is not mapped",
					  (unsigned long long)off);
		if (leaf.phys != phys + off || leaf.cache != PAGING_CACHE_WB)
			return ktest_fail("DMA page +0x%llx maps 0x%llx (type %u), expected 0x%llx",
					  (unsigned long long)off, (unsigned long long)leaf.phys,
					  leaf.cache, (unsigned long long)(phys + off));
		/* Written after its handles closed: the mapping kept the pages. */
		if (*(const uint32_t *)boot_phys_to_virt(phys + off) != DEV_BLOB_PIXEL)
			return ktest_fail("DMA page +0x%llx does not hold what the program wrote",
					  (unsigned long long)off);
	}
	kprintf("# devobj_dma: 3 contiguous pages at 0x%llx\n", (unsigned long long)phys);
	return NULL;
}

/*
 * DMA memory (twice: the second run counts pages): the capability's and the
 * address's refusals, then a DMA VMO whose reported address matches the page
 * tables of its mapping, page after page, and whose pages outlive its
 * handles while mapped. Everything is back after.
 */
static const char *test_devobj_dma(void)
{
	return devobj_test_twice(user_blob_dev_dma, user_blob_dev_dma_end, devobj_test_dma_check);
}

/*
 * The msi blob's message: aimed at this CPU's LAPIC, a vector of the device
 * range. A device's write is not something the kernel can fake (its own
 * store to 0xfee00000 reaches the LAPIC's registers, not the bus), so the
 * vector comes as a self-IPI: the notification bit must follow.
 */
static const char *devobj_test_msi_check(struct process *p)
{
	const struct keel_msi *m = aspace_kernel_view(&p->as, DEV_BLOB_REPORT);
	uint32_t me = lapic_id();
	uint64_t delivered = devobj_irqs_delivered(), deadline;

	if (!m)
		return ktest_fail("no report page");
	if (me <= 0xff && m->address != (0xfee00000ull | (uint64_t)me << 12))
		return ktest_fail("MSI address 0x%llx for APIC ID %u",
				  (unsigned long long)m->address, me);
	if (m->data < IRQ_VECTOR_IO_FIRST || m->data > IRQ_VECTOR_IO_LAST)
		return ktest_fail("MSI data 0x%x is not a device vector", m->data);
	if (lapic_send_ipi((uint32_t)(m->address >> 12) & 0xff, (uint8_t)m->data) != 0)
		return ktest_fail("the IPI of vector 0x%x was not sent", m->data);
	deadline = tsc_ns() + 1000000000ull;
	while (devobj_irqs_delivered() == delivered && tsc_ns() < deadline)
		__asm__ volatile("pause");
	if (devobj_irqs_delivered() == delivered)
		return ktest_fail("vector 0x%x sent, nothing delivered in 1 s", m->data);
	kprintf("# devobj_msi: address 0x%llx data 0x%x, delivered by a self-IPI "
		"(a device's message: virtio-blk)\n",
		(unsigned long long)m->address, m->data);
	return NULL;
}

/* An MSI object bound, its message checked and delivered; everything back after. */
static const char *test_devobj_msi(void)
{
	return devobj_test_twice(user_blob_dev_msi, user_blob_dev_msi_end, devobj_test_msi_check);
}

/* The root resource: one object, never freed, not a type object_create makes. */
static const char *test_devobj_root(void)
{
	struct object *a = devobj_resource_root(), *b = devobj_resource_root();
	const char *err = NULL;

	if (a != b || a->type != KEEL_OBJ_RESOURCE)
		err = ktest_fail("two roots, or of type %u", a->type);
	ipc_object_unref(a);
	ipc_object_unref(b);
	if (!err && a->refs == 0)
		err = ktest_fail("the root's last reference went");
	return err;
}

static const struct ktest devobj_tests[] = {
    KTEST(devobj_root),    KTEST(devobj_bad_arguments), KTEST(devobj_port_without_enable),
    KTEST(devobj_rtc_irq), KTEST(devobj_framebuffer),   KTEST(devobj_com1_handover),
    KTEST(devobj_dma),     KTEST(devobj_msi),
};

const struct ktest_suite devobj_test_suite = {devobj_tests, KTEST_COUNT(devobj_tests)};
