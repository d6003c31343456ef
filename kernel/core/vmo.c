/*
 * kernel/core/vmo.c: memory objects, map, unmap and protection keys (vmo.h).
 *
 * A VMO's pages are taken one at a time (no need for contiguous memory) and
 * listed in an array of physical addresses from the page allocator, except a
 * DMA VMO's: one block of the buddy allocator, freed whole; a
 * mapping is one node of the process's list. Every page of a VMO mapping is
 * present from map to unmap, so "something is mapped there" (paging_map's
 * EEXIST) is the whole overlap check, for VMO and anonymous pages alike.
 *
 * Why the order of an unmap is safe: the PTEs go and the one shootdown
 * completes (aspace_unmap_pages) before the mappings' references are dropped,
 * so a VMO's pages are freed only when no TLB can reach them any more.
 */
#include "core/vmo.h"

#include <keel/syscall.h>

#include "arch/x86_64/cpufeatures.h"
#include "arch/x86_64/paging.h"
#include "core/boot.h"
#include "core/console.h"
#include "core/ipc.h"
#include "core/proc.h"
#include "core/thread.h"
#include "lib/kstring.h"
#include "mm/kslab.h"
#include "mm/pmm.h"

#define VMO_UNMAP_LOCAL 16 /* ranges an unmap keeps on the stack; more take a page */
#define VMO_PKEY_MAX    15
#define VMO_DMA_TRIES   8 /* blocks vmo_alloc_below tries for one below its limit */

struct vmo {
	struct object obj;
	uint64_t pages;
	bool owned;      /* the pages are the VMO's (else physical memory it only names) */
	bool contiguous; /* DMA memory: owned, phys[0] heads one block of block_order */
	unsigned block_order;
	unsigned cache;      /* PAGING_CACHE_* its mappings use */
	unsigned list_order; /* of the block holding phys[] */
	uint64_t *phys;      /* pages[i]: physical address of page i (direct map) */
	const struct console_sink *held; /* released when this VMO goes (vmo_hold_console) */
	struct vmo *kept_next;           /* on its DMA object's list (vmo_keep) */
};

struct vmo_mapping {
	struct vmo_mapping *next;
	uint64_t va, size, offset;
	struct vmo *vmo; /* holds one reference */
};

static struct kslab_cache vmo_cache, vmo_mapping_cache;
static bool vmo_caches_ready;
static struct spinlock vmo_caches_lock = SPINLOCK_INIT;

static int vmo_caches_init(void)
{
	uint64_t flags = spin_lock_irqsave(&vmo_caches_lock);
	int err = 0;

	if (!vmo_caches_ready) {
		err = kslab_cache_init(&vmo_cache, "vmo", sizeof(struct vmo), 64);
		if (err == 0)
			err = kslab_cache_init(&vmo_mapping_cache, "vmo_mapping",
					       sizeof(struct vmo_mapping), 64);
		vmo_caches_ready = err == 0;
	}
	spin_unlock_irqrestore(&vmo_caches_lock, flags);
	return err == 0 ? 0 : -KEEL_ENOMEM;
}

void vmo_prime_caches(void)
{
	void *a, *b;

	if (vmo_caches_init() != 0)
		return;
	a = kslab_alloc(&vmo_cache);
	b = kslab_alloc(&vmo_mapping_cache);
	if (a)
		kslab_free(&vmo_cache, a);
	if (b)
		kslab_free(&vmo_mapping_cache, b);
}

/* ---- Objects ---- */

static unsigned vmo_order_for(uint64_t bytes)
{
	unsigned order = 0;

	while ((KEEL_PAGE_SIZE << order) < bytes)
		order++;
	return order;
}

static void vmo_free_pages(struct vmo *v, uint64_t count)
{
	if (v->contiguous && count > 0)
		pmm_free_pages(v->phys[0], v->block_order);
	for (uint64_t i = 0; v->owned && !v->contiguous && i < count; i++)
		pmm_free_pages(v->phys[i], 0);
	pmm_free_pages((uint64_t)(uintptr_t)v->phys - KEEL_DIRECT_MAP_BASE, v->list_order);
}

