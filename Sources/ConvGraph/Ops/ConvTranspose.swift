/// `conv_transpose`: the transposed 2-D convolution of PyTorch's `ConvTranspose2d` and ONNX
/// `ConvTranspose` (SPEC §3.1). Its value is the input-gradient of a `conv` with the same
/// attributes whose weight is this one read as OIHW.
///
/// Ports: `input` N×C×H×W (C = in), `weight` [in, out/groups, kh, kw], optional `bias` of
/// any shape with `out` elements.
/// Output: N×out×OH×OW with OH = (H−1)·s − t − b + d(kh−1) + op + 1, likewise OW.
public struct ConvTranspose: Hashable, Sendable {
    public var stride: Spatial = Spatial(1)
    public var padding: Pads = .zero
    public var outputPadding: Spatial = Spatial(0)
    public var dilation: Spatial = Spatial(1)
    public var groups: Int = 1
    public init() {}
}

extension ConvTranspose: Op {
    public static let name = "conv_transpose"
    public static let ports = [Port.input, Port("weight"), Port("bias", optional: true)]
    public static let attributeNames = ["stride", "padding", "output_padding", "dilation", "groups"]

    public static func decode(_ a: inout AttributeReader) -> ConvTranspose? {
        var op = ConvTranspose()
        let stride = a.spatial("stride", default: Spatial(1), minimum: 1)
        let padding: PaddingSpec? = a.has("padding") ? a.padding("padding", allowKeywords: false) : .explicit(.zero)
        let outputPadding = a.spatial("output_padding", default: Spatial(0), minimum: 0)
        let dilation = a.spatial("dilation", default: Spatial(1), minimum: 1)
        let groups = a.int("groups", default: 1, minimum: 1)
        guard let stride, let padding, let outputPadding, let dilation, let groups,
              case .explicit(let pads) = padding else { return nil }
        for (axis, p, s, d) in [("H", outputPadding.h, stride.h, dilation.h), ("W", outputPadding.w, stride.w, dilation.w)]
        where p >= s && p >= d {
            a.error("output_padding \(p) on axis \(axis) must be less than the stride (\(s)) or the dilation (\(d)) of its axis",
                    key: "output_padding",
                    notes: [.init("output_padding only adds rows and columns that the last input cell's window could reach")])
            return nil
        }
        op.stride = stride
        op.padding = pads
        op.outputPadding = outputPadding
        op.dilation = dilation
        op.groups = groups
        return op
    }

    /// The output size per axis, (H−1)·s − t − b + d(kh−1) + op + 1, with its arithmetic:
    /// `H = (5−1)·2 − 1 − 1 + 1·(3−1) + 1 + 1 = 10`.
    func outputSize(input: Shape, kernel: Spatial) -> (h: Int, w: Int, text: [String]) {
        func axis(_ name: String, _ n: Int, _ t: Int, _ b: Int, _ k: Int, _ s: Int, _ d: Int, _ op: Int) -> (Int, String) {
            let size = (n - 1) * s - t - b + d * (k - 1) + op + 1
            return (size, "\(name) = (\(n)−1)·\(s) − \(t) − \(b) + \(d)·(\(k)−1) + \(op) + 1 = \(size)")
        }
        let (h, ht) = axis("H", input[2], padding.top, padding.bottom, kernel.h, stride.h, dilation.h, outputPadding.h)
        let (w, wt) = axis("W", input[3], padding.left, padding.right, kernel.w, stride.w, dilation.w, outputPadding.w)
        return (h, w, [ht, wt])
    }

    public func outputShape(inputs: [Shape]) throws(ShapeError) -> ShapeInference {
        let x = inputs[0], w = inputs[1]
        try x.requireNCHW("conv_transpose input")
        guard w.rank == 4 else {
            throw ShapeError("conv_transpose weight must be 4-D (in, out/groups, kh, kw), but has shape \(w.bracketed)", inputs: [1])
        }
        let c = x[1]
        if c % groups != 0 {
            throw ShapeError("conv_transpose input has \(c) channels, not divisible by groups = \(groups)", attribute: "groups", inputs: [0])
        }
        if w[0] != c {
            throw ShapeError("conv_transpose weight \(w.bracketed) does not fit an input with \(c) channels: its first dimension must be in = \(c)",
                             notes: ["expected a weight of shape [\(c), out/groups, kh, kw], e.g. [\(c), \(w[1]), \(w[2]), \(w[3])]"],
                             inputs: [0, 1])
        }
        let out = w[1] * groups
        if inputs.count > 2, inputs[2].count != out {
            throw ShapeError("conv_transpose bias has \(inputs[2].count) elements (shape \(inputs[2].bracketed)) but the layer has \(out) output channels (\(w[1])·groups)",
                             inputs: [2])
        }
        let size = outputSize(input: x, kernel: Spatial(w[2], w[3]))
        for (length, text) in [(size.h, size.text[0]), (size.w, size.text[1])] where length < 1 {
            throw ShapeError("conv_transpose output would be empty: \(text)", attribute: padding.isZero ? nil : "padding",
                             notes: ["the padding removes more than the transposed convolution produces"], inputs: [0, 1])
        }
        return ShapeInference([x[0], out, size.h, size.w], explanation: size.text)
    }

