/// `conv`: 2-D cross-correlation (no kernel flip), as PyTorch's `conv2d` and ONNX `Conv`.
///
/// Ports: `input` N×C×H×W, `weight` (OIHW `[O, C/groups, kh, kw]`, or IOHW `[C, O, kh, kw]`
/// with groups = 1), optional `bias` of any shape with O elements.
/// Output: N×O×OH×OW with OH = ⌊(H+t+b−d(kh−1)−1)/s⌋+1, likewise OW.
public struct Conv: Hashable, Sendable {
    public enum WeightLayout: String, Hashable, Sendable, Codable, CaseIterable {
        /// `[out, in/groups, kh, kw]` (PyTorch, ONNX).
        case OIHW
        /// `[in, out, kh, kw]`, the seed notebook's layout (groups = 1 only).
        case IOHW
    }
    public var stride: Spatial = Spatial(1)
    public var padding: PaddingSpec = .explicit(.zero)
    public var dilation: Spatial = Spatial(1)
    public var groups: Int = 1
    public var weightLayout: WeightLayout = .OIHW
    public init() {}
}

extension Conv: Op {
    public static let name = "conv"
    public static let ports = [Port.input, Port("weight"), Port("bias", optional: true)]
    public static let attributeNames = ["stride", "padding", "dilation", "groups", "weight_layout"]

    public static func decode(_ a: inout AttributeReader) -> Conv? {
        var conv = Conv()
        let stride = a.spatial("stride", default: Spatial(1), minimum: 1)
        let padding = a.padding("padding", allowKeywords: true)
        let dilation = a.spatial("dilation", default: Spatial(1), minimum: 1)
        let groups = a.int("groups", default: 1, minimum: 1)
        let layout = a.choice("weight_layout", default: WeightLayout.OIHW)
        guard let stride, let padding, let dilation, let groups, let layout else { return nil }
        if layout == .IOHW && groups != 1 {
            a.error("weight_layout IOHW supports groups = 1 only, not \(groups)", key: "groups")
            return nil
        }
        conv.stride = stride
        conv.padding = padding
        conv.dilation = dilation
        conv.groups = groups
        conv.weightLayout = layout
        return conv
    }

    /// The kernel's (O, C/groups, kh, kw) from a weight shape in this conv's layout.
    func oihw(_ weight: Shape) -> (o: Int, i: Int, kh: Int, kw: Int) {
        weightLayout == .OIHW ? (weight[0], weight[1], weight[2], weight[3]) : (weight[1], weight[0], weight[2], weight[3])
    }

    func geometry(input: Shape, kernel: Spatial) -> Geometry {
        let pads = padding.resolved(height: input[2], width: input[3], kernel: kernel, stride: stride, dilation: dilation)
        return Geometry(stride: stride, dilation: dilation, pads: pads, groups: groups)
    }

    public func outputShape(inputs: [Shape]) throws(ShapeError) -> ShapeInference {
        let x = inputs[0], w = inputs[1]
        try x.requireNCHW("conv input")
        guard w.rank == 4 else {
            throw ShapeError("conv weight must be 4-D (\(weightLayout == .OIHW ? "O, C/groups, kh, kw" : "C, O, kh, kw")), but has shape \(w.bracketed)", inputs: [1])
        }
        let k = oihw(w)
        let c = x[1]
        if c % groups != 0 {
            throw ShapeError("conv input has \(c) channels, not divisible by groups = \(groups)", attribute: "groups", inputs: [0])
        }
        if k.o % groups != 0 {
            throw ShapeError("conv weight has \(k.o) output channels, not divisible by groups = \(groups)", attribute: "groups", inputs: [1])
        }
        if k.i != c / groups {
            let expected = weightLayout == .OIHW ? "[\(k.o), \(c / groups), \(k.kh), \(k.kw)]" : "[\(c), \(k.o), \(k.kh), \(k.kw)]"
            throw ShapeError(
                "conv weight \(w.bracketed) (\(weightLayout.rawValue)) does not fit an input with \(c) channels\(groups > 1 ? " in \(groups) groups" : "")",
                attribute: nil, notes: ["expected a weight of shape \(expected)"], inputs: [0, 1])
        }
        if inputs.count > 2 {
            let b = inputs[2]
            if b.count != k.o {
                throw ShapeError("conv bias has \(b.count) elements (shape \(b.bracketed)) but the conv has \(k.o) output channels", inputs: [2])
            }
        }
        let g = geometry(input: x, kernel: Spatial(k.kh, k.kw))
        let h = OutputSize.compute(axis: "H", size: x[2], before: g.pads.top, after: g.pads.bottom, kernel: k.kh,
                                   stride: stride.h, dilation: dilation.h, ceil: false, mentionCeil: false)
        let wd = OutputSize.compute(axis: "W", size: x[3], before: g.pads.left, after: g.pads.right, kernel: k.kw,
                                    stride: stride.w, dilation: dilation.w, ceil: false, mentionCeil: false)
        for axis in [h, wd] where axis.size < 1 {
            throw ShapeError("conv output would be empty: \(axis.text)",
                             attribute: has(padding) ? "padding" : nil,
                             notes: ["the kernel (dilated) is larger than the padded input"], inputs: [0, 1])
        }
        return ShapeInference([x[0], k.o, h.size, wd.size], explanation: [h.text, wd.text])
    }

