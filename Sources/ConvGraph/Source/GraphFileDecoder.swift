/// Decodes the YAML tree of a graph file strictly into a `GraphFile`: unknown keys and
/// attributes are errors with a did-you-mean note, wrong types and out-of-range values
/// are errors at their position, and every independent error is collected.
struct GraphFileDecoder {
    let path: String
    let limits: Limits
    var diagnostics: [Diagnostic] = []
    /// The graph's dtype once read: integer `{file:}` data is held to its exact range.
    var dtype = DType.float64
    /// Set when a file named by the graph does not exist (exit 66 rather than 65).
    var missingFile = false
    /// Nodes whose declaration had errors (they are left out of the `GraphFile`).
    var failedNodes = Set<String>()
    /// Set when the `nodes` section is missing, not a mapping or over the node limit:
    /// every later error about node names would be noise.
    var nodesUnusable = false
    /// Set when the `edges` section could not be read at all (misspelled, or not a list):
    /// no port can be said to lack its edge.
    var edgesUnusable = false
    /// Names written in edges that could not be read (`x => y`): their ports may lack an
    /// edge only because of that error, so that is not reported again.
    var namesInFailedEdges = Set<String>()
    /// Names under `backward` that are still checked against the nodes when `backward`
    /// itself failed to decode (`wrt` is independent of a broken `from`).
    var orphanNames: [(name: GraphFile.Name, role: String)] = []

    /// Parts of `train` that failed to decode (`data`, `eval.data`): the builder does not
    /// report what only follows from them (an input missing from a broken `data`).
    var trainIncomplete = Set<String>()

    static let topLevelKeys = ["graph", "seed", "dtype", "nodes", "edges", "backward", "save", "train"]
    static let backwardKeys = ["from", "grad", "wrt"]
    static let saveKeys = ["values", "grads"]

    /// Set for a graph expanded from blocks (SPEC §11.1): node names may hold `/`.
    var expanded = false
    /// The edges resolved by block expansion (each name at its own position); `nil`: read
    /// the `edges` section.
    var presetEdges: [GraphFile.Edge]? = nil

    init(path: String, limits: Limits) {
        self.path = path
        self.limits = limits
    }

    mutating func error(_ message: String, at location: SourceLocation, notes: [Diagnostic.Note] = []) {
        diagnostics.append(Diagnostic(message, at: location, notes: notes))
    }

    /// Reports keys of `pairs` outside `allowed`, with a suggestion.
    mutating func checkKeys(_ pairs: [YAMLNode.Pair], allowed: [String], context: String) {
        for pair in pairs where !allowed.contains(pair.key) {
            if let glued = Self.gluedKey(pair, allowed: allowed) {
                error("unknown key '\(pair.key)' in \(context)", at: pair.keyLocation, notes: glued)
                continue
            }
            error("unknown key '\(pair.key)' in \(context)", at: pair.keyLocation,
                  notes: Diagnostic.didYouMean(pair.key, among: allowed))
        }
    }

    /// Whether an unknown top-level key is probably the `edges` section under another name:
    /// it starts with 'edge', or its value is written like edges (`a -> b`).
    static func mayBeMisspelledEdges(_ pair: YAMLNode.Pair) -> Bool {
        guard !topLevelKeys.contains(pair.key) else { return false }
        if pair.key.lowercased().hasPrefix("edge") { return true }
        for item in pair.value.elements?.prefix(16) ?? [pair.value] {
            if case .scalar(let text, _, _) = item.content, text.unicodeScalars.count < 4096, text.contains("->") { return true }
        }
        return false
    }

