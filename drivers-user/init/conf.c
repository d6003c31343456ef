/*
 * drivers-user/init/conf.c: init's configuration parser (conf.h).
 *
 * Pure code: it reads only the bytes it is given (text[0..len), never past
 * len, so no NUL terminator is needed) and writes only *c, so it runs the
 * same in init and in the host unit test. The text is hostile (whoever built
 * the ramdisk): a line is cut into words in place (no line buffer, so a long
 * line costs nothing), every word is checked against its limit before it is
 * copied, numbers are checked for overflow, and an entry goes into *c only
 * once its whole line is good, so a bad line leaves nothing behind.
 */
#include "conf.h"

#include <keel/syscall.h>

#define CONF_WORDS   16 /* words a line may have: keyword, name, path, options */
#define CONF_PAGE    4096ull
#define CONF_STR2(x) #x
#define CONF_STR(x)  CONF_STR2(x)

struct conf_word {
	const char *s;
	size_t n;
};

static int conf_eq(const struct conf_word *w, const char *lit)
{
	size_t i = 0;

	for (; lit[i]; i++)
		if (i >= w->n || w->s[i] != lit[i])
			return 0;
	return i == w->n;
}

/* Whether w starts with `prefix`; if so, *rest is what follows it. */
static int conf_prefix(const struct conf_word *w, const char *prefix, struct conf_word *rest)
{
	size_t i = 0;

	for (; prefix[i]; i++)
		if (i >= w->n || w->s[i] != prefix[i])
			return 0;
	rest->s = w->s + i;
	rest->n = w->n - i;
	return 1;
}

/* Digits of `base` (10 or 16), the whole of s[0..n), no overflow: 0 and *v, or -1. */
static int conf_number_base(const char *s, size_t n, unsigned base, uint64_t *v)
{
	uint64_t x = 0;

	if (n == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		unsigned d;

		if (ch >= '0' && ch <= '9')
			d = (unsigned)(ch - '0');
		else if (base == 16 && ch >= 'a' && ch <= 'f')
			d = (unsigned)(ch - 'a' + 10);
		else if (base == 16 && ch >= 'A' && ch <= 'F')
			d = (unsigned)(ch - 'A' + 10);
		else
			return -1;
		if (x > (UINT64_MAX - d) / base)
			return -1;
		x = x * base + d;
	}
	*v = x;
	return 0;
}

/* Decimal or 0x hex, the whole word, no overflow: 0 and *v, or -1. */
static int conf_number(const char *s, size_t n, uint64_t *v)
{
	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return conf_number_base(s + 2, n - 2, 16, v);
	return conf_number_base(s, n, 10, v);
}

/* "A:B" as two numbers read by `num`: 0, or -1. */
static int conf_pair_of(const struct conf_word *w, uint64_t *a, uint64_t *b,
			int (*num)(const char *, size_t, uint64_t *))
{
	for (size_t i = 0; i < w->n; i++) {
		if (w->s[i] != ':')
			continue;
		if (num(w->s, i, a) != 0 || num(w->s + i + 1, w->n - i - 1, b) != 0)
			return -1;
		return 0;
	}
	return -1;
}

static int conf_pair(const struct conf_word *w, uint64_t *a, uint64_t *b)
{
	return conf_pair_of(w, a, b, conf_number);
}

/* Exactly four hex digits (a PCI vendor or device ID): 0 and *v, or -1. */
static int conf_hex16(const char *s, size_t n, uint64_t *v)
{
	if (n != 4)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
		      (s[i] >= 'A' && s[i] <= 'F')))
			return -1;
	return conf_number_base(s, n, 16, v);
}

/* A name: letters, digits, '-', '_' and '.'. */
static int conf_name_ok(const struct conf_word *w)
{
	for (size_t i = 0; i < w->n; i++) {
		char ch = w->s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.'))
			return 0;
	}
	return 1;
}

/* A path: printable, no space (the words are already cut at blanks). */
static int conf_path_ok(const struct conf_word *w)
{
	for (size_t i = 0; i < w->n; i++)
		if ((unsigned char)w->s[i] < 0x21 || (unsigned char)w->s[i] > 0x7e)
			return 0;
	return 1;
}

static int conf_name_taken(const struct initconf *c, const struct conf_word *w)
{
	struct initconf_entry const *lists[2] = {c->driver, c->app};
	unsigned counts[2] = {c->ndrivers, c->napps};

	for (unsigned l = 0; l < 2; l++)
		for (unsigned i = 0; i < counts[l]; i++) {
			const char *name = lists[l][i].name;
			size_t k = 0;

			while (k < w->n && name[k] == w->s[k])
				k++;
			if (k == w->n && name[k] == '\0')
				return 1;
		}
	return 0;
}

