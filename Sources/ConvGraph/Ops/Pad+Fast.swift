import CKernels

// The fast `pad` kernels (Sources/CKernels/elementwise.c): row copies and fills, split over
// N·C planes on several threads. Same bytes as `Pad+Reference.swift` (the tests check
// with `==`): the forward only moves values, and the reflect/edge backward scatter-adds in
// the reference's order within each plane.

extension Pad {
    private func kernelShape(input: Shape) -> cg_pad {
        let out = Pad.outputShape(input: input, pads: pads)
        let code: Int32 = switch mode {
        case .constant: Int32(CG_PAD_CONSTANT)
        case .reflect: Int32(CG_PAD_REFLECT)
        case .edge: Int32(CG_PAD_EDGE)
        }
        return cg_pad(planes: input[0] * input[1], h: input[2], w: input[3], oh: out[2], ow: out[3],
                      pt: pads.top, pl: pads.left, mode: code)
    }

    /// Runs `body(first, end)` over plane ranges of about 16 Ki output elements.
    private static func forEachPlaneRange(_ p: cg_pad, _ parallelism: Parallelism, _ body: (Int, Int) -> Void) {
        let chunk = max(1, 16_384 / max(1, p.oh * p.ow)), tasks = (p.planes + chunk - 1) / chunk
        parallelism.forEach(tasks) { t in body(t * chunk, min(p.planes, (t + 1) * chunk)) }
    }

    @_specialize(where T == Float) @_specialize(where T == Double)
    func fastForward<T: TensorScalar>(input: Tensor<T>, value: T, parallelism: Parallelism, workspace: Workspace<T> = Workspace()) -> Tensor<T> {
        var p = kernelShape(input: input.shape)
        let shape = Pad.outputShape(input: input.shape, pads: pads)
        let count = shape.count
        var out = workspace.take(.output, count: count)
        out.withUnsafeMutableBufferPointer { y in
            input.scalars.withUnsafeBufferPointer { xs in
                let x = KernelPointer(xs.baseAddress), yp = KernelPointer(y.baseAddress)
                Pad.forEachPlaneRange(p, parallelism) { first, end in
                    if T.self == Double.self {
                        cg_pad_fwd_f64(&p, x.f64(0), Double(value), yp.f64(0), first, end)
                    } else {
                        cg_pad_fwd_f32(&p, x.f32(0), Float(value), yp.f32(0), first, end)
                    }
                }
            }
        }
        return Tensor(shape: shape, scalars: out)
    }

    @_specialize(where T == Float) @_specialize(where T == Double)
    func fastBackward<T: TensorScalar>(upstream: Tensor<T>, inputShape: Shape, parallelism: Parallelism, workspace: Workspace<T> = Workspace()) -> Tensor<T> {
        var p = kernelShape(input: inputShape)
        let count = inputShape.count
        var dx = workspace.take(.gradient(0), count: count)
        dx.withUnsafeMutableBufferPointer { d in
            upstream.scalars.withUnsafeBufferPointer { dys in
                let dy = KernelPointer(dys.baseAddress), dp = KernelPointer(d.baseAddress)
                Pad.forEachPlaneRange(p, parallelism) { first, end in
                    if T.self == Double.self {
                        cg_pad_bwd_f64(&p, dy.f64(0), dp.f64(0), first, end)
                    } else {
                        cg_pad_bwd_f32(&p, dy.f32(0), dp.f32(0), first, end)
                    }
                }
            }
        }
        return Tensor(shape: inputShape, scalars: dx)
    }
}
