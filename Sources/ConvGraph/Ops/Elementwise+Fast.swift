import CKernels

// The fast element-wise kernels (Sources/CKernels/elementwise.c) behind relu, add, the
// reductions and the losses: one pass, no per-element generic code, each output allocated
// once and filled in place, long arrays cut into fixed chunks on several threads. Each
// element is computed alone, and the sums keep NumPy's pairwise tree whatever the threads,
// so the bytes are those of the plain loops (ElementwiseFastTests compares them with `==`).

enum Elementwise {
    /// Elements per task; arrays shorter than `2 · chunk` stay on the calling thread.
    static let chunk = 1 << 15

    /// Runs `body(begin, end)` over `0..<count` in chunks, on up to `parallelism.threads` threads.
    static func forEachChunk(_ count: Int, _ parallelism: Parallelism, _ body: (Int, Int) -> Void) {
        if count < 2 * chunk || parallelism.threads == 1 {
            if count > 0 { body(0, count) }
            return
        }
        let tasks = (count + chunk - 1) / chunk
        parallelism.forEach(tasks) { t in body(t * chunk, min(count, (t + 1) * chunk)) }
    }

    /// An array of `count` elements, the buffer of `slot` in `workspace`, whose chunks
    /// `fill(out, begin, end)` writes.
    @inline(__always)
    static func make<T: TensorScalar>(_ count: Int, _ parallelism: Parallelism, _ workspace: Workspace<T>, _ slot: Workspace<T>.Slot,
                                      _ fill: (KernelPointer, Int, Int) -> Void) -> [T] {
        var out = workspace.take(slot, count: count)
        out.withUnsafeMutableBufferPointer { o in
            let p = KernelPointer(o.baseAddress)
            forEachChunk(count, parallelism) { b, e in fill(p, b, e) }
        }
        return out
    }

    @_specialize(where T == Float) @_specialize(where T == Double)
    static func relu<T: TensorScalar>(_ x: [T], parallelism: Parallelism,
                                      into workspace: Workspace<T> = Workspace(), _ slot: Workspace<T>.Slot = .output) -> [T] {
        x.withUnsafeBufferPointer { xs in
            let x = KernelPointer(xs.baseAddress)
            return make(xs.count, parallelism, workspace, slot) { y, b, e in
                if T.self == Double.self { cg_relu_fwd_f64(x.f64(b), y.f64(b), e - b) } else { cg_relu_fwd_f32(x.f32(b), y.f32(b), e - b) }
            }
        }
    }

    @_specialize(where T == Float) @_specialize(where T == Double)
    static func reluBackward<T: TensorScalar>(output: [T], upstream: [T], parallelism: Parallelism,
                                              into workspace: Workspace<T> = Workspace(), _ slot: Workspace<T>.Slot = .gradient(0)) -> [T] {
        output.withUnsafeBufferPointer { ys in
            upstream.withUnsafeBufferPointer { gs in
                let y = KernelPointer(ys.baseAddress), g = KernelPointer(gs.baseAddress)
                return make(ys.count, parallelism, workspace, slot) { dx, b, e in
                    if T.self == Double.self {
                        cg_relu_bwd_f64(y.f64(b), g.f64(b), dx.f64(b), e - b)
                    } else {
                        cg_relu_bwd_f32(y.f32(b), g.f32(b), dx.f32(b), e - b)
                    }
                }
            }
        }
    }

    /// ((a₀ + a₁) + a₂) + …, element-wise; at least two inputs of one count.
    @_specialize(where T == Float) @_specialize(where T == Double)
    static func add<T: TensorScalar>(_ inputs: [[T]], parallelism: Parallelism,
                                     into workspace: Workspace<T> = Workspace(), _ slot: Workspace<T>.Slot = .output) -> [T] {
        let count = inputs[0].count
        var result = workspace.take(slot, count: count)
        result.withUnsafeMutableBufferPointer { out in
            let o = KernelPointer(out.baseAddress)
            for k in 1..<inputs.count {
                inputs[k].withUnsafeBufferPointer { bs in
                    inputs[k == 1 ? 0 : k].withUnsafeBufferPointer { firsts in
                        let b = KernelPointer(bs.baseAddress), a = k == 1 ? KernelPointer(firsts.baseAddress) : o
                        forEachChunk(count, parallelism) { lo, hi in
                            if T.self == Double.self {
                                cg_add_f64(a.f64(lo), b.f64(lo), o.f64(lo), hi - lo)
                            } else {
                                cg_add_f32(a.f32(lo), b.f32(lo), o.f32(lo), hi - lo)
                            }
                        }
                    }
                }
            }
        }
        return result
    }

