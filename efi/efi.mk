# keel.efi, the UEFI stub (DESIGN.md §2): a COFF build with clang's windows-gnu
# target and lld-link (FACTS.md, "COFF route"). Included by the top Makefile.

# Listed, not globbed: efi/ also holds other UEFI programs (shell-launch.c).
EFI_STUB_SRCS := $(addprefix efi/,main.c args.c cmdline.c console.c status.c pages.c file.c \
	handoff.c kernel.c initrd.c gop.c acpi.c trampoline.c memmap.c paging.c launch.c \
	inspect.c serial.c) $(SHARED_LIB_SRCS)
EFI_STUB_ASMS := efi/switch.S
EFI_STUB_OBJS := $(patsubst %.c,$(BUILD)/efi/%.o,$(EFI_STUB_SRCS)) \
	$(patsubst %.S,$(BUILD)/efi/%.o,$(EFI_STUB_ASMS))

# Every object depends on all the headers it could include: the stub is small
# enough that a precise dependency scan would cost more than it saves.
EFI_STUB_HDRS := $(wildcard efi/*.h) $(wildcard kernel/lib/*.h) include/keel/boot.h

$(BUILD)/efi/%.o: %.c $(EFI_STUB_HDRS)
	@mkdir -p $(@D)
	$(CC) $(EFI_CFLAGS) -c -o $@ $<

$(BUILD)/efi/%.o: %.S
	@mkdir -p $(@D)
	$(CC) $(EFI_CFLAGS) -c -o $@ $<

$(BUILD)/keel.efi: $(EFI_STUB_OBJS)
	lld-link $(EFI_LDFLAGS) /out:$@ $^

UNIT_SRCS_cmdline := efi/cmdline.c

# Flags live in the Makefile and this fragment: objects follow them.
$(EFI_STUB_OBJS): Makefile efi/efi.mk
