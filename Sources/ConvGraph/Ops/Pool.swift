/// `pool`: max or average pooling over windows of each N, C plane.
///
/// Output: N×C×OH×OW with OH = ⌊(H+t+b−d(k−1)−1)/s⌋+1 (⌈⌉ with `ceil_mode`, minus 1 when
/// the last window would start in the end padding). Each pad side must be ≤ d·(k−1) so
/// that every window holds an input cell. Max pooling pads with −∞ and routes the
/// gradient to the first maximum of each window in row-major order; average pooling
/// divides by the taps inside the input, or with `count_include_pad` inside the padded
/// input. `global: true` is window [H, W], stride 1, no padding.
public struct Pool: Hashable, Sendable {
    public enum Mode: String, Hashable, Sendable, Codable, CaseIterable {
        case max
        case average
    }
    public var mode: Mode = .max
    public var window: Spatial = Spatial(1)
    public var stride: Spatial = Spatial(1)
    public var padding: PaddingSpec = .explicit(.zero)
    public var dilation: Spatial = Spatial(1)
    public var ceilMode: Bool = false
    public var countIncludePad: Bool = false
    public var global: Bool = false
    public init() {}
}

extension Pool: Op {
    public static let name = "pool"
    public static let ports = [Port.input]
    public static let attributeNames = ["mode", "window", "stride", "padding", "dilation", "ceil_mode", "count_include_pad", "global"]

    public static func decode(_ a: inout AttributeReader) -> Pool? {
        var pool = Pool()
        let mode = a.choice("mode", default: Mode?.none)
        let global = a.bool("global", default: false)
        guard let mode, let global else { return nil }
        pool.mode = mode
        pool.global = global
        var ok = true
        if mode == .max && a.has("count_include_pad") {
            a.error("'count_include_pad' has no effect on max pooling", atKey: "count_include_pad",
                    notes: [.init("remove it, or use mode: average")])
            ok = false
        }
        if global {
            for key in ["window", "stride", "padding", "dilation", "ceil_mode"] where a.has(key) {
                a.error("'\(key)' cannot be combined with 'global: true'", key: key,
                        notes: [.init("global pooling uses the whole H×W plane as its window")])
                ok = false
            }
            pool.countIncludePad = a.bool("count_include_pad", default: false) ?? false
            return ok ? pool : nil
        }
        let window = a.spatial("window", default: nil, minimum: 1)
        // Without a window, the stride has no default either; only the window is missing.
        let stride = a.spatial("stride", default: window ?? Spatial(1), minimum: 1)
        let padding = a.padding("padding", allowKeywords: true)
        let dilation = a.spatial("dilation", default: Spatial(1), minimum: 1)
        let ceilMode = a.bool("ceil_mode", default: false)
        let countIncludePad = a.bool("count_include_pad", default: false)
        guard ok, let window, let stride, let padding, let dilation, let ceilMode, let countIncludePad else { return nil }
        pool.window = window
        pool.stride = stride
        pool.padding = padding
        pool.dilation = dilation
        pool.ceilMode = ceilMode
        pool.countIncludePad = countIncludePad
        return pool
    }

    /// The resolved geometry for an input of `shape` (global pooling resolved here).
    func geometry(input shape: Shape) -> Geometry {
        Geometry(resolving: self, inputHeight: shape[2], inputWidth: shape[3])
    }

