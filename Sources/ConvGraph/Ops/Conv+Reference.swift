// Reference (plain loop) kernels of `conv` (SPEC §3). They are the oracle the fast kernels
// are tested against: written for clarity and exactness, with a fixed, documented
// accumulation order so results are bit-for-bit deterministic.

extension Conv {
    /// Resolved geometry of one conv application: explicit pads (after `same`/`valid`
    /// resolution), stride, dilation and groups.
    public struct Geometry: Hashable, Sendable {
        public var stride: Spatial
        public var dilation: Spatial
        public var pads: Pads
        public var groups: Int

        public init(
            stride: Spatial = Spatial(1), dilation: Spatial = Spatial(1),
            pads: Pads = .zero, groups: Int = 1
        ) {
            self.stride = stride
            self.dilation = dilation
            self.pads = pads
            self.groups = groups
        }
    }

    /// Output spatial size: ⌊(H+t+b−d(k−1)−1)/s⌋+1 per axis (`OutputSize.length`; 0 when
    /// the dilated kernel does not fit, which callers reject).
    public static func outputSize(
        inputHeight: Int, inputWidth: Int, kernel: Spatial, geometry g: Geometry
    ) -> Spatial {
        Spatial(
            OutputSize.length(size: inputHeight, before: g.pads.top, after: g.pads.bottom, kernel: kernel.h,
                              stride: g.stride.h, dilation: g.dilation.h, ceil: false),
            OutputSize.length(size: inputWidth, before: g.pads.left, after: g.pads.right, kernel: kernel.w,
                              stride: g.stride.w, dilation: g.dilation.w, ceil: false))
    }

    /// The checked dimensions of one conv application (shared by forward and backward).
    private struct Dims {
        var n, c, h, w: Int          // input N×C×H×W
        var o, cg, kh, kw: Int       // weight O×(C/groups)×kh×kw
        var groups, og: Int          // groups, out channels per group
        var oh, ow: Int              // output spatial size
        var sh, sw, dh, dw, top, left: Int

        init(input: Shape, weight: Shape, geometry g: Geometry) {
            precondition(input.rank == 4, "conv input must be 4-D (NCHW), got \(input)")
            precondition(weight.rank == 4, "conv weight must be 4-D (OIHW), got \(weight)")
            precondition(g.groups >= 1, "conv groups must be ≥ 1")
            precondition(g.stride.h >= 1 && g.stride.w >= 1, "conv stride must be ≥ 1")
            precondition(g.dilation.h >= 1 && g.dilation.w >= 1, "conv dilation must be ≥ 1")
            n = input[0]; c = input[1]; h = input[2]; w = input[3]
            o = weight[0]; cg = weight[1]; kh = weight[2]; kw = weight[3]
            groups = g.groups
            precondition(c % groups == 0 && o % groups == 0, "conv channels not divisible by groups")
            precondition(cg * groups == c, "conv weight \(weight) does not match input \(input) with groups \(groups)")
            og = o / groups
            let out = Conv.outputSize(inputHeight: h, inputWidth: w, kernel: Spatial(kh, kw), geometry: g)
            precondition(out.h >= 1 && out.w >= 1, "conv output size \(out.h)×\(out.w) is below 1")
            oh = out.h; ow = out.w
            sh = g.stride.h; sw = g.stride.w
            dh = g.dilation.h; dw = g.dilation.w
            top = g.pads.top; left = g.pads.left
        }

        var outputShape: Shape { [n, o, oh, ow] }
    }

