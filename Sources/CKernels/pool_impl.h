// Pooling kernels, written once and included by pool.c for float and double (T, SUF).
// Each mirrors Pool+Reference.swift exactly: taps in row-major order, inside-the-input taps
// only, first maximal tap (or first NaN) for max, NumPy's pairwise sum for average.

#define CAT_(a, b) a##_##b
#define CAT(a, b) CAT_(a, b)
#define FN(name) CAT(name, SUF)

/// NumPy's pairwise summation (see PairwiseSum.swift): plain below 8, eight running sums up
/// to 128, else split at a multiple of 8 near the half.
static T FN(pairwise_split)(const T *a, long n);

static inline T FN(pairwise)(const T *a, long n) {
    if (n < 8) {
        T s = 0;
        for (long i = 0; i < n; i++) s += a[i];
        return s;
    }
    if (n <= 128) {
        T r0 = a[0], r1 = a[1], r2 = a[2], r3 = a[3], r4 = a[4], r5 = a[5], r6 = a[6], r7 = a[7];
        long i = 8, whole = n - n % 8;
        for (; i < whole; i += 8) {
            r0 += a[i]; r1 += a[i + 1]; r2 += a[i + 2]; r3 += a[i + 3];
            r4 += a[i + 4]; r5 += a[i + 5]; r6 += a[i + 6]; r7 += a[i + 7];
        }
        T s = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
        for (; i < n; i++) s += a[i];
        return s;
    }
    return FN(pairwise_split)(a, n);
}

static T FN(pairwise_split)(const T *a, long n) {
    long half = n / 2;
    half -= half % 8;
    return FN(pairwise)(a, half) + FN(pairwise)(a + half, n - half);
}

/// The in-input taps of output index o along one axis: first tap index lo, count.
static inline void FN(axis_taps)(long o, long s, long d, long k, long pad, long size, long *first, long *count) {
    long start = o * s - pad, lo = 0, hi = k;
    while (lo < k && start + lo * d < 0) lo++;
    while (hi > lo && start + (hi - 1) * d >= size) hi--;
    *first = lo;
    *count = hi - lo;
}

/// Taps inside the padded input [−padBegin, size+padEnd) along one axis.
static inline long FN(padded_taps)(long o, long s, long d, long k, long padBegin, long padEnd, long size) {
    long start = o * s - padBegin, n = 0;
    for (long i = 0; i < k; i++) {
        long x = start + i * d;
        if (x >= -padBegin && x < size + padEnd) n++;
    }
    return n;
}

/// The max of an ni × nj window (taps row-major from xp[base], steps dh·w and dw) and the
/// index of its first maximal tap, or of its first NaN. Inlined with constant sizes for the
/// common windows, so the compiler unrolls it (runtime trip counts of 2–3 cost 4× here).
static inline void FN(max_window)(const T *xp, long base, long w, long ni, long nj, long dh, long dw, T *outBest, int *outIndex) {
    // Branch-free scan (a new maximum is a coin flip on random data); a NaN is noted and
    // the window rescanned for the first one.
    T best = -(T)INFINITY;
    long bestIndex = -1;
    int nan = 0;
    for (long i = 0; i < ni; i++)
        for (long j = 0; j < nj; j++) {
            const long index = base + i * dh * w + j * dw;
            const T v = xp[index];
            const int take = (bestIndex < 0) | (v > best);
            nan |= v != v;
            best = take ? v : best;
            bestIndex = take ? index : bestIndex;
        }
    if (nan) {
        for (long i = 0; i < ni; i++)
            for (long j = 0; j < nj; j++) {
                const long index = base + i * dh * w + j * dw;
                if (xp[index] != xp[index]) { *outBest = xp[index]; *outIndex = (int)index; return; }
            }
    }
    *outBest = best;
    *outIndex = (int)bestIndex;
}

/// Output columns [*qa, *qb) whose windows lie wholly inside the input width.
static inline void FN(interior_columns)(long ow, long w, long kw, long sw, long dw, long pl, long *qa, long *qb) {
    long a = (pl + sw - 1) / sw;                       // q·sw − pl ≥ 0
    long last = w - 1 - (kw - 1) * dw + pl;            // q·sw − pl + (kw−1)·dw ≤ w − 1
    long b = last < 0 ? 0 : last / sw + 1;
    *qa = a < ow ? a : ow;
    *qb = b < *qa ? *qa : (b < ow ? b : ow);
}

