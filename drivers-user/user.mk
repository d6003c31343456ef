# drivers-user/user.mk: user space (included by the top Makefile).
#
# build/user/libkeel.a   libkeel (drivers-user/lib): syscall wrappers, printf,
#                        strings (kernel/lib/fmt.c and string.c, as they are),
#                        heap, spawn (with kernel/lib/cpio.c and elf.c, as
#                        they are); build/user/crt0.o is linked first, apart
# build/user/PROGRAM     each program in USER_PROGRAMS: static ELF, user.ld
#
# A new program: put its sources in drivers-user/NAME/*.c, add NAME to
# USER_PROGRAMS, and stage it into the ramdisk in the $(BUILD)/initrd.cpio rule.
#
# Code generation (keel.h says why): freestanding, no PIC/PIE, small code
# model at 0x400000, red zone allowed, SSE off (-mgeneral-regs-only) until the
# kernel saves FPU state, no stack protector, frame pointers kept.

USER_CFLAGS := --target=x86_64-unknown-none-elf -ffreestanding -fno-pic -fno-pie \
	-mgeneral-regs-only -fno-stack-protector -fno-builtin -nostdlib -O2 -g $(WARN) \
	-fno-asynchronous-unwind-tables -fno-omit-frame-pointer -flto \
	-Iinclude -Idrivers-user/lib -MMD -MP
USER_LDS := drivers-user/lib/user.ld
USER_LDFLAGS := -T $(USER_LDS) -z max-page-size=4096 -static -nostdlib --no-undefined

LIBKEEL_SRCS := drivers-user/lib/syscall.c drivers-user/lib/start.c drivers-user/lib/printf.c \
	drivers-user/lib/ualloc.c drivers-user/lib/malloc.c drivers-user/lib/spawn.c \
	drivers-user/lib/ring.c drivers-user/lib/session.c drivers-user/lib/console.c \
	drivers-user/lib/names.c drivers-user/lib/pci_list.c drivers-user/lib/blk.c \
	drivers-user/lib/bench_time.c \
	drivers-user/lib/klog_drain.c kernel/lib/textgrid.c kernel/lib/psf.c kernel/lib/fb.c \
	kernel/lib/fmt.c kernel/lib/string.c kernel/lib/cpio.c kernel/lib/elf.c
LIBKEEL_OBJS := $(patsubst %,$(BUILD)/user/obj/%.o,$(LIBKEEL_SRCS))
USER_CRT0 := $(BUILD)/user/crt0.o

USER_PROGRAMS := init bench sysfuzz utest itest echo uart hello useq pci lspci ps2kbd kbdecho \
	virtio-blk blkcheck blkdisk blkbench restartbench \
	fbcon ringprobe kbdbench shell
USER_BINS := $(addprefix $(BUILD)/user/,$(USER_PROGRAMS))
USER_PROG_OBJS = $(patsubst %,$(BUILD)/user/obj/%.o,$(wildcard drivers-user/$(1)/*.c))

# fbcon draws with kernel/lib/textgrid.c and the kernel's generated PSF font (kernel/kernel.mk).
USER_EXTRA_OBJS_fbcon := $(BUILD)/user/obj/font.o
$(call USER_PROG_OBJS,fbcon) $(BUILD)/user/obj/font.o: USER_EXTRA := -Ikernel
$(BUILD)/user/obj/font.o: $(KERNEL_FONT_C)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(USER_EXTRA) -c -o $@ $<

# libkeel's own sources also see kernel/ (lib/fmt.h, lib/cpio.h, lib/elf.h); programs see only keel.h.
$(LIBKEEL_OBJS): USER_EXTRA := -Ikernel

$(BUILD)/user/obj/%.c.o: %.c
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(USER_EXTRA) -c -o $@ $<

$(USER_CRT0): drivers-user/lib/crt0.S
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -c -o $@ $<

$(BUILD)/user/libkeel.a: $(LIBKEEL_OBJS)
	rm -f $@
	llvm-ar rcs $@ $^

.SECONDEXPANSION:
$(USER_BINS): $(BUILD)/user/%: $(USER_CRT0) $$(call USER_PROG_OBJS,$$*) $$(USER_EXTRA_OBJS_$$*) \
		$(BUILD)/user/libkeel.a $(USER_LDS)
	ld.lld $(USER_LDFLAGS) -o $@ $(USER_CRT0) $(call USER_PROG_OBJS,$*) $(USER_EXTRA_OBJS_$*) \
		$(BUILD)/user/libkeel.a

ALL_USER_OBJS := $(LIBKEEL_OBJS) $(USER_CRT0) \
	$(foreach p,$(USER_PROGRAMS),$(call USER_PROG_OBJS,$(p)))
-include $(ALL_USER_OBJS:.o=.d)
# Flags live in the Makefile and this fragment: objects follow them.
$(ALL_USER_OBJS): Makefile drivers-user/user.mk

# Host unit tests of libkeel's pure parts, and test_elf reads build/user/init.
UNIT_SRCS_ualloc := drivers-user/lib/ualloc.c
UNIT_SRCS_ring := drivers-user/lib/ring.c
UNIT_SRCS_initconf := drivers-user/init/conf.c
UNIT_SRCS_uprintf := drivers-user/lib/printf.c kernel/lib/fmt.c
UNIT_SRCS_uart_queue := drivers-user/uart/uart_queue.c
UNIT_SRCS_fbcon_ansi := drivers-user/fbcon/fbcon_ansi.c kernel/lib/textgrid.c kernel/lib/psf.c
unit-test: $(BUILD)/user/init
UNIT_SRCS_pciconf := drivers-user/pci/pci_config.c
UNIT_SRCS_shell := drivers-user/shell/lineedit.c drivers-user/shell/parse.c
UNIT_SRCS_kbd_decode := drivers-user/ps2kbd/kbd_decode.c
# virtio-blk's pure parts (drivers-user/virtio-blk: no program yet, host-tested only).
UNIT_SRCS_virtq := drivers-user/virtio-blk/virtq.c
UNIT_SRCS_virtio_caps := drivers-user/virtio-blk/virtio_pci_caps.c
UNIT_SRCS_blk_request := drivers-user/virtio-blk/blk_request.c drivers-user/virtio-blk/virtq.c
