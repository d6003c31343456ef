/*
 * drivers-user/kbdecho/main.c: the keyboard's end-to-end test program. It
 * opens a "ps2kbd" session, prints "ready" (scripts/test types only after
 * that line), then reads key events and prints each character as a line
 * "'c'" and each line, when Enter comes, as "line 'TEXT'" (through the
 * kernel's log, which prefixes the process's name: "kbdecho: 'h'").
 * It ends with status 0 once the line is "hello!" (what the `keys` scenario
 * types), so that init, then the KTAP case, ends.
 *
 * With KBDECHO_PROBE in its argument it runs the probe instead (probe.c).
 * Start block: handle[KEEL_START_NAMES].
 */
#include <keel/service.h>

#include "kbdecho.h"
#include "keel.h"

#define KBDECHO_PROBE    1ull
#define KBDECHO_EXPECTED "hello!"
#define KBDECHO_LINE_MAX 64
#define KBDECHO_EVENTS   16  /* events per read */

int64_t kbdecho_open(uint64_t names, uint64_t notif, struct keel_session *s)
{
	uint64_t service;
	int64_t err = keel_name_lookup(names, "ps2kbd", &service);

	if (err == 0)
		err = keel_session_open(s, service, notif, KBDECHO_DONE_BIT, KBDECHO_GONE_BIT, 0);
	return err;
}

/* Take one character into the line; 1 once the expected line is complete. */
static int kbdecho_char(char *line, unsigned *n, uint8_t c)
{
	if (c == '\n') {
		line[*n] = '\0';
		keel_printf("line '%s'\n", line);
		*n = 0;
		return strcmp(line, KBDECHO_EXPECTED) == 0;
	}
	if (c >= 0x20 && c < 0x7f)
		keel_printf("'%c'\n", c);
	else
		keel_printf("0x%02x\n", c);
	if (*n < KBDECHO_LINE_MAX - 1)
		line[(*n)++] = (char)c;
	return 0;
}

static int kbdecho_echo(uint64_t names, uint64_t notif)
{
	const size_t size = KBDECHO_EVENTS * sizeof(struct keel_kbd_event);
	struct keel_kbd_event ev[KBDECHO_EVENTS];
	struct keel_session s;
	char line[KBDECHO_LINE_MAX];
	unsigned n = 0;
	int64_t err = kbdecho_open(names, notif, &s);

	if (err != 0) {
		keel_printf("kbdecho: no ps2kbd session: %s\n", keel_strerror(err));
		return 2;
	}
	keel_printf("ready\n"); /* the kernel's log prefixes our name: "kbdecho: ready" */
	for (;;) {
		struct keel_ring_sqe e = {.id = 1, .opcode = KEEL_KBD_READ, .len = (uint32_t)size};
		struct keel_ring_cqe c;
		const void *buf = keel_session_buf(&s, 0, size);

		if (!buf || keel_session_submit(&s, &e) != 0 || keel_session_reap(&s, &c, 1) != 0 ||
		    c.status != 0 || c.len > size || c.len % sizeof(ev[0])) {
			keel_printf("kbdecho: the read failed\n");
			keel_session_close(&s);
			return 3;
		}
		memcpy(ev, buf, c.len);
		for (uint32_t i = 0; i < c.len / sizeof(ev[0]); i++) {
			if (!ev[i].pressed || !ev[i].ch)
				continue;
			if (kbdecho_char(line, &n, ev[i].ch)) {
				keel_session_close(&s);
				return 0;
			}
		}
	}
}

int main(uint64_t start)
{
	const struct keel_start *sb = (const struct keel_start *)(uintptr_t)start;
	int64_t notif;

	if (!sb || sb->magic != KEEL_START_MAGIC ||
	    sb->handle[KEEL_START_NAMES] == KEEL_MSG_NO_HANDLE) {
		keel_printf("kbdecho: no name service in the start block: init starts kbdecho\n");
		return 1;
	}
	if ((notif = keel_object_create(KEEL_OBJ_NOTIFICATION, 0)) < 0)
		return 1;
	if (sb->arg & KBDECHO_PROBE)
		return kbdecho_probe(sb->handle[KEEL_START_NAMES], (uint64_t)notif);
	return kbdecho_echo(sb->handle[KEEL_START_NAMES], (uint64_t)notif);
}
