/// Resolves a `GraphFile` into a checked `Graph`: binds edges to ports, orders the DAG,
/// infers every shape and checks the limits, collecting every independent error.
struct GraphBuilder {
    let file: GraphFile
    let limits: Limits
    /// Nodes that failed to decode (already reported): edges touching them are skipped
    /// without a second error, and their consumers are not checked further.
    let failedNodes: Set<String>
    /// Set when the `edges` section could not be read (already reported): no port is
    /// reported as unconnected.
    var edgesUnusable = false
    /// Names in edges that could not be read (already reported): their ports are not
    /// reported as unconnected.
    var namesInFailedEdges = Set<String>()
    /// Names still to resolve from a section that failed to decode (`backward.wrt` when
    /// `backward.from` is broken).
    var orphanNames: [(name: GraphFile.Name, role: String)] = []
    /// Parts of `train` that failed to decode (already reported; see the decoder's).
    var trainIncomplete = Set<String>()
    var diagnostics: [Diagnostic] = []

    init(file: GraphFile, limits: Limits, failedNodes: Set<String> = []) {
        self.file = file
        self.limits = limits
        self.failedNodes = failedNodes
    }

    /// A builder that knows what the decoder already reported, so that nothing that only
    /// follows from those errors is reported again.
    init(file: GraphFile, limits: Limits, after decoder: GraphFileDecoder) {
        self.init(file: file, limits: limits, failedNodes: decoder.failedNodes)
        edgesUnusable = decoder.edgesUnusable
        namesInFailedEdges = decoder.namesInFailedEdges
        orphanNames = decoder.orphanNames
        trainIncomplete = decoder.trainIncomplete
    }

    mutating func error(_ message: String, at location: SourceLocation, notes: [Diagnostic.Note] = []) {
        diagnostics.append(Diagnostic(message, at: location, notes: notes))
    }

    /// The node called `name`, or an error with a suggestion.
    mutating func resolve(_ name: GraphFile.Name, index: [String: Int], role: String) -> Int? {
        if let i = index[name.text] { return i }
        if failedNodes.contains(name.text) { return nil }  // already reported where it is declared
        // Nodes that failed to decode are still what a misspelled name may have meant.
        error("unknown node '\(NameRules.printable(name.text))' \(role)", at: name.location,
              notes: Diagnostic.didYouMean(name.text, among: file.nodes.map(\.name) + failedNodes.filter(NameRules.isValidNodeName).sorted()))
        return nil
    }

