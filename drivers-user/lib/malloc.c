/*
 * drivers-user/lib/malloc.c: keel_malloc and keel_free, ualloc.c over an
 * arena of KEEL_HEAP_SIZE bytes in .bss (zero pages the kernel provides at
 * load). A bad free or a damaged heap stops the program with a message
 * (keel_abort): carrying on would only spread the damage.
 */
#include "keel.h"

#include "ualloc.h"

static _Alignas(UALLOC_ALIGN) uint8_t heap_arena[KEEL_HEAP_SIZE];
static struct ualloc heap;
static int heap_ready;

static void heap_init(void)
{
	if (!heap_ready) {
		if (ualloc_init(&heap, heap_arena, sizeof(heap_arena)) != 0)
			keel_abort("keel_malloc: cannot set up the heap");
		heap_ready = 1;
	}
}

void *keel_malloc(size_t size)
{
	void *p;
	int err;

	if (size == 0)
		return NULL;
	heap_init();
	err = ualloc_alloc(&heap, size, &p);
	if (err == -KEEL_EFAULT)
		keel_abort("keel_malloc(%zu): heap damaged (a header was overwritten)", size);
	return err == 0 ? p : NULL;
}

void keel_free(void *p)
{
	if (p == NULL)
		return;
	heap_init();
	switch (ualloc_free(&heap, p)) {
	case 0: return;
	case -KEEL_ENOENT: keel_abort("keel_free(%p): already free (double free)", p);
	case -KEEL_EFAULT: keel_abort("keel_free(%p): heap damaged (a header was overwritten)", p);
	default: keel_abort("keel_free(%p): not a pointer from keel_malloc", p);
	}
}