    /// Forward cross-correlation (no kernel flip) with zero padding, stride, dilation and
    /// groups.
    ///
    /// - Parameters:
    ///   - input: N×C×H×W.
    ///   - weight: O×(C/groups)×kh×kw (OIHW).
    ///   - bias: `nil` or exactly O elements (any shape).
    ///   - geometry: stride, dilation, resolved padding and groups.
    ///   - workspace: where the output and scratch buffers come from (a session's node
    ///     workspace reuses them across steps).
    /// - Returns: N×O×OH×OW, where
    ///   y[n,o,i,j] = (Σ_{c,p,q} x[n, g·Cg+c, i·sh−t+p·dh, j·sw−l+q·dw] · w[o,c,p,q]) + b[o]
    ///   with g = o / (O/groups) and out-of-range input cells read as 0. The window's
    ///   products, in the order c, p, q (row-major over the weight slice, padding taps
    ///   included as 0·w), are summed with NumPy's pairwise order (`pairwiseSum`), as the
    ///   seed notebook's `np.sum(a_slice * W)` did; the bias is added last.
    @_specialize(where T == Float) @_specialize(where T == Double)
    public static func referenceForward<T: TensorScalar>(
        input: Tensor<T>, weight: Tensor<T>, bias: Tensor<T>?, geometry: Geometry, workspace: Workspace<T> = Workspace()
    ) -> Tensor<T> {
        let d = Dims(input: input.shape, weight: weight.shape, geometry: geometry)
        if let bias { precondition(bias.count == d.o, "conv bias must have \(d.o) elements, got \(bias.shape)") }
        var out = workspace.takeZeroed(.output, count: d.outputShape.count)
        let biasScalars = bias?.scalars
        let xImage = d.c * d.h * d.w, xChannel = d.h * d.w
        let wFilter = d.cg * d.kh * d.kw, wChannel = d.kh * d.kw
        let yImage = d.o * d.oh * d.ow, yChannel = d.oh * d.ow

        // One window's products, in the order c, p, q (padding taps contribute 0·w).
        var productStorage = workspace.takeZeroed(.scratch(3), count: wFilter)
        defer { workspace.give(.scratch(3), productStorage) }
        input.scalars.withUnsafeBufferPointer { x in
            weight.scalars.withUnsafeBufferPointer { wt in
                out.withUnsafeMutableBufferPointer { y in
                  productStorage.withUnsafeMutableBufferPointer { products in
                    for n in 0..<d.n {
                        for oc in 0..<d.o {
                            let firstC = (oc / d.og) * d.cg
                            let b: T = biasScalars.map { $0[oc] } ?? 0
                            for i in 0..<d.oh {
                                let ih0 = i * d.sh - d.top
                                for j in 0..<d.ow {
                                    let iw0 = j * d.sw - d.left
                                    var k = 0
                                    for c in 0..<d.cg {
                                        let xBase = n * xImage + (firstC + c) * xChannel
                                        let wBase = oc * wFilter + c * wChannel
                                        for p in 0..<d.kh {
                                            let ih = ih0 + p * d.dh
                                            let rowInside = ih >= 0 && ih < d.h
                                            for q in 0..<d.kw {
                                                let iw = iw0 + q * d.dw
                                                let value: T = rowInside && iw >= 0 && iw < d.w ? x[xBase + ih * d.w + iw] : 0
                                                products[k] = value * wt[wBase + p * d.kw + q]
                                                k += 1
                                            }
                                        }
                                    }
                                    let acc = pairwiseSum(UnsafeBufferPointer(products))
                                    y[n * yImage + oc * yChannel + i * d.ow + j] = acc + b
                                }
                            }
                        }
                    }
                  }
                }
            }
        }
        return Tensor(shape: d.outputShape, scalars: out)
    }

