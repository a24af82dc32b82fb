// GEMM micro-kernels, one per instruction set, chosen at run time. Compiled without CPU
// flags: each fast kernel carries its own `target` attribute, so the binary runs anywhere.
#include "internal.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <immintrin.h>

// MARK: portable

static void ukr_f32_portable(long kc, const float *a, const float *b, float *c, long ldc, int accumulate) {
    float acc[CG_MR][CG_NR_F32];
    memset(acc, 0, sizeof acc);
    for (long k = 0; k < kc; k++)
        for (int i = 0; i < CG_MR; i++)
            for (int j = 0; j < CG_NR_F32; j++)
                acc[i][j] = fmaf(a[k * CG_MR + i], b[k * CG_NR_F32 + j], acc[i][j]);
    for (int i = 0; i < CG_MR; i++)
        for (int j = 0; j < CG_NR_F32; j++)
            c[i * ldc + j] = accumulate ? c[i * ldc + j] + acc[i][j] : acc[i][j];
}

static void ukr_f64_portable(long kc, const double *a, const double *b, double *c, long ldc, int accumulate) {
    double acc[CG_MR][CG_NR_F64];
    memset(acc, 0, sizeof acc);
    for (long k = 0; k < kc; k++)
        for (int i = 0; i < CG_MR; i++)
            for (int j = 0; j < CG_NR_F64; j++)
                acc[i][j] = fma(a[k * CG_MR + i], b[k * CG_NR_F64 + j], acc[i][j]);
    for (int i = 0; i < CG_MR; i++)
        for (int j = 0; j < CG_NR_F64; j++)
            c[i * ldc + j] = accumulate ? c[i * ldc + j] + acc[i][j] : acc[i][j];
}

// MARK: AVX-512: 8 rows × 2 vectors, 16 accumulators