    /// For a key such as `op:relu` (a flow mapping written without the space after `:`,
    /// which YAML reads as one key with no value), the notes that say so; `nil` otherwise.
    static func gluedKey(_ pair: YAMLNode.Pair, allowed: [String]) -> [Diagnostic.Note]? {
        guard case .null = pair.value.resolved, pair.value.pairs == nil, pair.value.elements == nil,
              let colon = pair.key.firstIndex(of: ":") else { return nil }
        let name = String(pair.key[..<colon])
        let rest = pair.key[pair.key.index(after: colon)...]
        guard !name.isEmpty, let first = rest.first, first != " ", first != "\t" else { return nil }
        guard allowed.contains(name) || Spelling.closest(to: name, among: allowed) != nil else { return nil }
        return [.init("YAML read '\(NameRules.printable(pair.key))' as one key with no value, because ':' is not followed by a space"),
                .init("write a space after ':', as in '\(name): \(NameRules.printable(String(rest)))'")]
    }

    mutating func decode(_ root: YAMLNode) -> GraphFile? {
        guard let top = root.pairs else {
            error("a graph file is a mapping with 'nodes' and 'edges', not \(root.kindDescription)", at: root.location)
            return nil
        }
        checkKeys(top, allowed: Self.topLevelKeys, context: "the graph file")
        // A misspelled section (`node:`, `egdes:`, `backwrd:`) is reported once, as an
        // unknown key, and not again as a missing section or all that follows from one.
        let misspelled = Set(top.compactMap { pair in
            Self.topLevelKeys.contains(pair.key) ? nil : Spelling.closest(to: pair.key, among: Self.topLevelKeys)
        })
        if root["edges"] == nil, misspelled.contains("edges") || top.contains(where: { Self.mayBeMisspelledEdges($0) }) {
            edgesUnusable = true
        }

        var name = Self.defaultGraphName(forPath: path)
        if let node = root["graph"], let text = ValueReader.string(node, key: "graph", into: &diagnostics) {
            if NameRules.isValidGraphName(text) {
                name = text
            } else {
                error("invalid graph name '\(NameRules.printable(text))'", at: node.location,
                      notes: [.init("a graph name matches [A-Za-z_][A-Za-z0-9_-]* and has at most 128 characters")])
            }
        }
        let seed = root["seed"].flatMap { ValueReader.seed($0, key: "seed", into: &diagnostics) } ?? 0
        if let node = root["dtype"] {
            if case .string(let s) = node.resolved, let d = DType(rawValue: s), node.pairs == nil, node.elements == nil {
                dtype = d
            } else {
                error("'dtype' takes 'float64' or 'float32', not \(node.kindDescription)", at: node.location,
                      notes: { if case .string(let s) = node.resolved { return Diagnostic.didYouMean(s, among: ["float64", "float32"]) }; return [] }())
            }
        }

        let nodes = decodeNodes(root["nodes"], at: root.location, misspelled: misspelled.contains("nodes"))
        let edges = presetEdges ?? decodeEdges(root["edges"], at: root.location)
        let backward = root["backward"].flatMap { decodeBackward($0) }
        var saveValues: [GraphFile.Name]?
        var saveGrads: [GraphFile.Name]?
        var saveGradsLocation: SourceLocation?
        if let save = root["save"] {
            if let pairs = save.pairs {
                checkKeys(pairs, allowed: Self.saveKeys, context: "'save'")
                saveValues = save["values"].flatMap { ValueReader.names($0, key: "values", into: &diagnostics) }
                if let grads = save["grads"] {
                    saveGrads = ValueReader.names(grads, key: "grads", into: &diagnostics)
                    saveGradsLocation = pairs.first(where: { $0.key == "grads" })?.keyLocation
                }
            } else if case .null = save.resolved {
            } else {
                error("'save' takes a mapping with 'values' and 'grads', not \(save.kindDescription)", at: save.location)
            }
        }
        if let at = saveGradsLocation, root["backward"] == nil, !misspelled.contains("backward") {
            error("'save.grads' needs a 'backward' section", at: at)
        }
        var train: TrainSection?
        if let pair = top.first(where: { $0.key == "train" }) {
            train = decodeTrain(pair.value, at: pair.keyLocation)
            if train != nil, root["backward"] == nil, !misspelled.contains("backward") {
                error("'train' needs a 'backward' section whose 'from' is the loss", at: pair.keyLocation,
                      notes: [.init("add 'backward: {from: LOSS}', LOSS a node with a scalar output")])
            }
        }
        return GraphFile(path: path, name: name, seed: seed, dtype: dtype, nodes: nodes, edges: edges,
                         backward: backward, saveValues: saveValues, saveGrads: saveGrads,
                         saveGradsLocation: saveGradsLocation, train: train, tree: root)
    }

