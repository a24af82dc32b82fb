import CKernels

// The fast `conv` kernels: implicit GEMM in the C target (`Sources/CKernels`), threaded by
// `Parallelism`. They are tested against the reference loops of `Conv+Reference.swift`.

extension Conv {
    /// Convs with fewer multiply-adds than this run the reference loops: packing would cost
    /// more than it saves, and the reference's NumPy summation order keeps small graphs such
    /// as the seed notebook's bit-exact with NumPy (SPEC §9). The choice depends on the
    /// shape alone, so it never changes results between runs or thread counts.
    static let fastPathMinimumMACs = 1 << 16

    /// Whether a conv of these shapes takes the fast kernels.
    static func usesFastPath(input: Shape, weight: Shape, output: Shape) -> Bool {
        output.count * weight[1] * weight[2] * weight[3] >= fastPathMinimumMACs
    }

    static func kernelShape(input: Shape, weight: Shape, geometry g: Geometry) -> cg_conv {
        let out = outputSize(inputHeight: input[2], inputWidth: input[3], kernel: Spatial(weight[2], weight[3]), geometry: g)
        return cg_conv(n: input[0], c: input[1], h: input[2], w: input[3],
                       o: weight[0], cg: weight[1], kh: weight[2], kw: weight[3],
                       groups: g.groups, og: weight[0] / g.groups, oh: out.h, ow: out.w,
                       sh: g.stride.h, sw: g.stride.w, dh: g.dilation.h, dw: g.dilation.w,
                       pt: g.pads.top, pl: g.pads.left)
    }

    /// Same contract as `referenceForward` (OIHW weight), computed by implicit GEMM: each
    /// output is one FMA chain over (c, p, q) in blocks of at most 256, plus the bias.
    /// - Parameters:
    ///   - workspace: where the output (`outputSlot`) and the packed weights come from and
    ///     the packed weights go back to, so repeated calls allocate nothing.
    static func fastForward<T: TensorScalar>(
        input: Tensor<T>, weight: Tensor<T>, bias: Tensor<T>?, geometry: Geometry, parallelism: Parallelism,
        workspace: Workspace<T> = Workspace(), outputSlot: Workspace<T>.Slot = .output
    ) -> Tensor<T> {
        var d = kernelShape(input: input.shape, weight: weight.shape, geometry: geometry)
        let outShape: Shape = [d.n, d.o, d.oh, d.ow]
        let f64: Int32 = T.self == Double.self ? 1 : 0
        var packed = workspace.take(.scratch(0), count: cg_conv_fwd_packed_count(&d, f64))
        defer { workspace.give(.scratch(0), packed) }
        let tasks = cg_conv_fwd_tasks(&d, f64)
        var out = workspace.take(outputSlot, count: outShape.count)
        out.withUnsafeMutableBufferPointer { y in
            withRawPointers(input.scalars, weight.scalars, bias?.scalars ?? []) { x, w, b in
                packed.withUnsafeMutableBytes { pk in
                    if f64 == 1 {
                        cg_conv_fwd_pack_weight_f64(&d, Optional(w).typed(), pk.typedMutable())
                    } else {
                        cg_conv_fwd_pack_weight_f32(&d, Optional(w).typed(), pk.typedMutable())
                    }
                    let shared = KernelArguments(d: d, x: x, packed: UnsafeRawPointer(pk.baseAddress), bias: bias == nil ? nil : b,
                                                 y: UnsafeMutableRawPointer(y.baseAddress))
                    parallelism.forEach(tasks) { t in
                        var d = shared.d
                        if f64 == 1 {
                            cg_conv_fwd_task_f64(&d, shared.x.typed(), shared.packed.typed(), shared.bias.typed(), shared.y.typedMutable(), t)
                        } else {
                            cg_conv_fwd_task_f32(&d, shared.x.typed(), shared.packed.typed(), shared.bias.typed(), shared.y.typedMutable(), t)
                        }
                    }
                }
            }
        }
        return Tensor(shape: outShape, scalars: out)
    }

