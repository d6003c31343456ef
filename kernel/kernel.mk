# kernel/kernel.mk: builds $(BUILD)/kernel.elf (included by the top Makefile),
# the console-font converter and symbol-table generator it needs at build
# time, and registers the host unit tests of the kernel's pure logic
# (tests/unit/unit.mk).

KERNEL_CFLAGS := --target=x86_64-unknown-none-elf -ffreestanding -fno-pic -fno-pie \
	-mcmodel=kernel -mno-red-zone -mgeneral-regs-only -fno-stack-protector \
	-fno-builtin -nostdlib -O2 -g $(WARN) -Iinclude -Ikernel \
	-fno-asynchronous-unwind-tables -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer \
	-MMD -MP
KERNEL_LDS := kernel/arch/x86_64/kernel.ld
KERNEL_LDFLAGS := -T $(KERNEL_LDS) -z max-page-size=4096 -static -nostdlib

# The console font: any PSF1/PSF2 font with the printable ASCII characters.
KERNEL_FONT := /usr/share/consolefonts/Lat15-Terminus16.psf.gz
KERNEL_FONT_PSF := $(BUILD)/kernel/generated/$(notdir $(KERNEL_FONT:.gz=))
KERNEL_FONT_C := $(BUILD)/kernel/generated/font.c

KERNEL_SRCS := \
	kernel/arch/x86_64/entry.S \
	kernel/arch/x86_64/traps.S \
	kernel/arch/x86_64/gdt.c \
	kernel/arch/x86_64/percpu.c \
	kernel/arch/x86_64/trampoline.S \
	kernel/arch/x86_64/smp.c \
	kernel/arch/x86_64/xcall.c \
	kernel/arch/x86_64/syscall_entry.S \
	kernel/arch/x86_64/syscall.c \
	kernel/arch/x86_64/usercopy.S \
	kernel/arch/x86_64/usercopy.c \
	kernel/arch/x86_64/switch.S \
	kernel/arch/x86_64/thread_arch.c \
	kernel/arch/x86_64/fpu.c \
	kernel/arch/x86_64/fpu_test_blobs.S \
	kernel/arch/x86_64/tlb_ops.c \
	kernel/arch/x86_64/user_test_blobs.S \
	kernel/arch/x86_64/fuzz_test_blobs.S \
	kernel/arch/x86_64/vmo_test_blobs.S \
	kernel/arch/x86_64/devobj_test_blobs.S \
	kernel/arch/x86_64/iopb.c \
	kernel/arch/x86_64/peer_test_blobs.S \
	kernel/arch/x86_64/smp_tests.c \
	kernel/arch/x86_64/idt.c \
	kernel/arch/x86_64/trap.c \
	kernel/arch/x86_64/trapinfo.c \
	kernel/arch/x86_64/backtrace.c \
	kernel/arch/x86_64/backtrace_tests.c \
	kernel/arch/x86_64/serial.c \
	kernel/arch/x86_64/arch.c \
	kernel/arch/x86_64/arch_tests.c \
	kernel/arch/x86_64/cpufeatures.c \
	kernel/arch/x86_64/cpufeatures_table.c \
	kernel/arch/x86_64/cpufeatures_tests.c \
	kernel/arch/x86_64/tlb.c \
	kernel/arch/x86_64/paging.c \
	kernel/arch/x86_64/vm_tests.c \
	kernel/arch/x86_64/mmio.c \
	kernel/arch/x86_64/pic.c \
	kernel/arch/x86_64/lapic.c \
	kernel/arch/x86_64/ioapic.c \
	kernel/arch/x86_64/ioapic_check.c \
	kernel/arch/x86_64/reftimer.c \
	kernel/arch/x86_64/tsc.c \
	kernel/arch/x86_64/timer.c \
	kernel/arch/x86_64/irq.c \
	kernel/arch/x86_64/interrupts.c \
	kernel/arch/x86_64/interrupt_tests.c \
	kernel/core/main.c \
	kernel/core/handoff.c \
	kernel/core/console.c \
	kernel/core/klog.c \
	kernel/core/klog_tests.c \
	kernel/core/summary.c \
	kernel/core/ktest.c \
	kernel/core/spinlock.c \
	kernel/core/sched.c \
	kernel/core/sched_watch.c \
	kernel/core/syscall.c \
	kernel/core/ipc.c \
	kernel/core/proc.c \
	kernel/core/proc_tests.c \
	kernel/core/ipc_fast.c \
	kernel/core/watch.c \
	kernel/core/ipc_tests.c \
	kernel/core/peer_tests.c \
	kernel/core/drivers_tests.c \
	kernel/core/fuzz_tests.c \
	kernel/core/vmo.c \
	kernel/core/vmo_tests.c \
	kernel/core/devobj.c \
	kernel/core/devobj_tests.c \
	kernel/core/handle.c \
	kernel/core/timeout.c \
	kernel/core/loader.c \
	kernel/core/init_start.c \
	kernel/core/user_tests.c \
	kernel/core/fpu_tests.c \
	kernel/core/ksyms.c \
	kernel/core/boot_tests.c \
	kernel/dev/fbcon.c \
	kernel/acpi/acpi.c \
	kernel/acpi/table.c \
	kernel/acpi/madt.c \
	kernel/acpi/fadt.c \
	kernel/acpi/hpet.c \
	kernel/acpi/mcfg.c \
	kernel/acpi/physmap.c \
	kernel/acpi/boot.c \
	kernel/acpi/acpi_tests.c \
	kernel/mm/buddy.c \
	kernel/mm/pmm.c \
	kernel/mm/pmm_tests.c \
	kernel/mm/kslab.c \
	kernel/mm/slab.c \
	kernel/mm/slab_tests.c \
	kernel/mm/vm.c \
	kernel/mm/aspace.c \
	kernel/mm/pcid_cache.c \
	kernel/mm/shootdown.c \
	kernel/lib/bootargs.c \
	kernel/lib/psf.c \
	kernel/lib/textgrid.c \
	$(SHARED_LIB_SRCS)

