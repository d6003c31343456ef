/*
 * kernel/core/ksyms_table.S: the kernel's symbol table (core/ksyms.h), the
 * bytes kernel/tools/ksymgen wrote, as ksyms_image .. ksyms_image_end.
 * KSYMS_BIN names the file: an empty one for the first link, the table made
 * from that link's symbols for the second (kernel/kernel.mk). Section .ksyms
 * goes at the end of rodata (kernel.ld), after text, so that its size moves
 * no text address.
 */
	.section .ksyms, "a", @progbits
	.balign 4
	.globl ksyms_image
	.globl ksyms_image_end
ksyms_image:
	.incbin KSYMS_BIN
ksyms_image_end:
