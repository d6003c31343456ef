/*
 * drivers-user/shell/input.h: what the shell reads, from both keyboards at
 * once: a "ps2kbd" session (focused: KEEL_KBD_FOCUS) and a "uart" session
 * (KEEL_UART_READ), each with one read always pending, on one notification
 * with a bit pair per source. A source whose driver is not configured is
 * left out; one whose driver is gone (killed, restarted) is opened again,
 * and one that cannot be reached now is tried again every INPUT_RETRY_NS.
 */
#ifndef KEEL_SHELL_INPUT_H
#define KEEL_SHELL_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "session.h"

enum { INPUT_UART, INPUT_KBD, INPUT_SOURCES };

struct input_source {
	const char *driver; /* "uart", "ps2kbd" */
	struct keel_session s;
	uint64_t service;  /* the session's service endpoint (ours), or KEEL_MSG_NO_HANDLE */
	int open;          /* s is open */
	int absent;        /* the driver is not configured: never tried again */
	int pending;       /* a read is in flight */
	uint64_t retry_at; /* when a failed open is tried again (KEEL_INFO_CLOCK) */
	unsigned reopens;  /* sessions opened again after the driver was gone */
};

struct input {
	uint64_t names, notif;
	struct input_source src[INPUT_SOURCES];
};

/* Set up and open both sources (a missing one is not an error): 0, or -KEEL_E* (no notification).
 */
int input_init(struct input *in, uint64_t names);

/* (Re)open source i now: 0 or -KEEL_E* (then left closed; -KEEL_ENOENT marks it absent). */
int input_open(struct input *in, unsigned i);

/*
 * Wait up to timeout_ns for input, then put up to n characters into buf:
 * how many (0: none came). Reopens sources found gone.
 */
size_t input_read(struct input *in, uint8_t *buf, size_t n, uint64_t timeout_ns);

#endif
