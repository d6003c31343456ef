/*
 * drivers-user/lib/spawn.c: keel_spawn, starting a program from the ramdisk
 * in a new process (keel.h), with the system calls any program has:
 * proc_create, map, handle_dup into the child, thread_create.
 *
 * The file is found with the kernel's own cpio parser and checked with its
 * own strict ELF checks (kernel/lib/cpio.c, elf.c: the same files, built
 * into libkeel), so a program the kernel would refuse is refused here too.
 * Each segment gets a VMO of its own, filled through a mapping in this
 * process (then unmapped) and mapped into the child with the segment's
 * rights; the stack is one more VMO, with the child's struct keel_start at
 * its top. Nothing is left behind on failure: the VMO handles are closed
 * (the child's mappings hold the memory) and a child that never started is
 * taken apart by the kernel when its handle is closed.
 */
#include "keel.h"
#include "lib/cpio.h"
#include "lib/elf.h"

#define PAGE 4096ull

static uint64_t spawn_ramdisk_handle = KEEL_MSG_NO_HANDLE;
static const uint8_t *spawn_ramdisk;
static uint64_t spawn_ramdisk_size;

static uint64_t spawn_round_up(uint64_t n)
{
	return (n + PAGE - 1) & ~(PAGE - 1);
}

/* The ramdisk mapped read-only in this process, once (kept for later spawns). */
static int64_t spawn_map_ramdisk(uint64_t ramdisk, uint64_t size)
{
	int64_t r;

	if (spawn_ramdisk && spawn_ramdisk_handle == ramdisk && spawn_ramdisk_size == size)
		return 0;
	if (spawn_ramdisk)
		return -KEEL_EBUSY; /* one ramdisk per process */
	if (size == 0 || size > KEEL_SPAWN_RAMDISK_MAX)
		return -KEEL_EINVAL;
	r = keel_map(KEEL_HANDLE_SELF, ramdisk, KEEL_SPAWN_RAMDISK_VA, 0, spawn_round_up(size),
		     KEEL_MAP_READ);
	if (r != 0)
		return r;
	spawn_ramdisk = (const uint8_t *)(uintptr_t)KEEL_SPAWN_RAMDISK_VA;
	spawn_ramdisk_handle = ramdisk;
	spawn_ramdisk_size = size;
	return 0;
}

/*
 * A VMO of `size` bytes whose bytes at `at` are copied from src (n bytes),
 * through a mapping here at KEEL_SPAWN_SCRATCH_VA: its handle, or an error.
 */
static int64_t spawn_vmo_filled(uint64_t size, uint64_t at, const void *src, size_t n)
{
	int64_t vmo = keel_object_create(KEEL_OBJ_VMO, size), r;

	if (vmo < 0 || n == 0)
		return vmo;
	r = keel_map(KEEL_HANDLE_SELF, (uint64_t)vmo, KEEL_SPAWN_SCRATCH_VA, 0, size,
		     KEEL_MAP_READ | KEEL_MAP_WRITE);
	if (r == 0) {
		memcpy((uint8_t *)(uintptr_t)KEEL_SPAWN_SCRATCH_VA + at, src, n);
		r = keel_unmap(KEEL_HANDLE_SELF, KEEL_SPAWN_SCRATCH_VA, size);
	}
	if (r != 0) {
		keel_handle_close((uint64_t)vmo);
		return r;
	}
	return vmo;
}

/* Map a fresh filled VMO into the child at va; the handle is closed either way. */
static int64_t spawn_map_into(uint64_t child, uint64_t va, uint64_t size, uint64_t at,
			      const void *src, size_t n, uint64_t flags)
{
	int64_t vmo = spawn_vmo_filled(size, at, src, n), r;

	if (vmo < 0)
		return vmo;
	r = keel_map(child, (uint64_t)vmo, va, 0, size, flags);
	keel_handle_close((uint64_t)vmo); /* the child's mapping holds it */
	return r;
}

static uint64_t spawn_flags(uint32_t elf_flags)
{
	return KEEL_MAP_READ | ((elf_flags & ELF_PF_W) ? KEEL_MAP_WRITE : 0) |
	       ((elf_flags & ELF_PF_X) ? KEEL_MAP_EXEC : 0);
}

