/*
 * kernel/arch/x86_64/ioapic.c: the IOAPICs (ioapic.h).
 *
 * Locking: IOREGSEL/IOWIN is a two-step access, and interrupt objects
 * (core/devobj.c) route, mask and unmask inputs from any CPU, in interrupt
 * context too: ioapic_lock (interrupts off while held) covers every access
 * to a redirection entry after ioapic_init. It nests inside devobj.c's lock.
 */
#include "ioapic.h"

#include "core/console.h"
#include "ioapic_check.h"
#include "core/spinlock.h"
#include "irq.h"
#include "mm/vm.h"
#include "mmio.h"

#define IOAPIC_IOREGSEL 0x00
#define IOAPIC_IOWIN    0x10
#define IOAPIC_MMIO_LEN 0x20

#define IOAPIC_REG_ID      0x00
#define IOAPIC_REG_VERSION 0x01
#define IOAPIC_REG_REDIR   0x10 /* entry n: registers 0x10 + 2n (low), 0x11 + 2n (high) */

#define IOAPIC_REDIR_ACTIVE_LOW (1u << 13)
#define IOAPIC_REDIR_LEVEL      (1u << 15)
#define IOAPIC_REDIR_MASKED     (1u << 16)
#define IOAPIC_DEST_SHIFT       56 /* physical destination: APIC ID in bits 63:56 */

/* Where PC chipsets put the (first) IOAPIC unless the firmware moved it. */
#define IOAPIC_PC_DEFAULT 0xfec00000u

static struct ioapic ioapics[ACPI_MAX_IOAPICS];
static uint32_t ioapic_n;
static struct spinlock ioapic_lock = SPINLOCK_INIT;

static uint32_t ioapic_reg_read(const struct ioapic *io, uint32_t reg)
{
	mmio_write32(io->regs + IOAPIC_IOREGSEL, reg);
	return mmio_read32(io->regs + IOAPIC_IOWIN);
}

static void ioapic_reg_write(const struct ioapic *io, uint32_t reg, uint32_t v)
{
	mmio_write32(io->regs + IOAPIC_IOREGSEL, reg);
	mmio_write32(io->regs + IOAPIC_IOWIN, v);
}

static void ioapic_write_entry(const struct ioapic *io, uint32_t pin, uint64_t e)
{
	uint64_t flags = spin_lock_irqsave(&ioapic_lock);

	/* Masked first, so that a half-written entry never fires. */
	ioapic_reg_write(io, IOAPIC_REG_REDIR + 2 * pin, IOAPIC_REDIR_MASKED);
	ioapic_reg_write(io, IOAPIC_REG_REDIR + 2 * pin + 1, (uint32_t)(e >> 32));
	ioapic_reg_write(io, IOAPIC_REG_REDIR + 2 * pin, (uint32_t)e);
	spin_unlock_irqrestore(&ioapic_lock, flags);
}

/* Whether GSIs [base, base + n) overlap an IOAPIC already in use. */
static bool ioapic_overlaps(uint32_t base, uint32_t n)
{
	for (uint32_t i = 0; i < ioapic_n; i++)
		if (base < ioapics[i].gsi_base + ioapics[i].inputs &&
		    ioapics[i].gsi_base < base + n)
			return true;
	return false;
}

static void ioapic_add(const struct acpi_ioapic *a)
{
	struct ioapic *io = &ioapics[ioapic_n];
	uint32_t version;

	if (mmio_overlaps_ram(a->address, IOAPIC_MMIO_LEN)) {
		kprintf("ioapic: %u at 0x%x left out: that address is RAM\n", a->id, a->address);
		return;
	}
	/* vm_map_mmio said why it failed. */
	io->regs = vm_map_mmio(a->address, IOAPIC_MMIO_LEN, VM_CACHE_UC);
	if (!io->regs) {
		kprintf("ioapic: %u at 0x%x left out\n", a->id, a->address);
		return;
	}
	version = ioapic_reg_read(io, IOAPIC_REG_VERSION);
	if (version == 0xffffffffu) {
		kprintf("ioapic: %u at 0x%x left out: it does not answer\n", a->id, a->address);
		return;
	}
	/* Bits 23:16 hold the highest entry's index. */
	io->inputs = ((version >> 16) & 0xff) + 1;
	io->phys = a->address;
	io->gsi_base = a->gsi_base;
	io->id = a->id;
	if (a->gsi_base > UINT32_MAX - io->inputs || ioapic_overlaps(a->gsi_base, io->inputs)) {
		kprintf("ioapic: %u at 0x%x left out: GSIs %u-%u overlap another IOAPIC\n", a->id,
			a->address, a->gsi_base, a->gsi_base + io->inputs - 1);
		return;
	}
	for (uint32_t pin = 0; pin < io->inputs; pin++)
		ioapic_write_entry(io, pin, IOAPIC_REDIR_MASKED);
	ioapic_n++;
}

