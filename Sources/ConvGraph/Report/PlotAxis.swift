#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A decimal number `mantissa × 10^exponent`: tick values are kept in this form so that
/// their labels are exact and do not depend on binary rounding or the locale.
struct DecimalTick: Hashable, Sendable {
    var mantissa: Int
    var exponent: Int

    /// The nearest double (strtod-rounded).
    var value: Double {
        Double("\(mantissa)e\(exponent)") ?? Double(mantissa) * pow(10, Double(exponent))
    }

    /// Plain decimal text with exactly `max(0, -exponent)` decimals: `5e-1` → "0.5",
    /// `10e-1` → "1.0", `25e2` → "2500".
    var plain: String {
        if exponent >= 0 { return mantissa == 0 ? "0" : String(mantissa) + String(repeating: "0", count: exponent) }
        var digits = String(mantissa.magnitude)
        let decimals = -exponent
        if digits.count <= decimals { digits = String(repeating: "0", count: decimals + 1 - digits.count) + digits }
        let cut = digits.index(digits.endIndex, offsetBy: -decimals)
        return (mantissa < 0 ? "-" : "") + digits[..<cut] + "." + digits[cut...]
    }

    /// Shortest scientific text: `15e-8` → "1.5e-7", `2e6` → "2e6", 0 → "0".
    var scientific: String {
        if mantissa == 0 { return "0" }
        var digits = String(mantissa.magnitude)
        var power = exponent + digits.count - 1
        while digits.count > 1, digits.last == "0" { digits.removeLast() }
        if digits.count == 0 { power = exponent }
        let head = digits.prefix(1), tail = digits.dropFirst()
        return (mantissa < 0 ? "-" : "") + head + (tail.isEmpty ? "" : "." + tail) + "e\(power)"
    }

    /// The value's order of magnitude: the exponent of its leading digit (0 → `exponent`).
    var magnitudeExponent: Int { mantissa == 0 ? exponent : exponent + String(mantissa.magnitude).count - 1 }
}

/// One tick of an axis: where it is, its label (empty for an unlabelled minor tick).
struct AxisTick: Hashable, Sendable {
    var value: Double
    var label: String
    var major: Bool
}

/// A mapping from data values to a [0, 1] fraction of an axis, with its ticks.
///
/// Ticks are "nice": every tick is m × 10^k with m ∈ {1, 2, 5} times an integer (linear), or
/// m ∈ {1, 2, 5} exactly (log), and the axis ends are ticks that enclose the data.
struct PlotAxis: Sendable {
    enum Kind: Sendable, Hashable { case linear, log }

    var kind: Kind
    var lower: Double
    var upper: Double
    var ticks: [AxisTick]

    /// The position of `value` along the axis, 0 at `lower` and 1 at `upper`.
    func fraction(_ value: Double) -> Double {
        switch kind {
        case .linear: return (value - lower) / (upper - lower)
        case .log: return (log10(value) - log10(lower)) / (log10(upper) - log10(lower))
        }
    }

    /// The 1-2-5 step for about `target` intervals over `span` (> 0): (m, k) with step m·10^k.
    static func niceStep(span: Double, target: Int) -> (mantissa: Int, exponent: Int) {
        let raw = span / Double(max(target, 1))
        var exponent = Int(floor(log10(raw)))
        let scaled = raw / DecimalTick(mantissa: 1, exponent: exponent).value
        let mantissa: Int
        if scaled <= 1.000_000_001 { mantissa = 1 }
        else if scaled <= 2.000_000_001 { mantissa = 2 }
        else if scaled <= 5.000_000_001 { mantissa = 5 }
        else { mantissa = 1; exponent += 1 }
        return (mantissa, exponent)
    }

    /// A linear axis over [lo, hi] (finite, lo ≤ hi, magnitudes at most 1e300) with about
    /// `target` intervals of a 1-2-5 step, at least `minimumStep` (a power of ten, as an exponent).
    /// A degenerate range is widened: v ≠ 0 to v ± 10 % of |v|, 0 to [0, 1].
    /// `format` turns each tick into its label.
    static func linear(
        lo: Double, hi: Double, target: Int, minimumStepExponent: Int? = nil,
        format: (DecimalTick, _ stepExponent: Int) -> String
    ) -> PlotAxis {
        var lo = lo, hi = hi
        let scale = max(abs(lo), abs(hi))
        if !(hi - lo > scale * 1e-6) {
            let mid = lo / 2 + hi / 2
            if mid == 0 { lo = 0; hi = 1 } else { lo = mid - abs(mid) * 0.1; hi = mid + abs(mid) * 0.1 }
        }
        var (m, e) = niceStep(span: hi - lo, target: target)
        if let minimum = minimumStepExponent, e < minimum { (m, e) = (1, minimum) }
        let step = DecimalTick(mantissa: m, exponent: e).value
        // |lo| / step stays below ~1e7 for the widened range, so these fit an Int exactly.
        // (The 1e-9 absorbs binary rounding: 0.3 / 0.1 is 2.9999999999999996.)
        let kLo = Int(floor(lo / step + 1e-9))
        let kHi = Int(ceil(hi / step - 1e-9))
        let ticks = (min(kLo, kHi)...max(kLo, kHi)).map { k -> AxisTick in
            let tick = DecimalTick(mantissa: k * m, exponent: e)
            return AxisTick(value: tick.value, label: format(tick, e), major: true)
        }
        return PlotAxis(kind: .linear, lower: ticks[0].value, upper: ticks[ticks.count - 1].value, ticks: ticks)
    }

