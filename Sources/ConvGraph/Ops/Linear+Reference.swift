import CKernels

// `linear`'s reference loop: the oracle of the fast GEMM, with the same summation order, so
// the two agree byte for byte.

extension Linear {
    /// C [m, n] = A [m, k] · B [k, n] (+ bias per column) by plain loops, with
    /// A(i, p) = a[i·sa.0 + p·sa.1] and B(p, j) = b[p·sb.0 + j·sb.1].
    ///
    /// Each C(i, j) sums the reduction in blocks of `cg_gemm_kc(k)` (k split evenly into
    /// blocks of at most 256): a fused multiply-add chain from 0 over each block, the block
    /// sums added in order, then the bias (when given). This is the order of the C kernels.
    @_specialize(where T == Float) @_specialize(where T == Double)
    static func referenceGEMM<T: TensorScalar>(m: Int, n: Int, k: Int, a: [T], strides sa: (Int, Int), b: [T], strides sb: (Int, Int),
                                               bias: [T]?, into c: inout [T]) {
        precondition(c.count == m * n, "linear: output buffer of \(c.count) for \(m)×\(n)")
        let kc = cg_gemm_kc(k)
        for i in 0..<m {
            for j in 0..<n {
                var total: T = 0
                var k0 = 0
                while k0 < k {
                    var acc: T = 0
                    for p in k0..<min(k0 + kc, k) {
                        acc = acc.addingProduct(a[i * sa.0 + p * sa.1], b[p * sb.0 + j * sb.1])
                    }
                    total = k0 == 0 ? acc : total + acc
                    k0 += kc
                }
                if let bias { total += bias[j] }
                c[i * n + j] = total
            }
        }
    }

    /// `forward` by the reference loop: y [N, out, 1, 1] from x [N, C, H, W], W [out, F].
    @_specialize(where T == Float) @_specialize(where T == Double)
    public static func referenceForward<T: TensorScalar>(input x: Tensor<T>, weight w: Tensor<T>, bias: Tensor<T>?) -> Tensor<T> {
        let n = x.shape[0], out = w.shape[0], f = w.shape[1]
        precondition(x.count == n * f, "linear: input \(x.shape) does not have F = \(f)")
        var y = [T](repeating: 0, count: n * out)
        referenceGEMM(m: n, n: out, k: f, a: x.scalars, strides: (f, 1), b: w.scalars, strides: (1, f), bias: bias?.scalars, into: &y)
        return Tensor(shape: [n, out, 1, 1], scalars: y)
    }

    /// The gradients by the reference loop: dx = dy·W, dW = dyᵀ·x, db = Σ_n dy.
    @_specialize(where T == Float) @_specialize(where T == Double)
    public static func referenceBackward<T: TensorScalar>(input x: Tensor<T>, weight w: Tensor<T>, upstream: Tensor<T>)
        -> (input: Tensor<T>, weight: Tensor<T>, bias: Tensor<T>) {
        let n = x.shape[0], out = w.shape[0], f = w.shape[1]
        let dy = upstream.scalars
        var dx = [T](repeating: 0, count: n * f), dw = [T](repeating: 0, count: out * f)
        referenceGEMM(m: n, n: f, k: out, a: dy, strides: (out, 1), b: w.scalars, strides: (f, 1), bias: nil, into: &dx)
        referenceGEMM(m: out, n: f, k: n, a: dy, strides: (1, out), b: x.scalars, strides: (f, 1), bias: nil, into: &dw)
        var db = [T](repeating: 0, count: out)
        for o in 0..<out {
            var acc: T = 0
            for image in 0..<n { acc += dy[image * out + o] }
            db[o] = acc
        }
        return (Tensor(shape: x.shape, scalars: dx), Tensor(shape: w.shape, scalars: dw), Tensor(shape: [out], scalars: db))
    }
}
