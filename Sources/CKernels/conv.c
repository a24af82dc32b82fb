// Convolution drivers for float and double: conv_impl.h instantiated twice.
#include "internal.h"
#include <string.h>
#include <immintrin.h>

__attribute__((target("avx512f"))) static inline __m512i even_idx_f32(void) {
    return _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
}
__attribute__((target("avx512f"))) static inline __m512i even_idx_f64(void) {
    return _mm512_set_epi64(14, 12, 10, 8, 6, 4, 2, 0);
}

#define T float
#define SUF f32
#define NR CG_NR_F32
#define UKR cg_kernel_f32
#define VL 16
#define VMASK __mmask16
#define VMASKWIDE unsigned
#define VZERO _mm512_setzero_ps
#define VSTORE _mm512_storeu_ps
#define VMASKSTORE _mm512_mask_storeu_ps
#define VTYPE __m512
#define VLOADZ _mm512_maskz_loadu_ps
#define VIDX __m512i
#define VEVENIDX even_idx_f32
#define VPERM2 _mm512_permutex2var_ps
#define VOR(a, b) _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(a), _mm512_castps_si512(b)))
#include "conv_impl.h"
#undef VL
#undef VMASK
#undef VMASKWIDE
#undef VZERO
#undef VSTORE
#undef VMASKSTORE
#undef VTYPE
#undef VLOADZ
#undef VEVENIDX
#undef VPERM2
#undef VOR
#undef T
#undef SUF
#undef NR
#undef UKR

#define T double
#define SUF f64
#define NR CG_NR_F64
#define UKR cg_kernel_f64
#define VL 8
#define VMASK __mmask8
#define VMASKWIDE unsigned
#define VZERO _mm512_setzero_pd
#define VSTORE _mm512_storeu_pd
#define VMASKSTORE _mm512_mask_storeu_pd
#define VTYPE __m512d
#define VLOADZ _mm512_maskz_loadu_pd
#define VEVENIDX even_idx_f64
#define VPERM2 _mm512_permutex2var_pd
#define VOR(a, b) _mm512_castsi512_pd(_mm512_or_si512(_mm512_castpd_si512(a), _mm512_castpd_si512(b)))
#include "conv_impl.h"
#undef T
#undef SUF
#undef NR
#undef UKR

long cg_conv_fwd_tasks(const cg_conv *d, int f64) { return f64 ? fwd_tasks_f64(d) : fwd_tasks_f32(d); }
long cg_conv_fwd_packed_count(const cg_conv *d, int f64) { return f64 ? fwd_packed_count_f64(d) : fwd_packed_count_f32(d); }
long cg_conv_bwd_data_tasks(const cg_conv *d, int f64) { return f64 ? bwd_data_tasks_f64(d) : bwd_data_tasks_f32(d); }
long cg_conv_bwd_weight_chunks(const cg_conv *d, int f64) { return f64 ? bwd_weight_chunks_f64(d) : bwd_weight_chunks_f32(d); }
long cg_conv_bwd_weight_tasks(const cg_conv *d, int f64) { return f64 ? bwd_weight_tasks_f64(d) : bwd_weight_tasks_f32(d); }
