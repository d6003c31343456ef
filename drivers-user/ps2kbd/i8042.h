/*
 * drivers-user/ps2kbd/i8042.h: the PC's keyboard controller (data port 0x60,
 * status and command port 0x64) and the few things the driver asks of it.
 * Port I/O needs both ranges enabled first (keel_ioport_enable). Every wait
 * on the controller is bounded: a controller that stops answering gives an
 * error, never a hang.
 */
#ifndef KEEL_I8042_H
#define KEEL_I8042_H

#include <stdint.h>

#define I8042_DATA   0x60
#define I8042_STATUS 0x64 /* read: status; write: command */

/*
 * Find and set up the controller: both ports off, output flushed, self-test,
 * configuration byte with port 1's interrupt (IRQ 1) and translation to set 1
 * on and port 2 (the mouse) off, port 1 on, the keyboard scanning. `nap`
 * is a notification of the caller's own, waited on with a timeout between
 * polls. NULL when done, else what failed ("no controller: status reads
 * 0xff" ...).
 */
const char *i8042_setup(uint64_t nap);

/* One byte from the keyboard: 0-255, or -1 when none waits (mouse bytes are dropped). */
int i8042_read(void);

/* Port 1's interrupt off (before the driver exits: nobody would ack it). */
void i8042_quiet(uint64_t nap);

#endif
