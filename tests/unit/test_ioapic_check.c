/*
 * tests/unit/test_ioapic_check.c: kernel/arch/x86_64/ioapic_check.c, the
 * check of a probed IOAPIC's ID and version registers: the IOAPICs of
 * Bochs, QEMU and the Intel chipsets pass with their table sizes; all ones,
 * zero, versions and table sizes out of range and reserved bits do not.
 */
#include "arch/x86_64/ioapic_check.h"
#include "ktest.h"

static const char *test_known_ioapics(void)
{
	/* Bochs and the 82093AA: version 0x11, 24 entries. */
	KT_EQ(ioapic_check_inputs(0x01000000, 0x00170011), 24);
	/* QEMU and ICH/PCH: version 0x20, 24 entries; PCH's IRQ assertion flag (bit 15). */
	KT_EQ(ioapic_check_inputs(0x00000000, 0x00170020), 24);
	KT_EQ(ioapic_check_inputs(0x02000000, 0x00178020), 24);
	/* A 120-entry IOAPIC of a big chipset. */
	KT_EQ(ioapic_check_inputs(0x08000000, 0x00770020), 120);
	KT_EQ(ioapic_check_id(0x0a000000), 10);
	KT_EQ(ioapic_check_id(0xff000000), 15);
	return NULL;
}

static const char *test_nothing_there(void)
{
	/* Nothing decodes the address: all ones, or zero, or one of them. */
	KT_EQ(ioapic_check_inputs(0xffffffff, 0xffffffff), 0);
	KT_EQ(ioapic_check_inputs(0x00000000, 0xffffffff), 0);
	KT_EQ(ioapic_check_inputs(0xffffffff, 0x00170011), 0);
	KT_EQ(ioapic_check_inputs(0, 0), 0);
	return NULL;
}

static const char *test_bounds(void)
{
	/* Versions 0x11..0x20 only. */
	KT_EQ(ioapic_check_inputs(0, 0x00170010), 0);
	KT_EQ(ioapic_check_inputs(0, 0x00170011), 24);
	KT_EQ(ioapic_check_inputs(0, 0x00170020), 24);
	KT_EQ(ioapic_check_inputs(0, 0x00170021), 0);
	KT_EQ(ioapic_check_inputs(0, 0x001700ff), 0);
	/* 16..240 entries: highest index 15..239. */
	KT_EQ(ioapic_check_inputs(0, 0x000e0011), 0);
	KT_EQ(ioapic_check_inputs(0, 0x000f0011), 16);
	KT_EQ(ioapic_check_inputs(0, 0x00ef0011), 240);
	KT_EQ(ioapic_check_inputs(0, 0x00f00011), 0);
	KT_EQ(ioapic_check_inputs(0, 0x00ff0011), 0);
	return NULL;
}

static const char *test_reserved_bits(void)
{
	KT_EQ(ioapic_check_inputs(0, 0x01170011), 0);
	KT_EQ(ioapic_check_inputs(0, 0x80170011), 0);
	KT_EQ(ioapic_check_inputs(0, 0x00170111), 0);
	KT_EQ(ioapic_check_inputs(0, 0x00174011), 0);
	return NULL;
}

static const struct ktest tests[] = {
    KTEST(test_known_ioapics),
    KTEST(test_nothing_there),
    KTEST(test_bounds),
    KTEST(test_reserved_bits),
};

int main(void)
{
	return ktest_main(tests, KTEST_COUNT(tests));
}