/*
 * No MADT (OVMF under Bochs installs no ACPI tables): look for the PC's
 * IOAPIC at its default address and take it only when its ID and version
 * registers are sane (ioapic_check.h). It gets GSIs 0..N-1 from base 0, so
 * that with no overrides ISA IRQ n is GSI n (ioapic_isa_irq).
 */
static void ioapic_probe_default(void)
{
	struct ioapic *io = &ioapics[0];
	uint32_t id, version, inputs;

	if (mmio_overlaps_ram(IOAPIC_PC_DEFAULT, IOAPIC_MMIO_LEN)) {
		kprintf("ioapic: no MADT, and 0x%x is RAM: no IOAPIC\n", IOAPIC_PC_DEFAULT);
		return;
	}
	/* vm_map_mmio said why it failed. */
	io->regs = vm_map_mmio(IOAPIC_PC_DEFAULT, IOAPIC_MMIO_LEN, VM_CACHE_UC);
	if (!io->regs) {
		kprintf("ioapic: no MADT, and 0x%x cannot be mapped: no IOAPIC\n",
			IOAPIC_PC_DEFAULT);
		return;
	}
	/* ioapic_n is 0: no other CPU or interrupt touches the registers yet. */
	id = ioapic_reg_read(io, IOAPIC_REG_ID);
	version = ioapic_reg_read(io, IOAPIC_REG_VERSION);
	inputs = ioapic_check_inputs(id, version);
	if (inputs == 0) {
		kprintf("ioapic: no MADT, and no IOAPIC at 0x%x (id register 0x%x, version 0x%x)\n",
			IOAPIC_PC_DEFAULT, id, version);
		io->regs = NULL;
		return;
	}
	io->inputs = inputs;
	io->phys = IOAPIC_PC_DEFAULT;
	io->gsi_base = 0;
	io->id = ioapic_check_id(id);
	for (uint32_t pin = 0; pin < io->inputs; pin++)
		ioapic_write_entry(io, pin, IOAPIC_REDIR_MASKED);
	ioapic_n = 1;
	kprintf("ioapic: no MADT; found the PC default at 0x%x, %u pins (id %u, version 0x%x)\n",
		IOAPIC_PC_DEFAULT, inputs, io->id, version & 0xff);
}

void ioapic_init(const struct acpi_madt *m)
{
	if (!m->present) {
		ioapic_probe_default();
		return;
	}
	for (uint32_t i = 0; i < m->ioapic_count && i < ACPI_MAX_IOAPICS; i++)
		ioapic_add(&m->ioapics[i]);
}

uint32_t ioapic_count(void)
{
	return ioapic_n;
}

const struct ioapic *ioapic_get(uint32_t i)
{
	return i < ioapic_n ? &ioapics[i] : NULL;
}

uint64_t ioapic_read_entry(uint32_t i, uint32_t pin)
{
	const struct ioapic *io = ioapic_get(i);
	uint64_t flags, e;

	if (!io || pin >= io->inputs)
		return 0;
	flags = spin_lock_irqsave(&ioapic_lock);
	e = (uint64_t)ioapic_reg_read(io, IOAPIC_REG_REDIR + 2 * pin + 1) << 32 |
	    ioapic_reg_read(io, IOAPIC_REG_REDIR + 2 * pin);
	spin_unlock_irqrestore(&ioapic_lock, flags);
	return e;
}

/* The IOAPIC and its input for a GSI, or NULL. */
static const struct ioapic *ioapic_find(uint32_t gsi, uint32_t *pin)
{
	for (uint32_t i = 0; i < ioapic_n; i++) {
		if (gsi >= ioapics[i].gsi_base && gsi - ioapics[i].gsi_base < ioapics[i].inputs) {
			*pin = gsi - ioapics[i].gsi_base;
			return &ioapics[i];
		}
	}
	return NULL;
}

