// The convolution drivers, written once and included by conv.c for float (SUF f32) and
// double (SUF f64). Expects T, SUF, NR and UKR (the micro-kernel getter) to be defined.
//
// Blocking (by shape only, never by thread count):
// - reduction blocks of at most KC_MAX, split evenly (576 → 3 × 192);
// - forward and data-backward tasks cover PIX_BLOCK output pixels (a multiple of NR), or,
//   for small images (P ≤ NR/2), several whole images whose pixels share the panels;
// - weight-backward tasks cover one fixed chunk of images and an even share (a multiple of
//   NR, at most W_COLS) of the weight columns: few column blocks, so dy is packed few times.

#define CAT_(a, b) a##_##b
#define CAT(a, b) CAT_(a, b)
#define FN(name) CAT(name, SUF)

#define KC_MAX 256
#define PIX_BLOCK (256 / NR * NR)
#define W_COLS (16 * NR)

static inline long FN(ceil_div)(long a, long b) { return (a + b - 1) / b; }
static inline long FN(min)(long a, long b) { return a < b ? a : b; }

/// Even blocks of at most KC_MAX covering `k`: the block length.
static inline long FN(block_len)(long k) { return FN(ceil_div)(k, FN(ceil_div)(k, KC_MAX)); }

/// dst[t·ds] = row value at column iw + t·sw of input row ih (0 outside the image), t < count.
__attribute__((no_builtin("memcpy", "memset")))
static inline void FN(gather_row)(T *restrict dst, long ds, const T *restrict plane, long h, long w, long ih, long iw, long sw, long count) {
    if (ih < 0 || ih >= h) {
        for (long t = 0; t < count; t++) dst[t * ds] = 0;
        return;
    }
    const T *row = plane + ih * w;
    long lo = 0, hi = count;
    if (iw < 0) lo = FN(min)(count, FN(ceil_div)(-iw, sw));
    if (iw + (count - 1) * sw >= w) {
        long inside = w - iw > 0 ? FN(ceil_div)(w - iw, sw) : 0;
        hi = inside < lo ? lo : inside;
    }
    for (long t = 0; t < lo; t++) dst[t * ds] = 0;
    if (ds == 1 && sw == 1) {
        // A plain loop, not memcpy: segments are short (a panel row), and the call costs more.
        const T *restrict src = row + iw;
        for (long t = lo; t < hi; t++) dst[t] = src[t];
    } else if (ds == 1 && sw == 2) {
        const T *restrict src = row + iw;
        for (long t = lo; t < hi; t++) dst[t] = src[2 * t];
    } else {
        for (long t = lo; t < hi; t++) dst[t * ds] = row[iw + t * sw];
    }
    for (long t = hi; t < count; t++) dst[t * ds] = 0;
}

/// Row values at columns iw + t·sw of row ih += src[t] (taps outside the image dropped).
static inline void FN(scatter_row)(T *plane, long h, long w, long ih, long iw, long sw, const T *src, long count) {
    if (ih < 0 || ih >= h) return;
    T *row = plane + ih * w;
    long lo = 0, hi = count;
    if (iw < 0) lo = FN(min)(count, FN(ceil_div)(-iw, sw));
    if (iw + (count - 1) * sw >= w) {
        long inside = w - iw > 0 ? FN(ceil_div)(w - iw, sw) : 0;
        hi = inside < lo ? lo : inside;
    }
    if (sw == 1) {
        T *r = row + iw;
        for (long t = lo; t < hi; t++) r[t] += src[t];
    } else {
        for (long t = lo; t < hi; t++) row[iw + t * sw] += src[t];
    }
}

