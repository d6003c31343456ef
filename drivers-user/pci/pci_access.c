/*
 * drivers-user/pci/pci_access.c: configuration space through ECAM or ports
 * 0xcf8/0xcfc (pci_access.h).
 */
#include "pci_access.h"

#include <keel/portio.h>

#define PCI_PORT_ADDRESS 0xcf8
#define PCI_PORT_DATA    0xcfc
#define PCI_PORT_ENABLE  0x80000000u
#define PCI_LEGACY_SPACE 256 /* bytes the port mechanism reaches */

static volatile uint32_t *pci_ecam_reg(const struct pci_where *w, uint32_t off)
{
	uint64_t at = (uint64_t)(w->bus - w->access->bus_first) << 20 | (uint64_t)w->device << 15 |
		      (uint64_t)w->function << 12 | (off & 0xffc);

	return (volatile uint32_t *)(w->access->ecam + at);
}

static void pci_port_select(const struct pci_where *w, uint32_t off)
{
	uint32_t a = PCI_PORT_ENABLE | (uint32_t)w->bus << 16 | (uint32_t)w->device << 11 |
		     (uint32_t)w->function << 8 | (off & 0xfc);

	io_outl(PCI_PORT_ADDRESS, a);
}

static uint32_t pci_read32(void *ctx, uint32_t off)
{
	const struct pci_where *w = ctx;

	if (w->access->ecam)
		return *pci_ecam_reg(w, off);
	if (off >= PCI_LEGACY_SPACE)
		return 0xffffffffu; /* what an absent register reads */
	pci_port_select(w, off);
	return io_inl(PCI_PORT_DATA);
}

static void pci_write32(void *ctx, uint32_t off, uint32_t v)
{
	const struct pci_where *w = ctx;

	if (w->access->ecam) {
		*pci_ecam_reg(w, off) = v;
		return;
	}
	if (off >= PCI_LEGACY_SPACE)
		return;
	pci_port_select(w, off);
	io_outl(PCI_PORT_DATA, v);
}

void pci_access_ops(struct pci_where *w, struct pci_config_ops *ops)
{
	ops->read32 = pci_read32;
	ops->write32 = pci_write32;
	ops->ctx = w;
}
