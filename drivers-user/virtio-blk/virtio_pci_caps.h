/*
 * drivers-user/virtio-blk/virtio_pci_caps.h: where a modern (virtio 1.x) PCI
 * device keeps its registers (Virtual I/O Device (VIRTIO) Version 1.1,
 * 4.1.4 "Virtio Structure PCI Capabilities"), and the layout of the common
 * configuration structure (4.1.4.3) the driver programs there.
 *
 * Each structure is named by a vendor-specific capability (ID 0x09) in the
 * function's capability list:
 *
 *   byte 0 cap_vndr (0x09), 1 cap_next, 2 cap_len, 3 cfg_type,
 *   4 bar (0-5), 5-7 padding, 8-11 offset (le32), 12-15 length (le32),
 *   16-19 notify_off_multiplier (le32, the notify capability only)
 *
 * The list is hostile (like pci_config.h's): it may loop, point into the
 * header, run past the 256 bytes, name a reserved BAR or type, or put a
 * structure outside its BAR. The rules followed (4.1.4.1, 4.1.4.2 and each
 * structure's requirements): a capability with a reserved cfg_type or bar is
 * ignored; a cap_len larger than ours is accepted; the first usable
 * instance of each type is taken. A capability is usable only if it lies
 * inside the configuration space, its structure lies inside its BAR (as the
 * caller sized it) without wrapping, and it meets its type's size and
 * alignment rules; an unusable one is skipped (counted), and a later one of
 * the same type may still be taken.
 */
#ifndef KEEL_VIRTIO_PCI_CAPS_H
#define KEEL_VIRTIO_PCI_CAPS_H

#include <stdint.h>

#include "../pci/pci_config.h"

/* Identity (4.1.2): vendor 0x1af4; device 0x1040 + virtio device ID (block: 2), or
 * the transitional 0x1001 (a modern interface too when it lists the capabilities). */
#define VIRTIO_PCI_VENDOR           0x1af4
#define VIRTIO_PCI_DEVICE_BLK       0x1042
#define VIRTIO_PCI_DEVICE_BLK_TRANS 0x1001

#define VIRTIO_PCI_CAP_ID 0x09 /* PCI "vendor specific" */

/* cfg_type (4.1.4): which structure. Others are reserved (ignored). */
#define VIRTIO_PCI_CAP_COMMON_CFG 1
#define VIRTIO_PCI_CAP_NOTIFY_CFG 2
#define VIRTIO_PCI_CAP_ISR_CFG    3
#define VIRTIO_PCI_CAP_DEVICE_CFG 4
#define VIRTIO_PCI_CAP_PCI_CFG    5 /* an access window through config space: not used */

#define VIRTIO_PCI_CAP_LEN        16 /* struct virtio_pci_cap */
#define VIRTIO_PCI_NOTIFY_CAP_LEN 20 /* with notify_off_multiplier */

/* Common configuration (4.1.4.3): register offsets and widths. */
#define VIRTIO_COMMON_DFSELECT  0x00 /* le32 device_feature_select */
#define VIRTIO_COMMON_DF        0x04 /* le32 device_feature (read-only) */
#define VIRTIO_COMMON_GFSELECT  0x08 /* le32 driver_feature_select */
#define VIRTIO_COMMON_GF        0x0c /* le32 driver_feature */
#define VIRTIO_COMMON_MSIX      0x10 /* le16 msix_config */
#define VIRTIO_COMMON_NUMQ      0x12 /* le16 num_queues (read-only) */
#define VIRTIO_COMMON_STATUS    0x14 /* u8 device_status */
#define VIRTIO_COMMON_CFGGEN    0x15 /* u8 config_generation (read-only) */
#define VIRTIO_COMMON_Q_SELECT  0x16 /* le16 queue_select */
#define VIRTIO_COMMON_Q_SIZE    0x18 /* le16 queue_size: a power of two, 0 no queue */
#define VIRTIO_COMMON_Q_MSIX    0x1a /* le16 queue_msix_vector */
#define VIRTIO_COMMON_Q_ENABLE  0x1c /* le16 queue_enable */
#define VIRTIO_COMMON_Q_NOFF    0x1e /* le16 queue_notify_off (read-only) */
#define VIRTIO_COMMON_Q_DESCLO  0x20 /* le64 queue_desc (two le32 halves) */
#define VIRTIO_COMMON_Q_AVAILLO 0x28 /* le64 queue_driver: the available ring */
#define VIRTIO_COMMON_Q_USEDLO  0x30 /* le64 queue_device: the used ring */
#define VIRTIO_COMMON_CFG_LEN   0x38 /* the structure's size in virtio 1.1 */
#define VIRTIO_MSI_NO_VECTOR    0xffff

