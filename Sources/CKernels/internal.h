// Shared between the micro-kernels and the drivers; not part of the public header.
#ifndef CONVGRAPH_CKERNELS_INTERNAL_H
#define CONVGRAPH_CKERNELS_INTERNAL_H

#include "CKernels.h"

// Register tile: MR rows × NR columns of C per micro-kernel call.
#define CG_MR 8
#define CG_NR_F32 32
#define CG_NR_F64 16

/// C[0..<MR, 0..<NR] (row stride ldc) = (accumulate ? C : 0) + Σ_k a[k·MR + i] · b[k·NR + j],
/// where the sum is one FMA chain over k = 0 ..< kc starting from 0, then added to C.
typedef void (*cg_ukr_f32)(long kc, const float *a, const float *b, float *c, long ldc, int accumulate);
typedef void (*cg_ukr_f64)(long kc, const double *a, const double *b, double *c, long ldc, int accumulate);

cg_ukr_f32 cg_kernel_f32(void);
cg_ukr_f64 cg_kernel_f64(void);

/// The calling thread's workspace, at least `bytes` long, 64-byte aligned. Out of memory
/// aborts, as a Swift allocation does: a kernel never returns with its output unwritten.
void *cg_workspace(size_t bytes);
/// `malloc` that aborts when out of memory (see `cg_workspace`).
void *cg_alloc(size_t bytes);

#endif