    /// The default graph name: the file's base name without extension, other characters
    /// → `_`, `_` before a leading digit (SPEC §2).
    static func defaultGraphName(forPath path: String) -> String {
        let base = path.split(separator: "/").last.map(String.init) ?? path
        let stem = base.contains(".") ? String(base[..<(base.lastIndex(of: ".") ?? base.endIndex)]) : base
        var name = String(stem.unicodeScalars.prefix(128).map { s -> Character in
            (s.isASCII && (s.properties.isAlphabetic || ("0"..."9").contains(s) || s == "_" || s == "-")) ? Character(s) : "_"
        })
        if name.isEmpty { name = "graph" }
        if let first = name.unicodeScalars.first, ("0"..."9").contains(first) || first == "-" { name = "_" + name }
        return String(name.prefix(128))
    }

    mutating func decodeNodes(_ node: YAMLNode?, at fallback: SourceLocation, misspelled: Bool = false) -> [GraphFile.Node] {
        guard let node else {
            if !misspelled { error("the graph file has no 'nodes' section", at: fallback) }
            nodesUnusable = true
            return []
        }
        guard let pairs = node.pairs else {
            error("'nodes' takes a mapping of node names to {op: …} mappings, not \(node.kindDescription)", at: node.location)
            nodesUnusable = true
            return []
        }
        guard pairs.count <= limits.maxGraphNodes else {
            error("the graph has \(pairs.count) nodes, more than the limit of \(limits.maxGraphNodes)", at: node.location)
            nodesUnusable = true
            return []
        }
        var out: [GraphFile.Node] = []
        var seenFolded: [String: (String, SourceLocation)] = [:]
        for pair in pairs {
            if !NameRules.isValidNodeName(pair.key), !(expanded && NameRules.isValidExpandedNodeName(pair.key)) {
                error("invalid node name '\(NameRules.printable(pair.key))'", at: pair.keyLocation,
                      notes: [.init("a node name matches [A-Za-z_][A-Za-z0-9_]* and has at most 128 characters (it becomes a file name)")])
                failedNodes.insert(pair.key)
                continue
            }
            let folded = pair.key.lowercased()
            if let (other, at) = seenFolded[folded] {
                error("node name '\(pair.key)' differs from '\(other)' only in case", at: pair.keyLocation,
                      notes: [.init("'\(other)' is declared here; names become file names, and some file systems ignore case", at: at)])
                failedNodes.insert(pair.key)
                continue
            }
            seenFolded[folded] = (pair.key, pair.keyLocation)
            if let decoded = decodeNode(name: pair.key, nameLocation: pair.keyLocation, body: pair.value) {
                out.append(decoded)
            } else {
                failedNodes.insert(pair.key)
            }
        }
        return out
    }

