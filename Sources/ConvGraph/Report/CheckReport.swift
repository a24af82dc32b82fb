extension Graph {
    /// The `check` report: one row per node (name, op, inputs, output shape, params,
    /// FLOPs, bytes) in declaration order, then totals. FLOPs = 2 × MACs, forward only.
    public var checkReport: String {
        var table = TextTable(headers: ["node", "op", "inputs", "shape", "params", "FLOPs", "bytes"], rightAligned: [4, 5, 6])
        var params = 0, flops = 0, bytes = 0
        for node in nodes {
            let inputNames = node.inputs.map { nodes[$0].name }.joined(separator: ", ")
            let nodeBytes = node.shape.count * dtype.byteSize
            params += node.parameterCount
            flops += node.flops
            bytes += nodeBytes
            table.append([node.name, node.op.name, inputNames.isEmpty ? "-" : inputNames, node.shape.description,
                          NumberFormat.grouped(node.parameterCount), NumberFormat.grouped(node.flops), NumberFormat.grouped(nodeBytes)])
        }
        table.append(["total", "", "", "", NumberFormat.grouped(params), NumberFormat.grouped(flops), NumberFormat.grouped(bytes)])
        var out = "graph \(name): \(nodes.count) nodes, \(dtype.rawValue), seed \(seed)\n"
        out += table.rendered
        out += "FLOPs count a multiply-add as 2, forward only; bytes are each node's output in \(dtype.rawValue).\n"
        if let b = backward {
            out += "backward from '\(nodes[b.from].name)' with respect to \(b.wrt.map { "'\(nodes[$0].name)'" }.joined(separator: ", "))\n"
        }
        out += "params: \(NumberFormat.grouped(parameterCounts.trained)) trained, \(NumberFormat.grouped(parameterCounts.state)) state\n"
        let peak = plannedPeakBytes(for: .full)
        out += "planned peak tensor memory: \(NumberFormat.grouped(peak)) bytes\(backward == nil ? "" : " (forward and backward)")\n"
        out += "planned peak tensor memory with --forward-only: \(NumberFormat.grouped(plannedPeakBytes(for: .forwardOnly))) bytes\n"
        return out
    }

    /// Elements of the `param` nodes: state (a param wired where an op keeps state, such as
    /// `batchnorm`'s running statistics) and trained (every other param).
    public var parameterCounts: (trained: Int, state: Int) {
        var isState = Array(repeating: false, count: nodes.count)
        for node in nodes {
            for (k, p) in node.inputs.enumerated() where node.op.holdsState(input: k) { isState[p] = true }
        }
        var trained = 0, state = 0
        for (i, node) in nodes.enumerated() {
            if isState[i] { state += node.parameterCount } else { trained += node.parameterCount }
        }
        return (trained, state)
    }

    /// Graphviz DOT: one box per node (name, op), edges labelled with the shape that
    /// flows along them (and the port for named ports); each block instance is a cluster
    /// (`subgraph cluster_N`, labelled `NAME (BLOCK)`).
    public var dot: String {
        func quote(_ s: String) -> String {
            "\"" + s.replacingAll("\\", "\\\\").replacingAll("\"", "\\\"") + "\""
        }
        var out = "digraph \(quote(name)) {\n  rankdir=TB;\n  node [shape=box, fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=10];\n"
        // Block instances (SPEC §11.1) are clusters, nested as they are. Expansion emits
        // an instance's nodes together, so each cluster opens before its first node and
        // closes after its last.
        let blocks = Dictionary(file.blockInstances.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var open: [String] = []
        var clusters = 0
        for node in nodes {
            let segments = node.name.split(separator: "/").dropLast()
            var enclosing: [String] = []
            for k in segments.indices where blocks[segments[...k].joined(separator: "/")] != nil {
                enclosing.append(segments[...k].joined(separator: "/"))
            }
            var shared = 0
            while shared < open.count, shared < enclosing.count, open[shared] == enclosing[shared] { shared += 1 }
            while open.count > shared {
                open.removeLast()
                out += String(repeating: "  ", count: open.count + 1) + "}\n"
            }
            for name in enclosing[shared...] {
                let instance = blocks[name]
                let label = name + (instance.map { " (\($0.block)\($0.repetitions.map { " ×\($0)" } ?? ""))" } ?? "")
                out += String(repeating: "  ", count: open.count + 1) + "subgraph cluster_\(clusters) {\n"
                out += String(repeating: "  ", count: open.count + 2) + "label=\(quote(label));\n"
                clusters += 1
                open.append(name)
            }
            let shape = node.isLeaf ? ", style=rounded" : ""
            // Node names are identifiers (SPEC §2, `/`-joined after block expansion), so
            // they need no escaping; `\n` is DOT's line break.
            out += String(repeating: "  ", count: open.count + 1)
                + "\"\(node.name)\" [label=\"\(node.name)\\n\(node.op.name) \(node.shape.description)\"\(shape)];\n"
        }
        while !open.isEmpty {
            open.removeLast()
            out += String(repeating: "  ", count: open.count + 1) + "}\n"
        }
        for node in nodes {
            let ports = type(of: node.op).ports
            for (k, source) in node.inputs.enumerated() {
                let port = k > 0 && k < ports.count && !ports[k].isVariadic ? "\(ports[k].name): " : ""
                out += "  \(quote(nodes[source].name)) -> \(quote(node.name)) [label=\(quote(port + nodes[source].shape.description))];\n"
            }
        }
        return out + "}\n"
    }
}

extension String {
    func replacingAll(_ target: String, _ replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = self[...]
        while let range = rest.range(of: target) {
            out += rest[..<range.lowerBound] + replacement
            rest = rest[range.upperBound...]
        }
        return out + rest
    }
}

extension Substring {
    func range(of target: String) -> Range<Index>? {
        var i = startIndex
        while i < endIndex {
            if self[i...].hasPrefix(target) { return i..<(index(i, offsetBy: target.count)) }
            i = index(after: i)
        }
        return nil
    }
}
