/*
 * kernel/core/boot_tests.c: in-kernel tests of the handoff (boot_tests.h).
 * They run after handoff_check() accepted the handoff, so the ranges array,
 * the initrd and the strings are known to be readable and the ranges sound;
 * everything else (RSDP, archive content, what the ranges say) is checked
 * here, not trusted.
 */
#include "core/boot_tests.h"

#include "core/boot.h"
#include "core/handoff.h"
#include "core/image.h"
#include "lib/acpi_rsdp.h"
#include "lib/bootargs.h"
#include "lib/bootmap.h"
#include "lib/cpio.h"
#include "lib/fb.h"
#include "lib/kstring.h"

#define MIB_SHIFT        20
#define TEST_MEM_MAX_MIB (1ull << 30) /* 1 PiB: anything above is a typo */

#define MANIFEST_NAME     "MANIFEST"
#define MANIFEST_PATH_MAX 256

/* Whether one range of `type` covers phys [base, base + size). */
static bool test_range_covers(uint32_t type, uint64_t base, uint64_t size)
{
	const struct keel_mem_range *r = boot_info.ranges;

	for (uint32_t i = 0; i < boot_info.handoff->range_count; i++)
		if (r[i].type == type && r[i].base <= base && base - r[i].base <= r[i].size &&
		    size <= r[i].size - (base - r[i].base))
			return true;
	return false;
}

static uint64_t test_total(uint32_t type)
{
	return bootmap_total(boot_info.ranges, boot_info.handoff->range_count, type);
}

/* What handoff_check() already required, asked again, and that the stub merged. */
static const char *test_handoff_ranges_sorted_disjoint(void)
{
	const struct keel_handoff *h = boot_info.handoff;
	const struct keel_mem_range *r = boot_info.ranges;
	char why[160];

	if (handoff_check_ranges(r, h->range_count, h->direct_map_size, why, sizeof(why)) !=
	    HANDOFF_OK)
		return ktest_fail("%s", why);
	for (uint32_t i = 1; i < h->range_count; i++)
		if (r[i].base == r[i - 1].base + r[i - 1].size && r[i].type == r[i - 1].type)
			return ktest_fail("ranges %u and %u are adjacent, both %s, not merged",
					  i - 1, i, bootmap_type_name(r[i].type));
	return NULL;
}

static const char *test_handoff_memory_total(void)
{
	uint64_t mib, want, available, ram;

	if (bootargs_get_u64(boot_info.handoff->cmdline, "test.mem", &mib) != BOOTARGS_OK)
		return ktest_fail("no test.mem=<MiB> on the command line");
	if (mib == 0 || mib > TEST_MEM_MAX_MIB)
		return ktest_fail("test.mem=%lu is not a plausible size in MiB",
				  (unsigned long)mib);
	want = mib << MIB_SHIFT;
	available = test_total(KEEL_RANGE_USABLE) + test_total(KEEL_RANGE_BOOT_RECLAIM) +
		    test_total(KEEL_RANGE_ACPI_RECLAIM);
	ram = bootmap_ram_total(boot_info.ranges, boot_info.handoff->range_count);
	/* 80 % of want; want is at most 2^50, so nothing overflows. */
	if (available < want / 10 * 8)
		return ktest_fail(
		    "usable + reclaimable is %lu KiB, less than 80%% of test.mem=%lu MiB",
		    (unsigned long)(available >> 10), (unsigned long)mib);
	if (ram > want)
		return ktest_fail("RAM in the ranges is %lu KiB, more than test.mem=%lu MiB",
				  (unsigned long)(ram >> 10), (unsigned long)mib);
	return NULL;
}

static const char *test_handoff_framebuffer(void)
{
	const struct keel_handoff *h = boot_info.handoff;
	bool present = h->flags & KEEL_HANDOFF_HAS_FB;
	uint64_t want;
	char why[160];

	if (bootargs_get_u64(h->cmdline, "test.fb", &want) != BOOTARGS_OK || want > 1)
		return ktest_fail("no test.fb=0 or test.fb=1 on the command line");
	if (present != (want == 1))
		return ktest_fail("framebuffer %s, but test.fb=%lu", present ? "present" : "absent",
				  (unsigned long)want);
	if (!present)
		return NULL;
	if (fb_check(&h->fb, h->direct_map_size, why, sizeof(why)) != 0)
		return ktest_fail("framebuffer geometry: %s", why);
	if (!test_range_covers(KEEL_RANGE_FRAMEBUFFER, h->fb.base, h->fb.size))
		return ktest_fail("no framebuffer range covers 0x%lx + 0x%lx",
				  (unsigned long)h->fb.base, (unsigned long)h->fb.size);
	return NULL;
}

