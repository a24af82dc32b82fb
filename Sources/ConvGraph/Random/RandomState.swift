#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The legacy `numpy.random.RandomState` stream (SPEC §5): bit-for-bit the same doubles
/// as `np.random.seed(seed)` followed by `np.random.randn` / `random_sample` / `uniform`.
///
/// Contract:
/// - `randomSample()` is numpy's 53-bit double `((a >> 5) * 2^26 + (b >> 6)) / 2^53`
///   from two consecutive MT19937 words `a`, `b`.
/// - `standardNormal()` is numpy's `legacy_gauss` (polar Box–Muller). Each accepted pair
///   returns `f * x2` and keeps `f * x1` for the next call; the kept value carries across
///   calls (and across `standardNormals(count:)` batches of odd length).
/// - `uniform(low:high:)` is `low + (high - low) * randomSample()`; it neither uses nor
///   clears the kept Gaussian.
public struct RandomState: Sendable {
    private var mt: MT19937
    private var hasGauss = false
    private var gauss = 0.0

    /// `np.random.seed(seed)`: a fresh MT19937 state and no kept Gaussian.
    public init(seed: UInt32) {
        mt = MT19937(seed: seed)
    }

    /// The next raw 32-bit word of the MT19937 stream (numpy's `next_uint32`).
    mutating func nextWord() -> UInt32 { mt.next() }

    /// A double in [0, 1) with 53 random bits (numpy's `random_sample`).
    public mutating func randomSample() -> Double {
        let a = Double(mt.next() >> 5)
        let b = Double(mt.next() >> 6)
        return (a * 67_108_864.0 + b) / 9_007_199_254_740_992.0
    }

    /// One standard normal draw (numpy's `legacy_gauss`, i.e. one element of `randn`).
    public mutating func standardNormal() -> Double {
        if hasGauss {
            let kept = gauss
            hasGauss = false
            gauss = 0.0
            return kept
        }
        var x1: Double
        var x2: Double
        var r2: Double
        repeat {
            x1 = 2.0 * randomSample() - 1.0
            x2 = 2.0 * randomSample() - 1.0
            r2 = x1 * x1 + x2 * x2
        } while r2 >= 1.0 || r2 == 0.0
        let f = sqrt(-2.0 * log(r2) / r2)
        gauss = f * x1
        hasGauss = true
        return f * x2
    }

    /// One draw of numpy's legacy `uniform(low, high)`: `low + (high - low) * u`.
    /// Leaves the kept Gaussian untouched.
    public mutating func uniform(low: Double, high: Double) -> Double {
        low + (high - low) * randomSample()
    }

    /// `count` consecutive `standardNormal()` draws (numpy's `randn(count)`).
    /// - Precondition: `count >= 0`.
    public mutating func standardNormals(count: Int) -> [Double] {
        precondition(count >= 0, "negative draw count")
        var out = [Double]()
        out.reserveCapacity(count)
        for _ in 0..<count { out.append(standardNormal()) }
        return out
    }

    /// `count` consecutive `uniform(low:high:)` draws (numpy's `uniform(low, high, count)`).
    /// - Precondition: `count >= 0`.
    public mutating func uniforms(count: Int, low: Double, high: Double) -> [Double] {
        precondition(count >= 0, "negative draw count")
        let range = high - low
        var out = [Double]()
        out.reserveCapacity(count)
        for _ in 0..<count { out.append(low + range * randomSample()) }
        return out
    }
}
