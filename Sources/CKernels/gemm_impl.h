// The GEMM driver for one scalar type, included by gemm.c for float (SUF f32) and double
// (SUF f64). Expects T, SUF, NR and UKR (the micro-kernel getter).
//
// Blocking (by shape only): tasks own MC × NC blocks of C (MC a multiple of MR, NC of NR);
// inside a task the reduction runs in blocks of cg_gemm_kc(k), each packing an MC × kc block
// of A (MR-row panels, L2-resident) and a kc × NC block of B (NR-column panels; one panel
// is L1-resident while the row panels of A stream past it).

#define CAT_(a, b) a##_##b
#define CAT(a, b) CAT_(a, b)
#define FN(name) CAT(name, SUF)

#define MC 128
#define NC (8 * NR)

static inline long FN(gceil)(long a, long b) { return (a + b - 1) / b; }
static inline long FN(gmin)(long a, long b) { return a < b ? a : b; }

static long FN(gemm_tasks)(const cg_gemm *g) { return FN(gceil)(g->m, MC) * FN(gceil)(g->n, NC); }

/// ap[ir][kk·MR + i] = A(i0 + ir·MR + i, k0 + kk), rows past `rows` zero.
static void FN(pack_a)(const cg_gemm *g, const T *a, long i0, long rows, long k0, long kc, T *ap) {
    long panels = FN(gceil)(rows, CG_MR);
    for (long ir = 0; ir < panels; ir++) {
        T *dst = ap + ir * kc * CG_MR;
        for (long i = 0; i < CG_MR; i++) {
            long r = ir * CG_MR + i;
            if (r >= rows) {
                for (long kk = 0; kk < kc; kk++) dst[kk * CG_MR + i] = 0;
            } else if (g->csa == 1) {
                const T *src = a + (i0 + r) * g->rsa + k0;
                for (long kk = 0; kk < kc; kk++) dst[kk * CG_MR + i] = src[kk];
            } else {
                const T *src = a + (i0 + r) * g->rsa + k0 * g->csa;
                for (long kk = 0; kk < kc; kk++) dst[kk * CG_MR + i] = src[kk * g->csa];
            }
        }
    }
}

/// bp[jr][kk·NR + j] = B(k0 + kk, j0 + jr·NR + j), columns past `cols` zero.
static void FN(pack_b)(const cg_gemm *g, const T *b, long j0, long cols, long k0, long kc, T *bp) {
    long panels = FN(gceil)(cols, NR);
    for (long jr = 0; jr < panels; jr++) {
        T *dst = bp + jr * kc * NR;
        long width = FN(gmin)(NR, cols - jr * NR);
        if (g->csb == 1) {
            for (long kk = 0; kk < kc; kk++) {
                const T *src = b + (k0 + kk) * g->rsb + j0 + jr * NR;
                long j = 0;
                for (; j < width; j++) dst[kk * NR + j] = src[j];
                for (; j < NR; j++) dst[kk * NR + j] = 0;
            }
        } else {
            for (long j = 0; j < NR; j++) {
                if (j >= width) {
                    for (long kk = 0; kk < kc; kk++) dst[kk * NR + j] = 0;
                    continue;
                }
                const T *src = b + (j0 + jr * NR + j) * g->csb + k0 * g->rsb;
                for (long kk = 0; kk < kc; kk++) dst[kk * NR + j] = src[kk * g->rsb];
            }
        }
    }
}

/// Runs the micro-kernel on one MR × NR tile of C whose valid part is rows × cols.
static inline void FN(gemm_tile)(long kc, const T *a, const T *b, T *c, long ldc, int accumulate, long rows, long cols) {
    if (rows == CG_MR && cols == NR) {
        UKR()(kc, a, b, c, ldc, accumulate);
        return;
    }
    T t[CG_MR * NR];
    UKR()(kc, a, b, t, NR, 0);
    for (long i = 0; i < rows; i++)
        for (long j = 0; j < cols; j++)
            c[i * ldc + j] = accumulate ? c[i * ldc + j] + t[i * NR + j] : t[i * NR + j];
}

void CAT(cg_gemm_task, SUF)(const cg_gemm *g, const T *a, const T *b, const T *bias, T *c, long task) {
    long nblocks = FN(gceil)(g->n, NC);
    long i0 = (task / nblocks) * MC, j0 = (task % nblocks) * NC;
    long rows = FN(gmin)(MC, g->m - i0), cols = FN(gmin)(NC, g->n - j0);
    long rpanels = FN(gceil)(rows, CG_MR), cpanels = FN(gceil)(cols, NR);
    long kcb = cg_gemm_kc(g->k);
    T *ap = cg_workspace((size_t)(rpanels * CG_MR + cpanels * NR) * (size_t)kcb * sizeof(T));
    T *bp = ap + rpanels * CG_MR * kcb;
    T *cb = c + i0 * g->ldc + j0;
    if (g->k == 0) {
        for (long i = 0; i < rows; i++)
            for (long j = 0; j < cols; j++) cb[i * g->ldc + j] = 0;
    }
    for (long k0 = 0; k0 < g->k; k0 += kcb) {
        long kc = FN(gmin)(kcb, g->k - k0);
        FN(pack_a)(g, a, i0, rows, k0, kc, ap);
        FN(pack_b)(g, b, j0, cols, k0, kc, bp);
        for (long jr = 0; jr < cpanels; jr++) {
            long w = FN(gmin)(NR, cols - jr * NR);
            for (long ir = 0; ir < rpanels; ir++) {
                long h = FN(gmin)(CG_MR, rows - ir * CG_MR);
                FN(gemm_tile)(kc, ap + ir * kc * CG_MR, bp + jr * kc * NR, cb + ir * CG_MR * g->ldc + jr * NR, g->ldc, k0 > 0, h, w);
            }
        }
    }
    if (bias)
        for (long i = 0; i < rows; i++) {
            T *row = cb + i * g->ldc;
            for (long j = 0; j < cols; j++) row[j] += bias[j0 + j];
        }
}

#undef CAT_
#undef CAT
#undef FN
#undef MC
#undef NC
