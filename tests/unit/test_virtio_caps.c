/*
 * tests/unit/test_virtio_caps.c: drivers-user/virtio-blk/virtio_pci_caps.c on
 * the host, over a fake configuration space: a QEMU-like modern virtio-blk
 * (its five vendor capabilities, MSI-X, a 16 KiB 64-bit BAR 4), then hostile
 * lists: loops, pointers into the header, a capability running past 256
 * bytes, short cap_len, reserved bars and types, structures outside or
 * wrapping around their BAR, misaligned ones, bad notify multipliers, and a
 * bad first instance followed by a good one. Every read is checked to be
 * aligned and inside the 256 bytes, and the notify offset arithmetic against
 * the structure's length.
 */
#include <stdint.h>
#include <string.h>

#include <keel/syscall.h>

#include "../../drivers-user/virtio-blk/virtio_pci_caps.h"
#include "ktest.h"

struct fake {
	uint32_t reg[64];
	unsigned bad_access;
};

static struct fake fk;
static struct virtio_pci_caps caps;
static uint64_t bars[PCI_BARS_MAX];

static uint32_t fake_read(void *ctx, uint32_t off)
{
	struct fake *f = ctx;

	if (off % 4 || off >= 256) {
		f->bad_access++;
		return 0xffffffffu;
	}
	return f->reg[off / 4];
}

static void fake_write(void *ctx, uint32_t off, uint32_t v)
{
	(void)v;
	((struct fake *)ctx)->bad_access++; /* finding capabilities writes nothing */
	(void)off;
}

static const struct pci_config_ops ops = {fake_read, fake_write, &fk};

/* A virtio capability at ptr: next pointer, cap_len, type, bar, offset, length (+ mult). */
static void cap(uint32_t ptr, uint8_t next, uint8_t len, uint8_t type, uint8_t bar, uint32_t offset,
		uint32_t length, uint32_t mult)
{
	fk.reg[ptr / 4] =
	    VIRTIO_PCI_CAP_ID | (uint32_t)next << 8 | (uint32_t)len << 16 | (uint32_t)type << 24;
	fk.reg[ptr / 4 + 1] = bar;
	fk.reg[ptr / 4 + 2] = offset;
	fk.reg[ptr / 4 + 3] = length;
	if (len >= 20 && ptr + 16 < 256)
		fk.reg[ptr / 4 + 4] = mult;
}

/* What QEMU presents for virtio-blk-pci (modern): list head 0x98. */
static void fake_qemu_blk(void)
{
	memset(&fk, 0, sizeof(fk));
	memset(bars, 0, sizeof(bars));
	fk.reg[0] = VIRTIO_PCI_VENDOR | (uint32_t)VIRTIO_PCI_DEVICE_BLK << 16;
	fk.reg[1] = 0x00100007; /* capabilities in the status */
	fk.reg[0x34 / 4] = 0x98;
	fk.reg[0x98 / 4] = 0x00018411; /* MSI-X, next 0x84, 2 entries */
	fk.reg[0x9c / 4] = 0x00000001; /* its table: BAR 1, offset 0 */
	cap(0x84, 0x70, 20, VIRTIO_PCI_CAP_PCI_CFG, 0, 0, 0, 0);
	cap(0x70, 0x60, 20, VIRTIO_PCI_CAP_NOTIFY_CFG, 4, 0x3000, 0x1000, 4);
	cap(0x60, 0x50, 16, VIRTIO_PCI_CAP_DEVICE_CFG, 4, 0x2000, 0x1000, 0);
	cap(0x50, 0x40, 16, VIRTIO_PCI_CAP_ISR_CFG, 4, 0x1000, 0x1000, 0);
	cap(0x40, 0x00, 16, VIRTIO_PCI_CAP_COMMON_CFG, 4, 0x0000, 0x1000, 0);
	bars[1] = 0x1000; /* the MSI-X table BAR */
	bars[4] = 0x4000;
}

static int find(void)
{
	return virtio_pci_caps_find(&ops, bars, &caps);
}

static const char *test_qemu_blk(void)
{
	uint64_t off;

	fake_qemu_blk();
	KT_EQ(find(), 0);
	KT_EQ(fk.bad_access, 0);
	KT_EQ(caps.found, VIRTIO_PCI_REQUIRED);
	KT_EQ(caps.cut, 0);
	KT_EQ(caps.skipped, 0);
	KT_EQ(caps.common.bar, 4);
	KT_EQ(caps.common.offset, 0);
	KT_EQ(caps.isr.offset, 0x1000);
	KT_EQ(caps.device.offset, 0x2000);
	KT_EQ(caps.notify.offset, 0x3000);
	KT_EQ(caps.notify.length, 0x1000);
	KT_EQ(caps.notify_off_multiplier, 4);
	KT_EQ(virtio_pci_notify_offset(&caps, 0, &off), 0);
	KT_EQ(off, 0x3000);
	KT_EQ(virtio_pci_notify_offset(&caps, 1023, &off), 0);
	KT_EQ(off, 0x3000 + 4092);
	KT_EQ(virtio_pci_notify_offset(&caps, 1024, &off), -KEEL_ERANGE);
	KT_EQ(virtio_pci_notify_offset(&caps, 0xffff, &off), -KEEL_ERANGE);
	return NULL;
}