    /// 2·N·in·H·W·(out/groups)·kh·kw (SPEC §3.1; the bias is not counted).
    public func flops(inputs: [Shape], output: Shape) -> Int {
        saturatingProduct([2, inputs[0].count] + inputs[1].dims.dropFirst())
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
        let bias = inputs.count > 2 ? inputs[2] : nil
        if usesFastPath(input: inputs[0].shape, weight: inputs[1].shape) {
            return ForwardResult(fastForward(input: inputs[0], weight: inputs[1], bias: bias, parallelism: context.parallelism,
                                             workspace: context.workspace))
        }
        return ForwardResult(referenceForward(input: inputs[0], weight: inputs[1], bias: bias, workspace: context.workspace))
    }

    public func backwardReadsInput(_ index: Int) -> Bool { index < 2 }

    @_specialize(where T == Float) @_specialize(where T == Double)
    public func backward<T: TensorScalar>(_ c: BackwardContext<T>) -> [Tensor<T>?] {
        let wantsBias = c.wants.count > 2 && c.wants[2]
        let grads = usesFastPath(input: c.inputShapes[0], weight: c.inputShapes[1])
            ? fastBackward(input: c.input(0), weight: c.input(1), upstream: c.upstream, wantInput: c.wants[0], wantWeight: c.wants[1],
                           wantBias: wantsBias, parallelism: c.parallelism, workspace: c.workspace)
            : referenceBackward(input: c.input(0), weight: c.input(1), upstream: c.upstream, wantInput: c.wants[0],
                                wantWeight: c.wants[1], wantBias: wantsBias, workspace: c.workspace)
        var result: [Tensor<T>?] = [grads.input, grads.weight]
        if c.inputShapes.count > 2 { result.append(grads.bias.map { $0.reshaped(c.inputShapes[2]) }) }
        return result
    }
}

extension ConvTranspose {
    public static let reference = OpReference(
        summary: "The transposed 2-D convolution of PyTorch's `ConvTranspose2d` and ONNX `ConvTranspose`: the input-gradient of a `conv` with the same attributes.",
        ports: [
            .init("input", "x, N×C×H×W (C = in)"),
            .init("weight", "W, [in, out/groups, kh, kw] (PyTorch, ONNX)"),
            .init("bias", "optional: b, any shape with `out` elements"),
        ],
        attributes: [
            .init("stride", type: Conv.spatialType, default: "1", "s, the step between the input cells' windows in the output, per axis (≥ 1)"),
            .init("padding", type: "int p, [ph, pw] or [top, bottom, left, right]", default: "0",
                  "t, b, l, r: rows and columns cropped from the full result (no `same`/`valid`)"),
            .init("output_padding", type: Conv.spatialType, default: "0",
                  "op: rows and columns added at the bottom and right; each must be < the stride or < the dilation of its axis"),
            .init("dilation", type: Conv.spatialType, default: "1", "d, the spacing of the kernel taps (≥ 1)"),
            .init("groups", type: "int", default: "1", "splits the channels into groups; in must be divisible by it, out = W's dim 1 · groups"),
        ],
        output: "N, out, (H−1)·s − t − b + d(kh−1) + op + 1, (W−1)·s − l − r + d(kw−1) + op + 1",
        formula: "y[n, g·(out/groups) + o, i·s − t + p·d, j·s − l + q·d] += x[n, c, i, j]·W[c, o, p, q] for c in group g (cells outside the output dropped), then + b",
        backward: "dx (the `conv` of dy with W as an OIHW weight), dW (the correlation of dy with x) and db = Σ dy over N, H, W")
}
