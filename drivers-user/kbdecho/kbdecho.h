/*
 * drivers-user/kbdecho/kbdecho.h: the keyboard test program's two parts:
 * the echo (main.c: every character typed as a serial line, until the
 * expected line comes) and the probe (probe.c: no event and no error without
 * typing).
 */
#ifndef KEEL_KBDECHO_H
#define KEEL_KBDECHO_H

#include <stdint.h>

#include "session.h"

#define KBDECHO_DONE_BIT 0 /* the driver's "completions ready" on our notification */
#define KBDECHO_GONE_BIT 1 /* the kernel's "the driver is gone" */

/* Open a "ps2kbd" session: 0, or -KEEL_E*. */
int64_t kbdecho_open(uint64_t names, uint64_t notif, struct keel_session *s);

/* The probe: 0, or the failed step (2 up) as the exit status. */
int kbdecho_probe(uint64_t names, uint64_t notif);

#endif
