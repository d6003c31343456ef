/*
 * tests/unit/test_kbd_decode.c: the PS/2 keyboard's scancode set 1 decoder
 * (drivers-user/ps2kbd/kbd_decode.c) on the host: every printable key of the
 * US layout plain and shifted, caps lock (letters only, shift undoes it, a
 * held key's repeats do not toggle it again), ctrl, E0 keys and their
 * releases, Print Screen's fake shifts, Pause, and garbage: replies in the
 * middle of a sequence drop it and the next key decodes; random bytes never
 * crash and leave a decoder that still decodes.
 */
#include <stdint.h>
#include <string.h>

#include "../../drivers-user/ps2kbd/kbd_decode.h"
#include "ktest.h"
#include "ktest_rng.h"

/* The US layout's rows as the keys sit, with the make code of each row's first key. */
static const struct {
	uint8_t first;
	const char *plain, *shifted;
} rows[] = {
    {0x02, "1234567890-=", "!@#$%^&*()_+"},
    {0x10, "qwertyuiop[]", "QWERTYUIOP{}"},
    {0x1e, "asdfghjkl;'`", "ASDFGHJKL:\"~"},
    {0x2b, "\\zxcvbnm,./", "|ZXCVBNM<>?"},
    {0x39, " ", " "},
};

static struct kbd_decoder d;

/* Feed bytes; the number of events they ended, the last in *ev. */
static int feed(const uint8_t *b, size_t n, struct keel_kbd_event *ev)
{
	struct keel_kbd_event e;
	int events = 0;

	for (size_t i = 0; i < n; i++)
		if (kbd_decode_byte(&d, b[i], &e)) {
			*ev = e;
			events++;
		}
	return events;
}

/* Press and release a make code; the press's character (-1: not exactly two events). */
static int tap(uint8_t code)
{
	struct keel_kbd_event e;
	int ch;

	if (!kbd_decode_byte(&d, code, &e) || !e.pressed || e.key != code)
		return -1;
	ch = e.ch;
	if (!kbd_decode_byte(&d, code | 0x80, &e) || e.pressed || e.key != code || e.ch != 0)
		return -1;
	return ch;
}

static const char *check_rows(int shifted)
{
	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		const char *s = shifted ? rows[r].shifted : rows[r].plain;

		for (size_t i = 0; s[i]; i++)
			if (tap((uint8_t)(rows[r].first + i)) != (uint8_t)s[i])
				return ktest_msg("key 0x%zx %s: not '%c'", rows[r].first + i,
						 shifted ? "shifted" : "plain", s[i]);
	}
	return NULL;
}

static const char *test_printable_plain(void)
{
	kbd_decode_init(&d);
	KT_TRY(check_rows(0));
	KT_EQ(tap(0x1c), '\n');
	KT_EQ(tap(0x0f), '\t');
	KT_EQ(tap(0x0e), '\b');
	KT_EQ(tap(0x01), 0x1b);
	KT_EQ(tap(0x3b), 0); /* F1: a key, no character */
	KT_EQ(d.mods, 0);
	return NULL;
}

static const char *test_printable_shifted(void)
{
	struct keel_kbd_event e;

	kbd_decode_init(&d);
	KT_EQ(kbd_decode_byte(&d, 0x2a, &e), 1); /* left shift */
	KT_EQ(e.mods, KEEL_KBD_MOD_LSHIFT);
	KT_EQ(e.ch, 0);
	KT_TRY(check_rows(1));
	KT_EQ(kbd_decode_byte(&d, 0xaa, &e), 1);
	KT_EQ(d.mods, 0);
	KT_EQ(tap(0x1e), 'a');
	/* Right shift too, and both at once then one let go. */
	KT_EQ(kbd_decode_byte(&d, 0x36, &e), 1);
	KT_EQ(kbd_decode_byte(&d, 0x2a, &e), 1);
	KT_EQ(kbd_decode_byte(&d, 0xb6, &e), 1);
	KT_EQ(tap(0x02), '!');
	KT_EQ(kbd_decode_byte(&d, 0xaa, &e), 1);
	KT_EQ(tap(0x02), '1');
	return NULL;
}

