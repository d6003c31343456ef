/*
 * drivers-user/utest/utest.h: what utest's files share (main.c has the
 * checks and children, session.c the ring-session cases).
 */
#ifndef KEEL_UTEST_H
#define KEEL_UTEST_H

#include <stdint.h>

#include <keel/syscall.h>

/* Case numbers of session.c's cases: apart from main.c's, which count up from 1. */
#define UTEST_CASE_SESSION_STRESS        20
#define UTEST_CASE_SESSION_HOSTILE       21
#define UTEST_CASE_SESSION_CLIENT_KILLED 22

/* A child that opens a session on handle[0], signals handle[1], then faults. */
#define UTEST_C_SESSION (12ull << 56)

extern const struct keel_start *start;

void check(const char *name, int64_t got, int64_t want);
int64_t check_ok(const char *name, int64_t got);
int64_t spawn_child(uint64_t what, uint64_t notif, uint64_t h0, uint64_t r0, uint64_t h1,
		    uint64_t r1);
uint64_t wait_child(uint64_t notif, uint64_t child, struct keel_process_info *info);

void case_session_stress(void);
void case_session_hostile(void);
void case_session_client_killed(void);
int utest_child_session(void);

#endif
