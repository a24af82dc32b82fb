// GEMM micro-kernels for one scalar type, included by microkernels.c for float (SUF f32)
// and double (SUF f64). Expects T, SUF, NR, and the vector macros V512/V256 (types), L512/
// L256 (lanes) and their SET1, FMA, LOAD, STORE, ADD and ZERO operations.

#define CAT_(a, b) a##_##b
#define CAT(a, b) CAT_(a, b)
#define FN(name) CAT(name, SUF)

// MARK: portable: the same FMA chain, one element at a time (fma/fmaf are correctly
// rounded, as the vector instructions are).

static void FN(ukr_portable)(long kc, const T *a, const T *b, T *c, long ldc, int accumulate) {
    T acc[CG_MR][NR];
    memset(acc, 0, sizeof acc);
    for (long k = 0; k < kc; k++)
        for (int i = 0; i < CG_MR; i++)
            for (int j = 0; j < NR; j++)
                acc[i][j] = SFMA(a[k * CG_MR + i], b[k * NR + j], acc[i][j]);
    for (int i = 0; i < CG_MR; i++)
        for (int j = 0; j < NR; j++)
            c[i * ldc + j] = accumulate ? c[i * ldc + j] + acc[i][j] : acc[i][j];
}

// MARK: AVX-512: 8 rows × 2 vectors, 16 accumulators

#define ROW512(i) \
    { V512 ai = SET1_512(a[i]); c##i##0 = FMA_512(ai, b0, c##i##0); c##i##1 = FMA_512(ai, b1, c##i##1); }
#define STORE512(i) \
    { T *r = c + (i) * ldc; \
      if (accumulate) { STORE_512(r, ADD_512(LOAD_512(r), c##i##0)); STORE_512(r + L512, ADD_512(LOAD_512(r + L512), c##i##1)); } \
      else { STORE_512(r, c##i##0); STORE_512(r + L512, c##i##1); } }

__attribute__((target("avx512f")))
static void FN(ukr_avx512)(long kc, const T *a, const T *b, T *c, long ldc, int accumulate) {
    V512 c00 = ZERO_512(), c01 = ZERO_512(), c10 = ZERO_512(), c11 = ZERO_512(), c20 = ZERO_512(), c21 = ZERO_512();
    V512 c30 = ZERO_512(), c31 = ZERO_512(), c40 = ZERO_512(), c41 = ZERO_512(), c50 = ZERO_512(), c51 = ZERO_512();
    V512 c60 = ZERO_512(), c61 = ZERO_512(), c70 = ZERO_512(), c71 = ZERO_512();
    for (long k = 0; k < kc; k++) {
        V512 b0 = LOAD_512(b), b1 = LOAD_512(b + L512);
        ROW512(0) ROW512(1) ROW512(2) ROW512(3) ROW512(4) ROW512(5) ROW512(6) ROW512(7)
        a += CG_MR; b += 2 * L512;
    }
    STORE512(0) STORE512(1) STORE512(2) STORE512(3) STORE512(4) STORE512(5) STORE512(6) STORE512(7)
}

// MARK: AVX2: the same tile in four passes of 4 rows × 2 vectors (8 accumulators), so
// nothing spills from the 16 ymm registers.

#define ROW256(i) \
    { V256 ai = SET1_256(ap[i]); c##i##0 = FMA_256(ai, b0, c##i##0); c##i##1 = FMA_256(ai, b1, c##i##1); }
#define STORE256(i) \
    { T *r = c + (r0 + i) * ldc + col; \
      if (accumulate) { STORE_256(r, ADD_256(LOAD_256(r), c##i##0)); STORE_256(r + L256, ADD_256(LOAD_256(r + L256), c##i##1)); } \
      else { STORE_256(r, c##i##0); STORE_256(r + L256, c##i##1); } }

__attribute__((target("avx2,fma")))
static void FN(ukr_avx2)(long kc, const T *a, const T *b, T *c, long ldc, int accumulate) {
    for (int r0 = 0; r0 < CG_MR; r0 += 4)
        for (int col = 0; col < NR; col += 2 * L256) {
            V256 c00 = ZERO_256(), c01 = ZERO_256(), c10 = ZERO_256(), c11 = ZERO_256();
            V256 c20 = ZERO_256(), c21 = ZERO_256(), c30 = ZERO_256(), c31 = ZERO_256();
            const T *ap = a + r0, *bp = b + col;
            for (long k = 0; k < kc; k++) {
                V256 b0 = LOAD_256(bp), b1 = LOAD_256(bp + L256);
                ROW256(0) ROW256(1) ROW256(2) ROW256(3)
                ap += CG_MR; bp += NR;
            }
            STORE256(0) STORE256(1) STORE256(2) STORE256(3)
        }
}

#undef ROW512
#undef STORE512
#undef ROW256
#undef STORE256
#undef CAT_
#undef CAT
#undef FN
