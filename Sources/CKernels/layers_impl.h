// Kernels of the network layers (sigmoid, tanh, leaky_relu, softmax, cross_entropy,
// batchnorm) for one scalar type and one instruction set, included by layers.c four times:
// T float/double (SUF f32/f64) × ATTR (an AVX2 `target` attribute, or nothing; PATH names
// it). Every element is computed by the same single operations on every path: exp and log
// are libm's, called once per element (never a vector approximation), and the sums keep
// eight running lanes in a fixed order, so all paths and thread counts give the same bytes.

#define CAT3_(a, b, c) a##_##b##_##c
#define CAT3(a, b, c) CAT3_(a, b, c)
#define FN(name) CAT3(name, PATH, SUF)

#if SUF_IS_F64
#define EXP exp
#define LOG log
#define SQRT sqrt
#define TANH tanh
#else
#define EXP expf
#define LOG logf
#define SQRT sqrtf
#define TANH tanhf
#endif

// y = 1/(1 + e^−x) for x ≥ 0, else e^x/(1 + e^x) (no overflow either way).
ATTR static void FN(sigmoid_fwd)(const T *restrict x, T *restrict y, long n) {
    for (long i = 0; i < n; i++) {
        T v = x[i];
        if (v >= 0) {
            y[i] = (T)1 / ((T)1 + EXP(-v));
        } else {
            T e = EXP(v);
            y[i] = e / ((T)1 + e);
        }
    }
}

// dx = g · (y · (1 − y)).
ATTR static void FN(sigmoid_bwd)(const T *restrict y, const T *restrict g, T *restrict dx, long n) {
    for (long i = 0; i < n; i++) dx[i] = g[i] * (y[i] * ((T)1 - y[i]));
}

ATTR static void FN(tanh_fwd)(const T *restrict x, T *restrict y, long n) {
    for (long i = 0; i < n; i++) y[i] = TANH(x[i]);
}

// dx = g · (1 − y²).
ATTR static void FN(tanh_bwd)(const T *restrict y, const T *restrict g, T *restrict dx, long n) {
    for (long i = 0; i < n; i++) dx[i] = g[i] * ((T)1 - y[i] * y[i]);
}

// y = x for x > 0 (and NaN), else slope · x.
ATTR static void FN(leaky_fwd)(const T *restrict x, T slope, T *restrict y, long n) {
    for (long i = 0; i < n; i++) {
        T v = x[i];
        y[i] = ((v > 0) | (v != v)) ? v : slope * v;
    }
}

// dx = g where y > 0 (exactly where x > 0, as slope ≥ 0), else slope · g.
ATTR static void FN(leaky_bwd)(const T *restrict y, const T *restrict g, T slope, T *restrict dx, long n) {
    for (long i = 0; i < n; i++) dx[i] = y[i] > 0 ? g[i] : slope * g[i];
}

// Positions handled together by the channel loops (their inner loops run along s).
#define BLOCK 64

// Softmax over c of x[c·S + s] for s in [s0, s1): y = e^(x − max) / Σ_c e^(x − max), the
// max and the sum taken over c in increasing order.
ATTR static void FN(softmax_fwd)(const T *restrict x, T *restrict y, long C, long S, long s0, long s1) {
    T m[BLOCK], sum[BLOCK];
    for (long b = s0; b < s1; b += BLOCK) {
        long nb = s1 - b < BLOCK ? s1 - b : BLOCK;
        for (long j = 0; j < nb; j++) { m[j] = x[b + j]; sum[j] = 0; }
        for (long c = 1; c < C; c++)
            for (long j = 0; j < nb; j++) { T v = x[c * S + b + j]; m[j] = v > m[j] ? v : m[j]; }
        for (long c = 0; c < C; c++)
            for (long j = 0; j < nb; j++) { T e = EXP(x[c * S + b + j] - m[j]); y[c * S + b + j] = e; sum[j] += e; }
        for (long c = 0; c < C; c++)
            for (long j = 0; j < nb; j++) y[c * S + b + j] = y[c * S + b + j] / sum[j];
    }
}

