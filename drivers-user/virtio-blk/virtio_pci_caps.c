/*
 * drivers-user/virtio-blk/virtio_pci_caps.c: finding the virtio structures
 * in a capability list (virtio_pci_caps.h). Pure: it reads only through the
 * accessor, aligned dwords below 256.
 */
#include <keel/syscall.h>

#include "virtio_pci_caps.h"

#define PCI_COMMAND     0x04 /* status in bits 16-31 */
#define PCI_HEADER      0x0c /* header type in bits 16-22 */
#define PCI_CAP_PTR     0x34
#define PCI_HEADER_END  0x40 /* capabilities live after the header */
#define PCI_CONFIG_SIZE 256
#define PCI_STATUS_CAPS (1u << 20) /* status bit 4, seen in the dword at 0x04 */

/* A capability as read: its five dwords decoded (the fifth only when cap_len has it). */
struct virtio_cap_raw {
	uint8_t cfg_type, bar, len;
	uint32_t offset, length, mult;
};

static int virtio_pow2(uint32_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

/*
 * The type's own rules (4.1.4.3 to 4.1.4.6): the common structure is
 * 4-aligned and whole; notify 2-aligned, at least one 16-bit register, a
 * multiplier 0 or an even power of two; ISR at least its byte; the device
 * structure 4-aligned and not empty (the block device's starts with its
 * 64-bit capacity).
 */
static int virtio_cap_type_ok(const struct virtio_cap_raw *r)
{
	switch (r->cfg_type) {
	case VIRTIO_PCI_CAP_COMMON_CFG:
		return r->offset % 4 == 0 && r->length >= VIRTIO_COMMON_CFG_LEN;
	case VIRTIO_PCI_CAP_NOTIFY_CFG:
		return r->len >= VIRTIO_PCI_NOTIFY_CAP_LEN && r->offset % 2 == 0 &&
		       r->length >= 2 && (r->mult == 0 || (virtio_pow2(r->mult) && r->mult >= 2));
	case VIRTIO_PCI_CAP_ISR_CFG: return r->length >= 1;
	case VIRTIO_PCI_CAP_DEVICE_CFG: return r->offset % 4 == 0 && r->length >= 8;
	default: return 0;
	}
}

/* Inside its BAR: the slot is usable and offset + length (64-bit: no wrap) fits its size. */
static int virtio_cap_in_bar(const struct virtio_cap_raw *r, const uint64_t bar_size[PCI_BARS_MAX])
{
	return bar_size[r->bar] != 0 && (uint64_t)r->offset + r->length <= bar_size[r->bar];
}

static struct virtio_pci_region *virtio_cap_slot(struct virtio_pci_caps *c, uint8_t type)
{
	switch (type) {
	case VIRTIO_PCI_CAP_COMMON_CFG: return &c->common;
	case VIRTIO_PCI_CAP_NOTIFY_CFG: return &c->notify;
	case VIRTIO_PCI_CAP_ISR_CFG: return &c->isr;
	default: return &c->device;
	}
}

/* One virtio capability at ptr (dword 0 already read as v0): taken, ignored or skipped. */
static void virtio_cap_take(const struct pci_config_ops *ops, uint32_t ptr, uint32_t v0,
			    const uint64_t bar_size[PCI_BARS_MAX], struct virtio_pci_caps *c)
{
	struct virtio_cap_raw r = {.len = (uint8_t)(v0 >> 16), .cfg_type = (uint8_t)(v0 >> 24)};

	/* Reserved types (and the PCI access window, unused) are ignored: not an error. */
	if (r.cfg_type < VIRTIO_PCI_CAP_COMMON_CFG || r.cfg_type > VIRTIO_PCI_CAP_DEVICE_CFG)
		return;
	if (c->found & VIRTIO_PCI_FOUND(r.cfg_type))
		return; /* the first usable instance wins */
	/* ptr <= 0xfc: the sums cannot wrap. The whole capability must be in config space. */
	if (r.len < VIRTIO_PCI_CAP_LEN || ptr + r.len > PCI_CONFIG_SIZE)
		goto skip;
	r.bar = (uint8_t)ops->read32(ops->ctx, ptr + 4);
	if (r.bar >= PCI_BARS_MAX)
		return; /* a reserved bar value: ignored (4.1.4.1) */
	r.offset = ops->read32(ops->ctx, ptr + 8);
	r.length = ops->read32(ops->ctx, ptr + 12);
	if (r.cfg_type == VIRTIO_PCI_CAP_NOTIFY_CFG && r.len >= VIRTIO_PCI_NOTIFY_CAP_LEN)
		r.mult = ops->read32(ops->ctx, ptr + 16);
	if (!virtio_cap_type_ok(&r) || !virtio_cap_in_bar(&r, bar_size))
		goto skip;
	*virtio_cap_slot(c, r.cfg_type) =
	    (struct virtio_pci_region){.bar = r.bar, .offset = r.offset, .length = r.length};
	if (r.cfg_type == VIRTIO_PCI_CAP_NOTIFY_CFG)
		c->notify_off_multiplier = r.mult;
	c->found |= (uint8_t)VIRTIO_PCI_FOUND(r.cfg_type);
	return;
skip:
	if (c->skipped < 255)
		c->skipped++;
}

int virtio_pci_caps_find(const struct pci_config_ops *ops, const uint64_t bar_size[PCI_BARS_MAX],
			 struct virtio_pci_caps *c)
{
	uint32_t ptr;
	unsigned n;

	*c = (struct virtio_pci_caps){0};
	if (!(ops->read32(ops->ctx, PCI_COMMAND) & PCI_STATUS_CAPS) ||
	    ((ops->read32(ops->ctx, PCI_HEADER) >> 16) & 0x7f) != 0)
		return -KEEL_ENOENT; /* no list, or not a device header (virtio's is type 0) */
	ptr = ops->read32(ops->ctx, PCI_CAP_PTR) & 0xfc;
	/* Bounded as pci_caps_walk is: PCI_CAPS_MAX entries, never into the header. */
	for (n = 0; n < PCI_CAPS_MAX && ptr != 0; n++) {
		uint32_t v0;

		if (ptr < PCI_HEADER_END)
			break;
		v0 = ops->read32(ops->ctx, ptr);
		if ((v0 & 0xff) == VIRTIO_PCI_CAP_ID)
			virtio_cap_take(ops, ptr, v0, bar_size, c);
		else if ((v0 & 0xff) == PCI_CAP_ID_MSIX && c->msix == 0)
			c->msix = (uint8_t)ptr;
		ptr = (v0 >> 8) & 0xfc; /* the two low bits are reserved */
	}
	c->cut = ptr != 0;
	return (c->found & VIRTIO_PCI_REQUIRED) == VIRTIO_PCI_REQUIRED ? 0 : -KEEL_ENOENT;
}

int virtio_pci_notify_offset(const struct virtio_pci_caps *c, uint16_t queue_notify_off,
			     uint64_t *off)
{
	/* At most 65535 x 2^31: no wrap in 64 bits. */
	uint64_t rel = (uint64_t)queue_notify_off * c->notify_off_multiplier;

	if (!(c->found & VIRTIO_PCI_FOUND(VIRTIO_PCI_CAP_NOTIFY_CFG)) || rel + 2 > c->notify.length)
		return -KEEL_ERANGE;
	*off = c->notify.offset + rel;
	return 0;
}

int virtio_pci_msix_table(const struct pci_config_ops *ops, uint8_t cap,
			  const uint64_t bar_size[PCI_BARS_MAX], struct virtio_pci_region *t,
			  unsigned *entries)
{
	uint32_t ctl, table, n;

	/* cap came from the bounded walk: at least 0x40, dword-aligned, so cap + 4 <= 0xfc. */
	if (cap < PCI_HEADER_END || (cap & 3) != 0)
		return -KEEL_ENOENT;
	ctl = ops->read32(ops->ctx, cap);
	if ((ctl & 0xff) != PCI_CAP_ID_MSIX)
		return -KEEL_ENOENT;
	table = ops->read32(ops->ctx, cap + 4u);
	n = ((ctl >> 16) & 0x7ff) + 1;
	t->bar = (uint8_t)(table & 7);
	t->offset = table & ~7u;
	t->length = n * PCI_MSIX_ENTRY_SIZE;
	if (t->bar >= PCI_BARS_MAX || bar_size[t->bar] == 0 ||
	    (uint64_t)t->offset + t->length > bar_size[t->bar])
		return -KEEL_ERANGE;
	*entries = n;
	return 0;
}