    /// x · s.
    @_specialize(where T == Float) @_specialize(where T == Double)
    static func scale<T: TensorScalar>(_ x: [T], by s: T, parallelism: Parallelism,
                                       into workspace: Workspace<T> = Workspace(), _ slot: Workspace<T>.Slot = .gradient(0)) -> [T] {
        x.withUnsafeBufferPointer { xs in
            let x = KernelPointer(xs.baseAddress)
            return make(xs.count, parallelism, workspace, slot) { y, b, e in
                if T.self == Double.self { cg_scale_f64(x.f64(b), Double(s), y.f64(b), e - b) } else { cg_scale_f32(x.f32(b), Float(s), y.f32(b), e - b) }
            }
        }
    }

    /// `count` copies of `value`.
    @_specialize(where T == Float) @_specialize(where T == Double)
    static func filled<T: TensorScalar>(_ value: T, count: Int, parallelism: Parallelism,
                                        into workspace: Workspace<T> = Workspace(), _ slot: Workspace<T>.Slot = .gradient(0)) -> [T] {
        make(count, parallelism, workspace, slot) { y, b, e in
            y.mutable!.assumingMemoryBound(to: T.self).advanced(by: b).initialize(repeating: value, count: e - b)
        }
    }

    /// s · (x − t) and its negation, each only when wanted.
    @_specialize(where T == Float) @_specialize(where T == Double)
    static func scaledDifference<T: TensorScalar>(_ x: [T], _ t: [T], scale s: T, wantPositive: Bool, wantNegative: Bool,
                                                  parallelism: Parallelism, into workspace: Workspace<T> = Workspace()) -> (positive: [T]?, negative: [T]?) {
        let count = x.count
        func run(_ dx: KernelPointer, _ dt: KernelPointer) {
            x.withUnsafeBufferPointer { xs in
                t.withUnsafeBufferPointer { ts in
                    let xp = KernelPointer(xs.baseAddress), tp = KernelPointer(ts.baseAddress)
                    forEachChunk(count, parallelism) { b, e in
                        if T.self == Double.self {
                            cg_scaled_diff_f64(xp.f64(b), tp.f64(b), Double(s), dx.f64(b), dt.f64(b), e - b)
                        } else {
                            cg_scaled_diff_f32(xp.f32(b), tp.f32(b), Float(s), dx.f32(b), dt.f32(b), e - b)
                        }
                    }
                }
            }
        }
        func array(_ slot: Workspace<T>.Slot, _ fill: (KernelPointer) -> Void) -> [T] {
            var out = workspace.take(slot, count: count)
            out.withUnsafeMutableBufferPointer { p in fill(KernelPointer(p.baseAddress)) }
            return out
        }
        switch (wantPositive, wantNegative) {
        case (true, true):
            var negative: [T] = []
            let positive = array(.gradient(0)) { p in negative = array(.gradient(1)) { n in run(p, n) } }
            return (positive, negative)
        case (true, false): return (array(.gradient(0)) { p in run(p, KernelPointer.null) }, nil)
        case (false, true): return (nil, array(.gradient(1)) { n in run(KernelPointer.null, n) })
        case (false, false): return (nil, nil)
        }
    }

    /// What `pairwiseSum` adds up.
    enum Terms: Int32 {
        case values = 0, squares = 1, squaredDifferences = 2
    }

    /// Nodes of NumPy's pairwise tree no longer than this are one task.
    static let sumTask = 1 << 16