    mutating func build() -> Graph? {
        let nodes = file.nodes
        var index: [String: Int] = [:]
        for (i, node) in nodes.enumerated() { index[node.name] = i }

        // Bind edges to ports: per node, per port, the sources in the order listed.
        var bindings: [[[(source: Int, at: SourceLocation)]]] = nodes.map { node in
            Array(repeating: [], count: type(of: node.op).ports.count)
        }
        var tainted = Set<Int>()
        for edge in file.edges {
            if failedNodes.contains(edge.source.text) || failedNodes.contains(edge.destination.text) {
                if let d = index[edge.destination.text] { tainted.insert(d) }
                continue
            }
            let source = resolve(edge.source, index: index, role: "in edge")
            let destination = resolve(edge.destination, index: index, role: "in edge")
            guard let source, let destination else {
                // The destination lacks this edge only because of the error just reported.
                if let destination { tainted.insert(destination) }
                continue
            }
            let op = type(of: nodes[destination].op)
            let ports = op.ports
            guard !ports.isEmpty else {
                error("node '\(nodes[destination].name)' is an \(op.name) and takes no inputs", at: edge.destination.location)
                continue
            }
            var portIndex = 0
            if let port = edge.port {
                guard let p = ports.firstIndex(where: { $0.name == port.text }) else {
                    error("op '\(op.name)' has no port '\(NameRules.printable(port.text))'", at: port.location,
                          notes: Diagnostic.didYouMean(port.text, among: ports.map(\.name))
                              + [.init("the ports of '\(op.name)' are \(ports.map(\.name).joined(separator: ", "))")])
                    tainted.insert(destination)
                    continue
                }
                portIndex = p
            }
            if !ports[portIndex].isVariadic, let first = bindings[destination][portIndex].first {
                error("port '\(nodes[destination].name).\(ports[portIndex].name)' has two sources: '\(nodes[first.source].name)' and '\(nodes[source].name)'",
                      at: edge.source.location, notes: [.init("the first edge into it is here", at: first.at)])
                continue
            }
            bindings[destination][portIndex].append((source, edge.source.location))
        }
        var inputs: [[Int]] = []
        var inputPorts: [[Int]] = []
        var complete = Array(repeating: true, count: nodes.count)
        for (i, node) in nodes.enumerated() {
            let ports = type(of: node.op).ports
            if !ports.isEmpty, edgesUnusable || namesInFailedEdges.contains(node.name) { tainted.insert(i) }
            if tainted.contains(i) { complete[i] = false }
            for (p, port) in ports.enumerated() where bindings[i][p].isEmpty && !port.isOptional && !tainted.contains(i) {
                error("node '\(node.name)' has no edge into its port '\(port.name)'", at: node.location,
                      notes: [.init("add an edge such as 'SOURCE -> \(node.name)\(p == 0 ? "" : "." + port.name)'")])
                complete[i] = false
            }
            inputs.append(bindings[i].flatMap { $0.map(\.source) })
            inputPorts.append(bindings[i].enumerated().flatMap { p, edges in edges.map { _ in p } })
        }

        // Order the DAG.
        var order: [Int] = []
        switch TopologicalOrder.sort(inputs) {
        case .success(let o): order = o
        case .failure(let cycle):
            error("the graph has a cycle: \(Self.cycleText(cycle.nodes.map { nodes[$0].name }))", at: nodes[cycle.nodes[0]].location)
            return nil
        }

        // Infer shapes in order; a node whose inputs failed is skipped silently.
        var inferred: [ShapeInference?] = Array(repeating: nil, count: nodes.count)
        var built: [Graph.Node?] = Array(repeating: nil, count: nodes.count)
        for i in order where complete[i] {
            let node = nodes[i]
            let inputShapes = inputs[i].map { inferred[$0]?.shape }
            guard inputShapes.allSatisfy({ $0 != nil }) else { continue }
            let shapes = inputShapes.compactMap { $0 }
            var op = node.op
            op.connect(inputPorts: inputPorts[i])
            do {
                let result = try op.outputShape(inputs: shapes)
                let shapeLocation = node.attributeLocations["shape"] ?? node.attributeLocations["init"] ?? node.location
                guard let count = result.shape.checkedCount, count <= limits.maxTensorElements else {
                    error("node '\(node.name)' would have shape \(result.shape.bracketed), more than the limit of \(limits.maxTensorElements) elements per tensor",
                          at: shapeLocation)
                    continue
                }
                // Zero (a `{file:}` array may have one) or huge dimensions: refused like a
                // written shape, which keeps every later shape rule's arithmetic in range.
                guard result.shape.dims.allSatisfy({ (1...ValueReader.maximumInteger).contains($0) }) else {
                    error("node '\(node.name)' would have shape \(result.shape.bracketed); every dimension must be between 1 and \(ValueReader.maximumInteger)",
                          at: shapeLocation)
                    continue
                }
                guard !Self.flopsOverflow(op, inputs: shapes, output: result.shape) else {
                    error("node '\(node.name)' would need more than \(Int.max) FLOPs; its window, padding or stride is out of range",
                          at: node.attributeLocations["window"] ?? node.attributeLocations["padding"] ?? node.attributeLocations["op"] ?? node.location)
                    continue
                }
                inferred[i] = result
                let flops = op.flops(inputs: shapes, output: result.shape)
                built[i] = Graph.Node(name: node.name, op: op, inputs: inputs[i], shape: result.shape,
                                      explanation: result.explanation, location: node.location, flops: flops,
                                      parameterCount: op.parameterCount(output: result.shape))
            } catch {
                shapeError(error, node: node, inputs: inputs[i], inferred: inferred)
            }
        }
        // The memory limit is checked by the command that computes, against its own plan
        // (`Graph.checkMemoryLimit`, SPEC §8): how much a graph needs depends on the run.
        let backward = resolveBackward(index: index, built: built)
        let train = resolveTrain(index: index, built: built, backward: backward)
        for (name, role) in orphanNames { _ = resolve(name, index: index, role: role) }
        let saveValues = resolveSave(file.saveValues, index: index) ?? Self.sinks(inputs)
        var saveGrads: [Int] = []
        if let names = file.saveGrads {
            saveGrads = resolveSave(names, index: index) ?? []
        } else if let backward {
            saveGrads = backward.wrt
        }
        guard diagnostics.isEmpty else { return nil }
        let checked = built.compactMap { $0 }
        guard checked.count == nodes.count else { return nil }
        var graph = Graph(name: file.name, path: file.path, seed: file.seed, dtype: file.dtype, nodes: checked,
                          order: order, backward: backward, saveValues: saveValues, saveGrads: saveGrads, file: file,
                          train: train)
        graph.maxMemoryBytes = limits.maxMemoryBytes
        return graph
    }

