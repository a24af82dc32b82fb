// Reference (plain loop) kernels of `pool` (SPEC §3). They are the oracle the fast
// kernels are tested against: every rule is spelled out once, in the obvious order.
//
// Window taps. Output cell (oh, ow) reads the taps
//     (oh·s_h − top + i·d_h,  ow·s_w − left + j·d_w),   0 ≤ i < k_h, 0 ≤ j < k_w,
// visited in row-major tap order (i outer, j inner).
//
// Max. Taps outside the input are −∞, i.e. ignored. The output is the largest in-input
// tap; ties go to the first maximal tap in row-major tap order, and that tap's index
// (h·W + w within its N,C plane) is the argmax. A NaN tap makes the output NaN (as
// PyTorch); the argmax is then the first NaN tap. The backward pass adds each upstream
// value into its argmax cell, so overlapping windows accumulate.
//
// Average. The output is the sum of the in-input taps (row-major tap order, summed with
// NumPy's pairwise order, `pairwiseSum`, as the seed notebook's `np.average` did) divided by
//   - without count_include_pad: the number of taps inside [0, H) × [0, W);
//   - with count_include_pad: the number of taps inside the padded input
//     [−top, H+bottom) × [−left, W+right).
// Taps that ceil_mode places past the padded input never count. The backward pass adds
// upstream/divisor into each in-input tap. A window with a zero divisor (impossible under
// the SPEC's padding and ceil_mode rules) gives 0 and passes no gradient.

extension Pool {
    /// Resolved geometry of one pool application (global pooling is resolved by the
    /// caller to window [H, W], stride 1, no padding).
    public struct Geometry: Hashable, Sendable {
        public var mode: Mode
        public var window: Spatial
        public var stride: Spatial
        public var dilation: Spatial
        public var pads: Pads
        public var ceilMode: Bool
        /// Average mode only; ignored by max pooling.
        public var countIncludePad: Bool

        public init(
            mode: Mode, window: Spatial, stride: Spatial, dilation: Spatial = Spatial(1),
            pads: Pads = .zero, ceilMode: Bool = false, countIncludePad: Bool = false
        ) {
            self.mode = mode
            self.window = window
            self.stride = stride
            self.dilation = dilation
            self.pads = pads
            self.ceilMode = ceilMode
            self.countIncludePad = countIncludePad
        }

        /// The geometry of global pooling over an `height`×`width` input: window
        /// [H, W], stride 1, no padding, output 1×1.
        public static func global(mode: Mode, height: Int, width: Int) -> Geometry {
            Geometry(mode: mode, window: Spatial(height, width), stride: Spatial(1))
        }

        /// Resolves the attributes of `pool` (padding spec, `global`) against an input of
        /// spatial size `inputHeight`×`inputWidth`. Does not validate them.
        public init(resolving pool: Pool, inputHeight: Int, inputWidth: Int) {
            if pool.global {
                self = .global(mode: pool.mode, height: inputHeight, width: inputWidth)
                return
            }
            let pads = pool.padding.resolved(
                height: inputHeight, width: inputWidth,
                kernel: pool.window, stride: pool.stride, dilation: pool.dilation)
            self.init(
                mode: pool.mode, window: pool.window, stride: pool.stride,
                dilation: pool.dilation, pads: pads, ceilMode: pool.ceilMode,
                countIncludePad: pool.countIncludePad)
        }
    }

    /// Output size per axis: floor: ⌊(H+t+b−d(k−1)−1)/s⌋+1; ceil_mode:
    /// ⌈(H+t+b−d(k−1)−1)/s⌉+1, minus 1 when (out−1)·s ≥ H+t (the last window would
    /// start in the end padding or past it).
    public static func outputSize(inputHeight: Int, inputWidth: Int, geometry g: Geometry) -> Spatial {
        Spatial(
            OutputSize.length(size: inputHeight, before: g.pads.top, after: g.pads.bottom, kernel: g.window.h,
                              stride: g.stride.h, dilation: g.dilation.h, ceil: g.ceilMode),
            OutputSize.length(size: inputWidth, before: g.pads.left, after: g.pads.right, kernel: g.window.w,
                              stride: g.stride.w, dilation: g.dilation.w, ceil: g.ceilMode))
    }