    /// `pairwiseSum` of x (or of x², or of (x − t)²), bit for bit: the tree is cut where
    /// its nodes first fit in `sumTask` elements (by shape alone), those subtrees run as
    /// tasks, and their sums are combined as the tree adds them, whatever the threads.
    @_specialize(where T == Float) @_specialize(where T == Double)
    static func pairwiseSum<T: TensorScalar>(_ x: [T], _ t: [T]? = nil, terms: Terms, parallelism: Parallelism) -> T {
        x.withUnsafeBufferPointer { xs in
            (t ?? []).withUnsafeBufferPointer { ts in
                let xp = KernelPointer(xs.baseAddress), tp = KernelPointer(ts.baseAddress)
                let leaf = { (offset: Int, n: Int) -> T in
                    if T.self == Double.self {
                        return T(cg_pairwise_sum_f64(xp.f64(offset), tp.f64(offset), n, terms.rawValue))
                    } else {
                        return T(cg_pairwise_sum_f32(xp.f32(offset), tp.f32(offset), n, terms.rawValue))
                    }
                }
                let n = xs.count
                if n <= sumTask || parallelism.threads == 1 { return leaf(0, n) }
                // The task nodes in order, then their sums combined along the same tree.
                var nodes: [(offset: Int, count: Int)] = []
                func collect(_ offset: Int, _ n: Int) {
                    if n <= sumTask { nodes.append((offset, n)); return }
                    let half = n / 2 - (n / 2) % 8
                    collect(offset, half)
                    collect(offset + half, n - half)
                }
                collect(0, n)
                var sums = [T](repeating: 0, count: nodes.count)
                sums.withUnsafeMutableBufferPointer { s in
                    let out = KernelPointer(s.baseAddress)
                    let tasks = nodes
                    parallelism.forEach(tasks.count) { k in
                        out.mutable!.assumingMemoryBound(to: T.self)[k] = leaf(tasks[k].offset, tasks[k].count)
                    }
                }
                var next = 0
                func combine(_ n: Int) -> T {
                    if n <= sumTask { next += 1; return sums[next - 1] }
                    let half = n / 2 - (n / 2) % 8
                    let left = combine(half)
                    return left + combine(n - half)
                }
                return combine(n)
            }
        }
    }
}

/// An untyped pointer handed to the tasks of one kernel call (each task touches its own
/// elements), viewed as the kernel's scalar type at an element offset; nil stays nil.
struct KernelPointer: @unchecked Sendable {
    let mutable: UnsafeMutableRawPointer?
    static let null = KernelPointer(UnsafeMutableRawPointer?.none)
    init(_ p: UnsafeRawPointer?) { mutable = UnsafeMutableRawPointer(mutating: p) }
    init(_ p: UnsafeMutableRawPointer?) { mutable = p }
    init<T>(_ p: UnsafePointer<T>?) { mutable = UnsafeMutableRawPointer(mutating: p) }
    init<T>(_ p: UnsafeMutablePointer<T>?) { mutable = UnsafeMutableRawPointer(p) }
    func f64(_ offset: Int) -> UnsafeMutablePointer<Double>? { mutable.map { $0.assumingMemoryBound(to: Double.self) + offset } }
    func f32(_ offset: Int) -> UnsafeMutablePointer<Float>? { mutable.map { $0.assumingMemoryBound(to: Float.self) + offset } }
}

extension Elementwise {
    /// The copies of one concatenated input: its elements `0..<outer·block` are `outer`
    /// blocks of `block`, block o at `o · row + start` of the concatenation. Calls
    /// `body(inputOffset, outputOffset, count)` for pieces that cover it (cut into chunks on
    /// several threads; a piece never crosses a block).
    static func forEachConcatPiece(outer: Int, block: Int, row: Int, start: Int, parallelism: Parallelism,
                                   _ body: (_ inputOffset: Int, _ outputOffset: Int, _ count: Int) -> Void) {
        guard block > 0 else { return }
        forEachChunk(outer * block, parallelism) { begin, end in
            var pos = begin
            while pos < end {
                let o = pos / block, r = pos % block
                let n = min(block - r, end - pos)
                body(pos, o * row + start + r, n)
                pos += n
            }
        }
    }

    /// Copies `count` elements between untyped pointers at element offsets.
    @inline(__always)
    static func copy<T>(_: T.Type, to: KernelPointer, _ toOffset: Int, from: KernelPointer, _ fromOffset: Int, _ count: Int) {
        let stride = MemoryLayout<T>.stride
        (to.mutable! + toOffset * stride).copyMemory(from: from.mutable! + fromOffset * stride, byteCount: count * stride)
    }
}