    /// Same contract as `referenceBackward` (OIHW weight). The input gradient is a
    /// transposed forward conv for stride 1, else col2im of Wᵀ·dy per image and channel
    /// block; the weight gradient is dy·colᵀ summed over fixed chunks of images, the chunks
    /// then added in order; the bias gradient sums in the reference's order.
    static func fastBackward<T: TensorScalar>(
        input: Tensor<T>, weight: Tensor<T>, upstream: Tensor<T>, geometry: Geometry,
        wantInput: Bool, wantWeight: Bool, wantBias: Bool, parallelism: Parallelism, workspace: Workspace<T> = Workspace()
    ) -> (input: Tensor<T>?, weight: Tensor<T>?, bias: Tensor<T>?) {
        var d = kernelShape(input: input.shape, weight: weight.shape, geometry: geometry)
        let f64: Int32 = T.self == Double.self ? 1 : 0
        var dInput: Tensor<T>?
        var dWeight: Tensor<T>?
        if wantInput && d.sh == 1 && d.sw == 1 {
            // Stride 1: dx is a forward conv of dy with the kernel flipped and its channel
            // axes swapped (a transposed conv), so it runs on the forward kernel with no
            // col2im scatter.
            dInput = transposedForward(weight: weight, upstream: upstream, inputShape: input.shape, d: d, parallelism: parallelism,
                                       workspace: workspace)
        } else if wantInput {
            let tasks = cg_conv_bwd_data_tasks(&d, f64)
            var dx = workspace.take(.gradient(0), count: input.count)
            dx.withUnsafeMutableBufferPointer { dx in
                withRawPointers(weight.scalars, upstream.scalars, []) { w, dy, _ in
                    let shared = KernelArguments(d: d, x: w, packed: dy, bias: nil, y: UnsafeMutableRawPointer(dx.baseAddress))
                    parallelism.forEach(tasks) { t in
                        var d = shared.d
                        if f64 == 1 {
                            cg_conv_bwd_data_task_f64(&d, shared.x.typed(), shared.packed.typed(), shared.y.typedMutable(), t)
                        } else {
                            cg_conv_bwd_data_task_f32(&d, shared.x.typed(), shared.packed.typed(), shared.y.typedMutable(), t)
                        }
                    }
                }
            }
            dInput = Tensor(shape: input.shape, scalars: dx)
        }
        if wantWeight {
            let chunks = cg_conv_bwd_weight_chunks(&d, f64)
            let tasks = cg_conv_bwd_weight_tasks(&d, f64)
            var partials = workspace.take(chunks > 1 ? .scratch(2) : .gradient(1), count: chunks * weight.count)
            withRawPointers(input.scalars, upstream.scalars, []) { x, dy, _ in
                partials.withUnsafeMutableBytes { part in
                    let shared = KernelArguments(d: d, x: x, packed: dy, bias: nil, y: part.baseAddress)
                    parallelism.forEach(tasks) { t in
                        var d = shared.d
                        if f64 == 1 {
                            cg_conv_bwd_weight_task_f64(&d, shared.x.typed(), shared.packed.typed(), shared.y.typedMutable(), t)
                        } else {
                            cg_conv_bwd_weight_task_f32(&d, shared.x.typed(), shared.packed.typed(), shared.y.typedMutable(), t)
                        }
                    }
                }
            }
            var dw = partials   // one chunk: the partials are the gradient
            if chunks > 1 {
                dw = workspace.take(.gradient(1), count: weight.count)
                partials.withUnsafeBytes { part in
                    dw.withUnsafeMutableBytes { out in
                        if f64 == 1 {
                            cg_conv_bwd_weight_reduce_f64(&d, part.typed(), out.typedMutable(), 0, weight.count)
                        } else {
                            cg_conv_bwd_weight_reduce_f32(&d, part.typed(), out.typedMutable(), 0, weight.count)
                        }
                    }
                }
                workspace.give(.scratch(2), partials)
            }
            dWeight = Tensor(shape: weight.shape, scalars: dw)
        }
        let dBias = wantBias ? biasGradient(upstream, workspace: workspace) : nil
        return (dInput, dWeight, dBias)
    }