static void conf_copy(char *dst, const struct conf_word *w)
{
	for (size_t i = 0; i < w->n; i++)
		dst[i] = w->s[i];
	dst[w->n] = '\0';
}

/* A device option into e: NULL, or what is wrong. */
static const char *conf_device(struct initconf_entry *e, const struct conf_word *w)
{
	struct initconf_device d;
	struct conf_word v;
	uint64_t a, b;

	if (e->ndev == 1 && e->dev[0].type == INITCONF_DEV_PCI)
		return "pci= with other device options";
	if (conf_prefix(w, "ioport=", &v)) {
		if (conf_pair(&v, &a, &b) != 0)
			return "ioport= wants BASE:COUNT (numbers)";
		if (b == 0 || a > 0xffff || b > 0x10000 - a)
			return "ioport= range outside ports 0-0xffff, or empty";
		d = (struct initconf_device){KEEL_OBJ_IOPORT, a, b};
	} else if (conf_prefix(w, "irq=", &v)) {
		if (conf_number(v.s, v.n, &a) != 0)
			return "irq= wants a number";
		if (a > 255)
			return "irq= above 255";
		d = (struct initconf_device){KEEL_OBJ_IRQ, a, 0};
	} else if (conf_prefix(w, "mem=", &v)) {
		if (conf_pair(&v, &a, &b) != 0)
			return "mem= wants PHYS:SIZE (numbers)";
		if (b == 0 || (a | b) & (CONF_PAGE - 1) || a > UINT64_MAX - b)
			return "mem= not page-aligned, empty or wrapping";
		d = (struct initconf_device){KEEL_OBJ_DEVMEM, a, b};
	} else if (conf_prefix(w, "pci=", &v)) {
		uint64_t nth = 0;

		/* An optional ".N" after the IDs: the N-th function with them, from 0. */
		for (size_t i = 0; i < v.n; i++)
			if (v.s[i] == '.') {
				if (conf_number_base(v.s + i + 1, v.n - i - 1, 10, &nth) != 0 ||
				    nth > INITCONF_PCI_NTH_MAX)
					return "pci=VVVV:DDDD.N wants N a decimal number up "
					       "to " CONF_STR(INITCONF_PCI_NTH_MAX);
				v.n = i;
				break;
			}
		if (conf_pair_of(&v, &a, &b, conf_hex16) != 0)
			return "pci= wants VVVV:DDDD (four hex digits each)";
		/* It fills every device slot at start (conf.h): it stands alone. */
		if (e->ndev != 0)
			return "pci= with other device options";
		e->dev[e->ndev++] = (struct initconf_device){INITCONF_DEV_PCI, a, b | nth << 16};
		return NULL;
	} else if (conf_eq(w, "log") || conf_eq(w, "ecam") || conf_eq(w, "fb")) {
		/* Filled in at start (conf.h): the kernel log, the PCI ECAM window, the
		 * framebuffer. */
		d = (struct initconf_device){conf_eq(w, "log")    ? KEEL_OBJ_LOG
					     : conf_eq(w, "ecam") ? INITCONF_DEV_ECAM
								  : INITCONF_DEV_FB,
					     0, 0};
		for (unsigned k = 0; k < e->ndev; k++)
			if (e->dev[k].type == d.type)
				return d.type == KEEL_OBJ_LOG      ? "log given twice"
				       : d.type == INITCONF_DEV_FB ? "fb given twice"
								   : "ecam given twice";
	} else {
		return "unknown driver option (ioport=, irq=, mem=, pci=, ecam, fb, log, wc, "
		       "restricted, arg=)";
	}
	if (e->ndev >= KEEL_START_DEVICES)
		return "too many devices (at most " CONF_STR(KEEL_START_DEVICES) ")";
	e->dev[e->ndev++] = d;
	return NULL;
}

