/// Summary statistics of a tensor, for the `run` table and `show`: computed in float64
/// in a fixed order, so they are reproducible. NaNs are counted, not propagated.
public struct Statistics: Sendable, Hashable {
    /// The number of elements.
    public var count: Int
    /// The mean of the non-NaN elements.
    public var mean: Double
    /// Population standard deviation (NumPy's `std`, ddof 0).
    public var std: Double
    /// The smallest non-NaN element.
    public var min: Double
    /// The largest non-NaN element.
    public var max: Double
    /// How many elements are NaN.
    public var nanCount: Int

    /// The statistics of `scalars`.
    public init<T: TensorScalar>(_ scalars: [T]) {
        var sum = 0.0, lo = Double.infinity, hi = -Double.infinity, finite = 0, nans = 0
        for v in scalars {
            let d = Double(v)
            if d.isNaN { nans += 1; continue }
            sum += d
            finite += 1
            lo = Swift.min(lo, d)
            hi = Swift.max(hi, d)
        }
        let mean = finite > 0 ? sum / Double(finite) : .nan
        var squares = 0.0
        for v in scalars where !Double(v).isNaN {
            let d = Double(v) - mean
            squares += d * d
        }
        self.count = scalars.count
        self.mean = mean
        self.std = finite > 0 ? (squares / Double(finite)).squareRoot() : .nan
        self.min = finite > 0 ? lo : .nan
        self.max = finite > 0 ? hi : .nan
        self.nanCount = nans
    }
}
