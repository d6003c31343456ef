/*
 * efi/console.c: text on ConOut (OVMF mirrors it to the serial port) and the
 * failure path's one error line and pause.
 */
#include <stdarg.h>

#include "stub.h"
#include "lib/fmt.h"

/* Enough for the longest line the stub prints: the quoted command line. */
#define CONSOLE_LINE_MAX   (KEEL_CMDLINE_MAX + 128)
#define CONSOLE_WAIT_100NS (10ull * 1000 * 1000 * 10) /* 10 s in 100 ns units */

/* ASCII to UCS-2 in chunks, "\n" becoming "\r\n" as ConOut needs. */
static void console_write(const char *text)
{
	CHAR16 chunk[128];
	size_t n = 0;

	if (stub_st == NULL || stub_st->ConOut == NULL)
		return;
	for (const char *p = text; *p != '\0'; p++) {
		if (n + 3 > sizeof(chunk) / sizeof(chunk[0])) {
			chunk[n] = 0;
			stub_st->ConOut->OutputString(stub_st->ConOut, chunk);
			n = 0;
		}
		if (*p == '\n')
			chunk[n++] = '\r';
		chunk[n++] = (CHAR16)(uint8_t)*p;
	}
	chunk[n] = 0;
	if (n > 0)
		stub_st->ConOut->OutputString(stub_st->ConOut, chunk);
}

static void console_vprint(const char *fmt, va_list ap)
{
	/* Static: the stub is single-threaded and its stack is the firmware's. */
	static char line[CONSOLE_LINE_MAX];

	fmt_vsnprintf(line, sizeof(line), fmt, ap);
	console_write(line);
}

void console_print(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	console_vprint(fmt, ap);
	va_end(ap);
}

void console_warn(const char *fmt, ...)
{
	va_list ap;
	console_write("keel.efi: warning: ");
	va_start(ap, fmt);
	console_vprint(fmt, ap);
	va_end(ap);
	console_write("\n");
}

EFI_STATUS console_error(EFI_STATUS status, const char *what, const char *check)
{
	const char *name = status_name(status);

	if (name != NULL)
		console_print("keel.efi: error: %s: %s: %s\n", what, check, name);
	else
		console_print("keel.efi: error: %s: %s: EFI status 0x%llx\n", what, check,
			      (unsigned long long)status);
	return status;
}

/*
 * Give a person time to read the error before the firmware moves on: 10 s or
 * until a key is pressed (no prompt: a failure prints exactly one line). Falls
 * back to a plain 10 s stall when no timer event can be had, so that it always
 * ends.
 */
void console_wait_for_reader(void)
{
	EFI_EVENT timer = NULL;
	EFI_EVENT events[2];
	UINTN index;
	EFI_INPUT_KEY key;

	if (stub_bs->CreateEvent(EVT_TIMER, 0, NULL, NULL, &timer) != EFI_SUCCESS) {
		stub_bs->Stall(10 * 1000 * 1000);
		return;
	}
	if (stub_bs->SetTimer(timer, TimerRelative, CONSOLE_WAIT_100NS) != EFI_SUCCESS) {
		stub_bs->CloseEvent(timer);
		stub_bs->Stall(10 * 1000 * 1000);
		return;
	}
	events[0] = timer;
	if (stub_st->ConIn != NULL && stub_st->ConIn->WaitForKey != NULL) {
		events[1] = stub_st->ConIn->WaitForKey;
		stub_bs->WaitForEvent(2, events, &index);
		/* Swallow the key so that it does not reach whoever runs next. */
		if (index == 1)
			stub_st->ConIn->ReadKeyStroke(stub_st->ConIn, &key);
	} else {
		stub_bs->WaitForEvent(1, events, &index);
	}
	stub_bs->CloseEvent(timer);
}