KERNEL_OBJS := $(patsubst kernel/%,$(BUILD)/kernel/%.o,$(KERNEL_SRCS)) $(KERNEL_FONT_C).o

$(BUILD)/kernel/%.c.o: kernel/%.c
	@mkdir -p $(@D)
	$(CC) $(KERNEL_CFLAGS) -c -o $@ $<

$(BUILD)/kernel/%.S.o: kernel/%.S
	@mkdir -p $(@D)
	$(CC) $(KERNEL_CFLAGS) -c -o $@ $<

$(KERNEL_FONT_C).o: $(KERNEL_FONT_C)
	$(CC) $(KERNEL_CFLAGS) -c -o $@ $<

# The font is gunzipped, then checked and converted by psf2c (a host tool).
$(KERNEL_FONT_PSF): $(KERNEL_FONT)
	@mkdir -p $(@D)
	gzip -dc $< > $@

$(KERNEL_FONT_C): $(KERNEL_FONT_PSF) $(BUILD)/tools/psf2c
	$(BUILD)/tools/psf2c $< > $@

$(BUILD)/tools/psf2c: kernel/tools/psf2c.c kernel/lib/psf.h
	@mkdir -p $(@D)
	$(CC) $(WARN) -O2 -o $@ $<

# Two links, for the symbol table in the image (core/ksyms.h). The first
# carries an empty table; ksymgen makes the real one from its text symbols;
# the second links the same objects with that table. The table sits after
# text (kernel.ld), so text cannot move between the links: the second link
# checks that every text symbol kept its address, or the table would lie.
KSYMS_DIR := $(BUILD)/kernel/generated
KSYMS_PASS1 := $(BUILD)/kernel/kernel.pass1.elf
KSYMS_NM := llvm-nm -n --defined-only --format=sysv
# The lines of a System V listing that name a .text symbol.
KSYMS_TEXT_LINES := awk -F'|' 'NF == 7 && $$7 ~ /^[ \t]*\.text[ \t]*$$/'

$(KSYMS_DIR)/ksyms_empty.bin:
	@mkdir -p $(@D)
	: > $@

