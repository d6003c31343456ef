/*
 * efi/file.c: whole files from the volume keel.efi was loaded from (its
 * LoadedImage's DeviceHandle), read into pages of EfiLoaderData.
 */
#include "stub.h"

#include "lib/kstring.h"

/* No file the stub reads is anywhere near this: larger means a broken FS. */
#define FILE_MAX_SIZE   (1ull << 30)
#define FILE_READ_CHUNK (1u << 20)
/* EFI_FILE_INFO plus room for a file name of 127 characters. */
#define FILE_INFO_BUF   (SIZE_OF_EFI_FILE_INFO + 128 * sizeof(CHAR16))

void file_path_ascii(const CHAR16 *path, char *out, size_t cap)
{
	size_t i = 0;

	for (; i + 1 < cap && path[i] != 0; i++)
		out[i] = path[i] < 0x80 ? (char)path[i] : '?';
	out[i] = '\0';
}

EFI_STATUS file_open_volume(EFI_FILE_HANDLE *root)
{
	EFI_GUID li_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
	EFI_GUID fs_guid = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID;
	EFI_LOADED_IMAGE *li = NULL;
	EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *fs = NULL;
	EFI_STATUS st;

	st = stub_bs->HandleProtocol(stub_image, &li_guid, (void **)&li);
	if (st != EFI_SUCCESS || li == NULL)
		return console_error(st != EFI_SUCCESS ? st : EFI_UNSUPPORTED, "keel.efi",
				     "no loaded-image protocol");
	if (li->DeviceHandle == NULL)
		return console_error(EFI_UNSUPPORTED, "boot volume",
				     "keel.efi was not loaded from a device");
	st = stub_bs->HandleProtocol(li->DeviceHandle, &fs_guid, (void **)&fs);
	if (st != EFI_SUCCESS || fs == NULL)
		return console_error(st != EFI_SUCCESS ? st : EFI_UNSUPPORTED, "boot volume",
				     "no simple file system on it");
	st = fs->OpenVolume(fs, root);
	if (st != EFI_SUCCESS)
		return console_error(st, "boot volume", "cannot open the file system");
	return EFI_SUCCESS;
}

void file_close(EFI_FILE_HANDLE file)
{
	if (file != NULL)
		file->Close(file);
}

/* The size of an open regular file, checked. */
static EFI_STATUS file_size(EFI_FILE_HANDLE f, const char *name, uint64_t *size)
{
	EFI_GUID info_guid = EFI_FILE_INFO_ID;
	/* UINT64 elements keep EFI_FILE_INFO's 8-byte fields aligned. */
	UINT64 buf[(FILE_INFO_BUF + 7) / 8];
	UINTN len = sizeof(buf);
	EFI_FILE_INFO *info = (EFI_FILE_INFO *)buf;
	EFI_STATUS st;

	st = f->GetInfo(f, &info_guid, &len, info);
	if (st != EFI_SUCCESS)
		return console_error(st, name, "cannot read the file's size");
	if (len < SIZE_OF_EFI_FILE_INFO)
		return console_error(EFI_VOLUME_CORRUPTED, name, "file information too short");
	if (info->Attribute & EFI_FILE_DIRECTORY)
		return console_error(EFI_NOT_FOUND, name, "is a directory, not a file");
	if (info->FileSize > FILE_MAX_SIZE)
		return console_error(EFI_BAD_BUFFER_SIZE, name, "larger than 1 GiB");
	*size = info->FileSize;
	return EFI_SUCCESS;
}

/* Read exactly `size` bytes; a file that ends early is an error. */
static EFI_STATUS file_read_all(EFI_FILE_HANDLE f, const char *name, uint8_t *buf, uint64_t size)
{
	uint64_t done = 0;

	while (done < size) {
		UINTN n = size - done < FILE_READ_CHUNK ? (UINTN)(size - done) : FILE_READ_CHUNK;
		EFI_STATUS st = f->Read(f, &n, buf + done);
		if (st != EFI_SUCCESS)
			return console_error(st, name, "read failed");
		if (n == 0)
			return console_error(EFI_END_OF_FILE, name, "file shorter than its size");
		if (n > size - done)
			return console_error(EFI_DEVICE_ERROR, name,
					     "read returned more than asked");
		done += n;
	}
	return EFI_SUCCESS;
}

/*
 * Read the whole file at `path` into freshly allocated pages (*phys, *size
 * bytes). An optional file that does not exist returns EFI_NOT_FOUND without
 * a message; every other failure prints its line.
 */
EFI_STATUS file_read(EFI_FILE_HANDLE root, const CHAR16 *path, bool optional, uint64_t *phys,
		     uint64_t *size)
{
	EFI_FILE_HANDLE f = NULL;
	char name[64];
	uint64_t buf = 0, len = 0;
	EFI_STATUS st;

	file_path_ascii(path, name, sizeof(name));
	st = root->Open(root, &f, (CHAR16 *)path, EFI_FILE_MODE_READ, 0);
	if (st == EFI_NOT_FOUND && optional)
		return st;
	if (st == EFI_NOT_FOUND)
		return console_error(st, name, "not found");
	if (st != EFI_SUCCESS)
		return console_error(st, name, "cannot open");
	st = file_size(f, name, &len);
	if (st == EFI_SUCCESS)
		st = pages_alloc(EfiLoaderData, stub_pages(len), name, &buf);
	if (st == EFI_SUCCESS) {
		st = file_read_all(f, name, stub_ptr(buf), len);
		if (st != EFI_SUCCESS)
			pages_free(buf);
	}
	f->Close(f);
	if (st != EFI_SUCCESS)
		return st;
	*phys = buf;
	*size = len;
	return EFI_SUCCESS;
}
