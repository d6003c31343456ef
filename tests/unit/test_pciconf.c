/*
 * tests/unit/test_pciconf.c: drivers-user/pci/pci_config.c on the host, over
 * a fake configuration space whose registers have writable-bit masks as real
 * ones do: a QEMU-like virtio device and host bridge, every BAR kind, the
 * sizing arithmetic, and hostile spaces (all ones, capability loops and
 * pointers into the header, non-contiguous BAR bits, a 64-bit BAR in the last
 * slot). Every access is checked to be aligned and inside the 256-byte
 * header, and every BAR probe to happen with decode off.
 */
#include <stdint.h>
#include <string.h>

#include "../../drivers-user/pci/pci_config.h"
#include "ktest.h"

struct fake {
	uint32_t reg[64];
	uint32_t writable[64]; /* bits a write changes */
	unsigned reads, bad_access, probe_decoding;
};

static uint32_t fake_read(void *ctx, uint32_t off)
{
	struct fake *f = ctx;

	f->reads++;
	if (off % 4 || off >= 256) {
		f->bad_access++;
		return 0xffffffffu;
	}
	return f->reg[off / 4];
}

static void fake_write(void *ctx, uint32_t off, uint32_t v)
{
	struct fake *f = ctx;

	if (off % 4 || off >= 256) {
		f->bad_access++;
		return;
	}
	if (off >= 0x10 && off < 0x28 && v == 0xffffffffu && (f->reg[1] & 0x3))
		f->probe_decoding++;
	f->reg[off / 4] = (f->reg[off / 4] & ~f->writable[off / 4]) | (v & f->writable[off / 4]);
}

static struct fake fk;
static struct pci_function fn;
static const struct pci_config_ops ops = {fake_read, fake_write, &fk};

/* A header type 0 function: id, class dword, command/status. */
static void fake_device(uint32_t id, uint32_t cls, uint32_t command_status)
{
	memset(&fk, 0, sizeof(fk));
	fk.reg[0] = id;
	fk.reg[1] = command_status;
	fk.writable[1] = 0xffff;
	fk.reg[2] = cls;
}

/* BAR slot i: its programmed value and the writable bits (size from the mask). */
static void fake_bar(unsigned i, uint32_t value, uint32_t writable)
{
	fk.reg[4 + i] = value;
	fk.writable[4 + i] = writable;
}

static const char *test_size_arithmetic(void)
{
	KT_ASSERT(pci_bar_size(0xfffff000u, 0, 0, 0) == 0x1000);
	KT_ASSERT(pci_bar_size(0xfffff008u, 0, 0, 0) == 0x1000); /* prefetch bit ignored */
	KT_ASSERT(pci_bar_size(0x0000ffc1u, 0, 1, 0) == 0x40);   /* 16-bit I/O */
	KT_ASSERT(pci_bar_size(0xffffffe1u, 0, 1, 0) == 0x20);   /* 32-bit I/O */
	KT_ASSERT(pci_bar_size(0xffffc00cu, 0xffffffffu, 0, 1) == 0x4000);
	KT_ASSERT(pci_bar_size(0x0000000cu, 0xfffffff0u, 0, 1) == 0x1000000000ull); /* 64 GiB */
	KT_ASSERT(pci_bar_size(0x80000000u, 0, 0, 0) == 0x80000000ull);
	KT_ASSERT(pci_bar_size(0xf0f0f000u, 0, 0, 0) == 0);  /* holes in the mask */
	KT_ASSERT(pci_bar_size(0x0000000cu, 0, 0, 1) == 0);  /* no address bit at all */
	KT_ASSERT(pci_bar_size(0xfffff00cu, 0, 0, 1) == 0);  /* upper half stuck at 0 */
	KT_ASSERT(pci_bar_size(0xffffffffu, 0, 0, 0) == 16); /* all ones: the smallest */
	return NULL;
}

