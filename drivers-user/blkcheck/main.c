/*
 * drivers-user/blkcheck/main.c: the drivers test's check of the virtio-blk
 * driver's first step (init/test/17.conf): it asks "virtio-blk" for
 * KEEL_BLK_SELFTEST and passes (status 0) when sector 0 was read and ends
 * with the boot signature 0x55 0xaa.
 */
#include <keel/service.h>

#include "../virtio-blk/blk_request.h"
#include "keel.h"

int main(uint64_t start)
{
	const struct keel_start *sb = (const struct keel_start *)(uintptr_t)start;
	uint64_t blk, w[KEEL_MSG_WORDS] = {KEEL_BLK_SELFTEST};
	int64_t r;

	if (!sb || sb->magic != KEEL_START_MAGIC ||
	    sb->handle[KEEL_START_NAMES] == KEEL_MSG_NO_HANDLE)
		return 100;
	r = keel_name_lookup(sb->handle[KEEL_START_NAMES], "virtio-blk", &blk);
	if (r < 0) {
		keel_printf("no virtio-blk: %s\n", keel_strerror(r));
		return 1;
	}
	r = keel_call_words(blk, w);
	if (r < 0 || (int64_t)w[0] < 0 || w[1] != 1) {
		keel_printf("sector 0 not read (call %lld, answer %lld, ok %llu)\n", (long long)r,
			    (long long)w[0], (unsigned long long)w[1]);
		return 1;
	}
	keel_printf("sector 0 read, boot signature found, %llu sectors\n",
		    (unsigned long long)w[2]);
	return 0;
}