    private func has(_ p: PaddingSpec) -> Bool { p != .explicit(.zero) }

    public func flops(inputs: [Shape], output: Shape) -> Int {
        let k = oihw(inputs[1])
        return saturatingProduct([2, output.count, k.i, k.kh, k.kw]).addingSaturated(inputs.count > 2 ? output.count : 0)
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
        let parallelism = context.parallelism
        let weight = weightLayout == .OIHW ? inputs[1] : Conv.swapLeadingAxes(inputs[1])
        let g = geometry(input: inputs[0].shape, kernel: Spatial(weight.shape[2], weight.shape[3]))
        let bias = inputs.count > 2 ? inputs[2] : nil
        let out = Conv.outputSize(inputHeight: inputs[0].shape[2], inputWidth: inputs[0].shape[3], kernel: Spatial(weight.shape[2], weight.shape[3]), geometry: g)
        if Conv.usesFastPath(input: inputs[0].shape, weight: weight.shape, output: [inputs[0].shape[0], weight.shape[0], out.h, out.w]) {
            return ForwardResult(Conv.fastForward(input: inputs[0], weight: weight, bias: bias, geometry: g, parallelism: parallelism,
                                                  workspace: context.workspace))
        }
        return ForwardResult(Conv.referenceForward(input: inputs[0], weight: weight, bias: bias, geometry: g, workspace: context.workspace))
    }

    public func backwardReadsInput(_ index: Int) -> Bool { index < 2 }

    /// An IOHW weight is read in its OIHW view (SPEC §4).
    public func fanLayout(ofInput index: Int) -> FanLayout {
        index == 1 && weightLayout == .IOHW ? .swappedLeadingAxes : .standard
    }

    @_specialize(where T == Float) @_specialize(where T == Double)
    public func backward<T: TensorScalar>(_ c: BackwardContext<T>) -> [Tensor<T>?] {
        let weight = weightLayout == .OIHW ? c.input(1) : Conv.swapLeadingAxes(c.input(1))
        let g = geometry(input: c.inputShapes[0], kernel: Spatial(weight.shape[2], weight.shape[3]))
        let wantsBias = c.wants.count > 2 && c.wants[2]
        let grads = Conv.usesFastPath(input: c.inputShapes[0], weight: weight.shape, output: c.upstream.shape)
            ? Conv.fastBackward(input: c.input(0), weight: weight, upstream: c.upstream, geometry: g,
                                wantInput: c.wants[0], wantWeight: c.wants[1], wantBias: wantsBias, parallelism: c.parallelism,
                                workspace: c.workspace)
            : Conv.referenceBackward(input: c.input(0), weight: weight, upstream: c.upstream, geometry: g,
                                     wantInput: c.wants[0], wantWeight: c.wants[1], wantBias: wantsBias, workspace: c.workspace)
        var dWeight = grads.weight
        if weightLayout == .IOHW { dWeight = dWeight.map { Conv.swapLeadingAxes($0) } }
        var result: [Tensor<T>?] = [grads.input, dWeight]
        if c.inputShapes.count > 2 {
            result.append(grads.bias.map { $0.reshaped(c.inputShapes[2]) })
        }
        return result
    }
}

extension Conv {
    static let spatialType = "int or [h, w]"
    static let paddingType = "int p, [ph, pw], [top, bottom, left, right], `same` or `valid`"
    static let sameRule = "`valid` is 0; `same` gives out = ⌈H/s⌉ per axis with total = max(0, (out−1)·s + d(k−1) + 1 − H), top = ⌊total/2⌋, bottom = total − top (the odd cell at the bottom/right, as TensorFlow's SAME and ONNX's SAME_UPPER)"

    public static let reference = OpReference(
        summary: "2-D cross-correlation (no kernel flip), as PyTorch's `conv2d` and ONNX `Conv`.",
        ports: [
            .init("input", "x, N×C×H×W"),
            .init("weight", "W, OIHW [O, C/groups, kh, kw] (PyTorch, ONNX), or IOHW [C, O, kh, kw] with `weight_layout: IOHW` (groups = 1)"),
            .init("bias", "optional: b, any shape with O elements"),
        ],
        attributes: [
            .init("stride", type: spatialType, default: "1", "s, the step between windows, per axis (≥ 1)"),
            .init("padding", type: paddingType, default: "0", "t, b, l, r: zeros added around the input; " + sameRule),
            .init("dilation", type: spatialType, default: "1", "d, the spacing of the kernel taps (≥ 1)"),
            .init("groups", type: "int", default: "1", "splits the channels into groups convolved separately; C and O must be divisible by it"),
            .init("weight_layout", type: "OIHW | IOHW", default: "OIHW", "how `weight` is laid out; IOHW (the seed notebook's) needs groups = 1"),
        ],
        output: "N, O, ⌊(H+t+b−d(kh−1)−1)/s⌋+1, ⌊(W+l+r−d(kw−1)−1)/s⌋+1",
        formula: "y[n, o, i, j] = Σ_{c in o's group, p, q} x_padded[n, c, i·s+p·d, j·s+q·d]·W[o, c, p, q] + b[o]",
        backward: "dx (the transposed convolution of dy), dW (the correlation of x with dy) and db = Σ dy over N, H, W")
}
