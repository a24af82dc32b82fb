// GEMM micro-kernels, one per instruction set, chosen at run time. Compiled without CPU
// flags: each fast kernel carries its own `target` attribute, so the binary runs anywhere.
#include "internal.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <immintrin.h>

// MARK: the kernels, instantiated for float and double (ukr_impl.h)

#define T float
#define SUF f32
#define NR CG_NR_F32
#define SFMA fmaf
#define V512 __m512
#define L512 16
#define SET1_512 _mm512_set1_ps
#define FMA_512 _mm512_fmadd_ps
#define LOAD_512 _mm512_loadu_ps
#define STORE_512 _mm512_storeu_ps
#define ADD_512 _mm512_add_ps
#define ZERO_512 _mm512_setzero_ps
#define V256 __m256
#define L256 8
#define SET1_256 _mm256_set1_ps
#define FMA_256 _mm256_fmadd_ps
#define LOAD_256 _mm256_loadu_ps
#define STORE_256 _mm256_storeu_ps
#define ADD_256 _mm256_add_ps
#define ZERO_256 _mm256_setzero_ps
#include "ukr_impl.h"
#undef T
#undef SUF
#undef NR
#undef SFMA
#undef V512
#undef L512
#undef SET1_512
#undef FMA_512
#undef LOAD_512
#undef STORE_512
#undef ADD_512
#undef ZERO_512
#undef V256
#undef L256
#undef SET1_256
#undef FMA_256
#undef LOAD_256
#undef STORE_256
#undef ADD_256
#undef ZERO_256

#define T double
#define SUF f64
#define NR CG_NR_F64
#define SFMA fma
#define V512 __m512d
#define L512 8
#define SET1_512 _mm512_set1_pd
#define FMA_512 _mm512_fmadd_pd
#define LOAD_512 _mm512_loadu_pd
#define STORE_512 _mm512_storeu_pd
#define ADD_512 _mm512_add_pd
#define ZERO_512 _mm512_setzero_pd
#define V256 __m256d
#define L256 4
#define SET1_256 _mm256_set1_pd
#define FMA_256 _mm256_fmadd_pd
#define LOAD_256 _mm256_loadu_pd
#define STORE_256 _mm256_storeu_pd
#define ADD_256 _mm256_add_pd
#define ZERO_256 _mm256_setzero_pd
#include "ukr_impl.h"

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
    case CG_ISA_AVX512: return ukr_avx512_f32;
    case CG_ISA_AVX2: return ukr_avx2_f32;
    default: return ukr_portable_f32;
    }
}

cg_ukr_f64 cg_kernel_f64(void) {
    switch (cg_isa()) {
    case CG_ISA_AVX512: return ukr_avx512_f64;
    case CG_ISA_AVX2: return ukr_avx2_f64;
    default: return ukr_portable_f64;
    }
}

long cg_next_task(long *counter) { return __atomic_fetch_add(counter, 1, __ATOMIC_RELAXED); }

// MARK: per-thread workspace

static void cg_out_of_memory(size_t bytes) {
    fprintf(stderr, "convgraph: out of memory allocating %zu bytes of kernel workspace\n", bytes);
    abort();
}

void *cg_alloc(size_t bytes) {
    void *data = malloc(bytes ? bytes : 1);
    if (!data) cg_out_of_memory(bytes);
    return data;
}

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
    if (!data) cg_out_of_memory(rounded);
    current.data = data;
    current.bytes = rounded;
    pthread_setspecific(workspace_key, &current);
    return data;
}


void cg_keep_heap(void) {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}

