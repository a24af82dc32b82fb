/// `pad`: pads the two spatial axes of an N×C×H×W tensor to N×C×(H+t+b)×(W+l+r).
///
/// `constant` fills with `value` (rounded to the graph dtype); `reflect` mirrors without
/// repeating the edge (numpy's `reflect`, needs pad < the dimension); `edge` repeats the
/// edge value. Backward: constant crops; edge and reflect scatter-add into the source cells.
public struct Pad: Hashable, Sendable {
    public enum Mode: String, Hashable, Sendable, Codable, CaseIterable {
        case constant
        case reflect
        case edge
    }
    public var pads: Pads = .zero
    public var mode: Mode = .constant
    /// The fill value of `constant` mode, as written (rounded to the graph dtype when used).
    public var value: Double = 0
    public init() {}
}

extension Pad: Op {
    public static let name = "pad"
    public static let ports = [Port.input]
    public static let attributeNames = ["pads", "mode", "value"]

    public static func decode(_ a: inout AttributeReader) -> Pad? {
        var pad = Pad()
        guard a.has("pads") else {
            a.missing("pads")
            return nil
        }
        let spec = a.padding("pads", allowKeywords: false)
        let mode = a.choice("mode", default: Mode.constant)
        let value = a.double("value", default: 0)
        guard case .explicit(let pads)? = spec, let mode, let value else { return nil }
        if mode != .constant && a.has("value") {
            a.error("'value' has no effect with mode '\(mode.rawValue)'", atKey: "value",
                    notes: [.init("only mode 'constant' fills with a value")])
            return nil
        }
        pad.pads = pads
        pad.mode = mode
        pad.value = value
        return pad
    }

    public func outputShape(inputs: [Shape]) throws(ShapeError) -> ShapeInference {
        let x = inputs[0]
        try x.requireNCHW("pad input")
        if mode == .reflect {
            if max(pads.top, pads.bottom) >= x[2] || max(pads.left, pads.right) >= x[3] {
                throw ShapeError("reflect padding \(pads) needs each pad smaller than its dimension, but the input is \(x[2])×\(x[3])",
                                 attribute: "pads", notes: ["use mode 'edge' or 'constant' for wider padding"], inputs: [0])
            }
        }
        let out = Pad.outputShape(input: x, pads: pads)
        return ShapeInference(out, explanation: ["H = \(x[2])+\(pads.top)+\(pads.bottom) = \(out[2])", "W = \(x[3])+\(pads.left)+\(pads.right) = \(out[3])"])
    }

    public func flops(inputs: [Shape], output: Shape) -> Int { 0 }

    public func forward<T: TensorScalar>(_ inputs: [Tensor<T>]) -> ForwardResult<T> {
        forward(inputs, parallelism: .serial)
    }

    /// The fast kernel (Pad+Fast.swift), bit-identical to `referenceForward`.
    @_specialize(where T == Float) @_specialize(where T == Double)
    public func forward<T: TensorScalar>(_ inputs: [Tensor<T>], parallelism: Parallelism) -> ForwardResult<T> {
        var context = ForwardContext<T>(parallelism: parallelism)
        return forward(inputs, context: &context)
    }

    @_specialize(where T == Float) @_specialize(where T == Double)
    public func forward<T: TensorScalar>(_ inputs: [Tensor<T>], context: inout ForwardContext<T>) -> ForwardResult<T> {
        let parallelism = context.parallelism
        return ForwardResult(fastForward(input: inputs[0], value: T(value), parallelism: parallelism, workspace: context.workspace))
    }

    @_specialize(where T == Float) @_specialize(where T == Double)
    public func backward<T: TensorScalar>(_ c: BackwardContext<T>) -> [Tensor<T>?] {
        guard c.wants[0] else { return [nil] }
        return [fastBackward(upstream: c.upstream, inputShape: c.inputShapes[0], parallelism: c.parallelism, workspace: c.workspace)]
    }
}

extension Pad {
    public static let reference = OpReference(
        summary: "Pads the two spatial axes of an N×C×H×W tensor.",
        ports: [.init("input", "N×C×H×W")],
        attributes: [
            .init("pads", type: "int p (all four sides), [ph, pw] or [top, bottom, left, right]", default: nil,
                  "rows and columns added on each side (ONNX orders its four as top, left, bottom, right; ConvGraph does not)"),
            .init("mode", type: "constant | reflect | edge", default: "constant",
                  "`constant` fills with `value`; `reflect` mirrors without repeating the edge (numpy's `reflect`: [a b c], pad 1 → b a b c b; each pad must be smaller than its dimension); `edge` repeats the edge value"),
            .init("value", type: "float", default: "0",
                  "the fill of `constant` mode, rounded to the graph dtype; an error with `reflect` or `edge`"),
        ],
        output: "N, C, H+t+b, W+l+r",
        formula: "y[n, c, i+t, j+l] = x[n, c, i, j]; the border as `mode` says",
        backward: "constant crops dy; edge and reflect also add each border cell's gradient into the source cell it copied")
}