    /// The taps of one output position along one axis: the in-input tap coordinates in
    /// tap order, and how many taps lie inside the padded input.
    private struct AxisTaps {
        /// Input coordinates of the taps inside [0, size), in tap order.
        var inside: [Int]
        /// Number of taps inside [−padBegin, size + padEnd).
        var paddedCount: Int
    }

    /// Per output position along one axis, its taps (computed once per axis, not per
    /// element).
    private static func axisTaps(
        outputs: Int, size: Int, window k: Int, stride s: Int, dilation d: Int,
        padBegin: Int, padEnd: Int
    ) -> [AxisTaps] {
        (0..<outputs).map { o in
            var inside: [Int] = []
            inside.reserveCapacity(k)
            var padded = 0
            let start = o * s - padBegin
            for i in 0..<k {
                let x = start + i * d
                if x >= 0 && x < size { inside.append(x) }
                if x >= -padBegin && x < size + padEnd { padded += 1 }
            }
            return AxisTaps(inside: inside, paddedCount: padded)
        }
    }

    /// Checks a 4-D NCHW shape and returns its dims.
    private static func nchw(_ shape: Shape, _ what: String) -> (n: Int, c: Int, h: Int, w: Int) {
        precondition(shape.rank == 4, "pool \(what) must be 4-D NCHW, got \(shape)")
        return (shape[0], shape[1], shape[2], shape[3])
    }

    /// Forward pass. Returns the output N×C×OH×OW and, for max mode, the argmax: for each
    /// output element the flat index (within its N,C plane, i.e. h·W + w) of the first
    /// maximal input tap in row-major tap order (the first NaN tap if the window holds a
    /// NaN; −1 only if the window holds no input cell); nil for average.
    @_specialize(where T == Float) @_specialize(where T == Double)
    public static func referenceForward<T: TensorScalar>(
        input: Tensor<T>, geometry g: Geometry
    ) -> (output: Tensor<T>, argmax: [Int32]?) {
        let (n, c, h, w) = nchw(input.shape, "input")
        precondition(h * w <= Int(Int32.max), "pool plane too large for Int32 argmax")
        let os = outputSize(inputHeight: h, inputWidth: w, geometry: g)
        let (oh, ow) = (os.h, os.w)
        let rows = axisTaps(
            outputs: oh, size: h, window: g.window.h, stride: g.stride.h, dilation: g.dilation.h,
            padBegin: g.pads.top, padEnd: g.pads.bottom)
        let cols = axisTaps(
            outputs: ow, size: w, window: g.window.w, stride: g.stride.w, dilation: g.dilation.w,
            padBegin: g.pads.left, padEnd: g.pads.right)
        let planes = n * c
        let inPlane = h * w
        let outPlane = oh * ow
        var output = [T](repeating: 0, count: planes * outPlane)

        switch g.mode {
        case .max:
            var argmax = [Int32](repeating: -1, count: planes * outPlane)
            input.scalars.withUnsafeBufferPointer { x in
                output.withUnsafeMutableBufferPointer { y in
                    argmax.withUnsafeMutableBufferPointer { am in
                        for p in 0..<planes {
                            let xBase = p * inPlane
                            let yBase = p * outPlane
                            for r in 0..<oh {
                                let rowTaps = rows[r].inside
                                for q in 0..<ow {
                                    let colTaps = cols[q].inside
                                    var best = -T.infinity
                                    var bestIndex = -1
                                    scan: for hh in rowTaps {
                                        for ww in colTaps {
                                            let index = hh * w + ww
                                            let v = x[xBase + index]
                                            if v.isNaN {
                                                best = v; bestIndex = index
                                                break scan
                                            }
                                            // The first in-input tap always wins, so an
                                            // all −∞ window still points at a real cell.
                                            if bestIndex < 0 || v > best {
                                                best = v; bestIndex = index
                                            }
                                        }
                                    }
                                    y[yBase + r * ow + q] = best
                                    am[yBase + r * ow + q] = Int32(bestIndex)
                                }
                            }
                        }
                    }
                }
            }
            return (Tensor(shape: [n, c, oh, ow], scalars: output), argmax)

        case .average:
            var tapStorage = [T](repeating: 0, count: g.window.h * g.window.w)
            input.scalars.withUnsafeBufferPointer { x in
                output.withUnsafeMutableBufferPointer { y in
                  tapStorage.withUnsafeMutableBufferPointer { taps in
                    for p in 0..<planes {
                        let xBase = p * inPlane
                        let yBase = p * outPlane
                        for r in 0..<oh {
                            let rowTaps = rows[r]
                            for q in 0..<ow {
                                let colTaps = cols[q]
                                let divisor = g.countIncludePad
                                    ? rowTaps.paddedCount * colTaps.paddedCount
                                    : rowTaps.inside.count * colTaps.inside.count
                                var k = 0
                                for hh in rowTaps.inside {
                                    for ww in colTaps.inside {
                                        taps[k] = x[xBase + hh * w + ww]
                                        k += 1
                                    }
                                }
                                let sum = pairwiseSum(UnsafeBufferPointer(rebasing: taps[0..<k]))
                                y[yBase + r * ow + q] = divisor > 0 ? sum / T(divisor) : 0
                            }
                        }
                    }
                  }
                }
            }
            return (Tensor(shape: [n, c, oh, ow], scalars: output), nil)
        }
    }

