/*
 * efi/shell-launch.c: shell-launch.efi, a UEFI application that starts the
 * UEFI Shell built into the firmware, then powers the machine off.
 *
 * scripts/efi-shell puts it on a small disk of its own as
 * \EFI\BOOT\BOOTX64.EFI, next to \launch.txt: one line of printable ASCII,
 * the shell's command line after the program name (for example "-nostartup
 * fs0:" to stay interactive, or "-nostartup -exit fs1:\run.nsh" to run a
 * script and come back). The shell is found by its file GUID in the firmware
 * volumes (OVMF_CODE_4M.fd holds UEFI Shell 2.2) and loaded through a
 * firmware-volume device path, as the firmware's own boot manager does.
 *
 * When the shell returns, the launcher shuts the machine down (QEMU exits with
 * status 0). When it cannot start the shell it prints why and writes 1 to
 * QEMU's isa-debug-exit port (QEMU exits with status 3). Meant for QEMU only.
 */
#include <efi.h>

#define LAUNCH_FILE            L"\\launch.txt"
/* Longest accepted launch.txt: one short command line and its line break. */
#define LAUNCH_TEXT_MAX        256
#define LAUNCH_WIDE_(x)        L## #x
#define LAUNCH_WIDE(x)         LAUNCH_WIDE_(x) /* L"256" for messages */
/*
 * Argument 0 of the shell's command line. The shell takes a first word that
 * is not an option for its own name, so launch.txt may then start with a
 * script name as well as with options.
 */
#define LAUNCH_ARGV0           "Shell.efi "
/* Bound for walking a firmware device path; real ones are far shorter. */
#define LAUNCH_PATH_MAX        4096
/* QEMU's isa-debug-exit device (scripts/qemu always adds it). */
#define LAUNCH_DEBUG_EXIT_PORT 0xf4

/* EFI_FIRMWARE_VOLUME2_PROTOCOL (PI specification, volume 3). */
static EFI_GUID launch_fv2_guid = {
    0x220e73b6, 0x6bdb, 0x4413, {0x84, 0x05, 0xb9, 0x74, 0xb1, 0x08, 0x61, 0x9a}};
/* The file GUID of EDK2's UEFI Shell application (ShellPkg, Shell.inf). */
static EFI_GUID launch_shell_guid = {
    0x7c04a583, 0x9e3e, 0x4f1c, {0xad, 0x65, 0xe0, 0x52, 0x68, 0xd0, 0xb4, 0xd1}};
static EFI_GUID launch_loaded_image_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
static EFI_GUID launch_fs_guid = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID;
static EFI_GUID launch_device_path_guid = EFI_DEVICE_PATH_PROTOCOL_GUID;

static EFI_SYSTEM_TABLE *launch_st;

static void launch_print(const CHAR16 *text)
{
	launch_st->ConOut->OutputString(launch_st->ConOut, (CHAR16 *)text);
}

/* Prints "shell-launch: WHAT: status 0x...". */
static void launch_print_status(const CHAR16 *what, EFI_STATUS status)
{
	CHAR16 hex[19] = L"0x";
	int i;

	for (i = 0; i < 16; i++)
		hex[2 + i] = L"0123456789abcdef"[(status >> (60 - 4 * i)) & 0xf];
	hex[18] = 0;
	launch_print(L"shell-launch: ");
	launch_print(what);
	launch_print(L": status ");
	launch_print(hex);
	launch_print(L"\r\n");
}

/* Ends QEMU with a non-zero status; on anything else, powers off. */
static void launch_fail(void)
{
	launch_print(L"shell-launch: cannot start the UEFI Shell, powering off\r\n");
	__asm__ volatile("outb %b0, %w1" : : "a"((UINT8)1), "Nd"((UINT16)LAUNCH_DEBUG_EXIT_PORT));
	launch_st->RuntimeServices->ResetSystem(EfiResetShutdown, EFI_ABORTED, 0, NULL);
}

/*
 * Turns the bytes of launch.txt into the shell's UCS-2 command line, argument
 * 0 first. Accepts one line of printable ASCII followed by line breaks only.
 */
