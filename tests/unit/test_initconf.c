/*
 * tests/unit/test_initconf.c: drivers-user/init/conf.c, init's configuration
 * parser, on the host: the shipped forms, every error with its line number,
 * the limits (name, path, devices, drivers, apps, words), and hostile text
 * (NULs, no final newline, long lines, numbers that overflow) read from an
 * exact-size heap copy so that ASan catches a read past the end.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <keel/service.h>
#include <keel/syscall.h>

#include "../../drivers-user/init/conf.h"
#include "ktest.h"

#define ERRS_MAX 64

struct errs {
	unsigned n;
	unsigned line[ERRS_MAX];
	char what[ERRS_MAX][128];
};

static struct initconf conf;
static struct errs errs;

static void on_error(void *ctx, unsigned line, const char *what)
{
	struct errs *e = ctx;

	if (e->n < ERRS_MAX) {
		e->line[e->n] = line;
		snprintf(e->what[e->n], sizeof(e->what[0]), "%s", what);
	}
	e->n++;
}

/* Parse len bytes of text from an exact-size copy: the number of bad lines. */
static unsigned parse_n(const char *text, size_t len)
{
	char *copy = malloc(len ? len : 1);
	unsigned bad;

	memcpy(copy, text, len);
	memset(&errs, 0, sizeof(errs));
	memset(&conf, 0xa5, sizeof(conf));
	bad = initconf_parse(&conf, copy, len, on_error, &errs);
	free(copy);
	return bad;
}

static unsigned parse(const char *text)
{
	return parse_n(text, strlen(text));
}

/* One error expected, on `line`, whose message contains `part`. */
static const char *one_error(const char *text, unsigned line, const char *part)
{
	unsigned bad = parse(text);

	if (bad != 1 || errs.n != 1)
		return ktest_msg("'%s': %u bad lines, expected 1", text, bad);
	if (errs.line[0] != line)
		return ktest_msg("'%s': error on line %u, expected %u", text, errs.line[0], line);
	if (!strstr(errs.what[0], part))
		return ktest_msg("'%s': error '%s', expected '%s'", text, errs.what[0], part);
	return NULL;
}

static const char *test_shipped(void)
{
	KT_EQ(parse("# init.conf\n\ndriver uart bin/uart ioport=0x3f8:8 irq=4 log\napp hello "
		    "bin/hello\n"),
	      0);
	KT_EQ(conf.ndrivers, 1);
	KT_EQ(conf.napps, 1);
	KT_ASSERT(strcmp(conf.driver[0].name, "uart") == 0);
	KT_ASSERT(strcmp(conf.driver[0].path, "bin/uart") == 0);
	KT_EQ(conf.driver[0].line, 3);
	KT_EQ(conf.driver[0].ndev, 3);
	KT_EQ(conf.driver[0].dev[0].type, KEEL_OBJ_IOPORT);
	KT_EQ(conf.driver[0].dev[0].arg, 0x3f8);
	KT_EQ(conf.driver[0].dev[0].arg2, 8);
	KT_EQ(conf.driver[0].dev[1].type, KEEL_OBJ_IRQ);
	KT_EQ(conf.driver[0].dev[1].arg, 4);
	KT_EQ(conf.driver[0].dev[2].type, KEEL_OBJ_LOG);
	KT_EQ(conf.driver[0].dev[2].arg, 0);
	KT_EQ(conf.driver[0].dev[2].arg2, 0);
	KT_EQ(conf.driver[0].wc, 0);
	KT_ASSERT(strcmp(conf.app[0].name, "hello") == 0);
	KT_EQ(conf.app[0].admin, 0);
	KT_EQ(conf.app[0].arg, 0);
	KT_EQ(conf.app[0].line, 4);
	KT_ASSERT(initconf_driver(&conf, "uart", 4) == &conf.driver[0]);
	KT_ASSERT(initconf_driver(&conf, "uar", 3) == NULL);
	KT_ASSERT(initconf_driver(&conf, "uartx", 5) == NULL);
	KT_ASSERT(initconf_driver(&conf, "hello", 5) == NULL); /* an app, not a driver */
	return NULL;
}