#define ROW512(T, i) \
    { V ai = SET1(a[i]); c##i##0 = FMA(ai, b0, c##i##0); c##i##1 = FMA(ai, b1, c##i##1); }
#define STORE512(i) \
    { T *r = c + (i) * ldc; \
      if (accumulate) { STORE(r, ADD(LOAD(r), c##i##0)); STORE(r + L, ADD(LOAD(r + L), c##i##1)); } \
      else { STORE(r, c##i##0); STORE(r + L, c##i##1); } }

#define V __m512
#define T float
#define L 16
#define SET1 _mm512_set1_ps
#define FMA _mm512_fmadd_ps
#define LOAD _mm512_loadu_ps
#define STORE _mm512_storeu_ps
#define ADD _mm512_add_ps
#define ZERO _mm512_setzero_ps
__attribute__((target("avx512f")))
static void ukr_f32_avx512(long kc, const float *a, const float *b, float *c, long ldc, int accumulate) {
    V c00 = ZERO(), c01 = ZERO(), c10 = ZERO(), c11 = ZERO(), c20 = ZERO(), c21 = ZERO(), c30 = ZERO(), c31 = ZERO();
    V c40 = ZERO(), c41 = ZERO(), c50 = ZERO(), c51 = ZERO(), c60 = ZERO(), c61 = ZERO(), c70 = ZERO(), c71 = ZERO();
    for (long k = 0; k < kc; k++) {
        V b0 = LOAD(b), b1 = LOAD(b + L);
        ROW512(T, 0) ROW512(T, 1) ROW512(T, 2) ROW512(T, 3) ROW512(T, 4) ROW512(T, 5) ROW512(T, 6) ROW512(T, 7)
        a += CG_MR; b += 2 * L;
    }
    STORE512(0) STORE512(1) STORE512(2) STORE512(3) STORE512(4) STORE512(5) STORE512(6) STORE512(7)
}
#undef V
#undef T
#undef L
#undef SET1
#undef FMA
#undef LOAD
#undef STORE
#undef ADD
#undef ZERO

#define V __m512d
#define T double
#define L 8
#define SET1 _mm512_set1_pd
#define FMA _mm512_fmadd_pd
#define LOAD _mm512_loadu_pd
#define STORE _mm512_storeu_pd
#define ADD _mm512_add_pd
#define ZERO _mm512_setzero_pd
__attribute__((target("avx512f")))
static void ukr_f64_avx512(long kc, const double *a, const double *b, double *c, long ldc, int accumulate) {
    V c00 = ZERO(), c01 = ZERO(), c10 = ZERO(), c11 = ZERO(), c20 = ZERO(), c21 = ZERO(), c30 = ZERO(), c31 = ZERO();
    V c40 = ZERO(), c41 = ZERO(), c50 = ZERO(), c51 = ZERO(), c60 = ZERO(), c61 = ZERO(), c70 = ZERO(), c71 = ZERO();
    for (long k = 0; k < kc; k++) {
        V b0 = LOAD(b), b1 = LOAD(b + L);
        ROW512(T, 0) ROW512(T, 1) ROW512(T, 2) ROW512(T, 3) ROW512(T, 4) ROW512(T, 5) ROW512(T, 6) ROW512(T, 7)
        a += CG_MR; b += 2 * L;
    }
    STORE512(0) STORE512(1) STORE512(2) STORE512(3) STORE512(4) STORE512(5) STORE512(6) STORE512(7)
}
#undef V
#undef T
#undef L
#undef SET1
#undef FMA
#undef LOAD
#undef STORE
#undef ADD
#undef ZERO

// MARK: AVX2: the same tile in four passes of 4 rows × 2 vectors (8 accumulators), so
// nothing spills from the 16 ymm registers.

#define ROW256(i) \
    { V ai = SET1(ap[i]); c##i##0 = FMA(ai, b0, c##i##0); c##i##1 = FMA(ai, b1, c##i##1); }
#define STORE256(i) \
    { T *r = c + (r0 + i) * ldc + col; \
      if (accumulate) { STORE(r, ADD(LOAD(r), c##i##0)); STORE(r + L, ADD(LOAD(r + L), c##i##1)); } \
      else { STORE(r, c##i##0); STORE(r + L, c##i##1); } }
#define PASSES(NR) \
    for (int r0 = 0; r0 < CG_MR; r0 += 4) \
        for (int col = 0; col < NR; col += 2 * L) { \
            V c00 = ZERO(), c01 = ZERO(), c10 = ZERO(), c11 = ZERO(), c20 = ZERO(), c21 = ZERO(), c30 = ZERO(), c31 = ZERO(); \
            const T *ap = a + r0, *bp = b + col; \
            for (long k = 0; k < kc; k++) { \
                V b0 = LOAD(bp), b1 = LOAD(bp + L); \
                ROW256(0) ROW256(1) ROW256(2) ROW256(3) \
                ap += CG_MR; bp += NR; \
            } \
            STORE256(0) STORE256(1) STORE256(2) STORE256(3) \
        }

#define V __m256
#define T float
#define L 8
#define SET1 _mm256_set1_ps
#define FMA _mm256_fmadd_ps
#define LOAD _mm256_loadu_ps
#define STORE _mm256_storeu_ps
#define ADD _mm256_add_ps
#define ZERO _mm256_setzero_ps
__attribute__((target("avx2,fma")))
static void ukr_f32_avx2(long kc, const float *a, const float *b, float *c, long ldc, int accumulate) {
    PASSES(CG_NR_F32)
}
#undef V
#undef T
#undef L
#undef SET1
#undef FMA
#undef LOAD
#undef STORE
#undef ADD
#undef ZERO

#define V __m256d
#define T double
#define L 4
#define SET1 _mm256_set1_pd
#define FMA _mm256_fmadd_pd
#define LOAD _mm256_loadu_pd
#define STORE _mm256_storeu_pd
#define ADD _mm256_add_pd
#define ZERO _mm256_setzero_pd
__attribute__((target("avx2,fma")))
static void ukr_f64_avx2(long kc, const double *a, const double *b, double *c, long ldc, int accumulate) {
    PASSES(CG_NR_F64)
}

// MARK: dispatch

static int best_isa = -1;
static int chosen_isa = -1;

int cg_isa_best(void) {
    int best = __atomic_load_n(&best_isa, __ATOMIC_RELAXED);
    if (best < 0) {
        __builtin_cpu_init();
        if (__builtin_cpu_supports("avx512f")) best = CG_ISA_AVX512;
        else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) best = CG_ISA_AVX2;
        else best = CG_ISA_PORTABLE;
        __atomic_store_n(&best_isa, best, __ATOMIC_RELAXED);
    }
    return best;
}

int cg_isa(void) {
    int isa = __atomic_load_n(&chosen_isa, __ATOMIC_RELAXED);
    return isa < 0 ? cg_isa_best() : isa;
}

void cg_set_isa(int isa) {
    int best = cg_isa_best();
    if (isa < CG_ISA_PORTABLE) isa = CG_ISA_PORTABLE;
    __atomic_store_n(&chosen_isa, isa > best ? best : isa, __ATOMIC_RELAXED);
}

cg_ukr_f32 cg_kernel_f32(void) {
    switch (cg_isa()) {
    case CG_ISA_AVX512: return ukr_f32_avx512;
    case CG_ISA_AVX2: return ukr_f32_avx2;
    default: return ukr_f32_portable;
    }
}

cg_ukr_f64 cg_kernel_f64(void) {
    switch (cg_isa()) {
    case CG_ISA_AVX512: return ukr_f64_avx512;
    case CG_ISA_AVX2: return ukr_f64_avx2;
    default: return ukr_f64_portable;
    }
}

long cg_next_task(long *counter) { return __atomic_fetch_add(counter, 1, __ATOMIC_RELAXED); }

// MARK: per-thread workspace

static pthread_key_t workspace_key;
static pthread_once_t workspace_once = PTHREAD_ONCE_INIT;
typedef struct { void *data; size_t bytes; } workspace;
static __thread workspace current;

static void workspace_destroy(void *p) {
    workspace *w = p;
    free(w->data);
    w->data = NULL;
    w->bytes = 0;
}
static void workspace_key_create(void) { pthread_key_create(&workspace_key, workspace_destroy); }

void *cg_workspace(size_t bytes) {
    if (current.bytes >= bytes) return current.data;
    pthread_once(&workspace_once, workspace_key_create);
    free(current.data);
    current.data = NULL;
    current.bytes = 0;
    size_t rounded = (bytes + 63) & ~(size_t)63;
    void *data = aligned_alloc(64, rounded);
    if (!data) return NULL;
    current.data = data;
    current.bytes = rounded;
    pthread_setspecific(workspace_key, &current);
    return data;
}

void cg_release_workspace(void) { workspace_destroy(&current); }
size_t cg_workspace_bytes(void) { return current.bytes; }

void cg_keep_heap(void) {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}

void cg_trim_heap(void) {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}
