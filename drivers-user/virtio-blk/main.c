/*
 * drivers-user/virtio-blk/main.c: the virtio-blk driver (issue 7). It brings
 * the device up over the modern PCI interface (Virtual I/O Device Version
 * 1.1, 4.1 and 3.1.1) with its queue's interrupt as an MSI-X message, then
 * serves "blk" ring sessions (include/keel/service.h) with libkeel's server
 * (session.h); the requests themselves are vblk_io.c's.
 *
 * Its start block (init's `pci=VVVV:DDDD[.N]`, conf.h): arg carries the
 * function's index in the pci service's list (KEEL_DRIVER_ARG_PCI_INDEX),
 * DEVICE0 the DMA right, DEVICE0+1 an MSI interrupt, DEVICE0+2.. the
 * function's memory BARs in slot order. It learns from the pci service
 * which slot each BAR is and reads the capability list through
 * KEEL_PCI_CFG_READ. Every register the device gives is checked before it
 * is used as a size, an offset or an index.
 *
 * A device a previous instance left running: init turned its bus mastering
 * off when that instance died (KEEL_PCI_DISABLE); this one turns memory
 * decoding on alone, resets the device, and only then lets it master the
 * bus again, so nothing the old instance queued reaches memory by DMA.
 *
 * Anything that refuses (no MSI-X capability, a table outside its BAR, a
 * vector the device does not take) ends the driver with one line saying
 * what: there is no polling fallback.
 */
#include <keel/service.h>

#include "vblk.h"

#define VBLK_BAR_VA     0x0000600000000000ull /* BAR slot i at + i << 32 (session.c uses 4-5xxx) */
#define VBLK_CTL_VA     0x0000700000000000ull
#define VBLK_BOUNCE_VA  0x0000710000000000ull
#define VBLK_RESET_NS   1000000000ull
#define VBLK_SQ_ENTRIES 64
#define VBLK_CQ_ENTRIES 64
#define VBLK_DATA_SIZE  (128 * 1024)
#define VBLK_SLOT_DMA   (KEEL_START_DEVICE0)
#define VBLK_SLOT_MSI   (KEEL_START_DEVICE0 + 1)
#define VBLK_SLOT_BAR0  (KEEL_START_DEVICE0 + 2)
#define VBLK_CFG_TRIES  16 /* reads of the device configuration until its generation holds */

static int64_t vblk_pci_call(uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w[KEEL_MSG_WORDS])
{
	int64_t r;

	w[0] = w0;
	w[1] = w1;
	w[2] = w2;
	w[3] = 0;
	r = keel_call_words(vblk.pci, w);
	return r < 0 ? r : (int64_t)w[0];
}

/* Config-space reads for virtio_pci_caps_find; all ones when the service says no. */
static uint32_t vblk_cfg_read32(void *ctx, uint32_t off)
{
	uint64_t w[KEEL_MSG_WORDS];

	(void)ctx;
	return vblk_pci_call(KEEL_PCI_CFG_READ, vblk.index, off, w) < 0 ? 0xffffffffu
									: (uint32_t)w[1];
}

/* The capability walk only reads: a write is a bug there, so it goes nowhere. */
static void vblk_cfg_write32(void *ctx, uint32_t off, uint32_t v)
{
	(void)ctx;
	(void)off;
	(void)v;
}

/* The function init named (start-block arg): 0 with vblk.index and its BAR count, or -KEEL_E*. */
static int64_t vblk_find(uint64_t arg, unsigned *nbars)
{
	uint64_t w[KEEL_MSG_WORDS], id, index = KEEL_DRIVER_ARG_PCI_INDEX(arg);
	int64_t r;

	if (index == KEEL_DRIVER_ARG_PCI_NONE)
		return -KEEL_EINVAL;
	if ((r = vblk_pci_call(KEEL_PCI_GET, index, 0, w)) < 0)
		return r;
	id = w[2] & 0xffffffffu;
	/* The pci list is fixed at its start, but a restarted pci driver could order it anew. */
	if ((id & 0xffff) != VIRTIO_PCI_VENDOR ||
	    ((id >> 16) != VIRTIO_PCI_DEVICE_BLK && (id >> 16) != VIRTIO_PCI_DEVICE_BLK_TRANS))
		return -KEEL_ENOENT;
	vblk.index = index;
	*nbars = (unsigned)(w[3] >> 24 & 0xff);
	return 0;
}

