/*
 * efi/args.c: keel.efi's mode and the kernel command line (DESIGN.md §2).
 *
 * Arguments come from the UEFI Shell (EFI_SHELL_PARAMETERS_PROTOCOL on our
 * image handle: Argv[1..]) or else from LoadOptions, but only when those are
 * printable text: boot entries may carry binary data there. A first argument
 * `handoff` selects inspect mode; any other arguments replace keel.conf.
 */
#include "stub.h"

#include "cmdline.h"
#include "lib/fmt.h"
#include "lib/kstring.h"

/* UEFI Shell 2.2 §2.2 (gnu-efi's efishell.h has the same GUID). */
static EFI_GUID args_shell_guid = EFI_SHELL_PARAMETERS_PROTOCOL_GUID;

static EFI_STATUS args_from_shell(EFI_SHELL_PARAMETERS_PROTOCOL *sp, char *out)
{
	char what[32];

	if (sp->Argc > 0 && sp->Argv == NULL)
		return console_error(EFI_INVALID_PARAMETER, "arguments",
				     "shell passed no argument list");
	for (UINTN i = 1; i < sp->Argc; i++) {
		fmt_snprintf(what, sizeof(what), "argument %llu", (unsigned long long)i);
		if (sp->Argv[i] == NULL)
			return console_error(EFI_INVALID_PARAMETER, what, "missing");
		int rc = cmdline_append_ucs2(out, KEEL_CMDLINE_MAX, sp->Argv[i], SIZE_MAX);
		if (rc != CMDLINE_OK)
			return console_error(EFI_INVALID_PARAMETER, what, cmdline_strerror(rc));
	}
	return EFI_SUCCESS;
}

static EFI_STATUS args_from_load_options(char *out)
{
	EFI_GUID li_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
	EFI_LOADED_IMAGE *li = NULL;
	size_t units;

	if (stub_bs->HandleProtocol(stub_image, &li_guid, (void **)&li) != EFI_SUCCESS ||
	    li == NULL)
		return EFI_SUCCESS;
	/* Misaligned options cannot be UCS-2 text from any sane source. */
	if ((uintptr_t)li->LoadOptions % 2 != 0)
		return EFI_SUCCESS;
	if (!cmdline_is_text(li->LoadOptions, li->LoadOptionsSize, &units))
		return EFI_SUCCESS;
	int rc = cmdline_append_ucs2(out, KEEL_CMDLINE_MAX, li->LoadOptions, units);
	if (rc != CMDLINE_OK)
		return console_error(EFI_INVALID_PARAMETER, "load options", cmdline_strerror(rc));
	return EFI_SUCCESS;
}

/* keel.conf, when present, becomes the command line. */
static EFI_STATUS args_read_conf(EFI_FILE_HANDLE root, char *out)
{
	uint64_t buf, size;
	char name[32];
	EFI_STATUS st;

	st = file_read(root, STUB_CONF_PATH, true, &buf, &size);
	if (st == EFI_NOT_FOUND) {
		out[0] = '\0';
		return EFI_SUCCESS;
	}
	if (st != EFI_SUCCESS)
		return st;
	int rc = cmdline_from_conf(stub_ptr(buf), size, out, KEEL_CMDLINE_MAX);
	pages_free(buf);
	if (rc != CMDLINE_OK) {
		file_path_ascii(STUB_CONF_PATH, name, sizeof(name));
		return console_error(EFI_INVALID_PARAMETER, name, cmdline_strerror(rc));
	}
	return EFI_SUCCESS;
}

void args_detect_shell(struct stub *s)
{
	EFI_SHELL_PARAMETERS_PROTOCOL *sp = NULL;

	if (stub_bs->HandleProtocol(stub_image, &args_shell_guid, (void **)&sp) == EFI_SUCCESS)
		s->shell = sp;
}

EFI_STATUS args_parse(struct stub *s, EFI_FILE_HANDLE root)
{
	char *line = s->handoff->cmdline;
	EFI_STATUS st;

	line[0] = '\0';
	if (s->shell != NULL) {
		st = args_from_shell(s->shell, line);
	} else {
		st = args_from_load_options(line);
	}
	if (st != EFI_SUCCESS)
		return st;
	s->inspect = cmdline_take_word(line, "handoff");
	if (line[0] != '\0')
		return EFI_SUCCESS;
	return args_read_conf(root, line);
}
