extension RunReport {
    /// The report as one self-contained HTML page (UTF-8 text).
    ///
    /// - Self-contained: the style sheet and every picture (inline SVG) are in the page; it
    ///   names no other resource (no `src`, no `href` but in-page `#` anchors, no `@import`,
    ///   no `url(…)`) and needs no script.
    /// - Well-formed XML as well as HTML (XHTML syntax: every element closed, attributes
    ///   quoted, only XML's five named entities), so XML tools can read it.
    /// - Every text taken from the run (names, paths, overrides, messages) is escaped.
    /// - Deterministic: the same run directory gives the same bytes.
    public var html: String {
        let name = string("graph") ?? graph?.name ?? "run"
        var out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
        out += "<meta name=\"generator\" content=\"convgraph \(HTMLText.escape(ConvGraphVersion.string))\"/>\n"
        out += "<title>\(HTMLText.escape(name)) — convgraph report</title>\n"
        out += "<style>\n\(Self.styleSheet)\n</style>\n</head>\n<body>\n"
        out += header(name: name)
        out += "<main class=\"wrap\">\n"
        out += navigation()
        out += figures()
        out += graphSection()
        if isTrained { out += trainingSection() }
        out += tensorSection()
        out += manifestSection()
        out += "</main>\n<footer class=\"wrap\">Written by convgraph \(HTMLText.escape(ConvGraphVersion.string))"
        out += " from <span class=\"mono\">\(HTMLText.escape(directory))/manifest.json</span>. This page is self-contained.</footer>\n"
        out += "</body>\n</html>\n"
        return out
    }

    func header(name: String) -> String {
        var badges = ["<span class=\"badge ok\">complete</span>"]
        if isTrained { badges.append("<span class=\"badge train\">trained</span>") }
        if case .bool(true)? = field("forward_only") { badges.append("<span class=\"badge\">forward only</span>") }
        if let dtype = string("dtype") { badges.append("<span class=\"badge\">\(HTMLText.escape(dtype))</span>") }
        if let mode = string("mode") { badges.append("<span class=\"badge\">\(HTMLText.escape(mode)) mode</span>") }
        if let seed = field("seed") { badges.append("<span class=\"badge\">seed \(HTMLText.escape(seed.displayText))</span>") }
        var out = "<header class=\"top\">\n<div class=\"wrap\">\n<p class=\"eyebrow\">convgraph run report</p>\n"
        out += "<h1>\(HTMLText.escape(name))</h1>\n<div class=\"badges\">\(badges.joined(separator: " "))</div>\n"
        out += "<p class=\"where\">\(HTMLText.escape(directory))"
        if let file = string("graph_file") { out += "  ·  graph file \(HTMLText.escape(file))" }
        out += "</p>\n</div>\n</header>\n"
        return out
    }

    func navigation() -> String {
        var links = [("graph", "Graph")]
        if isTrained { links.append(("training", "Training")) }
        links += [("tensors", "Tensors"), ("manifest", "Manifest")]
        return "<nav class=\"toc\">" + links.map { "<a href=\"#\($0.0)\">\($0.1)</a>" }.joined() + "</nav>\n"
    }

    /// The key numbers, as cards.
    func figures() -> String {
        var cards: [(label: String, value: String, sub: String)] = []
        if let graph {
            let params = graph.nodes.reduce(0) { $0 + $1.parameterCount }
            cards.append(("Nodes", NumberFormat.grouped(graph.nodes.count), "\(graph.nodes.reduce(0) { $0 + $1.inputs.count }) edges"))
            cards.append(("Parameters", NumberFormat.grouped(params), "elements of param nodes"))
        }
        cards.append(("Saved tensors", NumberFormat.grouped(tensors.count), Self.plural(tensors.reduce(0) { $0 + ($1.digest?.count ?? 0) }, "element")))
        let timings = field("timings")?.members ?? []
        func ms(_ key: String) -> Double? { timings.first { $0.0 == key }?.1.number }
        if let train = ms("train_ms") {
            cards.append(("Training time", Self.duration(train), ms("eval_ms").map { "evaluation " + Self.duration($0) } ?? ""))
        } else if let forward = ms("forward_ms") {
            cards.append(("Forward", Self.duration(forward), ms("backward_ms").map { "backward " + Self.duration($0) } ?? ""))
        }
        if isTrained {
            if let steps = trainField("steps")?.number {
                cards.append(("Steps", NumberFormat.grouped(Int(steps)), trainField("epochs")?.number.map { Self.plural(Int($0), "epoch") } ?? ""))
            }
            if let accuracy = trainField("eval_accuracy")?.number {
                cards.append(("Eval accuracy", TrainingReport.fixed(accuracy * 100, 1) + "%",
                              trainField("eval_loss")?.number.map { "eval loss " + NumberFormat.significant($0, 4) } ?? ""))
            } else if let loss = trainField("eval_loss")?.number ?? trainField("train_loss")?.number {
                cards.append(("Final loss", NumberFormat.significant(loss, 4), ""))
            }
        }
        var out = "<section id=\"summary\" class=\"figures\">\n"
        for card in cards {
            out += "<div class=\"figure\"><div class=\"label\">\(card.label)</div><div class=\"value\">\(HTMLText.escape(card.value))</div>"
            out += "<div class=\"sub\">\(HTMLText.escape(card.sub))</div></div>\n"
        }
        return out + "</section>\n"
    }

    func graphSection() -> String {
        var out = "<section id=\"graph\">\n<h2>Graph</h2>\n<div class=\"card\">\n"
        if let graph, let svg = GraphDrawing.svg(graph) {
            out += "<p class=\"legend\">"
            for (op, label) in [("input", "input"), ("param", "param"), ("conv", "operation"), ("l2", "loss")] {
                let p = GraphDrawing.palette(op: op)
                out += "<span><span class=\"swatch\" style=\"background: \(p.fill); border-color: \(p.stroke)\"></span>\(label)</span>"
            }
            out += "<span>edges are labelled with the shape of the tensor they carry</span></p>\n"
            out += "<div class=\"dag-frame\">\n\(svg)\n</div>\n"
        } else if let graph {
            out += "<p class=\"note\">The graph has \(NumberFormat.grouped(graph.nodes.count)) nodes, more than the "
            out += "\(NumberFormat.grouped(GraphDrawing.maxNodes)) drawn in a report.</p>\n"
        } else {
            out += "<p class=\"note\">The graph could not be rebuilt from the manifest, so it is not drawn.</p>\n"
            if let graphProblem { out += "<pre>\(HTMLText.escape(graphProblem))</pre>\n" }
        }
        return out + "</div>\n</section>\n"
    }

    /// `12.3 ms`, `1.52 s`, `3 min 12 s`.
    static func duration(_ milliseconds: Double) -> String {
        guard milliseconds.isFinite else { return "—" }
        if milliseconds < 1000 { return TrainingReport.fixed(milliseconds, milliseconds < 10 ? 2 : 1) + " ms" }
        let seconds = milliseconds / 1000
        if seconds < 120 { return TrainingReport.fixed(seconds, 2) + " s" }
        let whole = Int(seconds.rounded())
        return "\(whole / 60) min \(whole % 60) s"
    }

    /// `1 element`, `1,234 elements`.
    static func plural(_ n: Int, _ noun: String) -> String {
        "\(NumberFormat.grouped(n)) \(noun)\(n == 1 ? "" : "s")"
    }
}