/* Map the memory BARs from their slots, in the order init carved them (pci_carve.h). */
static int64_t vblk_map_bars(const struct keel_start *sb, unsigned nbars)
{
	unsigned slot = VBLK_SLOT_BAR0;

	for (unsigned n = 0; n < nbars && n < PCI_BARS_MAX; n++) {
		uint64_t w[KEEL_MSG_WORDS], base, size, first, end;
		unsigned flags, index;
		int64_t r = vblk_pci_call(KEEL_PCI_BAR, vblk.index, n, w);

		if (r < 0)
			return r;
		base = w[1];
		size = w[2];
		index = (unsigned)(w[3] & 0xff);
		flags = (unsigned)(w[3] >> 8 & 0xff);
		if (flags & (KEEL_PCI_BAR_IO | KEEL_PCI_BAR_BAD))
			continue;
		if (index >= PCI_BARS_MAX || size == 0 || size > (1ull << 32) ||
		    base > UINT64_MAX - size - KEEL_PAGE_SIZE || slot >= KEEL_START_HANDLES ||
		    sb->handle[slot] == KEEL_MSG_NO_HANDLE)
			return -KEEL_EINVAL;
		first = base & ~(uint64_t)(KEEL_PAGE_SIZE - 1);
		end = (base + size + KEEL_PAGE_SIZE - 1) & ~(uint64_t)(KEEL_PAGE_SIZE - 1);
		r = keel_map(KEEL_HANDLE_SELF, sb->handle[slot],
			     VBLK_BAR_VA + ((uint64_t)index << 32), 0, end - first,
			     KEEL_MAP_READ | KEEL_MAP_WRITE);
		if (r < 0)
			return r;
		vblk.bar[index] =
		    (volatile uint8_t *)(uintptr_t)(VBLK_BAR_VA + ((uint64_t)index << 32) +
						    (base - first));
		vblk.bar_size[index] = size;
		slot++;
	}
	return 0;
}

static uint64_t vblk_clock(void)
{
	uint64_t ns = 0;

	keel_info(KEEL_INFO_CLOCK, 0, &ns, sizeof(ns));
	return ns;
}

int64_t vblk_reset(void)
{
	uint64_t t0 = vblk_clock();

	/* 4.1.4.3.1: write 0, then wait until it reads 0. */
	vblk_wr8(vblk.common, VIRTIO_COMMON_STATUS, 0);
	while (vblk_rd8(vblk.common, VIRTIO_COMMON_STATUS) != 0) {
		if (vblk_clock() - t0 > VBLK_RESET_NS)
			return -KEEL_ETIMEDOUT;
		keel_yield();
	}
	return 0;
}

/*
 * 3.1.1 steps 1-6: VERSION_1, and of the block features size_max, read-only
 * and flush when offered. 0 and the low feature word taken, or -KEEL_E*.
 */
