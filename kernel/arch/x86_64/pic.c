/*
 * kernel/arch/x86_64/pic.c: remap and mask the 8259 PICs (Intel 8259A data
 * sheet: ICW1-ICW4 and OCW1).
 */
#include "pic.h"

#include <keel/portio.h>

#include "irq.h"

#define PIC1_CMD  0x20
#define PIC1_DATA 0x21
#define PIC2_CMD  0xa0
#define PIC2_DATA 0xa1

#define PIC_ICW1_INIT_ICW4 0x11 /* initialise, edge triggered, cascade, ICW4 follows */
#define PIC_ICW3_SLAVE_ON  0x04 /* master: a slave on IR2 */
#define PIC_ICW3_SLAVE_ID  0x02 /* slave: its cascade identity is 2 */
#define PIC_ICW4_8086      0x01
#define PIC_MASK_ALL       0xff

/* A write to port 0x80 (POST codes) gives an old PIC time between ICWs. */
static void pic_outb(uint16_t port, uint8_t v)
{
	io_outb(port, v);
	io_outb(0x80, 0);
}

void pic_disable(void)
{
	pic_outb(PIC1_CMD, PIC_ICW1_INIT_ICW4);
	pic_outb(PIC2_CMD, PIC_ICW1_INIT_ICW4);
	pic_outb(PIC1_DATA, IRQ_VECTOR_PIC_BASE);
	pic_outb(PIC2_DATA, IRQ_VECTOR_PIC_BASE + 8);
	pic_outb(PIC1_DATA, PIC_ICW3_SLAVE_ON);
	pic_outb(PIC2_DATA, PIC_ICW3_SLAVE_ID);
	pic_outb(PIC1_DATA, PIC_ICW4_8086);
	pic_outb(PIC2_DATA, PIC_ICW4_8086);
	pic_outb(PIC1_DATA, PIC_MASK_ALL);
	pic_outb(PIC2_DATA, PIC_MASK_ALL);
}