/* A modern virtio-blk as QEMU presents it: I/O BAR 0, memory BAR 1, 64-bit BAR 4, MSI-X. */
static const char *test_virtio_blk(void)
{
	fake_device(0x10011af4, 0x01000000, 0x00100007);
	fake_bar(0, 0x0000c001, 0x0000ffc0);
	fake_bar(1, 0xfebd1000, 0xfffff000);
	fake_bar(4, 0xfe00000c, 0xffffc000);
	fake_bar(5, 0x00000001, 0xffffffff); /* high half: programmed 1 (base 0x1fe000000) */
	fk.reg[0x34 / 4] = 0x98;
	fk.reg[0x98 / 4] = 0x00008411; /* MSI-X, next 0x84 */
	fk.reg[0x84 / 4] = 0x00007009; /* vendor-specific, next 0x70 */
	fk.reg[0x70 / 4] = 0x00000009; /* vendor-specific, end */
	fk.reg[0x3c / 4] = 0x0000010b; /* INTA, line 11 */
	fk.reg[3] = 0x00000000;
	KT_EQ(pci_function_read(&ops, &fn), 0);
	KT_EQ(fn.vendor, 0x1af4);
	KT_EQ(fn.device, 0x1001);
	KT_EQ(fn.class_code, 1);
	KT_EQ(fn.subclass, 0);
	KT_EQ(fn.irq_pin, 1);
	KT_EQ(fn.irq_line, 11);
	KT_EQ(fn.caps, KEEL_PCI_CAP_MSIX);
	KT_EQ(fn.nbars, 3);
	KT_EQ(fn.bar[0].index, 0);
	KT_EQ(fn.bar[0].flags, KEEL_PCI_BAR_IO);
	KT_ASSERT(fn.bar[0].base == 0xc000 && fn.bar[0].size == 0x40);
	KT_EQ(fn.bar[1].index, 1);
	KT_EQ(fn.bar[1].flags, 0);
	KT_ASSERT(fn.bar[1].base == 0xfebd1000 && fn.bar[1].size == 0x1000);
	KT_EQ(fn.bar[2].index, 4);
	KT_EQ(fn.bar[2].flags, KEEL_PCI_BAR_MEM64 | KEEL_PCI_BAR_PREFETCH);
	KT_ASSERT(fn.bar[2].base == 0x1fe000000ull && fn.bar[2].size == 0x4000);
	/* Everything written back; decode was off while each BAR held all ones. */
	KT_EQ(fk.reg[1] & 0xffff, 7);
	KT_EQ(fk.reg[4], 0xc001);
	KT_EQ(fk.reg[5], 0xfebd1000);
	KT_EQ(fk.reg[8], 0xfe00000c);
	KT_EQ(fk.reg[9], 1);
	KT_EQ(fk.probe_decoding, 0);
	KT_EQ(fk.bad_access, 0);
	return NULL;
}

/* A q35 host bridge: no BAR, no capability; a bridge has two BAR slots only. */
static const char *test_bridges(void)
{
	fake_device(0x29c08086, 0x06000000, 0x00000000);
	KT_EQ(pci_function_read(&ops, &fn), 0);
	KT_EQ(fn.nbars, 0);
	KT_EQ(fn.caps, 0);
	KT_EQ(fn.class_code, 6);
	fake_device(0x00011b36, 0x06040000, 0x00100000);
	fk.reg[3] = 0x00010000; /* type 1 */
	fake_bar(0, 0xfe000000, 0xfffff000);
	fake_bar(2, 0x00020100, 0xffffffff); /* bus numbers, not a BAR */
	fk.reg[0x34 / 4] = 0x40;
	fk.reg[0x40 / 4] = 0x00000005; /* MSI */
	KT_EQ(pci_function_read(&ops, &fn), 0);
	KT_EQ(fn.header_type, 1);
	KT_EQ(fn.nbars, 1);
	KT_ASSERT(fn.bar[0].size == 0x1000);
	KT_EQ(fn.caps, KEEL_PCI_CAP_MSI);
	KT_EQ(fk.reg[6], 0x00020100); /* untouched */
	return NULL;
}

static const char *test_absent(void)
{
	fake_device(0xffffffff, 0, 0);
	KT_EQ(pci_function_read(&ops, &fn), -1);
	fake_device(0x12340000, 0, 0);
	KT_EQ(pci_function_read(&ops, &fn), -1);
	KT_ASSERT(pci_vendor_absent(0xffff) && pci_vendor_absent(0) && !pci_vendor_absent(0x8086));
	return NULL;
}

/* A function that answers all ones everywhere but its ID: bounded, nothing out of range. */
static const char *test_all_ones(void)
{
	memset(&fk, 0, sizeof(fk));
	for (unsigned i = 0; i < 64; i++) {
		fk.reg[i] = 0xffffffffu;
		fk.writable[i] = 0xffffffffu;
	}
	fk.reg[0] = 0x12348086;
	KT_EQ(pci_function_read(&ops, &fn), 0);
	KT_EQ(fn.header_type, 0xff); /* type 0x7f: no BAR slots */
	KT_EQ(fn.nbars, 0);
	KT_EQ(fn.irq_pin, 0); /* 0xff is no pin */
	KT_EQ(fn.caps, 0);    /* header type unknown: no list to trust */
	KT_EQ(fk.bad_access, 0);
	/* Type 0 with every BAR all ones: I/O, sized 4, each slot once. */
	fk.reg[3] = 0;
	fk.reg[0x34 / 4] = 0xffffffffu; /* list: 0xfc -> 0xfc -> ... */
	KT_EQ(pci_function_read(&ops, &fn), 0);
	KT_EQ(fn.nbars, 6);
	for (unsigned i = 0; i < 6; i++) {
		KT_EQ(fn.bar[i].flags, KEEL_PCI_BAR_IO);
		KT_ASSERT(fn.bar[i].size == 4);
	}
	KT_EQ(fn.caps, KEEL_PCI_CAP_LOOP); /* id 0xff at 0xfc, next 0xfc: a loop */
	KT_EQ(fk.bad_access, 0);
	return NULL;
}

