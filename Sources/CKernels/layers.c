// Kernels of the network layers (SPEC §3.1): sigmoid, tanh, leaky_relu, softmax,
// cross_entropy and batchnorm, each on an AVX2 path and a portable one that compute every
// element by the same operations (layers_impl.h), chosen at run time like elementwise.c.
#include "internal.h"
#include <math.h>

// Contracting a·b + c into one FMA would round differently on some paths: never contract.
#pragma STDC FP_CONTRACT OFF
#pragma clang fp contract(off)

#define T float
#define SUF f32
#define SUF_IS_F64 0
#define PATH avx2
#define ATTR __attribute__((target("avx2")))
#include "layers_impl.h"
#undef PATH
#undef ATTR
#define PATH portable
#define ATTR
#include "layers_impl.h"
#undef PATH
#undef ATTR
#undef T
#undef SUF
#undef SUF_IS_F64

#define T double
#define SUF f64
#define SUF_IS_F64 1
#define PATH avx2
#define ATTR __attribute__((target("avx2")))
#include "layers_impl.h"
#undef PATH
#undef ATTR
#define PATH portable
#define ATTR
#include "layers_impl.h"
#undef PATH
#undef ATTR
#undef T
#undef SUF
#undef SUF_IS_F64

#define DISPATCH(name, suf, ...) \
    do { if (cg_isa() >= CG_ISA_AVX2) name##_avx2_##suf(__VA_ARGS__); else name##_portable_##suf(__VA_ARGS__); } while (0)

#define BOTH(T, suf)                                                                                              \
void cg_sigmoid_fwd_##suf(const T *x, T *y, long n) { DISPATCH(sigmoid_fwd, suf, x, y, n); }                   \
void cg_sigmoid_bwd_##suf(const T *y, const T *g, T *dx, long n) { DISPATCH(sigmoid_bwd, suf, y, g, dx, n); }  \
void cg_tanh_fwd_##suf(const T *x, T *y, long n) { DISPATCH(tanh_fwd, suf, x, y, n); }                         \
void cg_tanh_bwd_##suf(const T *y, const T *g, T *dx, long n) { DISPATCH(tanh_bwd, suf, y, g, dx, n); }        \
void cg_leaky_fwd_##suf(const T *x, T slope, T *y, long n) { DISPATCH(leaky_fwd, suf, x, slope, y, n); }       \
void cg_leaky_bwd_##suf(const T *y, const T *g, T slope, T *dx, long n) { DISPATCH(leaky_bwd, suf, y, g, slope, dx, n); } \
void cg_softmax_fwd_##suf(const T *x, T *y, long C, long S, long s0, long s1) {                                \
    DISPATCH(softmax_fwd, suf, x, y, C, S, s0, s1); }                                                          \
void cg_softmax_bwd_##suf(const T *y, const T *g, T *dx, long C, long S, long s0, long s1) {                   \
    DISPATCH(softmax_bwd, suf, y, g, dx, C, S, s0, s1); }                                                      \
void cg_xent_fwd_##suf(const T *x, const T *t, int indices, long C, long S, long s0, long s1, T *loss) {       \
    DISPATCH(xent_fwd, suf, x, t, indices, C, S, s0, s1, loss); }                                              \
void cg_xent_bwd_##suf(const T *x, const T *t, int indices, long C, long S, long s0, long s1, T scale, T *dx, T *dt) { \
    DISPATCH(xent_bwd, suf, x, t, indices, C, S, s0, s1, scale, dx, dt); }                                     \
void cg_bn_stats_##suf(const T *x, long N, long S, long plane_stride, T *mean, T *var) {                       \
    DISPATCH(bn_stats, suf, x, N, S, plane_stride, mean, var); }                                               \
void cg_bn_apply_##suf(const T *x, T *y, long S, T mu, T a, T b) { DISPATCH(bn_apply, suf, x, y, S, mu, a, b); } \
void cg_bn_sums_##suf(const T *x, const T *dy, long N, long S, long plane_stride, T mu, T inv, T *sdy, T *sdyx) { \
    DISPATCH(bn_sums, suf, x, dy, N, S, plane_stride, mu, inv, sdy, sdyx); }                                   \
void cg_bn_dx_train_##suf(const T *x, const T *dy, T *dx, long S, T mu, T inv, T k, T mdy, T mdyx) {           \
    DISPATCH(bn_dx_train, suf, x, dy, dx, S, mu, inv, k, mdy, mdyx); }                                         \
void cg_bn_dx_eval_##suf(const T *dy, T *dx, long S, T k) { DISPATCH(bn_dx_eval, suf, dy, dx, S, k); }

BOTH(float, f32)
BOTH(double, f64)
