/*
 * kernel/core/boot_tests.h: in-kernel tests of what the stub handed over
 * (handoff ranges, memory, framebuffer, RSDP, initrd, kernel placement, TSC
 * stamps). Expectations the kernel cannot know come from the command line,
 * put there by the test runner: test.mem=<MiB of guest RAM>, test.fb=0|1.
 */
#ifndef KEEL_CORE_BOOT_TESTS_H
#define KEEL_CORE_BOOT_TESTS_H

#include "core/ktest.h"

extern const struct ktest_suite boot_test_suite;

#endif