static int64_t vblk_negotiate(uint32_t *taken)
{
	const uint32_t want =
	    1u << VIRTIO_BLK_F_SIZE_MAX | 1u << VIRTIO_BLK_F_RO | 1u << VIRTIO_BLK_F_FLUSH;
	volatile uint8_t *c = vblk.common;
	uint32_t lo, hi;

	vblk_wr8(c, VIRTIO_COMMON_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	vblk_wr8(c, VIRTIO_COMMON_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	vblk_wr32(c, VIRTIO_COMMON_DFSELECT, 0);
	lo = vblk_rd32(c, VIRTIO_COMMON_DF);
	vblk_wr32(c, VIRTIO_COMMON_DFSELECT, 1);
	hi = vblk_rd32(c, VIRTIO_COMMON_DF);
	if (!(hi & (1u << (VIRTIO_F_VERSION_1 - 32))))
		return -KEEL_ENOSYS;
	*taken = lo & want;
	vblk_wr32(c, VIRTIO_COMMON_GFSELECT, 0);
	vblk_wr32(c, VIRTIO_COMMON_GF, *taken);
	vblk_wr32(c, VIRTIO_COMMON_GFSELECT, 1);
	vblk_wr32(c, VIRTIO_COMMON_GF, 1u << (VIRTIO_F_VERSION_1 - 32));
	vblk_wr8(c, VIRTIO_COMMON_STATUS,
		 VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	if (!(vblk_rd8(c, VIRTIO_COMMON_STATUS) & VIRTIO_STATUS_FEATURES_OK))
		return -KEEL_ENOSYS;
	return 0;
}

/* The disk's limits from its configuration (2.4.1: read until the generation holds). */
static int64_t vblk_limits(uint32_t features)
{
	volatile uint8_t *d = vblk.device;
	uint32_t size_max = 0;

	for (int tries = 0;; tries++) {
		uint8_t gen = vblk_rd8(vblk.common, VIRTIO_COMMON_CFGGEN);

		vblk.lim.capacity = (uint64_t)vblk_rd32(d, VIRTIO_BLK_CFG_CAPACITY) |
				    (uint64_t)vblk_rd32(d, VIRTIO_BLK_CFG_CAPACITY + 4) << 32;
		if (features & (1u << VIRTIO_BLK_F_SIZE_MAX))
			size_max = vblk_rd32(d, VIRTIO_BLK_CFG_SIZE_MAX);
		if (gen == vblk_rd8(vblk.common, VIRTIO_COMMON_CFGGEN))
			break;
		if (tries == VBLK_CFG_TRIES)
			return -KEEL_EIO;
	}
	vblk.lim.max_bytes = VBLK_MAX_BYTES;
	/* size_max bounds one segment; the data is one segment. */
	if (size_max != 0 && size_max < vblk.lim.max_bytes)
		vblk.lim.max_bytes = size_max & ~(uint32_t)(KEEL_BLK_SECTOR - 1);
	vblk.lim.read_only = (features >> VIRTIO_BLK_F_RO) & 1;
	vblk.lim.flush = (features >> VIRTIO_BLK_F_FLUSH) & 1;
	if (vblk.lim.capacity == 0 || vblk.lim.max_bytes == 0)
		return -KEEL_ERANGE;
	return 0;
}

/*
 * MSI-X table entry 0 gets the MSI object's message, unmasked, then the pci
 * service enables MSI-X on the function (the table is only read by the
 * device once enabled). 0, or -KEEL_E* with *why.
 */
static int64_t vblk_msix(uint64_t msi, const char **why)
{
	struct pci_config_ops ops = {vblk_cfg_read32, vblk_cfg_write32, NULL};
	struct virtio_pci_region t;
	struct keel_msi m;
	uint64_t w[KEEL_MSG_WORDS];
	volatile uint8_t *e;
	unsigned entries;
	int64_t r;

	*why = "no MSI-X table the driver can reach";
	if ((r = virtio_pci_msix_table(&ops, vblk.caps.msix, vblk.bar_size, &t, &entries)) < 0)
		return r;
	*why = "MSI interrupt";
	if ((r = keel_irq_bind(msi, vblk.srv.notif, VBLK_IRQ_BIT)) < 0 ||
	    (r = keel_info(KEEL_INFO_IRQ_MSI, msi, &m, sizeof(m))) < 0)
		return r;
	e = vblk.bar[t.bar] + t.offset; /* entry 0: address low, high, data, vector control */
	vblk_wr32(e, 0, (uint32_t)m.address);
	vblk_wr32(e, 4, (uint32_t)(m.address >> 32));
	vblk_wr32(e, 8, m.data);
	vblk_wr32(e, 12, 0); /* unmasked */
	*why = "the pci service does not enable MSI-X";
	return vblk_pci_call(KEEL_PCI_MSIX_ENABLE, vblk.index, 1, w);
}

/* Queue 0 (its interrupt MSI-X vector 0) in the control memory, then DRIVER_OK. */
static int64_t vblk_queue_setup(const char **why)
{
	volatile uint8_t *c = vblk.common;
	size_t desc, avail, used, total;
	uint16_t size, noff;
	uint64_t off;
	int64_t r;

	*why = "queue 0";
	vblk_wr16(c, VIRTIO_COMMON_Q_SELECT, 0);
	size = vblk_rd16(c, VIRTIO_COMMON_Q_SIZE);
	if (size == 0)
		return -KEEL_ENOENT;
	if (size > VBLK_QSIZE_MAX)
		size = VBLK_QSIZE_MAX; /* the driver may ask for less (4.1.4.3) */
	if (size & (size - 1))
		return -KEEL_EINVAL; /* split queues are powers of two; a device saying else lies */
	vblk.slots = size / 3 < VBLK_SLOTS ? size / 3 : VBLK_SLOTS;
	if (vblk.slots == 0)
		return -KEEL_E2BIG; /* not even one request of three descriptors */
	total = virtq_layout(size, &desc, &avail, &used);
	if (total > VBLK_HDR_OFF)
		return -KEEL_E2BIG;
	if ((r = virtq_init(&vblk.q, vblk.ctl, total, size, 0)) < 0)
		return r;
	noff = vblk_rd16(c, VIRTIO_COMMON_Q_NOFF);
	if ((r = virtio_pci_notify_offset(&vblk.caps, noff, &off)) < 0)
		return r;
	vblk.notify = vblk.bar[vblk.caps.notify.bar] + off;
	vblk_wr16(c, VIRTIO_COMMON_Q_SIZE, size);
	vblk_wr32(c, VIRTIO_COMMON_Q_DESCLO, (uint32_t)(vblk.ctl_phys + desc));
	vblk_wr32(c, VIRTIO_COMMON_Q_DESCLO + 4, (uint32_t)((vblk.ctl_phys + desc) >> 32));
	vblk_wr32(c, VIRTIO_COMMON_Q_AVAILLO, (uint32_t)(vblk.ctl_phys + avail));
	vblk_wr32(c, VIRTIO_COMMON_Q_AVAILLO + 4, (uint32_t)((vblk.ctl_phys + avail) >> 32));
	vblk_wr32(c, VIRTIO_COMMON_Q_USEDLO, (uint32_t)(vblk.ctl_phys + used));
	vblk_wr32(c, VIRTIO_COMMON_Q_USEDLO + 4, (uint32_t)((vblk.ctl_phys + used) >> 32));
	/* 4.1.5.1.2: a vector the device cannot use reads back as NO_VECTOR. */
	*why = "the device refuses MSI-X vector 0 for its queue";
	vblk_wr16(c, VIRTIO_COMMON_Q_MSIX, 0);
	if (vblk_rd16(c, VIRTIO_COMMON_Q_MSIX) != 0)
		return -KEEL_EIO;
	vblk_wr16(c, VIRTIO_COMMON_MSIX, VIRTIO_MSI_NO_VECTOR); /* no config-change messages */
	vblk_wr16(c, VIRTIO_COMMON_Q_ENABLE, 1);
	vblk_wr8(c, VIRTIO_COMMON_STATUS,
		 VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
		     VIRTIO_STATUS_DRIVER_OK);
	return 0;
}

/* DMA memory of `bytes`, mapped at va: 0 with its mapping and bus address, or -KEEL_E*. */
static int64_t vblk_dma(uint64_t dma, uint64_t bytes, uint64_t va, uint8_t **mem, uint64_t *phys)
{
	int64_t vmo = keel_device_create(KEEL_OBJ_DMAMEM, bytes, 0, dma), r;

	if (vmo < 0)
		return vmo;
	r = keel_info(KEEL_INFO_VMO_PHYS, (uint64_t)vmo, phys, sizeof(*phys));
	if (r >= 0)
		r = keel_map(KEEL_HANDLE_SELF, (uint64_t)vmo, va, 0, bytes,
			     KEEL_MAP_READ | KEEL_MAP_WRITE);
	keel_handle_close((uint64_t)vmo); /* the mapping keeps the pages */
	if (r < 0)
		return r;
	*mem = (uint8_t *)(uintptr_t)va;
	return 0;
}

/* Find, map and reset the function; nothing enabled but memory decoding yet. */
static int64_t vblk_attach(const struct keel_start *sb, const char **why)
{
	struct pci_config_ops ops = {vblk_cfg_read32, vblk_cfg_write32, NULL};
	uint64_t w[KEEL_MSG_WORDS], dma = sb->handle[VBLK_SLOT_DMA];
	unsigned nbars = 0;
	int64_t r;

	*why = "no pci service";
	if ((r = keel_name_lookup(sb->handle[KEEL_START_NAMES], "pci", &vblk.pci)) < 0)
		return r;
	*why = "no virtio-blk function at the pci index init gave (start-block arg)";
	if ((r = vblk_find(sb->arg, &nbars)) < 0)
		return r;
	*why = "BARs";
	if ((r = vblk_map_bars(sb, nbars)) < 0)
		return r;
	*why = "virtio capabilities";
	if ((r = virtio_pci_caps_find(&ops, vblk.bar_size, &vblk.caps)) < 0)
		return r;
	/* Each structure lies in a BAR with a size, and only mapped BARs have one. */
	vblk.common = vblk.bar[vblk.caps.common.bar] + vblk.caps.common.offset;
	vblk.device = vblk.bar[vblk.caps.device.bar] + vblk.caps.device.offset;
	*why = "DMA memory";
	if ((r = vblk_dma(dma, VBLK_CTL_BYTES, VBLK_CTL_VA, &vblk.ctl, &vblk.ctl_phys)) < 0 ||
	    (r = vblk_dma(dma, (uint64_t)VBLK_SLOTS * VBLK_MAX_BYTES, VBLK_BOUNCE_VA, &vblk.bounce,
			  &vblk.bounce_phys)) < 0)
		return r;
	*why = "memory decoding";
	if ((r = vblk_pci_call(KEEL_PCI_ENABLE, vblk.index, KEEL_PCI_ENABLE_NO_MASTER, w)) < 0)
		return r;
	*why = "reset";
	if ((r = vblk_reset()) < 0)
		return r;
	*why = "bus mastering";
	return vblk_pci_call(KEEL_PCI_ENABLE, vblk.index, 0, w);
}

/* Everything up to serving: 0, or -KEEL_E* (said in one line, the device told FAILED). */
static int64_t vblk_bring_up(const struct keel_start *sb)
{
	const char *why = "";
	uint32_t features = 0;
	int64_t r;

	if ((r = vblk_attach(sb, &why)) < 0)
		goto fail;
	why = "feature negotiation (VERSION_1)";
	if ((r = vblk_negotiate(&features)) < 0)
		goto fail;
	why = "device configuration (capacity, size_max)";
	if ((r = vblk_limits(features)) < 0)
		goto fail;
	why = "session server";
	if ((r = keel_server_init(&vblk.srv, sb->handle[KEEL_START_SERVICE], VBLK_SQ_ENTRIES,
				  VBLK_CQ_ENTRIES, VBLK_DATA_SIZE, vblk_request, NULL)) < 0)
		goto fail;
	vblk.msi = sb->handle[VBLK_SLOT_MSI];
	if ((r = vblk_msix(vblk.msi, &why)) < 0 || (r = vblk_queue_setup(&why)) < 0)
		goto fail;
	why = "watchdog thread";
	if ((r = vblk_watchdog_start()) < 0)
		goto fail;
	keel_printf("pci index %llu, %llu sectors, up to %u bytes a request%s%s, "
		    "%u in flight, MSI-X\n",
		    (unsigned long long)vblk.index, (unsigned long long)vblk.lim.capacity,
		    vblk.lim.max_bytes, vblk.lim.read_only ? ", read-only" : "",
		    vblk.lim.flush ? ", write-back cache" : "", vblk.slots);
	return 0;
fail:
	keel_printf("%s: %s\n", why, keel_strerror(r));
	if (vblk.common)
		vblk_wr8(vblk.common, VIRTIO_COMMON_STATUS, VIRTIO_STATUS_FAILED);
	return r;
}

int main(uint64_t start)
{
	const struct keel_start *sb = (const struct keel_start *)(uintptr_t)start;
	uint64_t w[KEEL_MSG_WORDS];

	if (!sb || sb->magic != KEEL_START_MAGIC ||
	    sb->handle[KEEL_START_SERVICE] == KEEL_MSG_NO_HANDLE)
		return 100;
	if (vblk_bring_up(sb) < 0)
		return 1;
	while (!vblk.srv.gone)
		vblk_io_step(keel_server_step(&vblk.srv));
	/* No caller left on the service: no DMA and no message after we are gone (syscall.h). */
	__atomic_store_n(&vblk.stop, 1, __ATOMIC_RELAXED);
	vblk_reset();
	vblk_pci_call(KEEL_PCI_MSIX_ENABLE, vblk.index, 0, w);
	return 0;
}