$(KSYMS_DIR)/ksyms_%.o: kernel/core/ksyms_table.S $(KSYMS_DIR)/ksyms_%.bin
	$(CC) $(KERNEL_CFLAGS) -DKSYMS_BIN='"$(KSYMS_DIR)/ksyms_$*.bin"' -c -o $@ $<

$(KSYMS_PASS1): $(KERNEL_OBJS) $(KSYMS_DIR)/ksyms_empty.o $(KERNEL_LDS)
	ld.lld $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS) $(KSYMS_DIR)/ksyms_empty.o

$(KSYMS_DIR)/pass1.syms: $(KSYMS_PASS1)
	$(KSYMS_NM) $< > $@

$(KSYMS_DIR)/ksyms_image.bin: $(KSYMS_DIR)/pass1.syms $(BUILD)/tools/ksymgen
	$(BUILD)/tools/ksymgen $< > $@

$(BUILD)/tools/ksymgen: kernel/tools/ksymgen.c kernel/core/ksyms.h include/keel/boot.h
	@mkdir -p $(@D)
	$(CC) $(WARN) -O2 -Iinclude -o $@ $<

$(BUILD)/kernel.elf: $(KERNEL_OBJS) $(KSYMS_DIR)/ksyms_image.o $(KSYMS_DIR)/pass1.syms $(KERNEL_LDS)
	ld.lld $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS) $(KSYMS_DIR)/ksyms_image.o
	$(KSYMS_NM) $@ > $(KSYMS_DIR)/kernel.syms
	$(KSYMS_TEXT_LINES) $(KSYMS_DIR)/pass1.syms > $(KSYMS_DIR)/pass1.text
	$(KSYMS_TEXT_LINES) $(KSYMS_DIR)/kernel.syms > $(KSYMS_DIR)/kernel.text
	@test -s $(KSYMS_DIR)/kernel.text || { echo "kernel.elf: no text symbols listed" >&2; exit 1; }
	@cmp -s $(KSYMS_DIR)/pass1.text $(KSYMS_DIR)/kernel.text || { \
		echo "kernel.elf: text symbols moved between the two links, so the symbol" \
			"table would be wrong:" >&2; \
		diff $(KSYMS_DIR)/pass1.text $(KSYMS_DIR)/kernel.text | head -5 >&2; exit 1; }

-include $(KERNEL_OBJS:.o=.d)

# Host unit tests of the kernel's pure logic.
UNIT_SRCS_handoff := kernel/core/handoff.c kernel/lib/bootmap.c kernel/lib/fmt.c
UNIT_SRCS_bootargs := kernel/lib/bootargs.c
UNIT_SRCS_buddy := kernel/mm/buddy.c
UNIT_SRCS_slab := kernel/mm/slab.c
UNIT_SRCS_tlbpolicy := kernel/mm/pcid_cache.c kernel/mm/shootdown.c
UNIT_SRCS_acpi := kernel/acpi/acpi.c kernel/acpi/table.c kernel/acpi/madt.c kernel/acpi/fadt.c \
	kernel/acpi/hpet.c kernel/acpi/mcfg.c kernel/acpi/physmap.c kernel/lib/acpi_rsdp.c
UNIT_SRCS_fb := kernel/lib/fb.c kernel/lib/fmt.c
UNIT_SRCS_psf := kernel/lib/psf.c
UNIT_SRCS_textgrid := kernel/lib/textgrid.c kernel/lib/psf.c
UNIT_SRCS_ioapic_check := kernel/arch/x86_64/ioapic_check.c
UNIT_SRCS_cpufeatures := kernel/arch/x86_64/cpufeatures_table.c kernel/lib/bootargs.c \
	kernel/lib/fmt.c
UNIT_SRCS_trapinfo := kernel/arch/x86_64/trapinfo.c kernel/lib/fmt.c
UNIT_SRCS_paging := kernel/arch/x86_64/paging.c
UNIT_SRCS_ksyms := kernel/core/ksyms.c

# Flags live in the Makefile and this fragment: objects follow them.
$(KERNEL_OBJS) $(KSYMS_DIR)/ksyms_empty.o $(KSYMS_DIR)/ksyms_image.o: Makefile kernel/kernel.mk
