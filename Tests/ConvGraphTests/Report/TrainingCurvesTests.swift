import Foundation
import XCTest

@testable import ConvGraph

#if canImport(FoundationXML)
import FoundationXML
#endif

/// `curves.svg`: well-formed XML, rendered by librsvg, with the content a reader needs.
final class TrainingCurvesTests: XCTestCase {
    // MARK: Fixtures

    /// A deterministic digits-like run: 20 epochs of 50 steps, a train line every 10 steps,
    /// an evaluation after every epoch. Train loss 2.3·e^(−t/150) + 0.05 with ±4 % noise.
    static func realisticRun(steepness: Double = 150, floor: Double = 0.05) -> [MetricsRecord] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func noise() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53) * 2 - 1
        }
        var records: [MetricsRecord] = []
        for step in stride(from: 10, through: 1000, by: 10) {
            let epoch = (step - 1) / 50 + 1
            let loss = (2.3 * exp(-Double(step) / steepness) + floor) * (1 + 0.04 * noise())
            let lr = 0.1 * (1 + cos(Double.pi * Double(step) / 1000)) / 2
            records.append(.train(step: step, epoch: epoch, lr: lr, loss: loss, samplesPerSecond: 5000 + 100 * noise()))
            if step % 50 == 0 {
                let evalLoss = 2.3 * exp(-Double(step) / (steepness * 1.2)) + floor * 1.6
                let accuracy = 0.1 + 0.87 * (1 - exp(-Double(step) / 160))
                records.append(.eval(step: step, epoch: epoch, loss: evalLoss, accuracy: accuracy))
            }
        }
        return records
    }

    /// What the tests read back from an SVG: every element with its attributes and text.
    struct Element {
        var name: String
        var attributes: [String: String]
        var text: String
        var classes: [String] { (attributes["class"] ?? "").split(separator: " ").map(String.init) }
    }

    final class Collector: NSObject, XMLParserDelegate {
        var elements: [Element] = []
        var open: [Int] = []
        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
            qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
        ) {
            open.append(elements.count)
            elements.append(Element(name: elementName, attributes: attributeDict, text: ""))
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if let k = open.last { elements[k].text += string }
        }
        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            open.removeLast()
        }
    }

    /// Parses `svg` as XML (fails the test when it is not well-formed).
    func parse(_ svg: String, file: StaticString = #filePath, line: UInt = #line) -> [Element] {
        let parser = XMLParser(data: Data(svg.utf8))
        let collector = Collector()
        parser.delegate = collector
        let ok = parser.parse()
        XCTAssertTrue(ok, "not well-formed XML: \(String(describing: parser.parserError))", file: file, line: line)
        return collector.elements
    }

    /// Every number in geometry attributes and path data is finite (no NaN, no inf).
    func assertFiniteGeometry(_ elements: [Element], file: StaticString = #filePath, line: UInt = #line) {
        let numeric = ["x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "width", "height", "stroke-width"]
        for element in elements {
            for key in numeric {
                guard let value = element.attributes[key] else { continue }
                XCTAssertNotNil(Double(value).flatMap { $0.isFinite ? $0 : nil }, "\(element.name) \(key)=\(value)", file: file, line: line)
            }
            if let d = element.attributes["d"] {
                let numbers = d.split(whereSeparator: { "ML ".contains($0) })
                XCTAssertFalse(numbers.isEmpty, file: file, line: line)
                for n in numbers {
                    XCTAssertNotNil(Double(n).flatMap { $0.isFinite ? $0 : nil }, "path number \(n)", file: file, line: line)
                }
            }
        }
    }

    /// The SVG rendered by `rsvg-convert` (librsvg): exit 0 and an 800 × 450 PNG. With
    /// `CONVGRAPH_CURVES_KEEP=DIR` in the environment, the PNG is kept as `DIR/<name>.png`
    /// (to look at).
    func assertRenders(_ svg: String, name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let tool = ["/usr/bin/rsvg-convert", "/usr/local/bin/rsvg-convert"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let tool else { throw XCTSkip("rsvg-convert is not installed (Debian: librsvg2-bin)") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("curves-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let svgURL = dir.appendingPathComponent("\(name).svg"), pngURL = dir.appendingPathComponent("\(name).png")
        try Data(svg.utf8).write(to: svgURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = ["-o", pngURL.path, svgURL.path]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "rsvg-convert: \(message)", file: file, line: line)
        XCTAssertEqual(message, "", "rsvg-convert warned", file: file, line: line)
        let png = try [UInt8](Data(contentsOf: pngURL))
        // The PNG signature, then the IHDR chunk: width and height big-endian at bytes 16 and 20.
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], file: file, line: line)
        XCTAssertGreaterThanOrEqual(png.count, 24, file: file, line: line)
        guard png.count >= 24 else { return }
        let be = { (k: Int) in png[k..<k + 4].reduce(0) { $0 << 8 | Int($1) } }
        XCTAssertEqual(be(16), TrainingCurves.width, file: file, line: line)
        XCTAssertEqual(be(20), TrainingCurves.height, file: file, line: line)
        if let dir = ProcessInfo.processInfo.environment["CONVGRAPH_CURVES_KEEP"] {
            let keep = URL(fileURLWithPath: dir).appendingPathComponent("\(name).png")
            try? FileManager.default.removeItem(at: keep)
            try FileManager.default.copyItem(at: pngURL, to: keep)
        }
    }

    func texts(_ elements: [Element], class name: String) -> [Element] {
        elements.filter { $0.name == "text" && $0.classes.contains(name) }
    }

    func count(_ elements: [Element], class name: String) -> Int {
        elements.filter { $0.classes.contains(name) }.count
    }

    /// `v` is m·10^k with m ∈ {1, 2, 5} (to 1e-9 relative).
    func isOneTwoFive(_ v: Double) -> Bool {
        guard v > 0, v.isFinite else { return false }
        let k = (log10(v)).rounded(.down)
        let m = v / pow(10, k)
        return [1.0, 2.0, 5.0, 10.0].contains { abs(m - $0) < 1e-9 * $0 }
    }

    /// Linear tick values: equally spaced by a 1-2-5 step; the ends enclose [lo, hi].
    func assertLinearTicks(_ values: [Double], enclosing lo: Double, _ hi: Double, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertGreaterThanOrEqual(values.count, 2, file: file, line: line)
        guard values.count >= 2 else { return }
        let step = values[1] - values[0]
        XCTAssertTrue(isOneTwoFive(step), "step \(step) of \(values)", file: file, line: line)
        for k in 1..<values.count {
            XCTAssertEqual(values[k] - values[k - 1], step, accuracy: step * 1e-9, "\(values)", file: file, line: line)
            XCTAssertEqual((values[k] / step).rounded(), values[k] / step, accuracy: 1e-6, "ticks are multiples of the step", file: file, line: line)
        }
        XCTAssertLessThanOrEqual(values[0], lo, file: file, line: line)
        XCTAssertGreaterThanOrEqual(values[values.count - 1], hi, file: file, line: line)
        // Tight: no whole empty step beyond the data at either end.
        XCTAssertGreaterThan(values[1], lo, file: file, line: line)
        XCTAssertLessThan(values[values.count - 2], hi, file: file, line: line)
    }

    func losses(_ records: [MetricsRecord]) -> [Double] {
        records.map { record -> Double in
            switch record {
            case .train(_, _, _, let loss, _), .eval(_, _, let loss, _): loss
            }
        }.filter(\.isFinite)
    }

    /// The step-axis position as the test reads it: linear interpolation between two tick labels.
    func xPosition(of step: Double, _ elements: [Element]) -> Double {
        let ticks = texts(elements, class: "x").map { (Double($0.text) ?? .nan, Double($0.attributes["x"]!)!) }
        let (v0, p0) = ticks[0], (v1, p1) = ticks[ticks.count - 1]
        return p0 + (step - v0) / (v1 - v0) * (p1 - p0)
    }

    // MARK: A realistic run

    func testRealisticRunHasAxesLegendMarkersAndRenders() throws {
        let records = Self.realisticRun()
        let svg = TrainingCurves.svg(records, title: "digits", totalSteps: 1000)
        let elements = parse(svg)
        assertFiniteGeometry(elements)

        let titles = texts(elements, class: "axis-title").map(\.text)
        XCTAssertEqual(titles, ["step", "loss", "accuracy"])
        XCTAssertEqual(texts(elements, class: "title").map(\.text), ["digits"])
        let legend = elements.filter { $0.name == "text" }.map(\.text)
        for entry in ["train loss", "eval loss", "eval accuracy (right axis)"] { XCTAssertTrue(legend.contains(entry), entry) }

        // One marker per eval record, for the loss and for the accuracy.
        let evals = records.filter { if case .eval = $0 { true } else { false } }.count
        XCTAssertEqual(evals, 20)
        XCTAssertEqual(count(elements, class: "eval-loss") - 1, evals)  // - 1: the line itself
        XCTAssertEqual(elements.filter { $0.name == "circle" && $0.classes == ["marker", "eval-loss"] }.count, evals)
        XCTAssertEqual(elements.filter { $0.name == "rect" && $0.classes == ["marker", "eval-accuracy"] }.count, evals)

        // The losses span 2.3 → 0.05 (< 2 decades): a linear axis of 1-2-5 ticks enclosing them.
        let y = texts(elements, class: "y").map { Double($0.text)! }
        let all = losses(records)
        assertLinearTicks(y, enclosing: all.min()!, all.max()!)
        // Steps: 0 to 1000, in 1-2-5 steps.
        let x = texts(elements, class: "x").map { Double($0.text)! }
        XCTAssertEqual(x.first, 0)
        XCTAssertEqual(x.last, 1000)
        assertLinearTicks(x, enclosing: 0, 1000)
        XCTAssertEqual(texts(elements, class: "y2").map(\.text), ["0%", "20%", "40%", "60%", "80%", "100%"])

        // Marker k sits at the k-th eval's step, by the tick labels' own positions.
        let markers = elements.filter { $0.classes == ["marker", "eval-loss"] }
        for (k, marker) in markers.enumerated() {
            XCTAssertEqual(Double(marker.attributes["cx"]!)!, xPosition(of: Double(50 * (k + 1)), elements), accuracy: 0.11)
        }
        // Losses fall, accuracies rise: markers move down then up on the page (y grows downward).
        let lossY = markers.map { Double($0.attributes["cy"]!)! }
        XCTAssertEqual(lossY, lossY.sorted())
        let accuracyY = elements.filter { $0.classes == ["marker", "eval-accuracy"] }.map { Double($0.attributes["y"]!)! }
        XCTAssertEqual(accuracyY, accuracyY.sorted(by: >))

        try assertRenders(svg, name: "realistic")
    }

    func testLossesOverTwoDecadesUseALogAxisOf125Ticks() throws {
        // 2.3·e^(−t/100) + 0.001 falls from ~2.1 to ~0.001: more than three decades.
        let records = Self.realisticRun(steepness: 100, floor: 0.001)
        let svg = TrainingCurves.svg(records, title: "deep", totalSteps: 2000)
        let elements = parse(svg)
        assertFiniteGeometry(elements)
        XCTAssertTrue(texts(elements, class: "axis-title").map(\.text).contains("loss (log scale)"))
        let y = texts(elements, class: "y").map { Double($0.text)! }
        XCTAssertFalse(y.isEmpty)
        for v in y { XCTAssertTrue(isOneTwoFive(v), "\(v)") }
        let all = losses(records)
        XCTAssertLessThanOrEqual(y.min()!, all.min()! * 10)  // labelled ends within a decade of the data
        XCTAssertGreaterThanOrEqual(y.max()! * 10, all.max()!)
        // Labels are only powers of ten beyond three decades; each label's y is log-linear in it.
        let positions = texts(elements, class: "y").map { Double($0.attributes["y"]!)! }
        if y.count >= 3 {
            let perDecade = (positions[0] - positions[1]) / (log10(y[1]) - log10(y[0]))
            for k in 1..<y.count {
                XCTAssertEqual(positions[k - 1] - positions[k], perDecade * (log10(y[k]) - log10(y[k - 1])), accuracy: 0.25)
            }
        }
        // The x axis reaches the planned total.
        XCTAssertEqual(texts(elements, class: "x").last?.text, "2000")
        XCTAssertEqual(texts(elements, class: "progress").map(\.text), ["step 1,000 of 2,000"])
        try assertRenders(svg, name: "log")
    }

    // MARK: Edge cases

    func testNoRecordsDrawsEmptyAxes() throws {
        let svg = TrainingCurves.svg([], title: "empty", totalSteps: nil)
        let elements = parse(svg)
        assertFiniteGeometry(elements)
        XCTAssertEqual(texts(elements, class: "empty").map(\.text), ["no metrics yet"])
        XCTAssertEqual(count(elements, class: "marker"), 0)
        XCTAssertFalse(svg.lowercased().contains("nan"))
        try assertRenders(svg, name: "empty")
        // With a planned total the axis already spans it.
        let planned = parse(TrainingCurves.svg([], title: "empty", totalSteps: 5000))
        XCTAssertEqual(texts(planned, class: "x").last?.text, "5000")
    }

    func testOneTrainRecordIsADotOnAWidenedAxis() throws {
        let svg = TrainingCurves.svg([.train(step: 1, epoch: 1, lr: 0.1, loss: 2.5, samplesPerSecond: 10)], title: "one", totalSteps: nil)
        let elements = parse(svg)
        assertFiniteGeometry(elements)
        XCTAssertEqual(count(elements, class: "dot"), 1)
        // 2.5 ± 10 % → [2.25, 2.75], ticks every 0.1 from 2.2 to 2.8.
        XCTAssertEqual(texts(elements, class: "y").map(\.text), ["2.2", "2.3", "2.4", "2.5", "2.6", "2.7", "2.8"])
        XCTAssertEqual(texts(elements, class: "x").map(\.text), ["0", "1"])
        try assertRenders(svg, name: "one")
    }

    func testEqualLossesAndZeroLossesGiveAFiniteAxis() throws {
        let equal = (1...30).map { MetricsRecord.train(step: $0 * 10, epoch: 1, lr: 0.01, loss: 0.75, samplesPerSecond: 1) }
        let a = parse(TrainingCurves.svg(equal, title: "flat", totalSteps: nil))
        assertFiniteGeometry(a)
        let ya = texts(a, class: "y").map { Double($0.text)! }
        assertLinearTicks(ya, enclosing: 0.75 * 0.9, 0.75 * 1.1)
        let zeros = (1...3).map { MetricsRecord.eval(step: $0, epoch: $0, loss: 0, accuracy: 1) }
        let svg = TrainingCurves.svg(zeros, title: "zero", totalSteps: nil)
        let b = parse(svg)
        assertFiniteGeometry(b)
        XCTAssertEqual(texts(b, class: "y").map(\.text), ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        try assertRenders(svg, name: "zero")
    }

    func testNonFiniteLossesAreSkippedBreakTheLineAndAreNoted() throws {
        let records = Self.realisticRun().map { record -> MetricsRecord in
            switch record {
            case .train(60, let epoch, let lr, _, let speed): .train(step: 60, epoch: epoch, lr: lr, loss: .nan, samplesPerSecond: speed)
            case .train(300, let epoch, let lr, _, let speed): .train(step: 300, epoch: epoch, lr: lr, loss: .infinity, samplesPerSecond: speed)
            case .eval(50, let epoch, _, _): .eval(step: 50, epoch: epoch, loss: -.infinity, accuracy: .nan)
            default: record
            }
        }
        let svg = TrainingCurves.svg(records, title: "diverged", totalSteps: nil)
        XCTAssertFalse(svg.lowercased().contains("nan"))
        XCTAssertFalse(svg.lowercased().contains("inf"))
        let elements = parse(svg)
        assertFiniteGeometry(elements)
        XCTAssertEqual(texts(elements, class: "note").map(\.text), ["3 non-finite losses not shown; 1 invalid accuracy not shown"])
        XCTAssertEqual(count(elements, class: "marker") , 19 * 2)
        // The train line breaks at each skipped point: three runs.
        let path = elements.first { $0.classes == ["line", "train-loss"] }?.attributes["d"] ?? ""
        XCTAssertEqual(path.filter { $0 == "M" }.count, 3)
        try assertRenders(svg, name: "nan")
    }

    func testNoEvalHasNoRightAxis() throws {
        let records = Self.realisticRun().filter { if case .train = $0 { true } else { false } }
        let svg = TrainingCurves.svg(records, title: "train only", totalSteps: 1000)
        let elements = parse(svg)
        XCTAssertEqual(texts(elements, class: "axis-title").map(\.text), ["step", "loss"])
        XCTAssertEqual(texts(elements, class: "y2").count, 0)
        XCTAssertEqual(count(elements, class: "marker"), 0)
        try assertRenders(svg, name: "train-only")
    }

    func testEvalWithoutAccuracyHasNoRightAxis() {
        let records = (1...4).map { MetricsRecord.eval(step: 100 * $0, epoch: $0, loss: 1 / Double($0), accuracy: nil) }
        let elements = parse(TrainingCurves.svg(records, title: "mse", totalSteps: nil))
        XCTAssertEqual(texts(elements, class: "axis-title").map(\.text), ["step", "loss"])
        XCTAssertEqual(elements.filter { $0.classes == ["marker", "eval-loss"] }.count, 4)
    }

    func testHugeStepCountsGetShortLabels() throws {
        let records = (1...5).map { MetricsRecord.train(step: $0 * 300_000_000, epoch: $0, lr: 1, loss: Double($0), samplesPerSecond: 1) }
        let svg = TrainingCurves.svg(records, title: "long", totalSteps: 1_500_000_000)
        let elements = parse(svg)
        assertFiniteGeometry(elements)
        // 0 to 1.5e9 in steps of 0.2e9, labelled in G (billions).
        XCTAssertEqual(texts(elements, class: "x").map(\.text), ["0", "0.2G", "0.4G", "0.6G", "0.8G", "1.0G", "1.2G", "1.4G", "1.6G"])
        XCTAssertEqual(texts(elements, class: "progress").map(\.text), ["step 1,500,000,000 of 1,500,000,000"])
        try assertRenders(svg, name: "huge")
        // Int.max steps: scientific labels, still finite geometry.
        let extreme = parse(TrainingCurves.svg([.train(step: Int.max, epoch: 1, lr: 1, loss: 1, samplesPerSecond: 1)], title: "max", totalSteps: nil))
        assertFiniteGeometry(extreme)
        XCTAssertEqual(texts(extreme, class: "x").last?.text, "1e19")
    }

    func testTitleIsEscapedAndOutputIsDeterministic() throws {
        let title = "a<b> & \"c\" 'd'\u{1}"
        let records = Self.realisticRun()
        let svg = TrainingCurves.svg(records, title: title, totalSteps: 1000)
        let elements = parse(svg)
        XCTAssertEqual(texts(elements, class: "title").map(\.text), ["a<b> & \"c\" 'd'\u{FFFD}"])
        XCTAssertEqual(svg, TrainingCurves.svg(records, title: title, totalSteps: 1000))
        // Records of distinct steps in any order give the same bytes (drawn in step order).
        XCTAssertEqual(svg, TrainingCurves.svg(records.reversed(), title: title, totalSteps: 1000))
        try assertRenders(svg, name: "escaped")
    }

    func testManyTrainPointsAreThinnedToTheirEnvelope() throws {
        // 100,000 points alternating 1 and 2: the thinned line keeps both extremes per column.
        let records = (1...100_000).map { MetricsRecord.train(step: $0, epoch: 1, lr: 1, loss: $0 % 2 == 0 ? 2 : 1, samplesPerSecond: 1) }
        let svg = TrainingCurves.svg(records, title: "many", totalSteps: nil)
        XCTAssertLessThan(svg.utf8.count, 200_000)
        let elements = parse(svg)
        let path = elements.first { $0.classes == ["line", "train-loss"] }?.attributes["d"] ?? ""
        let points = path.split(whereSeparator: { $0 == "M" || $0 == "L" })
        XCTAssertEqual(path.filter { $0 == "M" }.count, 1)
        XCTAssertLessThanOrEqual(points.count, 4 * 800)  // at most 4 a pixel column
        XCTAssertGreaterThan(points.count, 2 * 600)  // and both extremes in every column
        // Every column holds both values: the line's y takes exactly the two values' positions.
        let ys = Set(points.compactMap { $0.split(separator: " ").last.map(String.init) })
        XCTAssertEqual(ys.count, 2)
        try assertRenders(svg, name: "many")
    }

    // MARK: Axis arithmetic

    func testTickLabelsAreExactDecimals() {
        XCTAssertEqual(DecimalTick(mantissa: 5, exponent: -1).plain, "0.5")
        XCTAssertEqual(DecimalTick(mantissa: 10, exponent: -1).plain, "1.0")
        XCTAssertEqual(DecimalTick(mantissa: -25, exponent: -3).plain, "-0.025")
        XCTAssertEqual(DecimalTick(mantissa: 25, exponent: 2).plain, "2500")
        XCTAssertEqual(DecimalTick(mantissa: 15, exponent: -8).scientific, "1.5e-7")
        XCTAssertEqual(DecimalTick(mantissa: 200, exponent: 4).scientific, "2e6")
        XCTAssertEqual(DecimalTick(mantissa: 3, exponent: -1).value, 0.3)
        // 0.3 / 0.1 is 2.9999999999999996 in binary: the tick at 0.3 is still found.
        let axis = PlotAxis.linear(lo: 0.3, hi: 0.7, target: 4, format: PlotAxis.valueLabel)
        XCTAssertEqual(axis.ticks.map(\.label), ["0.3", "0.4", "0.5", "0.6", "0.7"])
        let log = PlotAxis.log(lo: 0.013, hi: 2.4)
        XCTAssertEqual(log.ticks.map(\.label), ["0.01", "0.02", "0.05", "0.1", "0.2", "0.5", "1", "2", "5"])
        XCTAssertEqual(log.lower, 0.01)
        XCTAssertEqual(log.upper, 5)
        let wide = PlotAxis.log(lo: 3e-9, hi: 40)
        XCTAssertEqual(wide.ticks.filter(\.major).map(\.label), ["1e-8", "1e-6", "0.0001", "0.01", "1"])
        XCTAssertEqual(wide.lower, 2e-9)
        XCTAssertEqual(wide.upper, 50)
    }
}
