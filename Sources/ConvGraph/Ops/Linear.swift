/// `linear`: a fully connected layer, as PyTorch's `nn.Linear` (SPEC §3.1).
///
/// Ports: `input` N×C×H×W, read as x [N, F] with F = C·H·W in C order (`x.reshape(N, -1)`);
/// `weight` 2-D [out, F]; optional `bias` of any shape with `out` elements.
/// Output: N×out×1×1, y[n, o] = Σ_f x[n, f]·W[o, f] + b[o].
public struct Linear: Hashable, Sendable {
    public init() {}
}

extension Linear: Op {
    public static let name = "linear"
    public static let ports = [Port.input, Port("weight"), Port("bias", optional: true)]
    public static let attributeNames: [String] = []

    public static func decode(_ a: inout AttributeReader) -> Linear? { Linear() }

    public func outputShape(inputs: [Shape]) throws(ShapeError) -> ShapeInference {
        let x = inputs[0], w = inputs[1]
        try x.requireNCHW("linear input")
        let f = x[1] * x[2] * x[3]
        let fText = "F = C·H·W = \(x[1])·\(x[2])·\(x[3]) = \(f)"
        guard w.rank == 2 else {
            throw ShapeError("linear weight must be 2-D [out, F], but has shape \(w.bracketed)",
                             notes: ["expected [out, \(f)] for the input \(x.bracketed): \(fText)"], inputs: [1])
        }
        guard w[1] == f else {
            throw ShapeError("linear weight \(w.bracketed) does not fit the input \(x.bracketed): its second dimension must be \(fText)",
                             notes: ["expected a weight of shape [\(w[0]), \(f)]"], inputs: [0, 1])
        }
        if inputs.count > 2, inputs[2].count != w[0] {
            throw ShapeError("linear bias has \(inputs[2].count) elements (shape \(inputs[2].bracketed)) but the layer has \(w[0]) outputs",
                             inputs: [2])
        }
        return ShapeInference([x[0], w[0], 1, 1], explanation: [fText])
    }

    /// 2·N·F·out (SPEC §3.1; the bias is not counted).
    public func flops(inputs: [Shape], output: Shape) -> Int {
        saturatingProduct([2, inputs[0].count, inputs[1][0]])
    }

    @_specialize(where T == Float) @_specialize(where T == Double)
    public func forward<T: TensorScalar>(_ inputs: [Tensor<T>]) -> ForwardResult<T> {
        forward(inputs, parallelism: .serial)
    }

    @_specialize(where T == Float) @_specialize(where T == Double)
    public func forward<T: TensorScalar>(_ inputs: [Tensor<T>], parallelism: Parallelism) -> ForwardResult<T> {
        var context = ForwardContext<T>(parallelism: parallelism)
        return forward(inputs, context: &context)
    }

    @_specialize(where T == Float) @_specialize(where T == Double)
    public func forward<T: TensorScalar>(_ inputs: [Tensor<T>], context: inout ForwardContext<T>) -> ForwardResult<T> {
        let x = inputs[0], w = inputs[1]
        let n = x.shape[0], f = w.shape[1], out = w.shape[0]
        let bias = inputs.count > 2 ? inputs[2].scalars : nil
        // y [N, out] = x [N, F] · Wᵀ [F, out]: B(p, j) = W[j, p].
        let y = Linear.gemm(m: n, n: out, k: f, a: x.scalars, strides: (f, 1), b: w.scalars, strides: (1, f), bias: bias,
                            parallelism: context.parallelism, workspace: context.workspace, slot: .output)
        return ForwardResult(Tensor(shape: [n, out, 1, 1], scalars: y))
    }

    public func backwardReadsInput(_ index: Int) -> Bool { index < 2 }

    @_specialize(where T == Float) @_specialize(where T == Double)
    public func backward<T: TensorScalar>(_ c: BackwardContext<T>) -> [Tensor<T>?] {
        let xShape = c.inputShapes[0], wShape = c.inputShapes[1]
        let n = xShape[0], f = wShape[1], out = wShape[0]
        let dy = c.upstream.scalars
        var result: [Tensor<T>?] = [nil, nil]
        if c.wants[0] {
            // dx [N, F] = dy [N, out] · W [out, F].
            let dx = Linear.gemm(m: n, n: f, k: out, a: dy, strides: (out, 1), b: c.input(1).scalars, strides: (f, 1), bias: nil,
                                 parallelism: c.parallelism, workspace: c.workspace, slot: .gradient(0))
            result[0] = Tensor(shape: xShape, scalars: dx)
        }
        if c.wants[1] {
            // dW [out, F] = dyᵀ [out, N] · x [N, F]: A(i, p) = dy[p, i].
            let dw = Linear.gemm(m: out, n: f, k: n, a: dy, strides: (1, out), b: c.input(0).scalars, strides: (f, 1), bias: nil,
                                 parallelism: c.parallelism, workspace: c.workspace, slot: .gradient(1))
            result[1] = Tensor(shape: wShape, scalars: dw)
        }
        if c.inputShapes.count > 2 {
            result.append(c.wants[2] ? Conv.biasGradient(c.upstream, workspace: c.workspace).reshaped(c.inputShapes[2]) : nil)
        }
        return result
    }
}

extension Linear {
    public static let reference = OpReference(
        summary: "A fully connected layer (PyTorch's `nn.Linear`, ONNX `Gemm` with transB): the input is flattened per sample.",
        ports: [
            .init("input", "x, N×C×H×W, read as [N, F] with F = C·H·W in C order (numpy `x.reshape(N, -1)`)"),
            .init("weight", "W, 2-D [out, F] (PyTorch `nn.Linear`)"),
            .init("bias", "optional: b, any shape with `out` elements"),
        ],
        attributes: [],
        output: "N, out, 1, 1",
        formula: "y[n, o] = Σ_f x[n, f]·W[o, f] + b[o]",
        backward: "dx = dy·W (reshaped to the input's shape), dW = dyᵀ·x, db = Σ dy over N")
}
