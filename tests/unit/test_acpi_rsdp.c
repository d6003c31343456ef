/*
 * tests/unit/test_acpi_rsdp.c: kernel/lib/acpi_rsdp.c on built RSDPs: good
 * ACPI 1.0 and 2.0 ones, then every check failing on its own.
 */
#include <stdlib.h>
#include <string.h>

#include "ktest.h"
#include "lib/acpi_rsdp.h"

/* An RSDP of `revision` in buf (36 bytes, or `length` up to 4097 if larger). */
static void make_rsdp(uint8_t *buf, uint8_t revision, uint32_t length, uint64_t xsdt)
{
	uint32_t rsdt = 0x7fe1000;

	memset(buf, 0, ACPI_RSDP_V2_MIN_SIZE);
	memcpy(buf, "RSD PTR ", 8);
	memcpy(buf + 9, "KEELOS", 6);
	buf[15] = revision;
	memcpy(buf + 16, &rsdt, 4);
	memcpy(buf + 20, &length, 4);
	memcpy(buf + 24, &xsdt, 8);
	ktest_fix_sum8(buf, 20, 8);
	/* An absurd length is summed over 36 bytes only: the buffer ends there. */
	if (revision >= 2)
		ktest_fix_sum8(
		    buf, length <= ACPI_RSDP_MAX_SIZE + 1 ? length : ACPI_RSDP_V2_MIN_SIZE, 32);
}

static const char *test_good_v1(void)
{
	uint8_t *b = malloc(ACPI_RSDP_V1_SIZE); /* exactly 20 readable bytes */
	struct acpi_rsdp_info info;
	uint8_t tmp[ACPI_RSDP_V2_MIN_SIZE];

	make_rsdp(tmp, 0, 0, 0);
	memcpy(b, tmp, ACPI_RSDP_V1_SIZE);
	const char *why = acpi_rsdp_check(b, ACPI_RSDP_V1_SIZE, &info);
	free(b);
	KT_ASSERT(why == NULL);
	KT_EQ(info.revision, 0);
	KT_EQ(info.length, 20);
	KT_EQ(info.rsdt, 0x7fe1000);
	KT_EQ(info.xsdt, 0);
	return NULL;
}

static const char *test_good_v2(void)
{
	uint8_t b[ACPI_RSDP_V2_MIN_SIZE];
	struct acpi_rsdp_info info;

	make_rsdp(b, 2, 36, 0x7fe2000);
	KT_ASSERT(acpi_rsdp_check(b, sizeof(b), &info) == NULL);
	KT_EQ(info.revision, 2);
	KT_EQ(info.length, 36);
	KT_EQ(info.xsdt, 0x7fe2000);
	KT_ASSERT(acpi_rsdp_check(b, sizeof(b), NULL) == NULL);
	return NULL;
}

static const char *test_rejects(void)
{
	uint8_t b[ACPI_RSDP_V2_MIN_SIZE];

	KT_ASSERT(acpi_rsdp_check(NULL, 36, NULL) != NULL);
	make_rsdp(b, 2, 36, 0x7fe2000);
	KT_ASSERT(acpi_rsdp_check(b, 19, NULL) != NULL);
	KT_ASSERT(acpi_rsdp_check(b, 35, NULL) != NULL); /* v2 needs 36 */

	b[0] = 'X'; /* signature */
	KT_ASSERT(acpi_rsdp_check(b, sizeof(b), NULL) != NULL);

	make_rsdp(b, 2, 36, 0x7fe2000);
	b[9] ^= 1; /* first checksum */
	KT_ASSERT(acpi_rsdp_check(b, sizeof(b), NULL) != NULL);

	make_rsdp(b, 2, 36, 0x7fe2000);
	b[33] ^= 1; /* only the extended checksum covers byte 33 */
	KT_ASSERT(acpi_rsdp_check(b, sizeof(b), NULL) != NULL);

	make_rsdp(b, 2, 36, 0);
	KT_ASSERT(acpi_rsdp_check(b, sizeof(b), NULL) != NULL); /* no XSDT */
	return NULL;
}

static const char *test_lengths(void)
{
	uint8_t *big = calloc(1, 8192);
	const char *why;

	make_rsdp(big, 2, 35, 0x7fe2000);
	why = acpi_rsdp_check(big, 8192, NULL);
	KT_ASSERT(why != NULL);
	make_rsdp(big, 2, 4097, 0x7fe2000);
	why = acpi_rsdp_check(big, 8192, NULL);
	KT_ASSERT(why != NULL);
	make_rsdp(big, 2, 0xffffffffu, 0x7fe2000);
	why = acpi_rsdp_check(big, 8192, NULL);
	KT_ASSERT(why != NULL);
	make_rsdp(big, 2, 100, 0x7fe2000);
	KT_ASSERT(acpi_rsdp_check(big, 8192, NULL) == NULL);
	KT_ASSERT(acpi_rsdp_check(big, 99, NULL) != NULL); /* past readable */
	free(big);
	return NULL;
}

static const struct ktest tests[] = {
    KTEST(test_good_v1),
    KTEST(test_good_v2),
    KTEST(test_rejects),
    KTEST(test_lengths),
};

int main(void)
{
	return ktest_main(tests, KTEST_COUNT(tests));
}
