// Reference (plain loop) kernels of `conv_transpose` (SPEC §3.1): the oracle of the fast
// path, written as the SPEC's formula with a fixed accumulation order.

extension ConvTranspose {
    /// The checked dimensions of one transposed conv (shared by forward and backward).
    struct Dims {
        var n, c, h, w: Int         // input N×in×H×W
        var og, kh, kw: Int         // weight in × out/groups × kh × kw
        var groups, cg: Int         // groups, input channels per group
        var o, oh, ow: Int          // output channels and spatial size

        init(_ op: ConvTranspose, input: Shape, weight: Shape) {
            precondition(input.rank == 4 && weight.rank == 4 && weight[0] == input[1] && input[1] % op.groups == 0,
                         "conv_transpose: weight \(weight) does not fit input \(input)")
            n = input[0]; c = input[1]; h = input[2]; w = input[3]
            og = weight[1]; kh = weight[2]; kw = weight[3]
            groups = op.groups; cg = c / groups; o = og * groups
            let size = op.outputSize(input: input, kernel: Spatial(kh, kw))
            precondition(size.h >= 1 && size.w >= 1, "conv_transpose output \(size.h)×\(size.w) is below 1")
            oh = size.h; ow = size.w
        }

        var outputShape: Shape { [n, o, oh, ow] }
    }

