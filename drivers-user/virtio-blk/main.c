/*
 * drivers-user/virtio-blk/main.c: the virtio-blk driver, first step (issue
 * 7): it brings the device up over the modern PCI interface (Virtual I/O
 * Device Version 1.1, 4.1 and 3.1.1), reads sector 0 by polling (no
 * interrupt yet), prints its first 16 bytes and the capacity, then answers
 * KEEL_BLK_SELFTEST on its service until it is stopped.
 *
 * Its start block (init's `pci=1af4:1001` or `pci=1af4:1042`, conf.h):
 * DEVICE0 the DMA right, DEVICE0+1 an MSI interrupt (unused so far),
 * DEVICE0+2.. the function's memory BARs in slot order. It finds the same
 * function through the "pci" service (the first virtio-blk one, which must
 * be the one its pci= names), learns which slot each BAR is, and reads the
 * capability list through KEEL_PCI_CFG_READ. Every register the device
 * gives is checked before it is used as a size, an offset or an index.
 */
#include <keel/service.h>

#include "blk_request.h"
#include "keel.h"
#include "virtio_pci_caps.h"
#include "virtq.h"

#define VBLK_BAR_VA     0x0000400000000000ull /* BAR slot i at + i << 32 */
#define VBLK_DMA_VA     0x0000500000000000ull
#define VBLK_DMA_BYTES  (3 * KEEL_PAGE_SIZE) /* queue (page 0-1), request (page 2) */
#define VBLK_QSIZE      16
#define VBLK_REQ_OFF    (2 * KEEL_PAGE_SIZE) /* header 16 bytes, data at +512, status at +1024 */
#define VBLK_TIMEOUT_NS 5000000000ull
#define VBLK_SLOT_DMA   (KEEL_START_DEVICE0)
#define VBLK_SLOT_BAR0  (KEEL_START_DEVICE0 + 2)

struct vblk {
	uint64_t pci, index;                 /* the pci service, the function's index */
	volatile uint8_t *bar[PCI_BARS_MAX]; /* mapped memory BARs, NULL others */
	uint64_t bar_size[PCI_BARS_MAX];     /* for virtio_pci_caps_find: 0 unusable */
	struct virtio_pci_caps caps;
	volatile uint8_t *common, *device, *notify_base;
	uint8_t *dma;
	uint64_t dma_phys;
	struct virtq q;
};

static struct vblk vblk;

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