    mutating func decodeNode(name: String, nameLocation: SourceLocation, body: YAMLNode) -> GraphFile.Node? {
        guard let pairs = body.pairs else {
            var notes: [Diagnostic.Note] = []
            if case .scalar(let text, true, _) = body.content, text.hasPrefix("op:"), text.count > 3 {
                notes = [.init("YAML read '\(NameRules.printable(text))' as one string, because ':' is not followed by a space"),
                         .init("write a space after ':', as in 'op: \(NameRules.printable(String(text.dropFirst(3))))'")]
            }
            error("node '\(name)' takes a mapping such as {op: relu}, not \(body.kindDescription)", at: body.location, notes: notes)
            return nil
        }
        guard let opNode = body["op"] else {
            if let glued = pairs.first(where: { $0.key.hasPrefix("op:") }),
               let notes = Self.gluedKey(glued, allowed: ["op"]) {
                error("node '\(name)' has no 'op'", at: glued.keyLocation, notes: notes)
                return nil
            }
            error("node '\(name)' has no 'op'", at: nameLocation,
                  notes: [.init("ops are \(OpRegistry.names.joined(separator: ", "))")])
            return nil
        }
        guard case .string(let opName) = opNode.resolved, opNode.pairs == nil, opNode.elements == nil else {
            error("'op' takes an op name, not \(opNode.kindDescription)", at: opNode.location)
            return nil
        }
        guard let type = OpRegistry.byName[opName] else {
            error("unknown op '\(opName)'", at: opNode.location,
                  notes: Diagnostic.didYouMean(opName, among: OpRegistry.names) + [.init("ops are \(OpRegistry.names.joined(separator: ", "))")])
            return nil
        }
        let attributes = pairs.filter { $0.key != "op" }
        var unknown = false
        var glued = Set<String>()
        for pair in attributes where !type.attributeNames.contains(pair.key) {
            if let notes = Self.gluedKey(pair, allowed: type.attributeNames) {
                error("unknown attribute '\(pair.key)' for op '\(opName)'", at: pair.keyLocation, notes: notes)
                unknown = true
                glued.insert(String(pair.key.prefix { $0 != ":" }))
                continue
            }
            let known = type.attributeNames.isEmpty ? "op '\(opName)' takes no attributes" : "op '\(opName)' takes \(type.attributeNames.joined(separator: ", "))"
            error("unknown attribute '\(pair.key)' for op '\(opName)'", at: pair.keyLocation,
                  notes: Diagnostic.didYouMean(pair.key, among: type.attributeNames) + [.init(known)])
            unknown = true
        }
        var reader = AttributeReader(opName: opName, nodeLocation: nameLocation, pairs: attributes)
        reader.writtenButBroken = glued
        // A node from a block of an included file reads its files beside that file.
        let graphDirectory = Self.directory(of: nameLocation.file.hasPrefix("--set ") ? path : nameLocation.file)
        let limits = self.limits
        let dtype = self.dtype
        var fileDiagnostics: [Diagnostic] = []
        var missing = false
        reader.loadFile = { file, at in
            switch TensorFileLoader.loadFile(file, relativeTo: graphDirectory, limits: limits, as: Double.self, namedAt: at, exactIn: dtype) {
            case .success(let t): return t
            case .failure(let e):
                fileDiagnostics.append(contentsOf: e.diagnostics)
                if e.kind == .noInput { missing = true }
                return nil
            }
        }
        let op = decodeOp(type, &reader)
        diagnostics.append(contentsOf: reader.diagnostics)
        diagnostics.append(contentsOf: fileDiagnostics)
        if missing { missingFile = true }
        guard let op, !unknown else { return nil }
        var locations = Dictionary(attributes.map { ($0.key, $0.value.location) }, uniquingKeysWith: { a, _ in a })
        locations["op"] = opNode.location
        return GraphFile.Node(name: name, location: nameLocation, op: op, attributeLocations: locations)
    }

    /// Opens the existential so each op's static `decode` runs.
    private func decodeOp<O: Op>(_ type: O.Type, _ reader: inout AttributeReader) -> (any Op)? {
        O.decode(&reader)
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let dir = String(path[..<slash])
        return dir.isEmpty ? "/" : dir
    }

