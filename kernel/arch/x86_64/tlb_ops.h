/*
 * kernel/arch/x86_64/tlb_ops.h: the TLB policy (mm/tlbpolicy.h) plugged into
 * this machine's TLB primitives (tlb.h) and cross-calls.
 */
#ifndef KEEL_ARCH_X86_64_TLB_OPS_H
#define KEEL_ARCH_X86_64_TLB_OPS_H

#include "mm/tlbpolicy.h"

extern const struct tlb_ops tlb_ops_kernel;

#endif
