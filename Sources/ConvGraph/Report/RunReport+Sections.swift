/// The tensor, training and manifest sections of the report.
extension RunReport {
    /// One card per saved tensor: `<article class="tensor">` carrying its exact statistics in
    /// `data-` attributes (Swift's shortest round-trip text of each double, `nan` when there
    /// is no finite element) for tools, and rounded to 6 digits for people.
    func tensorSection() -> String {
        var out = "<section id=\"tensors\">\n<h2>Saved tensors</h2>\n"
        if tensors.isEmpty { out += "<div class=\"card\"><p class=\"muted\">The run saved no tensor.</p></div>\n" }
        out += "<div class=\"tensors\">\n"
        for t in tensors {
            let kind = ["value", "grad", "param"].contains(t.kind) ? t.kind : "value"
            out += "<article class=\"card tensor\" data-name=\"\(HTMLText.escape(t.name))\" data-kind=\"\(HTMLText.escape(t.kind))\""
            if let d = t.digest {
                out += " data-count=\"\(d.count)\" data-min=\"\(d.min)\" data-max=\"\(d.max)\" data-mean=\"\(d.mean)\" data-std=\"\(d.std)\""
                out += " data-nan=\"\(d.nanCount)\" data-inf=\"\(d.infinityCount)\""
            }
            out += ">\n<header><h3 class=\"mono\">\(HTMLText.escape(t.name))</h3><span class=\"kind \(kind)\">\(HTMLText.escape(t.kind))</span>"
            out += "<span class=\"file mono\">\(HTMLText.escape(t.file))</span></header>\n"
            guard let d = t.digest else {
                out += "<p class=\"note\">\(HTMLText.escape(t.problem ?? "The file could not be read."))</p>\n</article>\n"
                continue
            }
            let g = { (x: Double) in NumberFormat.significant(x, 6) }
            var rows: [(String, String, Bool)] = [
                ("shape", t.shape.map { GraphDrawing.shapeLabel($0) } ?? "—", false),
                ("dtype", t.dtype, false),
                ("elements", NumberFormat.grouped(d.count), false),
                ("min", g(d.min), false), ("max", g(d.max), false), ("mean", g(d.mean), false), ("std", g(d.std), false),
            ]
            rows.append(("NaN", NumberFormat.grouped(d.nanCount), d.nanCount > 0))
            rows.append(("±Inf", NumberFormat.grouped(d.infinityCount), d.infinityCount > 0))
            out += "<div class=\"body\">\n<table class=\"stats\">\n"
            for (label, value, bad) in rows {
                out += "<tr><th>\(label)</th><td\(bad ? " class=\"bad\"" : "")>\(HTMLText.escape(value))</td></tr>\n"
            }
            out += "</table>\n\(d.histogramSVG())\n</div>\n</article>\n"
        }
        return out + "</div>\n</section>\n"
    }

    /// The curves (the same SVG `train` writes as `curves.svg`) and the evaluation table.
    func trainingSection() -> String {
        var out = "<section id=\"training\">\n<h2>Training</h2>\n<div class=\"card\">\n"
        guard let metrics else {
            out += "<p class=\"note\">\(HTMLText.escape(metricsProblem ?? "metrics.jsonl could not be read."))</p>\n"
            return out + "</div>\n</section>\n"
        }
        let title = string("graph") ?? "training"
        let totalSteps = trainField("steps")?.number.map { Int($0) }
        var svg = TrainingCurves.svg(metrics, title: title, totalSteps: totalSteps)
        // Inline: drop the XML declaration (not allowed inside a document).
        if svg.hasPrefix("<?xml"), let end = svg.firstIndex(of: "\n") { svg = String(svg[svg.index(after: end)...]) }
        out += "<div class=\"curves\">\n\(svg)</div>\n"

        let evaluations = metrics.compactMap { record -> (epoch: Int, step: Int, loss: Double, accuracy: Double?)? in
            if case .eval(let step, let epoch, let loss, let accuracy) = record { return (epoch, step, loss, accuracy) }
            return nil
        }
        // The train loss beside an evaluation: the last train line at or before its step.
        let trainLines = metrics.compactMap { record -> (step: Int, loss: Double)? in
            if case .train(let step, _, _, let loss, _) = record { return (step, loss) }
            return nil
        }.enumerated().sorted { ($0.element.step, $0.offset) < ($1.element.step, $1.offset) }.map(\.element)
        func trainLoss(at step: Int) -> Double? {
            var lo = 0, hi = trainLines.count
            while lo < hi { let mid = (lo + hi) / 2; if trainLines[mid].step <= step { lo = mid + 1 } else { hi = mid } }
            return lo > 0 ? trainLines[lo - 1].loss : nil
        }
        out += "<h3 style=\"margin-top: 16px\">Evaluations</h3>\n"
        if evaluations.isEmpty {
            out += "<p class=\"muted\">The training made no evaluation.</p>\n"
        } else {
            out += "<table class=\"evaluations\">\n<thead><tr><th class=\"num\">epoch</th><th class=\"num\">step</th>"
            out += "<th class=\"num\">last train loss</th><th class=\"num\">eval loss</th><th class=\"num\">accuracy</th></tr></thead>\n<tbody>\n"
            for e in evaluations {
                let accuracy = e.accuracy.map { TrainingReport.fixed($0 * 100, 2) + "%" } ?? "—"
                out += "<tr class=\"evaluation\" data-step=\"\(e.step)\"><td class=\"num\">\(e.epoch)</td><td class=\"num\">\(NumberFormat.grouped(e.step))</td>"
                out += "<td class=\"num\">\(trainLoss(at: e.step).map { TrainingReport.fixed($0, 4) } ?? "—")</td>"
                out += "<td class=\"num\">\(TrainingReport.fixed(e.loss, 4))</td><td class=\"num\">\(accuracy)</td></tr>\n"
            }
            out += "</tbody>\n</table>\n"
        }
        return out + "</div>\n</section>\n"
    }

    /// The manifest as a two-column table; the effective graph (`config`) folded below it.
    func manifestSection() -> String {
        var rows: [(String, String)] = []
        func cell(_ text: String, mono: Bool = false) -> String {
            mono ? "<span class=\"mono\">\(HTMLText.escape(text))</span>" : HTMLText.escape(text)
        }
        func files(_ value: JSONValue?) -> String {
            let members = value?.members ?? []
            guard !members.isEmpty else { return "<span class=\"muted\">none</span>" }
            return members.map { node, record in
                let file = record.members.first { $0.0 == "file" }?.1.displayText ?? record.displayText
                let sha = record.members.first { $0.0 == "sha256" }?.1.displayText
                return cell(node, mono: true) + " ← " + cell(file, mono: true) + (sha.map { " <span class=\"muted mono\">sha256 \(HTMLText.escape(String($0.prefix(12))))…</span>" } ?? "")
            }.joined(separator: "<br/>")
        }
        let shown: Set<String> = ["config", "tensors", "inputs", "files", "overrides", "params", "timings", "train"]
        for (key, value) in manifest.members where !shown.contains(key) {
            let long = ["graph_sha256", "graph_file", "version", "tool"].contains(key)
            rows.append((key, cell(key == "peak_tensor_bytes" ? (value.number.map { NumberFormat.grouped(Int($0)) + " bytes" } ?? value.displayText) : value.displayText, mono: long)))
        }
        if case .array(let overrides)? = field("overrides") {
            rows.append(("overrides", overrides.isEmpty ? "<span class=\"muted\">none</span>"
                         : overrides.map { cell($0.displayText, mono: true) }.joined(separator: "<br/>")))
        }
        rows.append(("inputs", files(field("inputs"))))
        rows.append(("files", files(field("files"))))
        if let params = field("params") {
            if case .null = params {
                rows.append(("params", "<span class=\"muted\">none</span>"))
            } else {
                let dir = params.members.first { $0.0 == "dir" }?.1.displayText ?? ""
                rows.append(("params", cell(dir, mono: true) + "<br/>" + files(params.members.first { $0.0 == "files" }?.1)))
            }
        }
        for (key, value) in field("timings")?.members ?? [] {
            rows.append(("timings." + key, value.number.map { Self.duration($0) } ?? cell(value.displayText)))
        }
        for (key, value) in field("train")?.members ?? [] {
            let text: String
            switch key {
            case "eval_data": text = files(value)
            case let k where k.hasSuffix("_bytes"): text = value.number.map { NumberFormat.grouped(Int($0)) + " bytes" } ?? cell(value.displayText)
            case "eval_accuracy": text = value.number.map { TrainingReport.fixed($0 * 100, 2) + "%" } ?? "—"
            default: text = cell(value.displayText)
            }
            rows.append(("train." + key, text))
        }
        var out = "<section id=\"manifest\">\n<h2>Manifest</h2>\n<div class=\"card\">\n<table class=\"kv\">\n"
        for (key, value) in rows { out += "<tr><th>\(HTMLText.escape(key))</th><td>\(value)</td></tr>\n" }
        out += "</table>\n"
        if let config = field("config") {
            out += "<details><summary>The effective graph (config, after overrides)</summary>\n"
            out += "<pre>\(HTMLText.escape(config.serialized()))</pre>\n</details>\n"
        }
        return out + "</div>\n</section>\n"
    }
}
