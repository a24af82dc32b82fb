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

        // MARK: Drawing

        mutating func render(title: String) -> String {
            let w = TrainingCurves.width, h = TrainingCurves.height
            out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(w)\" height=\"\(h)\" viewBox=\"0 0 \(w) \(h)\""
            out += " font-family=\"DejaVu Sans, Verdana, Arial, Helvetica, sans-serif\">\n"
            out += "<title>\(Self.escape(title)) training curves</title>\n"
            out += "<rect width=\"\(w)\" height=\"\(h)\" fill=\"#FFFFFF\"/>\n"
            drawGrid()
            drawAxes()
            drawSeries()
            drawHeader(title: title)
            drawNotes()
            out += "</svg>\n"
            return out
        }

        mutating func drawGrid() {
            out += "<g class=\"grid\" stroke-width=\"1\" fill=\"none\">\n"
            for tick in y.ticks {
                let yy = Self.f(py(tick.value))
                let colour = tick.major ? Colour.grid : Colour.minorGrid
                out += "<line x1=\"\(Self.f(left))\" y1=\"\(yy)\" x2=\"\(Self.f(right))\" y2=\"\(yy)\" stroke=\"\(colour)\"/>\n"
            }
            for tick in x.ticks {
                let xx = Self.f(px(tick.value))
                out += "<line x1=\"\(xx)\" y1=\"\(Self.f(top))\" x2=\"\(xx)\" y2=\"\(Self.f(bottom))\" stroke=\"\(Colour.grid)\"/>\n"
            }
            out += "</g>\n"
        }

        mutating func drawAxes() {
            let l = Self.f(left), r = Self.f(right), t = Self.f(top), b = Self.f(bottom)
            out += "<g class=\"axes\" stroke=\"\(Colour.axis)\" stroke-width=\"1\" fill=\"none\">\n"
            out += "<line x1=\"\(l)\" y1=\"\(t)\" x2=\"\(l)\" y2=\"\(b)\"/>\n"
            out += "<line x1=\"\(l)\" y1=\"\(b)\" x2=\"\(r)\" y2=\"\(b)\"/>\n"
            if hasAccuracy { out += "<line x1=\"\(r)\" y1=\"\(t)\" x2=\"\(r)\" y2=\"\(b)\"/>\n" }
            for tick in y.ticks where tick.major {
                let yy = Self.f(py(tick.value))
                out += "<line x1=\"\(Self.f(left - 5))\" y1=\"\(yy)\" x2=\"\(l)\" y2=\"\(yy)\"/>\n"
            }
            for tick in x.ticks {
                let xx = Self.f(px(tick.value))
                out += "<line x1=\"\(xx)\" y1=\"\(b)\" x2=\"\(xx)\" y2=\"\(Self.f(bottom + 5))\"/>\n"
            }
            if hasAccuracy {
                for percent in stride(from: 0, through: 100, by: 20) {
                    let yy = Self.f(pyAccuracy(Double(percent)))
                    out += "<line x1=\"\(r)\" y1=\"\(yy)\" x2=\"\(Self.f(right + 5))\" y2=\"\(yy)\"/>\n"
                }
            }
            out += "</g>\n"

            out += "<g font-size=\"12\" fill=\"\(Colour.text)\">\n"
            for tick in y.ticks where tick.major {
                out += "<text class=\"tick-label y\" x=\"\(Self.f(left - 8))\" y=\"\(Self.f(py(tick.value) + 4))\""
                out += " text-anchor=\"end\">\(Self.escape(tick.label))</text>\n"
            }
            for tick in x.ticks {
                out += "<text class=\"tick-label x\" x=\"\(Self.f(px(tick.value)))\" y=\"\(Self.f(bottom + 19))\""
                out += " text-anchor=\"middle\">\(Self.escape(tick.label))</text>\n"
            }
            if hasAccuracy {
                for percent in stride(from: 0, through: 100, by: 20) {
                    out += "<text class=\"tick-label y2\" x=\"\(Self.f(right + 8))\" y=\"\(Self.f(pyAccuracy(Double(percent)) + 4))\""
                    out += " text-anchor=\"start\">\(percent)%</text>\n"
                }
            }
            out += "</g>\n"

            let midY = Self.f((top + bottom) / 2)
            out += "<g class=\"axis-titles\" font-size=\"13\" fill=\"\(Colour.text)\" text-anchor=\"middle\">\n"
            out += "<text class=\"axis-title\" x=\"\(Self.f((left + right) / 2))\" y=\"\(TrainingCurves.height - 12)\">step</text>\n"
            let lossTitle = y.kind == .log ? "loss (log scale)" : "loss"
            out += "<text class=\"axis-title\" transform=\"translate(16 \(midY)) rotate(-90)\">\(lossTitle)</text>\n"
            if hasAccuracy {
                out += "<text class=\"axis-title\" transform=\"translate(\(TrainingCurves.width - 14) \(midY)) rotate(90)\">accuracy</text>\n"
            }
            out += "</g>\n"
        }

        mutating func drawSeries() {
            let shownTrain = train.compactMap { $0 }.count
            let shownEval = evalLoss.compactMap { $0 }.count
            let shownAccuracy = evalAccuracy.compactMap { $0 }.count
            if shownTrain + shownEval + shownAccuracy == 0 {
                let message = recordCount == 0 ? "no metrics yet" : "no finite values to show"
                out += "<text class=\"empty\" x=\"\(Self.f((left + right) / 2))\" y=\"\(Self.f((top + bottom) / 2))\""
                out += " font-size=\"15\" fill=\"\(Colour.note)\" text-anchor=\"middle\">\(message)</text>\n"
                return
            }
            let trainPoints = segments(train) { (px($0.x), py($0.y)) }.map(thinned)
            line(trainPoints, colour: Colour.train, width: 1.5, dashed: false, name: "train-loss")
            let lossPoints = segments(evalLoss) { (px($0.x), py($0.y)) }
            line(lossPoints, colour: Colour.eval, width: 1.8, dashed: false, name: "eval-loss")
            let accuracyPoints = segments(evalAccuracy) { (px($0.x), pyAccuracy($0.y)) }
            line(accuracyPoints, colour: Colour.accuracy, width: 1.8, dashed: true, name: "eval-accuracy")

            let many = shownEval > 100
            out += "<g class=\"markers\" stroke=\"#FFFFFF\" stroke-width=\"1\">\n"
            for p in lossPoints.joined() {
                out += "<circle class=\"marker eval-loss\" cx=\"\(Self.f(p.0))\" cy=\"\(Self.f(p.1))\" r=\"\(many ? "2.5" : "4")\" fill=\"\(Colour.eval)\"/>\n"
            }
            let half = many ? 2.5 : 3.5
            for p in accuracyPoints.joined() {
                out += "<rect class=\"marker eval-accuracy\" x=\"\(Self.f(p.0 - half))\" y=\"\(Self.f(p.1 - half))\""
                out += " width=\"\(Self.f(2 * half))\" height=\"\(Self.f(2 * half))\" fill=\"\(Colour.accuracy)\"/>\n"
            }
            out += "</g>\n"
        }

        /// Pixel runs between breaks.
        func segments(_ series: Series, _ map: ((x: Double, y: Double)) -> (Double, Double)) -> [[(Double, Double)]] {
            var runs: [[(Double, Double)]] = [[]]
            for point in series {
                if let point { runs[runs.count - 1].append(map(point)) } else if !runs[runs.count - 1].isEmpty { runs.append([]) }
            }
            return runs.filter { !$0.isEmpty }
        }

        /// At most four points (first, lowest, highest, last) per pixel column once a run has
        /// more than two points per column of the plot.
        func thinned(_ run: [(Double, Double)]) -> [(Double, Double)] {
            guard Double(run.count) > 2 * (right - left) else { return run }
            var result: [(Double, Double)] = []
            var start = 0
            while start < run.count {
                let column = Int(run[start].0.rounded(.down))
                var end = start
                while end < run.count, Int(run[end].0.rounded(.down)) == column { end += 1 }
                let bucket = run[start..<end]
                var picks = [start, end - 1]
                // In SVG, y grows downward: the lowest loss has the largest y.
                if let high = bucket.indices.min(by: { bucket[$0].1 < bucket[$1].1 }) { picks.append(high) }
                if let low = bucket.indices.max(by: { bucket[$0].1 < bucket[$1].1 }) { picks.append(low) }
                for k in Set(picks).sorted() { result.append(run[k]) }
                start = end
            }
            return result
        }

        mutating func line(_ runs: [[(Double, Double)]], colour: String, width: Double, dashed: Bool, name: String) {
            guard !runs.isEmpty else { return }
            var path = ""
            var dots: [(Double, Double)] = []
            for run in runs {
                if run.count == 1 { dots.append(run[0]); continue }
                for (k, p) in run.enumerated() { path += (k == 0 ? "M" : "L") + Self.f(p.0) + " " + Self.f(p.1) }
            }
            if !path.isEmpty {
                out += "<path class=\"line \(name)\" d=\"\(path)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"\(Self.f(width))\""
                out += " stroke-linejoin=\"round\" stroke-linecap=\"round\"\(dashed ? " stroke-dasharray=\"6 4\"" : "")/>\n"
            }
            if name == "train-loss" {
                for p in dots {
                    out += "<circle class=\"dot \(name)\" cx=\"\(Self.f(p.0))\" cy=\"\(Self.f(p.1))\" r=\"3\" fill=\"\(colour)\"/>\n"
                }
            }
        }

        mutating func drawHeader(title: String) {
            var progress = ""
            if let lastStep {
                progress = "step \(Self.grouped(lastStep))"
                if let totalSteps { progress += " of \(Self.grouped(totalSteps))" }
            }
            // ~9.5 px a character at 16 px bold; keep clear of the progress text.
            let room = (right - left) - 7 * Double(progress.count) - 24
            let fitted = Self.shortened(title, to: max(8, Int(room / 9.5)))
            out += "<text class=\"title\" x=\"\(Self.f(left))\" y=\"28\" font-size=\"16\" font-weight=\"bold\""
            out += " fill=\"\(Colour.text)\">\(Self.escape(fitted))</text>\n"
            if !progress.isEmpty {
                out += "<text class=\"progress\" x=\"\(Self.f(right))\" y=\"28\" font-size=\"12\" fill=\"\(Colour.note)\""
                out += " text-anchor=\"end\">\(progress)</text>\n"
            }

            // The legend: one entry per series with something shown.
            var entries: [(label: String, colour: String, dashed: Bool, marker: String?)] = []
            if train.contains(where: { $0 != nil }) { entries.append(("train loss", Colour.train, false, nil)) }
            if evalLoss.contains(where: { $0 != nil }) { entries.append(("eval loss", Colour.eval, false, "circle")) }
            if evalAccuracy.contains(where: { $0 != nil }) {
                entries.append(("eval accuracy (right axis)", Colour.accuracy, true, "square"))
            }
            guard !entries.isEmpty else { return }
            out += "<g class=\"legend\" font-size=\"12\" fill=\"\(Colour.text)\">\n"
            var cursor = left
            let yy = 52.0
            for entry in entries {
                let x0 = Self.f(cursor), x1 = Self.f(cursor + 26), mid = cursor + 13
                out += "<line x1=\"\(x0)\" y1=\"\(Self.f(yy))\" x2=\"\(x1)\" y2=\"\(Self.f(yy))\" stroke=\"\(entry.colour)\""
                out += " stroke-width=\"2\"\(entry.dashed ? " stroke-dasharray=\"6 4\"" : "")/>\n"
                if entry.marker == "circle" {
                    out += "<circle cx=\"\(Self.f(mid))\" cy=\"\(Self.f(yy))\" r=\"4\" fill=\"\(entry.colour)\" stroke=\"#FFFFFF\"/>\n"
                } else if entry.marker == "square" {
                    out += "<rect x=\"\(Self.f(mid - 3.5))\" y=\"\(Self.f(yy - 3.5))\" width=\"7\" height=\"7\" fill=\"\(entry.colour)\" stroke=\"#FFFFFF\"/>\n"
                }
                out += "<text x=\"\(Self.f(cursor + 32))\" y=\"\(Self.f(yy + 4))\">\(entry.label)</text>\n"
                cursor += 32 + 7.2 * Double(entry.label.count) + 22
            }
            out += "</g>\n"
        }

        mutating func drawNotes() {
            var notes: [String] = []
            if skippedLosses > 0 {
                notes.append("\(skippedLosses) non-finite loss\(skippedLosses == 1 ? "" : "es") not shown")
            }
            if skippedAccuracies > 0 {
                notes.append("\(skippedAccuracies) invalid accurac\(skippedAccuracies == 1 ? "y" : "ies") not shown")
            }
            guard !notes.isEmpty else { return }
            out += "<text class=\"note\" x=\"8\" y=\"\(TrainingCurves.height - 8)\" font-size=\"11\" fill=\"\(Colour.note)\">"
            out += notes.joined(separator: "; ") + "</text>\n"
        }

        // MARK: Text

        /// A coordinate with one decimal ("12.5", "-3", "400"), clamped to ±1e6: exact
        /// integer arithmetic, so no locale and no "-0".
        static func f(_ value: Double) -> String {
            let tenths = Int((min(max(value.isNaN ? 0 : value, -1e6), 1e6) * 10).rounded())
            let sign = tenths < 0 ? "-" : ""
            let whole = tenths.magnitude / 10, fraction = tenths.magnitude % 10
            return sign + String(whole) + (fraction == 0 ? "" : "." + String(fraction))
        }

        /// 1234567 → "1,234,567".
        static func grouped(_ n: Int) -> String {
            let digits = Array(String(n.magnitude))
            var result = ""
            for (k, d) in digits.enumerated() {
                if k > 0, (digits.count - k) % 3 == 0 { result += "," }
                result.append(d)
            }
            return (n < 0 ? "-" : "") + result
        }

        /// At most `limit` characters, the last an ellipsis when cut.
        static func shortened(_ text: String, to limit: Int) -> String {
            text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
        }

        /// Text for XML content or attributes: `& < > " '` escaped, characters XML 1.0
        /// forbids (controls other than tab/newline/return, U+FFFE, U+FFFF) → U+FFFD.
        static func escape(_ text: String) -> String {
            var out = ""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "&": out += "&amp;"
                case "<": out += "&lt;"
                case ">": out += "&gt;"
                case "\"": out += "&quot;"
                case "'": out += "&apos;"
                case "\t", "\n", "\r": out += " "
                default:
                    if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF || (0x7F...0x9F).contains(scalar.value) {
                        out += "\u{FFFD}"
                    } else {
                        out.unicodeScalars.append(scalar)
                    }
                }
            }
            return out
        }
    }
}
