/*
 * drivers-user/pci/pci_access.h: the two ways to reach a function's
 * configuration space, behind pci_config.h's accessor:
 *   ECAM (PCI Express Base 4.0, 7.2.2): a memory window mapped uncached, 1 MiB
 *     per bus from its first bus, 4 KiB per function: offset
 *     (bus - first) << 20 | device << 15 | function << 12 | register;
 *   the legacy mechanism #1 (PCI 3.0, 3.2.2.3.2): the address
 *     0x80000000 | bus << 16 | device << 11 | function << 8 | register to
 *     port 0xcf8, then the dword at port 0xcfc; 256 bytes per function.
 * One thread uses it (the driver has one): the port pair is not locked.
 */
#ifndef KEEL_PCI_ACCESS_H
#define KEEL_PCI_ACCESS_H

#include <stdint.h>

#include "pci_config.h"

struct pci_access {
	volatile uint8_t *ecam; /* the mapped window, or NULL: use the ports */
	uint8_t bus_first, bus_last;
	uint16_t segment;
};

/* One function's place; ops (pci_access_ops) reads and writes it. */
struct pci_where {
	const struct pci_access *access;
	uint8_t bus, device, function;
};

/* Fill ops for w (which must outlive ops); bus within access's buses, device < 32, function < 8. */
void pci_access_ops(struct pci_where *w, struct pci_config_ops *ops);

#endif
