/*
 * kernel/lib/bootargs.h: reading the kernel command line (DESIGN.md §2).
 *
 * The command line is words separated by spaces (tabs count as spaces too).
 * A word is either a flag (`test`) or a `key=value` pair (`test.mem=256`);
 * the value runs to the end of the word and may be empty. Lookups compare the
 * whole flag or key: `test` does not match `tests` or `test.mem=1`. When a
 * key appears more than once the last one wins, so that words appended later
 * (by the UEFI Shell) override earlier ones.
 *
 * Pure logic. The caller passes a NUL-terminated string it has checked.
 */
#ifndef KEEL_LIB_BOOTARGS_H
#define KEEL_LIB_BOOTARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum bootargs_error {
	BOOTARGS_OK = 0,
	BOOTARGS_EABSENT = -1,  /* no such key */
	BOOTARGS_EINVALID = -2, /* the value is not a decimal number that fits */
};

/* Whether the bare word `flag` (no '=') is on the command line. */
bool bootargs_has_flag(const char *cmdline, const char *flag);

/*
 * The value of `key`: a pointer into cmdline, not NUL-terminated, its length
 * in *len. NULL when the key is absent.
 */
const char *bootargs_get(const char *cmdline, const char *key, size_t *len);

/* The value of `key` as an unsigned decimal number: BOOTARGS_OK or an error. */
int bootargs_get_u64(const char *cmdline, const char *key, uint64_t *out);

#endif
