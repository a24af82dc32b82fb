import ConvGraph
import Testing

/// Shared test helpers for gradient checking by central differences (float64), plus a
/// tiny deterministic random-tensor maker that does not depend on the project's RNG.
///
/// Usage (any op with a reference backward):
/// ```swift
/// let x = FD.randomTensor([1, 2, 5, 5], seed: 7)
/// FD.checkGradient("pool dx", input: x, upstreamSeed: 8,
///                  forward: { x in Pool.referenceForward(...) },
///                  analytic: { x, upstream in Pool.referenceBackward(...) })
/// ```
enum FD {
    /// Central-difference step.
    static let epsilon = 1e-6
    /// Largest accepted error (see `checkGradient` for the error measure).
    static let tolerance = 1e-6

    /// SplitMix64: a tiny, fully deterministic 64-bit generator.
    struct SplitMix64 {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        /// Uniform in [0, 1) with 53 random bits.
        mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1p-53 }
    }

    /// A tensor of `shape` with elements uniform in [−1, 1), the same for the same seed.
    static func randomTensor(_ shape: Shape, seed: UInt64) -> Tensor<Double> {
        var rng = SplitMix64(seed: seed)
        return Tensor(shape: shape, scalars: (0..<shape.count).map { _ in 2 * rng.nextUnit() - 1 })
    }

    /// Checks an analytic gradient against central differences and records a test issue
    /// (naming `name`) when the error exceeds `tolerance`. Returns the max error.
    ///
    /// The scalar function is f(x) = Σ upstream · forward(x), with `upstream` a fixed
    /// random tensor (`randomTensor(forward(input).shape, seed: upstreamSeed)`).
    /// - `analytic(x, upstream)` must return ∂f/∂x (same shape as x), i.e. the op's
    ///   backward given the upstream gradient.
    /// - The numeric derivative of element k is Σ_j upstream_j · (y⁺_j − y⁻_j) / (2ε),
    ///   with y± = forward(x ± ε·e_k): the same number as (f(x+εe_k) − f(x−εe_k)) / 2ε,
    ///   but differencing before summing keeps the rounding error of large sums out.
    /// - Error per element: |a − n| / max(|a|, |n|, 1e-3 · max_k |a_k|); the result is the
    ///   max over elements (0 when every gradient is 0).
    @discardableResult
    static func checkGradient(
        _ name: String, input: Tensor<Double>, upstreamSeed: UInt64,
        epsilon: Double = FD.epsilon, tolerance: Double = FD.tolerance,
        forward: (Tensor<Double>) -> Tensor<Double>,
        analytic: (Tensor<Double>, Tensor<Double>) -> Tensor<Double>,
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) -> Double {
        let y0 = forward(input)
        let upstream = randomTensor(y0.shape, seed: upstreamSeed)
        let a = analytic(input, upstream)
        #expect(a.shape == input.shape, "\(name): analytic gradient shape \(a.shape) ≠ input \(input.shape)",
                sourceLocation: sourceLocation)
        guard a.shape == input.shape else { return .infinity }

        var numeric = [Double](repeating: 0, count: input.count)
        var probe = input
        for k in 0..<input.count {
            let original = probe.scalars[k]
            probe.scalars[k] = original + epsilon
            let plus = forward(probe)
            probe.scalars[k] = original - epsilon
            let minus = forward(probe)
            probe.scalars[k] = original
            var s = 0.0
            for j in 0..<upstream.count {
                s += upstream.scalars[j] * (plus.scalars[j] - minus.scalars[j])
            }
            numeric[k] = s / (2 * epsilon)
        }
        let error = maxRelativeError(a.scalars, numeric)
        #expect(error <= tolerance, "\(name): max gradient error \(error) > \(tolerance)",
                sourceLocation: sourceLocation)
        return error
    }

    /// max_k |a_k − n_k| / max(|a_k|, |n_k|, 1e-3 · max_k |a_k|); 0 for all-zero inputs.
    static func maxRelativeError(_ a: [Double], _ n: [Double]) -> Double {
        precondition(a.count == n.count)
        let scale = 1e-3 * (a.map(abs).max() ?? 0)
        var worst = 0.0
        for k in a.indices {
            let diff = abs(a[k] - n[k])
            if diff == 0 { continue }
            let denom = max(abs(a[k]), abs(n[k]), scale)
            worst = max(worst, denom > 0 ? diff / denom : .infinity)
        }
        return worst
    }
}
