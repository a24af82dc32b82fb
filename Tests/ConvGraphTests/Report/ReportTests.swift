import Foundation
import Testing
@testable import ConvGraph

#if canImport(FoundationXML)
import FoundationXML
#endif

/// `convgraph report` (SPEC §11.3): the page of a seed run and of a trained run is
/// well-formed, self-contained, shows every saved tensor with statistics that agree with an
/// independent reading of its `.npy`, draws one box per node and one path per edge labelled
/// with the shapes worked out by hand, escapes what it is given, and exits as the SPEC says.
@Suite struct ReportTests {
    // MARK: Reading the page back

    /// An element of the page: name, attributes, the text directly inside it, its ancestors.
    struct Element {
        var name: String
        var attributes: [String: String]
        var text = ""
        var ancestors: [String] = []
        var classes: Set<String> { Set((attributes["class"] ?? "").split(separator: " ").map(String.init)) }
    }

    final class Collector: NSObject, XMLParserDelegate {
        var elements: [Element] = []
        var stack: [Int] = []
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            let ancestors = stack.map { elements[$0].name + "." + (elements[$0].attributes["class"] ?? "") }
            elements.append(Element(name: name, attributes: attributes, ancestors: ancestors))
            stack.append(elements.count - 1)
        }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            stack.removeLast()
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if let top = stack.last { elements[top].text += string }
        }
    }

    /// Every element of `html`, which must parse as XML.
    static func elements(_ html: String) throws -> [Element] {
        let parser = XMLParser(data: Data(html.utf8))
        let collector = Collector()
        parser.delegate = collector
        let ok = parser.parse()
        try #require(ok, "not well-formed: \(parser.parserError.map { "\($0)" } ?? "?") at line \(parser.lineNumber)")
        return collector.elements
    }

    /// Fails for anything that would reach outside the page.
    static func expectSelfContained(_ html: String) {
        let lower = html.lowercased()
        for banned in ["<script", "<link", "<img", "<iframe", "<object", "<embed", "@import", "url(", " src=", "javascript:"] {
            #expect(!lower.contains(banned), "the page contains '\(banned)'")
        }
        // The only absolute URL allowed is the SVG namespace name of the inlined curves.
        let urls = lower.components(separatedBy: "http").dropFirst().filter { !$0.hasPrefix("://www.w3.org/2000/svg\"") }
        #expect(urls.isEmpty, "the page names a URL")
        var rest = Substring(lower)
        while let r = rest.range(of: "href=\"") {
            rest = rest[r.upperBound...]
            #expect(rest.hasPrefix("#"), "an href that is not an in-page anchor: \(rest.prefix(40))")
        }
    }

    /// The float64 values of a little-endian `<f8` or `<f4` `.npy` file, read here without
    /// the library's reader.
    static func npyValues(_ path: String) throws -> [Double] {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        try #require(bytes.count > 10 && bytes[0] == 0x93 && bytes[6] == 1)
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        let header = String(decoding: bytes[10..<(10 + headerLength)], as: UTF8.self)
        let data = Array(bytes[(10 + headerLength)...])
        if header.contains("'<f8'") {
            return stride(from: 0, to: data.count, by: 8).map { k in
                Double(bitPattern: (0..<8).reduce(UInt64(0)) { $0 | UInt64(data[k + $1]) << (8 * UInt64($1)) })
            }
        }
        try #require(header.contains("'<f4'"), "unexpected header \(header)")
        return stride(from: 0, to: data.count, by: 4).map { k in
            Double(Float(bitPattern: (0..<4).reduce(UInt32(0)) { $0 | UInt32(data[k + $1]) << (8 * UInt32($1)) }))
        }
    }

    /// The manifest's tensors, read with Foundation's JSON reader.
    static func manifestTensors(_ run: String) throws -> [(name: String, file: String)] {
        let data = try Data(contentsOf: URL(fileURLWithPath: run + "/manifest.json"))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let tensors = try #require(object["tensors"] as? [[String: Any]])
        return tensors.compactMap { t in (t["name"] as? String).flatMap { n in (t["file"] as? String).map { (n, $0) } } }
    }

    /// Checks each tensor card against statistics computed here from the file.
    static func expectTensorCards(_ run: String, _ elements: [Element]) throws {
        let cards = elements.filter { $0.name == "article" && $0.classes.contains("tensor") }
        let tensors = try manifestTensors(run)
        #expect(cards.count == tensors.count)
        for (name, file) in tensors {
            let card = try #require(cards.first { $0.attributes["data-name"] == name }, "no card for \(name)")
            let values = try npyValues(run + "/" + file)
            let finite = values.filter(\.isFinite)
            let mean = finite.reduce(0, +) / Double(finite.count)
            let std = (finite.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(finite.count)).squareRoot()
            #expect(Double(card.attributes["data-min"] ?? "") == finite.min(), "\(name) min")
            #expect(Double(card.attributes["data-max"] ?? "") == finite.max(), "\(name) max")
            #expect(Int(card.attributes["data-count"] ?? "") == values.count, "\(name) count")
            #expect(Int(card.attributes["data-nan"] ?? "") == values.filter(\.isNaN).count)
            let shownMean = try #require(Double(card.attributes["data-mean"] ?? ""))
            let shownStd = try #require(Double(card.attributes["data-std"] ?? ""))
            #expect(abs(shownMean - mean) <= 1e-12 * max(1, abs(mean)), "\(name) mean \(shownMean) vs \(mean)")
            #expect(abs(shownStd - std) <= 1e-12 * max(1, std), "\(name) std \(shownStd) vs \(std)")
            // A histogram whose bars hold every finite element.
            let bars = elements.filter { $0.name == "rect" && $0.classes.contains("bar") && $0.ancestors.contains { $0.hasPrefix("article.") } }
            #expect(!bars.isEmpty)
        }
    }

    // MARK: The seed run

    @Test func seedRunReport() throws {
        let dir = try CLIProcess.makeTemporaryDirectory("report")
        var request = RunRequest(graphPath: CLIProcess.root + "/Graphs/seed.yaml")
        request.out = dir + "/seed"
        _ = try request.perform()
        let outcome = try ReportRequest(run: dir + "/seed").write()
        #expect(outcome.path == dir + "/seed/report.html")
        #expect(outcome.warnings.isEmpty)
        let html = try String(contentsOfFile: outcome.path, encoding: .utf8)
        Self.expectSelfContained(html)
        let elements = try Self.elements(html)
        #expect(elements.first { $0.name == "h1" }?.text == "seed-convnet")

        // Graphs/seed.yaml by hand: 7 nodes; edges image→padded→conv→pooled, kernel→conv,
        // bias→conv, conv→loss. padded: 4 + 2·2 = 8; conv: ⌊(8 − 2)/2⌋ + 1 = 4.
        let boxes = elements.filter { $0.name == "g" && $0.classes.contains("node") }
        #expect(Set(boxes.compactMap { $0.attributes["data-name"] }) == ["image", "kernel", "bias", "padded", "conv", "pooled", "loss"])
        #expect(boxes.count == 7)
        #expect(elements.filter { $0.name == "rect" && $0.ancestors.last == "g.node" }.count == 7)
        #expect(elements.filter { $0.name == "path" && $0.classes.contains("edge") }.count == 6)
        let labels = elements.filter { $0.classes.contains("edge-label") }.map(\.text).sorted()
        #expect(labels == ["10×3×4×4", "10×3×8×8", "10×8×4×4", "10×8×4×4", "1×8×1×1", "3×8×2×2"].sorted())

        try Self.expectTensorCards(dir + "/seed", elements)
        #expect(elements.contains { $0.name == "section" && $0.attributes["id"] == "manifest" })
        #expect(!elements.contains { $0.attributes["id"] == "training" })
        // The same run gives the same bytes.
        #expect(try ReportRequest(run: dir + "/seed").read().html == html)
    }

    /// A run fed a batch of 2 (the graph says 10) shows the shapes the run used.
    @Test func fedBatchSizeIsShown() throws {
        let dir = try CLIProcess.makeTemporaryDirectory("report-batch")
        let image = Tensor<Double>(shape: [2, 3, 4, 4], scalars: (0..<96).map { Double($0) / 10 })
        try Data(NPY.encode(image)).write(to: URL(fileURLWithPath: dir + "/image.npy"))
        var request = RunRequest(graphPath: CLIProcess.root + "/Graphs/seed.yaml")
        request.out = dir + "/seed"
        request.inputs = [("image", dir + "/image.npy")]
        _ = try request.perform()
        let elements = try Self.elements(try ReportRequest(run: dir + "/seed").read().html)
        let labels = elements.filter { $0.classes.contains("edge-label") }.map(\.text).sorted()
        #expect(labels == ["2×3×4×4", "2×3×8×8", "2×8×4×4", "2×8×4×4", "1×8×1×1", "3×8×2×2"].sorted())
    }

    // MARK: A trained run

    static let classifier = """
        graph: tiny-classifier
        seed: 5
        dtype: float32
        nodes:
          x:      {op: input, shape: [4, 2, 1, 1]}
          label:  {op: input, shape: [4, 1, 1, 1]}
          w:      {op: param, shape: [3, 2], init: {xavier_uniform: {}}}
          b:      {op: param, shape: [3], init: zeros}
          logits: {op: linear}
          loss:   {op: cross_entropy}
        edges:
          - x -> logits -> loss
          - w -> logits.weight
          - b -> logits.bias
          - label -> loss.target
        backward: {from: loss}
        train:
          data: {x: x.npy, label: label.npy}
          epochs: 3
          optimizer: {sgd: {lr: 0.5}}
          eval: {data: {x: x.npy, label: label.npy}, every: 1}
          log: {every: 1}

        """

    @Test func trainedRunReport() throws {
        let dir = try CLIProcess.makeTemporaryDirectory("report-train")
        let xs: [Float] = [1, 0, 0, 1, -1, 0, 0, -1, 2, 0, 0, 2, -2, 0, 0, -2]
        try Data(NPY.encode(Tensor(shape: [8, 2], scalars: xs))).write(to: URL(fileURLWithPath: dir + "/x.npy"))
        try Data(NPY.encode(Tensor(shape: [8], scalars: [Float](arrayLiteral: 0, 1, 2, 1, 0, 1, 2, 1)))).write(to: URL(fileURLWithPath: dir + "/label.npy"))
        try Self.classifier.write(toFile: dir + "/tiny.yaml", atomically: true, encoding: .utf8)
        _ = try Trainer(graphAt: dir + "/tiny.yaml").run(out: dir + "/run")

        let outcome = try ReportRequest(run: dir + "/run", out: dir + "/page.html").write()
        #expect(outcome.warnings.isEmpty)
        let html = try String(contentsOfFile: dir + "/page.html", encoding: .utf8)
        Self.expectSelfContained(html)
        let elements = try Self.elements(html)
        #expect(elements.filter { $0.name == "g" && $0.classes.contains("node") }.count == 6)
        #expect(elements.filter { $0.name == "path" && $0.classes.contains("edge") }.count == 5)
        try Self.expectTensorCards(dir + "/run", elements)

        // The curves, inlined, and one table row per eval line of metrics.jsonl.
        #expect(elements.contains { $0.name == "path" && $0.classes.contains("train-loss") })
        let lines = try String(contentsOfFile: dir + "/run/metrics.jsonl", encoding: .utf8).split(separator: "\n")
        let evals = try lines.compactMap { line -> [String: Any]? in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return object?["kind"] as? String == "eval" ? object : nil
        }
        #expect(evals.count == 3)
        let rows = elements.filter { $0.name == "tr" && $0.classes.contains("evaluation") }
        #expect(rows.compactMap { $0.attributes["data-step"].flatMap(Int.init) } == evals.compactMap { $0["step"] as? Int })
        let cells = elements.filter { $0.name == "td" && $0.ancestors.last == "tr.evaluation" }.map(\.text)
        for (k, e) in evals.enumerated() {
            let accuracy = try #require(e["accuracy"] as? Double)
            #expect(cells[5 * k] == "\(e["epoch"] as? Int ?? -1)")
            #expect(cells[5 * k + 4] == String(format: "%.2f%%", accuracy * 100))
        }
    }

    // MARK: Escaping

    @Test func hostileTextIsEscaped() throws {
        let dir = try CLIProcess.makeTemporaryDirectory("report-hostile")
        var request = RunRequest(graphPath: CLIProcess.root + "/Graphs/seed.yaml")
        request.out = dir + "/seed"
        _ = try request.perform()
        let hostile = "<script>alert('x')</script>&amp;\"'</td>"
        let path = dir + "/seed/manifest.json"
        var manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        manifest["graph"] = hostile
        manifest["graph_file"] = hostile + ".yaml"
        manifest["overrides"] = [hostile]
        var tensors = try #require(manifest["tensors"] as? [[String: Any]])
        tensors[0]["name"] = hostile
        manifest["tensors"] = tensors
        // A node name the graph rules refuse: the graph cannot be rebuilt, and the error
        // message (which quotes it) is escaped too.
        var config = try #require(manifest["config"] as? [String: Any])
        var nodes = try #require(config["nodes"] as? [String: Any])
        nodes[hostile] = ["op": "relu"]
        config["nodes"] = nodes
        manifest["config"] = config
        try JSONSerialization.data(withJSONObject: manifest).write(to: URL(fileURLWithPath: path))

        let outcome = try ReportRequest(run: dir + "/seed").write()
        #expect(!outcome.warnings.isEmpty)
        let html = try String(contentsOfFile: outcome.path, encoding: .utf8)
        Self.expectSelfContained(html)
        let elements = try Self.elements(html)
        #expect(elements.first { $0.name == "h1" }?.text == hostile)
        #expect(elements.contains { $0.name == "article" && $0.attributes["data-name"] == hostile })
        #expect(elements.contains { $0.name == "span" && $0.text == hostile })
        #expect(elements.contains { $0.name == "p" && $0.classes.contains("note") })
        #expect(!elements.contains { $0.name == "script" })
    }

    // MARK: Layout

    @Test func layoutLayersAndSeparatesBoxes() {
        // A diamond with a long edge a → d and a param p feeding d.
        let boxes = Array(repeating: GraphLayout.Box(width: 100, height: 40), count: 5)
        let edges = [(0, 1), (0, 2), (1, 3), (2, 3), (0, 3), (4, 3)].map { (from: $0.0, to: $0.1) }
        let layout = GraphLayout(boxes: boxes, edges: edges, gap: 20)
        #expect(layout.layers == [0, 1, 1, 2, 1])
        #expect(layout.routes.count == 6)
        #expect(layout.routes[4].count == 3)  // a → d passes one waypoint
        for (k, a) in layout.frames.enumerated() {
            for b in layout.frames[(k + 1)...] where a.y == b.y {
                #expect(a.x + a.width + 20 <= b.x + 1e-9 || b.x + b.width + 20 <= a.x + 1e-9, "boxes overlap")
            }
            #expect(a.x >= 0 && a.x + a.width <= layout.width && a.y + a.height <= layout.height)
        }
    }

    // MARK: Exit codes

    @Test func exitCodes() throws {
        let dir = try CLIProcess.makeTemporaryDirectory("report-cli")
        var request = RunRequest(graphPath: CLIProcess.root + "/Graphs/seed.yaml")
        request.out = dir + "/seed"
        _ = try request.perform()
        try FileManager.default.createDirectory(atPath: dir + "/empty", withIntermediateDirectories: true)
        try Data("x".utf8).write(to: URL(fileURLWithPath: dir + "/file"))

        let missing = try CLIProcess.run(["report", "missing"], in: dir)
        #expect(missing.status == 66, "\(missing.stderr)")
        #expect(try CLIProcess.run(["report", "empty"], in: dir).status == 65)
        #expect(try CLIProcess.run(["report", "file"], in: dir).status == 65)
        #expect(try CLIProcess.run(["report", "seed", "--out", "nowhere/page.html"], in: dir).status == 73)
        #expect(try CLIProcess.run(["report", "seed", "--out", "empty"], in: dir).status == 73)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/empty").isEmpty)
        let ok = try CLIProcess.run(["report", "seed"], in: dir)
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout == "wrote seed/report.html\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/seed").filter { $0.hasPrefix(".") }.isEmpty)
    }
}