/* Find the first virtio-blk function: 0 and vblk.index, its BAR count in *nbars, or -KEEL_E*. */
static int64_t vblk_find(unsigned *nbars)
{
	uint64_t w[KEEL_MSG_WORDS], count;
	int64_t r = vblk_pci_call(KEEL_PCI_COUNT, 0, 0, w);

	if (r < 0)
		return r;
	count = w[1];
	for (uint64_t i = 0; i < count && i < 4096; i++) {
		uint64_t id;

		if ((r = vblk_pci_call(KEEL_PCI_GET, i, 0, w)) < 0)
			return r;
		id = w[2] & 0xffffffffu;
		if ((id & 0xffff) == VIRTIO_PCI_VENDOR &&
		    ((id >> 16) == VIRTIO_PCI_DEVICE_BLK ||
		     (id >> 16) == VIRTIO_PCI_DEVICE_BLK_TRANS)) {
			vblk.index = i;
			*nbars = (unsigned)(w[3] >> 24 & 0xff);
			return 0;
		}
	}
	return -KEEL_ENOENT;
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

static uint8_t rd8(volatile uint8_t *b, unsigned off)
{
	return *(volatile uint8_t *)(b + off);
}
static uint16_t rd16(volatile uint8_t *b, unsigned off)
{
	return *(volatile uint16_t *)(b + off);
}
static uint32_t rd32(volatile uint8_t *b, unsigned off)
{
	return *(volatile uint32_t *)(b + off);
}
static void wr8(volatile uint8_t *b, unsigned off, uint8_t v)
{
	*(volatile uint8_t *)(b + off) = v;
}
static void wr16(volatile uint8_t *b, unsigned off, uint16_t v)
{
	*(volatile uint16_t *)(b + off) = v;
}
static void wr32(volatile uint8_t *b, unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(b + off) = v;
}
static void wr64(volatile uint8_t *b, unsigned off, uint64_t v)
{
	wr32(b, off, (uint32_t)v);
	wr32(b, off + 4, (uint32_t)(v >> 32));
}

static uint64_t vblk_clock(void)
{
	uint64_t ns = 0;

	keel_info(KEEL_INFO_CLOCK, 0, &ns, sizeof(ns));
	return ns;
}

/* Reset (4.1.4.3.1: write 0, then wait until it reads 0): 0, or -KEEL_ETIMEDOUT. */
static int64_t vblk_reset(void)
{
	uint64_t t0 = vblk_clock();

	wr8(vblk.common, VIRTIO_COMMON_STATUS, 0);
	while (rd8(vblk.common, VIRTIO_COMMON_STATUS) != 0) {
		if (vblk_clock() - t0 > VBLK_TIMEOUT_NS)
			return -KEEL_ETIMEDOUT;
		keel_yield();
	}
	return 0;
}

/* 3.1.1 steps 1-6: VERSION_1 and nothing else. 0, or -KEEL_E* (the device was told FAILED). */
static int64_t vblk_negotiate(void)
{
	volatile uint8_t *c = vblk.common;
	uint32_t hi;

	wr8(c, VIRTIO_COMMON_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	wr8(c, VIRTIO_COMMON_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr32(c, VIRTIO_COMMON_DFSELECT, 1);
	hi = rd32(c, VIRTIO_COMMON_DF);
	if (!(hi & (1u << (VIRTIO_F_VERSION_1 - 32)))) {
		wr8(c, VIRTIO_COMMON_STATUS, VIRTIO_STATUS_FAILED);
		return -KEEL_EINVAL;
	}
	wr32(c, VIRTIO_COMMON_GFSELECT, 0);
	wr32(c, VIRTIO_COMMON_GF, 0);
	wr32(c, VIRTIO_COMMON_GFSELECT, 1);
	wr32(c, VIRTIO_COMMON_GF, 1u << (VIRTIO_F_VERSION_1 - 32));
	wr8(c, VIRTIO_COMMON_STATUS,
	    VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	if (!(rd8(c, VIRTIO_COMMON_STATUS) & VIRTIO_STATUS_FEATURES_OK)) {
		wr8(c, VIRTIO_COMMON_STATUS, VIRTIO_STATUS_FAILED);
		return -KEEL_EINVAL;
	}
	return 0;
}

/* Queue 0 in the DMA memory's first pages, then DRIVER_OK: 0, or -KEEL_E*. */
static int64_t vblk_queue_setup(void)
{
	volatile uint8_t *c = vblk.common;
	size_t desc, avail, used, total;
	uint16_t size, noff;
	uint64_t off;
	int64_t r;

	wr16(c, VIRTIO_COMMON_Q_SELECT, 0);
	size = rd16(c, VIRTIO_COMMON_Q_SIZE);
	if (size == 0)
		return -KEEL_ENOENT;
	if (size > VBLK_QSIZE)
		size = VBLK_QSIZE; /* the driver may ask for less (4.1.4.3) */
	if (size & (size - 1))
		return -KEEL_EINVAL; /* split queues are powers of two; a device saying else lies */
	total = virtq_layout(size, &desc, &avail, &used);
	if (total > VBLK_REQ_OFF)
		return -KEEL_E2BIG;
	r = virtq_init(&vblk.q, vblk.dma, total, size, 0);
	if (r < 0)
		return r;
	noff = rd16(c, VIRTIO_COMMON_Q_NOFF);
	r = virtio_pci_notify_offset(&vblk.caps, noff, &off);
	if (r < 0)
		return r;
	vblk.notify_base = vblk.bar[vblk.caps.notify.bar] + off;
	wr16(c, VIRTIO_COMMON_Q_SIZE, size);
	wr16(c, VIRTIO_COMMON_Q_MSIX, VIRTIO_MSI_NO_VECTOR);
	wr64(c, VIRTIO_COMMON_Q_DESCLO, vblk.dma_phys + desc);
	wr64(c, VIRTIO_COMMON_Q_AVAILLO, vblk.dma_phys + avail);
	wr64(c, VIRTIO_COMMON_Q_USEDLO, vblk.dma_phys + used);
	wr16(c, VIRTIO_COMMON_Q_ENABLE, 1);
	wr16(c, VIRTIO_COMMON_MSIX, VIRTIO_MSI_NO_VECTOR);
	wr8(c, VIRTIO_COMMON_STATUS,
	    VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
		VIRTIO_STATUS_DRIVER_OK);
	return 0;
}

/* Read sector 0 into the request page by polling: 0 and the data at *data, or -KEEL_E*. */
static int64_t vblk_read_sector0(const uint8_t **data)
{
	uint8_t *req = vblk.dma + VBLK_REQ_OFF;
	struct virtio_blk_req_hdr *h = (struct virtio_blk_req_hdr *)req;
	uint64_t phys = vblk.dma_phys + VBLK_REQ_OFF, token, t0;
	struct virtq_buf b[3] = {
	    {phys, sizeof(*h), 0},
	    {phys + 512, KEEL_BLK_SECTOR, 1},
	    {phys + 1024, 1, 1},
	};
	uint32_t len;
	int r;

	h->type = VIRTIO_BLK_T_IN;
	h->reserved = 0;
	h->sector = 0;
	req[1024] = BLK_STATUS_POISON;
	if ((r = virtq_add(&vblk.q, b, 3, 0)) < 0)
		return r;
	if (virtq_kick_prepare(&vblk.q))
		wr16(vblk.notify_base, 0, 0); /* the queue's index */
	t0 = vblk_clock();
	while ((r = virtq_get_used(&vblk.q, &token, &len)) == 0) {
		if (vblk_clock() - t0 > VBLK_TIMEOUT_NS)
			return -KEEL_ETIMEDOUT;
		keel_yield();
	}
	if (r < 0)
		return r;
	if (req[1024] != VIRTIO_BLK_S_OK) {
		keel_printf("sector 0: device status %u\n", req[1024]);
		return -KEEL_EFAULT;
	}
	*data = req + 512;
	return 0;
}

/* DMA memory for the queue and one request, mapped: 0, or -KEEL_E*. */
static int64_t vblk_dma(uint64_t dma)
{
	int64_t vmo = keel_device_create(KEEL_OBJ_DMAMEM, VBLK_DMA_BYTES, 0, dma), r;

	if (vmo < 0)
		return vmo;
	r = keel_info(KEEL_INFO_VMO_PHYS, (uint64_t)vmo, &vblk.dma_phys, sizeof(vblk.dma_phys));
	if (r >= 0)
		r = keel_map(KEEL_HANDLE_SELF, (uint64_t)vmo, VBLK_DMA_VA, 0, VBLK_DMA_BYTES,
			     KEEL_MAP_READ | KEEL_MAP_WRITE);
	keel_handle_close((uint64_t)vmo); /* the mapping keeps the pages */
	if (r < 0)
		return r;
	vblk.dma = (uint8_t *)(uintptr_t)VBLK_DMA_VA;
	return 0;
}

/* Everything up to sector 0 printed: 0 and *ok (the boot signature), or -KEEL_E* (said). */
static int64_t vblk_bring_up(const struct keel_start *sb, int *ok, uint64_t *capacity)
{
	struct pci_config_ops ops = {vblk_cfg_read32, vblk_cfg_write32, NULL};
	uint64_t w[KEEL_MSG_WORDS];
	const uint8_t *d;
	unsigned nbars = 0;
	int64_t r;

	if ((r = keel_name_lookup(sb->handle[KEEL_START_NAMES], "pci", &vblk.pci)) < 0)
		return keel_printf("no pci service: %s\n", keel_strerror(r)), r;
	if ((r = vblk_find(&nbars)) < 0)
		return keel_printf("no virtio-blk function: %s\n", keel_strerror(r)), r;
	if ((r = vblk_map_bars(sb, nbars)) < 0)
		return keel_printf("BARs: %s\n", keel_strerror(r)), r;
	if ((r = virtio_pci_caps_find(&ops, vblk.bar_size, &vblk.caps)) < 0)
		return keel_printf("virtio capabilities: found 0x%x, cut %u, skipped %u\n",
				   vblk.caps.found, vblk.caps.cut, vblk.caps.skipped),
		       r;
	/* Each structure lies in a BAR with a size, and only mapped BARs have one. */
	vblk.common = vblk.bar[vblk.caps.common.bar] + vblk.caps.common.offset;
	vblk.device = vblk.bar[vblk.caps.device.bar] + vblk.caps.device.offset;
	if ((r = vblk_dma(sb->handle[VBLK_SLOT_DMA])) < 0)
		return keel_printf("DMA memory: %s\n", keel_strerror(r)), r;
	if ((r = vblk_pci_call(KEEL_PCI_ENABLE, vblk.index, 0, w)) < 0 || (r = vblk_reset()) < 0 ||
	    (r = vblk_negotiate()) < 0 || (r = vblk_queue_setup()) < 0)
		return keel_printf("device setup: %s\n", keel_strerror(r)), r;
	*capacity = (uint64_t)rd32(vblk.device, VIRTIO_BLK_CFG_CAPACITY) |
		    (uint64_t)rd32(vblk.device, VIRTIO_BLK_CFG_CAPACITY + 4) << 32;
	if ((r = vblk_read_sector0(&d)) < 0)
		return keel_printf("sector 0: %s\n", keel_strerror(r)), r;
	keel_printf("sector 0: %02x %02x %02x %02x %02x %02x %02x %02x %02x %02x %02x %02x %02x "
		    "%02x %02x %02x ... %02x %02x; capacity %llu sectors\n",
		    d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11], d[12],
		    d[13], d[14], d[15], d[510], d[511], (unsigned long long)*capacity);
	*ok = d[510] == 0x55 && d[511] == 0xaa;
	return 0;
}

int main(uint64_t start)
{
	const struct keel_start *sb = (const struct keel_start *)(uintptr_t)start;
	uint64_t service, capacity = 0, w[KEEL_MSG_WORDS];
	int ok = 0;
	int64_t r;

	if (!sb || sb->magic != KEEL_START_MAGIC ||
	    sb->handle[KEEL_START_SERVICE] == KEEL_MSG_NO_HANDLE)
		return 100;
	service = sb->handle[KEEL_START_SERVICE];
	if (vblk_bring_up(sb, &ok, &capacity) < 0 && vblk.common)
		wr8(vblk.common, VIRTIO_COMMON_STATUS, VIRTIO_STATUS_FAILED);
	/* Served even after a failed bring-up: the self test says so (w1 = 0). */
	r = keel_recv_words(service, w);
	while (r >= 0) {
		if (w[0] == KEEL_BLK_SELFTEST) {
			w[0] = 0;
			w[1] = (uint64_t)ok;
			w[2] = capacity;
		} else {
			w[0] = (uint64_t)-KEEL_EINVAL;
			w[1] = w[2] = 0;
		}
		w[3] = 0;
		r = keel_reply_recv_words(service, w);
	}
	if (vblk.common)
		vblk_reset(); /* no DMA after we are gone (syscall.h) */
	return r == -KEEL_ECLOSED ? 0 : 1;
}
