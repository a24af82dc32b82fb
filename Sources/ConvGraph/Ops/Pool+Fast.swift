import CKernels

// The fast `pool` kernels (Sources/CKernels/pool_impl.h): the reference's rules and
// summation order in C, split over N·C planes on several threads. They give the same bits
// as `Pool+Reference.swift`, which the tests check with `==`.

extension Pool {
    static func kernelShape(input: Shape, output: Spatial, geometry g: Geometry) -> cg_pool {
        cg_pool(planes: input[0] * input[1], h: input[2], w: input[3], oh: output.h, ow: output.w,
                kh: g.window.h, kw: g.window.w, sh: g.stride.h, sw: g.stride.w, dh: g.dilation.h, dw: g.dilation.w,
                pt: g.pads.top, pb: g.pads.bottom, pl: g.pads.left, pr: g.pads.right,
                count_include_pad: g.countIncludePad ? 1 : 0)
    }

    /// Planes per task: enough work per task to outweigh handing it out.
    private static func planesPerTask(_ p: cg_pool) -> Int { max(1, 16_384 / max(1, p.h * p.w)) }

    /// Runs `body(first, end)` over plane ranges, on up to `parallelism.threads` threads.
    private static func forEachPlaneRange(_ p: cg_pool, _ parallelism: Parallelism, _ body: @escaping @Sendable (Int, Int) -> Void) {
        let chunk = planesPerTask(p), tasks = (p.planes + chunk - 1) / chunk
        parallelism.forEach(tasks) { t in body(t * chunk, min(p.planes, (t + 1) * chunk)) }
    }

    @_specialize(where T == Float) @_specialize(where T == Double)
    static func fastForward<T: TensorScalar>(input: Tensor<T>, geometry g: Geometry, parallelism: Parallelism,
                                             workspace: Workspace<T> = Workspace()) -> (output: Tensor<T>, argmax: [Int32]?) {
        let os = outputSize(inputHeight: input.shape[2], inputWidth: input.shape[3], geometry: g)
        let p = kernelShape(input: input.shape, output: os, geometry: g)
        let shape: Shape = [input.shape[0], input.shape[1], os.h, os.w]
        let count = shape.count
        let f64 = T.self == Double.self
        // Filled in place (one buffer, never copied on write).
        var indices = g.mode == .max ? workspace.takeIndices(.output, count: count) : []
        var output = workspace.take(.output, count: count)
        output.withUnsafeMutableBufferPointer { y in
            input.scalars.withUnsafeBytes { x in
                let xs = PoolPointers(x: x.baseAddress, y: UnsafeMutableRawPointer(y.baseAddress))
                if g.mode == .max {
                    indices.withUnsafeMutableBufferPointer { a in
                        let ptrs = PoolPointers(x: xs.x, y: xs.y, argmax: a.baseAddress)
                        forEachPlaneRange(p, parallelism) { first, end in
                            var p = p
                            if f64 {
                                cg_maxpool_fwd_f64(&p, ptrs.x?.assumingMemoryBound(to: Double.self), ptrs.y?.assumingMemoryBound(to: Double.self), ptrs.argmax, first, end)
                            } else {
                                cg_maxpool_fwd_f32(&p, ptrs.x?.assumingMemoryBound(to: Float.self), ptrs.y?.assumingMemoryBound(to: Float.self), ptrs.argmax, first, end)
                            }
                        }
                    }
                } else {
                    forEachPlaneRange(p, parallelism) { first, end in
                        var p = p
                        if f64 {
                            cg_avgpool_fwd_f64(&p, xs.x?.assumingMemoryBound(to: Double.self), xs.y?.assumingMemoryBound(to: Double.self), first, end)
                        } else {
                            cg_avgpool_fwd_f32(&p, xs.x?.assumingMemoryBound(to: Float.self), xs.y?.assumingMemoryBound(to: Float.self), first, end)
                        }
                    }
                }
            }
        }
        return (Tensor(shape: shape, scalars: output), g.mode == .max ? indices : nil)
    }

    @_specialize(where T == Float) @_specialize(where T == Double)
    static func fastBackward<T: TensorScalar>(upstream: Tensor<T>, inputShape: Shape, argmax: [Int32]?, geometry g: Geometry,
                                              parallelism: Parallelism, workspace: Workspace<T> = Workspace()) -> Tensor<T> {
        let os = outputSize(inputHeight: inputShape[2], inputWidth: inputShape[3], geometry: g)
        let p = kernelShape(input: inputShape, output: os, geometry: g)
        let count = inputShape.count
        let f64 = T.self == Double.self
        var grad = workspace.take(.gradient(0), count: count)
        grad.withUnsafeMutableBufferPointer { dx in
            upstream.scalars.withUnsafeBytes { dy in
                (argmax ?? []).withUnsafeBufferPointer { a in
                    let ptrs = PoolPointers(x: dy.baseAddress, y: UnsafeMutableRawPointer(dx.baseAddress), argmax: UnsafeMutablePointer(mutating: a.baseAddress))
                    let isMax = g.mode == .max
                    forEachPlaneRange(p, parallelism) { first, end in
                        var p = p
                        switch (isMax, f64) {
                        case (true, true): cg_maxpool_bwd_f64(&p, ptrs.x?.assumingMemoryBound(to: Double.self), ptrs.argmax, ptrs.y?.assumingMemoryBound(to: Double.self), first, end)
                        case (true, false): cg_maxpool_bwd_f32(&p, ptrs.x?.assumingMemoryBound(to: Float.self), ptrs.argmax, ptrs.y?.assumingMemoryBound(to: Float.self), first, end)
                        case (false, true): cg_avgpool_bwd_f64(&p, ptrs.x?.assumingMemoryBound(to: Double.self), ptrs.y?.assumingMemoryBound(to: Double.self), first, end)
                        case (false, false): cg_avgpool_bwd_f32(&p, ptrs.x?.assumingMemoryBound(to: Float.self), ptrs.y?.assumingMemoryBound(to: Float.self), first, end)
                        }
                    }
                }
            }
        }
        return Tensor(shape: inputShape, scalars: grad)
    }
}

/// Pointers shared by the pool tasks: the input is read, each task writes its own planes.
private struct PoolPointers: @unchecked Sendable {
    var x: UnsafeRawPointer?
    var y: UnsafeMutableRawPointer?
    var argmax: UnsafeMutablePointer<Int32>? = nil
}
