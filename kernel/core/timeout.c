/*
 * kernel/core/timeout.c: deadlines in order (timeout.h). Pure logic, shared
 * by the kernel and the host test.
 */
#include "core/timeout.h"

#include <stddef.h>

uint64_t timeout_deadline(uint64_t now, uint64_t rel)
{
	return rel >= TIMEOUT_NEVER - now ? TIMEOUT_NEVER : now + rel;
}

void timeout_insert(struct timeout_list *l, struct timeout *t, uint64_t deadline)
{
	struct timeout **link = &l->head;

	/* After every entry due no later: equal deadlines stay first come, first served. */
	while (*link && (*link)->deadline <= deadline)
		link = &(*link)->next;
	t->deadline = deadline;
	t->next = *link;
	t->armed = true;
	*link = t;
	l->count++;
}

bool timeout_remove(struct timeout_list *l, struct timeout *t)
{
	struct timeout **link = &l->head;

	if (!t->armed)
		return false;
	while (*link && *link != t)
		link = &(*link)->next;
	if (!*link)
		return false; /* armed on another list: not ours to touch */
	*link = t->next;
	t->next = NULL;
	t->armed = false;
	l->count--;
	return true;
}

struct timeout *timeout_pop_expired(struct timeout_list *l, uint64_t now)
{
	struct timeout *t = l->head;

	if (!t || t->deadline > now)
		return NULL;
	l->head = t->next;
	t->next = NULL;
	t->armed = false;
	l->count--;
	return t;
}
