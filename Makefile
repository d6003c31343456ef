# Keel: top-level build. Each component has its own fragment:
#   efi/efi.mk          keel.efi, the UEFI stub
#   efi/shell-launch.mk shell-launch.efi, starts the firmware's UEFI Shell
#   kernel/kernel.mk    kernel.elf
#   drivers-user/user.mk libkeel.a and the user programs (init)
#   tests/unit/unit.mk  host unit tests (ASan + UBSan)
# Targets: all (default), run, debug, test, test-bochs, bench, image, efi-shell,
# clean.

.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.SUFFIXES:

BUILD := build
ESP := esp

# Missing Debian packages are installed (or the command to do so printed) once
# per make invocation, before any rule runs; `make clean` needs nothing.
ifeq ($(filter clean,$(MAKECMDGOALS)),)
DEPS_STATUS := $(shell scripts/deps >&2; echo $$?)
ifneq ($(DEPS_STATUS),0)
$(error scripts/deps failed: install the packages it names, then run make again)
endif
endif

CC := clang
# Shared pure code (kernel/lib) compiled into both the stub and the kernel.
SHARED_LIB_SRCS := kernel/lib/elf.c kernel/lib/cpio.c kernel/lib/bootmap.c kernel/lib/fmt.c \
	kernel/lib/string.c kernel/lib/fb.c kernel/lib/acpi_rsdp.c

# Warnings common to every target (STYLE.md).
WARN := -std=c11 -Wall -Wextra -Werror

# UEFI applications: COFF directly (clang's windows-gnu target with gnu-efi's
# headers, lld-link). The -gnu flavour keeps __attribute__((packed)) alive in
# gnu-efi's eficompiler.h; the MSVC flavour silently erases it.
EFI_CFLAGS := -target x86_64-unknown-windows-gnu -DGNU_EFI_USE_MS_ABI \
	-ffreestanding -fshort-wchar -mno-red-zone -fno-stack-protector \
	-mno-stack-arg-probe -fno-builtin -O2 -g0 $(WARN) \
	-I/usr/include/efi -I/usr/include/efi/x86_64 -Iinclude -Ikernel
EFI_LDFLAGS := /subsystem:efi_application /entry:efi_main /nodefaultlib

include efi/efi.mk
include efi/shell-launch.mk
include kernel/kernel.mk
include drivers-user/user.mk
include tests/unit/unit.mk

# ---- initrd: a cpio newc archive made from a staging folder ----
# Staged today: init as bin/init (without symbols or debug sections, which
# build/user/init keeps for gdb), its configurations as etc/init.conf,
# etc/bench.conf, etc/bench-blk.conf and etc/bench-restart.conf (make bench), the `drivers` test
# suite's as etc/test/N.conf, and the programs.
$(BUILD)/initrd.cpio: scripts/mkinitrd drivers-user/init/init.conf drivers-user/init/bench.conf \
		drivers-user/init/bench-blk.conf drivers-user/init/bench-restart.conf \
		$(USER_BINS) $(wildcard drivers-user/init/test/*.conf)
	@mkdir -p $(BUILD)
	rm -rf $(BUILD)/initrd-root && mkdir -p $(BUILD)/initrd-root/etc/test $(BUILD)/initrd-root/bin
	cp drivers-user/init/init.conf $(BUILD)/initrd-root/etc/init.conf
	cp drivers-user/init/bench.conf $(BUILD)/initrd-root/etc/bench.conf
	cp drivers-user/init/bench-blk.conf $(BUILD)/initrd-root/etc/bench-blk.conf
	cp drivers-user/init/bench-restart.conf $(BUILD)/initrd-root/etc/bench-restart.conf
	cp drivers-user/init/test/*.conf $(BUILD)/initrd-root/etc/test/
	for p in $(USER_PROGRAMS); do \
		llvm-objcopy --strip-all $(BUILD)/user/$$p $(BUILD)/initrd-root/bin/$$p || exit 1; \
	done
	scripts/mkinitrd $(BUILD)/initrd-root $@

# ---- esp/: the tree to copy onto an EFI system partition ----
ESP_FILES := $(ESP)/EFI/BOOT/BOOTX64.EFI $(ESP)/keel/kernel.elf $(ESP)/keel/initrd.cpio
$(ESP)/EFI/BOOT/BOOTX64.EFI: $(BUILD)/keel.efi
	@mkdir -p $(@D)
	cp $< $@
# Without its debug sections: the stub reads the whole file through the
# firmware (build/kernel.elf keeps them for gdb).
$(ESP)/keel/kernel.elf: $(BUILD)/kernel.elf
	@mkdir -p $(@D)
	llvm-objcopy --strip-debug $< $@
$(ESP)/keel/initrd.cpio: $(BUILD)/initrd.cpio
	@mkdir -p $(@D)
	cp $< $@

.PHONY: all esp image run debug efi-shell test test-bochs bench clean
all: esp
esp: $(ESP_FILES) $(ESP)/keel/keel.conf

image: $(BUILD)/keel.img
$(BUILD)/keel.img: $(ESP_FILES) $(ESP)/keel/keel.conf scripts/mkimage
	scripts/mkimage $(ESP) $@

run: esp
	scripts/run

debug: esp
	scripts/run --debug

efi-shell: esp $(BUILD)/shell-launch.efi
	scripts/efi-shell

test: esp $(BUILD)/keel.img $(BUILD)/shell-launch.efi $(UNIT_TESTS)
	scripts/test

# The in-kernel tests under Bochs, whose CPU has PCID and INVPCID.
test-bochs: esp
	scripts/bochs

bench: esp
	scripts/bench

clean:
	rm -rf $(BUILD) $(ESP_FILES)
