/*
 * drivers-user/ps2kbd/kbd_decode.h: scancode set 1 (what an i8042 with
 * translation on delivers) to key events (struct keel_kbd_event,
 * include/keel/service.h), with a US layout. Pure logic: no system calls, no
 * port I/O, so that tests/unit/test_kbd_decode.c runs it on the host.
 *
 * Bytes come one at a time from the keyboard, which is outside our control:
 * any byte in any order is accepted. A byte that is not a scancode (the
 * controller's and keyboard's replies 0x00, 0xee, 0xfa, 0xfc-0xff) drops a
 * half-read prefix, so the next byte starts afresh (resynchronises).
 */
#ifndef KEEL_KBD_DECODE_H
#define KEEL_KBD_DECODE_H

#include <stdint.h>

#include <keel/service.h>

struct kbd_decoder {
	uint8_t prefix;    /* 0, 0xe0, or 0xe1 while a Pause sequence is read */
	uint8_t e1_left;   /* bytes of the E1 sequence still to come */
	uint8_t e1_make;   /* the E1 sequence so far is Pause's make (E1 1D 45) */
	uint8_t mods;      /* KEEL_KBD_MOD_* */
	uint8_t caps_down; /* caps lock is held: its typematic repeats do not toggle */
};

/* A decoder in its reset state (no modifier, caps lock off). */
void kbd_decode_init(struct kbd_decoder *d);

/* Take one byte: 1 with *ev filled when it ended a key event, else 0. */
int kbd_decode_byte(struct kbd_decoder *d, uint8_t byte, struct keel_kbd_event *ev);

#endif