static const char *test_options(void)
{
	KT_EQ(parse("driver fb bin/fb mem=0xfd000000:0x300000 wc irq=16 ioport=0:0x10000 "
		    "mem=4096:4096\t# four\r\n"
		    "  app\tsh  bin/sh admin arg=0xffffffffffffffff\n"
		    "app t bin/t arg=18446744073709551615"),
	      0);
	KT_EQ(conf.ndrivers, 1);
	KT_EQ(conf.driver[0].ndev, 4);
	KT_EQ(conf.driver[0].dev[0].type, KEEL_OBJ_DEVMEM);
	KT_EQ(conf.driver[0].dev[0].arg, 0xfd000000);
	KT_EQ(conf.driver[0].dev[0].arg2, 0x300000);
	KT_EQ(conf.driver[0].dev[1].type, KEEL_OBJ_IRQ);
	KT_EQ(conf.driver[0].dev[2].type, KEEL_OBJ_IOPORT);
	KT_EQ(conf.driver[0].dev[2].arg2, 0x10000);
	KT_EQ(conf.driver[0].dev[3].arg, 4096);
	KT_EQ(conf.driver[0].wc, 1);
	KT_EQ(conf.napps, 2);
	KT_EQ(conf.app[0].admin, 1);
	KT_ASSERT(conf.app[0].arg == UINT64_MAX);
	KT_ASSERT(conf.app[1].arg == UINT64_MAX);
	KT_EQ(conf.app[1].line, 3);
	return NULL;
}

/*
 * Device slots init fills in at start: `ecam` and `fb` (no arguments: init
 * learns the range), `pci=VVVV:DDDD[.N]` (one entry, vendor in arg, device
 * | N << 16 in arg2, filling every slot); wc goes with fb and pci=.
 */
struct slots_case {
	const char *text;
	unsigned driver, ndev; /* the driver checked, its device count */
	struct initconf_device dev[2];
	int wc;
	uint64_t arg;
};

static const char *slots_check(const struct slots_case *c)
{
	const struct initconf_entry *e;

	KT_EQ(parse(c->text), 0);
	KT_ASSERT(conf.ndrivers > c->driver);
	e = &conf.driver[c->driver];
	KT_EQ(e->ndev, c->ndev);
	for (unsigned k = 0; k < c->ndev && k < 2; k++) {
		KT_EQ(e->dev[k].type, c->dev[k].type);
		KT_EQ(e->dev[k].arg, c->dev[k].arg);
		KT_EQ(e->dev[k].arg2, c->dev[k].arg2);
	}
	KT_EQ(e->wc, c->wc);
	KT_EQ(e->arg, c->arg);
	return NULL;
}