static EFI_STATUS launch_parse_text(const char *text, UINTN size, CHAR16 *out, UINTN cap)
{
	const char *argv0 = LAUNCH_ARGV0;
	UINTN n = 0, i = 0;

	while (*argv0 != 0 && n + 1 < cap)
		out[n++] = (CHAR16)*argv0++;
	for (; i < size && text[i] != '\r' && text[i] != '\n'; i++) {
		if (text[i] < 0x20 || text[i] > 0x7e) {
			launch_print(L"shell-launch: \\launch.txt: not printable ASCII\r\n");
			return EFI_INVALID_PARAMETER;
		}
		if (n + 1 >= cap) {
			launch_print(L"shell-launch: \\launch.txt: line too long\r\n");
			return EFI_BUFFER_TOO_SMALL;
		}
		out[n++] = (CHAR16)text[i];
	}
	for (; i < size; i++) {
		if (text[i] != '\r' && text[i] != '\n') {
			launch_print(L"shell-launch: \\launch.txt: more than one line\r\n");
			return EFI_INVALID_PARAMETER;
		}
	}
	out[n] = 0;
	return EFI_SUCCESS;
}

/* Reads \launch.txt from the volume this application was loaded from. */
static EFI_STATUS launch_read_options(EFI_HANDLE image, CHAR16 *out, UINTN cap)
{
	EFI_BOOT_SERVICES *bs = launch_st->BootServices;
	EFI_LOADED_IMAGE *li;
	EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *fs;
	EFI_FILE_PROTOCOL *root, *file;
	/* One byte more than accepted, to tell a full file from a long one. */
	char text[LAUNCH_TEXT_MAX + 1];
	UINTN size = sizeof(text);
	EFI_STATUS status;

	status = bs->HandleProtocol(image, &launch_loaded_image_guid, (void **)&li);
	if (EFI_ERROR(status)) {
		launch_print_status(L"own EFI_LOADED_IMAGE_PROTOCOL", status);
		return status;
	}
	status = bs->HandleProtocol(li->DeviceHandle, &launch_fs_guid, (void **)&fs);
	if (EFI_ERROR(status)) {
		launch_print_status(L"no file system on the launcher's volume", status);
		return status;
	}
	status = fs->OpenVolume(fs, &root);
	if (EFI_ERROR(status)) {
		launch_print_status(L"cannot open the launcher's volume", status);
		return status;
	}
	status = root->Open(root, &file, LAUNCH_FILE, EFI_FILE_MODE_READ, 0);
	if (EFI_ERROR(status)) {
		launch_print_status(L"cannot open \\launch.txt", status);
		root->Close(root);
		return status;
	}
	status = file->Read(file, &size, text);
	file->Close(file);
	root->Close(root);
	if (EFI_ERROR(status)) {
		launch_print_status(L"cannot read \\launch.txt", status);
		return status;
	}
	if (size > LAUNCH_TEXT_MAX) {
		launch_print(L"shell-launch: \\launch.txt: longer than " LAUNCH_WIDE(
		    LAUNCH_TEXT_MAX) L" bytes\r\n");
		return EFI_BAD_BUFFER_SIZE;
	}
	return launch_parse_text(text, size, out, cap);
}

/*
 * Returns a new pool copy of the firmware-volume path fv with a
 * MEDIA_PIWG_FW_FILE_DP node for the shell's file appended, or NULL when fv
 * is malformed or memory runs out.
 */