static const char *test_no_list(void)
{
	fake_qemu_blk();
	fk.reg[1] = 0x7; /* no capabilities bit */
	KT_EQ(find(), -KEEL_ENOENT);
	KT_EQ(caps.found, 0);
	fake_qemu_blk();
	fk.reg[3] = 0x00010000; /* header type 1: a bridge */
	KT_EQ(find(), -KEEL_ENOENT);
	fake_qemu_blk();
	fk.reg[0x40 / 4] = 0x11; /* the common structure's capability became something else */
	KT_EQ(find(), -KEEL_ENOENT);
	KT_EQ(caps.found, VIRTIO_PCI_REQUIRED & ~VIRTIO_PCI_FOUND(VIRTIO_PCI_CAP_COMMON_CFG));
	return NULL;
}

static const char *test_loops(void)
{
	fake_qemu_blk();
	fk.reg[0x40 / 4] |= 0x98 << 8; /* the last points back to the first */
	KT_EQ(find(), 0);              /* all found; the walk is still bounded */
	KT_EQ(caps.cut, 1);
	KT_EQ(fk.bad_access, 0);
	fake_qemu_blk();
	fk.reg[0x50 / 4] = (fk.reg[0x50 / 4] & ~0xff00u) | 0x3c << 8; /* into the header */
	KT_EQ(find(), -KEEL_ENOENT);                                  /* common is never reached */
	KT_EQ(caps.cut, 1);
	fake_qemu_blk();
	fk.reg[0x34 / 4] = 0x9b; /* reserved low bits are masked */
	KT_EQ(find(), 0);
	fake_qemu_blk();
	fk.reg[0x34 / 4] = 0xfc; /* the last dword: a capability that cannot fit */
	fk.reg[0xfc / 4] =
	    VIRTIO_PCI_CAP_ID | 0x98 << 8 | 16 << 16 | VIRTIO_PCI_CAP_COMMON_CFG << 24;
	KT_EQ(find(), 0); /* skipped, and the walk goes on to the real one */
	KT_EQ(caps.skipped, 1);
	KT_EQ(caps.common.offset, 0);
	KT_EQ(fk.bad_access, 0);
	return NULL;
}

static const char *test_bad_fields(void)
{
	/* Each breaks the common structure's only capability: never taken. */
	static const struct {
		uint8_t len, type, bar;
		uint32_t offset, length;
		int skipped; /* 1 skipped as unusable, 0 ignored (reserved value) */
	} bad[] = {
	    {12, VIRTIO_PCI_CAP_COMMON_CFG, 4, 0, 0x1000, 1},         /* cap_len short */
	    {16, VIRTIO_PCI_CAP_COMMON_CFG, 6, 0, 0x1000, 0},         /* reserved bar */
	    {16, VIRTIO_PCI_CAP_COMMON_CFG, 0xff, 0, 0x1000, 0},      /* reserved bar */
	    {16, VIRTIO_PCI_CAP_COMMON_CFG, 0, 0, 0x38, 1},           /* BAR 0 not usable */
	    {16, VIRTIO_PCI_CAP_COMMON_CFG, 1, 0xff0, 0x38, 1},       /* past its BAR's end */
	    {16, VIRTIO_PCI_CAP_COMMON_CFG, 4, 0xfffffff0u, 0x38, 1}, /* wraps in 32 bits */
	    {16, VIRTIO_PCI_CAP_COMMON_CFG, 4, 0, 0x37, 1},           /* too short */
	    {16, VIRTIO_PCI_CAP_COMMON_CFG, 4, 2, 0x38, 1},           /* misaligned */
	    {16, 0, 4, 0, 0x1000, 0},                                 /* reserved type */
	    {16, 9, 4, 0, 0x1000, 0},                                 /* reserved type */
	};

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fake_qemu_blk();
		cap(0x40, 0, bad[i].len, bad[i].type, bad[i].bar, bad[i].offset, bad[i].length, 0);
		if (find() != -KEEL_ENOENT || caps.skipped != bad[i].skipped || fk.bad_access)
			return ktest_msg("case %u: taken, or skipped %u", i, caps.skipped);
	}
	/* Exactly at the BAR's end is inside. */
	fake_qemu_blk();
	cap(0x40, 0, 16, VIRTIO_PCI_CAP_COMMON_CFG, 1, 0x1000 - 0x38, 0x38, 0);
	KT_EQ(find(), 0);
	return NULL;
}