// MARK: AVX-512 rows for the common pools (2×2 and 3×3, stride 2, no dilation)
//
// VL outputs at a time from full-width loads: the even and odd columns of a row are
// separated with a two-source permute. Each output's taps are compared or added in exactly
// the reference's order (first tap, then strictly greater ones; NumPy's pairwise order for
// 9 taps, a plain sum for 4), so the bits do not change; they only run on interior windows.

/// Lanes l of the VL-wide window: x[2l + shift] for l < VL, from a row starting at `src`
/// (reads src[shift … shift + 2·VL − 2], never past it).
__attribute__((target("avx512f")))
static inline VTYPE FN(strided_taps)(const T *src, long shift) {
    VIDX even = VEVEN();
    VTYPE lo = VLOADU(src + shift);
    VTYPE hi = VLOADZ((VMASK)(VFULL >> 1), src + shift + VL);   // lanes VL … 2VL−2
    return VPERM2(lo, even, hi);
}

/// outputs y[0 … VL) of a 2×2/2 or 3×3/2 window row whose first tap column is src (row
/// stride w), divided by `divisor`.
__attribute__((target("avx512f")))
static void FN(avg_rows_avx512)(const T *src, long w, long k, T divisor, T *y) {
    VTYPE a[9];
    for (long i = 0; i < k; i++)
        for (long j = 0; j < k; j++) a[i * k + j] = FN(strided_taps)(src + i * w, j);
    VTYPE sum;
    if (k == 2) {
        sum = VADD(VADD(VADD(VADD(VZERO(), a[0]), a[1]), a[2]), a[3]);   // n < 8: plain, from 0
    } else {
        sum = VADD(VADD(VADD(a[0], a[1]), VADD(a[2], a[3])), VADD(VADD(a[4], a[5]), VADD(a[6], a[7])));
        sum = VADD(sum, a[8]);
    }
    VSTOREU(y, VDIV(sum, VSET1(divisor)));
}

/// Max and argmax of VL windows (2×2/2 or 3×3/2) whose first taps are src[2l], row stride
/// w; `base` is src's index in its plane. Returns 0, writing nothing, when a tap is NaN
/// (the caller rescans those windows for the first NaN).
__attribute__((target("avx512f")))
static int FN(max_rows_avx512)(const T *src, long base, long w, long k, T *best, int *index) {
    const __m512i lanes2 = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
    VTYPE b = FN(strided_taps)(src, 0);
    __m512i at = _mm512_add_epi32(_mm512_set1_epi32((int)base), lanes2);
    VMASK nan = VCMPUNORD(b);
    for (long i = 0; i < k; i++)
        for (long j = (i == 0); j < k; j++) {
            VTYPE v = FN(strided_taps)(src + i * w, j);
            VMASK greater = VCMPGT(v, b);
            nan |= VCMPUNORD(v);
            b = VMOVMASK(b, greater, v);
            at = _mm512_mask_mov_epi32(at, (__mmask16)greater, _mm512_add_epi32(_mm512_set1_epi32((int)(base + i * w + j)), lanes2));
        }
    if (nan) return 0;
    VSTOREU(best, b);
    VSTOREIDX(index, at);
    return 1;
}

