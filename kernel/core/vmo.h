/*
 * kernel/core/vmo.h: memory objects (VMOs), the map and unmap system calls
 * and protection keys (DESIGN.md §5, §6).
 *
 * A VMO is a run of zeroed pages taken when it is created and owned by it:
 * mappings never own pages. A physical VMO (vmo_create_phys) only names a
 * range of physical memory it does not own (the ramdisk, device memory),
 * with the memory type its mappings get. Handles and mappings each hold one reference
 * (struct object's refs); the last one frees the pages.
 *
 * Per process (struct vmo_space in struct process): the list of its VMO
 * mappings {start, size, vmo, offset} and the protection keys it allocated.
 *
 * Choices the ABI leaves open:
 *   - map refuses a range that overlaps anything already mapped, VMO or
 *     anonymous (the program image, the stack): -KEEL_EBUSY.
 *   - unmap removes every VMO mapping that lies wholly inside the range, with
 *     one TLB shootdown for the call. A mapping that straddles an end of the
 *     range is not split: the call is refused with -KEEL_EINVAL and nothing
 *     changes. A range that holds no mapping is -KEEL_ENOENT. Anonymous pages
 *     are never removed by unmap.
 *   - Keys: a process allocates keys 1-15 with pkey_alloc; map accepts key 0
 *     or a key this process allocated, -KEEL_EINVAL otherwise. Without PKU
 *     (or with `nopku`) pkey_alloc is -KEEL_ENOSYS, so no key but 0 can be
 *     allocated and a nonzero key is -KEEL_EINVAL: never silently ignored.
 *   - Rights: map needs KEEL_RIGHT_MAP, plus KEEL_RIGHT_READ (every mapping
 *     is readable: KEEL_MAP_READ is required) and KEEL_RIGHT_WRITE for
 *     KEEL_MAP_WRITE. W+X is refused.
 *
 *   - KEEL_MAP_WC maps device memory (a KEEL_OBJ_DEVMEM VMO, core/devobj.c,
 *     uncached otherwise) write-combining; on any other VMO it is refused.
 *
 * The process argument of map and unmap is KEEL_HANDLE_SELF or a process
 * handle with KEEL_RIGHT_MANAGE (its own errors first: -KEEL_EBADH,
 * -KEEL_ETYPE, -KEEL_EPERM); a process taken apart is -KEEL_ECLOSED. Keys
 * are the target process's.
 *
 * Error order of map (tests rely on it): the process handle's, then
 * -KEEL_EBADH (the VMO handle), -KEEL_EINVAL (flags, key,
 * alignment, size 0), -KEEL_ERANGE (outside the user half, or offset + size
 * past the VMO's end), -KEEL_ETYPE, -KEEL_EINVAL (KEEL_MAP_WC on a VMO that
 * is not device memory), -KEEL_EPERM, -KEEL_ECLOSED, -KEEL_EBUSY,
 * -KEEL_ENOMEM.
 *
 * Locking: vmo_space.lock guards a process's mapping list and keys and is
 * held across a whole map or unmap, so the list always matches the page
 * tables. Order: vmo_space.lock, then the process lock (handles), then the
 * address-space lock. Mapping into another process takes the target's
 * vmo_space.lock, then the caller's process lock (its handles); nothing holds
 * a process lock while it waits for a vmo_space.lock.
 */
#ifndef KEEL_CORE_VMO_H
#define KEEL_CORE_VMO_H

#include <stdbool.h>
#include <stdint.h>

#include <keel/syscall.h>

#include "core/ktest.h"
#include "core/spinlock.h"

#define VMO_SIZE_MAX       (1ull << 30)     /* largest VMO: 1 GiB */
#define VMO_MAPS_MAX       256              /* VMO mappings one process may hold */
#define VMO_CONTIGUOUS_MAX KEEL_DMAMEM_MAX /* largest DMA VMO: 1 MiB, order 8 */

struct object;
struct process;
struct vmo_mapping;

