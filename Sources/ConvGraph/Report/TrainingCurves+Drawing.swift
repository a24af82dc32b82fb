/// The SVG elements of `curves.svg`, drawn back to front: grid, axes, series, header, notes.
extension TrainingCurves.Plot {
    private typealias Colour = TrainingCurves.Colour
    typealias Series = TrainingCurves.Series

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
            progress = "step \(NumberFormat.grouped(lastStep))"
            if let totalSteps { progress += " of \(NumberFormat.grouped(totalSteps))" }
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
}