/* A VMO of `size` bytes with its page list but no pages yet, or NULL. */
static struct vmo *vmo_alloc(uint64_t size, bool owned, unsigned cache)
{
	struct vmo *v;
	uint64_t list;

	if (vmo_caches_init() != 0 || !(v = kslab_alloc(&vmo_cache)))
		return NULL;
	memset(v, 0, sizeof(*v));
	v->pages = (size + KEEL_PAGE_SIZE - 1) / KEEL_PAGE_SIZE;
	v->owned = owned;
	v->cache = cache;
	v->list_order = vmo_order_for(v->pages * sizeof(uint64_t));
	if (pmm_alloc_pages(v->list_order, &list) != 0) {
		kslab_free(&vmo_cache, v);
		return NULL;
	}
	v->phys = boot_phys_to_virt(list);
	v->obj.type = KEEL_OBJ_VMO;
	v->obj.refs = 1;
	return v;
}

int vmo_create(uint64_t size, struct object **out)
{
	struct vmo *v;
	uint64_t i;

	if (size == 0)
		return -KEEL_EINVAL;
	if (size > VMO_SIZE_MAX)
		return -KEEL_E2BIG;
	v = vmo_alloc(size, true, PAGING_CACHE_WB);
	if (!v)
		return -KEEL_ENOMEM;
	for (i = 0; i < v->pages; i++) {
		if (pmm_alloc_pages(0, &v->phys[i]) != 0)
			break;
		memset(boot_phys_to_virt(v->phys[i]), 0, KEEL_PAGE_SIZE);
	}
	if (i < v->pages) {
		vmo_free_pages(v, i);
		kslab_free(&vmo_cache, v);
		return -KEEL_ENOMEM;
	}
	*out = &v->obj;
	return 0;
}

/*
 * One block of 2^order pages wholly below `limit` into *phys: 0, or
 * -KEEL_ENOMEM. The buddy allocator takes no address limit, so a block
 * above it is held while the next is tried (VMO_DMA_TRIES at most), and the
 * ones held are given back at the end.
 */
static int vmo_alloc_below(unsigned order, uint64_t limit, uint64_t *phys)
{
	uint64_t held[VMO_DMA_TRIES];
	unsigned n = 0;
	int err = -KEEL_ENOMEM;

	while (n < VMO_DMA_TRIES && pmm_alloc_pages(order, &held[n]) == 0) {
		if (held[n] + (KEEL_PAGE_SIZE << order) <= limit) {
			*phys = held[n];
			err = 0;
			break;
		}
		n++;
	}
	while (n > 0)
		pmm_free_pages(held[--n], order);
	return err;
}

int vmo_create_contiguous(uint64_t size, uint64_t limit, struct object **out)
{
	struct vmo *v;
	unsigned order;

	if (size == 0)
		return -KEEL_EINVAL;
	if (size > VMO_CONTIGUOUS_MAX)
		return -KEEL_E2BIG;
	v = vmo_alloc(size, true, PAGING_CACHE_WB);
	if (!v)
		return -KEEL_ENOMEM;
	order = vmo_order_for(v->pages * KEEL_PAGE_SIZE);
	if (vmo_alloc_below(order, limit, &v->phys[0]) != 0) {
		vmo_free_pages(v, 0);
		kslab_free(&vmo_cache, v);
		return -KEEL_ENOMEM;
	}
	v->contiguous = true;
	v->block_order = order;
	/* The whole block, past the VMO's pages too: nothing of an earlier owner stays. */
	memset(boot_phys_to_virt(v->phys[0]), 0, KEEL_PAGE_SIZE << order);
	for (uint64_t i = 1; i < v->pages; i++)
		v->phys[i] = v->phys[0] + i * KEEL_PAGE_SIZE;
	*out = &v->obj;
	return 0;
}

int vmo_sys_phys(uint64_t h, uint64_t *phys)
{
	struct object *obj;
	int err = ipc_handle_get(h, KEEL_OBJ_VMO, KEEL_RIGHT_MANAGE, &obj);

	if (err != 0)
		return err;
	if (((struct vmo *)obj)->contiguous)
		*phys = ((struct vmo *)obj)->phys[0];
	else
		err = -KEEL_EINVAL; /* an ordinary VMO's pages are nobody's business */
	ipc_object_unref(obj);
	return err;
}

