/*
 * drivers-user/lib/pci_list.c: the "pci" driver's list (pci_list.h).
 */
#include "pci_list.h"

#include <keel/service.h>

#include "keel.h"

int pci_list_call(uint64_t service, uint64_t w[KEEL_MSG_WORDS])
{
	int64_t r = keel_call_words(service, w);

	return r < 0 ? (int)r : (int)(int64_t)w[0];
}

int pci_list_count(uint64_t service, uint64_t *count)
{
	uint64_t w[KEEL_MSG_WORDS] = {KEEL_PCI_COUNT, 0, 0, 0};
	int r = pci_list_call(service, w);

	if (r == 0)
		*count = w[1];
	return r;
}

int pci_list_get(uint64_t service, uint64_t index, struct keel_pci_function *f)
{
	uint64_t w[KEEL_MSG_WORDS] = {KEEL_PCI_GET, index, 0, 0};
	int r = pci_list_call(service, w);

	if (r == 0)
		*f = (struct keel_pci_function){.address = w[1], .id = w[2], .info = w[3]};
	return r;
}

void pci_list_print(const struct keel_pci_function *f)
{
	keel_printf(
	    "%02llx:%02llx.%llx %04llx:%04llx class %02llx.%02llx.%02llx bars %u\n",
	    (unsigned long long)(f->address >> 8 & 0xff),
	    (unsigned long long)(f->address >> 3 & 0x1f), (unsigned long long)(f->address & 7),
	    (unsigned long long)(f->id & 0xffff), (unsigned long long)(f->id >> 16 & 0xffff),
	    (unsigned long long)(f->id >> 32 & 0xff), (unsigned long long)(f->id >> 40 & 0xff),
	    (unsigned long long)(f->id >> 48 & 0xff), pci_list_bars(f));
}
