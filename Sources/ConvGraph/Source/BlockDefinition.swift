/// One entry of a graph file's `blocks:` section (SPEC §11.1): a reusable subgraph with
/// ports, arguments and an output, kept as YAML until it is instantiated (its nodes are
/// decoded only after `$NAME` substitution, once per instance).
struct BlockDefinition: Sendable {
    /// An argument and its default; `nil`: required (`~`).
    struct Argument: Sendable {
        var name: String
        var defaultValue: YAMLNode?
        var location: SourceLocation
    }

    var name: String
    /// Where the block's name is written.
    var location: SourceLocation
    /// The ports, in order; the first is the default port.
    var inputs: [GraphFile.Name]
    var arguments: [Argument]
    /// The node (or inner instance) whose value is the block's output.
    var output: GraphFile.Name
    /// The block's `nodes:` entries as written (plain nodes and block uses).
    var nodes: [YAMLNode.Pair]
    /// The block's `edges:` items as written.
    var edges: [YAMLNode]

    static let keys = ["inputs", "args", "output", "nodes", "edges"]

    /// The names of the blocks the block's nodes use directly, with the position of each use.
    var uses: [(block: String, location: SourceLocation)] {
        nodes.compactMap { pair in
            guard case .string(let name)? = pair.value["block"]?.resolved, pair.value["block"]?.pairs == nil else { return nil }
            return (name, pair.value["block"]?.location ?? pair.keyLocation)
        }
    }

    /// Reads a block from its `blocks:` entry; errors are appended to `diagnostics`.
    static func read(_ pair: YAMLNode.Pair, into diagnostics: inout [Diagnostic]) -> BlockDefinition? {
        func error(_ message: String, at location: SourceLocation, notes: [Diagnostic.Note] = []) {
            diagnostics.append(Diagnostic(message, at: location, notes: notes))
        }
        guard NameRules.isValidNodeName(pair.key) else {
            error("invalid block name '\(NameRules.printable(pair.key))'", at: pair.keyLocation,
                  notes: [.init("a block name matches [A-Za-z_][A-Za-z0-9_]* and has at most 128 characters")])
            return nil
        }
        guard let body = pair.value.pairs else {
            error("block '\(pair.key)' takes a mapping with 'inputs', 'args', 'output', 'nodes' and 'edges', not \(pair.value.kindDescription)",
                  at: pair.value.location)
            return nil
        }
        let before = diagnostics.count
        for item in body where !keys.contains(item.key) {
            error("unknown key '\(item.key)' in block '\(pair.key)'", at: item.keyLocation, notes: Diagnostic.didYouMean(item.key, among: keys))
        }
        var inputs: [GraphFile.Name] = []
        if let node = pair.value["inputs"] {
            for item in node.elements ?? [node] {
                if case .string(let s) = item.resolved, item.pairs == nil, item.elements == nil, NameRules.isValidNodeName(s) {
                    if inputs.contains(where: { $0.text == s }) {
                        error("block '\(pair.key)' lists the port '\(s)' twice", at: item.location)
                    }
                    inputs.append(GraphFile.Name(text: s, location: item.location))
                } else {
                    error("'inputs' takes a list of port names such as [x], not \(item.kindDescription)", at: item.location)
                }
            }
        }
        var arguments: [Argument] = []
        if let node = pair.value["args"] {
            if let args = node.pairs {
                for arg in args {
                    guard NameRules.isValidNodeName(arg.key) else {
                        error("invalid argument name '\(NameRules.printable(arg.key))'", at: arg.keyLocation,
                              notes: [.init("an argument name matches [A-Za-z_][A-Za-z0-9_]*")])
                        continue
                    }
                    if ["block", "repeat"].contains(arg.key) {
                        error("'\(arg.key)' cannot be an argument name: it is a key of every block use", at: arg.keyLocation)
                        continue
                    }
                    let required = arg.value.pairs == nil && arg.value.elements == nil && arg.value.resolved == .null
                    arguments.append(Argument(name: arg.key, defaultValue: required ? nil : arg.value, location: arg.keyLocation))
                }
            } else if node.resolved != .null || node.elements != nil {
                error("'args' takes a mapping of argument names to defaults ('~': required), not \(node.kindDescription)", at: node.location)
            }
        }
        var nodes: [YAMLNode.Pair] = []
        if let node = pair.value["nodes"], let pairs = node.pairs, !pairs.isEmpty {
            nodes = pairs
        } else {
            error("block '\(pair.key)' needs 'nodes', a mapping of at least one node", at: pair.value["nodes"]?.location ?? pair.keyLocation)
        }
        var edges: [YAMLNode] = []
        if let node = pair.value["edges"] {
            if let items = node.elements { edges = items }
            else if node.pairs == nil, node.resolved != .null { edges = [node] }
            else if node.pairs != nil { error("'edges' takes a list of edges such as '- a -> b', not a mapping", at: node.location) }
        }
        var output: GraphFile.Name?
        if let node = pair.value["output"] {
            if case .string(let s) = node.resolved, node.pairs == nil, node.elements == nil {
                if nodes.contains(where: { $0.key == s }) {
                    output = GraphFile.Name(text: s, location: node.location)
                } else {
                    error("block '\(pair.key)' has no node '\(NameRules.printable(s))' to be its output", at: node.location,
                          notes: Diagnostic.didYouMean(s, among: nodes.map(\.key))
                              + (inputs.contains(where: { $0.text == s }) ? [.init("a block's output is one of its nodes, not a port")] : []))
                }
            } else {
                error("'output' takes a node name, not \(node.kindDescription)", at: node.location)
            }
        } else {
            error("block '\(pair.key)' needs 'output', the node whose value is the block's output", at: pair.keyLocation)
        }
        guard diagnostics.count == before, let output else { return nil }
        return BlockDefinition(name: pair.key, location: pair.keyLocation, inputs: inputs, arguments: arguments,
                               output: output, nodes: nodes, edges: edges)
    }
}
