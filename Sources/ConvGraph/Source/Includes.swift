/// The blocks a graph file can use (SPEC §11.1): its own `blocks:` and those of every file
/// it `include`s, transitively. Included files hold only `blocks` and `include`; their
/// paths resolve against the including file's folder; an include cycle is an error naming
/// it; a block defined twice is an error naming both places. Includes nest at most
/// `Limits.maxIncludeDepth` deep.
struct BlockLibrary: Sendable {
    /// Every block by name.
    var blocks: [String: BlockDefinition] = [:]
    /// Every included file, as resolved (relative to the working directory when the graph
    /// path was relative), in the order first read; each file once.
    var includedFiles: [String] = []
    /// The sha256 of each included file's bytes as read, by resolved path.
    var includedFileSHA256: [String: String] = [:]
    var diagnostics: [Diagnostic] = []
    /// Set when an included file does not exist (exit 66 rather than 65).
    var missingFile = false

    static let includedFileKeys = ["blocks", "include"]

    /// Whether the tree uses blocks or includes at all (else the graph loads as before).
    static func isUsed(in root: YAMLNode) -> Bool {
        guard let pairs = root.pairs else { return false }
        if pairs.contains(where: { $0.key == "blocks" || $0.key == "include" }) { return true }
        return root["nodes"]?.pairs?.contains(where: { $0.value["block"] != nil }) ?? false
    }

    /// Reads the blocks of `root` (the graph file at `path`) and of the files it includes.
    init(root: YAMLNode, path: String, limits: Limits) {
        var chain = [path]
        add(root, file: path, limits: limits, chain: &chain)
    }

    /// `path` resolved against the folder of `file`.
    static func resolve(_ path: String, against file: String) -> String {
        if path.hasPrefix("/") { return path }
        let folder = GraphFileDecoder.directory(of: file)
        return folder == "." ? path : (folder == "/" ? "/" + path : folder + "/" + path)
    }

    private mutating func add(_ root: YAMLNode, file: String, limits: Limits, chain: inout [String]) {
        if let includes = root["include"] {
            let items: [YAMLNode]
            if let elements = includes.elements { items = elements }
            else if includes.resolved == .null, includes.pairs == nil { items = [] }
            else { items = [includes] }
            for item in items {
                guard case .string(let relative) = item.resolved, item.pairs == nil, item.elements == nil, !relative.isEmpty else {
                    diagnostics.append(Diagnostic("'include' takes a list of file paths, not \(item.kindDescription)", at: item.location))
                    continue
                }
                let resolved = Self.resolve(relative, against: file)
                if let start = chain.firstIndex(of: resolved) {
                    let cycle = (chain[start...] + [resolved]).joined(separator: " -> ")
                    diagnostics.append(Diagnostic("include cycle: \(cycle)", at: item.location))
                    continue
                }
                if includedFiles.contains(resolved) { continue }
                guard chain.count <= limits.maxIncludeDepth else {
                    diagnostics.append(Diagnostic("includes nest more than \(limits.maxIncludeDepth) deep", at: item.location,
                                                  notes: [.init("the include chain starts \(chain.prefix(3).joined(separator: " -> ")) …")]))
                    continue
                }
                guard let tree = read(resolved, namedAt: item.location, limits: limits) else { continue }
                includedFiles.append(resolved)
                if let pairs = tree.pairs {
                    for pair in pairs where !Self.includedFileKeys.contains(pair.key) {
                        diagnostics.append(Diagnostic("an included file holds only 'blocks' and 'include', not '\(pair.key)'", at: pair.keyLocation,
                                                      notes: Diagnostic.didYouMean(pair.key, among: Self.includedFileKeys)))
                    }
                } else {
                    diagnostics.append(Diagnostic("an included file is a mapping with 'blocks' (and 'include'), not \(tree.kindDescription)", at: tree.location))
                    continue
                }
                chain.append(resolved)
                add(tree, file: resolved, limits: limits, chain: &chain)
                chain.removeLast()
            }
        }
        if let section = root["blocks"] {
            if let pairs = section.pairs {
                for pair in pairs {
                    if let first = blocks[pair.key] {
                        diagnostics.append(Diagnostic("block '\(pair.key)' is defined twice", at: pair.keyLocation,
                                                      notes: [.init("first defined here", at: first.location)]))
                        continue
                    }
                    if let block = BlockDefinition.read(pair, into: &diagnostics) { blocks[pair.key] = block }
                }
            } else if section.resolved != .null || section.elements != nil {
                diagnostics.append(Diagnostic("'blocks' takes a mapping of block names to blocks, not \(section.kindDescription)", at: section.location))
            }
        }
    }

    /// Reads and parses an included file; errors are located at the `include` item.
    private mutating func read(_ path: String, namedAt at: SourceLocation, limits: Limits) -> YAMLNode? {
        let bytes: [UInt8]
        do {
            bytes = try readRegularFile(atPath: path, maxBytes: limits.maxGraphFileBytes)
        } catch {
            switch error {
            case .notFound:
                missingFile = true
                diagnostics.append(Diagnostic("no such file '\(NameRules.printable(path))' to include", at: at))
            case .unreadable(_, let reason):
                missingFile = true
                diagnostics.append(Diagnostic("cannot read '\(NameRules.printable(path))': \(reason)", at: at))
            case .notRegularFile:
                diagnostics.append(Diagnostic("'\(NameRules.printable(path))' is not a regular file", at: at))
            case .tooLarge(_, let size, let limit):
                diagnostics.append(Diagnostic("'\(NameRules.printable(path))' is \(size) bytes, larger than the limit of \(limit) bytes", at: at))
            }
            return nil
        }
        includedFileSHA256[path] = SHA256.hex(bytes)
        do {
            return try YAMLParser(file: path, limits: limits).parse(bytes)
        } catch {
            diagnostics.append(contentsOf: error.diagnostics)
            return nil
        }
    }
}