// dx = y · (g − Σ_c g·y), the sum over c in increasing order.
ATTR static void FN(softmax_bwd)(const T *restrict y, const T *restrict g, T *restrict dx, long C, long S, long s0, long s1) {
    T dot[BLOCK];
    for (long b = s0; b < s1; b += BLOCK) {
        long nb = s1 - b < BLOCK ? s1 - b : BLOCK;
        for (long j = 0; j < nb; j++) dot[j] = 0;
        for (long c = 0; c < C; c++)
            for (long j = 0; j < nb; j++) dot[j] += g[c * S + b + j] * y[c * S + b + j];
        for (long c = 0; c < C; c++)
            for (long j = 0; j < nb; j++) dx[c * S + b + j] = y[c * S + b + j] * (g[c * S + b + j] - dot[j]);
    }
}

// The max and log Σ e^(x − max) over c at positions [s0, s1) (into m and lse, indexed by s − s0).
ATTR static void FN(logsumexp)(const T *restrict x, long C, long S, long s0, long s1, T *restrict m, T *restrict lse) {
    long n = s1 - s0;
    for (long j = 0; j < n; j++) { m[j] = x[s0 + j]; lse[j] = 0; }
    for (long c = 1; c < C; c++)
        for (long j = 0; j < n; j++) { T v = x[c * S + s0 + j]; m[j] = v > m[j] ? v : m[j]; }
    for (long c = 0; c < C; c++)
        for (long j = 0; j < n; j++) lse[j] += EXP(x[c * S + s0 + j] - m[j]);
    for (long j = 0; j < n; j++) lse[j] = LOG(lse[j]);
}

// Cross entropy of one image's positions [s0, s1): loss[s − s0] = −Σ_c t_c·(x_c − m − lse)
// (probability targets t[c·S + s]) or −(x_label − m − lse) (index targets t[s], already
// checked to be whole numbers in [0, C)).
ATTR static void FN(xent_fwd)(const T *restrict x, const T *restrict t, int indices, long C, long S, long s0, long s1,
                              T *restrict loss) {
    T m[BLOCK], lse[BLOCK];
    for (long b = s0; b < s1; b += BLOCK) {
        long nb = s1 - b < BLOCK ? s1 - b : BLOCK;
        FN(logsumexp)(x, C, S, b, b + nb, m, lse);
        if (indices) {
            for (long j = 0; j < nb; j++) {
                long label = (long)t[b + j];
                loss[b - s0 + j] = -((x[label * S + b + j] - m[j]) - lse[j]);
            }
        } else {
            for (long j = 0; j < nb; j++) loss[b - s0 + j] = 0;
            for (long c = 0; c < C; c++)
                for (long j = 0; j < nb; j++) loss[b - s0 + j] -= t[c * S + b + j] * ((x[c * S + b + j] - m[j]) - lse[j]);
        }
    }
}

// dx = (softmax − t)·scale for index targets (t one-hot), (softmax·Σ_c t_c − t)·scale for
// probability targets (the same when they sum to 1, and the true derivative when they do
// not); for probability targets dt = −log_softmax·scale. Either output may be NULL.
ATTR static void FN(xent_bwd)(const T *restrict x, const T *restrict t, int indices, long C, long S, long s0, long s1, T scale,
                              T *restrict dx, T *restrict dt) {
    T m[BLOCK], lse[BLOCK], tsum[BLOCK];
    for (long b = s0; b < s1; b += BLOCK) {
        long nb = s1 - b < BLOCK ? s1 - b : BLOCK;
        FN(logsumexp)(x, C, S, b, b + nb, m, lse);
        if (!indices) {
            for (long j = 0; j < nb; j++) tsum[j] = 0;
            for (long c = 0; c < C; c++)
                for (long j = 0; j < nb; j++) tsum[j] += t[c * S + b + j];
        }
        for (long c = 0; c < C; c++) {
            for (long j = 0; j < nb; j++) {
                long i = c * S + b + j;
                T logp = (x[i] - m[j]) - lse[j];
                if (dx) {
                    if (indices) {
                        dx[i] = (EXP(logp) - ((long)t[b + j] == c ? (T)1 : (T)0)) * scale;
                    } else {
                        dx[i] = (EXP(logp) * tsum[j] - t[i]) * scale;
                    }
                }
                if (dt) dt[i] = -logp * scale;
            }
        }
    }
}

