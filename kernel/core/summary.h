/*
 * kernel/core/summary.h: the boot summary, printed on every console once the
 * handoff is accepted. Its first line starts with "keel: handoff ok", the
 * first line the kernel prints on a good boot.
 */
#ifndef KEEL_CORE_SUMMARY_H
#define KEEL_CORE_SUMMARY_H

#include "core/boot.h"

/* fb_why: why the framebuffer is not used, or NULL (usable, or absent). */
void summary_print(const struct boot_info *bi, const char *fb_why);

#endif
