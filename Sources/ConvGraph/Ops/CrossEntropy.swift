import CKernels

/// `cross_entropy`: the mean over the M = N·H·W positions of −Σ_k t_k·log_softmax(x)_k,
/// for logits x [N, K, H, W] (K ≥ 2, softmax over the channels) and a target that is
/// either class indices [N, 1, H, W] (whole numbers 0…K−1 in the graph dtype) or
/// probabilities [N, K, H, W], used as given. log_softmax = x − max − log Σ e^(x − max).
///
/// A target that is not a class index (fractional, negative, ≥ K, NaN) fails the forward
/// pass with an `OpFailure` naming the index and the value. Gradients: the logits get
/// (softmax − t)/M (t one-hot for indices), a probability target −log_softmax/M, an index
/// target none.
public struct CrossEntropy: Op {
    public static let name = "cross_entropy"
    public static let ports = [Port.input, Port("target")]
    public static let attributeNames: [String] = []
    public init() {}
    public static func decode(_ a: inout AttributeReader) -> CrossEntropy? { CrossEntropy() }

    public func outputShape(inputs: [Shape]) throws(ShapeError) -> ShapeInference {
        let x = inputs[0], t = inputs[1]
        guard x.rank == 4 else {
            throw ShapeError("cross_entropy needs 4-D logits [N, K, H, W], not \(x.bracketed)", inputs: [0])
        }
        guard x[1] >= 2 else {
            throw ShapeError("cross_entropy needs K ≥ 2 classes, but the logits \(x.bracketed) have K = \(x[1])", inputs: [0])
        }
        let indices: Shape = [x[0], 1, x[2], x[3]]
        guard t == indices || t == x else {
            throw ShapeError("cross_entropy target \(t.bracketed) must be class indices \(indices.bracketed) or probabilities \(x.bracketed) for logits \(x.bracketed)",
                             inputs: [0, 1])
        }
        return ShapeInference([])
    }

    /// Per logit: a compare, a subtraction, an exp, an add and a multiply-add against the target.
    public func flops(inputs: [Shape], output: Shape) -> Int { inputs[0].count.multipliedReportingOverflow(by: 6).partialValue }

    /// Whether the target holds class indices (one channel) rather than probabilities.
    static func hasIndexTarget(_ shapes: [Shape]) -> Bool { shapes[1][1] == 1 }

    public func propagatesGradient(toInput index: Int, inputShapes: [Shape]) -> Bool {
        index == 0 || !Self.hasIndexTarget(inputShapes)
    }

    /// The run's NaN when the target holds something other than class indices.
    public func forward<T: TensorScalar>(_ inputs: [Tensor<T>]) -> ForwardResult<T> { forward(inputs, parallelism: .serial) }
    public func forward<T: TensorScalar>(_ inputs: [Tensor<T>], parallelism: Parallelism) -> ForwardResult<T> {
        var context = ForwardContext<T>(parallelism: parallelism)
        do {
            return try forward(inputs, context: &context)
        } catch {
            return ForwardResult(Tensor(scalar: .nan))
        }
    }

    /// The first target value that is not a class index in 0..<k, as an `OpFailure`.
    static func checkIndices<T: TensorScalar>(_ t: Tensor<T>, classes k: Int) throws(OpFailure) {
        for (i, v) in t.scalars.enumerated() {
            let d = Double(v)
            if d >= 0, d < Double(k), d.rounded(.towardZero) == d { continue }
            let s = t.shape
            let (h, w) = (s[2], s[3])
            let index = [i / (h * w), 0, (i / w) % h, i % w]
            throw OpFailure("target value \(d) at index [\(index.map(String.init).joined(separator: ", "))] is not a class index",
                            notes: ["an index target holds whole numbers 0…\(k - 1) (K = \(k) classes)"])
        }
    }