/* Load the checked image and its stack into child and start it. */
static int64_t spawn_load(uint64_t child, const uint8_t *file, const struct elf_image *img,
			  const struct keel_spawn *s)
{
	struct keel_start start;
	uint64_t sp = (KEEL_SPAWN_STACK_TOP - sizeof(start)) & ~15ull;
	int64_t r, t;

	for (uint32_t i = 0; i < img->count; i++) {
		const struct elf_segment *g = &img->seg[i];
		uint64_t va = g->vaddr & ~(PAGE - 1);
		uint64_t size = spawn_round_up(g->vaddr + g->memsz) - va;

		r = spawn_map_into(child, va, size, g->vaddr - va, file + g->offset, g->filesz,
				   spawn_flags(g->flags));
		if (r != 0)
			return r;
	}
	memset(&start, 0, sizeof(start));
	start.magic = KEEL_START_MAGIC;
	start.arg = s->arg;
	start.ramdisk_size = s->ramdisk_size;
	start.fb = s->fb;
	for (unsigned i = 0; i < KEEL_START_HANDLES; i++) {
		start.handle[i] = KEEL_MSG_NO_HANDLE;
		if (s->handle[i] == KEEL_MSG_NO_HANDLE)
			continue;
		r = keel_handle_dup_to(s->handle[i], s->rights[i], child);
		if (r < 0)
			return r;
		start.handle[i] = (uint64_t)r;
	}
	r = spawn_map_into(child, KEEL_SPAWN_STACK_TOP - KEEL_SPAWN_STACK_SIZE,
			   KEEL_SPAWN_STACK_SIZE,
			   sp - (KEEL_SPAWN_STACK_TOP - KEEL_SPAWN_STACK_SIZE), &start,
			   sizeof(start), KEEL_MAP_READ | KEEL_MAP_WRITE);
	if (r != 0)
		return r;
	t = keel_thread_create(child, img->entry, sp, sp);
	if (t < 0)
		return t;
	keel_handle_close((uint64_t)t);
	return 0;
}

int64_t keel_spawn(uint64_t ramdisk, uint64_t ramdisk_size, const struct keel_spawn *s,
		   uint64_t *process)
{
	struct cpio_entry e;
	struct elf_image img;
	int64_t child, r;
	int found;

	if (!s || !s->path || !s->name || !process)
		return -KEEL_EINVAL;
	r = spawn_map_ramdisk(ramdisk, ramdisk_size);
	if (r != 0)
		return r;
	found = cpio_find(spawn_ramdisk, ramdisk_size, s->path, &e);
	if (found != 1)
		return found == 0 ? -KEEL_ENOENT : -KEEL_EINVAL;
	/* As strict as the kernel's loader (kernel/core/loader.c), and below the stack. */
	if (elf_check_user(e.data, e.size, &img) != ELF_OK)
		return -KEEL_EINVAL;
	if (img.vend > KEEL_SPAWN_STACK_TOP - KEEL_SPAWN_STACK_SIZE - PAGE)
		return -KEEL_ERANGE;
	child = keel_proc_create(s->name, strlen(s->name), s->supervisor, s->exit_notif,
				 s->exit_bit, s->flags);
	if (child < 0)
		return child;
	r = spawn_load((uint64_t)child, e.data, &img, s);
	if (r != 0) {
		keel_handle_close((uint64_t)child); /* never started: the kernel takes it apart */
		return r;
	}
	*process = (uint64_t)child;
	return 0;
}

int64_t keel_ramdisk_file(uint64_t ramdisk, uint64_t ramdisk_size, const char *path,
			  const void **data, size_t *size)
{
	struct cpio_entry e;
	int64_t r;
	int found;

	if (!path || !data || !size)
		return -KEEL_EINVAL;
	r = spawn_map_ramdisk(ramdisk, ramdisk_size);
	if (r != 0)
		return r;
	found = cpio_find(spawn_ramdisk, ramdisk_size, path, &e);
	if (found != 1)
		return found == 0 ? -KEEL_ENOENT : -KEEL_EINVAL;
	*data = e.data;
	*size = e.size;
	return 0;
}

void keel_spawn_init(struct keel_spawn *s, const char *path, const char *name)
{
	memset(s, 0, sizeof(*s));
	s->path = path;
	s->name = name;
	for (unsigned i = 0; i < KEEL_START_HANDLES; i++)
		s->handle[i] = KEEL_MSG_NO_HANDLE;
}