int vmo_create_phys(uint64_t phys, uint64_t size, unsigned cache, struct object **out)
{
	struct vmo *v;

	if (size == 0 || (phys & (KEEL_PAGE_SIZE - 1)) || cache > PAGING_CACHE_MAX)
		return -KEEL_EINVAL;
	if (size > VMO_SIZE_MAX)
		return -KEEL_E2BIG;
	v = vmo_alloc(size, false, cache);
	if (!v)
		return -KEEL_ENOMEM;
	for (uint64_t i = 0; i < v->pages; i++)
		v->phys[i] = phys + i * KEEL_PAGE_SIZE;
	*out = &v->obj;
	return 0;
}

void vmo_destroy(struct object *obj)
{
	struct vmo *v = (struct vmo *)obj;

	if (v->held)
		console_sink_release(v->held); /* the last one gives the kernel its screen back */
	vmo_free_pages(v, v->pages);
	kslab_free(&vmo_cache, v);
}

void vmo_keep(struct object **list, struct object *obj)
{
	struct vmo *v = (struct vmo *)obj;

	ipc_object_ref(obj);
	v->kept_next = (struct vmo *)*list;
	*list = obj;
}

void vmo_keep_release(struct object *list)
{
	struct vmo *v = (struct vmo *)list, *next;

	for (; v; v = next) {
		next = v->kept_next;
		ipc_object_unref(&v->obj);
	}
}

void vmo_hold_console(struct object *obj, const struct console_sink *sink)
{
	struct vmo *v = (struct vmo *)obj;

	v->held = sink;
	console_sink_hold(sink);
}

uint64_t vmo_pages(const struct object *obj)
{
	return ((const struct vmo *)obj)->pages;
}

void *vmo_kernel_view(const struct object *obj, uint64_t index)
{
	const struct vmo *v = (const struct vmo *)obj;

	return index < v->pages ? boot_phys_to_virt(v->phys[index]) : NULL;
}

/* ---- map ---- */

/* Whether [va, va + size) is page-aligned and non-empty (EINVAL), then in the user half (ERANGE).
 */
static int vmo_check_range(uint64_t va, uint64_t size)
{
	if (size == 0 || ((va | size) & (KEEL_PAGE_SIZE - 1)))
		return -KEEL_EINVAL;
	if (va < KEEL_USER_BASE || va >= KEEL_USER_END || size > KEEL_USER_END - va)
		return -KEEL_ERANGE;
	return 0;
}

/* The argument checks of map that need no handle (vmo.h's order). */
static int vmo_check_map_args(const struct vmo_space *s, uint64_t va, uint64_t offset,
			      uint64_t size, uint64_t flags)
{
	uint64_t key = (flags >> KEEL_MAP_PKEY_SHIFT) & 0xf;

	if (flags & ~(uint64_t)(KEEL_MAP_READ | KEEL_MAP_WRITE | KEEL_MAP_EXEC | KEEL_MAP_WC |
				KEEL_MAP_PKEY(0xf)))
		return -KEEL_EINVAL;
	if (!(flags & KEEL_MAP_READ) || ((flags & KEEL_MAP_WRITE) && (flags & KEEL_MAP_EXEC)))
		return -KEEL_EINVAL;
	if (key != 0 && !(s->pkeys & (1u << key)))
		return -KEEL_EINVAL;
	if (offset & (KEEL_PAGE_SIZE - 1))
		return -KEEL_EINVAL;
	return vmo_check_range(va, size);
}