    /// dx of a stride-1 conv as the forward conv of dy with weight
    /// w'[g·Cg+c, o, p', q'] = w[g·Og+o, c, kh−1−p', kw−1−q'] (groups kept), padding
    /// (kh−1)·dh − top on top and (kw−1)·dw − left on the left (negative crops), output H×W.
    static func transposedForward<T: TensorScalar>(weight: Tensor<T>, upstream: Tensor<T>, inputShape: Shape, d: cg_conv,
                                                   parallelism: Parallelism, workspace: Workspace<T>,
                                                   outputSlot: Workspace<T>.Slot = .gradient(0)) -> Tensor<T> {
        let (cg, kh, kw, og) = (d.cg, d.kh, d.kw, d.og)
        var flipped = workspace.take(.scratch(1), count: weight.count)
        defer { workspace.give(.scratch(1), flipped) }
        weight.scalars.withUnsafeBufferPointer { w in
            flipped.withUnsafeMutableBufferPointer { f in
                for g in 0..<d.groups {
                    for oc in 0..<og {
                        for c in 0..<cg {
                            for p in 0..<kh {
                                for q in 0..<kw {
                                    f[(((g * cg + c) * og + oc) * kh + (kh - 1 - p)) * kw + (kw - 1 - q)] =
                                        w[(((g * og + oc) * cg + c) * kh + p) * kw + q]
                                }
                            }
                        }
                    }
                }
            }
        }
        let geometry = Geometry(stride: Spatial(1), dilation: Spatial(d.dh, d.dw),
                                pads: Pads(top: (kh - 1) * d.dh - d.pt, bottom: inputShape[2] - d.oh + d.pt,
                                           left: (kw - 1) * d.dw - d.pl, right: inputShape[3] - d.ow + d.pl),
                                groups: d.groups)
        let result = fastForward(input: upstream, weight: Tensor(shape: [d.c, og, kh, kw], scalars: flipped),
                                 bias: nil, geometry: geometry, parallelism: parallelism, workspace: workspace, outputSlot: outputSlot)
        precondition(result.shape == inputShape, "transposed conv gave \(result.shape), expected \(inputShape)")
        return result
    }

    /// db[o] = Σ_{n,i,j} dy[n,o,i,j], summed in the order n, i, j (as the reference).
    @_specialize(where T == Float) @_specialize(where T == Double)
    static func biasGradient<T: TensorScalar>(_ dy: Tensor<T>, workspace: Workspace<T> = Workspace()) -> Tensor<T> {
        let n = dy.shape[0], o = dy.shape[1], plane = dy.shape[2] * dy.shape[3]
        var db = workspace.take(.gradient(2), count: o)
        dy.scalars.withUnsafeBufferPointer { g in
            for oc in 0..<o {
                var acc: T = 0
                for image in 0..<n {
                    let base = (image * o + oc) * plane
                    for k in 0..<plane { acc += g[base + k] }
                }
                db[oc] = acc
            }
        }
        return Tensor(shape: [o], scalars: db)
    }
}

/// Pointers handed to kernel tasks running on several threads: inputs are only read and
/// each task writes its own part of the output.
struct KernelArguments: @unchecked Sendable {
    var d: cg_conv
    var x: UnsafeRawPointer?
    var packed: UnsafeRawPointer?
    var bias: UnsafeRawPointer?
    var y: UnsafeMutableRawPointer?
}

/// The base addresses of three arrays' storage, for the duration of `body`.
func withRawPointers<T, R>(_ a: [T], _ b: [T], _ c: [T], _ body: (UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer) -> R) -> R {
    a.withUnsafeBytes { a in
        b.withUnsafeBytes { b in
            c.withUnsafeBytes { c in
                // Tensors hold at least one element; an empty array (no bias) is never read.
                body(a.baseAddress ?? UnsafeRawPointer(bitPattern: 64)!, b.baseAddress ?? UnsafeRawPointer(bitPattern: 64)!,
                     c.baseAddress ?? UnsafeRawPointer(bitPattern: 64)!)
            }
        }
    }
}

extension Optional where Wrapped == UnsafeRawPointer {
    func typed<T>() -> UnsafePointer<T>? { self?.assumingMemoryBound(to: T.self) }
}

extension Optional where Wrapped == UnsafeMutableRawPointer {
    func typedMutable<T>() -> UnsafeMutablePointer<T>? { self?.assumingMemoryBound(to: T.self) }
}

extension UnsafeRawBufferPointer {
    func typed<T>() -> UnsafePointer<T>? { baseAddress?.assumingMemoryBound(to: T.self) }
}

extension UnsafeMutableRawBufferPointer {
    func typedMutable<T>() -> UnsafeMutablePointer<T>? { baseAddress?.assumingMemoryBound(to: T.self) }
}
