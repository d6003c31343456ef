/*
 * drivers-user/pci/pci_config.c: decoding one function's configuration
 * space (pci_config.h). Pure: it touches nothing but the accessor.
 */
#include <stddef.h>

#include "pci_config.h"

/* Configuration header offsets (PCI 3.0, 6.1). */
#define PCI_ID         0x00 /* vendor 0-15, device 16-31 */
#define PCI_COMMAND    0x04 /* command 0-15, status 16-31 */
#define PCI_CLASS      0x08 /* revision 0-7, prog-if 8-15, subclass 16-23, class 24-31 */
#define PCI_HEADER     0x0c /* header type 16-23 */
#define PCI_BAR0       0x10
#define PCI_CAP_PTR    0x34 /* header types 0 and 1 */
#define PCI_CAP_PTR_CB 0x14 /* header type 2 (CardBus) */
#define PCI_INTERRUPT  0x3c /* line 0-7, pin 8-15 */
#define PCI_HEADER_END 0x40 /* capabilities live after the header */

#define PCI_COMMAND_DECODE 0x3u       /* I/O space (0) and memory space (1) decode */
#define PCI_STATUS_CAPS    (1u << 20) /* status bit 4, seen in the dword at 0x04 */
#define PCI_CAP_ID_MSI     0x05

int pci_vendor_absent(uint16_t vendor)
{
	return vendor == 0xffff || vendor == 0;
}