static const char *test_handoff_rsdp(void)
{
	const struct keel_handoff *h = boot_info.handoff;
	const char *err;
	uint64_t want;

	/* Firmware without ACPI tables exists (OVMF under Bochs): test.acpi=0 says so. */
	if (bootargs_get_u64(h->cmdline, "test.acpi", &want) != BOOTARGS_OK || want > 1)
		return ktest_fail("no test.acpi=0 or test.acpi=1 on the command line");
	if (want == 0)
		return (h->flags & KEEL_HANDOFF_HAS_RSDP)
			   ? ktest_fail("an RSDP at 0x%lx, but test.acpi=0", (unsigned long)h->rsdp)
			   : NULL;
	if (!(h->flags & KEEL_HANDOFF_HAS_RSDP) || h->rsdp == 0)
		return ktest_fail("no RSDP in the handoff (flags 0x%x, rsdp 0x%lx)", h->flags,
				  (unsigned long)h->rsdp);
	if (!boot_phys_in_direct_map(h->rsdp, ACPI_RSDP_V1_SIZE, h->direct_map_size))
		return ktest_fail("RSDP at 0x%lx is outside the direct map (0x%lx bytes)",
				  (unsigned long)h->rsdp, (unsigned long)h->direct_map_size);
	/* Everything up to the end of the direct map may be read. */
	err = acpi_rsdp_check(boot_phys_to_virt(h->rsdp), h->direct_map_size - h->rsdp, NULL);
	if (err)
		return ktest_fail("RSDP at 0x%lx: %s", (unsigned long)h->rsdp, err);
	return NULL;
}

/*
 * One MANIFEST line, "<size in decimal> <path>\n" (the last newline may be
 * missing): 1 with the fields set and *pos moved on, 0 at the end, -1 when
 * the line is malformed.
 */
static int test_manifest_next(const char **pos, const char *end, uint64_t *size, const char **path,
			      size_t *path_len)
{
	const char *p = *pos;
	uint64_t n = 0;

	if (p == end)
		return 0;
	if (*p < '0' || *p > '9')
		return -1;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		if (n > (UINT64_MAX - 9) / 10)
			return -1;
		n = n * 10 + (uint64_t)(*p - '0');
	}
	if (p == end || *p++ != ' ')
		return -1;
	*path = p;
	while (p < end && *p != '\n')
		p++;
	*path_len = (size_t)(p - *path);
	if (*path_len == 0 || *path_len >= MANIFEST_PATH_MAX)
		return -1;
	*size = n;
	*pos = p < end ? p + 1 : p;
	return 1;
}

/* Whether the manifest lists `name` (name_len bytes). */
static bool test_manifest_lists(const struct cpio_entry *manifest, const char *name,
				size_t name_len)
{
	const char *pos = manifest->data, *end = pos + manifest->size, *path;
	size_t len;
	uint64_t size;

	while (test_manifest_next(&pos, end, &size, &path, &len) == 1)
		if (len == name_len && memcmp(path, name, len) == 0)
			return true;
	return false;
}