/// Narrow planes (outputs fewer than VL wide) of a 2×2/2 max pool with no padding and
/// every window inside the input: the whole plane in one loop, four taps per output in the
/// reference's order (the first tap, then strictly greater ones), branch-free. Per-row set-up
/// cost more than the work on 4-wide rows. A plane holding a NaN is redone window by window
/// (`max_window` finds the first NaN).
static void FN(maxpool_2x2_planes)(const T *x, T *y, int *argmax, long h, long w, long oh, long ow, long first, long end) {
    for (long plane = first; plane < end; plane++) {
        const T *xp = x + plane * h * w;
        T *restrict best = y + plane * oh * ow;
        int *restrict index = argmax + plane * oh * ow;
        int nan = 0;
        for (long r = 0; r < oh; r++) {
            const T *a = xp + 2 * r * w, *b = a + w;
            for (long q = 0; q < ow; q++) {
                const T v0 = a[2 * q], v1 = a[2 * q + 1], v2 = b[2 * q], v3 = b[2 * q + 1];
                const int at = (int)(2 * r * w + 2 * q);
                nan |= (v0 != v0) | (v1 != v1) | (v2 != v2) | (v3 != v3);
                T m = v0;
                int i = at, t;
                t = -(int)(v1 > m); __asm__("" : "+r"(t)); i = (i & ~t) | ((at + 1) & t); m = v1 > m ? v1 : m;
                t = -(int)(v2 > m); __asm__("" : "+r"(t)); i = (i & ~t) | ((at + (int)w) & t); m = v2 > m ? v2 : m;
                t = -(int)(v3 > m); __asm__("" : "+r"(t)); i = (i & ~t) | ((at + (int)w + 1) & t); m = v3 > m ? v3 : m;
                best[r * ow + q] = m;
                index[r * ow + q] = i;
            }
        }
        if (nan)
            for (long r = 0; r < oh; r++)
                for (long q = 0; q < ow; q++)
                    FN(max_window)(xp, 2 * r * w + 2 * q, w, 2, 2, 1, 1, best + r * ow + q, index + r * ow + q);
    }
}

void CAT(cg_maxpool_fwd, SUF)(const cg_pool *p, const T *x, T *y, int *argmax, long first, long end) {
    const long h = p->h, w = p->w, oh = p->oh, ow = p->ow, kh = p->kh, kw = p->kw;
    const long sh = p->sh, sw = p->sw, dh = p->dh, dw = p->dw, pt = p->pt, pl = p->pl;
    const long inPlane = h * w, outPlane = oh * ow;
    if (kh == 2 && kw == 2 && sh == 2 && sw == 2 && dh == 1 && dw == 1 && pt == 0 && pl == 0 && 2 * oh <= h && 2 * ow <= w && ow < VL) {
        FN(maxpool_2x2_planes)(x, y, argmax, h, w, oh, ow, first, end);
        return;
    }
    long qa, qb;
    FN(interior_columns)(ow, w, kw, sw, dw, pl, &qa, &qb);
    const int vectorRows = cg_isa() == CG_ISA_AVX512 && sw == 2 && dw == 1 && dh == 1 && kh == kw && (kw == 2 || kw == 3);
    for (long plane = first; plane < end; plane++) {
        const T *xp = x + plane * inPlane;
        T *yp = y + plane * outPlane;
        int *ap = argmax + plane * outPlane;
        for (long r = 0; r < oh; r++) {
            long i0, ni;
            FN(axis_taps)(r, sh, dh, kh, pt, h, &i0, &ni);
            const long rowBase = (r * sh - pt + i0 * dh) * w;
            T *restrict best = yp + r * ow;
            int *restrict index = ap + r * ow;
            long qv = qa;   // [qa, qv): AVX-512 rows
            if (vectorRows && ni == kh)
                for (; qv + VL <= qb; qv += VL) {
                    const long at = rowBase + 2 * qv - pl;
                    if (!FN(max_rows_avx512)(xp + at, at, w, kw, best + qv, index + qv))
                        for (long q = qv; q < qv + VL; q++)
                            FN(max_window)(xp, rowBase + 2 * q - pl, w, ni, kw, 1, 1, best + q, index + q);
                }
            // Interior columns, taps outermost: each output's comparisons run in tap order
            // as in the reference (the first tap is taken, then strictly greater ones), but
            // the outputs' chains interleave instead of waiting on one another. A NaN sends
            // the row to the per-output scan, which finds the first one.
            int nan = 0;
            for (long i = 0; i < ni; i++)
                for (long j = 0; j < kw; j++) {
                    const long offset = rowBase + i * dh * w - pl + j * dw;
                    const T *restrict src = xp + offset;
                    if (i == 0 && j == 0) {
                        for (long q = qv; q < qb; q++) {
                            const T v = src[q * sw];
                            nan |= v != v;
                            best[q] = v;
                            index[q] = (int)(offset + q * sw);
                        }
                        continue;
                    }
                    for (long q = qv; q < qb; q++) {
                        const T v = src[q * sw];
                        // Mask arithmetic, not a select: compilers turn the select into an
                        // unpredictable branch (2.5× slower on random data).
                        int mask = -(int)(v > best[q]);
                        __asm__("" : "+r"(mask));   // opaque: keeps the blend branch-free
                        nan |= v != v;
                        index[q] = (index[q] & ~mask) | ((int)(offset + q * sw) & mask);
                        best[q] = v > best[q] ? v : best[q];
                    }
                }
            for (long q = 0; q < ow; q++) {
                if (q == qa && qv > qa) { q = qv - 1; continue; }      // done above
                if (q == qv && qv < qb && !nan) { q = qb - 1; continue; }
                long j0, nj;
                FN(axis_taps)(q, sw, dw, kw, pl, w, &j0, &nj);
                FN(max_window)(xp, rowBase + q * sw - pl + j0 * dw, w, ni, nj, dh, dw, best + q, index + q);
            }
        }
    }
}