/* One line's words (at least one) into c: NULL, or what is wrong. */
static const char *conf_line(struct initconf *c, const struct conf_word *w, unsigned nw,
			     unsigned line)
{
	struct initconf_entry e;
	int driver, have_arg = 0, have_mem = 0;

	if (conf_eq(&w[0], "driver"))
		driver = 1;
	else if (conf_eq(&w[0], "app"))
		driver = 0;
	else
		return "unknown keyword (driver or app)";
	if (nw < 3)
		return "wants a NAME and a PATH";
	if (w[1].n > KEEL_NAME_MAX)
		return "name longer than " CONF_STR(KEEL_NAME_MAX) " bytes";
	if (!conf_name_ok(&w[1]))
		return "name has a byte other than a-z A-Z 0-9 - _ .";
	if (conf_name_taken(c, &w[1]))
		return "duplicate name";
	if (w[2].n >= INITCONF_PATH_MAX)
		return "path longer than " CONF_STR(INITCONF_PATH_MAX) " bytes";
	if (!conf_path_ok(&w[2]))
		return "path has a byte that is not printable";
	if (driver && c->ndrivers >= INITCONF_DRIVERS)
		return "too many drivers (at most " CONF_STR(INITCONF_DRIVERS) ")";
	if (!driver && c->napps >= INITCONF_APPS)
		return "too many apps (at most " CONF_STR(INITCONF_APPS) ")";
	/* Built aside: *c changes only when the whole line is good. */
	for (size_t i = 0; i < sizeof(e); i++)
		((char *)&e)[i] = 0;
	conf_copy(e.name, &w[1]);
	conf_copy(e.path, &w[2]);
	e.line = line;
	for (unsigned i = 3; i < nw; i++) {
		struct conf_word v;
		const char *why;

		if (conf_prefix(&w[i], "arg=", &v)) {
			if (have_arg)
				return "arg= given twice";
			if (conf_number(v.s, v.n, &e.arg) != 0)
				return "arg= wants a number";
			if (driver && (e.arg & KEEL_DRIVER_ARG_WC))
				return "a driver's arg= above 0x7fffffffffffffff";
			have_arg = 1;
		} else if (driver && conf_eq(&w[i], "wc")) {
			e.wc = 1;
		} else if (driver && conf_eq(&w[i], "restricted")) {
			e.restricted = 1;
		} else if (driver) {
			if ((why = conf_device(&e, &w[i])) != NULL)
				return why;
			have_mem |= e.dev[e.ndev - 1].type == KEEL_OBJ_DEVMEM ||
				    e.dev[e.ndev - 1].type == INITCONF_DEV_FB ||
				    e.dev[e.ndev - 1].type == INITCONF_DEV_PCI;
		} else if (conf_eq(&w[i], "admin")) {
			e.admin = 1;
		} else {
			return "unknown app option (admin, arg=)";
		}
	}
	if (e.wc && !have_mem)
		return "wc without mem=, fb or pci=";
	/* The start-block arg's bits 48 up carry the function's index (service.h). */
	if (driver && e.ndev == 1 && e.dev[0].type == INITCONF_DEV_PCI && (e.arg >> 48) != 0)
		return "a pci= driver's arg= above 0xffffffffffff";
	if (driver)
		c->driver[c->ndrivers++] = e;
	else
		c->app[c->napps++] = e;
	return NULL;
}

static int conf_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

unsigned initconf_parse(struct initconf *c, const char *text, size_t len, initconf_error_fn err,
			void *ctx)
{
	unsigned bad = 0, line = 0;
	size_t at = 0;

	c->ndrivers = c->napps = 0;
	while (at < len) {
		struct conf_word w[CONF_WORDS];
		const char *why = NULL;
		size_t end = at, stop;
		unsigned nw = 0;

		line++;
		while (end < len && text[end] != '\n')
			end++;
		/* The comment, then any NUL before it. */
		for (stop = at; stop < end && text[stop] != '#'; stop++)
			if (text[stop] == '\0') {
				why = "NUL byte in the line";
				break;
			}
		for (size_t i = at; !why && i < stop;) {
			size_t j;

			while (i < stop && conf_blank(text[i]))
				i++;
			if (i == stop)
				break;
			for (j = i; j < stop && !conf_blank(text[j]); j++)
				;
			if (nw == CONF_WORDS) {
				why = "too many words (at most " CONF_STR(CONF_WORDS) ")";
				break;
			}
			w[nw++] = (struct conf_word){text + i, j - i};
			i = j;
		}
		if (!why && nw > 0)
			why = conf_line(c, w, nw, line);
		if (why) {
			bad++;
			if (err)
				err(ctx, line, why);
		}
		at = end + 1; /* past the newline (or len) */
	}
	return bad;
}

const struct initconf_entry *initconf_driver(const struct initconf *c, const char *name, size_t n)
{
	for (unsigned i = 0; i < c->ndrivers; i++) {
		const char *d = c->driver[i].name;
		size_t k = 0;

		while (k < n && d[k] && d[k] == name[k])
			k++;
		if (k == n && d[k] == '\0')
			return &c->driver[i];
	}
	return NULL;
}
