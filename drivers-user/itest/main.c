/*
 * drivers-user/itest/main.c: the program the kernel's `drivers` suite
 * (kernel/core/drivers_tests.c) has init start, as a driver or an app of a
 * test configuration (drivers-user/init/test/N.conf). Its start-block arg
 * says what it does: bits 8-15 the mode, bits 0-7 a parameter.
 *
 * As a driver (a KEEL_START_SERVICE handle in its start block):
 *   ITEST_DRV_SERVE  answer ITEST_PING on its service endpoint (reply w0 = 0,
 *                    w1 = pings served by this instance) until the endpoint
 *                    is gone, then exit 0;
 *   ITEST_DRV_CRASH  fault at once (init restarts it, then gives it up).
 * As an app (exit status 0 when every check held, else the failed check's
 * number):
 *   ITEST_EXIT       exit with the parameter;
 *   ITEST_MISSING    look up names that are not served (-KEEL_ENOENT, a
 *                    driver that could not start: -KEEL_ECLOSED) and send
 *                    malformed requests (-KEEL_EINVAL);
 *   ITEST_PING       look up "ping" and ping it; KEEL_NAME_KILL and
 *                    KEEL_NAME_REBOOT without `admin` are refused
 *                    (-KEEL_EPERM); KEEL_NAME_LIST shows "ping" up first
 *                    (4.conf: then two apps, then nothing);
 *   ITEST_GIVEN_UP   "crash" ends as given up (-KEEL_ECLOSED) within 5 s;
 *   ITEST_RESTART    (admin) kill "ping" parameter times (1 if 0), each time
 *                    timing (keel_work_ticks: instructions run, the
 *                    CPU's halts left out) from the kill to the first
 *                    ping the replacement serves; prints the median as
 *                    "bench: driver_restart_instr N".
 */
#include <keel/service.h>

#include "keel.h"

#define ITEST_PING 0x70696e67 /* "ping" */

enum {
	ITEST_DRV_SERVE = 0,
	ITEST_DRV_CRASH = 1,
};

enum {
	ITEST_EXIT = 1,
	ITEST_MISSING = 2,
	ITEST_PINGS = 3,
	ITEST_GIVEN_UP = 4,
	ITEST_RESTART = 5,
};

#define ITEST_RESTARTS_MAX 64

static const struct keel_start *itest_sb;
static uint64_t itest_nap = KEEL_MSG_NO_HANDLE;

/* Sleep about ms milliseconds. */
static void itest_sleep(uint64_t ms)
{
	if (itest_nap == KEEL_MSG_NO_HANDLE) {
		int64_t n = keel_object_create(KEEL_OBJ_NOTIFICATION, 0);

		if (n < 0)
			return;
		itest_nap = (uint64_t)n;
	}
	keel_wait(itest_nap, ms * 1000000);
}

/* A name service request: op with a name (up to 16 bytes) packed into w1..w2. */
static int64_t itest_names(uint64_t op, const char *name, uint64_t *handle)
{
	struct keel_msg m;
	int64_t r = keel_name_call(itest_sb->handle[KEEL_START_NAMES], op, 0, name, &m);

	if (handle)
		*handle = m.handle;
	else if (m.handle != KEEL_MSG_NO_HANDLE)
		keel_handle_close(m.handle);
	return r;
}

/* Look up name, asking again while it is being restarted: the handle, or -KEEL_E*. */
static int64_t itest_lookup(const char *name)
{
	uint64_t h = KEEL_MSG_NO_HANDLE;
	int64_t r;

	for (int tries = 0; tries < 1000; tries++) {
		r = itest_names(KEEL_NAME_LOOKUP, name, &h);
		if (r != -KEEL_EAGAIN)
			return r == 0 ? (int64_t)h : r;
		keel_yield();
	}
	return -KEEL_ETIMEDOUT;
}

static int64_t itest_ping(uint64_t service)
{
	uint64_t w[KEEL_MSG_WORDS] = {ITEST_PING, 0, 0, 0};
	int64_t r = keel_call_words(service, w);

	return r < 0 ? r : (int64_t)w[0];
}

static int itest_driver(uint64_t mode)
{
	uint64_t service = itest_sb->handle[KEEL_START_SERVICE], served = 0;
	struct keel_msg m;

	if (mode == ITEST_DRV_CRASH)
		return (int)*(volatile uint64_t *)8; /* page 0 is never mapped */
	for (;;) {
		int64_t r;

		m.handle = KEEL_MSG_NO_HANDLE;
		m.data_len = 0;
		r = keel_recv(service, &m);
		if (r < 0)
			return r == -KEEL_ECLOSED ? 0 : 1;
		if (m.handle != KEEL_MSG_NO_HANDLE)
			keel_handle_close(m.handle);
		m.handle = KEEL_MSG_NO_HANDLE;
		m.data_len = 0;
		if (m.word[0] == ITEST_PING) {
			m.word[0] = 0;
			m.word[1] = ++served;
		} else {
			m.word[0] = (uint64_t)-KEEL_EINVAL;
		}
		keel_reply_recv(KEEL_HANDLE_SELF, &m, &m);
	}
}

