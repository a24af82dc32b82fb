// Pooling kernels for float and double: pool_impl.h instantiated twice.
#include "internal.h"
#include <immintrin.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

// Vector helpers of the AVX-512 average-pool rows (pool_impl.h).
__attribute__((target("avx512f"))) static inline __m512i even_f32(void) {
    return _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
}
__attribute__((target("avx512f"))) static inline __m512i dup_f32(int offset) {
    return _mm512_add_epi32(_mm512_set_epi32(7, 7, 6, 6, 5, 5, 4, 4, 3, 3, 2, 2, 1, 1, 0, 0), _mm512_set1_epi32(offset));
}
__attribute__((target("avx512f"))) static inline __m512i even_f64(void) {
    return _mm512_set_epi64(14, 12, 10, 8, 6, 4, 2, 0);
}
__attribute__((target("avx512f"))) static inline __m512i dup_f64(int offset) {
    return _mm512_add_epi64(_mm512_set_epi64(3, 3, 2, 2, 1, 1, 0, 0), _mm512_set1_epi64(offset));
}

#define T float
#define SUF f32
#define VL 16
#define VTYPE __m512
#define VIDX __m512i
#define VMASK __mmask16
#define VFULL 0xFFFFu
#define VEVENLANES 0x5555u
#define VLOADU _mm512_loadu_ps
#define VLOADZ _mm512_maskz_loadu_ps
#define VSTOREU _mm512_storeu_ps
#define VADD _mm512_add_ps
#define VDIV _mm512_div_ps
#define VSET1 _mm512_set1_ps
#define VZERO _mm512_setzero_ps
#define VPERM2 _mm512_permutex2var_ps
#define VPERM1 _mm512_permutexvar_ps
#define VMASKADD _mm512_mask_add_ps
#define VCMPGT(a, b) _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ)
#define VCMPUNORD(a) _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q)
#define VMOVMASK _mm512_mask_mov_ps
#define VSTOREIDX(p, v) _mm512_storeu_si512((void *)(p), v)
#define VEVEN even_f32
#define VDUP dup_f32
#include "pool_impl.h"
#undef VL
#undef VTYPE
#undef VMASK
#undef VFULL
#undef VEVENLANES
#undef VLOADU
#undef VLOADZ
#undef VSTOREU
#undef VADD
#undef VDIV
#undef VSET1
#undef VZERO
#undef VPERM2
#undef VPERM1
#undef VMASKADD
#undef VCMPGT
#undef VCMPUNORD
#undef VMOVMASK
#undef VSTOREIDX
#undef VEVEN
#undef VDUP
#undef T
#undef SUF

#define T double
#define SUF f64
#define VL 8
#define VTYPE __m512d
#define VMASK __mmask8
#define VFULL 0xFFu
#define VEVENLANES 0x55u
#define VLOADU _mm512_loadu_pd
#define VLOADZ _mm512_maskz_loadu_pd
#define VSTOREU _mm512_storeu_pd
#define VADD _mm512_add_pd
#define VDIV _mm512_div_pd
#define VSET1 _mm512_set1_pd
#define VZERO _mm512_setzero_pd
#define VPERM2 _mm512_permutex2var_pd
#define VPERM1 _mm512_permutexvar_pd
#define VMASKADD _mm512_mask_add_pd
#define VCMPGT(a, b) _mm512_cmp_pd_mask(a, b, _CMP_GT_OQ)
#define VCMPUNORD(a) _mm512_cmp_pd_mask(a, a, _CMP_UNORD_Q)
#define VMOVMASK _mm512_mask_mov_pd
#define VSTOREIDX(p, v) _mm256_storeu_si256((__m256i *)(p), _mm512_castsi512_si256(v))
#define VEVEN even_f64
#define VDUP dup_f64
#include "pool_impl.h"
#undef T
#undef SUF
