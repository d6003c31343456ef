/*
 * drivers-user/lspci/main.c: lists the PCI functions the "pci" driver found,
 * through its protocol (include/keel/service.h), one line each.
 *
 * With arg=1 (drivers-user/init/test/12.conf and 13.conf) it is also the
 * test of that driver: it exits 0 only when the list holds a host bridge
 * (q35's 8086:29c0 or pc's 8086:1237) and a mass-storage function (class
 * 01: the disk booted from, QEMU's virtio-blk 1af4:1001 as scripts/qemu
 * attaches the ESP, or Bochs's IDE) with a memory or I/O BAR of nonzero
 * size, and the driver refuses requests
 * past its list and unknown ones; otherwise with the number of the check
 * that failed. With arg=2 (12.conf, a non-admin app) it checks only that
 * init refuses it the restricted "pci" driver: 0 on -KEEL_EPERM, else 10.
 */
#include <keel/service.h>

#include "keel.h"
#include "pci_list.h"

#define LSPCI_CHECK 1 /* arg: check for the devices QEMU always has */
#define LSPCI_DENIED 2 /* arg: check that init refuses the look-up (not admin) */

/* Whether function `index` has a memory or I/O BAR with a size. */
static int lspci_has_bar(uint64_t service, uint64_t index, unsigned nbars)
{
	for (unsigned n = 0; n < nbars; n++) {
		uint64_t w[KEEL_MSG_WORDS] = {KEEL_PCI_BAR, index, n, 0};

		if (pci_list_call(service, w) == 0 && w[2] != 0 && !((w[3] >> 8) & KEEL_PCI_BAR_BAD))
			return 1;
	}
	return 0;
}

int main(uint64_t start)
{
	const struct keel_start *sb = (const struct keel_start *)(uintptr_t)start;
	uint64_t service, w[KEEL_MSG_WORDS], count;
	int bridge = 0, blk = 0, check;
	int64_t r;

	if (!sb || sb->magic != KEEL_START_MAGIC ||
	    sb->handle[KEEL_START_NAMES] == KEEL_MSG_NO_HANDLE)
		return 100;
	check = sb->arg == LSPCI_CHECK;
	r = keel_name_lookup(sb->handle[KEEL_START_NAMES], "pci", &service);
	if (sb->arg == LSPCI_DENIED) {
		if (r == 0)
			keel_handle_close(service);
		keel_printf("pci look-up without admin: %s\n",
			    r == 0 ? "granted" : keel_strerror(r));
		return r == -KEEL_EPERM ? 0 : 10;
	}
	if (r != 0) {
		keel_printf("no pci driver: %s\n", keel_strerror(r));
		return 2;
	}
	if (pci_list_count(service, &count) != 0)
		return 3;
	for (uint64_t i = 0; i < count; i++) {
		struct keel_pci_function f;
		uint32_t id;

		if (pci_list_get(service, i, &f) != 0)
			return 4;
		pci_list_print(&f);
		id = (uint32_t)f.id;
		bridge |= id == 0x29c08086 || id == 0x12378086;
		/* The disk we booted from: QEMU's virtio-blk, Bochs's IDE (class 01, mass storage). */
		if (pci_list_class(&f) == 0x01)
			blk |= lspci_has_bar(service, i, pci_list_bars(&f));
	}
	if (!check)
		return 0;
	if (!bridge)
		return 5;
	if (!blk)
		return 6;
	w[0] = KEEL_PCI_GET, w[1] = count;
	if (pci_list_call(service, w) != -KEEL_ENOENT)
		return 7;
	w[0] = KEEL_PCI_BAR, w[1] = 0, w[2] = 6;
	if (pci_list_call(service, w) != -KEEL_ENOENT)
		return 8;
	w[0] = 99;
	if (pci_list_call(service, w) != -KEEL_EINVAL)
		return 9;
	keel_printf("host bridge and a storage controller found with their BARs\n");
	return 0;
}
