// Fast kernels of ConvGraph: GEMM micro-kernels with runtime CPU dispatch (AVX-512,
// AVX2+FMA, portable) and the convolution drivers built on them (implicit GEMM: the
// im2col matrix is never materialised, its panels are packed straight from the image).
//
// Determinism: every output element is one fused multiply-add chain over the reduction
// index in increasing order, cut into blocks whose bounds depend on the shape only, and the
// blocks are added in increasing order. Work is split into tasks that own disjoint outputs,
// so the bytes do not depend on the number of threads or which thread ran a task. All ISA
// paths compute the same chain with correctly rounded FMAs, so they agree bit for bit too.
#ifndef CONVGRAPH_CKERNELS_H
#define CONVGRAPH_CKERNELS_H

#include <stddef.h>
#include "cg_gemm.h"

#ifdef __cplusplus
extern "C" {
#endif

/// Instruction-set paths of the micro-kernels.
enum { CG_ISA_PORTABLE = 0, CG_ISA_AVX2 = 1, CG_ISA_AVX512 = 2 };

/// The best path this CPU supports.
int cg_isa_best(void);
/// The path in use (the best, unless `cg_set_isa` chose a lower one).
int cg_isa(void);
/// Chooses a path (clamped to what the CPU supports); for tests and benchmarks.
void cg_set_isa(int isa);

/// One convolution's dimensions (NCHW input, OIHW weight), all checked by the caller.
typedef struct {
    long n, c, h, w;        // input
    long o, cg, kh, kw;     // weight: O × C/groups × kh × kw
    long groups, og;        // groups, output channels per group
    long oh, ow;            // output spatial size (≥ 1)
    long sh, sw, dh, dw;    // stride, dilation
    long pt, pl;            // top and left padding
} cg_conv;

// Forward: y = conv(x, w) + bias. `pack_weight` packs w into a buffer of
// `fwd_packed_count` elements once per call; tasks (0 ..< fwd_tasks) then write disjoint
// parts of y. Each task owns one image, one group and one block of output pixels.
long cg_conv_fwd_tasks(const cg_conv *d, int f64);
long cg_conv_fwd_packed_count(const cg_conv *d, int f64);
void cg_conv_fwd_pack_weight_f32(const cg_conv *d, const float *w, float *packed);
void cg_conv_fwd_pack_weight_f64(const cg_conv *d, const double *w, double *packed);
void cg_conv_fwd_task_f32(const cg_conv *d, const float *x, const float *packed, const float *bias, float *y, long task);
void cg_conv_fwd_task_f64(const cg_conv *d, const double *x, const double *packed, const double *bias, double *y, long task);

// Backward to the input: dx = convᵀ(dy, w). Each task owns one image, one group and a block
// of input channels, and writes (not adds) its whole part of dx.
long cg_conv_bwd_data_tasks(const cg_conv *d, int f64);
void cg_conv_bwd_data_task_f32(const cg_conv *d, const float *w, const float *dy, float *dx, long task);
void cg_conv_bwd_data_task_f64(const cg_conv *d, const double *w, const double *dy, double *dx, long task);

// Backward to the weight: dw = Σ_images dy · colᵀ. The images are cut into
// `bwd_weight_chunks` fixed chunks (by shape); task t writes chunk partials
// `partials[chunk · |w| …]` for one group and one block of weight columns. `reduce` then
// adds the chunks in order into dw for elements [begin, end).
long cg_conv_bwd_weight_chunks(const cg_conv *d, int f64);
long cg_conv_bwd_weight_tasks(const cg_conv *d, int f64);
void cg_conv_bwd_weight_task_f32(const cg_conv *d, const float *x, const float *dy, float *partials, long task);
void cg_conv_bwd_weight_task_f64(const cg_conv *d, const double *x, const double *dy, double *partials, long task);
void cg_conv_bwd_weight_reduce_f32(const cg_conv *d, const float *partials, float *dw, long begin, long end);
void cg_conv_bwd_weight_reduce_f64(const cg_conv *d, const double *partials, double *dw, long begin, long end);

/// One pooling's dimensions; planes = N·C, each H×W in, OH×OW out.
typedef struct {
    long planes, h, w, oh, ow;
    long kh, kw, sh, sw, dh, dw;
    long pt, pb, pl, pr;        // padding: top, bottom, left, right
    int count_include_pad;      // average: divide by the taps inside the padded input
} cg_pool;

// Pooling over planes [first, end): the same rules and summation order as the reference
// loops (`Pool+Reference.swift`), so the results are bit-identical to them. Planes are
// independent, so any split over threads gives the same bytes.
void cg_maxpool_fwd_f32(const cg_pool *p, const float *x, float *y, int *argmax, long first, long end);
void cg_maxpool_fwd_f64(const cg_pool *p, const double *x, double *y, int *argmax, long first, long end);
void cg_maxpool_bwd_f32(const cg_pool *p, const float *dy, const int *argmax, float *dx, long first, long end);
void cg_maxpool_bwd_f64(const cg_pool *p, const double *dy, const int *argmax, double *dx, long first, long end);
void cg_avgpool_fwd_f32(const cg_pool *p, const float *x, float *y, long first, long end);
void cg_avgpool_fwd_f64(const cg_pool *p, const double *x, double *y, long first, long end);
void cg_avgpool_bwd_f32(const cg_pool *p, const float *dy, float *dx, long first, long end);
void cg_avgpool_bwd_f64(const cg_pool *p, const double *dy, double *dx, long first, long end);

// Element-wise kernels over n elements (callers split long arrays over threads; every
// element is computed alone, so the bytes do not depend on the split). See elementwise.c.
void cg_relu_fwd_f32(const float *x, float *y, long n);
void cg_relu_fwd_f64(const double *x, double *y, long n);
void cg_relu_bwd_f32(const float *y, const float *g, float *dx, long n);
void cg_relu_bwd_f64(const double *y, const double *g, double *dx, long n);
/// out = a + b; out may be a.
void cg_add_f32(const float *a, const float *b, float *out, long n);
void cg_add_f64(const double *a, const double *b, double *out, long n);
/// y = x · s.
void cg_scale_f32(const float *x, float s, float *y, long n);
void cg_scale_f64(const double *x, double s, double *y, long n);
/// dx = s · (x − t) and dt = −dx; either output may be NULL.
void cg_scaled_diff_f32(const float *x, const float *t, float s, float *dx, float *dt, long n);
void cg_scaled_diff_f64(const double *x, const double *t, double s, double *dx, double *dt, long n);
/// NumPy's pairwise sum (`np.sum` order, see PairwiseSum.swift) of x[i] (kind 0), x[i]² (1)
/// or (x[i] − t[i])² (2); t is read only by kind 2.
float cg_pairwise_sum_f32(const float *x, const float *t, long n, int kind);
double cg_pairwise_sum_f64(const double *x, const double *t, long n, int kind);

/// Padding modes of `cg_pad` (Pad.Mode).
enum { CG_PAD_CONSTANT = 0, CG_PAD_REFLECT = 1, CG_PAD_EDGE = 2 };
/// One `pad`: planes = N·C, each H×W in, OH×OW out, `pt`/`pl` rows/columns before.
typedef struct {
    long planes, h, w, oh, ow, pt, pl;
    int mode;
} cg_pad;
// Pad over planes [first, end): forward gathers (constant cells take `value`); backward
// crops (constant) or scatter-adds in row-major output order (reflect, edge), as
// Pad+Reference.swift does, so the bytes are the reference's.
void cg_pad_fwd_f32(const cg_pad *p, const float *x, float value, float *y, long first, long end);
void cg_pad_fwd_f64(const cg_pad *p, const double *x, double value, double *y, long first, long end);
void cg_pad_bwd_f32(const cg_pad *p, const float *dy, float *dx, long first, long end);
void cg_pad_bwd_f64(const cg_pad *p, const double *dy, double *dx, long first, long end);

/// Runs the current micro-kernel (f64 or f32) on L1-resident panels for about `seconds`
/// on the calling thread; returns the FLOPs done and stores the time taken in `elapsed`.
double cg_fma_probe(int f64, double seconds, double *elapsed);

/// Next task index of a shared counter (atomic fetch-add); drives dynamic scheduling.
long cg_next_task(long *counter);

/// Serves tensors up to 32 MiB from the heap and keeps freed memory for reuse (glibc
/// `mallopt`), so repeated runs do not page-fault their tensors in again; no-op elsewhere.
void cg_keep_heap(void);


// MARK: layers (layers.c): sigmoid, tanh, leaky_relu, softmax, cross_entropy, batchnorm.
// Softmax and cross entropy see one image as C rows of S positions and handle positions
// [s0, s1); the batchnorm kernels take one channel (planes plane_stride apart) or one plane.
void cg_sigmoid_fwd_f32(const float *x, float *y, long n);
void cg_sigmoid_bwd_f32(const float *y, const float *g, float *dx, long n);
void cg_tanh_fwd_f32(const float *x, float *y, long n);
void cg_tanh_bwd_f32(const float *y, const float *g, float *dx, long n);
void cg_leaky_fwd_f32(const float *x, float slope, float *y, long n);
void cg_leaky_bwd_f32(const float *y, const float *g, float slope, float *dx, long n);
void cg_softmax_fwd_f32(const float *x, float *y, long C, long S, long s0, long s1);
void cg_softmax_bwd_f32(const float *y, const float *g, float *dx, long C, long S, long s0, long s1);
void cg_xent_fwd_f32(const float *x, const float *t, int indices, long C, long S, long s0, long s1, float *loss);
void cg_xent_bwd_f32(const float *x, const float *t, int indices, long C, long S, long s0, long s1, float scale, float *dx, float *dt);
void cg_bn_stats_f32(const float *x, long N, long S, long plane_stride, float *mean, float *var);
void cg_bn_apply_f32(const float *x, float *y, long S, float mu, float a, float b);
void cg_bn_sums_f32(const float *x, const float *dy, long N, long S, long plane_stride, float mu, float inv, float *sdy, float *sdyx);
void cg_bn_dx_train_f32(const float *x, const float *dy, float *dx, long S, float mu, float inv, float k, float mdy, float mdyx);
void cg_bn_dx_eval_f32(const float *dy, float *dx, long S, float k);
void cg_sigmoid_fwd_f64(const double *x, double *y, long n);
void cg_sigmoid_bwd_f64(const double *y, const double *g, double *dx, long n);
void cg_tanh_fwd_f64(const double *x, double *y, long n);
void cg_tanh_bwd_f64(const double *y, const double *g, double *dx, long n);
void cg_leaky_fwd_f64(const double *x, double slope, double *y, long n);
void cg_leaky_bwd_f64(const double *y, const double *g, double slope, double *dx, long n);
void cg_softmax_fwd_f64(const double *x, double *y, long C, long S, long s0, long s1);
void cg_softmax_bwd_f64(const double *y, const double *g, double *dx, long C, long S, long s0, long s1);
void cg_xent_fwd_f64(const double *x, const double *t, int indices, long C, long S, long s0, long s1, double *loss);
void cg_xent_bwd_f64(const double *x, const double *t, int indices, long C, long S, long s0, long s1, double scale, double *dx, double *dt);
void cg_bn_stats_f64(const double *x, long N, long S, long plane_stride, double *mean, double *var);
void cg_bn_apply_f64(const double *x, double *y, long S, double mu, double a, double b);
void cg_bn_sums_f64(const double *x, const double *dy, long N, long S, long plane_stride, double mu, double inv, double *sdy, double *sdyx);
void cg_bn_dx_train_f64(const double *x, const double *dy, double *dx, long S, double mu, double inv, double k, double mdy, double mdyx);
void cg_bn_dx_eval_f64(const double *dy, double *dx, long S, double k);

#ifdef __cplusplus
}
#endif
#endif