static const char *test_caps_lock(void)
{
	struct keel_kbd_event e;

	kbd_decode_init(&d);
	KT_EQ(tap(0x3a), 0);
	KT_EQ(d.mods, KEEL_KBD_MOD_CAPS);
	KT_EQ(tap(0x10), 'Q');
	KT_EQ(tap(0x02), '1'); /* not a letter: caps leaves it */
	KT_EQ(tap(0x27), ';');
	kbd_decode_byte(&d, 0x2a, &e);
	KT_EQ(tap(0x10), 'q'); /* shift undoes caps for letters */
	KT_EQ(tap(0x02), '!');
	kbd_decode_byte(&d, 0xaa, &e);
	/* Held caps lock repeats its make: one toggle per press only. */
	kbd_decode_byte(&d, 0x3a, &e);
	kbd_decode_byte(&d, 0x3a, &e);
	kbd_decode_byte(&d, 0x3a, &e);
	KT_EQ(e.mods, 0);
	kbd_decode_byte(&d, 0xba, &e);
	KT_EQ(tap(0x10), 'q');
	return NULL;
}

static const char *test_ctrl_alt(void)
{
	static const uint8_t rctrl[] = {0xe0, 0x1d}, rctrl_up[] = {0xe0, 0x9d};
	static const uint8_t ralt[] = {0xe0, 0x38}, ralt_up[] = {0xe0, 0xb8};
	struct keel_kbd_event e;

	kbd_decode_init(&d);
	kbd_decode_byte(&d, 0x1d, &e);
	KT_EQ(d.mods, KEEL_KBD_MOD_LCTRL);
	KT_EQ(tap(0x2e), 3); /* ctrl-c */
	kbd_decode_byte(&d, 0x9d, &e);
	KT_EQ(feed(rctrl, 2, &e), 1);
	KT_EQ(e.key, KEEL_KBD_E0 | 0x1d);
	KT_EQ(d.mods, KEEL_KBD_MOD_RCTRL);
	KT_EQ(tap(0x20), 4); /* ctrl-d */
	KT_EQ(feed(rctrl_up, 2, &e), 1);
	KT_EQ(d.mods, 0);
	kbd_decode_byte(&d, 0x38, &e);
	KT_EQ(feed(ralt, 2, &e), 1);
	KT_EQ(e.mods, KEEL_KBD_MOD_LALT | KEEL_KBD_MOD_RALT);
	KT_EQ(feed(ralt_up, 2, &e), 1);
	kbd_decode_byte(&d, 0xb8, &e);
	KT_EQ(d.mods, 0);
	return NULL;
}

static const char *test_e0_keys(void)
{
	/* Arrows, the navigation block, keypad enter and slash, the GUI keys. */
	static const uint8_t codes[] = {0x48, 0x50, 0x4b, 0x4d, 0x47, 0x4f, 0x49,
					0x51, 0x52, 0x53, 0x1c, 0x35, 0x5b, 0x5c};
	struct keel_kbd_event e;

	kbd_decode_init(&d);
	for (size_t i = 0; i < sizeof(codes); i++) {
		uint8_t make[] = {0xe0, codes[i]}, brk[] = {0xe0, (uint8_t)(codes[i] | 0x80)};

		KT_EQ(feed(make, 2, &e), 1);
		KT_EQ(e.key, KEEL_KBD_E0 | codes[i]);
		KT_EQ(e.pressed, 1);
		KT_EQ(e.ch, codes[i] == 0x1c ? '\n' : codes[i] == 0x35 ? '/' : 0);
		KT_EQ(feed(brk, 2, &e), 1);
		KT_EQ(e.key, KEEL_KBD_E0 | codes[i]);
		KT_EQ(e.pressed, 0);
		KT_EQ(e.ch, 0);
	}
	/* Keypad 8 without E0 is not the up arrow. */
	KT_EQ(feed(&codes[0], 1, &e), 1);
	KT_EQ(e.key, 0x48);
	return NULL;
}

