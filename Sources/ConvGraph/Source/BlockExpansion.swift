/// Expands the block instances of a graph file (SPEC §11.1) into plain nodes and edges,
/// before the graph is decoded and checked.
///
/// - A node `{block: NAME, ARG: VALUE…, repeat: R}` becomes the block's nodes named
///   `INSTANCE/INNER`, or `INSTANCE/k/INNER` for each repetition k of a `repeat`, the
///   output of repetition k feeding the first port of repetition k + 1.
/// - Nodes are emitted in expanded declaration order (instance by instance, inner nodes in
///   block order), which is the order of the init draws.
/// - Edges: `INSTANCE` is the block's output as a source and its first port as a
///   destination, `INSTANCE.PORT` another port, `INSTANCE/INNER` an inner node. An edge
///   from a port inside a block is emitted, in the block's edge order, once for each edge
///   into that port of the instance.
/// - Limits: the expanded node count is computed arithmetically before anything is
///   expanded (`Limits.maxGraphNodes`), and instances nest at most `Limits.maxBlockDepth`.
struct BlockExpansion {
    /// The expanded graph: the YAML tree without `blocks`/`include` (nodes and edges
    /// written out), the edges with each name's own position, and the instances.
    struct Result {
        var root: YAMLNode
        /// `nil`: read the tree's `edges` (a tree expanded earlier).
        var edges: [GraphFile.Edge]?
        var includedFiles: [String]
        var includedFileSHA256: [String: String] = [:]
        var instances: [GraphFile.BlockInstance]
        /// Output node → the instance name `save.values` listed for it (saved under that name).
        var savedValueAliases: [String: String] = [:]
    }

    private enum Member { case node(String), instance(Int) }

    private struct Scope {
        var prefix: String
        var block: BlockDefinition?
        var members: [String: Member] = [:]
        /// Members whose declaration had errors: edges naming them are not reported again.
        var failed = Set<String>()
        var edges: [YAMLNode]
        /// The instance and repetition the scope is (nil at the top level).
        var instance: Int?
        var repetition = 0
        var trail: [BlockInstanceReference] = []
    }

    private struct Instance {
        var name: String
        var block: BlockDefinition
        var location: SourceLocation
        var repeated: Bool
        var repetitions: [Int] = []
        /// What each port is fed by (edges into `INSTANCE` or `INSTANCE.PORT`), in order.
        var feeders: [String: [Source]] = [:]
    }

    private enum Source {
        case node(GraphFile.Name)
        case port(scope: Int, port: String, location: SourceLocation)
    }

    private enum Destination {
        case node(GraphFile.Name)
        case port(instance: Int, port: String)
    }

    /// A block use as read from its node: the block, its arguments and repetitions.
    private struct Use {
        var block: BlockDefinition
        var arguments: [String: YAMLNode]
        var repeatCount: Int?
    }

    let library: BlockLibrary
    let limits: Limits
    var diagnostics: [Diagnostic] = []
    private var nodes: [YAMLNode.Pair] = []
    private var scopes: [Scope] = []
    private var instances: [Instance] = []
    private var unfedPorts = Set<String>()

    init(library: BlockLibrary, limits: Limits) {
        self.library = library
        self.limits = limits
    }

