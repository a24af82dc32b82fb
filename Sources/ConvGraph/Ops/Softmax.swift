import CKernels

/// `softmax` over axis 1 (the channels) at each (n, h, w) of a 4-D input, computed as
/// e^(x − max)/Σ e^(x − max) with the max and the sum taken over the channels in
/// increasing order (libm's exp per element, so every path and thread count agrees).
/// Backward, through the output: dx = y·(dy − Σ_c dy·y).
public struct Softmax: Op {
    public static let name = "softmax"
    public static let ports = [Port.input]
    public static let attributeNames: [String] = []
    public init() {}
    public static func decode(_ a: inout AttributeReader) -> Softmax? { Softmax() }

    public func outputShape(inputs: [Shape]) throws(ShapeError) -> ShapeInference {
        guard inputs[0].rank == 4 else {
            throw ShapeError("softmax needs a 4-D input [N, C, H, W] (it runs over axis 1), not \(inputs[0].bracketed)", inputs: [0])
        }
        return ShapeInference(inputs[0])
    }

    /// Per element: a compare, a subtraction, an exp, an add and a divide.
    public func flops(inputs: [Shape], output: Shape) -> Int { output.count.multipliedReportingOverflow(by: 5).partialValue }

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
        let shape = inputs[0].shape
        let (n, c, s) = (shape[0], shape[1], shape[2] * shape[3])
        var y = context.output(shape)
        y.scalars.withUnsafeMutableBufferPointer { yp in
            inputs[0].scalars.withUnsafeBufferPointer { xp in
                let out = KernelPointer(yp.baseAddress), x = KernelPointer(xp.baseAddress)
                LayerKernels.forEachPositionBlock(images: n, channels: c, positions: s, parallelism: context.parallelism) { i, s0, s1 in
                    let o = i * c * s
                    if T.self == Double.self { cg_softmax_fwd_f64(x.f64(o), out.f64(o), c, s, s0, s1) } else { cg_softmax_fwd_f32(x.f32(o), out.f32(o), c, s, s0, s1) }
                }
            }
        }
        return ForwardResult(y)
    }

    public var backwardReadsOutput: Bool { true }

    @_specialize(where T == Float) @_specialize(where T == Double)
    public func backward<T: TensorScalar>(_ c: BackwardContext<T>) -> [Tensor<T>?] {
        guard c.wants[0], let y = c.output else { return [nil] }
        let shape = y.shape
        let (n, ch, s) = (shape[0], shape[1], shape[2] * shape[3])
        var dx = c.gradient(0)
        dx.scalars.withUnsafeMutableBufferPointer { dp in
            y.scalars.withUnsafeBufferPointer { yp in
                c.upstream.scalars.withUnsafeBufferPointer { gp in
                    let d = KernelPointer(dp.baseAddress), yv = KernelPointer(yp.baseAddress), g = KernelPointer(gp.baseAddress)
                    LayerKernels.forEachPositionBlock(images: n, channels: ch, positions: s, parallelism: c.parallelism) { i, s0, s1 in
                        let o = i * ch * s
                        if T.self == Double.self {
                            cg_softmax_bwd_f64(yv.f64(o), g.f64(o), d.f64(o), ch, s, s0, s1)
                        } else {
                            cg_softmax_bwd_f32(yv.f32(o), g.f32(o), d.f32(o), ch, s, s0, s1)
                        }
                    }
                }
            }
        }
        return [dx]
    }

    public static let reference = OpReference(
        summary: "The softmax over the channels (axis 1) at each position (n, h, w).",
        ports: [.init("input", "x, [N, C, H, W]")],
        attributes: [],
        output: "the input's shape",
        formula: "y_c = e^(x_c − m) / Σ_k e^(x_k − m), m = max_k x_k",
        backward: "dx = y·(dy − Σ_c dy_c·y_c), through the output")
}
