// Element-wise and data-movement kernels (relu, add, pad, losses, NumPy's pairwise sum) and
// the FMA peak probe of `bench`. Memory-bound loops: an AVX2 path and a portable one, with
// the same single operations per element, so every path gives the same bytes.
#include "internal.h"
#include <immintrin.h>
#include <string.h>
#include <time.h>

// A contracted x·x + r (one FMA) would round differently from NumPy's separate multiply
// and add, and only on some paths: never contract.
#pragma STDC FP_CONTRACT OFF
#pragma clang fp contract(off)

#define T float
#define SUF f32
#define PATH avx2
#define ATTR __attribute__((target("avx2")))
#include "elementwise_impl.h"
#undef PATH
#undef ATTR
#define PATH portable
#define ATTR
#define WITH_PAIRWISE 1
#include "elementwise_impl.h"
#undef WITH_PAIRWISE
#undef PATH
#undef ATTR
#undef T
#undef SUF

#define T double
#define SUF f64
#define PATH avx2
#define ATTR __attribute__((target("avx2")))
#include "elementwise_impl.h"
#undef PATH
#undef ATTR
#define PATH portable
#define ATTR
#define WITH_PAIRWISE 1
#include "elementwise_impl.h"
#undef WITH_PAIRWISE
#undef PATH
#undef ATTR
#undef T
#undef SUF

#define DISPATCH(name, suf, ...) \
    do { if (cg_isa() >= CG_ISA_AVX2) name##_avx2_##suf(__VA_ARGS__); else name##_portable_##suf(__VA_ARGS__); } while (0)

void cg_relu_fwd_f32(const float *x, float *y, long n) { DISPATCH(relu_fwd, f32, x, y, n); }
void cg_relu_fwd_f64(const double *x, double *y, long n) { DISPATCH(relu_fwd, f64, x, y, n); }
void cg_relu_bwd_f32(const float *y, const float *g, float *dx, long n) { DISPATCH(relu_bwd, f32, y, g, dx, n); }
void cg_relu_bwd_f64(const double *y, const double *g, double *dx, long n) { DISPATCH(relu_bwd, f64, y, g, dx, n); }
void cg_add_f32(const float *a, const float *b, float *out, long n) { DISPATCH(add, f32, a, b, out, n); }
void cg_add_f64(const double *a, const double *b, double *out, long n) { DISPATCH(add, f64, a, b, out, n); }
void cg_scale_f32(const float *x, float s, float *y, long n) { DISPATCH(scale, f32, x, s, y, n); }
void cg_scale_f64(const double *x, double s, double *y, long n) { DISPATCH(scale, f64, x, s, y, n); }
void cg_scaled_diff_f32(const float *x, const float *t, float s, float *dx, float *dt, long n) { DISPATCH(scaled_diff, f32, x, t, s, dx, dt, n); }
void cg_scaled_diff_f64(const double *x, const double *t, double s, double *dx, double *dt, long n) { DISPATCH(scaled_diff, f64, x, t, s, dx, dt, n); }

// MARK: pairwise sums, AVX2: the eight running sums r0…r7 of the portable loop are the
// lanes of one float vector (two double vectors), so every lane's chain is the scalar one.

#define TERM(i) (kind == 0 ? x[i] : kind == 1 ? x[i] * x[i] : (x[i] - t[i]) * (x[i] - t[i]))
#define PAIRWISE_VEC(SUF, T, V, LANES, LOAD, ADD, SUB, MUL, STORE)                                        \
__attribute__((target("avx2"))) static T pairwise_vec_##SUF(const T *x, const T *t, long n, int kind) {   \
    if (n < 8) return pairwise_portable_##SUF(x, t, n, kind);                                             \
    if (n <= 128) {                                                                                      \
        long whole = n - n % 8;                                                                          \
        V r[8 / LANES];                                                                                  \
        if (kind == 0) {                                                                                 \
            for (int h = 0; h < 8 / LANES; h++) r[h] = LOAD(x + h * LANES);                              \
            for (long i = 8; i < whole; i += 8)                                                          \
                for (int h = 0; h < 8 / LANES; h++) r[h] = ADD(r[h], LOAD(x + i + h * LANES));           \
        } else if (kind == 1) {                                                                          \
            for (int h = 0; h < 8 / LANES; h++) { V v = LOAD(x + h * LANES); r[h] = MUL(v, v); }         \
            for (long i = 8; i < whole; i += 8)                                                          \
                for (int h = 0; h < 8 / LANES; h++) { V v = LOAD(x + i + h * LANES); r[h] = ADD(r[h], MUL(v, v)); } \
        } else {                                                                                         \
            for (int h = 0; h < 8 / LANES; h++) { V d = SUB(LOAD(x + h * LANES), LOAD(t + h * LANES)); r[h] = MUL(d, d); } \
            for (long i = 8; i < whole; i += 8)                                                          \
                for (int h = 0; h < 8 / LANES; h++) {                                                    \
                    V d = SUB(LOAD(x + i + h * LANES), LOAD(t + i + h * LANES)); r[h] = ADD(r[h], MUL(d, d)); \
                }                                                                                        \
        }                                                                                                \
        T a[8];                                                                                          \
        for (int h = 0; h < 8 / LANES; h++) STORE(a + h * LANES, r[h]);                                  \
        T sum = ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));                       \
        for (long i = whole; i < n; i++) { T v = TERM(i); sum += v; }                                    \
        return sum;                                                                                      \
    }                                                                                                    \
    long half = n / 2;                                                                                   \
    half -= half % 8;                                                                                    \
    return pairwise_vec_##SUF(x, t, half, kind) + pairwise_vec_##SUF(x + half, t ? t + half : t, n - half, kind); \
}
PAIRWISE_VEC(f32, float, __m256, 8, _mm256_loadu_ps, _mm256_add_ps, _mm256_sub_ps, _mm256_mul_ps, _mm256_storeu_ps)
PAIRWISE_VEC(f64, double, __m256d, 4, _mm256_loadu_pd, _mm256_add_pd, _mm256_sub_pd, _mm256_mul_pd, _mm256_storeu_pd)
#undef TERM

