import CKernels

// `batchnorm`'s forward and backward on the kernels of Sources/CKernels/layers.c: the
// per-channel sums run one channel per task (eight running lanes in a fixed order), the
// element-wise passes over planes, so the bytes do not depend on the threads.
//
// Workspace: scratch 0 and 3 hold forward's and backward's per-channel temporaries; scratch 1
// and 2 the batch μ and σ²
// that forward saves and backward gives back.

extension BatchNorm {
    /// Per-channel values of input `slot` (`fallback` when unwired), into `out`.
    private func channelValues<T: TensorScalar>(_ inputs: [Tensor<T>?], _ slot: Slot, fallback: T, into out: inout [T], at offset: Int, count c: Int) {
        if let k = index(slot), let t = inputs[k] {
            for i in 0..<c { out[offset + i] = t.scalars[i] }
        } else {
            for i in 0..<c { out[offset + i] = fallback }
        }
    }

    @_specialize(where T == Float) @_specialize(where T == Double)
    func run<T: TensorScalar>(_ inputs: [Tensor<T>], _ context: inout ForwardContext<T>) -> ForwardResult<T> {
        let x = inputs[0], shape = x.shape
        let (n, c, s) = (shape[0], shape[1], shape[2] * shape[3])
        let train = context.mode == .train || !hasRunningStatistics
        var mean = context.workspace.take(.scratch(1), count: c), variance = context.workspace.take(.scratch(2), count: c)
        if train {
            Self.statistics(x, &mean, &variance, parallelism: context.parallelism)
        } else {
            channelValues(inputs, .mean, fallback: 0, into: &mean, at: 0, count: c)
            channelValues(inputs, .variance, fallback: 1, into: &variance, at: 0, count: c)
        }
        // a = scale/√(σ² + eps), b = bias.
        var ab = context.workspace.take(.scratch(0), count: 2 * c)
        channelValues(inputs, .scale, fallback: 1, into: &ab, at: 0, count: c)
        channelValues(inputs, .bias, fallback: 0, into: &ab, at: c, count: c)
        let e = T(eps)
        for i in 0..<c { ab[i] = ab[i] * (1 / (variance[i] + e).squareRoot()) }
        var y = context.output(shape)
        y.scalars.withUnsafeMutableBufferPointer { yp in
            x.scalars.withUnsafeBufferPointer { xp in
                let out = KernelPointer(yp.baseAddress), xv = KernelPointer(xp.baseAddress)
                let (mu, coef) = (mean, ab)
                LayerKernels.forEachRange(n * c, itemSize: s, parallelism: context.parallelism) { first, end in
                    for plane in first..<end {
                        let ch = plane % c, o = plane * s
                        if T.self == Double.self {
                            cg_bn_apply_f64(xv.f64(o), out.f64(o), s, Double(mu[ch]), Double(coef[ch]), Double(coef[c + ch]))
                        } else {
                            cg_bn_apply_f32(xv.f32(o), out.f32(o), s, Float(mu[ch]), Float(coef[ch]), Float(coef[c + ch]))
                        }
                    }
                }
            }
        }
        context.workspace.give(.scratch(0), ab)
        guard train else {
            context.workspace.give(.scratch(1), mean)
            context.workspace.give(.scratch(2), variance)
            return ForwardResult(y)
        }
        return ForwardResult(y, savedTensors: [Tensor(shape: [c], scalars: mean), Tensor(shape: [c], scalars: variance)])
    }

    /// The batch mean and biased variance of every channel (two passes: Σx, then Σ(x − μ)²).
    static func statistics<T: TensorScalar>(_ x: Tensor<T>, _ mean: inout [T], _ variance: inout [T], parallelism: Parallelism) {
        let (n, c, s) = (x.shape[0], x.shape[1], x.shape[2] * x.shape[3])
        mean.withUnsafeMutableBufferPointer { mp in
            variance.withUnsafeMutableBufferPointer { vp in
                x.scalars.withUnsafeBufferPointer { xp in
                    let m = KernelPointer(mp.baseAddress), v = KernelPointer(vp.baseAddress), xv = KernelPointer(xp.baseAddress)
                    LayerKernels.forEachRange(c, itemSize: n * s, parallelism: parallelism) { first, end in
                        for ch in first..<end {
                            if T.self == Double.self {
                                cg_bn_stats_f64(xv.f64(ch * s), n, s, c * s, m.f64(ch), v.f64(ch))
                            } else {
                                cg_bn_stats_f32(xv.f32(ch * s), n, s, c * s, m.f32(ch), v.f32(ch))
                            }
                        }
                    }
                }
            }
        }
    }

