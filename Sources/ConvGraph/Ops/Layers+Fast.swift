import CKernels

// Drivers of the layer kernels (Sources/CKernels/layers.c): outputs are filled in place in
// workspace buffers, element-wise kernels in `Elementwise.chunk`-sized pieces and the
// channel kernels per image and block of positions or per channel, so each element and
// each sum is computed the same way whatever the threads.

enum LayerKernels {
    /// Fills `out` (as long as `a`) chunk by chunk: `body(out, a, b, begin, end)` with
    /// untyped pointers to the whole arrays (`b` may be absent).
    @inline(__always)
    static func fill<T: TensorScalar>(_ out: inout [T], _ a: [T], _ b: [T]? = nil, parallelism: Parallelism,
                                      _ body: (KernelPointer, KernelPointer, KernelPointer, Int, Int) -> Void) {
        out.withUnsafeMutableBufferPointer { o in
            a.withUnsafeBufferPointer { ap in
                (b ?? []).withUnsafeBufferPointer { bp in
                    let op = KernelPointer(o.baseAddress), x = KernelPointer(ap.baseAddress), y = KernelPointer(bp.baseAddress)
                    Elementwise.forEachChunk(o.count, parallelism) { lo, hi in body(op, x, y, lo, hi) }
                }
            }
        }
    }

    /// Positions per task of the channel kernels: about `Elementwise.chunk` elements.
    static func positionsPerTask(channels: Int) -> Int {
        max(64, (Elementwise.chunk / max(1, channels)) / 64 * 64)
    }

    /// Runs `body(n, s0, s1)` over every image n and block [s0, s1) of its S positions, on
    /// up to `parallelism.threads` threads (serial below 2 · `Elementwise.chunk` elements).
    static func forEachPositionBlock(images: Int, channels: Int, positions: Int, parallelism: Parallelism,
                                     _ body: (Int, Int, Int) -> Void) {
        let block = positionsPerTask(channels: channels)
        let perImage = (positions + block - 1) / block
        let tasks = images * perImage
        let serial = images * channels * positions < 2 * Elementwise.chunk || parallelism.threads == 1
        (serial ? Parallelism.serial : parallelism).forEach(tasks) { t in
            let n = t / perImage, s0 = (t % perImage) * block
            body(n, s0, min(positions, s0 + block))
        }
    }

    /// Runs `body(first, end)` over ranges of `count` items of `itemSize` elements each.
    static func forEachRange(_ count: Int, itemSize: Int, parallelism: Parallelism, _ body: (Int, Int) -> Void) {
        let per = max(1, 16_384 / max(1, itemSize))
        let tasks = (count + per - 1) / per
        if count * itemSize < 2 * Elementwise.chunk || parallelism.threads == 1 {
            for t in 0..<tasks { body(t * per, min(count, (t + 1) * per)) }
        } else {
            parallelism.forEach(tasks) { t in body(t * per, min(count, (t + 1) * per)) }
        }
    }
}