static EFI_DEVICE_PATH *launch_make_shell_path(EFI_DEVICE_PATH *fv)
{
	const UINT8 *src = (const UINT8 *)fv;
	const UINT8 *guid = (const UINT8 *)&launch_shell_guid;
	MEDIA_FW_VOL_FILEPATH_DEVICE_PATH *node;
	EFI_DEVICE_PATH *end;
	UINT8 *path;
	UINTN size = 0, len, i;

	/* Everything before the end node, each node's length checked. */
	for (;;) {
		if (size + sizeof(EFI_DEVICE_PATH) > LAUNCH_PATH_MAX)
			return NULL;
		len = src[size + 2] | (UINTN)src[size + 3] << 8;
		if (len < sizeof(EFI_DEVICE_PATH) || size + len > LAUNCH_PATH_MAX)
			return NULL;
		if (src[size] == END_DEVICE_PATH_TYPE &&
		    src[size + 1] == END_ENTIRE_DEVICE_PATH_SUBTYPE)
			break;
		size += len;
	}
	if (EFI_ERROR(launch_st->BootServices->AllocatePool(
		EfiLoaderData, size + sizeof(*node) + sizeof(*end), (void **)&path)))
		return NULL;
	for (i = 0; i < size; i++)
		path[i] = src[i];
	node = (MEDIA_FW_VOL_FILEPATH_DEVICE_PATH *)(path + size);
	node->Header.Type = MEDIA_DEVICE_PATH;
	node->Header.SubType = MEDIA_PIWG_FW_FILE_DP;
	node->Header.Length[0] = sizeof(*node);
	node->Header.Length[1] = 0;
	for (i = 0; i < sizeof(EFI_GUID); i++)
		((UINT8 *)&node->FvFileName)[i] = guid[i];
	end = (EFI_DEVICE_PATH *)(node + 1);
	end->Type = END_DEVICE_PATH_TYPE;
	end->SubType = END_ENTIRE_DEVICE_PATH_SUBTYPE;
	end->Length[0] = sizeof(*end);
	end->Length[1] = 0;
	return (EFI_DEVICE_PATH *)path;
}

/* Loads the shell from the first firmware volume that holds it. */
static EFI_STATUS launch_load_shell(EFI_HANDLE image, EFI_HANDLE *shell)
{
	EFI_BOOT_SERVICES *bs = launch_st->BootServices;
	EFI_HANDLE *fvs;
	EFI_DEVICE_PATH *fv, *path;
	UINTN count, i;
	EFI_STATUS status, found = EFI_NOT_FOUND;

	status = bs->LocateHandleBuffer(ByProtocol, &launch_fv2_guid, NULL, &count, &fvs);
	if (EFI_ERROR(status)) {
		launch_print_status(L"no firmware volumes", status);
		return status;
	}
	for (i = 0; i < count && found == EFI_NOT_FOUND; i++) {
		if (EFI_ERROR(bs->HandleProtocol(fvs[i], &launch_device_path_guid, (void **)&fv)))
			continue;
		path = launch_make_shell_path(fv);
		if (path == NULL) {
			launch_print(
			    L"shell-launch: skipping a firmware volume with a bad device path\r\n");
			continue;
		}
		/* EFI_NOT_FOUND just means that this volume lacks the shell. */
		found = bs->LoadImage(FALSE, image, path, NULL, 0, shell);
		bs->FreePool(path);
	}
	bs->FreePool(fvs);
	if (EFI_ERROR(found))
		launch_print_status(L"cannot load the UEFI Shell (file "
				    L"7C04A583-9E3E-4F1C-AD65-E05268D0B4D1) from the firmware",
				    found);
	return found;
}

EFI_STATUS EFIAPI efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	static CHAR16 options[sizeof(LAUNCH_ARGV0) + LAUNCH_TEXT_MAX];
	EFI_LOADED_IMAGE *shell_image;
	EFI_HANDLE shell;
	EFI_STATUS status;
	UINTN len;

	launch_st = st;
	status = launch_read_options(image, options, sizeof(options) / sizeof(options[0]));
	if (EFI_ERROR(status) || EFI_ERROR(launch_load_shell(image, &shell))) {
		launch_fail();
		return EFI_ABORTED;
	}
	status = bs->HandleProtocol(shell, &launch_loaded_image_guid, (void **)&shell_image);
	if (EFI_ERROR(status)) {
		launch_print_status(L"shell's EFI_LOADED_IMAGE_PROTOCOL", status);
		launch_fail();
		return status;
	}
	for (len = 0; options[len] != 0; len++)
		;
	shell_image->LoadOptions = options;
	shell_image->LoadOptionsSize = (UINT32)((len + 1) * sizeof(CHAR16));

	status = bs->StartImage(shell, NULL, NULL);
	launch_print_status(L"UEFI Shell returned, powering off", status);
	st->RuntimeServices->ResetSystem(EfiResetShutdown, EFI_SUCCESS, 0, NULL);
	return EFI_SUCCESS;
}