    /// Gradients of a conv given the upstream gradient dL/dy (N×O×OH×OW).
    ///
    /// Each gradient is computed only when asked (`nil` otherwise):
    /// - input: shape of `input`; scatter form — for n, o, i, j (row-major over the
    ///   output) and then c, p, q, dx[n, g·Cg+c, ih, iw] += dy[n,o,i,j] · w[o,c,p,q] for
    ///   every tap inside the input (taps in the padding are dropped).
    /// - weight: shape of `weight`; dw[o,c,p,q] = Σ_{n,i,j} dy[n,o,i,j] · x[n, g·Cg+c, ih, iw],
    ///   summed in the order n, i, j.
    /// - bias: shape [O]; db[o] = Σ_{n,i,j} dy[n,o,i,j], summed in the order n, i, j.
    @_specialize(where T == Float) @_specialize(where T == Double)
    public static func referenceBackward<T: TensorScalar>(
        input: Tensor<T>, weight: Tensor<T>, upstream: Tensor<T>, geometry: Geometry,
        wantInput: Bool, wantWeight: Bool, wantBias: Bool, workspace: Workspace<T> = Workspace()
    ) -> (input: Tensor<T>?, weight: Tensor<T>?, bias: Tensor<T>?) {
        let d = Dims(input: input.shape, weight: weight.shape, geometry: geometry)
        precondition(upstream.shape == d.outputShape,
                     "conv upstream gradient must be \(d.outputShape), got \(upstream.shape)")
        let xImage = d.c * d.h * d.w, xChannel = d.h * d.w
        let wFilter = d.cg * d.kh * d.kw, wChannel = d.kh * d.kw
        let yImage = d.o * d.oh * d.ow, yChannel = d.oh * d.ow

        var dInput: Tensor<T>?
        var dWeight: Tensor<T>?
        var dBias: Tensor<T>?

        upstream.scalars.withUnsafeBufferPointer { dy in
            if wantInput {
                var dx = workspace.takeZeroed(.gradient(0), count: input.shape.count)
                weight.scalars.withUnsafeBufferPointer { wt in
                    dx.withUnsafeMutableBufferPointer { dxp in
                        for n in 0..<d.n {
                            for oc in 0..<d.o {
                                let firstC = (oc / d.og) * d.cg
                                for i in 0..<d.oh {
                                    let ih0 = i * d.sh - d.top
                                    for j in 0..<d.ow {
                                        let iw0 = j * d.sw - d.left
                                        let g = dy[n * yImage + oc * yChannel + i * d.ow + j]
                                        for c in 0..<d.cg {
                                            let xBase = n * xImage + (firstC + c) * xChannel
                                            let wBase = oc * wFilter + c * wChannel
                                            for p in 0..<d.kh {
                                                let ih = ih0 + p * d.dh
                                                if ih < 0 || ih >= d.h { continue }
                                                for q in 0..<d.kw {
                                                    let iw = iw0 + q * d.dw
                                                    if iw < 0 || iw >= d.w { continue }
                                                    dxp[xBase + ih * d.w + iw] += g * wt[wBase + p * d.kw + q]
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                dInput = Tensor(shape: input.shape, scalars: dx)
            }

            if wantWeight {
                var dw = workspace.takeZeroed(.gradient(1), count: weight.shape.count)
                input.scalars.withUnsafeBufferPointer { x in
                    dw.withUnsafeMutableBufferPointer { dwp in
                        for oc in 0..<d.o {
                            let firstC = (oc / d.og) * d.cg
                            for c in 0..<d.cg {
                                for p in 0..<d.kh {
                                    for q in 0..<d.kw {
                                        var acc: T = 0
                                        for n in 0..<d.n {
                                            let xBase = n * xImage + (firstC + c) * xChannel
                                            let yBase = n * yImage + oc * yChannel
                                            for i in 0..<d.oh {
                                                let ih = i * d.sh - d.top + p * d.dh
                                                if ih < 0 || ih >= d.h { continue }
                                                for j in 0..<d.ow {
                                                    let iw = j * d.sw - d.left + q * d.dw
                                                    if iw < 0 || iw >= d.w { continue }
                                                    acc += dy[yBase + i * d.ow + j] * x[xBase + ih * d.w + iw]
                                                }
                                            }
                                        }
                                        dwp[oc * wFilter + c * wChannel + p * d.kw + q] = acc
                                    }
                                }
                            }
                        }
                    }
                }
                dWeight = Tensor(shape: weight.shape, scalars: dw)
            }

            if wantBias {
                var db = workspace.takeZeroed(.gradient(2), count: d.o)
                for oc in 0..<d.o {
                    var acc: T = 0
                    for n in 0..<d.n {
                        let yBase = n * yImage + oc * yChannel
                        for k in 0..<yChannel { acc += dy[yBase + k] }
                    }
                    db[oc] = acc
                }
                dBias = Tensor(shape: [d.o], scalars: db)
            }
        }
        return (dInput, dWeight, dBias)
    }

    /// Swaps the first two axes of a weight: IOHW `[in, out, kh, kw]` ↔ OIHW
    /// `[out, in, kh, kw]` (groups 1). Works for any rank ≥ 2; the trailing axes are
    /// carried along as one contiguous block. Its own inverse.
    public static func swapLeadingAxes<T>(_ w: Tensor<T>) -> Tensor<T> {
        precondition(w.shape.rank >= 2, "swapLeadingAxes needs rank ≥ 2, got \(w.shape)")
        let a = w.shape[0], b = w.shape[1]
        let inner = w.shape.dims.dropFirst(2).reduce(1, *)
        var dims = w.shape.dims
        dims.swapAt(0, 1)
        var out = [T](repeating: 0, count: w.count)
        w.scalars.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for i in 0..<a {
                    for j in 0..<b {
                        let from = (i * b + j) * inner
                        let to = (j * a + i) * inner
                        for k in 0..<inner { dst[to + k] = src[from + k] }
                    }
                }
            }
        }
        return Tensor(shape: Shape(dims), scalars: out)
    }
}