    /// Expands `root`; `nil` with `diagnostics` set when the blocks cannot be expanded.
    mutating func expand(_ root: YAMLNode) -> Result? {
        diagnostics += library.diagnostics
        checkCycles()
        guard diagnostics.isEmpty, let top = root.pairs, let nodesNode = root["nodes"], let pairs = nodesNode.pairs else {
            return diagnostics.isEmpty ? Result(root: root, edges: [], includedFiles: library.includedFiles, instances: []) : nil
        }
        // The node limit, from the arguments alone: nothing is expanded for a refused graph.
        var scratch: [Diagnostic] = []
        let total = count(pairs, arguments: nil, depth: 0, into: &scratch)
        if total > limits.maxGraphNodes {
            var running = 0
            var at = nodesNode.location
            var culprit: [Diagnostic.Note] = []
            for pair in pairs {
                let n = count([pair], arguments: nil, depth: 0, into: &scratch)
                running = running.addingSaturated(n)
                if running > limits.maxGraphNodes {
                    at = pair.keyLocation
                    if pair.value["block"] != nil {
                        culprit = [.init(n > limits.maxGraphNodes ? "instance '\(pair.key)' alone expands to more than \(limits.maxGraphNodes) nodes" : "the limit is crossed at instance '\(pair.key)'")]
                    }
                    break
                }
            }
            diagnostics.append(Diagnostic("block expansion makes more than \(limits.maxGraphNodes) nodes, the limit",
                                          at: at, notes: culprit + [.init("raise it with --max-nodes")]))
            return nil
        }
        scopes = [Scope(prefix: "", block: nil, edges: root["edges"].map { $0.elements ?? [$0] } ?? [])]
        emit(scope: 0, pairs, arguments: nil, depth: 0)
        let edges = resolveEdges()
        guard diagnostics.isEmpty else { return nil }

        // The tree the rest of the loader sees: plain nodes, edges written out, names in
        // `save` and `backward` resolved (an instance stands for its output).
        var out: [YAMLNode.Pair] = []
        var aliases: [String: String] = [:]
        for pair in top where pair.key == "save" {
            for item in pair.value["values"].map({ $0.elements ?? [$0] }) ?? [] {
                if case .scalar(let text, _, _) = item.content, let full = outputName(text), full != text { aliases[full] = text }
            }
        }
        for pair in top where pair.key != "blocks" && pair.key != "include" {
            var pair = pair
            switch pair.key {
            case "nodes": pair.value = YAMLNode(.mapping(nodes), at: nodesNode.location)
            case "edges":
                pair.value = YAMLNode(.sequence(edges.map { e in
                    YAMLNode(.scalar("\(e.source.text) -> \(e.destination.text)\(e.port.map { "." + $0.text } ?? "")", plain: false, tag: nil),
                             at: e.destination.location)
                }), at: pair.value.location)
            case "save", "backward":
                pair.value = resolvingNames(pair.value, depth: 0)
            default: break
            }
            out.append(pair)
        }
        var blockInstances: [GraphFile.BlockInstance] = []
        for instance in instances {
            if instance.repeated {
                blockInstances.append(.init(name: instance.name, block: instance.block.name, repetitions: instance.repetitions.count))
            }
            for k in instance.repetitions.indices {
                blockInstances.append(.init(name: instance.repeated ? "\(instance.name)/\(k)" : instance.name, block: instance.block.name, repetitions: nil))
            }
        }
        return Result(root: YAMLNode(.mapping(out), at: root.location), edges: edges,
                      includedFiles: library.includedFiles, includedFileSHA256: library.includedFileSHA256, instances: blockInstances,
                      savedValueAliases: aliases)
    }

    // MARK: Cycles and counts

    /// Reports each block that uses itself, directly or not, naming the cycle.
    private mutating func checkCycles() {
        var state: [String: Int] = [:]  // 1: on the path, 2: done
        for start in library.blocks.keys.sorted() where state[start] == nil {
            // Iterative depth-first search: (block, index of its next use).
            var stack: [(String, Int)] = [(start, 0)]
            state[start] = 1
            while let (name, next) = stack.last {
                let uses = library.blocks[name]?.uses ?? []
                guard next < uses.count else {
                    state[name] = 2
                    stack.removeLast()
                    continue
                }
                stack[stack.count - 1].1 += 1
                let (used, at) = uses[next]
                guard library.blocks[used] != nil else { continue }
                switch state[used] {
                case 1:
                    let path = stack.map(\.0)
                    let from = path.firstIndex(of: used) ?? 0
                    diagnostics.append(Diagnostic("block cycle: \((path[from...] + [used]).joined(separator: " -> "))", at: at,
                                                  notes: [.init("a block cannot use itself, directly or through other blocks")]))
                case 2: break
                default:
                    state[used] = 1
                    stack.append((used, 0))
                }
            }
        }
    }