static const char *test_handoff_initrd(void)
{
	const struct keel_handoff *h = boot_info.handoff;
	const void *archive = boot_phys_to_virt(h->initrd_base);
	struct cpio_entry manifest, e;
	struct cpio_iter it;
	const char *pos, *end, *path;
	char name[MANIFEST_PATH_MAX];
	size_t len;
	uint64_t size;
	unsigned line = 0;
	int r;

	if (h->initrd_size == 0)
		return ktest_fail("no initrd in the handoff");
	if (!test_range_covers(KEEL_RANGE_INITRD, h->initrd_base, h->initrd_size))
		return ktest_fail("no initrd range covers 0x%lx + 0x%lx",
				  (unsigned long)h->initrd_base, (unsigned long)h->initrd_size);
	r = cpio_validate(archive, h->initrd_size, NULL);
	if (r != CPIO_OK)
		return ktest_fail("initrd: %s", cpio_strerror(r));
	if (cpio_find(archive, h->initrd_size, MANIFEST_NAME, &manifest) != 1)
		return ktest_fail("initrd has no " MANIFEST_NAME);

	/* Every file the manifest lists is in the archive, with that size. */
	pos = manifest.data;
	end = pos + manifest.size;
	while ((r = test_manifest_next(&pos, end, &size, &path, &len)) == 1) {
		line++;
		memcpy(name, path, len);
		name[len] = '\0';
		if (cpio_find(archive, h->initrd_size, name, &e) != 1)
			return ktest_fail(MANIFEST_NAME " line %u: %s is not in the initrd", line,
					  name);
		if ((e.mode & CPIO_MODE_TYPE) != CPIO_MODE_FILE)
			return ktest_fail("%s is not a regular file (mode 0%o)", name, e.mode);
		if (e.size != size)
			return ktest_fail("%s has %zu bytes, " MANIFEST_NAME " says %lu", name,
					  e.size, (unsigned long)size);
	}
	if (r < 0)
		return ktest_fail(MANIFEST_NAME " line %u is not \"<size> <path>\"", line + 1);

	/* And the archive holds no regular file the manifest does not list. */
	cpio_iter_init(&it, archive, h->initrd_size);
	while (cpio_next(&it, &e) == 1) {
		if ((e.mode & CPIO_MODE_TYPE) != CPIO_MODE_FILE ||
		    strcmp(e.name, MANIFEST_NAME) == 0)
			continue;
		if (!test_manifest_lists(&manifest, e.name, e.name_len))
			return ktest_fail("initrd file %.64s is not in " MANIFEST_NAME, e.name);
	}
	return NULL;
}

static const char *test_handoff_kernel_placement(void)
{
	const struct keel_handoff *h = boot_info.handoff;
	uint64_t image = (uint64_t)(kernel_image_end - kernel_image_start);
	uint64_t entry = (uint64_t)(uintptr_t)kernel_entry;

	if (h->kernel_virt_base != KEEL_KERNEL_BASE ||
	    (uint64_t)(uintptr_t)kernel_image_start != KEEL_KERNEL_BASE)
		return ktest_fail("kernel_virt_base 0x%lx, image at 0x%lx, expected 0x%lx",
				  (unsigned long)h->kernel_virt_base,
				  (unsigned long)(uintptr_t)kernel_image_start,
				  (unsigned long)KEEL_KERNEL_BASE);
	if (h->kernel_phys_size < image)
		return ktest_fail("kernel_phys_size 0x%lx is smaller than the image (0x%lx)",
				  (unsigned long)h->kernel_phys_size, (unsigned long)image);
	if (!test_range_covers(KEEL_RANGE_KERNEL, h->kernel_phys_base, h->kernel_phys_size))
		return ktest_fail("no kernel range covers 0x%lx + 0x%lx",
				  (unsigned long)h->kernel_phys_base,
				  (unsigned long)h->kernel_phys_size);
	if (h->kernel_entry != entry)
		return ktest_fail("handoff entry 0x%lx, kernel_entry is at 0x%lx",
				  (unsigned long)h->kernel_entry, (unsigned long)entry);
	if (entry < (uint64_t)(uintptr_t)kernel_image_start ||
	    entry >= (uint64_t)(uintptr_t)kernel_text_end)
		return ktest_fail("entry 0x%lx outside the text segment 0x%lx..0x%lx",
				  (unsigned long)entry,
				  (unsigned long)(uintptr_t)kernel_image_start,
				  (unsigned long)(uintptr_t)kernel_text_end);
	return NULL;
}

static const char *test_tsc_stamps(void)
{
	const struct keel_handoff *h = boot_info.handoff;

	if (h->tsc_efi_main >= h->tsc_before_jump)
		return ktest_fail("tsc_efi_main %lu is not before tsc_before_jump %lu",
				  (unsigned long)h->tsc_efi_main,
				  (unsigned long)h->tsc_before_jump);
	if (h->tsc_before_jump > boot_info.tsc_entry)
		return ktest_fail("tsc_before_jump %lu is after the kernel's entry TSC %lu",
				  (unsigned long)h->tsc_before_jump,
				  (unsigned long)boot_info.tsc_entry);
	return NULL;
}

static const struct ktest boot_tests[] = {
    KTEST(handoff_ranges_sorted_disjoint),
    KTEST(handoff_memory_total),
    KTEST(handoff_framebuffer),
    KTEST(handoff_rsdp),
    KTEST(handoff_initrd),
    KTEST(handoff_kernel_placement),
    KTEST(tsc_stamps),
};

const struct ktest_suite boot_test_suite = {boot_tests, KTEST_COUNT(boot_tests)};
