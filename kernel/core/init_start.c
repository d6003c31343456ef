/*
 * kernel/core/init_start.c: init's start block (init_start.h).
 *
 * init gets, in handle[] of its struct keel_start:
 *   KEEL_START_RAMDISK   the ramdisk as a read-only physical VMO (the pages
 *                        the stub loaded it into; they are never given to the
 *                        page allocator), rights READ|MAP|DUPLICATE|TRANSFER;
 *   KEEL_START_RESOURCE  the device resource root (core/devobj.c), every
 *                        right: the only way to I/O ports, IRQs and device
 *                        memory;
 * and the framebuffer (base 0: none) and the kernel's command line
 * (truncated to fit, NUL-terminated). Every other slot is KEEL_MSG_NO_HANDLE.
 */
#include "core/init_start.h"

#include <keel/syscall.h>

#include "arch/x86_64/paging.h"
#include "core/boot.h"
#include "core/devobj.h"
#include "core/ipc.h"
#include "core/loader.h"
#include "core/thread.h"
#include "core/vmo.h"
#include "lib/fmt.h"
#include "lib/kstring.h"

#define INIT_RAMDISK_RIGHTS                                                                        \
	(KEEL_RIGHT_READ | KEEL_RIGHT_MAP | KEEL_RIGHT_DUPLICATE | KEEL_RIGHT_TRANSFER)

/* Put a new handle to obj (the caller's reference stays its own) in slot `slot`. */
static int init_start_give(struct process *p, struct keel_start *s, unsigned slot,
			   struct object *obj, uint32_t rights)
{
	int64_t h = ipc_handle_add(p, obj, rights);

	if (h < 0)
		return (int)h;
	s->handle[slot] = (uint64_t)h;
	return 0;
}

/*
 * The handles init starts with: one slot each, filled here and nowhere else
 * (a test program started in init's place gets the same). 0, or the error
 * that stops the start.
 */
static int init_start_give_handles(struct process *p, struct keel_start *s)
{
	const struct keel_handoff *h = boot_info.handoff;
	struct object *ramdisk;
	int err;

	if (h->initrd_size != 0) {
		err = vmo_create_phys(h->initrd_base, h->initrd_size, PAGING_CACHE_WB, &ramdisk);
		if (err != 0)
			return err;
		err = init_start_give(p, s, KEEL_START_RAMDISK, ramdisk, INIT_RAMDISK_RIGHTS);
		ipc_object_unref(ramdisk); /* the handle holds it (or nothing does) */
		if (err != 0)
			return err;
		s->ramdisk_size = h->initrd_size;
	}
	/* The device resource root (KEEL_OBJ_RESOURCE): init's (or a test's in its place). */
	int64_t resource = devobj_resource_add(p);

	if (resource < 0)
		return (int)resource;
	s->handle[KEEL_START_RESOURCE] = (uint64_t)resource;
	return 0;
}

static int init_start_hook(struct process *p, void *ctx, uint64_t *arg, uint64_t *stack_top)
{
	const struct keel_handoff *h = boot_info.handoff;
	const uint64_t *start_arg = ctx;
	struct keel_start s;
	size_t n;
	int err;

	memset(&s, 0, sizeof(s));
	s.magic = KEEL_START_MAGIC;
	s.arg = *start_arg;
	for (unsigned i = 0; i < KEEL_START_HANDLES; i++)
		s.handle[i] = KEEL_MSG_NO_HANDLE;
	if (h->flags & KEEL_HANDOFF_HAS_FB)
		s.fb = h->fb;
	n = strlen(h->cmdline);
	if (n >= sizeof(s.cmdline))
		n = sizeof(s.cmdline) - 1;
	memcpy(s.cmdline, h->cmdline, n);
	err = init_start_give_handles(p, &s);
	if (err != 0)
		return err;
	*arg = *stack_top = loader_write_start(p, &s);
	return 0;
}

int init_start(const char *path, char *why, size_t why_size)
{
	uint64_t arg = 0;
	struct loader_hook hook = {init_start_hook, &arg};
	struct process *p;

	return loader_start_with(path, "init", SCHED_PRIORITY_DRIVER, &hook, &p, why, why_size);
}

int init_start_test(const char *path, const char *name, uint64_t arg, char *why, size_t why_size)
{
	struct loader_hook hook = {init_start_hook, &arg};
	struct process *p;

	return loader_start_with(path, name, SCHED_PRIORITY_APP, &hook, &p, why, why_size);
}
