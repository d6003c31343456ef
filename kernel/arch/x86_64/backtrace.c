/*
 * kernel/arch/x86_64/backtrace.c: walking the frame-pointer chain
 * (backtrace.h) and naming its frames with the image's symbol table.
 *
 * The walk runs inside the crash dump, on whatever state caused the crash,
 * so it reads a frame record {next rbp, return address} only after checking
 * that the 16 bytes are somewhere a kernel stack can be and are mapped:
 *   - 8-byte aligned;
 *   - strictly above the previous record (stacks grow down, so callers'
 *     frames are higher; this also ends any loop);
 *   - inside the image's data and bss (the boot stack; mapped by the stub's
 *     tables and ours alike), or inside the kernel stack window (mm/vm.h)
 *     and mapped by the kernel's tables, which must be the live ones. The
 *     window holds nothing but stacks, so reading it touches no device.
 * A return address must lie in kernel text. The first check that fails ends
 * the walk and is reported with the value that failed.
 *
 * A return address is named by the byte before it (the call instruction),
 * so that a call at the very end of a function is not given to the next.
 */
#include "backtrace.h"

#include "core/console.h"
#include "core/image.h"
#include "core/ksyms.h"
#include "cpu.h"
#include "lib/fmt.h"
#include "mm/vm.h"
#include "paging.h"

#include <keel/boot.h>

#define BACKTRACE_RECORD 16 /* bytes of a frame record: next rbp, return address */

static struct ksyms backtrace_syms;

static uint64_t backtrace_va(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* [lo, hi) holds the record at fp, computed without wrapping. */
static bool backtrace_within(uint64_t fp, uint64_t lo, uint64_t hi)
{
	return fp >= lo && hi - lo >= BACKTRACE_RECORD && fp <= hi - BACKTRACE_RECORD;
}

/* Whether the kernel's own page tables are the live ones (they exist after vm_init). */
static bool backtrace_tables_live(void)
{
	const struct paging *pt = vm_tables();

	return pt->root != 0 && (cpu_read_cr3() & CPU_CR3_ADDR_MASK) == pt->root;
}

/* NULL when the record at fp may be read, else why not. */
static const char *backtrace_check_record(uint64_t fp)
{
	struct paging_leaf leaf;

	if (fp & 7)
		return "frame pointer not 8-byte aligned";
	if (backtrace_within(fp, backtrace_va(kernel_data_start), backtrace_va(kernel_image_end)))
		return NULL;
	if (!backtrace_within(fp, VM_STACK_BASE, VM_STACK_END))
		return "frame pointer outside the kernel stacks";
	if (!backtrace_tables_live())
		return "frame pointer in the stack window before its tables are live";
	/* An aligned 16-byte record spans at most two pages. */
	if (paging_lookup(vm_tables(), fp, &leaf) != 0 ||
	    paging_lookup(vm_tables(), fp + BACKTRACE_RECORD - 1, &leaf) != 0)
		return "frame pointer not mapped";
	return NULL;
}

void backtrace_walk(uint64_t rip, uint64_t rbp, struct backtrace *bt)
{
	uint64_t prev = 0;

	bt->count = 0;
	bt->stop = NULL;
	bt->stop_value = 0;
	bt->pc[bt->count++] = rip;
	while (rbp != 0) {
		const volatile uint64_t *record;
		const char *why = NULL;
		uint64_t ret;

		if (bt->count == BACKTRACE_MAX)
			why = "more frames not shown";
		else if (rbp <= prev)
			why = "frame pointer not above the previous one";
		else
			why = backtrace_check_record(rbp);
		if (why) {
			bt->stop = why;
			bt->stop_value = rbp;
			return;
		}
		record = (const volatile uint64_t *)(uintptr_t)rbp;
		ret = record[1];
		if (ret <= backtrace_va(kernel_image_start) ||
		    ret > backtrace_va(kernel_text_end)) {
			bt->stop = "return address outside kernel text";
			bt->stop_value = ret;
			return;
		}
		bt->pc[bt->count++] = ret;
		prev = rbp;
		rbp = record[0];
	}
}

void backtrace_format(const struct backtrace *bt, size_t i, char *buf, size_t size)
{
	/* Return addresses (every frame but the first) are named by the call before them. */
	uint64_t back = i > 0 ? 1 : 0;
	const char *name;
	uint64_t offset;

	if (backtrace_syms.table == NULL) {
		backtrace_syms.size = (size_t)(ksyms_image_end - ksyms_image);
		backtrace_syms.base = KEEL_KERNEL_BASE;
		backtrace_syms.table = ksyms_image;
	}
	if (i >= bt->count) {
		fmt_snprintf(buf, size, "  #%zu (no such frame)", i);
		return;
	}
	if (ksyms_lookup(&backtrace_syms, bt->pc[i] - back, &name, &offset))
		fmt_snprintf(buf, size, "  #%zu 0x%016llx %s+0x%llx", i,
			     (unsigned long long)bt->pc[i], name,
			     (unsigned long long)(offset + back));
	else
		fmt_snprintf(buf, size, "  #%zu 0x%016llx ?", i, (unsigned long long)bt->pc[i]);
}

void backtrace_print(uint64_t rip, uint64_t rbp)
{
	struct backtrace bt;
	char line[CONSOLE_LINE_MAX];

	backtrace_walk(rip, rbp, &bt);
	kprintf("  backtrace:\n");
	for (size_t i = 0; i < bt.count; i++) {
		backtrace_format(&bt, i, line, sizeof(line));
		kprintf("%s\n", line);
	}
	if (bt.stop)
		kprintf("  (backtrace stopped: %s: 0x%016llx)\n", bt.stop,
			(unsigned long long)bt.stop_value);
}
