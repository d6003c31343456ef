/*
 * drivers-user/init/reboot.h: resetting the machine for KEEL_NAME_REBOOT
 * (include/keel/service.h), with device objects carved from init's resource.
 */
#ifndef KEEL_INIT_REBOOT_H
#define KEEL_INIT_REBOOT_H

#include <stdint.h>

/*
 * Reset the machine: the FADT's reset register (KEEL_INFO_PLATFORM), then
 * the keyboard controller's pulse of the reset line. Returns only when the
 * machine is still running after both: -KEEL_EIO.
 */
int64_t init_reboot(uint64_t resource);

#endif
