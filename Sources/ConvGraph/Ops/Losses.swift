/// `l2`: the scalar ½·Σx² (NumPy's `0.5 * np.sum(x**2)`). Its gradient is x (times the upstream scalar).
public struct L2: Op {
    public static let name = "l2"
    public static let ports = [Port.input]
    public static let attributeNames: [String] = []
    public init() {}
    public static func decode(_ a: inout AttributeReader) -> L2? { L2() }
    public func outputShape(inputs: [Shape]) throws(ShapeError) -> ShapeInference { ShapeInference([]) }
    public func flops(inputs: [Shape], output: Shape) -> Int { 2 * inputs[0].count }

    public func forward<T: TensorScalar>(_ inputs: [Tensor<T>]) -> ForwardResult<T> {
        forward(inputs, parallelism: .serial)
    }

    /// The pairwise sum of the squares, formed as it goes (no array of squares).
    @_specialize(where T == Float) @_specialize(where T == Double)
    public func forward<T: TensorScalar>(_ inputs: [Tensor<T>], parallelism: Parallelism) -> ForwardResult<T> {
        var context = ForwardContext<T>(parallelism: parallelism)
        return forward(inputs, context: &context)
    }

    @_specialize(where T == Float) @_specialize(where T == Double)
    public func forward<T: TensorScalar>(_ inputs: [Tensor<T>], context: inout ForwardContext<T>) -> ForwardResult<T> {
        let parallelism = context.parallelism
        var y = context.output([])
        y.scalars[0] = 0.5 * Elementwise.pairwiseSum(inputs[0].scalars, terms: .squares, parallelism: parallelism)
        return ForwardResult(y)
    }

    public func backwardReadsInput(_ index: Int) -> Bool { true }

    @_specialize(where T == Float) @_specialize(where T == Double)
    public func backward<T: TensorScalar>(_ c: BackwardContext<T>) -> [Tensor<T>?] {
        guard c.wants[0] else { return [nil] }
        let u = c.upstream.scalars[0]
        let x = c.input(0)
        // The gradient is x itself when the upstream is 1 (a shared buffer, no copy).
        if u == 1 { return [x] }
        return [Tensor(shape: x.shape, scalars: Elementwise.scale(x.scalars, by: u, parallelism: c.parallelism, into: c.workspace))]
    }
}

/// `mse`: the scalar mean((x−t)²) (NumPy's `np.mean((x-t)**2)`) of `input` x and `target` t (same shape). The gradient
/// flows to both: 2(x−t)/n and its negation.
public struct MSE: Op {
    public static let name = "mse"
    public static let ports = [Port.input, Port("target")]
    public static let attributeNames: [String] = []
    public init() {}
    public static func decode(_ a: inout AttributeReader) -> MSE? { MSE() }

    public func outputShape(inputs: [Shape]) throws(ShapeError) -> ShapeInference {
        guard inputs[0] == inputs[1] else {
            throw ShapeError("mse input \(inputs[0].bracketed) and target \(inputs[1].bracketed) must have the same shape", inputs: [0, 1])
        }
        return ShapeInference([])
    }

    public func flops(inputs: [Shape], output: Shape) -> Int { 3 * inputs[0].count }

    public func forward<T: TensorScalar>(_ inputs: [Tensor<T>]) -> ForwardResult<T> {
        forward(inputs, parallelism: .serial)
    }

    /// The pairwise sum of (x−t)², formed as it goes, over the count.
    @_specialize(where T == Float) @_specialize(where T == Double)
    public func forward<T: TensorScalar>(_ inputs: [Tensor<T>], parallelism: Parallelism) -> ForwardResult<T> {
        var context = ForwardContext<T>(parallelism: parallelism)
        return forward(inputs, context: &context)
    }

    @_specialize(where T == Float) @_specialize(where T == Double)
    public func forward<T: TensorScalar>(_ inputs: [Tensor<T>], context: inout ForwardContext<T>) -> ForwardResult<T> {
        let parallelism = context.parallelism
        let sum = Elementwise.pairwiseSum(inputs[0].scalars, inputs[1].scalars, terms: .squaredDifferences, parallelism: parallelism)
        var y = context.output([])
        y.scalars[0] = sum / T(inputs[0].count)
        return ForwardResult(y)
    }

    public func backwardReadsInput(_ index: Int) -> Bool { true }

    @_specialize(where T == Float) @_specialize(where T == Double)
    public func backward<T: TensorScalar>(_ c: BackwardContext<T>) -> [Tensor<T>?] {
        let x = c.input(0), t = c.input(1)
        let scale = 2 * c.upstream.scalars[0] / T(x.count)
        // dx = scale·(x−t) and dt = −dx, in one pass.
        let (dx, dt) = Elementwise.scaledDifference(x.scalars, t.scalars, scale: scale, wantPositive: c.wants[0],
                                                    wantNegative: c.wants[1], parallelism: c.parallelism, into: c.workspace)
        return [dx.map { Tensor(shape: x.shape, scalars: $0) }, dt.map { Tensor(shape: x.shape, scalars: $0) }]
    }
}

extension L2 {
    public static let reference = OpReference(
        summary: "Half the sum of squares, as a scalar (`0.5 * np.sum(x**2)`); not a mean.",
        ports: [.init("input", "any shape")],
        attributes: [],
        output: "scalar (shape `()`)",
        formula: "y = ½·Σx²",
        backward: "dx = dy·x")
}

extension MSE {
    public static let reference = OpReference(
        summary: "The mean squared error of `input` against `target`, as a scalar (`np.mean((x-t)**2)`): a mean, not a sum.",
        ports: [.init("input", "x, any shape, n elements"), .init("target", "t, the same shape as `input`")],
        attributes: [],
        output: "scalar (shape `()`)",
        formula: "y = Σ(x − t)² / n",
        backward: "dx = 2·dy·(x − t)/n and dt = −dx: the gradient flows to both ports")
}
