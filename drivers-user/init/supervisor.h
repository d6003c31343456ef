/*
 * drivers-user/init/supervisor.h: init as the supervisor of drivers and apps
 * (supervisor.c, DESIGN.md §7, include/keel/service.h).
 */
#ifndef KEEL_INIT_SUPERVISOR_H
#define KEEL_INIT_SUPERVISOR_H

#include "keel.h"

/*
 * Read the configuration (etc/init.conf, or etc/test/N.conf when `test` is
 * N > 0), start its drivers and apps, and serve the name service, restarting
 * drivers that die. In normal mode it never returns; in test mode it returns
 * when every app has ended and the drivers are gone: 0 when every app ended
 * with status 0, else the first failure's status.
 */
int supervisor_run(const struct keel_start *sb, uint64_t test);

#endif