    /// The number of nodes `pairs` expand to (saturating), without expanding them.
    /// Stops early once the limit is passed, so the work is bounded by the limit.
    private func count(_ pairs: [YAMLNode.Pair], arguments: [String: YAMLNode]?, depth: Int, into scratch: inout [Diagnostic]) -> Int {
        var total = 0
        for pair in pairs {
            guard pair.value["block"] != nil else {
                total = total.addingSaturated(1)
                continue
            }
            guard depth < limits.maxBlockDepth, let use = readUse(pair, arguments: arguments, trail: [], into: &scratch) else { continue }
            let inner = count(use.block.nodes, arguments: use.arguments, depth: depth + 1, into: &scratch)
            total = total.addingSaturated(saturatingProduct([inner, use.repeatCount ?? 1]))
            if total > limits.maxGraphNodes { return total }
        }
        return total
    }

    /// Reads a block use: its block, arguments (defaults applied, `$NAME` of the enclosing
    /// instance substituted) and `repeat`.
    private func readUse(_ pair: YAMLNode.Pair, arguments outer: [String: YAMLNode]?, trail: [BlockInstanceReference],
                         into diagnostics: inout [Diagnostic]) -> Use? {
        var outerSubstitution = BlockSubstitution(arguments: outer ?? [:], trail: trail)
        func value(_ node: YAMLNode) -> YAMLNode { outer == nil ? node : outerSubstitution.apply(node) }
        let stamp = { (l: SourceLocation) -> SourceLocation in var c = l; if outer != nil { c.instances = trail }; return c }
        guard let blockNode = pair.value["block"], case .string(let name) = blockNode.resolved,
              blockNode.pairs == nil, blockNode.elements == nil else {
            let node = pair.value["block"] ?? pair.value
            diagnostics.append(Diagnostic("'block' takes a block name, not \(node.kindDescription)", at: stamp(node.location)))
            return nil
        }
        guard let block = library.blocks[name] else {
            let known = library.blocks.keys.sorted()
            diagnostics.append(Diagnostic("unknown block '\(NameRules.printable(name))'", at: stamp(blockNode.location),
                                          notes: Diagnostic.didYouMean(name, among: known)
                                              + [.init(known.isEmpty ? "the graph defines no blocks" : "blocks are \(known.joined(separator: ", "))")]))
            return nil
        }
        let names = block.arguments.map(\.name)
        var given: [String: YAMLNode] = [:]
        var repeatCount: Int?
        var failed = false
        for item in pair.value.pairs ?? [] where item.key != "block" {
            if item.key == "repeat" {
                let node = value(item.value)
                if case .int(let r) = node.resolved, node.pairs == nil, node.elements == nil, r >= 1 {
                    repeatCount = r
                } else {
                    diagnostics.append(Diagnostic("'repeat' takes an integer of at least 1, not \(node.kindDescription)", at: stamp(node.location)))
                    failed = true
                }
                continue
            }
            guard names.contains(item.key) else {
                if item.key == "op" {
                    diagnostics.append(Diagnostic("a node has either 'op' or 'block', not both", at: stamp(item.keyLocation)))
                } else {
                    diagnostics.append(Diagnostic("unknown argument '\(item.key)' for block '\(name)'", at: stamp(item.keyLocation),
                                                  notes: Diagnostic.didYouMean(item.key, among: names + ["repeat"])
                                                      + [.init(names.isEmpty ? "block '\(name)' takes no arguments" : "block '\(name)' takes \(names.joined(separator: ", "))")]))
                }
                failed = true
                continue
            }
            given[item.key] = value(item.value)
        }
        diagnostics += outerSubstitution.diagnostics
        var arguments: [String: YAMLNode] = [:]
        for argument in block.arguments {
            if let v = given[argument.name] ?? argument.defaultValue {
                arguments[argument.name] = v
            } else {
                diagnostics.append(Diagnostic("instance '\(pair.key)' of block '\(name)' lacks the required argument '\(argument.name)'",
                                              at: stamp(pair.keyLocation), notes: [.init("'\(argument.name)' is declared here", at: argument.location)]))
                failed = true
            }
        }
        return failed || !outerSubstitution.diagnostics.isEmpty ? nil : Use(block: block, arguments: arguments, repeatCount: repeatCount)
    }

