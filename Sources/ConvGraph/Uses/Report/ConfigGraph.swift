/// The graph a run used, rebuilt from its manifest's `config` (the effective graph after
/// overrides, SPEC §6) rather than from the graph file, which may have changed or moved
/// since: the config is what ran.
///
/// The JSON tree becomes a YAML tree (strings quoted, so they stay strings; numbers, booleans
/// and null plain, so they resolve as they did), every position at `graphFile:1:1`, and is
/// built like a file (relative `{file:}` and `include` paths resolve against `graphFile`'s
/// folder, so they are found when the run's files are where they were).
enum ConfigGraph {
    /// The checked graph of `config`.
    /// - Throws: the diagnostics of building it (65), or 66 when a file it names is gone.
    static func build(config: JSONValue, graphFile: String, limits: Limits) throws(ConvGraphError) -> Graph {
        let at = SourceLocation(file: graphFile, line: 1, column: 1)
        var nodes = 0
        guard let root = yaml(config, at: at, depth: 0, limits: limits, nodes: &nodes) else {
            throw ConvGraphError(.invalidInput, Diagnostic("the manifest's config is deeper or larger than the limits allow", at: at))
        }
        return try Graph.build(root: root, path: graphFile, limits: limits)
    }

    /// `value` as a YAML tree, or nil past the YAML depth or node limits (the recursion is
    /// bounded by `limits.maxYAMLDepth`).
    static func yaml(_ value: JSONValue, at: SourceLocation, depth: Int, limits: Limits, nodes: inout Int) -> YAMLNode? {
        nodes += 1
        guard depth <= limits.maxYAMLDepth, nodes <= limits.maxYAMLNodes else { return nil }
        func plain(_ text: String) -> YAMLNode { YAMLNode(.scalar(text, plain: true, tag: nil), at: at) }
        switch value {
        case .null: return plain("null")
        case .bool(let b): return plain(b ? "true" : "false")
        case .int(let i): return plain(String(i))
        case .double(let d):
            if d.isNaN { return plain(".nan") }
            if d.isInfinite { return plain(d > 0 ? ".inf" : "-.inf") }
            return plain("\(d)")
        case .string(let s): return YAMLNode(.scalar(s, plain: false, tag: nil), at: at)
        case .array(let items):
            var out: [YAMLNode] = []
            for item in items {
                guard let node = yaml(item, at: at, depth: depth + 1, limits: limits, nodes: &nodes) else { return nil }
                out.append(node)
            }
            return YAMLNode(.sequence(out), at: at)
        case .object(let pairs):
            var out: [YAMLNode.Pair] = []
            for (key, item) in pairs {
                guard let node = yaml(item, at: at, depth: depth + 1, limits: limits, nodes: &nodes) else { return nil }
                out.append(YAMLNode.Pair(key: key, keyLocation: at, value: node))
            }
            return YAMLNode(.mapping(out), at: at)
        }
    }
}