static const char *test_device_slots(void)
{
	static const struct slots_case cases[] = {
	    {"driver pci bin/pci ioport=0xcf8:8 ecam\n", 0, 2,
	     {{KEEL_OBJ_IOPORT, 0xcf8, 8}, {INITCONF_DEV_ECAM, 0, 0}}, 0, 0},
	    {"driver pci bin/pci ioport=0xcf8:8 ecam\ndriver p2 bin/pci ecam log\n", 1, 2,
	     {{INITCONF_DEV_ECAM, 0, 0}, {KEEL_OBJ_LOG, 0, 0}}, 0, 0},
	    {"driver fbcon bin/fbcon fb wc log\n", 0, 2,
	     {{INITCONF_DEV_FB, 0, 0}, {KEEL_OBJ_LOG, 0, 0}}, 1, 0},
	    {"driver pci bin/pci ecam\ndriver vblk bin/virtio-blk arg=3 pci=1AF4:1001 wc\n", 1, 1,
	     {{INITCONF_DEV_PCI, 0x1af4, 0x1001}}, 1, 3},
	    {"driver v bin/v pci=0000:ffff\n", 0, 1, {{INITCONF_DEV_PCI, 0, 0xffff}}, 0, 0},
	    /* The N-th match: N in arg2's bits 16 up. */
	    {"driver disk bin/virtio-blk pci=1af4:1001.1\n", 0, 1,
	     {{INITCONF_DEV_PCI, 0x1af4, 0x1001 | 1u << 16}}, 0, 0},
	    {"driver disk bin/virtio-blk pci=1af4:1001.0 arg=0xffffffffffff\n", 0, 1,
	     {{INITCONF_DEV_PCI, 0x1af4, 0x1001}}, 0, 0xffffffffffff},
	    {"driver disk bin/virtio-blk pci=1af4:1042.255\n", 0, 1,
	     {{INITCONF_DEV_PCI, 0x1af4, 0x1042 | 255u << 16}}, 0, 0},
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		KT_TRY(slots_check(&cases[i]));
	return NULL;
}

/* `restricted` (a driver's look-up only for admin apps and pci= drivers), with any other option. */
static const char *test_restricted(void)
{
	static const struct {
		const char *text;
		unsigned driver; /* the driver checked */
		int restricted;
	} cases[] = {
	    {"driver pci bin/pci ecam ioport=0xcf8:8 restricted\n", 0, 1},
	    {"driver pci bin/pci restricted ioport=0xcf8:8\n", 0, 1},
	    {"driver pci bin/pci ioport=0xcf8:8\n", 0, 0},
	    {"driver x bin/x restricted\n", 0, 1},
	    {"driver x bin/x restricted restricted arg=1\n", 0, 1},
	    {"driver pci bin/pci restricted\ndriver d bin/d pci=1af4:1001 restricted wc\n", 1, 1},
	    {"driver pci bin/pci restricted\ndriver d bin/d pci=1af4:1001\n", 1, 0},
	};

	for (size_t i = 0; i < KTEST_COUNT(cases); i++) {
		KT_EQ(parse(cases[i].text), 0);
		KT_ASSERT(conf.ndrivers > cases[i].driver);
		KT_EQ(conf.driver[cases[i].driver].restricted, cases[i].restricted);
	}
	return NULL;
}

static const char *test_empty(void)
{
	KT_EQ(parse_n("", 0), 0);
	KT_EQ(conf.ndrivers + conf.napps, 0);
	KT_EQ(parse("\n\n   \t\r\n# only a comment\n#"), 0);
	KT_EQ(conf.ndrivers + conf.napps, 0);
	return NULL;
}

/* Each error alone, on a line that is not the first. */
static const char *test_errors(void)
{
	static const struct {
		const char *line, *part;
	} cases[] = {
	    {"drivers x bin/x", "unknown keyword"},
	    {"DRIVER x bin/x", "unknown keyword"},
	    {"driver", "NAME and a PATH"},
	    {"app x", "NAME and a PATH"},
	    {"driver abcdefghijklmnopq bin/x", "name longer than 16"},
	    {"driver a/b bin/x", "name has a byte"},
	    {"driver x bin/x irq=", "irq= wants a number"},
	    {"driver x bin/x irq=4x", "irq= wants a number"},
	    {"driver x bin/x irq=0x", "irq= wants a number"},
	    {"driver x bin/x irq=-1", "irq= wants a number"},
	    {"driver x bin/x irq=256", "irq= above 255"},
	    {"driver x bin/x irq=18446744073709551616", "irq= wants a number"},
	    {"driver x bin/x ioport=0x3f8", "BASE:COUNT"},
	    {"driver x bin/x ioport=0x3f8:", "BASE:COUNT"},
	    {"driver x bin/x ioport=:8", "BASE:COUNT"},
	    {"driver x bin/x ioport=0x3f8:0", "outside ports"},
	    {"driver x bin/x ioport=0xfff8:9", "outside ports"},
	    {"driver x bin/x ioport=0x10000:1", "outside ports"},
	    {"driver x bin/x ioport=0:0xffffffffffffffff", "outside ports"},
	    {"driver x bin/x mem=0x1000", "PHYS:SIZE"},
	    {"driver x bin/x mem=0x1001:0x1000", "page-aligned"},
	    {"driver x bin/x mem=0x1000:0x1001", "page-aligned"},
	    {"driver x bin/x mem=0x1000:0", "page-aligned"},
	    {"driver x bin/x mem=0xfffffffffffff000:0x2000", "wrapping"},
	    {"driver x bin/x wc", "wc without mem=, fb or pci="},
	    {"driver x bin/x pci=1af4", "pci= wants VVVV:DDDD"},
	    {"driver x bin/x pci=1af4:104", "pci= wants VVVV:DDDD"},
	    {"driver x bin/x pci=0x1af4:1042", "pci= wants VVVV:DDDD"},
	    {"driver x bin/x pci=1af4:1g42", "pci= wants VVVV:DDDD"},
	    {"driver x bin/x pci=1af4:10421", "pci= wants VVVV:DDDD"},
	    {"driver x bin/x pci=:1042", "pci= wants VVVV:DDDD"},
	    {"driver x bin/x pci=1af4:1001.", "wants N a decimal number up to 255"},
	    {"driver x bin/x pci=1af4:1001.256", "wants N a decimal number up to 255"},
	    {"driver x bin/x pci=1af4:1001.0x1", "wants N a decimal number up to 255"},
	    {"driver x bin/x pci=1af4:1001.1.1", "wants N a decimal number up to 255"},
	    {"driver x bin/x pci=1af4.1:1001", "wants N a decimal number up to 255"},
	    {"driver x bin/x pci=1af4:1001.99999999999999999999", "wants N a decimal"},
	    {"driver x bin/x pci=.1", "pci= wants VVVV:DDDD"},
	    {"driver x bin/x pci=1af4:1001 arg=0x1000000000000", "a pci= driver's arg= above"},
	    {"driver x bin/x arg=0x1000000000000 pci=1af4:1001.1", "a pci= driver's arg= above"},
	    {"driver x bin/x pci=1af4:1001 log", "pci= with other device options"},
	    {"driver x bin/x log pci=1af4:1001", "pci= with other device options"},
	    {"driver x bin/x pci=1af4:1001 pci=1af4:1001", "pci= with other device options"},
	    {"app x bin/x pci=1af4:1001", "unknown app option"},
	    {"driver x bin/x irq=1 wc", "wc without mem="},
	    {"driver x bin/x fb=1", "unknown driver option"},
	    {"app x bin/x fb", "unknown app option"},
	    {"driver x bin/x admin", "unknown driver option"},
	    {"driver x bin/x restricted=1", "unknown driver option"},
	    {"driver x bin/x Restricted", "unknown driver option"},
	    {"app x bin/x restricted", "unknown app option"},
	    {"driver x bin/x arg=0x8000000000000000", "a driver's arg= above"},
	    {"driver x bin/x arg=1 arg=1", "arg= given twice"},
	    {"driver x bin/x arg=x", "arg= wants a number"},
	    {"driver x bin/x irq=1 irq=2 irq=3 irq=4 irq=5", "too many devices (at most 4)"},
	    {"driver x bin/x log irq=1 log", "log given twice"},
	    {"driver x bin/x log=1", "unknown driver option"},
	    {"driver x bin/x ecam ioport=0xcf8:8 ecam", "ecam given twice"},
	    {"driver x bin/x ecam=1", "unknown driver option"},
	    {"driver x bin/x ecam wc", "wc without mem="},
	    {"app x bin/x ecam", "unknown app option"},
	    {"app x bin/x log", "unknown app option"},
	    {"app x bin/x wc", "unknown app option"},
	    {"app x bin/x irq=4", "unknown app option"},
	    {"app x bin/x arg=", "arg= wants a number"},
	    {"app x bin/x arg=1 arg=2", "arg= given twice"},
	    {"app x bin/x a b c d e f g h i j k l m n", "too many words (at most 16)"},
	    {"app x bin/\x01x", "not printable"},
	    {"app x bin/\xffx", "not printable"},
	};
	char text[512];

	for (size_t i = 0; i < KTEST_COUNT(cases); i++) {
		snprintf(text, sizeof(text), "# header\napp ok bin/ok\n%s\n", cases[i].line);
		KT_TRY(one_error(text, 3, cases[i].part));
		KT_EQ(conf.napps, 1); /* the good line stays, the bad one left nothing */
		KT_EQ(conf.ndrivers, 0);
	}
	return NULL;
}

static const char *test_limits(void)
{
	char text[8192], *p = text;

	/* A name of exactly KEEL_NAME_MAX bytes and a path of INITCONF_PATH_MAX - 1. */
	snprintf(text, sizeof(text), "driver abcdefghijklmnop %.*s\n", INITCONF_PATH_MAX - 1,
		 "bin/0123456789012345678901234567890123456789012345678901234567890123456789");
	KT_EQ(parse(text), 0);
	KT_EQ(strlen(conf.driver[0].name), KEEL_NAME_MAX);
	KT_EQ(strlen(conf.driver[0].path), INITCONF_PATH_MAX - 1);
	snprintf(text, sizeof(text), "driver a %.*s\n", INITCONF_PATH_MAX,
		 "bin/0123456789012345678901234567890123456789012345678901234567890123456789");
	KT_TRY(one_error(text, 1, "path longer than 64"));
	/* INITCONF_DRIVERS drivers and INITCONF_APPS apps fit; one more of each does not. */
	for (unsigned i = 0; i <= INITCONF_DRIVERS; i++)
		p += sprintf(p, "driver d%u bin/d\n", i);
	for (unsigned i = 0; i <= INITCONF_APPS; i++)
		p += sprintf(p, "app a%u bin/a\n", i);
	KT_EQ(parse(text), 2);
	KT_EQ(conf.ndrivers, INITCONF_DRIVERS);
	KT_EQ(conf.napps, INITCONF_APPS);
	KT_EQ(errs.line[0], INITCONF_DRIVERS + 1);
	KT_ASSERT(strstr(errs.what[0], "too many drivers (at most 16)"));
	KT_EQ(errs.line[1], INITCONF_DRIVERS + INITCONF_APPS + 2);
	KT_ASSERT(strstr(errs.what[1], "too many apps (at most 16)"));
	/* Four devices fit. */
	KT_EQ(parse("driver x bin/x irq=1 irq=2 ioport=1:1 mem=0:4096 wc arg=0x7fffffffffffffff"),
	      0);
	KT_EQ(conf.driver[0].ndev, 4);
	KT_ASSERT(conf.driver[0].arg == 0x7fffffffffffffffull);
	return NULL;
}

static const char *test_duplicates(void)
{
	KT_EQ(parse("driver a bin/a\napp b bin/b\ndriver b bin/x\napp a bin/y\napp c bin/c\n"
		    "driver ab bin/ab\napp A bin/A\n"),
	      2);
	KT_EQ(errs.line[0], 3);
	KT_ASSERT(strstr(errs.what[0], "duplicate name"));
	KT_EQ(errs.line[1], 4);
	KT_ASSERT(strstr(errs.what[1], "duplicate name"));
	KT_EQ(conf.ndrivers, 2); /* a, ab */
	KT_EQ(conf.napps, 3);    /* b, c, A */
	return NULL;
}

/* NULs, no final newline, CRs, long lines: errors on the right lines, the rest parsed. */
static const char *test_hostile(void)
{
	static const char nul[] = "app a bin/a\napp b bin/\0b\napp c bin/c # \0 in a comment\n"
				  "\0\napp d bin/d";
	enum { big = 1 << 20 };
	static char text[big + 64];
	char *p;

	KT_EQ(parse_n(nul, sizeof(nul) - 1), 2);
	KT_EQ(errs.line[0], 2);
	KT_ASSERT(strstr(errs.what[0], "NUL byte"));
	KT_EQ(errs.line[1], 4);
	KT_EQ(conf.napps, 3);
	KT_ASSERT(strcmp(conf.app[2].name, "d") == 0);
	KT_EQ(conf.app[2].line, 5);
	/* No final newline after a bad line, and after a lone keyword. */
	KT_TRY(one_error("app a bin/a\napp b", 2, "NAME and a PATH"));
	KT_TRY(one_error("app a bin/a\nx", 2, "unknown keyword"));
	/* A megabyte of blanks then a good entry; a megabyte-long word; a long comment. */
	memset(text, ' ', big);
	strcpy(text + big, "app a bin/a\n");
	KT_EQ(parse(text), 0);
	KT_EQ(conf.napps, 1);
	memset(text, 'x', big);
	strcpy(text + big, "\napp a bin/a");
	KT_TRY(one_error(text, 1, "unknown keyword"));
	KT_EQ(conf.napps, 1);
	memcpy(text, "app a ", 6);
	KT_TRY(one_error(text, 1, "path longer"));
	memcpy(text, "app xx", 6);
	text[big - 2] = ' '; /* "app xxx...x x" */
	KT_TRY(one_error(text, 1, "name longer"));
	text[0] = '#';
	KT_EQ(parse(text), 0);
	/* A megabyte of newlines: line numbers keep counting. */
	memset(text, '\n', big);
	strcpy(text + big, "bad\n");
	KT_TRY(one_error(text, big + 1, "unknown keyword"));
	/* Random bytes: no crash, no read past the end, counts within limits. */
	srand(1);
	for (int round = 0; round < 2000; round++) {
		size_t n = (size_t)(rand() % 400);
		static const char alphabet[] =
		    "driver app irq=ioport=mem=pci=:0x19fa wc admin arg=#\n\t\r\0 ";

		p = text;
		for (size_t i = 0; i < n; i++)
			*p++ = alphabet[rand() % (int)(sizeof(alphabet) - 1)];
		parse_n(text, n);
		KT_ASSERT(conf.ndrivers <= INITCONF_DRIVERS && conf.napps <= INITCONF_APPS);
		for (unsigned i = 0; i < conf.ndrivers; i++)
			KT_ASSERT(conf.driver[i].ndev <= KEEL_START_DEVICES);
	}
	/* A NULL error callback is allowed. */
	KT_EQ(initconf_parse(&conf, "bad", 3, NULL, NULL), 1);
	return NULL;
}

static const struct ktest tests[] = {
    KTEST(test_shipped), KTEST(test_options),      KTEST(test_empty),
    KTEST(test_errors),  KTEST(test_limits),       KTEST(test_duplicates),
    KTEST(test_hostile), KTEST(test_device_slots), KTEST(test_restricted),
};

int main(void)
{
	return ktest_main(tests, KTEST_COUNT(tests));
}