/* A process's VMO mappings and protection keys (zeroed by process_create). */
struct vmo_space {
	struct spinlock lock;
	uint16_t pkeys; /* bit k: key k allocated (key 0 always usable, never allocated) */
	uint32_t count; /* mappings in the list */
	bool closed;    /* the process is taken apart: no map or unmap */
	struct vmo_mapping *maps;
};

/*
 * A VMO of `size` bytes (rounded up to pages), zeroed, with one reference
 * for the caller in *out. 0, or -KEEL_EINVAL (size 0), -KEEL_E2BIG (above
 * VMO_SIZE_MAX), -KEEL_ENOMEM.
 */
int vmo_create(uint64_t size, struct object **out);

/*
 * A DMA VMO (include/keel/syscall.h): `size` bytes (rounded up to pages),
 * zeroed, in one block of the page allocator (a power of two of pages, the
 * rest of it unused) that ends at or below `limit`, with one reference for
 * the caller in *out. The caller checked the right to it. 0, or
 * -KEEL_EINVAL (size 0), -KEEL_E2BIG (above VMO_CONTIGUOUS_MAX),
 * -KEEL_ENOMEM (also: no block below limit among the first few).
 */
int vmo_create_contiguous(uint64_t size, uint64_t limit, struct object **out);

/*
 * A DMA object keeping its VMOs (devobj.c): vmo_keep puts obj on *list with
 * a reference of the list's (the caller serialises the list);
 * vmo_keep_release drops every one of them (the list's owner is going).
 */
void vmo_keep(struct object **list, struct object *obj);
void vmo_keep_release(struct object *list);

/*
 * KEEL_INFO_VMO_PHYS: the physical address of the DMA VMO handle h (with
 * KEEL_RIGHT_MANAGE) into *phys. 0, the handle's errors, -KEEL_EINVAL for
 * any other VMO.
 */
int vmo_sys_phys(uint64_t h, uint64_t *phys);

/*
 * A VMO over the physical range [phys, phys + size rounded up to pages),
 * which its creator vouches for (never RAM the page allocator may hand out),
 * mapped with memory type `cache` (PAGING_CACHE_*); freeing it leaves the
 * memory alone. 0, or -KEEL_EINVAL (size 0, phys unaligned, bad type),
 * -KEEL_E2BIG (above VMO_SIZE_MAX), -KEEL_ENOMEM.
 */
int vmo_create_phys(uint64_t phys, uint64_t size, unsigned cache, struct object **out);

/*
 * Set the VMO slab caches up and leave each with its one empty slab, so that
 * page accounting in tests does not count their first use (tests only).
 */
void vmo_prime_caches(void);

/* Free a VMO whose last reference went (ipc_object_unref). */
void vmo_destroy(struct object *obj);

/*
 * A physical VMO over a console's device (the framebuffer, core/devobj.c):
 * hold the sink now (console_sink_hold) and release it when the VMO is
 * destroyed, so the kernel draws there only while no one else may. Before
 * any handle to the VMO exists.
 */
struct console_sink;
void vmo_hold_console(struct object *obj, const struct console_sink *sink);

/* Pages of a VMO, and the kernel's view of page `index` (NULL past the end): for tests. */
uint64_t vmo_pages(const struct object *obj);
void *vmo_kernel_view(const struct object *obj, uint64_t index);

/*
 * Remove every VMO mapping of p and drop their references: the process is
 * ending and no CPU runs its address space. Before aspace_destroy.
 */
void vmo_process_fini(struct process *p);

/* The system calls (syscall.c's table). */
int64_t vmo_sys_map(uint64_t proc, uint64_t vmo, uint64_t va, uint64_t offset, uint64_t size,
		    uint64_t flags);
int64_t vmo_sys_unmap(uint64_t proc, uint64_t va, uint64_t size, uint64_t a3, uint64_t a4,
		      uint64_t a5);
int64_t vmo_sys_pkey_alloc(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
			   uint64_t a5);

/* VMOs, map/unmap and protection keys, run with user processes (vmo_tests.c). */
extern const struct ktest_suite vmo_test_suite;

#endif
