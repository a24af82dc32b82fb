/// The difference of two elements, as `convgraph diff` measures it (SPEC §11.3).
///
/// - `abs` is |a − b|.
/// - `rel` is |a − b| / max(|a|, |b|), with 0/0 = 0: two zeros are not different at all, and
///   any other pair with a zero is fully different (rel = 1).
/// - Equal values (including +∞ with +∞) differ by 0, and **NaN equals NaN** (both 0).
/// - A NaN against a number, and ∞ against anything else, differ by abs = rel = +∞ (so no
///   tolerance accepts them).
///
/// Computed in float64; a float32 tensor's values are exact in float64.
public struct ElementDifference: Sendable, Hashable {
    /// |a − b|.
    public var abs: Double
    /// |a − b| / max(|a|, |b|), 0 when both are 0.
    public var rel: Double

    /// The difference of `a` and `b`.
    public init(_ a: Double, _ b: Double) {
        if a == b || (a.isNaN && b.isNaN) {
            self.abs = 0
            self.rel = 0
            return
        }
        guard a.isFinite, b.isFinite else {
            self.abs = .infinity
            self.rel = .infinity
            return
        }
        let d = Swift.abs(a - b)
        self.abs = d
        // a != b, so max(|a|, |b|) > 0. An overflowing a − b (opposite signs near the top of
        // the range) is infinite: rel is then at most 2, computed from the halves.
        let m = Swift.max(Swift.abs(a), Swift.abs(b))
        self.rel = d.isFinite ? d / m : Swift.abs(a / 2 - b / 2) / (m / 2)
    }
}
