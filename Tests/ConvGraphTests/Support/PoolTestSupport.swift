import ConvGraph

/// Helpers of the pool tests (kept apart from the conv helpers to avoid name clashes).
enum PoolTestSupport {
    /// SplitMix64: a tiny deterministic generator, so test inputs are the same everywhere.
    struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        /// Uniform in [-1, 1) with 53 random bits.
        mutating func nextSigned() -> Double {
            Double(next() >> 11) * 0x1p-53 * 2 - 1
        }
    }

    /// A tensor of uniform values in [-1, 1).
    static func randomTensor(_ shape: Shape, seed: UInt64) -> Tensor<Double> {
        var rng = SplitMix64(seed: seed)
        return Tensor(shape: shape, scalars: (0..<shape.count).map { _ in rng.nextSigned() })
    }

    /// A tensor whose values are pairwise at least `1/count` apart (a shuffled ramp in
    /// [-1, 1) plus a small jitter), so max pooling has no ties, even under a
    /// finite-difference step.
    static func distinctTensor(_ shape: Shape, seed: UInt64) -> Tensor<Double> {
        var rng = SplitMix64(seed: seed)
        let n = shape.count
        var ramp = (0..<n).map { Double($0) }
        ramp.shuffle(using: &rng)
        let scalars = ramp.map { v in
            (v + 0.5 + 0.25 * rng.nextSigned()) * 2 / Double(n) - 1
        }
        return Tensor(shape: shape, scalars: scalars)
    }

    /// Relative error of an analytic against a numeric derivative:
    /// |a − n| / max(|a|, |n|, floor), where floor = 1e-3·max|analytic| guards zeros.
    static func relativeError(_ a: Double, _ n: Double, floor: Double) -> Double {
        let scale = Swift.max(abs(a), abs(n), floor)
        return scale == 0 ? 0 : abs(a - n) / scale
    }

    /// Float64 central-difference check of a gradient: `loss` maps the flat input to a
    /// scalar, `analytic` is its claimed gradient at `x`. Returns the largest relative
    /// error (see `relativeError`) and where it occurred.
    static func centralDifferenceError(
        x: [Double], analytic: [Double], step h: Double = 1e-5, loss: ([Double]) -> Double
    ) -> (maxError: Double, index: Int, analytic: Double, numeric: Double) {
        precondition(x.count == analytic.count)
        let floor = 1e-3 * (analytic.map(abs).max() ?? 0)
        var worst = (maxError: 0.0, index: -1, analytic: 0.0, numeric: 0.0)
        var probe = x
        for i in x.indices {
            probe[i] = x[i] + h
            let plus = loss(probe)
            probe[i] = x[i] - h
            let minus = loss(probe)
            probe[i] = x[i]
            let numeric = (plus - minus) / (2 * h)
            let e = relativeError(analytic[i], numeric, floor: floor)
            if e > worst.maxError || worst.index < 0 {
                worst = (e, i, analytic[i], numeric)
            }
        }
        return worst
    }

    /// Checks the pool backward pass against central differences of
    /// L(x) = Σ pool(x) · u for a fixed random upstream u.
    static func poolGradientError(
        input: Tensor<Double>, geometry: Pool.Geometry, seed: UInt64
    ) -> (maxError: Double, index: Int, analytic: Double, numeric: Double) {
        let (y, argmax) = Pool.referenceForward(input: input, geometry: geometry)
        let u = randomTensor(y.shape, seed: seed)
        let dx = Pool.referenceBackward(
            upstream: u, inputShape: input.shape, argmax: argmax, geometry: geometry)
        return centralDifferenceError(x: input.scalars, analytic: dx.scalars) { probe in
            let out = Pool.referenceForward(
                input: Tensor(shape: input.shape, scalars: probe), geometry: geometry
            ).output
            var total = 0.0
            for (a, b) in zip(out.scalars, u.scalars) { total += a * b }
            return total
        }
    }

    /// Largest |a − b| / max(|b|, 1) over two equally long arrays (∞ on a length mismatch).
    static func maxMixedError(_ a: [Double], _ b: [Double]) -> Double {
        guard a.count == b.count else { return .infinity }
        var worst = 0.0
        for (x, y) in zip(a, b) {
            if x.isNaN != y.isNaN { return .infinity }
            if x.isNaN || x == y { continue }
            worst = Swift.max(worst, abs(x - y) / Swift.max(abs(y), 1))
        }
        return worst
    }

    /// Decodes standard base64 (with `=` padding); nil on a malformed string.
    static func base64Bytes(_ text: String) -> [UInt8]? {
        var table = [Int16](repeating: -1, count: 128)
        for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(c)] = Int16(i)
        }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count / 4 * 3)
        var acc: UInt32 = 0
        var bits = 0
        for c in text.utf8 {
            if c == UInt8(ascii: "=") { break }
            guard c < 128, table[Int(c)] >= 0 else { return nil }
            acc = (acc << 6) | UInt32(table[Int(c)])
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8((acc >> UInt32(bits)) & 0xFF))
            }
        }
        return out
    }

    /// Little-endian float32 values from base64; nil on malformed input.
    static func float32s(base64 text: String) -> [Float]? {
        guard let bytes = base64Bytes(text), bytes.count % 4 == 0 else { return nil }
        return stride(from: 0, to: bytes.count, by: 4).map { i in
            let bits = UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8
                | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
            return Float(bitPattern: bits)
        }
    }
}
