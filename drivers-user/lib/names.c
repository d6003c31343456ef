/*
 * drivers-user/lib/names.c: init's name service (include/keel/service.h):
 * one call (keel_name_call), looking a driver up (KEEL_NAME_LOOKUP) and
 * having it killed (KEEL_NAME_KILL).
 */
#include <keel/service.h>

#include "keel.h"

#define NAMES_TRIES   1000 /* 10 s of tries while the driver (re)starts */
#define NAMES_WAIT_NS 10000000ull

int64_t keel_name_call(uint64_t names, uint64_t op, uint64_t arg, const char *name,
		       struct keel_msg *m)
{
	size_t n = name ? strlen(name) : 0;
	int64_t r;

	memset(m, 0, sizeof(*m));
	m->handle = KEEL_MSG_NO_HANDLE;
	if (n > KEEL_NAME_MAX)
		return -KEEL_EINVAL;
	m->word[0] = op;
	m->word[1] = arg;
	if (name)
		memcpy(&m->word[1], name, n); /* little-endian bytes, zero-padded */
	r = keel_call(names, m);
	return r < 0 ? r : (int64_t)m->word[0];
}

int64_t keel_name_lookup(uint64_t names, const char *name, uint64_t *service)
{
	size_t n = strlen(name);
	int64_t nap = -KEEL_EBADH, r = -KEEL_ETIMEDOUT;
	struct keel_msg m;

	if (n == 0 || n > KEEL_NAME_MAX)
		return -KEEL_EINVAL;
	for (int i = 0; i < NAMES_TRIES; i++) {
		r = keel_name_call(names, KEEL_NAME_LOOKUP, 0, name, &m);
		if (r == 0 && m.handle != KEEL_MSG_NO_HANDLE) {
			*service = m.handle;
			break;
		}
		if (m.handle != KEEL_MSG_NO_HANDLE)
			keel_handle_close(m.handle); /* an error with a handle: not ours to keep */
		if (r != -KEEL_EAGAIN) {
			r = keel_is_error(r) ? r : -KEEL_EINVAL;
			break;
		}
		if (nap < 0)
			nap = keel_object_create(KEEL_OBJ_NOTIFICATION, 0);
		if (nap >= 0)
			keel_wait((uint64_t)nap, NAMES_WAIT_NS);
		else
			keel_yield();
		r = -KEEL_ETIMEDOUT;
	}
	if (nap >= 0)
		keel_handle_close((uint64_t)nap);
	return r;
}

int64_t keel_name_kill(uint64_t names, const char *name)
{
	size_t n = strlen(name);
	struct keel_msg m;
	int64_t r;

	if (n == 0)
		return -KEEL_EINVAL;
	r = keel_name_call(names, KEEL_NAME_KILL, 0, name, &m);
	if (m.handle != KEEL_MSG_NO_HANDLE)
		keel_handle_close(m.handle); /* init sends none: not ours to keep */
	return keel_is_error(r) || r == 0 ? r : -KEEL_EINVAL;
}