// Eight running sums r[s mod 8] over the planes of one channel, then ((r0+r1)+(r2+r3)) +
// ((r4+r5)+(r6+r7)). TERM(i) is the term at plane offset i.
#define LANE_SUM(result, planes, S, TERM)                                                         \
    do {                                                                                        \
        T r[8] = {0, 0, 0, 0, 0, 0, 0, 0};                                                      \
        long whole = (S) - (S) % 8;                                                             \
        for (long p = 0; p < (planes); p++) {                                                   \
            long o = p * plane_stride;                                                          \
            for (long s = 0; s < whole; s += 8)                                                 \
                for (int k = 0; k < 8; k++) r[k] += TERM(o + s + k);                            \
            for (long s = whole; s < (S); s++) r[s - whole] += TERM(o + s);                     \
        }                                                                                       \
        result = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));             \
    } while (0)

// Batch statistics of one channel, x pointing at its first plane (planes plane_stride
// apart): μ = Σx / M, σ² = Σ(x − μ)² / M (biased), M = N·S.
ATTR static void FN(bn_stats)(const T *restrict x, long N, long S, long plane_stride, T *mean, T *var) {
    T sum, sq;
    T M = (T)(N * S);
#define TX(i) x[i]
    LANE_SUM(sum, N, S, TX);
#undef TX
    T mu = sum / M;
#define TD(i) ((x[i] - mu) * (x[i] - mu))
    LANE_SUM(sq, N, S, TD);
#undef TD
    *mean = mu;
    *var = sq / M;
}

// y = (x − μ)·a + b over one plane.
ATTR static void FN(bn_apply)(const T *restrict x, T *restrict y, long S, T mu, T a, T b) {
    for (long s = 0; s < S; s++) y[s] = (x[s] - mu) * a + b;
}

// Σ dy and Σ dy·x̂ of one channel, x̂ = (x − μ)·inv, in one pass (each sum in the lanes
// and order of LANE_SUM).
ATTR static void FN(bn_sums)(const T *restrict x, const T *restrict dy, long N, long S, long plane_stride, T mu, T inv,
                             T *sdy, T *sdyx) {
    T r[8] = {0, 0, 0, 0, 0, 0, 0, 0}, q[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    long whole = S - S % 8;
    for (long p = 0; p < N; p++) {
        const T *xp = x + p * plane_stride, *gp = dy + p * plane_stride;
        for (long s = 0; s < whole; s += 8)
            for (int k = 0; k < 8; k++) { r[k] += gp[s + k]; q[k] += gp[s + k] * ((xp[s + k] - mu) * inv); }
        for (long s = whole; s < S; s++) { r[s - whole] += gp[s]; q[s - whole] += gp[s] * ((xp[s] - mu) * inv); }
    }
    *sdy = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    *sdyx = ((q[0] + q[1]) + (q[2] + q[3])) + ((q[4] + q[5]) + (q[6] + q[7]));
}

// Training-mode dx over one plane: k·(dy − mdy − x̂·mdyx), x̂ = (x − μ)·inv.
ATTR static void FN(bn_dx_train)(const T *restrict x, const T *restrict dy, T *restrict dx, long S, T mu, T inv, T k, T mdy, T mdyx) {
    for (long s = 0; s < S; s++) dx[s] = k * ((dy[s] - mdy) - ((x[s] - mu) * inv) * mdyx);
}

// dx = dy · k over one plane.
ATTR static void FN(bn_dx_eval)(const T *restrict dy, T *restrict dx, long S, T k) {
    for (long s = 0; s < S; s++) dx[s] = dy[s] * k;
}

#undef EXP
#undef LOG
#undef SQRT
#undef TANH