int64_t vmo_sys_map(uint64_t proc, uint64_t h, uint64_t va, uint64_t offset, uint64_t size,
		    uint64_t flags)
{
	struct process *me = thread_current()->proc, *p;
	struct vmo_space *s;
	struct handle_entry e;
	struct vmo_mapping *m;
	struct vmo *v = NULL;
	uint32_t need = KEEL_RIGHT_MAP | KEEL_RIGHT_READ;
	unsigned rights = PAGING_PKEY((flags >> KEEL_MAP_PKEY_SHIFT) & 0xf);
	uint64_t sflags, pflags;
	int err;

	/* The process mapped into: this one, or a process handle with MANAGE (proc.c). */
	err = proc_get(proc, KEEL_RIGHT_MANAGE, &p);
	if (err != 0)
		return err;
	s = &p->vmo;
	if (flags & KEEL_MAP_WRITE)
		need |= KEEL_RIGHT_WRITE, rights |= PAGING_WRITE;
	if (flags & KEEL_MAP_EXEC)
		rights |= PAGING_EXEC;
	if (vmo_caches_init() != 0) {
		proc_put(p);
		return -KEEL_ENOMEM;
	}
	/* Lock order (vmo.h): the target's vmo_space, then the caller's process lock. */
	sflags = spin_lock_irqsave(&s->lock);
	pflags = spin_lock_irqsave(&me->lock);
	err = handle_lookup(&me->handles, h, &e);
	if (err == 0)
		err = vmo_check_map_args(s, va, offset, size, flags);
	if (err == 0 && e.type != KEEL_OBJ_VMO)
		err = -KEEL_ETYPE;
	/* Write-combining is for device memory only (a physical, uncached VMO). */
	if (err == 0 && (flags & KEEL_MAP_WC) &&
	    (((struct vmo *)e.obj)->owned || ((struct vmo *)e.obj)->cache != PAGING_CACHE_UC))
		err = -KEEL_EINVAL;
	if (err == 0 && (e.rights & need) != need)
		err = -KEEL_EPERM;
	if (err == 0 && s->closed)
		err = -KEEL_ECLOSED; /* taken apart: its address space is gone */
	if (err == 0) {
		v = e.obj;
		if (offset / KEEL_PAGE_SIZE > v->pages ||
		    size / KEEL_PAGE_SIZE > v->pages - offset / KEEL_PAGE_SIZE)
			err = -KEEL_ERANGE;
		else
			ipc_object_ref(&v->obj); /* the mapping's, taken while the handle pins it */
	}
	spin_unlock_irqrestore(&me->lock, pflags);
	if (err != 0)
		goto out;
	m = s->count < VMO_MAPS_MAX ? kslab_alloc(&vmo_mapping_cache) : NULL;
	if (!m)
		err = -KEEL_ENOMEM;
	else
		err = aspace_map_pages(&p->as, va, v->phys + offset / KEEL_PAGE_SIZE,
				       size / KEEL_PAGE_SIZE, rights,
				       (flags & KEEL_MAP_WC) ? PAGING_CACHE_WC : v->cache);
	if (err != 0) {
		if (m)
			kslab_free(&vmo_mapping_cache, m);
		ipc_object_unref(&v->obj);
		goto out;
	}
	m->va = va, m->size = size, m->offset = offset, m->vmo = v;
	m->next = s->maps;
	s->maps = m;
	s->count++;
out:
	spin_unlock_irqrestore(&s->lock, sflags);
	proc_put(p);
	return err;
}

/* ---- unmap ---- */

/*
 * Take the mappings of s inside [va, va + size) off its list (s->lock held),
 * linked through next, into *gone: their count, or -KEEL_EINVAL (one
 * straddles an end: nothing taken), -KEEL_ENOENT (none there).
 */
static int64_t vmo_take_mappings(struct vmo_space *s, uint64_t va, uint64_t size,
				 struct vmo_mapping **gone)
{
	struct vmo_mapping **pm, *m;
	int64_t n = 0;

	for (m = s->maps; m; m = m->next) {
		if (m->va + m->size <= va || m->va >= va + size)
			continue;
		if (m->va < va || m->va + m->size > va + size)
			return -KEEL_EINVAL;
		n++;
	}
	if (n == 0)
		return -KEEL_ENOENT;
	*gone = NULL;
	for (pm = &s->maps; (m = *pm) != NULL;) {
		if (m->va >= va && m->va + m->size <= va + size) {
			*pm = m->next;
			m->next = *gone;
			*gone = m;
			s->count--;
		} else {
			pm = &m->next;
		}
	}
	return n;
}

