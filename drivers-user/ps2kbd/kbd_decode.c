/*
 * drivers-user/ps2kbd/kbd_decode.c: the scancode set 1 decoder (kbd_decode.h).
 * Codes from the IBM PC AT Technical Reference's set 1 table (as an 8042 with
 * translation on produces from the keyboard's set 2): a make code is 0x01-
 * 0x58, its break the same with bit 7 set; 0xe0 prefixes the extended keys
 * (right ctrl and alt, the arrow block, keypad enter and slash); Print Screen
 * wraps its code in "fake shifts" E0 2A / E0 AA (E0 36 / E0 B6), which are
 * no keys of their own; Pause sends E1 1D 45 E1 9D C5 on press only.
 */
#include "kbd_decode.h"

#define SC_LCTRL  0x1d
#define SC_LSHIFT 0x2a
#define SC_RSHIFT 0x36
#define SC_LALT   0x38
#define SC_CAPS   0x3a
#define SC_BREAK  0x80

/* US layout, unshifted and shifted, by make code (0: no character). */
static const char kbd_us_plain[0x59] = {
    [0x01] = 0x1b, [0x02] = '1',  [0x03] = '2',  [0x04] = '3',  [0x05] = '4',  [0x06] = '5',
    [0x07] = '6',  [0x08] = '7',  [0x09] = '8',  [0x0a] = '9',  [0x0b] = '0',  [0x0c] = '-',
    [0x0d] = '=',  [0x0e] = '\b', [0x0f] = '\t', [0x10] = 'q',  [0x11] = 'w',  [0x12] = 'e',
    [0x13] = 'r',  [0x14] = 't',  [0x15] = 'y',  [0x16] = 'u',  [0x17] = 'i',  [0x18] = 'o',
    [0x19] = 'p',  [0x1a] = '[',  [0x1b] = ']',  [0x1c] = '\n', [0x1e] = 'a',  [0x1f] = 's',
    [0x20] = 'd',  [0x21] = 'f',  [0x22] = 'g',  [0x23] = 'h',  [0x24] = 'j',  [0x25] = 'k',
    [0x26] = 'l',  [0x27] = ';',  [0x28] = '\'', [0x29] = '`',  [0x2b] = '\\', [0x2c] = 'z',
    [0x2d] = 'x',  [0x2e] = 'c',  [0x2f] = 'v',  [0x30] = 'b',  [0x31] = 'n',  [0x32] = 'm',
    [0x33] = ',',  [0x34] = '.',  [0x35] = '/',  [0x37] = '*',  [0x39] = ' ',  [0x4a] = '-',
    [0x4e] = '+',
};

static const char kbd_us_shift[0x59] = {
    [0x01] = 0x1b, [0x02] = '!',  [0x03] = '@',  [0x04] = '#',  [0x05] = '$', [0x06] = '%',
    [0x07] = '^',  [0x08] = '&',  [0x09] = '*',  [0x0a] = '(',  [0x0b] = ')', [0x0c] = '_',
    [0x0d] = '+',  [0x0e] = '\b', [0x0f] = '\t', [0x10] = 'Q',  [0x11] = 'W', [0x12] = 'E',
    [0x13] = 'R',  [0x14] = 'T',  [0x15] = 'Y',  [0x16] = 'U',  [0x17] = 'I', [0x18] = 'O',
    [0x19] = 'P',  [0x1a] = '{',  [0x1b] = '}',  [0x1c] = '\n', [0x1e] = 'A', [0x1f] = 'S',
    [0x20] = 'D',  [0x21] = 'F',  [0x22] = 'G',  [0x23] = 'H',  [0x24] = 'J', [0x25] = 'K',
    [0x26] = 'L',  [0x27] = ':',  [0x28] = '"',  [0x29] = '~',  [0x2b] = '|', [0x2c] = 'Z',
    [0x2d] = 'X',  [0x2e] = 'C',  [0x2f] = 'V',  [0x30] = 'B',  [0x31] = 'N', [0x32] = 'M',
    [0x33] = '<',  [0x34] = '>',  [0x35] = '?',  [0x37] = '*',  [0x39] = ' ', [0x4a] = '-',
    [0x4e] = '+',
};

void kbd_decode_init(struct kbd_decoder *d)
{
	*d = (struct kbd_decoder){0};
}

/* Whether a byte is a reply or an error code, never a scancode. */
static int kbd_not_scancode(uint8_t b)
{
	return b == 0x00 || b == 0xee || b == 0xfa || b >= 0xfc;
}

