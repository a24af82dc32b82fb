// A plain packed GEMM on the micro-kernels of microkernels.c (included by CKernels.h).
#ifndef CONVGRAPH_CG_GEMM_H
#define CONVGRAPH_CG_GEMM_H

#ifdef __cplusplus
extern "C" {
#endif

/// C (m × n, row stride ldc) = A (m × k) · B (k × n) [+ bias per column], with A and B read
/// through arbitrary element strides, so a transposed operand costs nothing:
/// A(i, p) = a[i·rsa + p·csa], B(p, j) = b[p·rsb + j·csb], C(i, j) = c[i·ldc + j].
///
/// Each C(i, j) is, for the reduction blocks [k0, k0 + kc) of `cg_gemm_kc(k)` in increasing
/// order, one FMA chain over p from 0; the blocks' sums are added in order, then the bias.
/// Tasks (0 ..< `cg_gemm_tasks`) own disjoint blocks of C cut by shape only, so the bytes do
/// not depend on the thread count nor on the instruction-set path.
typedef struct {
    long m, n, k;
    long rsa, csa;
    long rsb, csb;
    long ldc;
} cg_gemm;

/// The length of the reduction blocks: k split evenly into blocks of at most 256.
long cg_gemm_kc(long k);
long cg_gemm_tasks(const cg_gemm *g, int f64);
/// Writes (not adds) task `task`'s block of C; `bias` (n values, or NULL) is added last.
void cg_gemm_task_f32(const cg_gemm *g, const float *a, const float *b, const float *bias, float *c, long task);
void cg_gemm_task_f64(const cg_gemm *g, const double *a, const double *b, const double *bias, double *c, long task);

#ifdef __cplusplus
}
#endif
#endif