    // MARK: Expansion

    private mutating func emit(scope s: Int, _ pairs: [YAMLNode.Pair], arguments: [String: YAMLNode]?, depth: Int) {
        let prefix = scopes[s].prefix
        let trail = scopes[s].trail
        for pair in pairs {
            var keyLocation = pair.keyLocation
            if arguments != nil { keyLocation.instances = trail }
            guard NameRules.isValidNodeName(pair.key) else {
                diagnostics.append(Diagnostic("invalid node name '\(NameRules.printable(pair.key))'", at: keyLocation,
                                              notes: [.init("a node name matches [A-Za-z_][A-Za-z0-9_]* and has at most 128 characters (it becomes a file name); only block expansion adds '/'")]))
                continue
            }
            if let block = scopes[s].block, block.inputs.contains(where: { $0.text == pair.key }) {
                diagnostics.append(Diagnostic("node '\(pair.key)' has the name of a port of block '\(block.name)'", at: keyLocation))
                continue
            }
            let full = prefix.isEmpty ? pair.key : "\(prefix)/\(pair.key)"
            guard pair.value["block"] != nil else {
                var value = pair.value
                if let arguments {
                    var substitution = BlockSubstitution(arguments: arguments, trail: trail)
                    value = substitution.apply(value)
                    diagnostics += substitution.diagnostics
                }
                nodes.append(YAMLNode.Pair(key: full, keyLocation: keyLocation, value: value))
                scopes[s].members[pair.key] = .node(full)
                continue
            }
            guard let use = readUse(pair, arguments: arguments, trail: trail, into: &diagnostics) else {
                scopes[s].failed.insert(pair.key)
                continue
            }
            guard depth < limits.maxBlockDepth else {
                scopes[s].failed.insert(pair.key)
                diagnostics.append(Diagnostic("blocks nest more than \(limits.maxBlockDepth) deep", at: keyLocation,
                                              notes: [.init("instance '\(full)' of block '\(use.block.name)' is at depth \(depth + 1)")]))
                continue
            }
            let index = instances.count
            instances.append(Instance(name: full, block: use.block, location: keyLocation, repeated: use.repeatCount != nil))
            scopes[s].members[pair.key] = .instance(index)
            for k in 0..<(use.repeatCount ?? 1) {
                let name = use.repeatCount == nil ? full : "\(full)/\(k)"
                let reference = BlockInstanceReference(instance: name, block: use.block.name, location: keyLocation)
                var inner = Scope(prefix: name, block: use.block, edges: use.block.edges, instance: index, repetition: k)
                inner.trail = [reference] + trail
                scopes.append(inner)
                instances[index].repetitions.append(scopes.count - 1)
                emit(scope: scopes.count - 1, use.block.nodes, arguments: use.arguments, depth: depth + 1)
            }
        }
    }

    // MARK: Edges

    private mutating func resolveEdges() -> [GraphFile.Edge] {
        var pending: [(sources: [Source], destination: GraphFile.Name, port: GraphFile.Name?)] = []
        for s in scopes.indices {
            let trail = scopes[s].trail
            for item in scopes[s].edges {
                var at = item.location
                if scopes[s].block != nil { at.instances = trail }
                guard case .scalar(let text, let plain, _) = item.content, case .string = item.resolved else {
                    diagnostics.append(Diagnostic("an edge is a string such as 'a -> b' or 'a -> conv.weight', not \(item.kindDescription)", at: at))
                    continue
                }
                let parsed: [GraphFile.Edge]
                switch EdgeSyntax.parse(text, at: at, quoted: !plain) {
                case .success(let edges): parsed = edges
                case .failure(let d):
                    diagnostics.append(d)
                    continue
                }
                for edge in parsed {
                    guard let sources = resolveSource(edge.source, in: s),
                          let destination = resolveDestination(edge.destination, port: edge.port, in: s) else { continue }
                    switch destination {
                    case .node(let name): pending.append((sources, name, edge.port))
                    case .port(let instance, let port): instances[instance].feeders[port, default: []] += sources
                    }
                }
            }
        }
        var edges: [GraphFile.Edge] = []
        for p in pending {
            for source in p.sources {
                for name in flatten(source, depth: 0) {
                    edges.append(GraphFile.Edge(source: name, destination: p.destination, port: p.port))
                }
            }
        }
        return edges
    }

