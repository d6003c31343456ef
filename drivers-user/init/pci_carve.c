/*
 * drivers-user/init/pci_carve.c: a `pci=` driver's device objects
 * (pci_carve.h).
 *
 * The pci service's replies are trusted no more than a config line: a BAR
 * with a base or size that wraps, or is not memory, is refused, not carved.
 * A BAR smaller than a page is carved as the whole page around it (device
 * memory comes in pages), which may hold another function's registers: the
 * price of not trusting the firmware to page-align small BARs.
 */
#include "pci_carve.h"

/* The index of the nth function (from 0) with vendor:device, or -KEEL_E*. */
static int64_t pci_carve_find(uint64_t pci, uint16_t vendor, uint16_t device, unsigned nth,
			      unsigned *nbars)
{
	uint64_t w[KEEL_MSG_WORDS] = {KEEL_PCI_COUNT};
	int64_t r = keel_call_words(pci, w);
	uint64_t count;

	if (r < 0)
		return r;
	if ((int64_t)w[0] < 0)
		return (int64_t)w[0];
	count = w[1];
	for (uint64_t i = 0; i < count && i < 4096; i++) {
		w[0] = KEEL_PCI_GET;
		w[1] = i;
		w[2] = w[3] = 0;
		r = keel_call_words(pci, w);
		if (r < 0)
			return r;
		if ((int64_t)w[0] < 0)
			return (int64_t)w[0];
		if ((w[2] & 0xffff) == vendor && ((w[2] >> 16) & 0xffff) == device && nth-- == 0) {
			*nbars = (unsigned)((w[3] >> 24) & 0xff);
			return (int64_t)i;
		}
	}
	return -KEEL_ENOENT;
}

/* Carve memory BAR n of function `index` into *out: 1 carved, 0 not memory, or -KEEL_E*. */
static int64_t pci_carve_bar(uint64_t pci, uint64_t resource, uint64_t index, unsigned n,
			     uint64_t *out)
{
	uint64_t w[KEEL_MSG_WORDS] = {KEEL_PCI_BAR, index, n, 0};
	uint64_t base, size, first, end;
	unsigned flags;
	int64_t r = keel_call_words(pci, w);

	if (r < 0)
		return r;
	if ((int64_t)w[0] < 0)
		return (int64_t)w[0];
	base = w[1];
	size = w[2];
	flags = (unsigned)(w[3] >> 8);
	if (flags & (KEEL_PCI_BAR_IO | KEEL_PCI_BAR_BAD))
		return 0;
	if (size == 0 || base > UINT64_MAX - size - KEEL_PAGE_SIZE)
		return -KEEL_EINVAL;
	first = base & ~(uint64_t)(KEEL_PAGE_SIZE - 1);
	end = (base + size + KEEL_PAGE_SIZE - 1) & ~(uint64_t)(KEEL_PAGE_SIZE - 1);
	r = keel_device_create(KEEL_OBJ_DEVMEM, first, end - first, resource);
	if (r < 0)
		return r;
	*out = (uint64_t)r;
	return 1;
}

static int64_t pci_carve_fail(uint64_t dev[], unsigned *n, int64_t r, const char **why,
			      const char *what)
{
	for (unsigned k = 0; k < *n; k++)
		keel_handle_close(dev[k]);
	*n = 0;
	*why = what;
	return r;
}

int64_t pci_carve(uint64_t pci, uint64_t resource, uint16_t vendor, uint16_t device, unsigned nth,
		  uint64_t dev[KEEL_START_DEVICES], unsigned *n, uint64_t *found, const char **why)
{
	unsigned nbars = 0;
	int64_t index = pci_carve_find(pci, vendor, device, nth, &nbars), r;

	*n = 0;
	if (index < 0)
		return pci_carve_fail(dev, n, index, why, "no such PCI function");
	if (index > KEEL_DRIVER_ARG_PCI_MAX)
		return pci_carve_fail(dev, n, -KEEL_E2BIG, why, "a PCI index past the start arg's");
	*found = (uint64_t)index;
	r = keel_device_create(KEEL_OBJ_DMA, 0, 0, resource);
	if (r < 0)
		return pci_carve_fail(dev, n, r, why, "DMA");
	dev[(*n)++] = (uint64_t)r;
	r = keel_device_create(KEEL_OBJ_IRQ, KEEL_IRQ_MSI, 0, resource);
	if (r < 0)
		return pci_carve_fail(dev, n, r, why, "MSI interrupt");
	dev[(*n)++] = (uint64_t)r;
	for (unsigned b = 0; b < nbars && b < 6; b++) {
		uint64_t h;

		r = pci_carve_bar(pci, (uint64_t)resource, (uint64_t)index, b, &h);
		if (r < 0)
			return pci_carve_fail(dev, n, r, why, "a BAR");
		if (r == 0)
			continue;
		if (*n == KEEL_START_DEVICES) {
			keel_handle_close(h);
			return pci_carve_fail(dev, n, -KEEL_E2BIG, why,
					      "more memory BARs than slots");
		}
		dev[(*n)++] = h;
	}
	return 0;
}