    /// A log axis over [lo, hi] (0 < lo < hi, finite): its ends are the 1-2-5 values just
    /// enclosing the data. Every 1-2-5 value inside is a tick; all are labelled when the axis
    /// spans at most 3 decades, else only powers of ten (10^k with k a multiple of `⌈decades / 8⌉`), and the
    /// 2s and 5s are unlabelled minor ticks up to 6 decades and absent beyond.
    static func log(lo: Double, hi: Double) -> PlotAxis {
        let mantissas = [1, 2, 5]
        // The largest 1-2-5 value ≤ lo and the smallest ≥ hi (a tolerance absorbs log10 rounding).
        func candidates(around x: Double) -> [DecimalTick] {
            let d = Int(floor(log10(x)))
            return (d - 1...d + 1).flatMap { p in mantissas.map { DecimalTick(mantissa: $0, exponent: p) } }
                + [DecimalTick(mantissa: 1, exponent: d + 2)]
        }
        let first = candidates(around: lo).last { $0.value <= lo * (1 + 1e-12) }
            ?? DecimalTick(mantissa: 1, exponent: Int(floor(log10(lo))))
        let last = candidates(around: hi).first { $0.value >= hi * (1 - 1e-12) }
            ?? DecimalTick(mantissa: 1, exponent: Int(ceil(log10(hi))))
        let decades = log10(last.value) - log10(first.value)
        let labelAll = decades <= 3.000_001
        let stride = max(1, Int((decades / 8).rounded(.up)))
        var ticks: [AxisTick] = []
        for p in first.exponent...last.exponent {
            for m in mantissas {
                let tick = DecimalTick(mantissa: m, exponent: p)
                if (tick.exponent, tick.mantissa) < (first.exponent, first.mantissa) { continue }
                if (tick.exponent, tick.mantissa) > (last.exponent, last.mantissa) { continue }
                let isDecade = m == 1 && ((p % stride) + stride) % stride == 0
                if labelAll || isDecade {
                    ticks.append(AxisTick(value: tick.value, label: logLabel(tick), major: true))
                } else if m == 1 || decades <= 6.000_001 {
                    ticks.append(AxisTick(value: tick.value, label: "", major: false))
                }
            }
        }
        return PlotAxis(kind: .log, lower: first.value, upper: last.value, ticks: ticks)
    }

    /// A log tick's label: plain decimals from 0.0001 to 100000, else scientific ("1e-7").
    static func logLabel(_ tick: DecimalTick) -> String {
        (-4...5).contains(tick.exponent) ? tick.plain : tick.scientific
    }

    /// A linear loss tick's label: plain with the step's decimals, unless the step is below
    /// 1e-4 or the ticks reach 1e6 (then scientific).
    static func valueLabel(_ tick: DecimalTick, stepExponent: Int) -> String {
        if stepExponent < -4 || abs(tick.value) >= 1e6 { return tick.scientific }
        return tick.plain
    }

    /// A step tick's label (ticks are whole numbers): plain below 10,000, then with a k, M,
    /// G or T suffix ("20k", "1.5M"), scientific from 1e15.
    static func stepLabel(_ tick: DecimalTick, stepExponent: Int, axisMaximum: Double) -> String {
        if tick.mantissa == 0 { return "0" }
        if axisMaximum < 10_000 { return tick.plain }
        let units: [(Int, String)] = [(3, "k"), (6, "M"), (9, "G"), (12, "T")]
        guard axisMaximum < 1e15,
            let unit = units.last(where: { axisMaximum >= DecimalTick(mantissa: 1, exponent: $0.0).value })
        else { return tick.scientific }
        return DecimalTick(mantissa: tick.mantissa, exponent: tick.exponent - unit.0).plain + unit.1
    }
}
