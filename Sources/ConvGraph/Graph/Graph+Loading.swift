extension Graph {
    /// Reads, checks and builds the graph in the file at `path`.
    ///
    /// - Parameters:
    ///   - path: the graph file; relative `{file:}` paths in it resolve against its folder.
    ///   - overrides: `--set` strings (`nodes.conv.stride=2`), applied in order.
    ///   - limits: the limits checked while reading and building (``Limits/default``).
    /// - Throws: `ConvGraphError`: `.noInput` (66) when the file (or a file it names) does
    ///   not exist; `.usage` (64) for a bad override path; `.invalidInput` (65) with every
    ///   diagnostic of an invalid graph.
    public static func load(contentsOf path: String, overrides: [String] = [], limits: Limits = .default) throws(ConvGraphError) -> Graph {
        try parse(readGraphFile(path, limits: limits), path: path, overrides: overrides, limits: limits)
    }

    /// The bytes of a graph file, with the diagnostics and exit kinds of SPEC §8.
    static func readGraphFile(_ path: String, limits: Limits) throws(ConvGraphError) -> [UInt8] {
        do {
            return try readRegularFile(atPath: path, maxBytes: limits.maxGraphFileBytes)
        } catch {
            let at = SourceLocation(file: path, line: 1, column: 1)
            switch error {
            case .notFound: throw ConvGraphError(.noInput, Diagnostic("no such file", file: path))
            case .unreadable(_, let reason): throw ConvGraphError(.noInput, Diagnostic("cannot read the file: \(reason)", file: path))
            case .notRegularFile: throw ConvGraphError(.invalidInput, Diagnostic("not a regular file", file: path))
            case .tooLarge(_, let size, let limit):
                throw ConvGraphError(.invalidInput, Diagnostic("the graph file is \(size) bytes, larger than the limit of \(limit) bytes", at: at,
                                                               notes: [.init("raise it with --max-graph-bytes")]))
            }
        }
    }

    /// Checks and builds a graph from YAML text; `path` names it in diagnostics and is the
    /// base of relative `{file:}` paths.
    public static func parse(yaml: String, path: String = "graph.yaml", overrides: [String] = [], limits: Limits = .default) throws(ConvGraphError) -> Graph {
        try parse(Array(yaml.utf8), path: path, overrides: overrides, limits: limits)
    }

    static func parse(_ bytes: [UInt8], path: String, overrides: [String], limits: Limits) throws(ConvGraphError) -> Graph {
        if bytes.count > limits.maxGraphFileBytes {
            throw ConvGraphError(.invalidInput, Diagnostic("the graph file is \(bytes.count) bytes, larger than the limit of \(limits.maxGraphFileBytes) bytes",
                                                           at: SourceLocation(file: path, line: 1, column: 1)))
        }
        var parsedOverrides: [Override] = []
        for text in overrides { parsedOverrides.append(try Override(parsing: text)) }
        var root = try YAMLParser(file: path, limits: limits).parse(bytes)
        guard BlockLibrary.isUsed(in: root) else {
            for override in parsedOverrides { try override.apply(to: &root, limits: limits) }
            return try build(root: root, path: path, limits: limits)
        }
        // Blocks (SPEC §11.1): overrides of arguments apply before expansion, overrides of
        // inner nodes (`nodes.stem/conv.stride`) after it, so they win.
        let (before, after) = BlockOverrides.split(parsedOverrides)
        var library = BlockLibrary(root: root, path: path, limits: limits)
        let arguments = library.blocks.mapValues { $0.arguments.map(\.name) }
        for override in before { try override.apply(to: &root, limits: limits, blockArguments: arguments) }
        if before.contains(where: { $0.path.first == "blocks" || $0.path.first == "include" }) {
            library = BlockLibrary(root: root, path: path, limits: limits)
        }
        var expander = BlockExpansion(library: library, limits: limits)
        guard let expansion = expander.expand(root) else {
            throw ConvGraphError(library.missingFile ? .noInput : .invalidInput, BlockOverrides.ordered(expander.diagnostics))
        }
        root = expansion.root
        for override in after { try override.apply(to: &root, limits: limits) }
        return try build(root: root, path: path, limits: limits, expansion: expansion)
    }

    /// Decodes, checks and builds the graph of a YAML tree (overrides already applied);
    /// `expansion`: the tree was expanded from blocks (names may hold `/`).
    static func build(root: YAMLNode, path: String, limits: Limits, expansion: BlockExpansion.Result? = nil) throws(ConvGraphError) -> Graph {
        var decoder = GraphFileDecoder(path: path, limits: limits)
        decoder.expanded = expansion != nil
        decoder.presetEdges = expansion?.edges
        var file = decoder.decode(root)
        file?.includedFiles = expansion?.includedFiles ?? []
        file?.includedFileSHA256 = expansion?.includedFileSHA256 ?? [:]
        file?.blockInstances = expansion?.instances ?? []
        file?.savedValueAliases = expansion?.savedValueAliases ?? [:]
        file?.isExpanded = expansion != nil
        guard let file else { throw ConvGraphError(.invalidInput, decoder.diagnostics) }
        // Edges and shapes are checked even when some nodes failed to decode, so one run
        // reports every independent error; edges to failed nodes are not reported twice.
        // Without a usable `nodes` section, every name would be unknown: only that is said.
        var builder = GraphBuilder(file: file, limits: limits, after: decoder)
        let graph = decoder.nodesUnusable ? nil : builder.build()
        // In file order, so the output reads top to bottom; each distinct error once (a
        // node in the middle of a chain `a -> x -> b` is named by two edges).
        var seen = Set<Diagnostic>()
        var all = (decoder.diagnostics + builder.diagnostics).enumerated().sorted { a, b in
            let (la, lb) = (a.element.location, b.element.location)
            if let la, let lb, la != lb { return la < lb }
            return a.offset < b.offset
        }.map(\.element).filter { seen.insert($0).inserted }
        // The same error in every repetition of a block is reported for the first one.
        if expansion != nil { all = BlockOverrides.ordered(all) }
        guard let graph, all.isEmpty else {
            throw ConvGraphError(decoder.missingFile ? .noInput : .invalidInput, all)
        }
        return graph
    }
}

extension Graph {
    /// The same graph with the first dimension (N) of the `input` nodes `inputs` set to
    /// `n`, every shape inferred again (an evaluation's smaller last batch).
    /// - Throws: `.invalidInput` (65) when the graph does not fit N = `n`.
    func resized(batch n: Int, inputs: [Int], limits: Limits) throws(ConvGraphError) -> Graph {
        var root = file.tree
        for i in inputs {
            let dims = [n] + nodes[i].shape.dims.dropFirst()
            let text = "nodes.\(nodes[i].name).shape=[" + dims.map(String.init).joined(separator: ",") + "]"
            try Override(parsing: text).apply(to: &root, limits: limits)
        }
        let expansion = file.isExpanded
            ? BlockExpansion.Result(root: root, edges: nil, includedFiles: file.includedFiles,
                                  includedFileSHA256: file.includedFileSHA256, instances: file.blockInstances,
                                  savedValueAliases: file.savedValueAliases) : nil
        var graph = try Graph.build(root: root, path: path, limits: limits, expansion: expansion)
        graph.maxMemoryBytes = maxMemoryBytes
        return graph
    }
}