/* device_status bits (2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER      2
#define VIRTIO_STATUS_DRIVER_OK   4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_NEEDS_RESET 64
#define VIRTIO_STATUS_FAILED      128

#define VIRTIO_F_VERSION_1 32 /* feature bit: a modern device (6) */

/* One structure: BAR slot, byte offset into the BAR, length in bytes. */
struct virtio_pci_region {
	uint8_t bar;
	uint32_t offset;
	uint32_t length;
};

struct virtio_pci_caps {
	struct virtio_pci_region common, notify, isr, device;
	uint32_t notify_off_multiplier; /* 0 (one notify address for all) or a power of two >= 2 */
	uint8_t found;                  /* 1 << cfg_type for each structure taken */
	uint8_t cut;     /* the list looped, pointed into the header, or ran past its bound */
	uint8_t skipped; /* virtio capabilities ignored as unusable (saturates at 255) */
	uint8_t msix;    /* config offset of the (first) MSI-X capability, 0 none */
};

#define VIRTIO_PCI_FOUND(type) (1u << (type))
#define VIRTIO_PCI_REQUIRED                                                                        \
	(VIRTIO_PCI_FOUND(VIRTIO_PCI_CAP_COMMON_CFG) |                                             \
	 VIRTIO_PCI_FOUND(VIRTIO_PCI_CAP_NOTIFY_CFG) | VIRTIO_PCI_FOUND(VIRTIO_PCI_CAP_ISR_CFG) |  \
	 VIRTIO_PCI_FOUND(VIRTIO_PCI_CAP_DEVICE_CFG))

/*
 * Walk the capability list of the (header type 0) function behind ops and
 * fill *c. bar_size[i] is the size of BAR slot i as the pci service reported
 * it (KEEL_PCI_BAR), or 0 for a slot the driver cannot use (absent, I/O,
 * KEEL_PCI_BAR_BAD, the upper half of a 64-bit BAR). 0 when all four
 * structures (VIRTIO_PCI_REQUIRED: the block device has a device
 * configuration) were found usable; -KEEL_ENOENT otherwise (*c still says
 * what was found, cut and skipped).
 */
int virtio_pci_caps_find(const struct pci_config_ops *ops, const uint64_t bar_size[PCI_BARS_MAX],
			 struct virtio_pci_caps *c);

/*
 * The MSI-X table (PCI Local Bus 3.0, 6.8.2): the capability at `cap`
 * (virtio_pci_caps's msix) holds message control (table size - 1 in bits
 * 0-10) in its first dword's upper half and the table's BAR (BIR, bits 0-2)
 * and offset (the rest) in its second. 0 with the table's place in *t (bar,
 * offset, length = entries x 16) and its entries, or -KEEL_ENOENT no
 * capability (PCI_CAP_ID_MSIX, pci_config.h), -KEEL_ERANGE a reserved BIR, a BAR not usable
 * (bar_size 0) or a table not inside its BAR.
 */
#define PCI_MSIX_ENTRY_SIZE 16
int virtio_pci_msix_table(const struct pci_config_ops *ops, uint8_t cap,
			  const uint64_t bar_size[PCI_BARS_MAX], struct virtio_pci_region *t,
			  unsigned *entries);

/*
 * The offset in the notify structure's BAR at which queue `queue_notify_off`
 * (read from VIRTIO_COMMON_Q_NOFF) is notified with a 16-bit write (4.1.4.4):
 * notify.offset + queue_notify_off * multiplier. 0 with *off, or -KEEL_ERANGE
 * when the two bytes there are not inside the notify structure (a device
 * that reports an offset its own structure does not have).
 */
int virtio_pci_notify_offset(const struct virtio_pci_caps *c, uint16_t queue_notify_off,
			     uint64_t *off);

#endif
