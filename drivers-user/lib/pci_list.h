/*
 * drivers-user/lib/pci_list.h: libkeel's client of the "pci" driver's list
 * (include/keel/service.h, KEEL_PCI_COUNT and KEEL_PCI_GET) and the one
 * line a function is shown as, shared by bin/lspci and the shell's lspci.
 */
#ifndef KEEL_USER_PCI_LIST_H
#define KEEL_USER_PCI_LIST_H

#include <stdint.h>

/* One function as KEEL_PCI_GET tells it (the words of its reply). */
struct keel_pci_function {
	uint64_t address; /* KEEL_PCI_ADDRESS */
	uint64_t id;      /* vendor | device << 16 | class << 32 | ... */
	uint64_t info;    /* interrupt line and pin, capabilities, BAR count << 24 */
};

/* A register-only call to the driver: the reply's w0 (0 or -KEEL_E*), or the call's error. */
int pci_list_call(uint64_t service, uint64_t w[4]);

/* The functions the driver found: 0 and *count, or -KEEL_E*. */
int pci_list_count(uint64_t service, uint64_t *count);

/* Function `index`: 0, or -KEEL_E* (-KEEL_ENOENT past the end). */
int pci_list_get(uint64_t service, uint64_t index, struct keel_pci_function *f);

/* Print f as one line: "BB:DD.F VVVV:DDDD class CC.SS.PP bars N". */
void pci_list_print(const struct keel_pci_function *f);

/* Its class (0x01: mass storage) and BAR count. */
static inline unsigned pci_list_class(const struct keel_pci_function *f)
{
	return (unsigned)(f->id >> 32 & 0xff);
}

static inline unsigned pci_list_bars(const struct keel_pci_function *f)
{
	return (unsigned)(f->info >> 24 & 0xff);
}

#endif
