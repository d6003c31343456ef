/*
 * drivers-user/ringprobe/services.c: what each ring service must refuse, and
 * with which error (include/keel/service.h for the services, ring.h for the
 * ring). Every service's data area is 4096 bytes. Entries whose offset and
 * len leave the data area are refused by libkeel's server (ring_sq_take:
 * -KEEL_EINVAL) before the driver sees them; the rest are the driver's own
 * answers.
 */
#include <keel/service.h>
#include <keel/syscall.h>

#include "ringprobe.h"

#define PROBE_DATA 4096u
#define PROBE_EV   ((uint32_t)sizeof(struct keel_kbd_event))
#define PROBE_TEXT "ringprobe: still served\r\n"
#define PROBE_TLEN ((uint32_t)sizeof(PROBE_TEXT) - 1)

/* Outside the data area, for any service whose opcode is op. */
#define PROBE_OUTSIDE(op)                                                                          \
	{op, 0, PROBE_DATA + 1, -KEEL_EINVAL, 0, "len past the data area"},                        \
	    {op, PROBE_DATA - 8, 16, -KEEL_EINVAL, 0, "offset + len past the data area"},          \
	    {op, 1ull << 20, 8, -KEEL_EINVAL, 0, "offset past the data area"},                     \
	    {op, ~0ull - 4, 8, -KEEL_EINVAL, 0, "offset + len wrapping"},                          \
	{                                                                                          \
		op, 0, 0xffffffffu, -KEEL_EINVAL, 0, "len 2^32 - 1"                                \
	}

static const struct probe_req uart_bad[] = {
    {99, 0, 4, -KEEL_EINVAL, 0, "no such opcode"},
    {0, 0, 4, -KEEL_EINVAL, 0, "opcode 0"},
    {KEEL_UART_READ, 0, 0, -KEEL_EINVAL, 0, "a read of nothing (it could never complete)"},
    {KEEL_UART_WRITE, 0, 0, 0, 0, "a write of nothing: done at once"},
    PROBE_OUTSIDE(KEEL_UART_WRITE),
};

static const struct probe_req fbcon_bad[] = {
    {99, 0, 4, -KEEL_EINVAL, 0, "no such opcode"},
    {0, 0, 4, -KEEL_EINVAL, 0, "opcode 0"},
    {KEEL_UART_READ, 0, 4, -KEEL_EINVAL, 0, "a read (fbcon only draws)"},
    {KEEL_FB_WRITE, 0, 0, 0, 0, "a write of nothing: done at once"},
    PROBE_OUTSIDE(KEEL_FB_WRITE),
};

static const struct probe_req kbd_bad[] = {
    {99, 0, PROBE_EV, -KEEL_EINVAL, 0, "no such opcode"},
    {0, 0, PROBE_EV, -KEEL_EINVAL, 0, "opcode 0"},
    {KEEL_KBD_READ, 0, 0, -KEEL_EINVAL, 0, "len 0"},
    {KEEL_KBD_READ, 0, PROBE_EV - 1, -KEEL_EINVAL, 0, "len below one event"},
    {KEEL_KBD_READ, 0, PROBE_EV + 4, -KEEL_EINVAL, 0, "len not a multiple of an event"},
    {KEEL_KBD_READ, 1, PROBE_EV, -KEEL_ERANGE, 0, "a misaligned buffer"},
    PROBE_OUTSIDE(KEEL_KBD_READ),
};

#define PROBE_N(a) (sizeof(a) / sizeof((a)[0]))

/* Reads that wait for input: nobody types in the tests, so the drivers keep them. */
static const struct probe_req uart_kept = {KEEL_UART_READ, 64, 16, 0, 0, "a read"};
static const struct probe_req kbd_kept = {KEEL_KBD_READ, 64, 4 * PROBE_EV, 0, 0, "a read"};

static const struct probe_service probe_services[] = {
    {.name = "uart",
     .text = PROBE_TEXT,
     .good = {KEEL_UART_WRITE, 0, PROBE_TLEN, 0, PROBE_TLEN, "a write"},
     .kept = &uart_kept,
     .bad = uart_bad,
     .nbad = PROBE_N(uart_bad)},
    {.name = "fbcon",
     .text = PROBE_TEXT,
     .good = {KEEL_FB_WRITE, 0, PROBE_TLEN, 0, PROBE_TLEN, "a write"},
     .bad = fbcon_bad,
     .nbad = PROBE_N(fbcon_bad)},
    {.name = "ps2kbd",
     .good = {KEEL_KBD_FOCUS, 0, 0, 0, 0, "a focus"},
     .kept = &kbd_kept,
     .bad = kbd_bad,
     .nbad = PROBE_N(kbd_bad)},
};

const struct probe_service *probe_service_get(uint64_t arg)
{
	if (arg < 1 || arg > PROBE_N(probe_services))
		return 0;
	return &probe_services[arg - 1];
}