    public func outputShape(inputs: [Shape]) throws(ShapeError) -> ShapeInference {
        let x = inputs[0]
        try x.requireNCHW("pool input")
        // Max pooling records each window's argmax as an Int32 offset within its plane.
        guard x[2] * x[3] <= Int(Int32.max) else {
            throw ShapeError("pool input planes of \(x[2])×\(x[3]) exceed the \(Int32.max) cells a pool supports", inputs: [0])
        }
        let g = geometry(input: x)
        let limitH = g.dilation.h * (g.window.h - 1), limitW = g.dilation.w * (g.window.w - 1)
        if max(g.pads.top, g.pads.bottom) > limitH || max(g.pads.left, g.pads.right) > limitW {
            throw ShapeError("pool padding \(g.pads) is larger than the window allows: each side must be at most d·(k−1) = \(limitH == limitW ? "\(limitH)" : "\(limitH) (H), \(limitW) (W)")",
                             attribute: "padding", notes: ["otherwise a window could hold padding only"])
        }
        let h = OutputSize.compute(axis: "H", size: x[2], before: g.pads.top, after: g.pads.bottom, kernel: g.window.h,
                                   stride: g.stride.h, dilation: g.dilation.h, ceil: g.ceilMode, mentionCeil: true)
        let w = OutputSize.compute(axis: "W", size: x[3], before: g.pads.left, after: g.pads.right, kernel: g.window.w,
                                   stride: g.stride.w, dilation: g.dilation.w, ceil: g.ceilMode, mentionCeil: true)
        for axis in [h, w] where axis.size < 1 {
            throw ShapeError("pool output would be empty: \(axis.text)", attribute: "window",
                             notes: ["the window (dilated) is larger than the padded input \(x[2])×\(x[3])"], inputs: [0])
        }
        return ShapeInference([x[0], x[1], h.size, w.size], explanation: global ? [] : [h.text, w.text])
    }

    public func flops(inputs: [Shape], output: Shape) -> Int {
        let g = geometry(input: inputs[0])
        return saturatingProduct([output.count, g.window.h, g.window.w])
    }

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
        let result = Pool.fastForward(input: inputs[0], geometry: geometry(input: inputs[0].shape), parallelism: context.parallelism,
                                      workspace: context.workspace)
        return ForwardResult(result.output, saved: result.argmax)
    }

    /// A max pool's derivative jumps where a window's argmax changes.
    public func hashKinks<T: TensorScalar>(_ result: ForwardResult<T>, into hasher: inout Hasher) {
        if let argmax = result.saved { hasher.combine(argmax) }
    }

    @_specialize(where T == Float) @_specialize(where T == Double)
    public func backward<T: TensorScalar>(_ c: BackwardContext<T>) -> [Tensor<T>?] {
        guard c.wants[0] else { return [nil] }
        return [Pool.fastBackward(upstream: c.upstream, inputShape: c.inputShapes[0], argmax: c.saved,
                                  geometry: geometry(input: c.inputShapes[0]), parallelism: c.parallelism, workspace: c.workspace)]
    }
}

extension Pool {
    public static let reference = OpReference(
        summary: "Max or average pooling over windows of each N, C plane.",
        ports: [.init("input", "N×C×H×W")],
        attributes: [
            .init("mode", type: "max | average", default: nil, "the reduction over each window"),
            .init("window", type: Conv.spatialType, default: "required unless global: true", "k, the window size per axis (≥ 1)"),
            .init("stride", type: Conv.spatialType, default: "= window", "s, the step between windows"),
            .init("padding", type: Conv.paddingType, default: "0",
                  "t, b, l, r; each side at most d·(k−1) on its axis, so every window holds an input cell; max pooling pads with −∞; " + Conv.sameRule),
            .init("dilation", type: Conv.spatialType, default: "1", "d, the spacing of the window taps"),
            .init("ceil_mode", type: "bool", default: "false",
                  "round the output size up, minus 1 when the last window would start in the end padding or past it (PyTorch and ONNX)"),
            .init("count_include_pad", type: "bool", default: "false",
                  "average only: divide by the taps inside the padded input instead of those inside the input; an error with max pooling"),
            .init("global", type: "bool", default: "false",
                  "window [H, W], stride 1, no padding: output N×C×1×1; an error combined with window, stride, padding, dilation or ceil_mode"),
        ],
        output: "N, C, ⌊(H+t+b−d(kh−1)−1)/s⌋+1, ⌊(W+l+r−d(kw−1)−1)/s⌋+1 (⌈⌉ with ceil_mode)",
        formula: "max: y = the largest tap of the window; average: y = Σ taps inside the input / their count (with count_include_pad: / the taps inside the padded input)",
        backward: "max routes dy to the first maximum of each window in row-major order (overlapping windows add up); average spreads dy / count over the counted taps")
}
