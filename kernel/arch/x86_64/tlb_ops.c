/*
 * kernel/arch/x86_64/tlb_ops.c: the TLB policy's operations (mm/tlbpolicy.h
 * struct tlb_ops) on this machine: the tlb.h primitives of the CPU the call
 * runs on, and shootdowns as cross-calls that run the policy's handler with
 * each target CPU's own slot cache.
 */
#include "tlb_ops.h"

#include "core/arch.h"
#include "percpu.h"
#include "tlb.h"

static int tlb_ops_load_cr3(void *ctx, uint64_t root, uint16_t pcid, bool keep)
{
	(void)ctx;
	return tlb_load_cr3(root, pcid, keep) == TLB_OK ? 0 : -KEEL_EINVAL;
}

static void tlb_ops_flush_page(void *ctx, uint64_t va)
{
	(void)ctx;
	tlb_flush_page((const volatile void *)(uintptr_t)va);
}

static int tlb_ops_flush_pcid(void *ctx, uint16_t pcid)
{
	(void)ctx;
	return tlb_flush_pcid(pcid) == TLB_OK ? 0 : -KEEL_EINVAL;
}

static void tlb_ops_flush_all(void *ctx)
{
	(void)ctx;
	tlb_flush_all();
}

/* Runs on each target CPU (interrupt context): the request against its own cache. */
static void tlb_ops_shootdown_here(void *req)
{
	tlb_shootdown_handle(&percpu_this()->pcid, req);
}

static void tlb_ops_send_shootdown(void *ctx, uint64_t cpu_mask, const struct tlb_shootdown *req)
{
	(void)ctx;
	/* The request stays on the sender's stack: arch_cross_call returns only when all ran it. */
	arch_cross_call(cpu_mask, tlb_ops_shootdown_here, (void *)(uintptr_t)req);
}

const struct tlb_ops tlb_ops_kernel = {
    tlb_ops_load_cr3,  tlb_ops_flush_page,     tlb_ops_flush_pcid,
    tlb_ops_flush_all, tlb_ops_send_shootdown,
};
