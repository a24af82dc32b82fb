/// What the HTML report shows of one saved tensor: statistics of its finite elements, the
/// count of NaN and infinite ones, and a histogram.
///
/// Computed in float64 in element order, so the numbers are reproducible: `min`/`max` are
/// the extremes of the finite elements, `mean` their sum over their count, and `std` the
/// population standard deviation about that mean (NumPy's `std`, ddof 0). With no finite
/// element, they are all NaN and the histogram is empty.
///
/// The histogram has `binCount` equal bins spanning [min, max]; an element falls in bin
/// ⌊(v − min) / (max − min) · binCount⌋, the maximum in the last bin. When min = max every
/// finite element is in one bin.
public struct TensorDigest: Sendable, Hashable {
    /// Elements in all.
    public var count: Int
    /// Of the finite elements.
    public var min: Double
    /// Of the finite elements.
    public var max: Double
    /// Of the finite elements.
    public var mean: Double
    /// Of the finite elements (population).
    public var std: Double
    /// NaN elements.
    public var nanCount: Int
    /// +∞ and −∞ elements.
    public var infinityCount: Int
    /// Finite elements per bin, left to right.
    public var bins: [Int]

    /// The digest of `values` with `binCount` (≥ 1) bins.
    public init(_ values: [Double], binCount: Int = 40) {
        var sum = 0.0, lo = Double.infinity, hi = -Double.infinity, finite = 0, nans = 0, infinities = 0
        for v in values {
            if v.isNaN { nans += 1; continue }
            if v.isInfinite { infinities += 1; continue }
            sum += v
            finite += 1
            lo = Swift.min(lo, v)
            hi = Swift.max(hi, v)
        }
        let mean = finite > 0 ? sum / Double(finite) : .nan
        var squares = 0.0
        var bins = Array(repeating: 0, count: finite > 0 ? Swift.max(1, binCount) : 0)
        let width = hi - lo
        for v in values where v.isFinite {
            squares += (v - mean) * (v - mean)
            if width > 0, width.isFinite {
                let k = Int(((v - lo) / width * Double(bins.count)).rounded(.down))
                bins[Swift.min(bins.count - 1, Swift.max(0, k))] += 1
            } else {
                bins[(bins.count - 1) / 2] += 1
            }
        }
        count = values.count
        self.mean = mean
        std = finite > 0 ? (squares / Double(finite)).squareRoot() : .nan
        min = finite > 0 ? lo : .nan
        max = finite > 0 ? hi : .nan
        nanCount = nans
        infinityCount = infinities
        self.bins = bins
    }

    /// The histogram as an inline `<svg class="histogram">` of `width` × `height` pixels:
    /// one `<rect class="bar">` per non-empty bin, the range under it, the tallest count
    /// beside it.
    func histogramSVG(width: Double = 340, height: Double = 128) -> String {
        let f = HTMLText.coordinate
        let left = 8.0, right = width - 8, top = 16.0, bottom = height - 22
        var out = "<svg class=\"histogram\" width=\"\(f(width))\" height=\"\(f(height))\" viewBox=\"0 0 \(f(width)) \(f(height))\""
        out += " role=\"img\" aria-label=\"histogram of \(bins.reduce(0, +)) finite values\">\n"
        out += "<rect x=\"0\" y=\"0\" width=\"\(f(width))\" height=\"\(f(height))\" rx=\"6\" fill=\"#FAFBFC\"/>\n"
        guard let tallest = bins.max(), tallest > 0 else {
            out += "<text x=\"\(f(width / 2))\" y=\"\(f(height / 2 + 4))\" font-size=\"12\" fill=\"#6B7280\" text-anchor=\"middle\">no finite values</text>\n</svg>"
            return out
        }
        let slot = (right - left) / Double(bins.count)
        out += "<g fill=\"#0072B2\" fill-opacity=\"0.82\">\n"
        for (k, c) in bins.enumerated() where c > 0 {
            // At least 1 px tall, so a lone outlier stays visible.
            let h = Swift.max(1, (bottom - top) * Double(c) / Double(tallest))
            out += "<rect class=\"bar\" x=\"\(f(left + slot * Double(k) + 0.5))\" y=\"\(f(bottom - h))\" width=\"\(f(Swift.max(1, slot - 1)))\""
            out += " height=\"\(f(h))\"><title>\(c)</title></rect>\n"
        }
        out += "</g>\n"
        // Where zero falls, when inside the range: a dashed line to read the sign by.
        if min < 0, max > 0 {
            let zero = left + (right - left) * (-min / (max - min))
            out += "<line class=\"zero\" x1=\"\(f(zero))\" y1=\"\(f(top))\" x2=\"\(f(zero))\" y2=\"\(f(bottom))\" stroke=\"#6B7280\" stroke-dasharray=\"3 3\"/>\n"
            if zero - left > 44, right - zero > 44 {
                out += "<text x=\"\(f(zero))\" y=\"\(f(height - 6))\" font-size=\"11\" fill=\"#6B7280\" text-anchor=\"middle\">0</text>\n"
            }
        }
        out += "<line x1=\"\(f(left))\" y1=\"\(f(bottom + 0.5))\" x2=\"\(f(right))\" y2=\"\(f(bottom + 0.5))\" stroke=\"#9CA3AF\"/>\n"
        out += "<g font-size=\"11\" fill=\"#4B5563\">\n"
        out += "<text x=\"\(f(left))\" y=\"\(f(height - 6))\">\(NumberFormat.significant(min, 4))</text>\n"
        out += "<text x=\"\(f(right))\" y=\"\(f(height - 6))\" text-anchor=\"end\">\(NumberFormat.significant(max, 4))</text>\n"
        out += "<text x=\"\(f(right))\" y=\"\(f(top - 4))\" text-anchor=\"end\">max bin \(NumberFormat.grouped(tallest))</text>\n"
        out += "</g>\n</svg>"
        return out
    }
}