static const char *test_notify_rules(void)
{
	static const uint32_t mults[] = {1, 3, 6, 0x80000001u};
	uint64_t off;

	for (unsigned i = 0; i < sizeof(mults) / sizeof(mults[0]); i++) {
		fake_qemu_blk();
		cap(0x70, 0x60, 20, VIRTIO_PCI_CAP_NOTIFY_CFG, 4, 0x3000, 0x1000, mults[i]);
		KT_EQ(find(), -KEEL_ENOENT);
		KT_EQ(caps.skipped, 1);
		KT_EQ(virtio_pci_notify_offset(&caps, 0, &off), -KEEL_ERANGE); /* none found */
	}
	fake_qemu_blk();
	cap(0x70, 0x60, 16, VIRTIO_PCI_CAP_NOTIFY_CFG, 4, 0x3000, 0x1000, 0); /* no multiplier */
	KT_EQ(find(), -KEEL_ENOENT);
	fake_qemu_blk();
	cap(0x70, 0x60, 20, VIRTIO_PCI_CAP_NOTIFY_CFG, 4, 0x3001, 0x100, 4); /* odd offset */
	KT_EQ(find(), -KEEL_ENOENT);
	/* Multiplier 0: every queue at the same address. */
	fake_qemu_blk();
	cap(0x70, 0x60, 20, VIRTIO_PCI_CAP_NOTIFY_CFG, 4, 0x3000, 2, 0);
	KT_EQ(find(), 0);
	KT_EQ(virtio_pci_notify_offset(&caps, 0xffff, &off), 0);
	KT_EQ(off, 0x3000);
	/* The biggest multiplier: the arithmetic is 64-bit. */
	fake_qemu_blk();
	bars[4] = 1ull << 33;
	cap(0x70, 0x60, 20, VIRTIO_PCI_CAP_NOTIFY_CFG, 4, 0, 0xffffffffu, 0x80000000u);
	KT_EQ(find(), 0);
	KT_EQ(virtio_pci_notify_offset(&caps, 1, &off), 0);
	KT_EQ(off, 0x80000000u);
	KT_EQ(virtio_pci_notify_offset(&caps, 2, &off), -KEEL_ERANGE);
	return NULL;
}

/* A bad first instance is skipped; the next good one of the type is taken; later ones not. */
static const char *test_first_usable(void)
{
	fake_qemu_blk();
	fk.reg[0x34 / 4] = 0xa8;
	cap(0xa8, 0xb8, 16, VIRTIO_PCI_CAP_ISR_CFG, 4, 0x5000, 1, 0); /* outside BAR 4 */
	cap(0xb8, 0xc8, 16, VIRTIO_PCI_CAP_ISR_CFG, 1, 0x10, 1, 0);   /* good */
	cap(0xc8, 0x98, 16, VIRTIO_PCI_CAP_ISR_CFG, 1, 0x20, 1, 0);   /* good, later */
	KT_EQ(find(), 0);
	KT_EQ(caps.skipped, 1);
	KT_EQ(caps.isr.bar, 1);
	KT_EQ(caps.isr.offset, 0x10);
	return NULL;
}

/* The MSI-X table: found by the walk, located, and refused outside its BAR. */
static const char *test_msix(void)
{
	struct virtio_pci_region t;
	unsigned n = 0;

	fake_qemu_blk();
	KT_EQ(find(), 0);
	KT_EQ(caps.msix, 0x98);
	KT_EQ(virtio_pci_msix_table(&ops, caps.msix, bars, &t, &n), 0);
	KT_EQ(t.bar, 1);
	KT_EQ(t.offset, 0);
	KT_EQ(t.length, 32);
	KT_EQ(n, 2);
	fk.reg[0x9c / 4] = 0x00000ff1; /* offset 0xff0: the second entry past BAR 1's end */
	KT_EQ(virtio_pci_msix_table(&ops, caps.msix, bars, &t, &n), -KEEL_ERANGE);
	fk.reg[0x9c / 4] = 0x00000007; /* a reserved BIR */
	KT_EQ(virtio_pci_msix_table(&ops, caps.msix, bars, &t, &n), -KEEL_ERANGE);
	fk.reg[0x9c / 4] = 0x00000002; /* BAR 2: not usable */
	KT_EQ(virtio_pci_msix_table(&ops, caps.msix, bars, &t, &n), -KEEL_ERANGE);
	fk.reg[0x9c / 4] = 0xfffffff4; /* BAR 4 at 4 GiB - 16: no wrap, past its 16 KiB */
	fk.reg[0x98 / 4] = 0x07ff8411; /* 2048 entries */
	KT_EQ(virtio_pci_msix_table(&ops, caps.msix, bars, &t, &n), -KEEL_ERANGE);
	KT_EQ(virtio_pci_msix_table(&ops, 0, bars, &t, &n), -KEEL_ENOENT);
	KT_EQ(virtio_pci_msix_table(&ops, 0x84, bars, &t, &n), -KEEL_ENOENT); /* not MSI-X */
	fk.reg[0x98 / 4] = 0x00008409; /* no MSI-X in the list */
	KT_EQ(find(), 0);
	KT_EQ(caps.msix, 0);
	KT_EQ(fk.bad_access, 0);
	return NULL;
}

static const struct ktest tests[] = {
    KTEST(test_qemu_blk),     KTEST(test_no_list),      KTEST(test_loops), KTEST(test_bad_fields),
    KTEST(test_notify_rules), KTEST(test_first_usable), KTEST(test_msix),
};

int main(void)
{
	return ktest_main(tests, KTEST_COUNT(tests));
}