void CAT(cg_maxpool_bwd, SUF)(const cg_pool *p, const T *dy, const int *argmax, T *dx, long first, long end) {
    long inPlane = p->h * p->w, outPlane = p->oh * p->ow;
    for (long pl = first; pl < end; pl++) {
        T *dxp = dx + pl * inPlane;
        const T *dyp = dy + pl * outPlane;
        const int *ap = argmax + pl * outPlane;
        memset(dxp, 0, (size_t)inPlane * sizeof(T));
        for (long o = 0; o < outPlane; o++)
            if (ap[o] >= 0 && ap[o] < inPlane) dxp[ap[o]] += dyp[o];
    }
}

static inline long FN(divisor)(const cg_pool *p, long r, long q, long ni, long nj) {
    if (!p->count_include_pad) return ni * nj;
    return FN(padded_taps)(r, p->sh, p->dh, p->kh, p->pt, p->pb, p->h) * FN(padded_taps)(q, p->sw, p->dw, p->kw, p->pl, p->pr, p->w);
}

/// The pairwise sum of an ni × nj window's taps (row-major), gathered into `taps`.
static inline T FN(window_sum)(const T *xp, long base, long w, long ni, long nj, long dh, long dw, T *taps) {
    long k = 0;
    for (long i = 0; i < ni; i++)
        for (long j = 0; j < nj; j++) taps[k++] = xp[base + i * dh * w + j * dw];
    return FN(pairwise)(taps, k);
}

/// The reference's scatter of VL shares (outputs q0 … q0+VL−1) into one input row of a
/// 2×2/2 or 3×3/2 window: cells 2q+j += share[q]. For 3×3, an even cell 2m gets share[m−1]
/// (tap j = 2) before share[m] (tap j = 0), the reference's ascending-output order; the
/// last cell, 2·VL, gets only its j = 2 share here (its j = 0 share comes with the next
/// outputs). Adding +0 to the other lanes leaves them unchanged: a cell that starts at +0
/// and only has values added can never hold −0.
__attribute__((target("avx512f")))
static void FN(avg_scatter_avx512)(T *row, long k, const T *share) {
    const VTYPE s = VLOADU(share);
    const VIDX d0 = VDUP(0), d1 = VDUP(VL / 2);                 // lane m: share[m/2 (+VL/2)]
    VTYPE r0 = VLOADU(row), r1 = VLOADU(row + VL);
    if (k == 3) {
        const VIDX a0 = VDUP(-1), a1 = VDUP(VL / 2 - 1);        // lane m: share[m/2 − 1 (+VL/2)]
        r0 = VMASKADD(r0, (VMASK)(VEVENLANES & ~(VMASK)1), r0, VPERM1(a0, s));
        r1 = VMASKADD(r1, (VMASK)VEVENLANES, r1, VPERM1(a1, s));
        row[2 * VL] += share[VL - 1];
    }
    VSTOREU(row, VADD(r0, VPERM1(d0, s)));
    VSTOREU(row + VL, VADD(r1, VPERM1(d1, s)));
}