/* The modifier bit of key (KEEL_KBD_E0 included), or 0. */
static uint8_t kbd_mod_bit(uint16_t key)
{
	switch (key) {
	case SC_LSHIFT: return KEEL_KBD_MOD_LSHIFT;
	case SC_RSHIFT: return KEEL_KBD_MOD_RSHIFT;
	case SC_LCTRL: return KEEL_KBD_MOD_LCTRL;
	case KEEL_KBD_E0 | SC_LCTRL: return KEEL_KBD_MOD_RCTRL;
	case SC_LALT: return KEEL_KBD_MOD_LALT;
	case KEEL_KBD_E0 | SC_LALT: return KEEL_KBD_MOD_RALT;
	default: return 0;
	}
}

/* The character a press of key gives with the modifiers in d, or 0. */
static uint8_t kbd_char(const struct kbd_decoder *d, uint16_t key)
{
	int shift = (d->mods & (KEEL_KBD_MOD_LSHIFT | KEEL_KBD_MOD_RSHIFT)) != 0;
	uint8_t plain, c;

	if (key == (KEEL_KBD_E0 | 0x1c))
		return '\n'; /* keypad enter */
	if (key == (KEEL_KBD_E0 | 0x35))
		return '/'; /* keypad slash */
	if (key >= sizeof(kbd_us_plain))
		return 0;
	plain = (uint8_t)kbd_us_plain[key];
	/* Caps lock shifts letters only, and shift undoes it. */
	if (plain >= 'a' && plain <= 'z' && (d->mods & KEEL_KBD_MOD_CAPS))
		shift = !shift;
	c = shift ? (uint8_t)kbd_us_shift[key] : plain;
	if (plain >= 'a' && plain <= 'z' && (d->mods & (KEEL_KBD_MOD_LCTRL | KEEL_KBD_MOD_RCTRL)))
		c = plain & 0x1f;
	return c;
}

/* The end of a key's code: update the modifiers, fill *ev. Returns 1. */
static int kbd_key(struct kbd_decoder *d, uint16_t key, int pressed, struct keel_kbd_event *ev)
{
	uint8_t bit = kbd_mod_bit(key);

	if (bit)
		d->mods = pressed ? (uint8_t)(d->mods | bit) : (uint8_t)(d->mods & ~bit);
	if (key == SC_CAPS) {
		if (pressed && !d->caps_down)
			d->mods ^= KEEL_KBD_MOD_CAPS;
		d->caps_down = (uint8_t)pressed;
	}
	*ev = (struct keel_kbd_event){
	    .key = key,
	    .pressed = (uint8_t)pressed,
	    .mods = d->mods,
	    .ch = pressed ? kbd_char(d, key) : 0,
	};
	return 1;
}

/* A byte of the Pause sequence after its first E1: Pause on E1 1D 45, nothing else. */
static int kbd_pause_byte(struct kbd_decoder *d, uint8_t b, struct keel_kbd_event *ev)
{
	if (d->e1_left == 2) {
		d->e1_make = b == 0x1d;
		d->e1_left = 1;
		return 0;
	}
	d->prefix = 0;
	d->e1_left = 0;
	if (d->e1_make && b == 0x45)
		return kbd_key(d, KEEL_KBD_KEY_PAUSE, 1, ev);
	return 0; /* its break half (E1 9D C5), or garbage: no key */
}

int kbd_decode_byte(struct kbd_decoder *d, uint8_t b, struct keel_kbd_event *ev)
{
	uint16_t key;

	if (kbd_not_scancode(b)) {
		d->prefix = 0;
		d->e1_left = 0;
		return 0;
	}
	if (d->prefix == 0xe1)
		return kbd_pause_byte(d, b, ev);
	if (b == 0xe0 || b == 0xe1) {
		/* A prefix after a prefix: the first one's key was lost; start again. */
		d->prefix = b;
		d->e1_left = b == 0xe1 ? 2 : 0;
		return 0;
	}
	key = b & (uint8_t)~SC_BREAK;
	if (d->prefix == 0xe0) {
		d->prefix = 0;
		/* Print Screen's fake shifts are no keys and must not touch the shift state. */
		if (key == SC_LSHIFT || key == SC_RSHIFT)
			return 0;
		key |= KEEL_KBD_E0;
	}
	return kbd_key(d, key, !(b & SC_BREAK), ev);
}