float cg_pairwise_sum_f32(const float *x, const float *t, long n, int kind) {
    return cg_isa() >= CG_ISA_AVX2 ? pairwise_vec_f32(x, t, n, kind) : pairwise_portable_f32(x, t, n, kind);
}
double cg_pairwise_sum_f64(const double *x, const double *t, long n, int kind) {
    return cg_isa() >= CG_ISA_AVX2 ? pairwise_vec_f64(x, t, n, kind) : pairwise_portable_f64(x, t, n, kind);
}

// MARK: pad

// The input index output index `o` reads along one axis, or −1 for a constant cell
// (Pad.sourceIndices in Pad+Reference.swift).
static inline long pad_source(long o, long before, long size, int mode) {
    long i = o - before;
    switch (mode) {
    case CG_PAD_CONSTANT: return (i >= 0 && i < size) ? i : -1;
    case CG_PAD_EDGE: return i < 0 ? 0 : i >= size ? size - 1 : i;
    default: {
        if (size == 1) return 0;
        long period = 2 * (size - 1);
        long r = ((i % period) + period) % period;
        return r < size ? r : period - r;
    }
    }
}

#define PAD_IMPL(T, SUF) \
void cg_pad_fwd_##SUF(const cg_pad *p, const T *x, T value, T *y, long first, long end) { \
    long h = p->h, w = p->w, oh = p->oh, ow = p->ow, right = p->pl + w; \
    for (long plane = first; plane < end; plane++) { \
        const T *xp = x + plane * h * w; \
        T *yp = y + plane * oh * ow; \
        for (long i = 0; i < oh; i++) { \
            T *row = yp + i * ow; \
            long r = pad_source(i, p->pt, h, p->mode); \
            if (r < 0) { for (long j = 0; j < ow; j++) row[j] = value; continue; } \
            const T *src = xp + r * w; \
            for (long j = 0; j < p->pl; j++) { long s = pad_source(j, p->pl, w, p->mode); row[j] = s < 0 ? value : src[s]; } \
            memcpy(row + p->pl, src, (size_t)w * sizeof(T)); \
            for (long j = right; j < ow; j++) { long s = pad_source(j, p->pl, w, p->mode); row[j] = s < 0 ? value : src[s]; } \
        } \
    } \
} \
void cg_pad_bwd_##SUF(const cg_pad *p, const T *dy, T *dx, long first, long end) { \
    long h = p->h, w = p->w, oh = p->oh, ow = p->ow; \
    for (long plane = first; plane < end; plane++) { \
        const T *dyp = dy + plane * oh * ow; \
        T *dxp = dx + plane * h * w; \
        if (p->mode == CG_PAD_CONSTANT) { \
            for (long r = 0; r < h; r++) memcpy(dxp + r * w, dyp + (r + p->pt) * ow + p->pl, (size_t)w * sizeof(T)); \
            continue; \
        } \
        /* Scatter-add in row-major output order, as the reference does. */ \
        for (long k = 0; k < h * w; k++) dxp[k] = 0; \
        for (long i = 0; i < oh; i++) { \
            T *row = dxp + pad_source(i, p->pt, h, p->mode) * w; \
            const T *g = dyp + i * ow; \
            for (long j = 0; j < ow; j++) row[pad_source(j, p->pl, w, p->mode)] += g[j]; \
        } \
    } \
}
PAD_IMPL(float, f32)
PAD_IMPL(double, f64)

// MARK: FMA peak probe

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

#define PROBE_KC 64

double cg_fma_probe(int f64, double seconds, double *elapsed) {
    // Panels small enough to stay in L1; the tile's accumulators live in registers.
    static __thread double a[CG_MR * PROBE_KC], b[PROBE_KC * CG_NR_F32], c[CG_MR * CG_NR_F32];
    for (long i = 0; i < CG_MR * PROBE_KC; i++) a[i] = 1e-3;
    for (long i = 0; i < PROBE_KC * CG_NR_F32; i++) b[i] = 1e-3;
    float *af = (float *)a, *bf = (float *)b, *cf = (float *)c;
    for (long i = 0; i < CG_MR * PROBE_KC; i++) af[i] = 1e-3f;
    for (long i = 0; i < PROBE_KC * CG_NR_F32; i++) bf[i] = 1e-3f;
    cg_ukr_f32 k32 = cg_kernel_f32();
    cg_ukr_f64 k64 = cg_kernel_f64();
    double per_call = 2.0 * CG_MR * (f64 ? CG_NR_F64 : CG_NR_F32) * PROBE_KC;
    double start = now_seconds(), t = start, flops = 0;
    do {
        for (int rep = 0; rep < 32; rep++) {
            if (f64) k64(PROBE_KC, a, b, c, CG_NR_F64, 0);
            else k32(PROBE_KC, af, bf, cf, CG_NR_F32, 0);
        }
        flops += 32 * per_call;
        t = now_seconds();
    } while (t - start < seconds);
    if (elapsed) *elapsed = t - start;
    return flops;
}