    /// y[n, g·og + o, i·sh − t + p·dh, j·sw − l + q·dw] += x[n, c, i, j]·W[c, o, p, q] for c in
    /// group g, cells outside the output dropped; accumulated in the order n, c, i, j, o, p, q
    /// (row-major over x, then over W's slice), then + b[o].
    @_specialize(where T == Float) @_specialize(where T == Double)
    public func referenceForward<T: TensorScalar>(input: Tensor<T>, weight: Tensor<T>, bias: Tensor<T>?,
                                                  workspace: Workspace<T> = Workspace()) -> Tensor<T> {
        let d = Dims(self, input: input.shape, weight: weight.shape)
        var y = workspace.takeZeroed(.output, count: d.outputShape.count)
        let (sh, sw, dh, dw, t, l) = (stride.h, stride.w, dilation.h, dilation.w, padding.top, padding.left)
        input.scalars.withUnsafeBufferPointer { x in
            weight.scalars.withUnsafeBufferPointer { wt in
                y.withUnsafeMutableBufferPointer { y in
                    for n in 0..<d.n {
                        for c in 0..<d.c {
                            let firstO = (c / d.cg) * d.og
                            for i in 0..<d.h {
                                for j in 0..<d.w {
                                    let v = x[((n * d.c + c) * d.h + i) * d.w + j]
                                    for o in 0..<d.og {
                                        let plane = (n * d.o + firstO + o) * d.oh * d.ow
                                        for p in 0..<d.kh {
                                            let r = i * sh - t + p * dh
                                            if r < 0 || r >= d.oh { continue }
                                            for q in 0..<d.kw {
                                                let s = j * sw - l + q * dw
                                                if s < 0 || s >= d.ow { continue }
                                                y[plane + r * d.ow + s] += v * wt[((c * d.og + o) * d.kh + p) * d.kw + q]
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if let bias { ConvTranspose.addBias(bias.scalars, to: &y, images: d.n, plane: d.oh * d.ow) }
        return Tensor(shape: d.outputShape, scalars: y)
    }

    /// y[n, o, ·, ·] += b[o].
    @_specialize(where T == Float) @_specialize(where T == Double)
    static func addBias<T: TensorScalar>(_ bias: [T], to y: inout [T], images: Int, plane: Int) {
        let channels = bias.count
        y.withUnsafeMutableBufferPointer { y in
            for n in 0..<images {
                for o in 0..<channels {
                    let b = bias[o], base = (n * channels + o) * plane
                    for k in 0..<plane { y[base + k] += b }
                }
            }
        }
    }

    /// Gradients given dL/dy, each only when asked:
    /// - input: dx[n, c, i, j] = Σ_{o, p, q} dy[n, g·og + o, i·sh − t + p·dh, j·sw − l + q·dw]·W[c, o, p, q]
    ///   over the taps inside the output, in the order o, p, q;
    /// - weight: dW[c, o, p, q] = Σ_{n, i, j} x[n, c, i, j]·dy[n, g·og + o, …], in the order n, i, j;
    /// - bias: db[o] = Σ_{n, h, w} dy[n, o, h, w], in the order n, h, w.
    @_specialize(where T == Float) @_specialize(where T == Double)
    public func referenceBackward<T: TensorScalar>(input: Tensor<T>, weight: Tensor<T>, upstream: Tensor<T>,
                                                   wantInput: Bool, wantWeight: Bool, wantBias: Bool,
                                                   workspace: Workspace<T> = Workspace())
        -> (input: Tensor<T>?, weight: Tensor<T>?, bias: Tensor<T>?) {
        let d = Dims(self, input: input.shape, weight: weight.shape)
        precondition(upstream.shape == d.outputShape, "conv_transpose upstream must be \(d.outputShape), got \(upstream.shape)")
        let (sh, sw, dh, dw, t, l) = (stride.h, stride.w, dilation.h, dilation.w, padding.top, padding.left)
        var dx = wantInput ? workspace.takeZeroed(.gradient(0), count: input.count) : []
        var dW = wantWeight ? workspace.takeZeroed(.gradient(1), count: weight.count) : []
        upstream.scalars.withUnsafeBufferPointer { dy in
            input.scalars.withUnsafeBufferPointer { x in
                weight.scalars.withUnsafeBufferPointer { wt in
                    // The taps of input cell (i, j) and kernel cell (p, q), inside the output.
                    func forEachTap(_ body: (_ xIndex: Int, _ wIndex: Int, _ yIndex: Int) -> Void, weightMajor: Bool) {
                        if weightMajor {
                            for c in 0..<d.c {
                                for o in 0..<d.og { for p in 0..<d.kh { for q in 0..<d.kw {
                                    let firstO = (c / d.cg) * d.og
                                    for n in 0..<d.n { for i in 0..<d.h { for j in 0..<d.w {
                                        let r = i * sh - t + p * dh, s = j * sw - l + q * dw
                                        if r < 0 || r >= d.oh || s < 0 || s >= d.ow { continue }
                                        body(((n * d.c + c) * d.h + i) * d.w + j, ((c * d.og + o) * d.kh + p) * d.kw + q,
                                             ((n * d.o + firstO + o) * d.oh + r) * d.ow + s)
                                    } } }
                                } } }
                            }
                        } else {
                            for n in 0..<d.n { for c in 0..<d.c {
                                let firstO = (c / d.cg) * d.og
                                for i in 0..<d.h { for j in 0..<d.w {
                                    for o in 0..<d.og { for p in 0..<d.kh { for q in 0..<d.kw {
                                        let r = i * sh - t + p * dh, s = j * sw - l + q * dw
                                        if r < 0 || r >= d.oh || s < 0 || s >= d.ow { continue }
                                        body(((n * d.c + c) * d.h + i) * d.w + j, ((c * d.og + o) * d.kh + p) * d.kw + q,
                                             ((n * d.o + firstO + o) * d.oh + r) * d.ow + s)
                                    } } }
                                } }
                            } }
                        }
                    }
                    if wantInput { forEachTap({ xi, wi, yi in dx[xi] += dy[yi] * wt[wi] }, weightMajor: false) }
                    if wantWeight { forEachTap({ xi, wi, yi in dW[wi] += x[xi] * dy[yi] }, weightMajor: true) }
                }
            }
        }
        return (wantInput ? Tensor(shape: input.shape, scalars: dx) : nil,
                wantWeight ? Tensor(shape: weight.shape, scalars: dW) : nil,
                wantBias ? Conv.biasGradient(upstream) : nil)
    }
}
