/// `add`: the element-wise sum of two or more inputs of the same shape (scalars too, to
/// combine losses). The same edge may appear twice (`x -> s`, `x -> s` gives 2x).
public struct Add: Op {
    public static let name = "add"
    public static let ports = [Port("inputs", variadic: true)]
    public static let attributeNames: [String] = []
    public init() {}

    public static func decode(_ a: inout AttributeReader) -> Add? { Add() }

    public func outputShape(inputs: [Shape]) throws(ShapeError) -> ShapeInference {
        guard inputs.count >= 2 else {
            throw ShapeError("add needs at least 2 inputs, but has \(inputs.count)")
        }
        for (i, shape) in inputs.enumerated() where shape != inputs[0] {
            throw ShapeError("add inputs must have the same shape, but input 1 is \(inputs[0].bracketed) and input \(i + 1) is \(shape.bracketed)",
                             inputs: [0, i])
        }
        return ShapeInference(inputs[0])
    }

    public func flops(inputs: [Shape], output: Shape) -> Int { (inputs.count - 1) * output.count }

    public func forward<T: TensorScalar>(_ inputs: [Tensor<T>]) -> ForwardResult<T> {
        forward(inputs, parallelism: .serial)
    }

    /// ((x₁ + x₂) + x₃) + …, element-wise, in one output buffer.
    @_specialize(where T == Float) @_specialize(where T == Double)
    public func forward<T: TensorScalar>(_ inputs: [Tensor<T>], parallelism: Parallelism) -> ForwardResult<T> {
        var context = ForwardContext<T>(parallelism: parallelism)
        return forward(inputs, context: &context)
    }

    @_specialize(where T == Float) @_specialize(where T == Double)
    public func forward<T: TensorScalar>(_ inputs: [Tensor<T>], context: inout ForwardContext<T>) -> ForwardResult<T> {
        let parallelism = context.parallelism
        return ForwardResult(Tensor(shape: inputs[0].shape, scalars: Elementwise.add(inputs.map(\.scalars), parallelism: parallelism,
                                                                              into: context.workspace)))
    }

    @_specialize(where T == Float) @_specialize(where T == Double)
    public func backward<T: TensorScalar>(_ c: BackwardContext<T>) -> [Tensor<T>?] {
        c.wants.map { $0 ? c.upstream : nil }
    }
}

extension Add {
    public static let reference = OpReference(
        summary: "The element-wise sum of two or more inputs of the same shape; scalars too, to combine losses.",
        ports: [.init("inputs", "variadic: two or more edges, in the order listed, all of one shape; the same edge may appear twice (`x -> s`, `x -> s` gives 2·x)")],
        attributes: [],
        output: "the inputs' shape",
        formula: "y = x₁ + x₂ + … + xₖ",
        backward: "every input receives the upstream gradient")
}
