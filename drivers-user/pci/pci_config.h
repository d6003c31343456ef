/*
 * drivers-user/pci/pci_config.h: one PCI function's configuration space,
 * decoded (PCI Local Bus Specification 3.0, chapter 6; PCI Express Base 4.0,
 * 7.5.1): identity, class, header type, BARs with their sizes, interrupt pin
 * and line, and whether it has MSI or MSI-X.
 *
 * Pure code over an accessor (struct pci_config_ops), so the host unit test
 * (tests/unit/test_pciconf.c) drives it with a fake configuration space. The
 * space is hostile: a device may answer anything, including all ones, a
 * capability list that loops or points outside the header, a BAR whose size
 * bits are not contiguous. Nothing here loops more than a fixed bound, and a
 * BAR that makes no sense is reported as such, never sized from nonsense.
 */
#ifndef KEEL_PCI_CONFIG_H
#define KEEL_PCI_CONFIG_H

#include <stdint.h>

#include <keel/service.h>

/*
 * Configuration space of one function: aligned 32-bit reads and writes at
 * byte offset `off` (a multiple of 4, below 256: everything this decoder
 * reads is in the PCI-compatible header).
 */
struct pci_config_ops {
	uint32_t (*read32)(void *ctx, uint32_t off);
	void (*write32)(void *ctx, uint32_t off, uint32_t value);
	void *ctx;
};

#define PCI_BARS_MAX 6

/* One implemented BAR (a slot that reads back 0 after all ones is not one). */
struct pci_bar {
	uint8_t index; /* the slot, 0-5: config offset 0x10 + 4 * index */
	uint8_t flags; /* KEEL_PCI_BAR_* (include/keel/service.h) */
	uint64_t base; /* bus address, as the firmware programmed it */
	uint64_t size; /* bytes decoded: a power of two */
};

struct pci_function {
	uint16_t vendor, device;
	uint8_t class_code, subclass, prog_if, revision;
	uint8_t header_type; /* bits 0-6: 0 device, 1 PCI bridge, 2 CardBus; bit 7 multi-function */
	uint8_t irq_pin;     /* 1-4 INTA-INTD; 0 none (also for a value above 4) */
	uint8_t irq_line;    /* what the firmware wrote: 0xff unknown */
	uint8_t caps;        /* KEEL_PCI_CAP_* */
	uint8_t nbars;
	struct pci_bar bar[PCI_BARS_MAX];
};

#define PCI_HEADER_MULTIFUNCTION 0x80

/* Whether a vendor ID means "no function here" (0xffff: nothing answered; 0: bogus). */
int pci_vendor_absent(uint16_t vendor);

/*
 * Read and decode the function behind ops into *f: 0, or -1 when no function
 * answers (pci_vendor_absent). Sizes the BARs by writing all ones to each and
 * reading back, with the command register's I/O and memory decode turned off
 * meanwhile (so the device answers no stray address); every BAR and the
 * command register are written back as they were.
 */
int pci_function_read(const struct pci_config_ops *ops, struct pci_function *f);

/*
 * The BAR sizing arithmetic: the size a BAR decodes from what it read back
 * after all ones were written (lo, and hi for the upper half of a 64-bit
 * memory BAR, else 0), or 0 when the bits make no sense (not a contiguous
 * run of ones from the top: no size is a power of two then). I/O BARs whose
 * upper 16 bits read back 0 decode 16-bit ports.
 */
uint64_t pci_bar_size(uint32_t lo, uint32_t hi, int io, int mem64);

/*
 * Walk the capability list: KEEL_PCI_CAP_* bits. At most PCI_CAPS_MAX entries
 * (each takes at least 4 of the 192 bytes after the header); a pointer below
 * 0x40 (into the header) ends the walk with KEEL_PCI_CAP_LOOP unless it is 0, the
 * end (KEEL_PCI_CAP_LOOP also when the bound is reached); the two low bits of each pointer are
 * reserved and masked.
 */
#define PCI_CAPS_MAX 48
uint8_t pci_caps_walk(const struct pci_config_ops *ops);

/* The same walk: the offset of the first capability with ID `id` (0x40-0xfc), or 0. */
#define PCI_CAP_ID_MSIX 0x11
uint32_t pci_cap_find(const struct pci_config_ops *ops, uint8_t id);

#endif