static int itest_missing(void)
{
	uint64_t w[KEEL_MSG_WORDS] = {KEEL_NAME_LOOKUP, 'x', 'y', 0};
	uint64_t names = itest_sb->handle[KEEL_START_NAMES];

	if (itest_names(KEEL_NAME_LOOKUP, "nosuch", NULL) != -KEEL_ENOENT)
		return 2;
	if (itest_names(KEEL_NAME_LOOKUP, "abcdefghijklmnop", NULL) != -KEEL_ENOENT)
		return 3;
	if (itest_names(KEEL_NAME_LOOKUP, "", NULL) != -KEEL_EINVAL)
		return 4;
	if (itest_names(99, "nosuch", NULL) != -KEEL_EINVAL)
		return 5;
	/* Bytes after the name's end ("x\0\0\0\0\0\0\0y"). */
	if (keel_call_words(names, w) != 0 || w[0] != (uint64_t)-KEEL_EINVAL)
		return 6;
	/* A driver whose program is not in the ramdisk: configured, never up. */
	if (itest_names(KEEL_NAME_LOOKUP, "gone", NULL) != -KEEL_ECLOSED)
		return 7;
	if (itest_names(KEEL_NAME_KILL, "nosuch", NULL) != -KEEL_EPERM)
		return 8;
	return 0;
}

/* KEEL_NAME_LIST entry i, register-only: the reply's w0, its words in w. */
static int64_t itest_list(uint64_t i, uint64_t w[KEEL_MSG_WORDS])
{
	int64_t r;

	w[0] = KEEL_NAME_LIST, w[1] = i, w[2] = w[3] = 0;
	r = keel_call_words(itest_sb->handle[KEEL_START_NAMES], w);
	return r < 0 ? r : (int64_t)w[0];
}

static int itest_pings(void)
{
	uint64_t w[KEEL_MSG_WORDS];
	int64_t s = itest_lookup("ping"), s2;

	if (s < 0)
		return 2;
	if (itest_ping((uint64_t)s) != 0)
		return 3;
	if (itest_names(KEEL_NAME_KILL, "ping", NULL) != -KEEL_EPERM)
		return 4;
	if (itest_names(KEEL_NAME_REBOOT, "", NULL) != -KEEL_EPERM)
		return 6;
	if (itest_list(0, w) != 0 || memcmp(&w[1], "ping\0\0\0\0", 8) != 0 || w[2] != 0 ||
	    KEEL_NAME_ENTRY_KIND(w[3]) != KEEL_NAME_KIND_DRIVER ||
	    KEEL_NAME_ENTRY_STATE(w[3]) != KEEL_NAME_STATE_UP || KEEL_NAME_ENTRY_ID(w[3]) == 0)
		return 7;
	if (itest_list(2, w) != 0 || KEEL_NAME_ENTRY_KIND(w[3]) != KEEL_NAME_KIND_APP ||
	    itest_list(3, w) != -KEEL_ENOENT)
		return 8;
	s2 = itest_lookup("ping"); /* a second handle on the same service */
	if (s2 < 0 || itest_ping((uint64_t)s2) != 0 || itest_ping((uint64_t)s) != 0)
		return 5;
	keel_handle_close((uint64_t)s);
	keel_handle_close((uint64_t)s2);
	return 0;
}

static int itest_given_up(void)
{
	for (int i = 0; i < 500; i++) {
		int64_t r = itest_names(KEEL_NAME_LOOKUP, "crash", NULL);

		if (r == -KEEL_ECLOSED)
			return 0;
		if (r != 0 && r != -KEEL_EAGAIN)
			return 2;
		itest_sleep(10);
	}
	return 3;
}

/* One kill of "ping" (whose handle *s is), until the replacement answers: its TSC ticks, or 0. */
static uint64_t itest_restart_once(int64_t *s)
{
	uint64_t t0 = keel_work_ticks();
	int64_t r = itest_names(KEEL_NAME_KILL, "ping", NULL);

	if (r != 0) {
		keel_printf("itest: kill refused: %lld (%s)\n", (long long)r, keel_strerror(r));
		return 0;
	}
	/* The old instance's endpoint breaks; then the new one's answers. */
	for (int tries = 0; tries < 100000; tries++) {
		if (*s >= 0 && itest_ping((uint64_t)*s) == 0)
			continue; /* still the old instance */
		if (*s >= 0)
			keel_handle_close((uint64_t)*s);
		*s = itest_lookup("ping");
		if (*s >= 0 && itest_ping((uint64_t)*s) == 0)
			return keel_work_ticks() - t0;
		keel_yield();
	}
	return 0;
}

static int itest_restart(uint64_t count)
{
	uint64_t t[ITEST_RESTARTS_MAX];
	int64_t s = itest_lookup("ping");

	if (count == 0)
		count = 1;
	if (count > ITEST_RESTARTS_MAX)
		count = ITEST_RESTARTS_MAX;
	if (s < 0 || itest_ping((uint64_t)s) != 0)
		return 2;
	for (uint64_t i = 0; i < count; i++) {
		t[i] = itest_restart_once(&s);
		if (t[i] == 0)
			return 3;
	}
	keel_printf("bench: driver_restart_instr %llu\n", (unsigned long long)keel_median(t, count));
	keel_handle_close((uint64_t)s);
	return 0;
}

int main(uint64_t start)
{
	uint64_t mode, param;

	itest_sb = (const struct keel_start *)(uintptr_t)start;
	if (!itest_sb || itest_sb->magic != KEEL_START_MAGIC)
		return 100;
	mode = (itest_sb->arg >> 8) & 0xff;
	param = itest_sb->arg & 0xff;
	if (itest_sb->handle[KEEL_START_SERVICE] != KEEL_MSG_NO_HANDLE)
		return itest_driver(mode);
	if (itest_sb->handle[KEEL_START_NAMES] == KEEL_MSG_NO_HANDLE)
		return 101;
	switch (mode) {
	case ITEST_EXIT: return (int)param;
	case ITEST_MISSING: return itest_missing();
	case ITEST_PINGS: return itest_pings();
	case ITEST_GIVEN_UP: return itest_given_up();
	case ITEST_RESTART: return itest_restart(param);
	default: return 102;
	}
}
