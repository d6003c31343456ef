# Host unit tests of pure kernel and library logic, built with ASan + UBSan.
#
# One test program per tests/unit/test_NAME.c. It links the sources listed in
# UNIT_SRCS_NAME (set below, or in the fragment of the component it tests) and
# prints KTAP (tests/unit/ktest.h); scripts/test runs every one of them.

UNIT_CFLAGS := -std=c11 -Wall -Wextra -Werror -g -O1 \
	-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
	-D_DEFAULT_SOURCE -Iinclude -Ikernel -Itests/unit

UNIT_SRCS_elf := kernel/lib/elf.c
UNIT_SRCS_cpio := kernel/lib/cpio.c
UNIT_SRCS_bootmap := kernel/lib/bootmap.c
UNIT_SRCS_fmt := kernel/lib/fmt.c
UNIT_SRCS_acpi_rsdp := kernel/lib/acpi_rsdp.c

UNIT_NAMES := $(patsubst tests/unit/test_%.c,%,$(wildcard tests/unit/test_*.c))
UNIT_TESTS := $(addprefix $(BUILD)/unit/test_,$(UNIT_NAMES))

.SECONDEXPANSION:
$(BUILD)/unit/test_%: tests/unit/test_%.c $$(UNIT_SRCS_$$*)
	@mkdir -p $(@D)
	$(CC) $(UNIT_CFLAGS) -MMD -MP -o $@ $< $(UNIT_SRCS_$*)

# Header dependencies, written by -MMD beside each test program.
-include $(UNIT_TESTS:=.d)

.PHONY: unit-test
unit-test: $(UNIT_TESTS)
	@for t in $(UNIT_TESTS); do $$t || exit 1; done
