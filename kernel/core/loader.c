/*
 * kernel/core/loader.c: programs from the ramdisk (loader.h).
 */
#include "core/loader.h"

#include <keel/syscall.h>

#include "arch/x86_64/paging.h"
#include "core/boot.h"
#include "core/thread.h"
#include "lib/cpio.h"
#include "lib/elf.h"
#include "lib/fmt.h"
#include "lib/kstring.h"

static unsigned loader_rights(uint32_t elf_flags)
{
	return ((elf_flags & ELF_PF_W) ? PAGING_WRITE : 0) |
	       ((elf_flags & ELF_PF_X) ? PAGING_EXEC : 0);
}

/* Map one checked segment and copy its file bytes; the rest stays zero. */
static int loader_map_segment(struct aspace *as, const uint8_t *file, const struct elf_segment *s)
{
	uint64_t start = s->vaddr & ~(KEEL_PAGE_SIZE - 1);
	uint64_t end = (s->vaddr + s->memsz + KEEL_PAGE_SIZE - 1) & ~(KEEL_PAGE_SIZE - 1);
	int err = aspace_map_anon(as, start, end - start, loader_rights(s->flags));

	if (err != 0)
		return err;
	for (uint64_t done = 0; done < s->filesz;) {
		uint64_t va = s->vaddr + done;
		uint64_t chunk = KEEL_PAGE_SIZE - (va & (KEEL_PAGE_SIZE - 1));
		uint8_t *page = aspace_kernel_view(as, va & ~(KEEL_PAGE_SIZE - 1));

		if (chunk > s->filesz - done)
			chunk = s->filesz - done;
		memcpy(page + (va & (KEEL_PAGE_SIZE - 1)), file + s->offset + done, chunk);
		done += chunk;
	}
	return 0;
}

static int loader_keep_arg(struct process *p, void *ctx, uint64_t *arg, uint64_t *stack_top)
{
	(void)p, (void)stack_top;
	*arg = *(const uint64_t *)ctx;
	return 0;
}

uint64_t loader_write_start(struct process *p, const struct keel_start *s)
{
	uint64_t va = (LOADER_STACK_TOP - sizeof(*s)) & ~15ull;

	/* One page: the stack's top page, mapped by the loader before the hook runs. */
	_Static_assert(sizeof(*s) + 15 <= KEEL_PAGE_SIZE, "a start block fits in a page");
	memcpy((uint8_t *)aspace_kernel_view(&p->as, va & ~(KEEL_PAGE_SIZE - 1)) +
		   (va & (KEEL_PAGE_SIZE - 1)),
	       s, sizeof(*s));
	return va;
}

/* Load the image into a new process, run `hook` (if any), start its thread. */
static int loader_start_hooked(const void *file, size_t size, const char *name, uint32_t priority,
			       uint64_t arg, const struct loader_hook *hook, struct process **out,
			       char *why, size_t why_size)
{
	struct elf_image img;
	struct process *p;
	uint64_t sp = LOADER_STACK_TOP;
	int err = elf_check_user(file, size, &img);

	if (err != ELF_OK) {
		fmt_snprintf(why, why_size, "not a program Keel runs: %s", elf_strerror(err));
		return -KEEL_EINVAL;
	}
	/* Below the stack and its guard page, and no more memory than the limit. */
	if (img.vend > LOADER_STACK_TOP - LOADER_STACK_SIZE - KEEL_PAGE_SIZE) {
		fmt_snprintf(why, why_size, "its segments reach 0x%llx, into the stack area",
			     (unsigned long long)img.vend);
		return -KEEL_ERANGE;
	}
	if (img.vend - img.vbase > LOADER_IMAGE_MAX) {
		fmt_snprintf(why, why_size, "it spans %llu MiB, more than the %llu MiB allowed",
			     (unsigned long long)((img.vend - img.vbase) >> 20),
			     (unsigned long long)(LOADER_IMAGE_MAX >> 20));
		return -KEEL_E2BIG;
	}
	p = process_create(name);
	if (!p) {
		fmt_snprintf(why, why_size, "no memory for the process");
		return -KEEL_ENOMEM;
	}
	for (uint32_t i = 0; i < img.count && err == 0; i++)
		err = loader_map_segment(&p->as, file, &img.seg[i]);
	/* The stack, with an unmapped page under it (the segments end below that). */
	if (err == 0)
		err = aspace_map_anon(&p->as, LOADER_STACK_TOP - LOADER_STACK_SIZE,
				      LOADER_STACK_SIZE, PAGING_WRITE);
	p->priority = priority;
	if (err == 0 && hook)
		err = hook->before_start(p, hook->ctx, &arg, &sp);
	if (err == 0 && !thread_create_user(p, img.entry, sp, arg, priority))
		err = -KEEL_ENOMEM;
	if (err != 0) {
		fmt_snprintf(why, why_size, "setting up its address space: error %d", err);
		process_destroy_unstarted(p);
		return err;
	}
	*out = p;
	return 0;
}

int loader_start_image(const void *file, size_t size, const char *name, uint32_t priority,
		       uint64_t arg, struct process **out, char *why, size_t why_size)
{
	return loader_start_hooked(file, size, name, priority, arg, NULL, out, why, why_size);
}

int loader_start_with(const char *path, const char *name, uint32_t priority,
		      const struct loader_hook *hook, struct process **out, char *why,
		      size_t why_size)
{
	const struct keel_handoff *h = boot_info.handoff;
	struct cpio_entry e;
	int err;

	if (h->initrd_size == 0) {
		fmt_snprintf(why, why_size, "there is no ramdisk");
		return -KEEL_ENOENT;
	}
	err = cpio_find(boot_phys_to_virt(h->initrd_base), h->initrd_size, path, &e);
	if (err != 1) {
		fmt_snprintf(why, why_size, "%s: %s", path,
			     err == 0 ? "not in the ramdisk" : cpio_strerror(err));
		return err == 0 ? -KEEL_ENOENT : -KEEL_EINVAL;
	}
	return loader_start_hooked(e.data, e.size, name, priority, 0, hook, out, why, why_size);
}

int loader_start(const char *path, const char *name, uint32_t priority, uint64_t arg,
		 struct process **out, char *why, size_t why_size)
{
	struct loader_hook none = {loader_keep_arg, &arg};

	return loader_start_with(path, name, priority, &none, out, why, why_size);
}