    /// The nodes a source stands for: itself, or what feeds a port (through the enclosing
    /// instances; depth bounded by the block nesting limit).
    private mutating func flatten(_ source: Source, depth: Int) -> [GraphFile.Name] {
        switch source {
        case .node(let name): return [name]
        case .port(let s, let port, let location):
            guard depth <= limits.maxBlockDepth, let i = scopes[s].instance else { return [] }
            let instance = instances[i]
            let k = scopes[s].repetition
            if k > 0, port == instance.block.inputs.first?.text {
                guard let output = output(of: instance.repetitions[k - 1]) else { return [] }
                return [GraphFile.Name(text: output, location: location)]
            }
            let feeders = instance.feeders[port] ?? []
            if feeders.isEmpty {
                if unfedPorts.insert("\(instance.name).\(port)").inserted {
                    diagnostics.append(Diagnostic("port '\(port)' of instance '\(instance.name)' has no edge into it", at: instance.location,
                                                  notes: [.init("add an edge such as 'SOURCE -> \(instance.name)\(port == instance.block.inputs.first?.text ? "" : "." + port)'")]))
                }
                return []
            }
            return feeders.flatMap { flatten($0, depth: depth + 1) }
        }
    }

    /// The full name of the node whose value is scope `s`'s output (through inner instances).
    private func output(of s: Int) -> String? {
        var scope = s
        for _ in 0...limits.maxBlockDepth {
            guard let block = scopes[scope].block, let member = scopes[scope].members[block.output.text] else { return nil }
            switch member {
            case .node(let name): return name
            case .instance(let i):
                guard let last = instances[i].repetitions.last else { return nil }
                scope = last
            }
        }
        return nil
    }

    /// Walks `A/B/k/C` from scope `s`: the member named last and the scope it is in, or
    /// an error. `allowPort`: a lone name may be a port of the scope's block.
    private mutating func walk(_ name: GraphFile.Name, from s: Int) -> (scope: Int, member: Member?, repetition: Int?)? {
        let segments = name.text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        var scope = s
        var k = 0
        while k < segments.count {
            let segment = segments[k]
            guard let member = scopes[scope].members[segment] else {
                if scopes[scope].failed.contains(segment) { return nil }
                let candidates = (Array(scopes[scope].members.keys) + Array(scopes[scope].failed)).sorted() + (k == 0 ? (scopes[scope].block?.inputs.map(\.text) ?? []) : [])
                let within = k == 0 ? (scopes[scope].block.map { " in block '\($0.name)'" } ?? "") : " in instance '\(scopes[scope].prefix)'"
                diagnostics.append(Diagnostic("unknown node '\(NameRules.printable(segment))'\(within)", at: name.location,
                                              notes: Diagnostic.didYouMean(segment, among: candidates)))
                return nil
            }
            if k == segments.count - 1 { return (scope, member, nil) }
            guard case .instance(let i) = member else {
                diagnostics.append(Diagnostic("'\(segments[...k].joined(separator: "/"))' is a node, not a block instance: it has no '\(segments[k + 1])'",
                                              at: name.location))
                return nil
            }
            let instance = instances[i]
            if instance.repeated {
                guard let r = Int(segments[k + 1]), r >= 0, r < instance.repetitions.count, String(r) == segments[k + 1] else {
                    diagnostics.append(Diagnostic("instance '\(instance.name)' repeats \(instance.repetitions.count) times: '\(segments[k + 1])' is not a repetition in 0..<\(instance.repetitions.count)",
                                                  at: name.location))
                    return nil
                }
                scope = instance.repetitions[r]
                if k + 1 == segments.count - 1 { return (scope, nil, r) }
                k += 2
            } else {
                guard let first = instance.repetitions.first else { return nil }
                scope = first
                k += 1
            }
        }
        return nil
    }