/* Drop the references of unmapped mappings (after their shootdown) and free the nodes. */
static void vmo_release(struct vmo_mapping *m)
{
	while (m) {
		struct vmo_mapping *next = m->next;

		ipc_object_unref(&m->vmo->obj);
		kslab_free(&vmo_mapping_cache, m);
		m = next;
	}
}

int64_t vmo_sys_unmap(uint64_t proc, uint64_t va, uint64_t size, uint64_t a3, uint64_t a4,
		      uint64_t a5)
{
	struct process *p;
	struct vmo_space *s;
	struct aspace_range local[VMO_UNMAP_LOCAL], *r = local;
	struct vmo_mapping *gone = NULL, *m;
	uint64_t flags, list = 0;
	int64_t n;
	int err;

	(void)a3, (void)a4, (void)a5;
	if ((err = proc_get(proc, KEEL_RIGHT_MANAGE, &p)) != 0)
		return err;
	if ((err = vmo_check_range(va, size)) != 0) {
		proc_put(p);
		return err;
	}
	s = &p->vmo;
	flags = spin_lock_irqsave(&s->lock);
	/*
	 * The shootdown below goes to the CPUs running p's address space (this
	 * one's or another process's): aspace_unmap_pages targets them.
	 */
	n = s->closed ? -KEEL_ECLOSED : vmo_take_mappings(s, va, size, &gone);
	if (n > VMO_UNMAP_LOCAL) {
		/* VMO_MAPS_MAX ranges fit in one page. */
		_Static_assert(VMO_MAPS_MAX * sizeof(struct aspace_range) <= KEEL_PAGE_SIZE,
			       "an unmap's ranges fit in one page");
		if (pmm_alloc_pages(0, &list) != 0) {
			/* Put them back: the call fails and changes nothing. */
			while (gone) {
				m = gone, gone = m->next;
				m->next = s->maps, s->maps = m, s->count++;
			}
			n = -KEEL_ENOMEM;
		} else {
			r = boot_phys_to_virt(list);
		}
	}
	if (n > 0) {
		size_t i = 0;

		for (m = gone; m; m = m->next, i++)
			r[i].va = m->va, r[i].size = m->size;
		aspace_unmap_pages(&p->as, r, i); /* ranges checked: cannot fail */
	}
	spin_unlock_irqrestore(&s->lock, flags);
	if (list)
		pmm_free_pages(list, 0);
	vmo_release(gone);
	proc_put(p);
	return n < 0 ? n : 0;
}

void vmo_process_fini(struct process *p)
{
	struct vmo_space *s = &p->vmo;
	uint64_t flags = spin_lock_irqsave(&s->lock);
	struct vmo_mapping *gone = s->maps;

	/* No CPU runs the address space: each unmap's shootdown reaches nobody. */
	for (struct vmo_mapping *m = gone; m; m = m->next) {
		struct aspace_range r = {m->va, m->size};

		aspace_unmap_pages(&p->as, &r, 1);
	}
	s->maps = NULL;
	s->count = 0;
	s->closed = true; /* map and unmap refuse it from now on (ECLOSED) */
	spin_unlock_irqrestore(&s->lock, flags);
	vmo_release(gone);
}

/* ---- Protection keys ---- */

int64_t vmo_sys_pkey_alloc(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
			   uint64_t a5)
{
	struct vmo_space *s = &thread_current()->proc->vmo;
	int64_t key = -KEEL_ENOMEM;
	uint64_t flags;

	(void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	if (!cpufeatures_on(CPUFEATURE_PKU))
		return -KEEL_ENOSYS;
	flags = spin_lock_irqsave(&s->lock);
	for (unsigned k = 1; k <= VMO_PKEY_MAX; k++) {
		if (!(s->pkeys & (1u << k))) {
			s->pkeys |= (uint16_t)(1u << k);
			key = k;
			break;
		}
	}
	spin_unlock_irqrestore(&s->lock, flags);
	return key;
}
