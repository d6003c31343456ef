/*
 * kernel/core/ksyms.h: the kernel's symbol table, for backtraces: which
 * function an address of kernel text belongs to, as "name+0xoffset".
 *
 * The build links the kernel twice (kernel/kernel.mk). The host tool
 * kernel/tools/ksymgen.c reads the text symbols of the first link and writes
 * the table below; the second link puts it at the end of rodata, after text,
 * so that no text address moves (the build checks that none did). Format,
 * every field a little-endian uint32_t:
 *
 *   header   magic KSYMS_MAGIC, count, strings_size, text_end
 *   entries  count x {offset, name}, offsets strictly increasing
 *   strings  strings_size bytes, NUL-terminated names
 *
 * An offset is an address minus the base the table was made for
 * (KEEL_KERNEL_BASE); text_end is the offset where text ends, so a symbol
 * covers [its offset, the next one's) and the last [its offset, text_end).
 * `name` is a byte offset into strings. The size of the whole table is
 * exactly 16 + 8 * count + strings_size bytes.
 *
 * This file is pure: the same code reads the table in the kernel and in the
 * host test (tests/unit/test_ksyms.c). A table is checked once, at its first
 * lookup; a table that fails the check gives no names, never a fault.
 */
#ifndef KEEL_CORE_KSYMS_H
#define KEEL_CORE_KSYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KSYMS_MAGIC       0x3159534bu /* "KSY1" */
#define KSYMS_HEADER_SIZE 16u
#define KSYMS_ENTRY_SIZE  8u

/* A table in memory and what its first lookup found out about it. */
struct ksyms {
	const uint8_t *table;
	size_t size;
	uint64_t base; /* the address offsets count from */
	int state;     /* KSYMS_UNCHECKED, then _OK or _BAD; set by ksyms_lookup */
};

#define KSYMS_UNCHECKED 0
#define KSYMS_OK        1
#define KSYMS_BAD       2

/* NULL when the table is sound, else what is wrong with it. */
const char *ksyms_check(const uint8_t *table, size_t size);

/*
 * The symbol that covers addr: true with *name and *offset (addr minus the
 * symbol's address); false with *name "?" and *offset 0 when the table is
 * bad or empty, or addr lies before its first symbol or past the end of text.
 * Checks the table at its first use (k->state).
 */
bool ksyms_lookup(struct ksyms *k, uint64_t addr, const char **name, uint64_t *offset);

/* The kernel's own table (kernel/core/ksyms_table.S); not in host builds. */
extern const uint8_t ksyms_image[], ksyms_image_end[];

#endif
