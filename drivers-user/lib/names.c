/*
 * drivers-user/lib/names.c: a look-up in init's name service
 * (KEEL_NAME_LOOKUP, include/keel/service.h), asking again while the driver
 * is being (re)started.
 */
#include "keel.h"
#include "session.h"

#define NAMES_WAIT_NS 10000000ull /* between look-ups while the driver (re)starts */

int64_t keel_name_lookup(uint64_t names, const char *name, uint64_t nap, unsigned tries,
			 uint64_t *service)
{
	char packed[KEEL_NAME_MAX] = {0};
	size_t n = strlen(name);
	struct keel_msg m;
	int64_t r;

	if (n == 0 || n > KEEL_NAME_MAX)
		return -KEEL_EINVAL;
	memcpy(packed, name, n);
	for (unsigned i = 0; i < tries; i++) {
		memset(&m, 0, sizeof(m));
		m.word[0] = KEEL_NAME_LOOKUP;
		memcpy(&m.word[1], packed, KEEL_NAME_MAX);
		m.handle = KEEL_MSG_NO_HANDLE;
		if ((r = keel_call(names, &m)) < 0)
			return r;
		if (m.word[0] == 0 && m.handle != KEEL_MSG_NO_HANDLE) {
			*service = m.handle;
			return 0;
		}
		if (m.handle != KEEL_MSG_NO_HANDLE)
			keel_handle_close(m.handle); /* an error with a handle: not ours to keep */
		if ((int64_t)m.word[0] != -KEEL_EAGAIN)
			return keel_is_error((int64_t)m.word[0]) ? (int64_t)m.word[0]
								 : -KEEL_EINVAL;
		keel_wait(nap, NAMES_WAIT_NS);
	}
	return -KEEL_ETIMEDOUT;
}
