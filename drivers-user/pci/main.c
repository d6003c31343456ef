/*
 * drivers-user/pci/main.c: the PCI driver (DESIGN.md §7). It finds every
 * function once at start, prints one line each, and serves the list on its
 * service endpoint ("pci", include/keel/service.h).
 *
 * Its device slots (init.conf, in any order): `ecam`, the configuration
 * window (device memory over the MCFG's first segment's buses, which it
 * learns from KEEL_INFO_PLATFORM, as init did), and/or `ioport=0xcf8:8`, the
 * legacy mechanism, used only when there is no ECAM handle or it cannot be
 * mapped. A slot is told apart by trying it as ports: device memory answers
 * -KEEL_ETYPE. The ports handle must be exactly 0xcf8:8 (anything else faults
 * at the first access and init gives the driver up).
 *
 * Every bus the window covers (all 256 with ports) is scanned, every device
 * and, when function 0 says it is multi-function, every function: a brute
 * force scan that needs no trust in bridges' bus numbers.
 */
#include <keel/service.h>

#include "keel.h"
#include "pci_access.h"

#define PCI_FUNCTIONS_MAX  256
#define PCI_ECAM_VA        0x0000300000000000ull /* where the window is mapped */
#define PCI_COMMAND_DWORD  0x04                  /* command (low half) and status (high half) */
#define PCI_COMMAND_MEMORY (1u << 1)
#define PCI_COMMAND_MASTER (1u << 2)

struct pci_found {
	uint64_t address; /* KEEL_PCI_ADDRESS */
	struct pci_function fn;
};

static struct pci_found pci_found[PCI_FUNCTIONS_MAX];
static unsigned pci_nfound, pci_dropped;

/* Map the ECAM handle: 0 and *a filled, or an error (said why). */
static int64_t pci_ecam_map(uint64_t h, struct pci_access *a)
{
	struct keel_platform plat;
	int64_t r = keel_info(KEEL_INFO_PLATFORM, 0, &plat, sizeof(plat));
	uint64_t size;

	if (r < 0 || plat.ecam_base == 0 || plat.ecam_bus_last < plat.ecam_bus_first) {
		keel_printf("ecam handle, but no MCFG window: ports instead\n");
		return r < 0 ? r : -KEEL_ENOENT;
	}
	size = (uint64_t)(plat.ecam_bus_last - plat.ecam_bus_first + 1) << 20;
	r = keel_map(KEEL_HANDLE_SELF, h, PCI_ECAM_VA, 0, size, KEEL_MAP_READ | KEEL_MAP_WRITE);
	if (r < 0) {
		keel_printf("cannot map ECAM 0x%llx (%llu MiB): %s\n",
			    (unsigned long long)plat.ecam_base, (unsigned long long)(size >> 20),
			    keel_strerror(r));
		return r;
	}
	a->ecam = (volatile uint8_t *)(uintptr_t)PCI_ECAM_VA;
	a->bus_first = plat.ecam_bus_first;
	a->bus_last = plat.ecam_bus_last;
	a->segment = plat.ecam_segment;
	keel_printf("ECAM at 0x%llx, segment %u, buses %02x-%02x\n",
		    (unsigned long long)plat.ecam_base, plat.ecam_segment, plat.ecam_bus_first,
		    plat.ecam_bus_last);
	return 0;
}

/* Set up *a from the start block's device slots: 0, or -KEEL_ENOENT (no way in). */
static int64_t pci_access_setup(const struct keel_start *sb, struct pci_access *a)
{
	uint64_t ecam = KEEL_MSG_NO_HANDLE;
	int ports = 0;

	for (unsigned k = 0; k < KEEL_START_DEVICES; k++) {
		uint64_t h = sb->handle[KEEL_START_DEVICE0 + k];
		int64_t r;

		if (h == KEEL_MSG_NO_HANDLE)
			continue;
		r = keel_ioport_enable(h);
		if (r == 0)
			ports = 1;
		else if (r == -KEEL_ETYPE)
			ecam = h;
	}
	*a = (struct pci_access){.ecam = NULL, .bus_first = 0, .bus_last = 255};
	if (ecam != KEEL_MSG_NO_HANDLE && pci_ecam_map(ecam, a) == 0)
		return 0;
	if (!ports) {
		keel_printf("neither an ECAM window nor ports 0xcf8:8: nothing to scan\n");
		return -KEEL_ENOENT;
	}
	keel_printf("legacy configuration ports 0xcf8/0xcfc, buses 00-ff\n");
	return 0;
}

