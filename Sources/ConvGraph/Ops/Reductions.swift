/// `sum`: the scalar Σx, summed in NumPy's pairwise order (`np.sum` gives the same bits). Backward broadcasts the upstream scalar.
public struct Sum: Op {
    public static let name = "sum"
    public static let ports = [Port.input]
    public static let attributeNames: [String] = []
    public init() {}
    public static func decode(_ a: inout AttributeReader) -> Sum? { Sum() }
    public func outputShape(inputs: [Shape]) throws(ShapeError) -> ShapeInference { ShapeInference([]) }
    public func flops(inputs: [Shape], output: Shape) -> Int { inputs[0].count }

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
        var y = context.output([])
        y.scalars[0] = Elementwise.pairwiseSum(inputs[0].scalars, terms: .values, parallelism: parallelism)
        return ForwardResult(y)
    }

    @_specialize(where T == Float) @_specialize(where T == Double)
    public func backward<T: TensorScalar>(_ c: BackwardContext<T>) -> [Tensor<T>?] {
        guard c.wants[0] else { return [nil] }
        let shape = c.inputShapes[0]
        return [Tensor(shape: shape, scalars: Elementwise.filled(c.upstream.scalars[0], count: shape.count, parallelism: c.parallelism,
                                                                  into: c.workspace))]
    }
}

/// `mean`: the scalar Σx / count, as `np.mean`. Backward spreads upstream / count.
public struct Mean: Op {
    public static let name = "mean"
    public static let ports = [Port.input]
    public static let attributeNames: [String] = []
    public init() {}
    public static func decode(_ a: inout AttributeReader) -> Mean? { Mean() }
    public func outputShape(inputs: [Shape]) throws(ShapeError) -> ShapeInference { ShapeInference([]) }
    public func flops(inputs: [Shape], output: Shape) -> Int { inputs[0].count + 1 }

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
        var y = context.output([])
        y.scalars[0] = Elementwise.pairwiseSum(inputs[0].scalars, terms: .values, parallelism: parallelism) / T(inputs[0].count)
        return ForwardResult(y)
    }

    @_specialize(where T == Float) @_specialize(where T == Double)
    public func backward<T: TensorScalar>(_ c: BackwardContext<T>) -> [Tensor<T>?] {
        guard c.wants[0] else { return [nil] }
        let shape = c.inputShapes[0]
        return [Tensor(shape: shape, scalars: Elementwise.filled(c.upstream.scalars[0] / T(shape.count), count: shape.count,
                                                                  parallelism: c.parallelism, into: c.workspace))]
    }
}

extension Sum {
    public static let reference = OpReference(
        summary: "The sum of every element, as a scalar (NumPy's pairwise order: `np.sum` gives the same bits).",
        ports: [.init("input", "any shape")],
        attributes: [],
        output: "scalar (shape `()`)",
        formula: "y = Σx",
        backward: "dx = dy everywhere (the upstream scalar, broadcast)")
}

extension Mean {
    public static let reference = OpReference(
        summary: "The mean of every element, as a scalar (`np.mean`).",
        ports: [.init("input", "any shape, n elements")],
        attributes: [],
        output: "scalar (shape `()`)",
        formula: "y = Σx / n",
        backward: "dx = dy / n everywhere")
}