void CAT(cg_avgpool_fwd, SUF)(const cg_pool *p, const T *x, T *y, long first, long end) {
    const long h = p->h, w = p->w, oh = p->oh, ow = p->ow, kh = p->kh, kw = p->kw;
    const long sh = p->sh, sw = p->sw, dh = p->dh, dw = p->dw, pt = p->pt, pl = p->pl;
    const long inPlane = h * w, outPlane = oh * ow;
    long qa, qb;
    FN(interior_columns)(ow, w, kw, sw, dw, pl, &qa, &qb);
    // Interior columns keep eight running sums per output (NumPy's pairwise order for
    // 8..128 taps), taps outermost; other windows gather and sum one by one.
    T *acc = cg_alloc((size_t)(8 * ow) * sizeof(T));
    const int vectorRows = cg_isa() == CG_ISA_AVX512 && sw == 2 && dw == 1 && dh == 1 && kh == kw && (kw == 2 || kw == 3);
    T small[64], *taps = kh * kw <= 64 ? small : cg_alloc((size_t)(kh * kw) * sizeof(T));
    for (long plane = first; plane < end; plane++) {
        const T *xp = x + plane * inPlane;
        T *yp = y + plane * outPlane;
        for (long r = 0; r < oh; r++) {
            long i0, ni;
            FN(axis_taps)(r, sh, dh, kh, pt, h, &i0, &ni);
            const long rowBase = (r * sh - pt + i0 * dh) * w;
            T *sum = yp + r * ow;
            const long n = ni * kw, whole = n - n % 8;
            long lo = qa, hi = qb, qv = qa;
            if (vectorRows && ni == kh)
                for (; qv + VL <= qb; qv += VL)
                    FN(avg_rows_avx512)(xp + rowBase + 2 * qv - pl, w, kw, (T)(kh * kw), sum + qv);
            lo = qv;
            if (n > 128) lo = hi = qv;   // the rest per output
            if (lo < hi) {
                long t = 0;
                if (n < 8)
                    for (long q = lo; q < hi; q++) sum[q] = 0;
                for (long i = 0; i < ni; i++)
                    for (long j = 0; j < kw; j++, t++) {
                        const T *src = xp + rowBase + i * dh * w - pl + j * dw;
                        if (n < 8 || t >= whole) {
                            for (long q = lo; q < hi; q++) sum[q] += src[q * sw];
                        } else {
                            T *a = acc + (t % 8) * ow;
                            if (t < 8) for (long q = lo; q < hi; q++) a[q] = src[q * sw];
                            else for (long q = lo; q < hi; q++) a[q] += src[q * sw];
                        }
                        if (n >= 8 && t == whole - 1) {
                            for (long q = lo; q < hi; q++)
                                sum[q] = ((acc[q] + acc[ow + q]) + (acc[2 * ow + q] + acc[3 * ow + q]))
                                       + ((acc[4 * ow + q] + acc[5 * ow + q]) + (acc[6 * ow + q] + acc[7 * ow + q]));
                        }
                    }
            }
            for (long q = 0; q < ow; q++) {
                if (q == qa && qv > qa) { q = qv - 1; continue; }   // done, divided, above
                long j0, nj;
                FN(axis_taps)(q, sw, dw, kw, pl, w, &j0, &nj);
                if (q < lo || q >= hi)
                    sum[q] = FN(window_sum)(xp, rowBase + q * sw - pl + j0 * dw, w, ni, nj, dh, dw, taps);
                long div = FN(divisor)(p, r, q, ni, nj);
                sum[q] = div > 0 ? sum[q] / (T)div : 0;
            }
        }
    }
    if (taps != small) free(taps);
    free(acc);
}

/// Adds `share` to each tap of an ni × nj window.
static inline void FN(window_add)(T *dxp, long base, long w, long ni, long nj, long dh, long dw, T share) {
    for (long i = 0; i < ni; i++)
        for (long j = 0; j < nj; j++) dxp[base + i * dh * w + j * dw] += share;
}

