/*
 * kernel/arch/x86_64/devobj_test_blobs.h: what devobj_test_blobs.S and its
 * test (core/devobj_tests.c) agree on. Included by C and assembly.
 */
#ifndef KEEL_ARCH_X86_64_DEVOBJ_TEST_BLOBS_H
#define KEEL_ARCH_X86_64_DEVOBJ_TEST_BLOBS_H

#define DEV_BLOB_CODE_VA  0x400000 /* where the test puts the program */
#define DEV_BLOB_CODE_MAX 0xf00    /* its largest size: the parameters follow */
#define DEV_BLOB_PARAMS   0x400f00 /* the test's parameters, u64 each: */
#define DEV_P_RESOURCE    0x400f00 /* a resource handle, every right */
#define DEV_P_RAM         0x400f08 /* a page of usable RAM */
#define DEV_P_LAPIC       0x400f10 /* the LAPIC's registers */
#define DEV_P_IOAPIC      0x400f18 /* the first IOAPIC's */
#define DEV_P_FB          0x400f20 /* the framebuffer (0: none) */
#define DEV_P_FB_SIZE     0x400f28 /* its size in bytes, whole pages */
#define DEV_P_NOTIF       0x400f30 /* a notification handle (fb blob), or 0 */
#define DEV_BLOB_VA       0x600000 /* mappings go here */
#define DEV_BLOB_REPORT   0x7ffefffff000 /* a stack page where a blob leaves what the test reads */
#define DEV_BLOB_DMA_SIZE 0x3000         /* the dma blob's DMA VMO: 3 pages */
#define DEV_BLOB_MSI_BIT  5              /* the msi blob's notification bit */
#define DEV_BLOB_PIXEL    0x00c0ffee
#define DEV_BLOB_IRQS     5          /* RTC interrupts the rtc blob waits for */
#define DEV_BLOB_TIMEOUT  5000000000 /* ns it waits for them at most */

/* KEEL_RIGHT_*, KEEL_MAP_*, KEEL_DMAMEM_* and KEEL_IRQ_MSI as the assembler can read them (devobj_tests.c checks). */
#define DEV_BLOB_RIGHT_READ       1
#define DEV_BLOB_RIGHT_WRITE      2
#define DEV_BLOB_RIGHTS_NO_MANAGE 0x7f
#define DEV_BLOB_MAP_RW           3
#define DEV_BLOB_MAP_WC           8
#define DEV_BLOB_DMAMEM_BELOW_4G  1           /* KEEL_DMAMEM_BELOW_4G */
#define DEV_BLOB_DMAMEM_MAX       0x100000    /* KEEL_DMAMEM_MAX */
#define DEV_BLOB_IRQ_MSI          0x100000000 /* KEEL_IRQ_MSI */

#endif