    private mutating func resolveSource(_ name: GraphFile.Name, in s: Int) -> [Source]? {
        if let block = scopes[s].block, block.inputs.contains(where: { $0.text == name.text }) {
            return [.port(scope: s, port: name.text, location: name.location)]
        }
        guard let (scope, member, _) = walk(name, from: s) else { return nil }
        switch member {
        case .node(let full)?: return [.node(GraphFile.Name(text: full, location: name.location))]
        case .instance(let i)?:
            guard let last = instances[i].repetitions.last, let output = output(of: last) else { return nil }
            return [.node(GraphFile.Name(text: output, location: name.location))]
        case nil:
            guard let output = output(of: scope) else { return nil }
            return [.node(GraphFile.Name(text: output, location: name.location))]
        }
    }

    private mutating func resolveDestination(_ name: GraphFile.Name, port: GraphFile.Name?, in s: Int) -> Destination? {
        if let block = scopes[s].block, block.inputs.contains(where: { $0.text == name.text }) {
            diagnostics.append(Diagnostic("'\(name.text)' is a port of block '\(block.name)': it can only be an edge's source", at: name.location))
            return nil
        }
        guard let (_, member, _) = walk(name, from: s) else { return nil }
        switch member {
        case .node(let full)?: return .node(GraphFile.Name(text: full, location: name.location))
        case .instance(let i)?:
            let block = instances[i].block
            let ports = block.inputs.map(\.text)
            guard let first = ports.first else {
                diagnostics.append(Diagnostic("block '\(block.name)' has no ports: nothing can feed instance '\(instances[i].name)'", at: name.location))
                return nil
            }
            guard let port else { return .port(instance: i, port: first) }
            guard ports.contains(port.text) else {
                diagnostics.append(Diagnostic("block '\(block.name)' has no port '\(NameRules.printable(port.text))'", at: port.location,
                                              notes: Diagnostic.didYouMean(port.text, among: ports) + [.init("its ports are \(ports.joined(separator: ", "))")]))
                return nil
            }
            return .port(instance: i, port: port.text)
        case nil:
            diagnostics.append(Diagnostic("an edge cannot feed one repetition of an instance: '\(name.text)'", at: name.location,
                                          notes: [.init("feed the instance itself; its first repetition takes the edge")]))
            return nil
        }
    }

    /// `save` or `backward` with each name of an instance replaced by its output's name.
    /// Names that do not resolve are left for the builder to report.
    private func resolvingNames(_ node: YAMLNode, depth: Int) -> YAMLNode {
        var copy = node
        switch node.content {
        case .scalar(let text, let plain, let tag):
            if case .string = node.resolved, let full = outputName(text) { copy.content = .scalar(full, plain: plain, tag: tag) }
        case .sequence(let items) where depth < 2:
            copy.content = .sequence(items.map { resolvingNames($0, depth: depth + 1) })
        case .mapping(let pairs) where depth < 1:
            copy.content = .mapping(pairs.map { p in
                var p = p
                if p.key == "from" || p.key == "wrt" || p.key == "values" || p.key == "grads" { p.value = resolvingNames(p.value, depth: depth + 1) }
                return p
            })
        default: break
        }
        return copy
    }

    /// The output node's name when `text` names an instance or a repetition at the top level.
    private func outputName(_ text: String) -> String? {
        let segments = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        var scope = 0
        var k = 0
        while k < segments.count {
            guard let member = scopes[scope].members[segments[k]] else { return nil }
            guard case .instance(let i) = member else { return nil }
            let instance = instances[i]
            if k == segments.count - 1 { return instance.repetitions.last.flatMap { output(of: $0) } }
            if instance.repeated {
                guard let r = Int(segments[k + 1]), r >= 0, r < instance.repetitions.count else { return nil }
                scope = instance.repetitions[r]
                if k + 1 == segments.count - 1 { return output(of: scope) }
                k += 2
            } else {
                guard let first = instance.repetitions.first else { return nil }
                scope = first
                k += 1
            }
        }
        return nil
    }
}
