// Element-wise kernels for one scalar type and one instruction set, included by
// elementwise.c four times: T float/double (SUF f32/f64) × ATTR (an AVX2 `target`
// attribute, or nothing for the portable path; PATH names it). The loops are plain C that
// the compiler vectorizes; every element is computed by the same single operations on
// every path (no FMA contraction: see the pragma in elementwise.c), so the bytes agree.

#define CAT3_(a, b, c) a##_##b##_##c
#define CAT3(a, b, c) CAT3_(a, b, c)
#define FN(name) CAT3(name, PATH, SUF)

// y = x where x > 0 or x is NaN, else +0.
ATTR static void FN(relu_fwd)(const T *restrict x, T *restrict y, long n) {
    for (long i = 0; i < n; i++) {
        T v = x[i];
        y[i] = ((v > 0) | (v != v)) ? v : (T)0;
    }
}

// dx = g where y > 0, else +0.
ATTR static void FN(relu_bwd)(const T *restrict y, const T *restrict g, T *restrict dx, long n) {
    for (long i = 0; i < n; i++) dx[i] = y[i] > 0 ? g[i] : (T)0;
}

// out = a + b (out may be a).
ATTR static void FN(add)(const T *a, const T *restrict b, T *out, long n) {
    for (long i = 0; i < n; i++) out[i] = a[i] + b[i];
}

// y = s · x.
ATTR static void FN(scale)(const T *restrict x, T s, T *restrict y, long n) {
    for (long i = 0; i < n; i++) y[i] = x[i] * s;
}

// dx = s · (x − t), dt = −dx (either may be NULL).
ATTR static void FN(scaled_diff)(const T *restrict x, const T *restrict t, T s, T *restrict dx, T *restrict dt, long n) {
    if (dx && dt) {
        for (long i = 0; i < n; i++) { T d = s * (x[i] - t[i]); dx[i] = d; dt[i] = -d; }
    } else if (dx) {
        for (long i = 0; i < n; i++) dx[i] = s * (x[i] - t[i]);
    } else if (dt) {
        for (long i = 0; i < n; i++) { T d = s * (x[i] - t[i]); dt[i] = -d; }
    }
}

#if WITH_PAIRWISE
// NumPy's pairwise sum of term(i) (kind 0: x[i]; 1: x[i]·x[i]; 2: (x[i]−t[i])²): below 8
// terms a plain loop; up to 128, eight running sums r0…r7 (r_j takes terms j, j+8, …)
// combined as ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)), then the remainder in order; above,
// split at a multiple of 8 near the half. Each r_j is one lane, so the lanes' chains are
// the scalar chains.
#define TERM(i) (kind == 0 ? x[i] : kind == 1 ? x[i] * x[i] : (x[i] - t[i]) * (x[i] - t[i]))
ATTR static T FN(pairwise)(const T *x, const T *t, long n, int kind) {
    if (n < 8) {
        T sum = 0;
        for (long i = 0; i < n; i++) { T v = TERM(i); sum += v; }
        return sum;
    }
    if (n <= 128) {
        T r[8];
        for (int j = 0; j < 8; j++) r[j] = TERM(j);
        long i = 8, whole = n - n % 8;
        if (kind == 0) {
            for (; i < whole; i += 8)
                for (int j = 0; j < 8; j++) r[j] += x[i + j];
        } else if (kind == 1) {
            for (; i < whole; i += 8)
                for (int j = 0; j < 8; j++) { T v = x[i + j] * x[i + j]; r[j] += v; }
        } else {
            for (; i < whole; i += 8)
                for (int j = 0; j < 8; j++) { T d = x[i + j] - t[i + j]; T v = d * d; r[j] += v; }
        }
        T sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++) { T v = TERM(i); sum += v; }
        return sum;
    }
    long half = n / 2;
    half -= half % 8;
    return FN(pairwise)(x, t, half, kind) + FN(pairwise)(x + half, t ? t + half : t, n - half, kind);
}
#undef TERM
#endif


#undef CAT3_
#undef CAT3
#undef FN
