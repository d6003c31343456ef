/*
 * drivers-user/shell/blkcmd.c: the `blk` command (shell.h): a sector of a
 * "blk" driver's disk (include/keel/service.h) read as a hex dump, or
 * written with a text padded with zeros and flushed. Each command opens its
 * own session (libkeel's blk client, lib/blk.h) and closes it after, so a
 * disk driver restarted meanwhile is simply found again.
 */
#include <keel/pkru.h>
#include <keel/service.h>

#include "blk.h"
#include "keel.h"
#include "parse.h"
#include "shell.h"

#define BLK_DEFAULT_DISK "disk"

static int blk_usage(void)
{
	keel_printf("blk: usage: blk [-d NAME] read SECTOR | blk [-d NAME] write SECTOR TEXT\n");
	return 1;
}

static void blk_dump(const uint8_t *data)
{
	char line[PARSE_DUMP_LINE];

	for (uint32_t off = 0; off < KEEL_BLK_SECTOR; off += 16) {
		parse_dump_line(line, off, data + off, 16);
		keel_printf("%s\n", line);
	}
}

/* TEXT (the words argv[0..argc-1], one space apart) zero-padded into the sector's buffer. */
static int blk_fill(struct keel_blk *b, int argc, char **argv)
{
	uint8_t *buf = keel_blk_buf(b, 0, KEEL_BLK_SECTOR);
	size_t k = 0;

	if (!buf)
		return -KEEL_ERANGE;
	for (int i = 0; i < argc; i++)
		if ((k += strlen(argv[i]) + (i > 0)) > KEEL_BLK_SECTOR)
			return -KEEL_E2BIG;
	/* The session's memory is write-disabled outside libkeel's calls (session.h). */
	keel_pkey_write_enable(b->s.pkey);
	memset(buf, 0, KEEL_BLK_SECTOR);
	k = 0;
	for (int i = 0; i < argc; i++) {
		if (i > 0)
			buf[k++] = ' ';
		memcpy(buf + k, argv[i], strlen(argv[i]));
		k += strlen(argv[i]);
	}
	keel_pkey_write_disable(b->s.pkey);
	return 0;
}

int cmd_blk(struct shell *sh, int argc, char **argv)
{
	const char *disk = BLK_DEFAULT_DISK, *verb;
	struct keel_blk b;
	uint64_t sector;
	int64_t r;
	int write;

	if (argc >= 3 && strcmp(argv[1], "-d") == 0)
		disk = argv[2], argc -= 2, argv += 2;
	if (argc < 3)
		return blk_usage();
	verb = argv[1];
	write = strcmp(verb, "write") == 0;
	if ((!write && strcmp(verb, "read") != 0) || (!write && argc != 3) || (write && argc < 4))
		return blk_usage();
	if (parse_u64(argv[2], &sector) != 0) {
		keel_printf("blk: '%s' is not a sector number\n", argv[2]);
		return 1;
	}
	r = keel_blk_open(&b, sh->names, disk);
	if (r != 0) {
		keel_printf("blk: no disk '%s': %s\n", disk, keel_strerror(r));
		return 1;
	}
	if (sector >= b.info.capacity) {
		keel_printf("blk: sector %llu past the end (%llu sectors)\n",
			    (unsigned long long)sector, (unsigned long long)b.info.capacity);
		keel_blk_close(&b);
		return 1;
	}
	if (write && (b.info.flags & KEEL_BLK_INFO_RO)) {
		keel_printf("blk: disk '%s' is read-only\n", disk);
		keel_blk_close(&b);
		return 1;
	}
	if (!write) {
		r = keel_blk_read(&b, sector, KEEL_BLK_SECTOR, 0);
		if (r == KEEL_BLK_SECTOR)
			blk_dump(keel_blk_buf(&b, 0, KEEL_BLK_SECTOR));
	} else if ((r = blk_fill(&b, argc - 3, argv + 3)) == 0 &&
		   (r = keel_blk_write(&b, sector, KEEL_BLK_SECTOR, 0)) == KEEL_BLK_SECTOR &&
		   (r = keel_blk_flush(&b)) >= 0) {
		keel_printf("sector %llu written and flushed\n", (unsigned long long)sector);
		r = KEEL_BLK_SECTOR;
	}
	keel_blk_close(&b);
	if (r != KEEL_BLK_SECTOR) {
		keel_printf("blk %s %llu: %s\n", verb, (unsigned long long)sector,
			    r < 0 ? keel_strerror(r) : "a short transfer");
		return 1;
	}
	return 0;
}
