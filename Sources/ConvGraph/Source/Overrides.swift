/// `--set KEY=VALUE` overrides (SPEC §7): a dotted path into the graph file
/// (`nodes.conv.stride`, a list element by index: `nodes.conv.padding.1`) and a YAML value
/// (`[2, 2]`). Applied to the YAML tree after merge keys, before decoding. An unknown path
/// is a usage error (exit 64) with a did-you-mean note; a path may add a key the op (or
/// section) allows but the file omits. Inside `train`, a path may also add the subsections
/// on its way (`train.checkpoint.keep=1` without `checkpoint:`), and `train.data` and
/// `train.eval.data` may gain any node's name. A value that makes the graph invalid is
/// caught by the normal checks (exit 65).
public struct Override: Sendable, Hashable {
    public var path: [String]
    public var value: String
    /// As given on the command line.
    public var text: String

    /// Parses `KEY=VALUE`.
    public init(parsing text: String) throws(ConvGraphError) {
        guard let eq = text.firstIndex(of: "=") else {
            throw ConvGraphError(.usage, Diagnostic("--set takes KEY=VALUE, as in 'nodes.conv.stride=2', not '\(NameRules.printable(text))'", file: nil))
        }
        let key = text[..<eq]
        let path = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !key.isEmpty, !path.contains(where: \.isEmpty) else {
            throw ConvGraphError(.usage, Diagnostic("--set has a malformed path '\(NameRules.printable(String(key)))'", file: nil))
        }
        self.path = path
        self.value = String(text[text.index(after: eq)...])
        self.text = text
    }

    var dottedPath: String { path.joined(separator: ".") }

    /// Applies the override to `root`.
    /// `blockArguments`: each block's argument names, which a block use (`nodes.stem.cout`)
    /// may gain.
    func apply(to root: inout YAMLNode, limits: Limits, blockArguments: [String: [String]] = [:]) throws(ConvGraphError) {
        let source = "--set \(dottedPath)"
        var valueNode: YAMLNode
        let trimmed = value.trimmingSpaces
        if trimmed.isEmpty {
            valueNode = YAMLNode(.scalar("", plain: true, tag: nil), at: SourceLocation(file: source, line: 1, column: 1))
        } else {
            valueNode = try YAMLParser(file: source, limits: limits).parse(Array(value.utf8))
        }
        let nodeNames = root["nodes"]?.pairs?.map(\.key) ?? []
        try Self.set(&root, path: path[...], prefix: [], value: &valueNode, override: self, nodeNames: nodeNames, blockArguments: blockArguments)
    }

    private static func set(_ node: inout YAMLNode, path: ArraySlice<String>, prefix: [String], value: inout YAMLNode,
                            override: Override, nodeNames: [String], blockArguments: [String: [String]]) throws(ConvGraphError) {
        guard let key = path.first else {
            node = value
            return
        }
        let here = prefix + [key]
        // Inside `train`, a subsection written empty (`checkpoint:`, `adam:`) may gain keys.
        if prefix.first == "train", case .null = node.resolved, node.pairs == nil, node.elements == nil,
           !allowedKeys(at: prefix, in: node, nodeNames: nodeNames, blockArguments: blockArguments).isEmpty {
            node.content = .mapping([])
        }
        switch node.content {
        case .mapping(var pairs):
            if let i = pairs.firstIndex(where: { $0.key == key }) {
                try set(&pairs[i].value, path: path.dropFirst(), prefix: here, value: &value, override: override, nodeNames: nodeNames, blockArguments: blockArguments)
                node.content = .mapping(pairs)
                return
            }
            let allowed = allowedKeys(at: prefix, in: node, nodeNames: nodeNames, blockArguments: blockArguments)
            // Inside `train`, a whole subsection the file omits may be added on the way
            // (`train.checkpoint.keep=1` without `checkpoint:`); the next key is checked
            // against that subsection's keys in turn.
            if path.count > 1, prefix.first == "train", allowed.contains(key) {
                var added = YAMLNode(.mapping([]), at: value.location)
                try set(&added, path: path.dropFirst(), prefix: here, value: &value, override: override, nodeNames: nodeNames, blockArguments: blockArguments)
                pairs.append(YAMLNode.Pair(key: key, keyLocation: value.location, value: added))
                node.content = .mapping(pairs)
                return
            }
            guard path.count == 1, allowed.contains(key) else {
                let existing = pairs.map(\.key)
                throw ConvGraphError(.usage, Diagnostic(
                    "--set '\(override.text)': the graph has no '\(here.joined(separator: "."))'", file: nil,
                    notes: Diagnostic.didYouMean(key, among: Set(existing + allowed).sorted())
                        + [.init(existing.isEmpty ? "'\(prefix.joined(separator: "."))' is empty" : "'\(prefix.isEmpty ? "the graph file" : prefix.joined(separator: "."))' has \(existing.map { "'\($0)'" }.joined(separator: ", "))")]))
            }
            pairs.append(YAMLNode.Pair(key: key, keyLocation: value.location, value: value))
            node.content = .mapping(pairs)
        case .sequence(var items):
            guard let i = Int(key), i >= 0, i < items.count else {
                throw ConvGraphError(.usage, Diagnostic(
                    "--set '\(override.text)': '\(prefix.joined(separator: "."))' is a list of \(items.count); '\(key)' is not an index in 0..<\(items.count)", file: nil))
            }
            try set(&items[i], path: path.dropFirst(), prefix: here, value: &value, override: override, nodeNames: nodeNames, blockArguments: blockArguments)
            node.content = .sequence(items)
        case .scalar:
            throw ConvGraphError(.usage, Diagnostic(
                "--set '\(override.text)': '\(prefix.joined(separator: "."))' is a single value, it has no '\(key)'", file: nil))
        }
    }

    /// The keys a mapping at `prefix` may gain (`nodeNames`: the graph's nodes, which
    /// `train.data` and `train.eval.data` may name).
    private static func allowedKeys(at prefix: [String], in node: YAMLNode, nodeNames: [String], blockArguments: [String: [String]]) -> [String] {
        if prefix.first == "train" {
            let inside = Array(prefix.dropFirst())
            if inside == ["data"] || inside == ["eval", "data"] { return nodeNames }
            return GraphFileDecoder.trainKeys(at: inside) ?? []
        }
        switch prefix.count {
        case 0: return GraphFileDecoder.topLevelKeys
        case 1 where prefix[0] == "backward": return GraphFileDecoder.backwardKeys
        case 1 where prefix[0] == "save": return GraphFileDecoder.saveKeys
        case 2 where prefix[0] == "nodes":
            if case .string(let block)? = node["block"]?.resolved, let arguments = blockArguments[block] {
                return ["block", "repeat"] + arguments
            }
            if case .string(let opName)? = node["op"]?.resolved, let op = OpRegistry.byName[opName] {
                return ["op"] + op.attributeNames
            }
            return ["op"]
        default: return []
        }
    }
}

extension String {
    var trimmingSpaces: Substring {
        var s = self[...]
        while let c = s.first, c == " " || c == "\t" || c == "\n" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" || c == "\n" { s = s.dropLast() }
        return s
    }
}
