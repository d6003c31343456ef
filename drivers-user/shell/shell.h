/*
 * drivers-user/shell/shell.h: the shell's parts. main.c reads lines
 * (input.c, lineedit.c) and runs them (commands.c); with arg=1 script.c
 * runs its driver-restart test instead. Output goes through libkeel's
 * console to "uart" and "fbcon" both (keel_printf's lines).
 */
#ifndef KEEL_SHELL_H
#define KEEL_SHELL_H

#include <stdint.h>

#include "input.h"

#define SHELL_PROMPT "keel> "

struct shell {
	uint64_t names; /* init's name service */
	struct input in;
};

/* Run one command line (changed in place): 0, or nonzero when it failed (said in one line). */
int shell_run(struct shell *sh, char *line);

/* The driver-restart test (arg=1): 0 when every step passed, else the failed step's number. */
int shell_script(struct shell *sh);

/* The blk command (blkcmd.c), in commands.c's table. */
int cmd_blk(struct shell *sh, int argc, char **argv);

/* The name service's entry `name`: 0 and its KEEL_NAME_ENTRY word, or -KEEL_E*. */
int64_t shell_entry(struct shell *sh, const char *name, uint64_t *entry);

#endif