/// Runs `ukr` on one MR × NR tile of C whose valid part is rows × cols.
static inline void FN(tile)(long kc, const T *a, const T *b, T *c, long ldc, int accumulate, long rows, long cols) {
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

// MARK: forward

static long FN(fwd_pixel_blocks)(const cg_conv *d) { return FN(ceil_div)(d->oh * d->ow, PIX_BLOCK); }

static long FN(fwd_images_per_task)(const cg_conv *d);

static long FN(fwd_tasks)(const cg_conv *d) {
    const long ni = FN(fwd_images_per_task)(d);
    if (ni > 0) return d->groups * FN(ceil_div)(d->n, ni);
    return d->n * d->groups * FN(fwd_pixel_blocks)(d);
}

static long FN(fwd_packed_count)(const cg_conv *d) {
    long k = d->cg * d->kh * d->kw;
    return d->groups * FN(ceil_div)(d->og, CG_MR) * CG_MR * k;
}

/// Packs each group's weight rows (og × K) into MR-row panels: for each reduction block
/// [k0, k0+kc) and row panel ir, kc × MR values at offset k0·(panels·MR) + ir·kc·MR.
void CAT(cg_conv_fwd_pack_weight, SUF)(const cg_conv *d, const T *w, T *packed) {
    long k = d->cg * d->kh * d->kw, panels = FN(ceil_div)(d->og, CG_MR), kcb = FN(block_len)(k);
    for (long g = 0; g < d->groups; g++) {
        T *pg = packed + g * panels * CG_MR * k;
        for (long k0 = 0; k0 < k; k0 += kcb) {
            long kc = FN(min)(kcb, k - k0);
            for (long ir = 0; ir < panels; ir++) {
                T *dst = pg + k0 * panels * CG_MR + ir * kc * CG_MR;
                for (long kk = 0; kk < kc; kk++)
                    for (long i = 0; i < CG_MR; i++) {
                        long o = ir * CG_MR + i;
                        dst[kk * CG_MR + i] = o < d->og ? w[(g * d->og + o) * k + k0 + kk] : 0;
                    }
            }
        }
    }
}

/// Packs rows [k0, k0+kc) × pixels [pix0, pix0+nb) of image-group `xg`'s im2col matrix
/// into NR-column panels (kc × NR each), zero-filling the last panel. Row k is the tap
/// (c, p, q) = (k / (kh·kw), …), stepped incrementally: a division per row per panel cost
/// a tenth of the forward pass.
static void FN(pack_cols)(const cg_conv *d, const T *xg, long k0, long kc, long pix0, long nb, T *bp) {
    const long khkw = d->kh * d->kw, hw = d->h * d->w, npanels = FN(ceil_div)(nb, NR);
    const long c0 = k0 / khkw, p0 = (k0 % khkw) / d->kw, q0 = k0 % d->kw;
    for (long jr = 0; jr < npanels; jr++) {
        T *base = bp + jr * kc * NR;
        const long first = pix0 + jr * NR, cols = FN(min)(NR, nb - jr * NR);
        const long i0 = first / d->ow, j0 = first % d->ow;
        long c = c0, p = p0, q = q0;
        for (long kk = 0; kk < kc; kk++) {
            const T *plane = xg + c * hw;
            const long rowShift = p * d->dh - d->pt, colShift = q * d->dw - d->pl;
            T *dst = base + kk * NR;
            long off = 0, i = i0, j = j0;
            while (off < cols) {
                long seg = FN(min)(cols - off, d->ow - j);
                FN(gather_row)(dst + off, 1, plane, d->h, d->w, i * d->sh + rowShift, j * d->sw + colShift, d->sw, seg);
                off += seg; i++; j = 0;
            }
            for (; off < NR; off++) dst[off] = 0;
            if (++q == d->kw) { q = 0; if (++p == d->kh) { p = 0; c++; } }
        }
    }
}

/// The masked loads that assemble one panel row for tap t (stride sw = 1 or 2), per
/// register half h and slot e (at most three: a register spans at most three output rows):
/// lane mask (for stride 2, of the even columns of the first VL), high mask (stride 2: of
/// the next VL columns) and the offset in the plane of the column read by lane 0. Depends
/// on the panel and the tap only, not on the channel. Returns 0 when three slots are not
/// enough (outputs narrower than VL/2).
__attribute__((target("avx512f"), always_inline))
static inline int FN(panel_loads)(const cg_conv *d, long t, long i0, long j0, long cols,
                           long offset[2][3], VMASK mask[2][3], VMASK maskHi[2][3]) {
    const long sw = d->sw, p = t / d->kw, q = t % d->kw;
    const long rowShift = p * d->dh - d->pt, colShift = q * d->dw - d->pl;
    int used[2] = {0, 0};
    for (int h = 0; h < 2; h++)
        for (int e = 0; e < 3; e++) { mask[h][e] = maskHi[h][e] = 0; offset[h][e] = 0; }
    long off = 0, i = i0, j = j0;
    while (off < cols) {
        const long seg = FN(min)(cols - off, d->ow - j);
        const long ih = i * d->sh + rowShift;
        if (ih >= 0 && ih < d->h) {
            // Lane off+u reads column iw + sw·u; keep the lanes inside the row.
            const long iw = sw * j + colShift;
            long lo = off + (iw < 0 ? (-iw + sw - 1) / sw : 0);
            long hi = off + FN(min)(seg, d->w - iw > 0 ? (d->w - iw + sw - 1) / sw : 0);
            for (int h = 0; h < 2; h++) {
                long a = lo > h * VL ? lo : h * VL, b = hi < (h + 1) * VL ? hi : (h + 1) * VL;
                if (b <= a) continue;
                if (used[h] == 3) return 0;
                VMASKWIDE bits = 0, bitsHi = 0;
                for (long l = a - h * VL; l < b - h * VL; l++) {
                    if (sw * l < VL) bits |= (VMASKWIDE)1 << (sw * l);
                    else bitsHi |= (VMASKWIDE)1 << (sw * l - VL);
                }
                mask[h][used[h]] = (VMASK)bits;
                maskHi[h][used[h]] = (VMASK)bitsHi;
                offset[h][used[h]] = ih * d->w + iw + sw * (h * VL - off);
                used[h]++;
            }
        }
        off += seg; i++; j = 0;
    }
    return 1;
}

/// The load tables of one panel for every tap (see `panel_loads`), cached: a panel whose
/// rows are all inside the image for every tap has the same table as an earlier such panel
/// with the same first column, width and row span, moved down by whole rows. Then only
/// `*shift` (elements to add to the plane pointer) changes; small-channel convs spent as
/// long building tables as replaying them.
typedef struct { int valid; long j0, cols, span, i0; } FN(table_cache);

__attribute__((target("avx512f"), always_inline))
static inline int FN(panel_tables)(const cg_conv *d, long khkw, long first, long cols, FN(table_cache) *cache,
                                   long offset[][2][3], VMASK mask[][2][3], VMASK maskHi[][2][3], long *shift) {
    const long i0 = first / d->ow, j0 = first % d->ow, span = (first + cols - 1) / d->ow - i0;
    const int interior = i0 * d->sh - d->pt >= 0 && (i0 + span) * d->sh + (d->kh - 1) * d->dh - d->pt < d->h;
    if (interior && cache->valid && cache->j0 == j0 && cache->cols == cols && cache->span == span) {
        *shift = (i0 - cache->i0) * d->sh * d->w;
        return 1;
    }
    for (long t = 0; t < khkw; t++)
        if (!FN(panel_loads)(d, t, i0, j0, cols, offset[t], mask[t], maskHi[t])) return 0;
    *cache = (FN(table_cache)){interior, j0, cols, span, i0};
    *shift = 0;
    return 1;
}

/// `pack_cols` for stride 1 with AVX-512. A panel row (NR values in two registers) is
/// assembled from its row segments with zero-masked loads (masked-off lanes read as 0 and
/// touch no memory), or-ed, and stored whole. The loads are tabulated once per panel and
/// tap (`panel_loads`) and replayed for every channel: three per register, unused ones with
/// an empty mask. (Scalar loops, masked stores, merge-masked chains and per-row segment
/// logic were each slower; packing was a third of the forward pass.) Returns 0, packing
/// nothing useful, when the table cannot describe a panel.
__attribute__((target("avx512f")))
static int FN(pack_cols_avx512)(const cg_conv *d, const T *xg, long k0, long kc, long pix0, long nb, T *bp) {
    enum { MAX_TAPS = 64 };
    const long khkw = d->kh * d->kw, hw = d->h * d->w, npanels = FN(ceil_div)(nb, NR);
    if (khkw > MAX_TAPS || NR != 2 * VL) return 0;
    long offset[MAX_TAPS][2][3];
    VMASK mask[MAX_TAPS][2][3], unused[MAX_TAPS][2][3];
    FN(table_cache) cache = {0, 0, 0, 0, 0};
    const long c0 = k0 / khkw, t0 = k0 % khkw;
    for (long jr = 0; jr < npanels; jr++) {
        const long first = pix0 + jr * NR, cols = FN(min)(NR, nb - jr * NR);
        long shift;
        if (!FN(panel_tables)(d, khkw, first, cols, &cache, offset, mask, unused, &shift)) return 0;
        T *dst = bp + jr * kc * NR;
        long c = c0, t = t0;
        for (long kk = 0; kk < kc; kk++, dst += NR) {
            const T *plane = xg + c * hw + shift;
            // Independent zero-masked loads, or-ed (a merge chain serialises them).
            VTYPE v0 = VOR(VOR(VLOADZ(mask[t][0][0], plane + offset[t][0][0]), VLOADZ(mask[t][0][1], plane + offset[t][0][1])),
                           VLOADZ(mask[t][0][2], plane + offset[t][0][2]));
            VTYPE v1 = VOR(VOR(VLOADZ(mask[t][1][0], plane + offset[t][1][0]), VLOADZ(mask[t][1][1], plane + offset[t][1][1])),
                           VLOADZ(mask[t][1][2], plane + offset[t][1][2]));
            VSTORE(dst, v0);
            VSTORE(dst + VL, v1);
            if (++t == khkw) { t = 0; c++; }
        }
    }
    return 1;
}

/// `pack_cols_avx512` for stride 2: each slot loads the 2·VL columns under a register and
/// a two-source permute keeps the even ones. (Kept apart from the stride-1 replay: one
/// loop for both measured 7 % slower here.)
__attribute__((target("avx512f")))
static int FN(pack_cols_s2_avx512)(const cg_conv *d, const T *xg, long k0, long kc, long pix0, long nb, T *bp) {
    enum { MAX_TAPS = 64 };
    const long khkw = d->kh * d->kw, hw = d->h * d->w, npanels = FN(ceil_div)(nb, NR);
    if (khkw > MAX_TAPS || NR != 2 * VL) return 0;
    long offset[MAX_TAPS][2][3];
    VMASK maskLo[MAX_TAPS][2][3], maskHi[MAX_TAPS][2][3];
    FN(table_cache) cache = {0, 0, 0, 0, 0};
    const VIDX even = VEVENIDX();
    const long c0 = k0 / khkw, t0 = k0 % khkw;
    for (long jr = 0; jr < npanels; jr++) {
        const long first = pix0 + jr * NR, cols = FN(min)(NR, nb - jr * NR);
        long shift;
        if (!FN(panel_tables)(d, khkw, first, cols, &cache, offset, maskLo, maskHi, &shift)) return 0;
        T *dst = bp + jr * kc * NR;
        long c = c0, t = t0;
        for (long kk = 0; kk < kc; kk++, dst += NR) {
            const T *plane = xg + c * hw + shift;
            for (int h = 0; h < 2; h++) {
                VTYPE v = VZERO();
                for (int e = 0; e < 3; e++) {
                    if (!(maskLo[t][h][e] | maskHi[t][h][e])) continue;
                    const T *src = plane + offset[t][h][e];
                    v = VOR(v, VPERM2(VLOADZ(maskLo[t][h][e], src), even, VLOADZ(maskHi[t][h][e], src + VL)));
                }
                VSTORE(dst + h * VL, v);
            }
            if (++t == khkw) { t = 0; c++; }
        }
    }
    return 1;
}

// MARK: small images: pack from a zero-padded copy

/// Small images (narrow output rows) pack from a zero-padded copy of the image's planes:
/// PH × PW per channel, covering input rows −pt … (oh−1)·sh − pt + (kh−1)·dh and the
/// columns likewise, so tap (p, q) of output (i, j) is at row i·sh + p·dh, column
/// j·sw + q·dw, with no bounds checks. The values and their order in the panels are the
/// ones `pack_cols` and `pack_cols_t` write (same bytes); only the per-row-segment
/// `gather_row` calls go (with 4- or 8-wide rows they were most of a digits-sized step).
#define SMALL_OW 16
#define SMALL_PAD (1L << 15)
#define SMALL_BATCH (1L << 18)

static inline long FN(padded_h)(const cg_conv *d) { return (d->oh - 1) * d->sh + (d->kh - 1) * d->dh + 1; }
static inline long FN(padded_w)(const cg_conv *d) { return (d->ow - 1) * d->sw + (d->kw - 1) * d->dw + 1; }

/// Whether `nc` channels of one image take the padded packers.
static inline int FN(small_image)(const cg_conv *d, long nc) {
    return d->ow <= SMALL_OW && nc * FN(padded_h)(d) * FN(padded_w)(d) <= SMALL_PAD;
}

/// `pad_planes`' row copies for rows of at most VL values: one masked load and store per
/// row (the scalar loop's set-up cost more than its 4 or 8 copies).
__attribute__((target("avx512f")))
static void FN(copy_rows_avx512)(const T *src, long srcStride, T *dst, long dstStride, long rows, long count) {
    const VMASK m = (VMASK)(((VMASKWIDE)1 << count) - 1);
    for (long r = 0; r < rows; r++, src += srcStride, dst += dstStride) VMASKSTORE(dst, m, VLOADZ(m, src));
}

/// The padded copy of channels [c0, c0 + nc) of the image-group planes `xg`.
static void FN(pad_planes)(const cg_conv *d, const T *xg, long c0, long nc, T *pad) {
    const long ph = FN(padded_h)(d), pw = FN(padded_w)(d), hw = d->h * d->w;
    // Columns t with 0 ≤ t − pl < w: [lo, hi); rows r with 0 ≤ r − pt < h: [top, bottom).
    long lo = d->pl > 0 ? FN(min)(d->pl, pw) : 0, hi = FN(min)(pw, d->w + d->pl);
    long top = d->pt > 0 ? FN(min)(d->pt, ph) : 0, bottom = FN(min)(ph, d->h + d->pt);
    if (hi < lo) hi = lo;
    if (bottom < top) bottom = top;
    memset(pad, 0, (size_t)(nc * ph * pw) * sizeof(T));
    if (hi - lo <= VL && cg_isa() == CG_ISA_AVX512) {
        if (hi > lo)
            for (long c = 0; c < nc; c++)
                FN(copy_rows_avx512)(xg + (c0 + c) * hw + (top - d->pt) * d->w - d->pl + lo, d->w,
                                     pad + c * ph * pw + top * pw + lo, pw, bottom - top, hi - lo);
        return;
    }
    for (long c = 0; c < nc; c++) {
        const T *plane = xg + (c0 + c) * hw;
        T *dst = pad + c * ph * pw;
        for (long r = top; r < bottom; r++) {
            const T *restrict src = plane + (r - d->pt) * d->w - d->pl;
            T *restrict row = dst + r * pw;
            for (long t = lo; t < hi; t++) row[t] = src[t];
        }
    }
}

/// dst[kk·NR + jj] = src[rows[kk] + cols[jj]] for kk < kc and jj < ncols; 0 for
/// ncols ≤ jj < NR. (Both small-image packers are this gather. Scalar: AVX-512 gathers
/// measured about 7 % slower on the digits-sized CNN here.)
static void FN(gather_panel)(const T *src, const int *rows, long kc, const int *cols, long ncols, T *dst) {
    for (long kk = 0; kk < kc; kk++, dst += NR) {
        const T *restrict s = src + rows[kk];
        long jj = 0;
        for (; jj < ncols; jj++) dst[jj] = s[cols[jj]];
        for (; jj < NR; jj++) dst[jj] = 0;
    }
}

/// Offsets in the padded copy of output pixels [first, first + count): i·sh·PW + j·sw.
static inline void FN(pixel_offsets)(const cg_conv *d, long first, long count, int *off) {
    const long pw = FN(padded_w)(d);
    long i = first / d->ow, j = first % d->ow;
    for (long t = 0; t < count; t++) {
        off[t] = (int)(i * d->sh * pw + j * d->sw);
        if (++j == d->ow) { j = 0; i++; }
    }
}

/// Offsets in the padded copy (first channel c0) of taps k = (c, p, q) in [k0, k0 + count).
static inline void FN(tap_offsets)(const cg_conv *d, long k0, long count, long c0, int *off) {
    const long khkw = d->kh * d->kw, ph = FN(padded_h)(d), pw = FN(padded_w)(d);
    long c = k0 / khkw, p = (k0 % khkw) / d->kw, q = k0 % d->kw;
    for (long t = 0; t < count; t++) {
        off[t] = (int)((c - c0) * ph * pw + p * d->dh * pw + q * d->dw);
        if (++q == d->kw) { q = 0; if (++p == d->kh) { p = 0; c++; } }
    }
}

/// Forward on small images: images per task when a panel holds two or more images' pixels
/// (P ≤ NR/2), else 0 (one image, pixel blocks). Each output is still one FMA chain over the
/// same reduction blocks, so the bytes are those of one image per task; only the columns of
/// a panel come from several images. Depends on the shape only.
static long FN(fwd_images_per_task)(const cg_conv *d) {
    const long P = d->oh * d->ow;
    if (P > NR / 2 || !FN(small_image)(d, d->cg)) return 0;
    long ni = FN(ceil_div)(d->n, 4);
    if (ni < NR / P) ni = NR / P;
    ni = FN(min)(FN(min)(ni, PIX_BLOCK / P), d->n);
    while (ni > 1 && ni * d->cg * FN(padded_h)(d) * FN(padded_w)(d) > SMALL_BATCH) ni--;
    return ni;
}

static void FN(fwd_task_images)(const cg_conv *d, const T *x, const T *packed, const T *bias, T *y, long task, long ni) {
    const long g = task % d->groups, n0 = task / d->groups * ni, count = FN(min)(ni, d->n - n0);
    const long P = d->oh * d->ow, k = d->cg * d->kh * d->kw, kcb = FN(block_len)(k), hw = d->h * d->w;
    const long panels = FN(ceil_div)(d->og, CG_MR), nb = count * P, npanels = FN(ceil_div)(nb, NR);
    const long imagePad = d->cg * FN(padded_h)(d) * FN(padded_w)(d);
    const T *ag = packed + g * panels * CG_MR * k;
    const size_t bCount = (size_t)kcb * npanels * NR, pCount = ((size_t)(count * imagePad) + 15) / 16 * 16;
    T *bp = cg_workspace((bCount + pCount) * sizeof(T) + (size_t)(kcb + npanels * NR) * sizeof(int));
    T *pad = bp + bCount;
    int *rows = (int *)(pad + pCount), *cols = rows + kcb;
    for (long i = 0; i < count; i++) {
        FN(pad_planes)(d, x + ((n0 + i) * d->c + g * d->cg) * hw, 0, d->cg, pad + i * imagePad);
        FN(pixel_offsets)(d, 0, P, cols + i * P);
        for (long t = 0; t < P; t++) cols[i * P + t] += (int)(i * imagePad);
    }
    T tile[CG_MR * NR];
    for (long k0 = 0; k0 < k; k0 += kcb) {
        const long kc = FN(min)(kcb, k - k0);
        FN(tap_offsets)(d, k0, kc, 0, rows);
        for (long jr = 0; jr < npanels; jr++)
            FN(gather_panel)(pad, rows, kc, cols + jr * NR, FN(min)(NR, nb - jr * NR), bp + jr * kc * NR);
        for (long jr = 0; jr < npanels; jr++) {
            const long cols = FN(min)(NR, nb - jr * NR);
            for (long ir = 0; ir < panels; ir++) {
                const long rows = FN(min)(CG_MR, d->og - ir * CG_MR);
                UKR()(kc, ag + k0 * panels * CG_MR + ir * kc * CG_MR, bp + jr * kc * NR, tile, NR, 0);
                // Column jj is pixel t % P of image n0 + t / P (t = jr·NR + jj); C += tile
                // as the micro-kernel's accumulate does.
                for (long jj = 0; jj < cols; jj++) {
                    const long t = jr * NR + jj, n = n0 + t / P, pix = t % P;
                    T *yc = y + (n * d->o + g * d->og + ir * CG_MR) * P + pix;
                    for (long i = 0; i < rows; i++)
                        yc[i * P] = k0 > 0 ? yc[i * P] + tile[i * NR + jj] : tile[i * NR + jj];
                }
            }
        }
    }
    if (bias)
        for (long i = 0; i < count; i++)
            for (long o = 0; o < d->og; o++) {
                T b = bias[g * d->og + o], *row = y + ((n0 + i) * d->o + g * d->og + o) * P;
                for (long t = 0; t < P; t++) row[t] += b;
            }
}

void CAT(cg_conv_fwd_task, SUF)(const cg_conv *d, const T *x, const T *packed, const T *bias, T *y, long task) {
    const long ni = FN(fwd_images_per_task)(d);
    if (ni > 0) {
        FN(fwd_task_images)(d, x, packed, bias, y, task, ni);
        return;
    }
    long npb = FN(fwd_pixel_blocks)(d);
    long pb = task % npb, g = (task / npb) % d->groups, n = task / npb / d->groups;
    long P = d->oh * d->ow, k = d->cg * d->kh * d->kw, kcb = FN(block_len)(k);
    long panels = FN(ceil_div)(d->og, CG_MR);
    long pix0 = pb * PIX_BLOCK, nb = FN(min)(PIX_BLOCK, P - pix0), npanels = FN(ceil_div)(nb, NR);
    const T *xg = x + (n * d->c + g * d->cg) * d->h * d->w;
    const T *ag = packed + g * panels * CG_MR * k;
    T *yg = y + (n * d->o + g * d->og) * P;
    const int small = FN(small_image)(d, d->cg);
    const size_t padCount = small ? (size_t)(d->cg * FN(padded_h)(d) * FN(padded_w)(d)) : 0;
    const size_t bCount = ((size_t)kcb * PIX_BLOCK + 15) / 16 * 16, pCount = (padCount + 15) / 16 * 16;
    T *bp = cg_workspace((bCount + pCount) * sizeof(T) + (size_t)(kcb + NR) * sizeof(int));
    T *pad = bp + bCount;
    int *rows = (int *)(pad + pCount), *cols = rows + kcb;
    int padded = 0;
    const int avx512 = (d->sw == 1 || d->sw == 2) && cg_isa() == CG_ISA_AVX512;
    for (long k0 = 0; k0 < k; k0 += kcb) {
        long kc = FN(min)(kcb, k - k0);
        if (!(avx512 && (d->sw == 1 ? FN(pack_cols_avx512) : FN(pack_cols_s2_avx512))(d, xg, k0, kc, pix0, nb, bp))) {
            if (small) {
                if (!padded) { FN(pad_planes)(d, xg, 0, d->cg, pad); padded = 1; }
                FN(tap_offsets)(d, k0, kc, 0, rows);
                for (long jr = 0; jr < npanels; jr++) {
                    const long cols_ = FN(min)(NR, nb - jr * NR);
                    FN(pixel_offsets)(d, pix0 + jr * NR, cols_, cols);
                    FN(gather_panel)(pad, rows, kc, cols, cols_, bp + jr * kc * NR);
                }
            } else {
                FN(pack_cols)(d, xg, k0, kc, pix0, nb, bp);
            }
        }
        for (long jr = 0; jr < npanels; jr++) {
            long cols = FN(min)(NR, nb - jr * NR);
            for (long ir = 0; ir < panels; ir++) {
                long rows = FN(min)(CG_MR, d->og - ir * CG_MR);
                FN(tile)(kc, ag + k0 * panels * CG_MR + ir * kc * CG_MR, bp + jr * kc * NR,
                         yg + ir * CG_MR * P + pix0 + jr * NR, P, k0 > 0, rows, cols);
            }
        }
    }
    if (bias)
        for (long o = 0; o < d->og; o++) {
            T b = bias[g * d->og + o], *row = yg + o * P + pix0;
            for (long t = 0; t < nb; t++) row[t] += b;
        }
}

// MARK: backward to the input

static long FN(data_channel_block)(const cg_conv *d) {
    long khkw = d->kh * d->kw, cb = 256 / khkw;
    return cb < 1 ? 1 : FN(min)(cb, d->cg);
}

static long FN(bwd_data_tasks)(const cg_conv *d) {
    return d->n * d->groups * FN(ceil_div)(d->cg, FN(data_channel_block)(d));
}

void CAT(cg_conv_bwd_data_task, SUF)(const cg_conv *d, const T *w, const T *dy, T *dx, long task) {
    long cbs = FN(data_channel_block)(d), ncb = FN(ceil_div)(d->cg, cbs);
    long cb = task % ncb, g = (task / ncb) % d->groups, n = task / ncb / d->groups;
    long khkw = d->kh * d->kw, k = d->cg * khkw, hw = d->h * d->w, P = d->oh * d->ow;
    long c0 = cb * cbs, nc = FN(min)(cbs, d->cg - c0);
    long rows = nc * khkw, panels = FN(ceil_div)(rows, CG_MR);
    long ocb = FN(block_len)(d->og);
    T *dxg = dx + (n * d->c + g * d->cg + c0) * hw;
    const T *dyg = dy + (n * d->o + g * d->og) * P;
    memset(dxg, 0, (size_t)(nc * hw) * sizeof(T));

    // Workspace: packed Wᵀ rows (panels·MR × og), a B block (ocb × PIX_BLOCK) and the
    // column block C (panels·MR × PIX_BLOCK).
    size_t aCount = (size_t)panels * CG_MR * d->og, bCount = (size_t)ocb * PIX_BLOCK, cCount = (size_t)panels * CG_MR * PIX_BLOCK;
    T *ap = cg_workspace((aCount + bCount + cCount) * sizeof(T));
    T *bp = ap + aCount, *cp = bp + bCount;

    // A[ob][ir] = kc × MR: A(kk, i) = w[g·og + o0 + kk, c0·khkw + ir·MR + i].
    for (long o0 = 0; o0 < d->og; o0 += ocb) {
        long oc = FN(min)(ocb, d->og - o0);
        for (long ir = 0; ir < panels; ir++) {
            T *dst = ap + o0 * panels * CG_MR + ir * oc * CG_MR;
            for (long kk = 0; kk < oc; kk++) {
                const T *src = w + (g * d->og + o0 + kk) * k + c0 * khkw + ir * CG_MR;
                for (long i = 0; i < CG_MR; i++) dst[kk * CG_MR + i] = ir * CG_MR + i < rows ? src[i] : 0;
            }
        }
    }

    for (long pix0 = 0; pix0 < P; pix0 += PIX_BLOCK) {
        long nb = FN(min)(PIX_BLOCK, P - pix0), npanels = FN(ceil_div)(nb, NR), ldc = npanels * NR;
        for (long o0 = 0; o0 < d->og; o0 += ocb) {
            long oc = FN(min)(ocb, d->og - o0);
            for (long jr = 0; jr < npanels; jr++) {
                long cols = FN(min)(NR, nb - jr * NR);
                T *dst = bp + jr * oc * NR;
                for (long kk = 0; kk < oc; kk++) {
                    const T *src = dyg + (o0 + kk) * P + pix0 + jr * NR;
                    long j = 0;
                    for (; j < cols; j++) dst[kk * NR + j] = src[j];
                    for (; j < NR; j++) dst[kk * NR + j] = 0;
                }
            }
            for (long jr = 0; jr < npanels; jr++)
                for (long ir = 0; ir < panels; ir++)
                    UKR()(oc, ap + o0 * panels * CG_MR + ir * oc * CG_MR, bp + jr * oc * NR,
                          cp + ir * CG_MR * ldc + jr * NR, ldc, o0 > 0);
        }
        // col2im: scatter-add the rows of C into dx, in row order then pixel order.
        long i0 = pix0 / d->ow, j0 = pix0 % d->ow;
        for (long r = 0; r < rows; r++) {
            long c = r / khkw, rr = r % khkw, p = rr / d->kw, q = rr % d->kw;
            T *plane = dxg + c * hw;
            const T *src = cp + r * ldc;
            long off = 0, i = i0, j = j0;
            while (off < nb) {
                long seg = FN(min)(nb - off, d->ow - j);
                FN(scatter_row)(plane, d->h, d->w, i * d->sh - d->pt + p * d->dh, j * d->sw - d->pl + q * d->dw, d->sw, src + off, seg);
                off += seg; i++; j = 0;
            }
        }
    }
}

// MARK: backward to the weight

/// Columns per weight-gradient task: K split evenly into blocks of at most W_COLS,
/// rounded up to NR.
static long FN(weight_cols)(long k) {
    long blocks = FN(ceil_div)(k, W_COLS);
    return FN(ceil_div)(FN(ceil_div)(k, blocks), NR) * NR;
}

static long FN(bwd_weight_chunks)(const cg_conv *d) {
    long wcount = d->o * d->cg * d->kh * d->kw, chunks = FN(min)(d->n, 4);
    while (chunks > 1 && chunks * wcount > (1L << 24)) chunks--;
    return chunks;
}

static long FN(bwd_weight_tasks)(const cg_conv *d) {
    long k = d->cg * d->kh * d->kw;
    return FN(bwd_weight_chunks)(d) * d->groups * FN(ceil_div)(k, FN(weight_cols)(k));
}

/// Packs the transposed im2col block for the weight gradient: NR-column panels (kc × NR)
/// with B(kk, jj) = col[col0 + jr·NR + jj, p0 + kk], columns past ncols zero.
static void FN(pack_cols_t)(const cg_conv *d, const T *xg, long col0, long ncols, long p0, long kc, T *bp) {
    const long khkw = d->kh * d->kw, hw = d->h * d->w, npanels = FN(ceil_div)(ncols, NR);
    const long i0 = p0 / d->ow, j0 = p0 % d->ow;
    for (long jr = 0; jr < npanels; jr++) {
        T *base = bp + jr * kc * NR;
        for (long jj = 0; jj < NR; jj++) {
            long kidx = col0 + jr * NR + jj;
            if (jr * NR + jj >= ncols) {
                for (long kk = 0; kk < kc; kk++) base[kk * NR + jj] = 0;
                continue;
            }
            long c = kidx / khkw, r = kidx % khkw, p = r / d->kw, q = r % d->kw;
            const T *plane = xg + c * hw;
            long off = 0, i = i0, j = j0;
            while (off < kc) {
                long seg = FN(min)(kc - off, d->ow - j);
                FN(gather_row)(base + off * NR + jj, NR, plane, d->h, d->w, i * d->sh - d->pt + p * d->dh, j * d->sw - d->pl + q * d->dw, d->sw, seg);
                off += seg; i++; j = 0;
            }
        }
    }
}

void CAT(cg_conv_bwd_weight_task, SUF)(const cg_conv *d, const T *x, const T *dy, T *partials, long task) {
    long khkw = d->kh * d->kw, k = d->cg * khkw, hw = d->h * d->w, P = d->oh * d->ow;
    const long width = FN(weight_cols)(k);
    long ncb = FN(ceil_div)(k, width), chunks = FN(bwd_weight_chunks)(d);
    long cb = task % ncb, g = (task / ncb) % d->groups, chunk = task / ncb / d->groups;
    long nFirst = chunk * d->n / chunks, nEnd = (chunk + 1) * d->n / chunks;
    long col0 = cb * width, ncols = FN(min)(width, k - col0), npanels = FN(ceil_div)(ncols, NR);
    long panels = FN(ceil_div)(d->og, CG_MR), kcb = FN(block_len)(P);
    T *cpart = partials + chunk * d->o * k + g * d->og * k + col0;

    // Small images: channels [cFirst, cFirst + nc) of each image, padded once.
    const long cFirst = col0 / khkw, nc = (col0 + ncols - 1) / khkw - cFirst + 1;
    const int small = FN(small_image)(d, nc);
    size_t aCount = (size_t)panels * CG_MR * kcb, bCount = (size_t)kcb * width;
    size_t padCount = small ? ((size_t)(nc * FN(padded_h)(d) * FN(padded_w)(d)) + 15) / 16 * 16 : 0;
    T *ap = cg_workspace((aCount + bCount + padCount) * sizeof(T) + (size_t)(kcb + width) * sizeof(int));
    T *bp = ap + aCount, *pad = bp + bCount;
    int *pix = (int *)(pad + padCount), *tap = pix + kcb;
    if (small) FN(tap_offsets)(d, col0, ncols, cFirst, tap);

    int first = 1;
    for (long n = nFirst; n < nEnd; n++) {
        const T *xg = x + (n * d->c + g * d->cg) * hw;
        const T *dyg = dy + (n * d->o + g * d->og) * P;
        if (small) FN(pad_planes)(d, xg, cFirst, nc, pad);
        for (long p0 = 0; p0 < P; p0 += kcb) {
            long kc = FN(min)(kcb, P - p0);
            // A[ir] = kc × MR: A(kk, i) = dy[g·og + ir·MR + i, p0 + kk].
            for (long ir = 0; ir < panels; ir++) {
                T *dst = ap + ir * kc * CG_MR;
                for (long i = 0; i < CG_MR; i++) {
                    long o = ir * CG_MR + i;
                    if (o < d->og) {
                        const T *src = dyg + o * P + p0;
                        for (long kk = 0; kk < kc; kk++) dst[kk * CG_MR + i] = src[kk];
                    } else {
                        for (long kk = 0; kk < kc; kk++) dst[kk * CG_MR + i] = 0;
                    }
                }
            }
            // B[jr] = kc × NR: B(kk, jj) = col[col0 + jr·NR + jj, p0 + kk].
            // (An AVX-512 version, masked loads plus an in-register transpose, measured
            // slower than this scalar one: the stores here hit L1 and overlap the loads.)
            if (small) {
                FN(pixel_offsets)(d, p0, kc, pix);
                for (long jr = 0; jr < npanels; jr++)
                    FN(gather_panel)(pad, pix, kc, tap + jr * NR, FN(min)(NR, ncols - jr * NR), bp + jr * kc * NR);
            }
            else FN(pack_cols_t)(d, xg, col0, ncols, p0, kc, bp);
            for (long jr = 0; jr < npanels; jr++) {
                long cols = FN(min)(NR, ncols - jr * NR);
                for (long ir = 0; ir < panels; ir++) {
                    long rows = FN(min)(CG_MR, d->og - ir * CG_MR);
                    FN(tile)(kc, ap + ir * kc * CG_MR, bp + jr * kc * NR, cpart + ir * CG_MR * k + jr * NR, k, !first, rows, cols);
                }
            }
            first = 0;
        }
    }
}

void CAT(cg_conv_bwd_weight_reduce, SUF)(const cg_conv *d, const T *partials, T *dw, long begin, long end) {
    long count = d->o * d->cg * d->kh * d->kw, chunks = FN(bwd_weight_chunks)(d);
    for (long e = begin; e < end; e++) {
        T s = partials[e];
        for (long ch = 1; ch < chunks; ch++) s += partials[ch * count + e];
        dw[e] = s;
    }
}

#undef CAT_
#undef CAT
#undef FN
#undef KC_MAX
#undef PIX_BLOCK
#undef W_COLS
#undef SMALL_OW
#undef SMALL_PAD
#undef SMALL_BATCH