static void pci_print(const struct pci_found *f)
{
	const struct pci_function *p = &f->fn;
	char line[KEEL_LOG_LINE_MAX];
	int n;

	n = keel_snprintf(line, sizeof(line),
			  "%02llx:%02llx.%llx %04x:%04x class %02x.%02x.%02x hdr %02x pin %u "
			  "line %u%s%s%s",
			  (unsigned long long)(f->address >> 8 & 0xff),
			  (unsigned long long)(f->address >> 3 & 0x1f),
			  (unsigned long long)(f->address & 7), p->vendor, p->device, p->class_code,
			  p->subclass, p->prog_if, p->header_type, p->irq_pin, p->irq_line,
			  (p->caps & KEEL_PCI_CAP_MSI) ? " msi" : "",
			  (p->caps & KEEL_PCI_CAP_MSIX) ? " msix" : "",
			  (p->caps & KEEL_PCI_CAP_LOOP) ? " bad-caps" : "");
	for (unsigned i = 0; i < p->nbars && n > 0 && (size_t)n < sizeof(line); i++) {
		const struct pci_bar *b = &p->bar[i];

		if (b->flags & KEEL_PCI_BAR_BAD)
			n += keel_snprintf(line + n, sizeof(line) - (size_t)n, " bar%u bad",
					   b->index);
		else
			n += keel_snprintf(
			    line + n, sizeof(line) - (size_t)n, " bar%u %s%s 0x%llx+0x%llx",
			    b->index, (b->flags & KEEL_PCI_BAR_IO) ? "io" : "mem",
			    (b->flags & KEEL_PCI_BAR_MEM64) ? "64" : "",
			    (unsigned long long)b->base, (unsigned long long)b->size);
	}
	keel_printf("%s\n", line);
}

/* Read the function at w into the list: 0 and its header type, or -1 when none answers there. */
static int pci_probe(struct pci_where *w, uint8_t *header_type)
{
	struct pci_config_ops ops;
	struct pci_function fn;

	pci_access_ops(w, &ops);
	if (pci_function_read(&ops, &fn) != 0)
		return -1;
	*header_type = fn.header_type;
	if (pci_nfound == PCI_FUNCTIONS_MAX) {
		pci_dropped++;
		return 0;
	}
	pci_found[pci_nfound].address =
	    KEEL_PCI_ADDRESS(w->access->segment, w->bus, w->device, w->function);
	pci_found[pci_nfound].fn = fn;
	pci_print(&pci_found[pci_nfound++]);
	return 0;
}

static void pci_scan(const struct pci_access *a)
{
	for (unsigned bus = a->bus_first; bus <= a->bus_last; bus++)
		for (unsigned dev = 0; dev < 32; dev++) {
			struct pci_where w = {a, (uint8_t)bus, (uint8_t)dev, 0};
			uint8_t header;

			if (pci_probe(&w, &header) != 0 || !(header & PCI_HEADER_MULTIFUNCTION))
				continue;
			for (w.function = 1; w.function < 8; w.function++)
				pci_probe(&w, &header);
		}
	keel_printf("%u functions%s\n", pci_nfound,
		    pci_dropped ? ", some dropped (table full)" : "");
}

/*
 * KEEL_PCI_CFG_READ, _ENABLE, _DISABLE and _MSIX_ENABLE on function `index`
 * (checked): the reply's w[0] and w[1]. The offset is checked here, within
 * the 256 bytes both access ways reach, dword-aligned.
 */
