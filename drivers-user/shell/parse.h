/*
 * drivers-user/shell/parse.h: the shell's command-line parsing and the hex
 * dump's lines, pure code (tests/unit/test_shell.c).
 */
#ifndef KEEL_SHELL_PARSE_H
#define KEEL_SHELL_PARSE_H

#include <stddef.h>
#include <stdint.h>

#define PARSE_ARGS 16 /* words of a command line at most */

/*
 * Split `line` in place at blanks (spaces, tabs) into argv[0..]: the word
 * count (0 for an empty line), or -1 when there are more than max words.
 */
int parse_split(char *line, char *argv[], int max);

/* A decimal or 0x-hex number below 2^64, nothing else: 0 and *v, or -1. */
int parse_u64(const char *s, uint64_t *v);

#define PARSE_DUMP_LINE 80 /* bytes a dump line needs, with its NUL */

/*
 * One hex dump line of n (1-16) bytes at offset: "0x0000: 00 11 .. ff"
 * (offset in 4 hex digits, then the bytes), into out (PARSE_DUMP_LINE bytes).
 */
void parse_dump_line(char out[PARSE_DUMP_LINE], uint32_t offset, const uint8_t *b, size_t n);

#endif
