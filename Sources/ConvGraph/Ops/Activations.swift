import CKernels

// The smooth activations of SPEC §3.1, element-wise on any shape: `sigmoid` and `tanh`
// (differentiated through their output) and `leaky_relu`. Kernels: Sources/CKernels/layers.c.

/// `sigmoid`: y = 1/(1 + e^−x), computed as e^x/(1 + e^x) for x < 0 so that nothing
/// overflows. Backward: dx = dy·y(1 − y).
public struct Sigmoid: Op {
    public static let name = "sigmoid"
    public static let ports = [Port.input]
    public static let attributeNames: [String] = []
    public init() {}
    public static func decode(_ a: inout AttributeReader) -> Sigmoid? { Sigmoid() }
    public func outputShape(inputs: [Shape]) throws(ShapeError) -> ShapeInference { ShapeInference(inputs[0]) }
    /// One exp, one add, one divide per element.
    public func flops(inputs: [Shape], output: Shape) -> Int { output.count.multipliedReportingOverflow(by: 3).partialValue }

    public func forward<T: TensorScalar>(_ inputs: [Tensor<T>]) -> ForwardResult<T> { forward(inputs, parallelism: .serial) }
    public func forward<T: TensorScalar>(_ inputs: [Tensor<T>], parallelism: Parallelism) -> ForwardResult<T> {
        var context = ForwardContext<T>(parallelism: parallelism)
        return run(inputs, &context)
    }
    public func forward<T: TensorScalar>(_ inputs: [Tensor<T>], context: inout ForwardContext<T>) throws(OpFailure) -> ForwardResult<T> {
        run(inputs, &context)
    }

    @_specialize(where T == Float) @_specialize(where T == Double)
    func run<T: TensorScalar>(_ inputs: [Tensor<T>], _ context: inout ForwardContext<T>) -> ForwardResult<T> {
        var y = context.output(inputs[0].shape)
        LayerKernels.fill(&y.scalars, inputs[0].scalars, parallelism: context.parallelism) { o, x, _, b, e in
            if T.self == Double.self { cg_sigmoid_fwd_f64(x.f64(b), o.f64(b), e - b) } else { cg_sigmoid_fwd_f32(x.f32(b), o.f32(b), e - b) }
        }
        return ForwardResult(y)
    }

    public var backwardReadsOutput: Bool { true }

    @_specialize(where T == Float) @_specialize(where T == Double)
    public func backward<T: TensorScalar>(_ c: BackwardContext<T>) -> [Tensor<T>?] {
        guard c.wants[0], let y = c.output else { return [nil] }
        var dx = c.gradient(0)
        LayerKernels.fill(&dx.scalars, y.scalars, c.upstream.scalars, parallelism: c.parallelism) { o, y, g, b, e in
            if T.self == Double.self { cg_sigmoid_bwd_f64(y.f64(b), g.f64(b), o.f64(b), e - b) } else { cg_sigmoid_bwd_f32(y.f32(b), g.f32(b), o.f32(b), e - b) }
        }
        return [dx]
    }

    public static let reference = OpReference(
        summary: "The logistic function, element-wise.",
        ports: [.init("input", "any shape")],
        attributes: [],
        output: "the input's shape",
        formula: "y = 1/(1 + e^−x) (as e^x/(1 + e^x) for x < 0)",
        backward: "dx = dy·y·(1 − y), through the output")
}

/// `tanh`: the hyperbolic tangent (libm's). Backward: dx = dy·(1 − y²).
public struct Tanh: Op {
    public static let name = "tanh"
    public static let ports = [Port.input]
    public static let attributeNames: [String] = []
    public init() {}
    public static func decode(_ a: inout AttributeReader) -> Tanh? { Tanh() }
    public func outputShape(inputs: [Shape]) throws(ShapeError) -> ShapeInference { ShapeInference(inputs[0]) }
    public func flops(inputs: [Shape], output: Shape) -> Int { output.count }

    public func forward<T: TensorScalar>(_ inputs: [Tensor<T>]) -> ForwardResult<T> { forward(inputs, parallelism: .serial) }
    public func forward<T: TensorScalar>(_ inputs: [Tensor<T>], parallelism: Parallelism) -> ForwardResult<T> {
        var context = ForwardContext<T>(parallelism: parallelism)
        return run(inputs, &context)
    }
    public func forward<T: TensorScalar>(_ inputs: [Tensor<T>], context: inout ForwardContext<T>) throws(OpFailure) -> ForwardResult<T> {
        run(inputs, &context)
    }

    @_specialize(where T == Float) @_specialize(where T == Double)
    func run<T: TensorScalar>(_ inputs: [Tensor<T>], _ context: inout ForwardContext<T>) -> ForwardResult<T> {
        var y = context.output(inputs[0].shape)
        LayerKernels.fill(&y.scalars, inputs[0].scalars, parallelism: context.parallelism) { o, x, _, b, e in
            if T.self == Double.self { cg_tanh_fwd_f64(x.f64(b), o.f64(b), e - b) } else { cg_tanh_fwd_f32(x.f32(b), o.f32(b), e - b) }
        }
        return ForwardResult(y)
    }

