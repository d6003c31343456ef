/*
 * kernel/core/image.h: the kernel image's own layout, from symbols the linker
 * script (kernel/arch/x86_64/kernel.ld) defines. Use their addresses only.
 */
#ifndef KEEL_CORE_IMAGE_H
#define KEEL_CORE_IMAGE_H

extern char kernel_image_start[];  /* first byte of the text segment */
extern char kernel_text_end[];     /* end of text, page-aligned */
extern char kernel_rodata_start[]; /* the read-only data segment, page-aligned */
extern char kernel_data_start[];   /* data and bss, page-aligned; rodata ends here */
extern char kernel_image_end[];    /* end of .bss, page-aligned */

/* The ELF entry point (kernel/arch/<arch>/entry.S). */
extern char kernel_entry[];

#endif