    /// Whether an op's FLOP count overflows `Int`: every op's `flops` saturates at
    /// `Int.max` (conv and pool multiply their output by a window that padding can make far
    /// larger than any tensor).
    static func flopsOverflow(_ op: any Op, inputs: [Shape], output: Shape) -> Bool {
        op.flops(inputs: inputs, output: output) == Int.max
    }

    /// `a -> b -> a`; a cycle of more than 20 nodes shows its first and last ones only.
    static func cycleText(_ names: [String]) -> String {
        guard names.count > 21 else { return names.joined(separator: " -> ") }
        return (names.prefix(10) + ["… \(names.count - 21) more …"] + names.suffix(11)).joined(separator: " -> ")
    }

    /// Nodes without outgoing edges, in declaration order.
    static func sinks(_ inputs: [[Int]]) -> [Int] {
        var hasConsumer = Array(repeating: false, count: inputs.count)
        for producers in inputs { for p in producers { hasConsumer[p] = true } }
        return inputs.indices.filter { !hasConsumer[$0] }
    }

    /// Reports a shape error at the attribute at fault (or the node's `op`), naming the
    /// producers of the inputs involved with their shapes and arithmetic.
    mutating func shapeError(_ e: ShapeError, node: GraphFile.Node, inputs: [Int], inferred: [ShapeInference?]) {
        let at = e.attribute.flatMap { node.attributeLocations[$0] } ?? node.attributeLocations["op"] ?? node.location
        var notes = e.notes.map { Diagnostic.Note($0) }
        for i in e.inputs where i < inputs.count {
            let producer = file.nodes[inputs[i]]
            guard let shape = inferred[inputs[i]] else { continue }
            var text = "input \(i + 1) comes from '\(producer.name)' (\(producer.op.name)) with shape \(shape.shape.bracketed)"
            if !shape.explanation.isEmpty { text += ": " + shape.explanation.joined(separator: ", ") }
            notes.append(Diagnostic.Note(text, at: producer.location))
        }
        error("node '\(node.name)': \(e.message)", at: at, notes: notes)
    }

    mutating func resolveSave(_ names: [GraphFile.Name]?, index: [String: Int]) -> [Int]? {
        guard let names else { return nil }
        var out: [Int] = []
        for name in names {
            if let i = resolve(name, index: index, role: "in 'save'"), !out.contains(i) { out.append(i) }
        }
        return out
    }

    mutating func resolveBackward(index: [String: Int], built: [Graph.Node?]) -> Graph.Backward? {
        guard let b = file.backward else { return nil }
        // `wrt` is checked even when `from` is wrong: the two errors are independent.
        let from = resolve(b.from, index: index, role: "in 'backward.from'")
        var wrt: [Int] = []
        var named: [(index: Int, name: GraphFile.Name)] = []
        if let names = b.wrt {
            for name in names {
                guard let i = resolve(name, index: index, role: "in 'backward.wrt'") else { continue }
                guard file.nodes[i].op is any LeafOp else {
                    error("'backward.wrt' names '\(name.text)', a \(file.nodes[i].op.name) node; only input and param leaves can be differentiated",
                          at: name.location, notes: [.init("use 'save.grads' to save dL/d('\(name.text)')")])
                    continue
                }
                if !wrt.contains(i) {
                    wrt.append(i)
                    named.append((i, name))
                }
            }
        } else {
            wrt = file.nodes.indices.filter { file.nodes[$0].op is any LeafOp }
        }
        guard let from else { return nil }
        guard let fromShape = built[from]?.shape else { return nil }
        var grad = b.grad
        if fromShape.isScalar {
            if b.grad != nil {
                error("'backward.grad' is only for a non-scalar 'from'; '\(b.from.text)' is a scalar and is seeded with 1",
                      at: b.gradLocation ?? b.from.location)
            }
            grad = nil
        } else {
            grad = grad ?? .ones
            if let data = grad?.dataShape, data != fromShape {
                error("'backward.grad' has shape \(data.bracketed) but '\(b.from.text)' has shape \(fromShape.bracketed)",
                      at: b.gradLocation ?? b.from.location)
            }
        }
        if file.train != nil {
            // With `train`, `wrt` is what the optimizer updates (SPEC §10).
            guard let trained = trainedParams(named: b.wrt == nil ? nil : named, from: from, fromShape: fromShape, built: built) else { return nil }
            wrt = trained
        }
        return Graph.Backward(from: from, grad: grad, wrt: wrt)
    }

    static func formatBytes(_ n: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var value = Double(n)
        var u = 0
        while value >= 1024 && u < units.count - 1 {
            value /= 1024
            u += 1
        }
        return u == 0 ? "\(n) B" : String(Int((value * 10).rounded()) / 10) + "." + String(Int((value * 10).rounded()) % 10) + " " + units[u]
    }
}