static const char *test_print_screen_and_pause(void)
{
	static const uint8_t prtsc[] = {0xe0, 0x2a, 0xe0, 0x37},
			     prtsc_up[] = {0xe0, 0xb7, 0xe0, 0xaa};
	static const uint8_t pause[] = {0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5};
	struct keel_kbd_event e;

	kbd_decode_init(&d);
	KT_EQ(feed(prtsc, sizeof(prtsc), &e), 1);
	KT_EQ(e.key, KEEL_KBD_E0 | 0x37);
	KT_EQ(e.mods, 0); /* the fake shift is no shift */
	KT_EQ(feed(prtsc_up, sizeof(prtsc_up), &e), 1);
	KT_EQ(e.pressed, 0);
	KT_EQ(d.mods, 0);
	KT_EQ(feed(pause, sizeof(pause), &e), 1);
	KT_EQ(e.key, KEEL_KBD_KEY_PAUSE);
	KT_EQ(e.pressed, 1);
	KT_EQ(tap(0x1e), 'a'); /* and the stream goes on */
	return NULL;
}

static const char *test_garbage_resyncs(void)
{
	static const uint8_t replies[] = {0x00, 0xee, 0xfa, 0xfc, 0xfd, 0xfe, 0xff};
	struct keel_kbd_event e;

	kbd_decode_init(&d);
	for (size_t i = 0; i < sizeof(replies); i++) {
		uint8_t bad_e0[] = {0xe0, replies[i]}, bad_e1[] = {0xe1, 0x1d, replies[i]};

		KT_EQ(feed(&replies[i], 1, &e), 0);
		KT_EQ(feed(bad_e0, 2, &e), 0);
		KT_EQ(tap(0x23), 'h'); /* no E0 left over */
		KT_EQ(feed(bad_e1, 3, &e), 0);
		KT_EQ(tap(0x23), 'h');
	}
	/* A prefix after a prefix starts again; a broken Pause is no key. */
	static const uint8_t e0e0[] = {0xe0, 0xe0, 0x48}, e1bad[] = {0xe1, 0x2a, 0x45};
	KT_EQ(feed(e0e0, 3, &e), 1);
	KT_EQ(e.key, KEEL_KBD_E0 | 0x48);
	KT_EQ(feed(e1bad, 3, &e), 0);
	KT_EQ(d.mods, 0);
	KT_EQ(tap(0x12), 'e');
	return NULL;
}

static const char *test_random_bytes(void)
{
	static const uint8_t shift_up[] = {0xaa, 0xb6, 0x9d, 0xe0, 0x9d, 0xb8, 0xe0, 0xb8};
	struct keel_kbd_event e;

	kbd_decode_init(&d);
	for (int round = 0; round < 200000; round++) {
		if (kbd_decode_byte(&d, (uint8_t)ktest_rng(), &e)) {
			KT_ASSERT(e.key < 0x80 || (e.key & ~0x7f) == KEEL_KBD_E0 ||
				  e.key == KEEL_KBD_KEY_PAUSE);
			KT_ASSERT(e.pressed <= 1);
			KT_ASSERT(e.pressed || e.ch == 0);
		}
	}
	/* After any garbage: a reply byte, modifiers let go, and caps off leave it decoding. */
	kbd_decode_byte(&d, 0xfa, &e);
	feed(shift_up, sizeof(shift_up), &e);
	if (d.mods & KEEL_KBD_MOD_CAPS)
		KT_EQ(tap(0x3a), 0);
	KT_EQ(d.mods, 0);
	KT_EQ(tap(0x23), 'h');
	return NULL;
}

static const struct ktest tests[] = {
    KTEST(test_printable_plain), KTEST(test_printable_shifted), KTEST(test_caps_lock),
    KTEST(test_ctrl_alt),        KTEST(test_e0_keys),           KTEST(test_print_screen_and_pause),
    KTEST(test_garbage_resyncs), KTEST(test_random_bytes),
};

int main(void)
{
	return ktest_main(tests, KTEST_COUNT(tests));
}