    @_specialize(where T == Float) @_specialize(where T == Double)
    public func forward<T: TensorScalar>(_ inputs: [Tensor<T>], context: inout ForwardContext<T>) throws(OpFailure) -> ForwardResult<T> {
        let x = inputs[0], t = inputs[1]
        let indices = Self.hasIndexTarget(inputs.map(\.shape))
        let (n, k, s) = (x.shape[0], x.shape[1], x.shape[2] * x.shape[3])
        if indices { try Self.checkIndices(t, classes: k) }
        let m = n * s
        var losses = context.workspace.take(.scratch(0), count: m)
        losses.withUnsafeMutableBufferPointer { lp in
            x.scalars.withUnsafeBufferPointer { xp in
                t.scalars.withUnsafeBufferPointer { tp in
                    let l = KernelPointer(lp.baseAddress), xv = KernelPointer(xp.baseAddress), tv = KernelPointer(tp.baseAddress)
                    let flag: Int32 = indices ? 1 : 0
                    LayerKernels.forEachPositionBlock(images: n, channels: k, positions: s, parallelism: context.parallelism) { i, s0, s1 in
                        let o = i * k * s, to = indices ? i * s : o, lo = i * s + s0
                        if T.self == Double.self {
                            cg_xent_fwd_f64(xv.f64(o), tv.f64(to), flag, k, s, s0, s1, l.f64(lo))
                        } else {
                            cg_xent_fwd_f32(xv.f32(o), tv.f32(to), flag, k, s, s0, s1, l.f32(lo))
                        }
                    }
                }
            }
        }
        let total = Elementwise.pairwiseSum(losses, terms: .values, parallelism: context.parallelism)
        context.workspace.give(.scratch(0), losses)
        var y = context.output([])
        y.scalars[0] = total / T(m)
        return ForwardResult(y)
    }

    public func backwardReadsInput(_ index: Int) -> Bool { true }

    @_specialize(where T == Float) @_specialize(where T == Double)
    public func backward<T: TensorScalar>(_ c: BackwardContext<T>) -> [Tensor<T>?] {
        let indices = Self.hasIndexTarget(c.inputShapes)
        let wantX = c.wants[0], wantT = c.wants[1] && !indices
        guard wantX || wantT else { return [nil, nil] }
        let x = c.input(0), t = c.input(1)
        let (n, k, s) = (x.shape[0], x.shape[1], x.shape[2] * x.shape[3])
        let scale = c.upstream.scalars[0] / T(n * s)
        var dx = wantX ? c.gradient(0).scalars : []
        var dt = wantT ? c.gradient(1).scalars : []
        dx.withUnsafeMutableBufferPointer { dxp in
            dt.withUnsafeMutableBufferPointer { dtp in
                x.scalars.withUnsafeBufferPointer { xp in
                    t.scalars.withUnsafeBufferPointer { tp in
                        let gx = KernelPointer(wantX ? dxp.baseAddress : nil), gt = KernelPointer(wantT ? dtp.baseAddress : nil)
                        let xv = KernelPointer(xp.baseAddress), tv = KernelPointer(tp.baseAddress)
                        let flag: Int32 = indices ? 1 : 0
                        LayerKernels.forEachPositionBlock(images: n, channels: k, positions: s, parallelism: c.parallelism) { i, s0, s1 in
                            let o = i * k * s, to = indices ? i * s : o
                            if T.self == Double.self {
                                cg_xent_bwd_f64(xv.f64(o), tv.f64(to), flag, k, s, s0, s1, Double(scale), gx.f64(o), gt.f64(o))
                            } else {
                                cg_xent_bwd_f32(xv.f32(o), tv.f32(to), flag, k, s, s0, s1, Float(scale), gx.f32(o), gt.f32(o))
                            }
                        }
                    }
                }
            }
        }
        return [wantX ? Tensor(shape: x.shape, scalars: dx) : nil, wantT ? Tensor(shape: t.shape, scalars: dt) : nil]
    }

    public static let reference = OpReference(
        summary: "The softmax cross entropy of logits against class indices or probabilities, averaged over the positions.",
        ports: [.init("input", "logits x, [N, K, H, W] with K ≥ 2"),
                .init("target", "class indices [N, 1, H, W] (whole numbers 0…K−1 in the graph dtype) or probabilities [N, K, H, W] (used as given)")],
        attributes: [],
        output: "scalar (shape `()`)",
        formula: "y = −(1/M)·Σ_positions Σ_k t_k·log_softmax(x)_k, M = N·H·W, log_softmax = x − max − log Σ e^(x − max); −log_softmax(x)_label for indices",
        backward: "dx = dy·(softmax(x) − t)/M (t one-hot for indices; softmax(x)·Σ_k t_k − t for probabilities, the same when they sum to 1); a probability target gets −dy·log_softmax(x)/M; an index target none. A target value that is not a class index stops the run (exit 65)")
}
