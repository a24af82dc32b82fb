// The packed GEMM driver for float and double: gemm_impl.h instantiated twice.
#include "internal.h"

long cg_gemm_kc(long k) {
    if (k <= 0) return 1;
    long blocks = (k + 255) / 256;
    return (k + blocks - 1) / blocks;
}

#define T float
#define SUF f32
#define NR CG_NR_F32
#define UKR cg_kernel_f32
#include "gemm_impl.h"
#undef T
#undef SUF
#undef NR
#undef UKR

#define T double
#define SUF f64
#define NR CG_NR_F64
#define UKR cg_kernel_f64
#include "gemm_impl.h"
#undef T
#undef SUF
#undef NR
#undef UKR

long cg_gemm_tasks(const cg_gemm *g, int f64) { return f64 ? gemm_tasks_f64(g) : gemm_tasks_f32(g); }