    mutating func decodeEdges(_ node: YAMLNode?, at fallback: SourceLocation) -> [GraphFile.Edge] {
        guard let node else { return [] }
        if case .null = node.resolved, node.pairs == nil, node.elements == nil { return [] }
        if node.pairs != nil {
            error("'edges' takes a list of edges such as '- a -> b', not a mapping", at: node.location,
                  notes: [.init("write each edge as a list item: '- a -> b'")])
            edgesUnusable = true
            return []
        }
        let items = node.elements ?? [node]
        var edges: [GraphFile.Edge] = []
        for item in items {
            guard case .scalar(let text, let plain, _) = item.content, case .string = item.resolved else {
                error("an edge is a string such as 'a -> b' or 'a -> conv.weight', not \(item.kindDescription)", at: item.location)
                Self.collectNames(in: item, into: &namesInFailedEdges)
                continue
            }
            switch EdgeSyntax.parse(text, at: item.location, quoted: !plain) {
            case .success(let parsed): edges.append(contentsOf: parsed)
            case .failure(let d):
                diagnostics.append(d)
                Self.collectNames(in: item, into: &namesInFailedEdges)
            }
        }
        return edges
    }

    /// The words that could be node names in an edge item that could not be read (its
    /// scalar, or the scalars one level inside it).
    static func collectNames(in item: YAMLNode, into names: inout Set<String>) {
        var texts: [String] = []
        switch item.content {
        case .scalar(let text, _, _): texts = [text]
        case .sequence(let items):
            for i in items { if case .scalar(let t, _, _) = i.content { texts.append(t) } }
        case .mapping(let pairs):
            for p in pairs {
                texts.append(p.key)
                if case .scalar(let t, _, _) = p.value.content { texts.append(t) }
            }
        }
        for text in texts {
            var word = ""
            for s in text.unicodeScalars {
                if s.isASCII, s.properties.isAlphabetic || ("0"..."9").contains(s) || s == "_" {
                    word.unicodeScalars.append(s)
                } else if !word.isEmpty {
                    names.insert(word)
                    word = ""
                }
            }
            if !word.isEmpty { names.insert(word) }
        }
    }

    mutating func decodeBackward(_ node: YAMLNode) -> GraphFile.Backward? {
        guard let pairs = node.pairs else {
            error("'backward' takes a mapping with 'from' (and optionally 'grad', 'wrt'), not \(node.kindDescription)", at: node.location)
            return nil
        }
        checkKeys(pairs, allowed: Self.backwardKeys, context: "'backward'")
        // `wrt` is read first: its errors are independent of those of `from`.
        let wrt = node["wrt"].flatMap { ValueReader.names($0, key: "wrt", into: &diagnostics) }
        guard let fromNode = node["from"] else {
            error("'backward' needs 'from', the node to differentiate", at: node.location)
            orphanNames += (wrt ?? []).map { ($0, "in 'backward.wrt'") }
            return nil
        }
        guard let from = ValueReader.string(fromNode, key: "from", into: &diagnostics) else {
            orphanNames += (wrt ?? []).map { ($0, "in 'backward.wrt'") }
            return nil
        }
        var grad: InitSpec?
        var gradLocation: SourceLocation?
        if let gradNode = node["grad"] {
            var reader = InitSpecReader(diagnostics: [], loadFile: nil)
            let dir = Self.directory(of: path)
            let limits = self.limits
            let dtype = self.dtype
            var fileDiagnostics: [Diagnostic] = []
            reader.loadFile = { file, at in
                switch TensorFileLoader.loadFile(file, relativeTo: dir, limits: limits, as: Double.self, namedAt: at, exactIn: dtype) {
                case .success(let t): return t
                case .failure(let e):
                    fileDiagnostics.append(contentsOf: e.diagnostics)
                    return nil
                }
            }
            grad = reader.read(gradNode, key: "grad")
            diagnostics.append(contentsOf: reader.diagnostics + fileDiagnostics)
            gradLocation = gradNode.location
        }
        return GraphFile.Backward(from: GraphFile.Name(text: from, location: fromNode.location), grad: grad,
                                  gradLocation: gradLocation, wrt: wrt)
    }
}