    /// Backward pass: the gradient with respect to the input (shape `inputShape`) given the
    /// gradient `upstream` of the output. Max mode needs the `argmax` of the forward pass
    /// and routes each upstream value to that cell; average mode spreads upstream/divisor
    /// over the window's in-input taps. Overlapping windows accumulate.
    @_specialize(where T == Float) @_specialize(where T == Double)
    public static func referenceBackward<T: TensorScalar>(
        upstream: Tensor<T>, inputShape: Shape, argmax: [Int32]?, geometry g: Geometry
    ) -> Tensor<T> {
        let (n, c, h, w) = nchw(inputShape, "input")
        let os = outputSize(inputHeight: h, inputWidth: w, geometry: g)
        let (oh, ow) = (os.h, os.w)
        precondition(
            upstream.shape == Shape([n, c, oh, ow]),
            "pool upstream gradient has shape \(upstream.shape), expected \(Shape([n, c, oh, ow]))")
        let planes = n * c
        let inPlane = h * w
        let outPlane = oh * ow
        var grad = [T](repeating: 0, count: planes * inPlane)

        switch g.mode {
        case .max:
            guard let argmax else {
                preconditionFailure("max-pool backward needs the argmax of the forward pass")
            }
            precondition(argmax.count == upstream.count, "pool argmax does not match the output")
            upstream.scalars.withUnsafeBufferPointer { dy in
                argmax.withUnsafeBufferPointer { am in
                    grad.withUnsafeMutableBufferPointer { dx in
                        for p in 0..<planes {
                            let xBase = p * inPlane
                            let yBase = p * outPlane
                            for o in 0..<outPlane {
                                let index = Int(am[yBase + o])
                                guard index >= 0 else { continue }
                                precondition(index < inPlane, "pool argmax out of range")
                                dx[xBase + index] += dy[yBase + o]
                            }
                        }
                    }
                }
            }

        case .average:
            let rows = axisTaps(
                outputs: oh, size: h, window: g.window.h, stride: g.stride.h,
                dilation: g.dilation.h, padBegin: g.pads.top, padEnd: g.pads.bottom)
            let cols = axisTaps(
                outputs: ow, size: w, window: g.window.w, stride: g.stride.w,
                dilation: g.dilation.w, padBegin: g.pads.left, padEnd: g.pads.right)
            upstream.scalars.withUnsafeBufferPointer { dy in
                grad.withUnsafeMutableBufferPointer { dx in
                    for p in 0..<planes {
                        let xBase = p * inPlane
                        let yBase = p * outPlane
                        for r in 0..<oh {
                            let rowTaps = rows[r]
                            for q in 0..<ow {
                                let colTaps = cols[q]
                                let divisor = g.countIncludePad
                                    ? rowTaps.paddedCount * colTaps.paddedCount
                                    : rowTaps.inside.count * colTaps.inside.count
                                guard divisor > 0 else { continue }
                                let share = dy[yBase + r * ow + q] / T(divisor)
                                for hh in rowTaps.inside {
                                    for ww in colTaps.inside { dx[xBase + hh * w + ww] += share }
                                }
                            }
                        }
                    }
                }
            }
        }
        return Tensor(shape: inputShape, scalars: grad)
    }
}
