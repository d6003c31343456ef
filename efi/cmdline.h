/*
 * efi/cmdline.h: the kernel command line from keel.conf and from keel.efi's
 * arguments. Pure logic (no UEFI headers), unit-tested on the host in
 * tests/unit/test_cmdline.c.
 *
 * A command line is words of printable ASCII (0x21-0x7e) separated by single
 * spaces, without leading or trailing blanks. Space, tab, CR and LF separate
 * words; any other byte or character outside printable ASCII is refused.
 */
#ifndef KEEL_EFI_CMDLINE_H
#define KEEL_EFI_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cmdline_error {
	CMDLINE_OK = 0,
	CMDLINE_ECHAR = -1,    /* a byte or character that is not printable ASCII */
	CMDLINE_ETOOLONG = -2, /* the result does not fit the buffer with its NUL */
};

/*
 * keel.conf (len bytes of text, not NUL-terminated) to a command line in
 * out[cap]: '#' starts a comment that runs to the end of its line and is
 * ignored whatever it holds; the words of all lines are joined with single
 * spaces. An empty or all-comment file gives "".
 */
int cmdline_from_conf(const char *text, size_t len, char *out, size_t cap);

/*
 * Append the words of the UCS-2 string s (at most n units, ending early at a
 * NUL) to the NUL-terminated command line in out[cap], a single space before
 * each word when out is not empty. On error out is left as it was.
 */
int cmdline_append_ucs2(char *out, size_t cap, const uint16_t *s, size_t n);

/*
 * Whether a LoadOptions buffer of `bytes` bytes is text: an even size, at
 * least one character before the first NUL (or the end), every one of them
 * printable ASCII or a blank, and nothing but NULs after the first NUL. Boot
 * entries can carry binary data there; that is not text. *units receives the
 * number of characters before the NUL.
 */
bool cmdline_is_text(const uint16_t *opts, size_t bytes, size_t *units);

/*
 * If the first word of `line` is `word`, remove it and the space after it in
 * place and return true; otherwise leave `line` alone and return false.
 */
bool cmdline_take_word(char *line, const char *word);

const char *cmdline_strerror(int err);

#endif