static int pci_pow2(uint64_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

uint64_t pci_bar_size(uint32_t lo, uint32_t hi, int io, int mem64)
{
	uint64_t mask;

	if (io) {
		mask = lo & ~0x3u;
		if ((mask & 0xffff0000u) == 0)
			mask |= 0xffff0000u; /* 16-bit I/O decode: the upper half is hardwired 0 */
		mask |= 0xffffffff00000000ull;
	} else if (mem64) {
		mask = (uint64_t)hi << 32 | (lo & ~0xfu);
	} else {
		mask = (lo & ~0xfu) | 0xffffffff00000000ull;
	}
	/* The writable bits are a run of ones from the top: the size is what they leave free. */
	return pci_pow2(~mask + 1) ? ~mask + 1 : 0;
}

/* The BAR slots a header type has. */
static unsigned pci_bar_slots(uint8_t header_type)
{
	switch (header_type & ~PCI_HEADER_MULTIFUNCTION) {
	case 0: return 6;
	case 1: return 2;
	default: return 0;
	}
}

/* Write all ones to the BAR dword at `off`: what it reads back; the old value is restored. */
static uint32_t pci_bar_probe(const struct pci_config_ops *ops, uint32_t off, uint32_t old)
{
	uint32_t v;

	ops->write32(ops->ctx, off, 0xffffffffu);
	v = ops->read32(ops->ctx, off);
	ops->write32(ops->ctx, off, old);
	return v;
}

/* Size BAR slot i (and i + 1 for a 64-bit one) into *b: the slots used, 1 or 2; 0 unimplemented. */
static unsigned pci_bar_read(const struct pci_config_ops *ops, unsigned i, unsigned slots,
			     struct pci_bar *b)
{
	uint32_t off = PCI_BAR0 + 4 * i;
	uint32_t old = ops->read32(ops->ctx, off), lo = pci_bar_probe(ops, off, old);
	uint32_t old_hi = 0, hi = 0;
	unsigned type = (old >> 1) & 0x3;

	if (lo == 0)
		return 0; /* no writable bit: not implemented */
	*b = (struct pci_bar){.index = (uint8_t)i};
	if (old & 1) {
		b->flags = KEEL_PCI_BAR_IO;
		b->size = pci_bar_size(lo, 0, 1, 0);
		b->base = old & ~0x3u;
	} else if (type == 0 || type == 2) {
		if (type == 2) {
			if (i + 1 >= slots) {
				b->flags = KEEL_PCI_BAR_MEM64 | KEEL_PCI_BAR_BAD;
				return 1;
			}
			old_hi = ops->read32(ops->ctx, off + 4);
			hi = pci_bar_probe(ops, off + 4, old_hi);
			b->flags = KEEL_PCI_BAR_MEM64;
		}
		b->flags |= (old & 0x8) ? KEEL_PCI_BAR_PREFETCH : 0;
		b->size = pci_bar_size(lo, hi, 0, type == 2);
		b->base = (uint64_t)old_hi << 32 | (old & ~0xfu);
	} else {
		b->flags = KEEL_PCI_BAR_BAD; /* type 1 (below 1 MiB, PCI 2.x) and 3 are reserved */
		return 1;
	}
	if (b->size == 0) {
		b->flags |= KEEL_PCI_BAR_BAD;
		b->base = 0;
	}
	return (b->flags & KEEL_PCI_BAR_MEM64) ? 2 : 1;
}

/*
 * The bounded walk: KEEL_PCI_CAP_* bits, and in *at (when not NULL) the
 * offset of the first capability with ID `want` (0 if none).
 */
static uint8_t pci_caps_scan(const struct pci_config_ops *ops, uint8_t want, uint32_t *at)
{
	uint32_t status = ops->read32(ops->ctx, PCI_COMMAND);
	uint32_t header = (ops->read32(ops->ctx, PCI_HEADER) >> 16) & 0x7f;
	uint32_t ptr;
	uint8_t caps = 0;

	if (at)
		*at = 0;
	if (!(status & PCI_STATUS_CAPS) || header > 2)
		return 0;
	ptr = ops->read32(ops->ctx, header == 2 ? PCI_CAP_PTR_CB : PCI_CAP_PTR) & 0xfc;
	/* Bounded: a list that loops, or points back into the header, is cut short. */
	for (unsigned n = 0; n < PCI_CAPS_MAX && ptr != 0; n++) {
		uint32_t v;

		if (ptr < PCI_HEADER_END)
			return caps | KEEL_PCI_CAP_LOOP;
		v = ops->read32(ops->ctx, ptr);
		if ((v & 0xff) == PCI_CAP_ID_MSI)
			caps |= KEEL_PCI_CAP_MSI;
		else if ((v & 0xff) == PCI_CAP_ID_MSIX)
			caps |= KEEL_PCI_CAP_MSIX;
		if (at && *at == 0 && (v & 0xff) == want)
			*at = ptr;
		ptr = (v >> 8) & 0xfc;
	}
	return ptr != 0 ? caps | KEEL_PCI_CAP_LOOP : caps;
}

uint8_t pci_caps_walk(const struct pci_config_ops *ops)
{
	return pci_caps_scan(ops, 0, NULL);
}

uint32_t pci_cap_find(const struct pci_config_ops *ops, uint8_t id)
{
	uint32_t at;

	pci_caps_scan(ops, id, &at);
	return at;
}

int pci_function_read(const struct pci_config_ops *ops, struct pci_function *f)
{
	uint32_t id = ops->read32(ops->ctx, PCI_ID), cls, command, irq;
	unsigned slots;

	*f = (struct pci_function){0};
	f->vendor = (uint16_t)id;
	f->device = (uint16_t)(id >> 16);
	if (pci_vendor_absent(f->vendor))
		return -1;
	cls = ops->read32(ops->ctx, PCI_CLASS);
	f->revision = (uint8_t)cls;
	f->prog_if = (uint8_t)(cls >> 8);
	f->subclass = (uint8_t)(cls >> 16);
	f->class_code = (uint8_t)(cls >> 24);
	f->header_type = (uint8_t)(ops->read32(ops->ctx, PCI_HEADER) >> 16);
	irq = ops->read32(ops->ctx, PCI_INTERRUPT);
	f->irq_line = (uint8_t)irq;
	f->irq_pin = (uint8_t)(irq >> 8) <= 4 ? (uint8_t)(irq >> 8) : 0;
	f->caps = pci_caps_walk(ops);
	slots = pci_bar_slots(f->header_type);
	if (slots == 0)
		return 0;
	/*
	 * Decode off while a BAR holds all ones, so that it claims no address
	 * meanwhile. The status half is written as 0: its bits are
	 * write-one-to-clear, so that changes nothing.
	 */
	command = ops->read32(ops->ctx, PCI_COMMAND) & 0xffff;
	ops->write32(ops->ctx, PCI_COMMAND, command & ~PCI_COMMAND_DECODE);
	for (unsigned i = 0; i < slots;) {
		unsigned used = pci_bar_read(ops, i, slots, &f->bar[f->nbars]);

		if (used != 0)
			f->nbars++;
		i += used ? used : 1;
	}
	ops->write32(ops->ctx, PCI_COMMAND, command);
	return 0;
}
