/*
 * drivers-user/init/pci_carve.h: the device objects of a `pci=VVVV:DDDD[.N]`
 * driver (conf.h): its function found through the pci service, its memory
 * BARs carved from init's resource, a DMA right and an MSI interrupt.
 */
#ifndef KEEL_INIT_PCI_CARVE_H
#define KEEL_INIT_PCI_CARVE_H

#include <keel/service.h>

#include "keel.h"

/*
 * Ask `pci` (init's KEEL_RIGHT_WRITE handle on the pci service) for the
 * nth function (from 0) with vendor:device and carve from `resource` into
 * dev[0..KEEL_START_DEVICES): dev[0] KEEL_OBJ_DMA, dev[1] an MSI interrupt,
 * dev[2..] its memory BARs in slot order, page-rounded. 0, *n handles made
 * and the function's index in the pci list in *found, or -KEEL_E* with
 * none left behind (-KEEL_ENOENT no such function, -KEEL_E2BIG more memory
 * BARs than slots, -KEEL_EINVAL a reply that makes no sense), said in `why`.
 */
int64_t pci_carve(uint64_t pci, uint64_t resource, uint16_t vendor, uint16_t device, unsigned nth,
		  uint64_t dev[KEEL_START_DEVICES], unsigned *n, uint64_t *found, const char **why);

#endif