    public var backwardReadsOutput: Bool { true }

    @_specialize(where T == Float) @_specialize(where T == Double)
    public func backward<T: TensorScalar>(_ c: BackwardContext<T>) -> [Tensor<T>?] {
        guard c.wants[0], let y = c.output else { return [nil] }
        var dx = c.gradient(0)
        LayerKernels.fill(&dx.scalars, y.scalars, c.upstream.scalars, parallelism: c.parallelism) { o, y, g, b, e in
            if T.self == Double.self { cg_tanh_bwd_f64(y.f64(b), g.f64(b), o.f64(b), e - b) } else { cg_tanh_bwd_f32(y.f32(b), g.f32(b), o.f32(b), e - b) }
        }
        return [dx]
    }

    public static let reference = OpReference(
        summary: "The hyperbolic tangent, element-wise.",
        ports: [.init("input", "any shape")],
        attributes: [],
        output: "the input's shape",
        formula: "y = tanh(x)",
        backward: "dx = dy·(1 − y²), through the output")
}

/// `leaky_relu`: y = x for x > 0, else slope·x (slope ≥ 0, finite). Its derivative is 1 for
/// x > 0 and slope otherwise (so slope at 0, as relu′(0) = 0); a sign change is a kink.
public struct LeakyRelu: Op {
    public static let name = "leaky_relu"
    public static let ports = [Port.input]
    public static let attributeNames = ["slope"]
    public var slope: Double
    public init(slope: Double = 0.01) { self.slope = slope }

    public static func decode(_ a: inout AttributeReader) -> LeakyRelu? {
        guard let slope = a.double("slope", default: 0.01) else { return nil }
        guard slope >= 0 else {
            a.error("'slope' must be ≥ 0, not \(slope)", key: "slope")
            return nil
        }
        return LeakyRelu(slope: slope)
    }

    public func outputShape(inputs: [Shape]) throws(ShapeError) -> ShapeInference { ShapeInference(inputs[0]) }
    public func flops(inputs: [Shape], output: Shape) -> Int { output.count }

    public func forward<T: TensorScalar>(_ inputs: [Tensor<T>]) -> ForwardResult<T> { forward(inputs, parallelism: .serial) }
    public func forward<T: TensorScalar>(_ inputs: [Tensor<T>], parallelism: Parallelism) -> ForwardResult<T> {
        var context = ForwardContext<T>(parallelism: parallelism)
        return run(inputs, &context)
    }
    public func forward<T: TensorScalar>(_ inputs: [Tensor<T>], context: inout ForwardContext<T>) throws(OpFailure) -> ForwardResult<T> {
        run(inputs, &context)
    }

    @_specialize(where T == Float) @_specialize(where T == Double)
    func run<T: TensorScalar>(_ inputs: [Tensor<T>], _ context: inout ForwardContext<T>) -> ForwardResult<T> {
        var y = context.output(inputs[0].shape)
        let s = slope
        LayerKernels.fill(&y.scalars, inputs[0].scalars, parallelism: context.parallelism) { o, x, _, b, e in
            if T.self == Double.self { cg_leaky_fwd_f64(x.f64(b), s, o.f64(b), e - b) } else { cg_leaky_fwd_f32(x.f32(b), Float(s), o.f32(b), e - b) }
        }
        return ForwardResult(y)
    }

    /// y > 0 exactly where x > 0 (slope ≥ 0), so backward reads the output.
    public var backwardReadsOutput: Bool { true }

    /// The derivative jumps where an input changes sign.
    public func hashKinks<T: TensorScalar>(_ result: ForwardResult<T>, into hasher: inout Hasher) {
        for v in result.output.scalars { hasher.combine(v > 0) }
    }

    @_specialize(where T == Float) @_specialize(where T == Double)
    public func backward<T: TensorScalar>(_ c: BackwardContext<T>) -> [Tensor<T>?] {
        guard c.wants[0], let y = c.output else { return [nil] }
        var dx = c.gradient(0)
        let s = slope
        LayerKernels.fill(&dx.scalars, y.scalars, c.upstream.scalars, parallelism: c.parallelism) { o, y, g, b, e in
            if T.self == Double.self {
                cg_leaky_bwd_f64(y.f64(b), g.f64(b), s, o.f64(b), e - b)
            } else {
                cg_leaky_bwd_f32(y.f32(b), g.f32(b), Float(s), o.f32(b), e - b)
            }
        }
        return [dx]
    }

    public static let reference = OpReference(
        summary: "The leaky rectifier, element-wise.",
        ports: [.init("input", "any shape")],
        attributes: [.init("slope", type: "number ≥ 0", default: "0.01", "the factor applied to inputs ≤ 0 (rounded to the graph dtype)")],
        output: "the input's shape",
        formula: "y = x for x > 0, else slope·x",
        backward: "dx = dy for x > 0, else slope·dy; gradcheck treats a sign change as a kink")
}
