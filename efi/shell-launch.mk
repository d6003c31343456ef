# efi/shell-launch.mk: build/shell-launch.efi, the UEFI application that
# scripts/efi-shell boots to start the firmware's UEFI Shell. Same COFF route
# as the stub: clang for the windows-gnu target, then lld-link.

SHELL_LAUNCH_OBJ := $(BUILD)/shell-launch.o

$(SHELL_LAUNCH_OBJ): efi/shell-launch.c
	@mkdir -p $(@D)
	$(CC) $(EFI_CFLAGS) -c $< -o $@

$(BUILD)/shell-launch.efi: $(SHELL_LAUNCH_OBJ)
	lld-link $(EFI_LDFLAGS) /out:$@ $^

# Flags live in the Makefile and this fragment: the object follows them.
$(SHELL_LAUNCH_OBJ): Makefile efi/shell-launch.mk
