/// The `curves.svg` of a training run (SPEC §10): train and eval loss by step, and the eval
/// accuracy when there is one.
///
/// The picture is 800 × 450 (SVG user units = CSS pixels):
/// - x: the step, from 0 (or the lowest step, if negative) to the larger of the last step and
///   `totalSteps`, so a run in progress shows how far it has to go. Ticks at a 1-2-5 step,
///   labelled "20k", "1.5M"… from 10,000 on and in scientific form from 1e15.
/// - left y: the loss. **Log scale when the shown losses are all positive and span more than
///   two decades** (max / min > 100), since a loss falling from 2.3 to 0.001 is otherwise a
///   flat line after the first epoch; else linear. Linear ticks are 1-2-5 multiples; log ticks
///   are the 1-2-5 values (only powers of ten labelled beyond 3 decades). A constant loss v is
///   shown on v ± 10 % (0 on [0, 1]).
/// - right y: the eval accuracy as 0–100 %, present only when some eval record has one
///   (`MetricsRecord` holds it as a fraction in [0, 1]).
/// - Series in Okabe–Ito colours, told apart by more than hue: train loss a thin blue line,
///   eval loss vermilion with circle markers, eval accuracy a dashed bluish-green line with
///   square markers. Every eval record shown has a marker (`class="marker eval-loss"` /
///   `"marker eval-accuracy"`). A train point with no shown neighbour is drawn as a dot.
///
/// Edge cases: no record (or none to show) draws the empty axes and says so; a loss that is
/// NaN, infinite or of magnitude outside [1e-300, 1e300] (other than 0), and an accuracy that
/// is not finite or not in [0, 1], is not drawn (the line breaks there) and is counted in a
/// note under the plot. More train points than 2 per pixel column are thinned to the first,
/// lowest, highest and last of each column, which keeps the line's envelope.
///
/// Output is deterministic: the same arguments give the same bytes (coordinates with one
/// decimal, tick labels from exact decimal arithmetic, nothing locale-dependent). The title is
/// escaped for XML (characters XML 1.0 forbids become U+FFFD) and shortened with "…" to fit.
public enum TrainingCurves {
    /// The width of the picture, in pixels.
    public static let width = 800
    /// The height of the picture, in pixels.
    public static let height = 450

    /// The SVG document (UTF-8 text, ending in a newline) for `records` in any order.
    /// - Parameters:
    ///   - records: the run's metrics so far; they are drawn in step order (stable).
    ///   - title: the heading, usually the graph's name.
    ///   - totalSteps: the planned number of steps, if known: the x axis reaches at least it.
    public static func svg(_ records: [MetricsRecord], title: String, totalSteps: Int?) -> String {
        var plot = Plot(records: records, totalSteps: totalSteps)
        return plot.render(title: title)
    }
}

extension TrainingCurves {
    /// Okabe–Ito colours (distinguishable with the common colour-vision deficiencies).
    enum Colour {
        static let train = "#0072B2"  // blue
        static let eval = "#D55E00"  // vermilion
        static let accuracy = "#009E73"  // bluish green
        static let text = "#222222"
        static let axis = "#444444"
        static let grid = "#E3E3E3"
        static let minorGrid = "#F1F1F1"
        static let note = "#666666"
    }

    /// A data point, or nil where a value was not shown (the line breaks there).
    typealias Series = [(x: Double, y: Double)?]

    /// The data sorted out, the axes chosen, and the layout.
    struct Plot {
        var train: Series = []
        var evalLoss: Series = []
        var evalAccuracy: Series = []
        var skippedLosses = 0
        var skippedAccuracies = 0
        var recordCount = 0
        var lastStep: Int?
        var totalSteps: Int?
        var x: PlotAxis
        var y: PlotAxis
        var hasAccuracy: Bool
        var out = ""

        // Layout (pixels).
        let top = 70.0
        let bottom = Double(TrainingCurves.height) - 52
        var left = 64.0
        var right = Double(TrainingCurves.width) - 24

        init(records: [MetricsRecord], totalSteps: Int?) {
            self.totalSteps = totalSteps
            recordCount = records.count
            let ordered = records.enumerated().sorted { ($0.element.step, $0.offset) < ($1.element.step, $1.offset) }
            var train: Series = [], evalLoss: Series = [], evalAccuracy: Series = []
            var skippedLosses = 0, skippedAccuracies = 0, anyAccuracy = false
            func shown(_ loss: Double) -> Bool { loss == 0 || (loss.isFinite && (1e-300...1e300).contains(abs(loss))) }
            for (_, record) in ordered {
                let step = Double(record.step)
                switch record {
                case .train(_, _, _, let loss, _):
                    if shown(loss) { train.append((step, loss)) } else { train.append(nil); skippedLosses += 1 }
                case .eval(_, _, let loss, let accuracy):
                    if shown(loss) { evalLoss.append((step, loss)) } else { evalLoss.append(nil); skippedLosses += 1 }
                    if let accuracy {
                        anyAccuracy = true
                        if accuracy.isFinite, (0...1).contains(accuracy) {
                            evalAccuracy.append((step, accuracy * 100))
                        } else {
                            evalAccuracy.append(nil)
                            skippedAccuracies += 1
                        }
                    }
                }
            }
            (self.train, self.evalLoss, self.evalAccuracy) = (train, evalLoss, evalAccuracy)
            (self.skippedLosses, self.skippedAccuracies) = (skippedLosses, skippedAccuracies)
            hasAccuracy = anyAccuracy
            lastStep = ordered.last?.element.step

            // x: from 0 (or a negative first step) to the last step or the planned total.
            let steps = records.map(\.step)
            let xLo = Double(min(0, steps.min() ?? 0))
            let xHi = max(Double(max(steps.max() ?? 0, totalSteps ?? 0)), xLo + 1)
            x = PlotAxis.linear(lo: xLo, hi: xHi, target: 8, minimumStepExponent: 0) { tick, e in
                PlotAxis.stepLabel(tick, stepExponent: e, axisMaximum: max(abs(xLo), xHi))
            }

            // y: log when every shown loss is positive and they span more than two decades.
            let losses = (train + evalLoss).compactMap { $0?.y }
            if let lo = losses.min(), let hi = losses.max() {
                if lo > 0, hi / lo > 100 {
                    y = PlotAxis.log(lo: lo, hi: hi)
                } else {
                    y = PlotAxis.linear(lo: lo, hi: hi, target: 5, format: PlotAxis.valueLabel)
                }
            } else {
                y = PlotAxis.linear(lo: 0, hi: 1, target: 5, format: PlotAxis.valueLabel)
            }

            // Room for the widest left tick label (~7.2 px a character at 12 px) and the title.
            let widest = y.ticks.map(\.label.count).max() ?? 1
            left = max(58, (7.2 * Double(widest) + 36).rounded())
            right = Double(TrainingCurves.width) - (hasAccuracy ? 66 : 28)
        }

        // MARK: Coordinates

        func px(_ value: Double) -> Double { left + x.fraction(value) * (right - left) }
        func py(_ value: Double) -> Double { bottom - y.fraction(value) * (bottom - top) }
        func pyAccuracy(_ percent: Double) -> Double { bottom - percent / 100 * (bottom - top) }
    }
}
