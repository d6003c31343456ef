/*
 * drivers-user/init/supervisor.h: init as the supervisor of drivers and apps
 * (supervisor.c, DESIGN.md §7, include/keel/service.h).
 */
#ifndef KEEL_INIT_SUPERVISOR_H
#define KEEL_INIT_SUPERVISOR_H

#include "keel.h"

/*
 * Read the configuration at `path` in the ramdisk, start its drivers (with
 * driver_flags: KEEL_PROC_DRIVER, or 0 when init itself runs at app
 * priority) and apps, and serve the name service, restarting drivers that
 * die. Unless `once`, it never returns; with `once` (the kernel's tests,
 * make bench) it returns when every app has ended and the drivers are gone:
 * 0 when every app ended with status 0, else the first failure's status.
 */
int supervisor_run(const struct keel_start *sb, const char *path, int once, uint64_t driver_flags);

#endif
