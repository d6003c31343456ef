/*
 * drivers-user/lib/blk.h: libkeel's client of a "blk" driver
 * (include/keel/service.h): one ring session on the disk's service, with
 * blocking read, write and flush for programs that do one request at a
 * time (the shell, tests). Programs that want many requests in flight use
 * the session (b->s) directly with keel_session_submit_many/reap_many.
 *
 * Data moves through the session's data area: a read lands at
 * keel_blk_buf(b, offset, len), a write takes its bytes from there. Nothing
 * is copied on this side. Where the CPU has PKU the session's memory is
 * write-disabled outside libkeel's calls (session.h): fill a write's bytes
 * between keel_pkey_write_enable(b->s.pkey) and keel_pkey_write_disable.
 * A completion of a request submitted on b->s directly and not reaped is
 * dropped by the blocking calls here.
 *
 * Every call returns -KEEL_ECLOSED once the driver is gone (killed,
 * crashed, restarted); keel_blk_reopen then looks the name up again and
 * opens a new session (the data area's contents are not kept).
 */
#ifndef KEEL_USER_BLK_H
#define KEEL_USER_BLK_H

#include <stdint.h>

#include <keel/service.h>

#include "session.h"

struct keel_blk {
	struct keel_session s;
	uint64_t names; /* init's name service, for keel_blk_reopen */
	char name[KEEL_NAME_MAX + 1];
	uint64_t notif;   /* this client's notification (done and gone bits) */
	uint64_t next_id; /* request ids */
	struct keel_blk_info info;
	int open;
};

/* Look the disk's driver `name` up and open a session; reads its info. 0 or -KEEL_E*. */
int keel_blk_open(struct keel_blk *b, uint64_t names, const char *name);

/* Close the session (when open) and open a new one on the same name. 0 or -KEEL_E*. */
int keel_blk_reopen(struct keel_blk *b);

/* Bytes [offset, offset + len) of the data area, or NULL. */
void *keel_blk_buf(struct keel_blk *b, uint64_t offset, uint64_t len);

/* One request, waited for: the completion's len (>= 0) or its -KEEL_E* status. */
int64_t keel_blk_read(struct keel_blk *b, uint64_t sector, uint32_t len, uint64_t offset);
int64_t keel_blk_write(struct keel_blk *b, uint64_t sector, uint32_t len, uint64_t offset);
int64_t keel_blk_flush(struct keel_blk *b);

void keel_blk_close(struct keel_blk *b);

#endif
