// FLOP and byte counts of absurd shapes must not trap: they saturate at Int.max, and the
// limits then reject such graphs with a diagnostic.

/// The product of non-negative factors, or `Int.max` if it overflows (FLOP counts of
/// absurd shapes must not trap; the limits reject such graphs with a diagnostic).
func saturatingProduct(_ factors: [Int]) -> Int {
    var product = 1
    for f in factors {
        let (p, overflow) = product.multipliedReportingOverflow(by: f)
        if overflow { return Int.max }
        product = p
    }
    return product
}

extension Int {
    /// `self + other`, or `Int.max` on overflow.
    func addingSaturated(_ other: Int) -> Int {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? Int.max : sum
    }
}
