/// `relu`: max(x, 0) element-wise. Backward passes the gradient where the output is
/// positive; relu′(0) = 0.
public struct Relu: Op {
    public static let name = "relu"
    public static let ports = [Port.input]
    public static let attributeNames: [String] = []
    public init() {}

    public static func decode(_ a: inout AttributeReader) -> Relu? { Relu() }

    public func outputShape(inputs: [Shape]) throws(ShapeError) -> ShapeInference { ShapeInference(inputs[0]) }
    public func flops(inputs: [Shape], output: Shape) -> Int { output.count }

    @_specialize(where T == Float) @_specialize(where T == Double)
    public func forward<T: TensorScalar>(_ inputs: [Tensor<T>]) -> ForwardResult<T> {
        var y = inputs[0]
        y.scalars.withUnsafeMutableBufferPointer { p in
            for i in p.indices where !(p[i] > 0) && !p[i].isNaN { p[i] = 0 }
        }
        return ForwardResult(y)
    }

    public var backwardReadsOutput: Bool { true }

    /// relu's derivative jumps where an input changes sign.
    public func hashKinks<T: TensorScalar>(_ result: ForwardResult<T>, into hasher: inout Hasher) {
        for v in result.output.scalars { hasher.combine(v > 0) }
    }

    @_specialize(where T == Float) @_specialize(where T == Double)
    public func backward<T: TensorScalar>(_ c: BackwardContext<T>) -> [Tensor<T>?] {
        guard c.wants[0], let y = c.output else { return [nil] }
        var dx = c.upstream
        dx.scalars.withUnsafeMutableBufferPointer { d in
            y.scalars.withUnsafeBufferPointer { y in
                for i in d.indices where !(y[i] > 0) { d[i] = 0 }
            }
        }
        return [dx]
    }
}

extension Relu {
    public static let reference = OpReference(
        summary: "The rectifier, element-wise.",
        ports: [.init("input", "any shape")],
        attributes: [],
        output: "the input's shape",
        formula: "y = max(x, 0)",
        backward: "dx = dy where y > 0, else 0 (relu′(0) = 0)")
}
