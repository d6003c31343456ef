/*
 * drivers-user/init/echo.c: make bench's echo service (drivers-user/echo).
 * init starts bin/echo like a driver, its service endpoint (read) in
 * KEEL_START_SERVICE, and gives the bench client the endpoint's write side.
 */
#include <keel/service.h>

#include "keel.h"

int64_t init_start_echo(const struct keel_start *sb);

/* Start bin/echo: the service endpoint (every right, for dups) or -KEEL_E*. */
int64_t init_start_echo(const struct keel_start *sb)
{
	struct keel_spawn s;
	uint64_t child;
	int64_t ep = keel_object_create(KEEL_OBJ_ENDPOINT, 0), r;

	if (ep < 0)
		return ep;
	keel_spawn_init(&s, "bin/echo", "echo");
	s.handle[KEEL_START_SERVICE] = (uint64_t)ep;
	s.rights[KEEL_START_SERVICE] = KEEL_RIGHT_READ;
	r = keel_spawn(sb->handle[KEEL_START_RAMDISK], sb->ramdisk_size, &s, &child);
	if (r != 0) {
		keel_handle_close((uint64_t)ep);
		return r;
	}
	keel_handle_close(child);
	return ep;
}
