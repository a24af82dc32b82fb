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

    public func forward<T: TensorScalar>(_ inputs: [Tensor<T>]) -> ForwardResult<T> {
        forward(inputs, parallelism: .serial)
    }

    /// x where x > 0 or x is NaN, else +0 (Elementwise+Fast.swift).
    @_specialize(where T == Float) @_specialize(where T == Double)
    public func forward<T: TensorScalar>(_ inputs: [Tensor<T>], parallelism: Parallelism) -> ForwardResult<T> {
        var context = ForwardContext<T>(parallelism: parallelism)
        return forward(inputs, context: &context)
    }

    @_specialize(where T == Float) @_specialize(where T == Double)
    public func forward<T: TensorScalar>(_ inputs: [Tensor<T>], context: inout ForwardContext<T>) -> ForwardResult<T> {
        let parallelism = context.parallelism
        return ForwardResult(Tensor(shape: inputs[0].shape, scalars: Elementwise.relu(inputs[0].scalars, parallelism: parallelism,
                                                                               into: context.workspace)))
    }

    public var backwardReadsOutput: Bool { true }

    /// relu's derivative jumps where an input changes sign.
    public func hashKinks<T: TensorScalar>(_ result: ForwardResult<T>, into hasher: inout Hasher) {
        for v in result.output.scalars { hasher.combine(v > 0) }
    }

    @_specialize(where T == Float) @_specialize(where T == Double)
    public func backward<T: TensorScalar>(_ c: BackwardContext<T>) -> [Tensor<T>?] {
        guard c.wants[0], let y = c.output else { return [nil] }
        // The upstream gradient where y > 0, else +0.
        return [Tensor(shape: y.shape, scalars: Elementwise.reluBackward(output: y.scalars, upstream: c.upstream.scalars,
                                                                          parallelism: c.parallelism, into: c.workspace))]
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
