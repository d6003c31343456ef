/*
 * kernel/arch/x86_64/iopb.c: I/O permission bitmaps (iopb.h).
 *
 * Locking: iopb_lock guards the allocation of the per-CPU bitmap TSSs; a
 * pointer, once published (release), never changes. A process's bitmap
 * changes under its process lock (iopb_enable's caller) and is read without
 * it by switches on other CPUs: bits only ever go from 1 to 0, and the
 * generation is bumped (release) after the bits, so a switch that read an
 * older generation (acquire) before its copy copies again next time. Each
 * CPU's struct iopb_cpu is written by that CPU only, except `owner`, which a
 * process's end may clear from another CPU (atomic compare-and-swap).
 */
#include "iopb.h"

#include <stddef.h>

#include <keel/syscall.h>

#include "core/arch.h"
#include "core/boot.h"
#include "core/spinlock.h"
#include "core/thread.h"
#include "gdt.h"
#include "lib/kstring.h"
#include "mm/pmm.h"
#include "percpu.h"

#define IOPB_ORDER 2 /* 16 KiB blocks: a bitmap TSS (8,297 bytes), a struct iopb (8,208) */

/* A CPU's TSS with the bitmap after it, and the all-ones byte the CPU may read past its end. */
struct iopb_tss {
	struct tss tss;
	uint8_t map[IOPB_BYTES];
	uint8_t end;
} __attribute__((packed));

_Static_assert(sizeof(struct iopb_tss) <= (KEEL_PAGE_SIZE << IOPB_ORDER), "bitmap TSS block");
_Static_assert(sizeof(struct iopb) <= (KEEL_PAGE_SIZE << IOPB_ORDER), "bitmap block");
_Static_assert(sizeof(struct iopb_tss) - 1 <= GDT_TSS_LIMIT_MAX, "TSS limit");

/* iomap_base past the limit: no bitmap, every port faults at CPL 3. */
#define IOPB_NO_MAP ((uint16_t)sizeof(struct iopb_tss))
#define IOPB_MAP    ((uint16_t)offsetof(struct iopb_tss, map))

struct iopb_cpu {
	struct iopb_tss *tss; /* NULL until the first ioport_enable */
	bool loaded;          /* the task register holds tss */
	uint32_t owner;       /* process id whose bitmap tss->map holds (0: none) */
	uint64_t gen;         /* ... at this generation */
	uint32_t bytes;       /* map[bytes..] is all 1s */
};

bool iopb_in_use;
static struct iopb_cpu iopb_cpu[PERCPU_MAX];
static struct spinlock iopb_lock = SPINLOCK_INIT;

static void *iopb_alloc_block(void)
{
	uint64_t phys;

	if (pmm_alloc_pages(IOPB_ORDER, &phys) != 0)
		return NULL;
	return boot_phys_to_virt(phys);
}

/* A bitmap TSS for every online CPU (interrupts off). 0, or -KEEL_ENOMEM. */
static int iopb_cpus_init(void)
{
	uint64_t online = arch_cpus_online();
	int err = 0;

	spin_lock(&iopb_lock);
	for (uint32_t i = 0; i < PERCPU_MAX && err == 0; i++) {
		struct iopb_tss *t;

		if (!(online & (1ull << i)) || iopb_cpu[i].tss)
			continue;
		t = iopb_alloc_block();
		if (!t) {
			err = -KEEL_ENOMEM;
			break;
		}
		memset(t, 0xff, sizeof(*t));
		t->tss.iomap_base = IOPB_NO_MAP; /* the rest is copied when it is loaded */
		__atomic_store_n(&iopb_cpu[i].tss, t, __ATOMIC_RELEASE);
	}
	spin_unlock(&iopb_lock);
	return err;
}

uint32_t iopb_cpus_ready(void)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < PERCPU_MAX; i++)
		n += __atomic_load_n(&iopb_cpu[i].tss, __ATOMIC_ACQUIRE) != NULL;
	return n;
}

int iopb_enable(struct process *p, uint32_t base, uint32_t count)
{
	struct iopb *b = p->iopb;
	int err = iopb_cpus_init();

	if (err != 0)
		return err;
	__atomic_store_n(&iopb_in_use, true, __ATOMIC_RELEASE);
	if (!b) {
		b = iopb_alloc_block();
		if (!b)
			return -KEEL_ENOMEM;
		memset(b, 0, offsetof(struct iopb, map));
		memset(b->map, 0xff, sizeof(b->map));
		__atomic_store_n(&p->iopb, b, __ATOMIC_RELEASE);
	}
	for (uint32_t port = base; port < base + count; port++)
		b->map[port / 8] &= (uint8_t) ~(1u << (port % 8));
	if ((base + count + 7) / 8 > b->bytes)
		b->bytes = (base + count + 7) / 8;
	/* After the bits: a switch that sees this generation sees them. */
	__atomic_fetch_add(&b->gen, 1, __ATOMIC_RELEASE);
	/* The caller is a thread of p, running here: the new map counts from now on. */
	iopb_switch_slow(p);
	return 0;
}

void iopb_switch_slow(struct process *next)
{
	struct percpu *pc = percpu_this();
	struct iopb_cpu *c = &iopb_cpu[pc->index];
	struct iopb *b = next ? __atomic_load_n(&next->iopb, __ATOMIC_ACQUIRE) : NULL;
	struct iopb_tss *t;
	uint64_t gen;
	uint32_t bytes;

	if (!c->loaded) {
		/* Never a process with ports here yet: the plain TSS has no bitmap. */
		t = b ? __atomic_load_n(&c->tss, __ATOMIC_ACQUIRE) : NULL;
		if (!t)
			return;
		gdt_cpu_use_tss(&pc->gdt, &t->tss, sizeof(*t) - 1);
		c->loaded = true;
	}
	t = c->tss;
	if (!b) {
		t->tss.iomap_base = IOPB_NO_MAP;
		return;
	}
	gen = __atomic_load_n(&b->gen, __ATOMIC_ACQUIRE);
	if (__atomic_load_n(&c->owner, __ATOMIC_RELAXED) != next->id || c->gen != gen) {
		bytes = __atomic_load_n(&b->bytes, __ATOMIC_RELAXED);
		/* Past both extents the two maps are all 1s already. */
		memcpy(t->map, b->map, bytes > c->bytes ? bytes : c->bytes);
		c->bytes = bytes;
		c->gen = gen;
		__atomic_store_n(&c->owner, next->id, __ATOMIC_RELAXED);
	}
	t->tss.iomap_base = IOPB_MAP;
}

void iopb_process_fini(struct process *p)
{
	if (!p->iopb)
		return;
	for (uint32_t i = 0; i < PERCPU_MAX; i++) {
		uint32_t id = p->id;

		__atomic_compare_exchange_n(&iopb_cpu[i].owner, &id, 0, false, __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED);
	}
	pmm_free_pages((uint64_t)(uintptr_t)p->iopb - KEEL_DIRECT_MAP_BASE, IOPB_ORDER);
	p->iopb = NULL;
}