static void pci_config_op(const struct pci_access *a, uint64_t op, uint64_t index, uint64_t arg,
			  uint64_t w[KEEL_MSG_WORDS])
{
	uint64_t addr = pci_found[index].address;
	struct pci_where where = {a, (uint8_t)(addr >> 8), (uint8_t)(addr >> 3 & 0x1f),
				  (uint8_t)(addr & 7)};
	struct pci_config_ops ops;
	uint32_t cmd, msix;

	pci_access_ops(&where, &ops);
	if (op == KEEL_PCI_CFG_READ) {
		if (arg >= 256 || (arg & 3)) {
			w[0] = (uint64_t)-KEEL_EINVAL;
			return;
		}
		w[0] = 0;
		w[1] = ops.read32(ops.ctx, (uint32_t)arg);
		return;
	}
	if ((op == KEEL_PCI_ENABLE && arg > KEEL_PCI_ENABLE_NO_MASTER) ||
	    (op == KEEL_PCI_MSIX_ENABLE && arg > 1)) {
		w[0] = (uint64_t)-KEEL_EINVAL;
		return;
	}
	msix = op == KEEL_PCI_ENABLE ? 0 : pci_cap_find(&ops, PCI_CAP_ID_MSIX);
	if (op == KEEL_PCI_MSIX_ENABLE) {
		if (msix == 0) {
			w[0] = (uint64_t)-KEEL_ENOENT;
			return;
		}
		/* Message control is the dword's upper half: enable bit 31, function mask 30. */
		ops.write32(ops.ctx, msix,
			    (ops.read32(ops.ctx, msix) & ~(3u << 30)) | (arg ? 1u << 31 : 0));
		w[0] = 0;
		return;
	}
	/* The command register is the low half of the dword; a write of 0 to the status half
	 * clears nothing (its bits are write-one-to-clear). */
	cmd = ops.read32(ops.ctx, PCI_COMMAND_DWORD) & 0xffff;
	if (op == KEEL_PCI_ENABLE)
		cmd |= PCI_COMMAND_MEMORY | (arg == 0 ? PCI_COMMAND_MASTER : 0);
	else
		cmd &= ~(PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	ops.write32(ops.ctx, PCI_COMMAND_DWORD, cmd);
	if (op == KEEL_PCI_DISABLE && msix != 0)
		ops.write32(ops.ctx, msix, ops.read32(ops.ctx, msix) & ~(1u << 31));
	w[0] = 0;
}

/* Answer one request in w (service.h's "pci"). */
static void pci_serve_one(const struct pci_access *a, uint64_t w[KEEL_MSG_WORDS])
{
	uint64_t op = w[0], index = w[1], n = w[2];
	const struct pci_function *p;

	w[1] = w[2] = w[3] = 0;
	if (op == KEEL_PCI_CFG_READ || op == KEEL_PCI_ENABLE || op == KEEL_PCI_DISABLE ||
	    op == KEEL_PCI_MSIX_ENABLE) {
		if (index >= pci_nfound)
			w[0] = (uint64_t)-KEEL_ENOENT;
		else
			pci_config_op(a, op, index, n, w);
		return;
	}
	if (op != KEEL_PCI_COUNT && op != KEEL_PCI_GET && op != KEEL_PCI_BAR) {
		w[0] = (uint64_t)-KEEL_EINVAL;
		return;
	}
	if (op == KEEL_PCI_COUNT) {
		w[0] = 0;
		w[1] = pci_nfound;
		return;
	}
	if (index >= pci_nfound || (op == KEEL_PCI_BAR && n >= pci_found[index].fn.nbars)) {
		w[0] = (uint64_t)-KEEL_ENOENT;
		return;
	}
	p = &pci_found[index].fn;
	w[0] = 0;
	if (op == KEEL_PCI_GET) {
		w[1] = pci_found[index].address;
		w[2] = p->vendor | (uint64_t)p->device << 16 | (uint64_t)p->class_code << 32 |
		       (uint64_t)p->subclass << 40 | (uint64_t)p->prog_if << 48 |
		       (uint64_t)p->header_type << 56;
		w[3] = p->irq_line | (uint64_t)p->irq_pin << 8 | (uint64_t)p->caps << 16 |
		       (uint64_t)p->nbars << 24;
	} else {
		w[1] = p->bar[n].base;
		w[2] = p->bar[n].size;
		w[3] = p->bar[n].index | (uint64_t)p->bar[n].flags << 8;
	}
}

int main(uint64_t start)
{
	const struct keel_start *sb = (const struct keel_start *)(uintptr_t)start;
	uint64_t service, w[KEEL_MSG_WORDS];
	struct pci_access a;
	int64_t r;

	if (!sb || sb->magic != KEEL_START_MAGIC ||
	    sb->handle[KEEL_START_SERVICE] == KEEL_MSG_NO_HANDLE)
		return 100;
	service = sb->handle[KEEL_START_SERVICE];
	if (pci_access_setup(sb, &a) != 0)
		return 1;
	pci_scan(&a);
	/* Register-only: a handle a client sends is dropped by the kernel. */
	r = keel_recv_words(service, w);
	while (r >= 0) {
		pci_serve_one(&a, w);
		r = keel_reply_recv_words(service, w);
	}
	return r == -KEEL_ECLOSED ? 0 : 1;
}