static const char *test_caps_hostile(void)
{
	unsigned before;

	/* Two entries pointing at each other: cut after PCI_CAPS_MAX reads. */
	fake_device(0x10008086, 0, 0x00100000);
	fk.reg[0x34 / 4] = 0x50;
	fk.reg[0x50 / 4] = 0x00006005;
	fk.reg[0x60 / 4] = 0x00005001;
	before = fk.reads;
	KT_EQ(pci_caps_walk(&ops), KEEL_PCI_CAP_MSI | KEEL_PCI_CAP_LOOP);
	KT_ASSERT(fk.reads - before <= PCI_CAPS_MAX + 3);
	/* pci_cap_find walks the same bounded way: the first of an ID, 0 when none. */
	before = fk.reads;
	KT_EQ(pci_cap_find(&ops, 0x05), 0x50);
	KT_EQ(pci_cap_find(&ops, 0x01), 0x60);
	KT_EQ(pci_cap_find(&ops, PCI_CAP_ID_MSIX), 0);
	KT_ASSERT(fk.reads - before <= 3 * (PCI_CAPS_MAX + 3));
	/* A pointer into the header, and unaligned pointers (low bits masked). */
	fk.reg[0x34 / 4] = 0x53;
	fk.reg[0x50 / 4] = 0x00001011; /* MSI-X, next 0x10: a BAR, not a capability */
	KT_EQ(pci_caps_walk(&ops), KEEL_PCI_CAP_MSIX | KEEL_PCI_CAP_LOOP);
	KT_EQ(pci_cap_find(&ops, PCI_CAP_ID_MSIX), 0x50);
	fk.reg[0x50 / 4] = 0x00000311; /* next 0x03 masks to 0: the end */
	KT_EQ(pci_caps_walk(&ops), KEEL_PCI_CAP_MSIX);
	/* No capability bit in status: the pointer is not read. */
	fk.reg[1] = 0;
	KT_EQ(pci_caps_walk(&ops), 0);
	KT_EQ(pci_cap_find(&ops, PCI_CAP_ID_MSIX), 0);
	KT_EQ(fk.bad_access, 0);
	return NULL;
}

static const char *test_bars_hostile(void)
{
	/* 64-bit in the last slot; reserved type 1 and 3; holes in the mask; type 2 has no BARs. */
	fake_device(0x10008086, 0, 0x00000003);
	fake_bar(5, 0x00000004, 0xfffff000);
	fake_bar(0, 0x00000002, 0xfffff000);
	fake_bar(1, 0x00000006, 0xfffff000);
	fake_bar(2, 0xf0f0f000, 0xf0f0f000);
	KT_EQ(pci_function_read(&ops, &fn), 0);
	KT_EQ(fn.nbars, 4);
	KT_EQ(fn.bar[0].flags, KEEL_PCI_BAR_BAD);
	KT_EQ(fn.bar[1].flags, KEEL_PCI_BAR_BAD);
	KT_EQ(fn.bar[2].flags, KEEL_PCI_BAR_BAD);
	KT_ASSERT(fn.bar[2].size == 0 && fn.bar[2].base == 0);
	KT_EQ(fn.bar[3].index, 5);
	KT_EQ(fn.bar[3].flags, KEEL_PCI_BAR_MEM64 | KEEL_PCI_BAR_BAD);
	KT_EQ(fk.reg[1] & 0xffff, 3);
	KT_EQ(fk.probe_decoding, 0);
	fk.reg[3] = 0x00020000; /* CardBus */
	KT_EQ(pci_function_read(&ops, &fn), 0);
	KT_EQ(fn.nbars, 0);
	return NULL;
}

static const struct ktest tests[] = {
    KTEST(test_size_arithmetic), KTEST(test_virtio_blk), KTEST(test_bridges),
    KTEST(test_absent),          KTEST(test_all_ones),   KTEST(test_caps_hostile),
    KTEST(test_bars_hostile),
};

int main(void)
{
	return ktest_main(tests, KTEST_COUNT(tests));
}