void CAT(cg_avgpool_bwd, SUF)(const cg_pool *p, const T *dy, T *dx, long first, long end) {
    const long h = p->h, w = p->w, oh = p->oh, ow = p->ow, kh = p->kh, kw = p->kw;
    const long sh = p->sh, sw = p->sw, dh = p->dh, dw = p->dw, pt = p->pt, pl = p->pl;
    const long inPlane = h * w, outPlane = oh * ow;
    T *share = cg_alloc((size_t)ow * sizeof(T));
    long qa, qb;
    FN(interior_columns)(ow, w, kw, sw, dw, pl, &qa, &qb);
    const int vectorRows = cg_isa() == CG_ISA_AVX512 && sw == 2 && dw == 1 && dh == 1 && kh == kw && (kw == 2 || kw == 3);
    for (long plane = first; plane < end; plane++) {
        T *dxp = dx + plane * inPlane;
        const T *dyp = dy + plane * outPlane;
        memset(dxp, 0, (size_t)inPlane * sizeof(T));
        for (long r = 0; r < oh; r++) {
            long i0, ni;
            FN(axis_taps)(r, sh, dh, kh, pt, h, &i0, &ni);
            const long rowBase = (r * sh - pt + i0 * dh) * w;
            int zero = 0;
            // Interior windows of a full row all divide by kh·kw (with or without
            // count_include_pad): no per-output tap counting there.
            const long fullFrom = ni == kh ? qa : 0, fullTo = ni == kh ? qb : 0;
            const T fullDivisor = (T)(kh * kw);
            for (long q = fullFrom; q < fullTo; q++) share[q] = dyp[r * ow + q] / fullDivisor;
            for (long q = 0; q < ow; q++) {
                if (q == fullFrom && fullTo > fullFrom) { q = fullTo - 1; continue; }
                long j0, nj;
                FN(axis_taps)(q, sw, dw, kw, pl, w, &j0, &nj);
                long div = FN(divisor)(p, r, q, ni, nj);
                zero |= div <= 0;
                share[q] = div > 0 ? dyp[r * ow + q] / (T)div : 0;
            }
            if (zero) {  // impossible under the SPEC's rules; keep the reference's skip exactly
                for (long q = 0; q < ow; q++) {
                    long j0, nj;
                    FN(axis_taps)(q, sw, dw, kw, pl, w, &j0, &nj);
                    if (FN(divisor)(p, r, q, ni, nj) <= 0) continue;
                    FN(window_add)(dxp, rowBase + q * sw - pl + j0 * dw, w, ni, nj, dh, dw, share[q]);
                }
                continue;
            }
            // The reference adds output by output (row-major). A cell of input row y gets at
            // most one tap row i from output row r, and its contributions from that row come
            // in ascending q exactly when j descends; so this order gives the same bits while
            // the q loop runs without conflicts.
            // With the AVX-512 rows, outputs [qa, qv) go in vector chunks between the ones
            // before and after them; a cell shared across the cuts still gets its shares in
            // ascending output order.
            long qv = qa;
            if (vectorRows && ni == kh) qv = qa + (qb - qa) / VL * VL;
            for (long i = 0; i < ni; i++) {
                T *row = dxp + rowBase + i * dh * w;
                const long ranges[3][2] = {{0, qa < qv ? qa : ow}, {qa, qv}, {qv, qa < qv ? ow : 0}};
                for (int part = 0; part < 3; part++) {
                    const long from = ranges[part][0], to = ranges[part][1];
                    if (from >= to) continue;
                    if (part == 1) {
                        for (long q = from; q < to; q += VL) FN(avg_scatter_avx512)(row + q * 2 - pl, kw, share + q);
                        continue;
                    }
                    for (long j = kw - 1; j >= 0; j--) {
                        const long offset = j * dw - pl;   // column = q·sw + offset
                        long qlo = offset >= 0 ? 0 : (-offset + sw - 1) / sw;
                        long qhi = w - offset > 0 ? (w - offset + sw - 1) / sw : 0;
                        if (qhi > ow) qhi = ow;
                        if (qlo < from) qlo = from;
                        if (qhi > to) qhi = to;
                        T *restrict dst = row + offset;
                        for (long q = qlo; q < qhi; q++) dst[q * sw] += share[q];
                    }
                }
            }
        }
    }
    free(share);
}

#undef CAT_
#undef CAT
#undef FN
