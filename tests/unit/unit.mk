# Host unit tests of pure kernel and library logic, built with ASan + UBSan.
#
# One test program per tests/unit/test_NAME.c. It links the sources listed in
# UNIT_SRCS_NAME (set below, or in the fragment of the component it tests) and
# prints KTAP (tests/unit/ktest.h); scripts/test runs every one of them.

UNIT_CFLAGS := $(WARN) -g -O1 \
	-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
	-D_DEFAULT_SOURCE -Iinclude -Ikernel -Idrivers-user/lib -Idrivers-user -Itests/unit

UNIT_SRCS_elf := kernel/lib/elf.c
UNIT_SRCS_cpio := kernel/lib/cpio.c
UNIT_SRCS_bootmap := kernel/lib/bootmap.c
UNIT_SRCS_fmt := kernel/lib/fmt.c
UNIT_SRCS_acpi_rsdp := kernel/lib/acpi_rsdp.c
UNIT_SRCS_handle := kernel/core/handle.c
UNIT_SRCS_timeout := kernel/core/timeout.c
UNIT_SRCS_klog_drain := drivers-user/lib/klog_drain.c

UNIT_NAMES := $(patsubst tests/unit/test_%.c,%,$(wildcard tests/unit/test_*.c))
UNIT_TESTS := $(addprefix $(BUILD)/unit/test_,$(UNIT_NAMES))

# Each source compiles to its own object (shared by the tests that use it),
# so that -MMD records the headers of every one of them.
UNIT_OBJ = $(patsubst %.c,$(BUILD)/unit/obj/%.o,$(1))
UNIT_ALL_OBJS := $(sort $(call UNIT_OBJ,$(foreach n,$(UNIT_NAMES),tests/unit/test_$(n).c $(UNIT_SRCS_$(n)))))

$(BUILD)/unit/obj/%.o: %.c Makefile tests/unit/unit.mk
	@mkdir -p $(@D)
	$(CC) $(UNIT_CFLAGS) -MMD -MP -c -o $@ $<

.SECONDEXPANSION:
$(BUILD)/unit/test_%: $$(call UNIT_OBJ,tests/unit/test_$$*.c $$(UNIT_SRCS_$$*))
	@mkdir -p $(@D)
	$(CC) $(UNIT_CFLAGS) -o $@ $^

-include $(UNIT_ALL_OBJS:.o=.d)

# Keep the objects: make would delete them as intermediates after linking,
# rebuild them every time, and print its `rm` after the test summary line.
.SECONDARY: $(UNIT_ALL_OBJS)

# The unit tests alone, counted and judged by the same runner as `make test`.
.PHONY: unit-test
unit-test: $(UNIT_TESTS) $(BUILD)/kernel.elf $(BUILD)/initrd.cpio
	scripts/test --no-boot