    @_specialize(where T == Float) @_specialize(where T == Double)
    public func backward<T: TensorScalar>(_ ctx: BackwardContext<T>) -> [Tensor<T>?] {
        let count = ctx.inputShapes.count
        guard ctx.wants.contains(true) else { return Array(repeating: nil, count: count) }
        let x = ctx.input(0), shape = x.shape
        let (n, c, s) = (shape[0], shape[1], shape[2] * shape[3])
        let train = ctx.mode == .train || !hasRunningStatistics
        let inputs = ctx.inputs
        // Per channel: μ, inv = 1/√(σ² + eps), scale, Σdy, Σdy·x̂.
        var t = ctx.workspace.take(.scratch(3), count: 5 * c)
        if train, ctx.savedTensors.count == 2 {
            for i in 0..<c { t[i] = ctx.savedTensors[0].scalars[i]; t[c + i] = ctx.savedTensors[1].scalars[i] }
        } else if train {
            var m = [T](repeating: 0, count: c), v = [T](repeating: 0, count: c)
            Self.statistics(x, &m, &v, parallelism: ctx.parallelism)
            for i in 0..<c { t[i] = m[i]; t[c + i] = v[i] }
        } else {
            channelValues(inputs, .mean, fallback: 0, into: &t, at: 0, count: c)
            channelValues(inputs, .variance, fallback: 1, into: &t, at: c, count: c)
        }
        let e = T(eps)
        for i in 0..<c { t[c + i] = 1 / (t[c + i] + e).squareRoot() }
        channelValues(inputs, .scale, fallback: 1, into: &t, at: 2 * c, count: c)
        t.withUnsafeMutableBufferPointer { tp in
            x.scalars.withUnsafeBufferPointer { xp in
                ctx.upstream.scalars.withUnsafeBufferPointer { gp in
                    let tv = KernelPointer(tp.baseAddress), xv = KernelPointer(xp.baseAddress), g = KernelPointer(gp.baseAddress)
                    LayerKernels.forEachRange(c, itemSize: n * s, parallelism: ctx.parallelism) { first, end in
                        for ch in first..<end {
                            if T.self == Double.self {
                                let p = tv.f64(0)!
                                cg_bn_sums_f64(xv.f64(ch * s), g.f64(ch * s), n, s, c * s, p[ch], p[c + ch], tv.f64(3 * c + ch), tv.f64(4 * c + ch))
                            } else {
                                let p = tv.f32(0)!
                                cg_bn_sums_f32(xv.f32(ch * s), g.f32(ch * s), n, s, c * s, p[ch], p[c + ch], tv.f32(3 * c + ch), tv.f32(4 * c + ch))
                            }
                        }
                    }
                }
            }
        }
        var grads = [Tensor<T>?](repeating: nil, count: count)
        let m = T(n * s)
        if ctx.wants[0] {
            var dx = ctx.gradient(0)
            dx.scalars.withUnsafeMutableBufferPointer { dp in
                x.scalars.withUnsafeBufferPointer { xp in
                    ctx.upstream.scalars.withUnsafeBufferPointer { gp in
                        let d = KernelPointer(dp.baseAddress), xv = KernelPointer(xp.baseAddress), g = KernelPointer(gp.baseAddress)
                        let p = t
                        LayerKernels.forEachRange(n * c, itemSize: s, parallelism: ctx.parallelism) { first, end in
                            for plane in first..<end {
                                let ch = plane % c, o = plane * s
                                let k = p[2 * c + ch] * p[c + ch]
                                switch (train, T.self == Double.self) {
                                case (true, true):
                                    cg_bn_dx_train_f64(xv.f64(o), g.f64(o), d.f64(o), s, Double(p[ch]), Double(p[c + ch]), Double(k),
                                                       Double(p[3 * c + ch] / m), Double(p[4 * c + ch] / m))
                                case (true, false):
                                    cg_bn_dx_train_f32(xv.f32(o), g.f32(o), d.f32(o), s, Float(p[ch]), Float(p[c + ch]), Float(k),
                                                       Float(p[3 * c + ch] / m), Float(p[4 * c + ch] / m))
                                case (false, true): cg_bn_dx_eval_f64(g.f64(o), d.f64(o), s, Double(k))
                                case (false, false): cg_bn_dx_eval_f32(g.f32(o), d.f32(o), s, Float(k))
                                }
                            }
                        }
                    }
                }
            }
            grads[0] = dx
        }
        // Per-channel gradients, each into its port's buffer (and shape).
        func channelGradient(_ slot: Slot, _ value: (Int) -> T) {
            guard let k = index(slot), ctx.wants[k] else { return }
            var g = ctx.gradient(k)
            for i in 0..<c { g.scalars[i] = value(i) }
            grads[k] = g
        }
        channelGradient(.scale) { t[4 * c + $0] }
        channelGradient(.bias) { t[3 * c + $0] }
        if train {
            channelGradient(.mean) { _ in 0 }
            channelGradient(.variance) { _ in 0 }
        } else {
            channelGradient(.mean) { -(t[2 * c + $0] * t[c + $0]) * t[3 * c + $0] }
            channelGradient(.variance) { i in -(t[2 * c + i] * (t[c + i] * t[c + i])) * t[4 * c + i] / 2 }
        }
        ctx.workspace.give(.scratch(3), t)
        if ctx.savedTensors.count == 2 {
            ctx.workspace.give(.scratch(1), ctx.savedTensors[0].scalars)
            ctx.workspace.give(.scratch(2), ctx.savedTensors[1].scalars)
        }
        return grads
    }
}