int ioapic_route_gsi(uint32_t gsi, uint8_t polarity, uint8_t trigger, uint32_t vector,
		     uint32_t dest)
{
	uint32_t pin;
	const struct ioapic *io = ioapic_find(gsi, &pin);
	uint64_t e = vector;

	if (!io)
		return IOAPIC_ENOENT;
	if (vector < IRQ_VECTOR_IO_FIRST || vector > IRQ_VECTOR_IO_LAST)
		return IOAPIC_EINVAL;
	/* Without interrupt remapping the destination is an 8-bit physical APIC ID. */
	if (dest > 0xff)
		return IOAPIC_EDEST;
	switch (polarity) {
	case ACPI_POLARITY_LOW: e |= IOAPIC_REDIR_ACTIVE_LOW; break;
	case ACPI_POLARITY_HIGH:
	case ACPI_POLARITY_CONFORMS: break;
	default: return IOAPIC_EINVAL;
	}
	switch (trigger) {
	case ACPI_TRIGGER_LEVEL: e |= IOAPIC_REDIR_LEVEL; break;
	case ACPI_TRIGGER_EDGE:
	case ACPI_TRIGGER_CONFORMS: break;
	default: return IOAPIC_EINVAL;
	}
	/* Fixed delivery, physical destination mode: bits 10:8 and 11 stay 0. */
	e |= (uint64_t)dest << IOAPIC_DEST_SHIFT;
	ioapic_write_entry(io, pin, e);
	return IOAPIC_OK;
}

int ioapic_mask_gsi(uint32_t gsi)
{
	uint32_t pin;
	const struct ioapic *io = ioapic_find(gsi, &pin);

	if (!io)
		return IOAPIC_ENOENT;
	ioapic_write_entry(io, pin, IOAPIC_REDIR_MASKED);
	return IOAPIC_OK;
}

int ioapic_set_masked(uint32_t gsi, bool masked)
{
	uint32_t pin, low;
	const struct ioapic *io = ioapic_find(gsi, &pin);
	uint64_t flags;

	if (!io)
		return IOAPIC_ENOENT;
	/* Only the mask bit of the low word changes: vector, mode and destination stay. */
	flags = spin_lock_irqsave(&ioapic_lock);
	low = ioapic_reg_read(io, IOAPIC_REG_REDIR + 2 * pin);
	low = masked ? low | IOAPIC_REDIR_MASKED : low & ~IOAPIC_REDIR_MASKED;
	ioapic_reg_write(io, IOAPIC_REG_REDIR + 2 * pin, low);
	spin_unlock_irqrestore(&ioapic_lock, flags);
	return IOAPIC_OK;
}

bool ioapic_has_gsi(uint32_t gsi)
{
	uint32_t pin;

	return ioapic_find(gsi, &pin) != NULL;
}

void ioapic_isa_irq(const struct acpi_madt *m, uint8_t irq, uint32_t *gsi, uint8_t *polarity,
		    uint8_t *trigger)
{
	*gsi = irq;
	*polarity = ACPI_POLARITY_HIGH;
	*trigger = ACPI_TRIGGER_EDGE;
	for (uint32_t i = 0; m->present && i < m->override_count && i < ACPI_MAX_OVERRIDES; i++) {
		const struct acpi_override *o = &m->overrides[i];

		if (o->irq != irq)
			continue;
		*gsi = o->gsi;
		/* "Conforms" means the bus's default, and the bus is ISA. */
		*polarity =
		    o->polarity == ACPI_POLARITY_LOW ? ACPI_POLARITY_LOW : ACPI_POLARITY_HIGH;
		*trigger =
		    o->trigger == ACPI_TRIGGER_LEVEL ? ACPI_TRIGGER_LEVEL : ACPI_TRIGGER_EDGE;
		return;
	}
}

const char *ioapic_strerror(int err)
{
	switch (err) {
	case IOAPIC_OK: return "ok";
	case IOAPIC_ENOENT: return "no IOAPIC handles that GSI";
	case IOAPIC_EINVAL: return "bad vector, polarity or trigger";
	case IOAPIC_EDEST: return "APIC ID above 255 needs interrupt remapping";
	}
	return "unknown error";
}
