import CKernels

// `linear`'s products on the packed GEMM of the C target (`cg_gemm_*`, Sources/CKernels/gemm.c).

extension Linear {
    /// Products with fewer multiply-adds than this run the reference loop: packing would cost
    /// more than it saves. Both give the same bytes, so the choice never changes a result.
    static let fastPathMinimumMACs = 1 << 10

    /// C [m, n] = A [m, k] · B [k, n] (+ bias per column), A(i, p) = a[i·sa.0 + p·sa.1],
    /// B(p, j) = b[p·sb.0 + j·sb.1]; the summation order of `referenceGEMM`. The result's
    /// buffer comes from `workspace`'s `slot`.
    @_specialize(where T == Float) @_specialize(where T == Double)
    static func gemm<T: TensorScalar>(m: Int, n: Int, k: Int, a: [T], strides sa: (Int, Int), b: [T], strides sb: (Int, Int),
                                      bias: [T]?, parallelism: Parallelism, workspace: Workspace<T>,
                                      slot: Workspace<T>.Slot) -> [T] {
        var c = workspace.take(slot, count: m * n)
        if m * n * k < fastPathMinimumMACs {
            referenceGEMM(m: m, n: n, k: k, a: a, strides: sa, b: b, strides: sb, bias: bias, into: &c)
            return c
        }
        fastGEMM(m: m, n: n, k: k, a: a, strides: sa, b: b, strides: sb, bias: bias, parallelism: parallelism, into: &c)
        return c
    }

    /// `gemm` on the C kernels, whatever the size.
    @_specialize(where T == Float) @_specialize(where T == Double)
    static func fastGEMM<T: TensorScalar>(m: Int, n: Int, k: Int, a: [T], strides sa: (Int, Int), b: [T], strides sb: (Int, Int),
                                          bias: [T]?, parallelism: Parallelism, into c: inout [T]) {
        let g = cg_gemm(m: m, n: n, k: k, rsa: sa.0, csa: sa.1, rsb: sb.0, csb: sb.1, ldc: n)
        let f64: Int32 = T.self == Double.self ? 1 : 0
        let tasks = cg_gemm_tasks([g], f64)
        c.withUnsafeMutableBytes { cp in
            withRawPointers(a, b, bias ?? []) { ap, bp, biasp in
                let shared = GEMMArguments(g: g, a: ap, b: bp, bias: bias == nil ? nil : biasp, c: cp.baseAddress)
                parallelism.forEach(tasks) { t in
                    var g = shared.g
                    if f64 == 1 {
                        cg_gemm_task_f64(&g, shared.a.typed(), shared.b.typed(), shared.bias.typed(), shared.c.typedMutable(), t)
                    } else {
                        cg_gemm_task_f32(&g, shared.a.typed(), shared.b.typed(), shared.bias.typed(), shared.c.typedMutable(), t)
                    }
                }
            }
        }
    }
}

/// Pointers handed to GEMM tasks on several threads: A, B and the bias are only read; each
/// task writes its own block of C.
private struct GEMMArguments: @unchecked Sendable {
    var g: cg_gemm
    var a: UnsafeRawPointer?
    var b: UnsafeRawPointer?
    var bias: UnsafeRawPointer?
    var c: UnsafeMutableRawPointer?
}
