/// The checks a `train` section adds (SPEC §10): a scalar loss, `backward.wrt` limited to
/// trainable params that reach it, batchnorm statistics held by params of their own, and
/// `data` naming input nodes of one batch size that cover every input without `init`.
/// Checks that need the data files' contents (shapes, sample counts, labels) come later,
/// when the files are read.
extension GraphBuilder {
    /// Params wired where an op keeps state (batchnorm `mean`/`var`), with that op's node.
    static func stateHolders(_ built: [Graph.Node?]) -> [Int: (holder: Int, port: String)] {
        var out: [Int: (holder: Int, port: String)] = [:]
        for (i, node) in built.enumerated() {
            guard let node else { continue }
            for (k, p) in node.inputs.enumerated() where node.op.holdsState(input: k) {
                let port = (node.op as? BatchNorm).map { $0.index(.mean) == k ? "mean" : "var" } ?? "state"
                if out[p] == nil { out[p] = (i, port) }
            }
        }
        return out
    }

    /// The nodes with a path to `from` (`from` included).
    static func ancestors(of from: Int, built: [Graph.Node?]) -> Set<Int> {
        var seen: Set<Int> = [from]
        var stack = [from]
        while let i = stack.popLast() {
            for p in built[i]?.inputs ?? [] where seen.insert(p).inserted { stack.append(p) }
        }
        return seen
    }

    /// `backward.wrt` with `train`: the listed leaves (`named`) or by default every param
    /// that is not batchnorm state and reaches `from`, in declaration order. Reports a
    /// non-scalar loss, and a listed input, state param or param with no path to `from`.
    mutating func trainedParams(named: [(index: Int, name: GraphFile.Name)]?, from: Int, fromShape: Shape,
                                built: [Graph.Node?]) -> [Int]? {
        var ok = true
        let fromName = file.nodes[from].name
        if !fromShape.isScalar {
            error("'train' needs a scalar loss, but 'backward.from' names '\(fromName)' with shape \(fromShape.bracketed)",
                  at: file.backward?.from.location ?? file.nodes[from].location,
                  notes: [.init("reduce it to a scalar with a loss op (l2, mse, cross_entropy)")])
            ok = false
        }
        let state = Self.stateHolders(built)
        let reaching = Self.ancestors(of: from, built: built)
        guard let named else {
            let trained = file.nodes.indices.filter { file.nodes[$0].op is Leaf.Param && state[$0] == nil && reaching.contains($0) }
            return ok ? trained : nil
        }
        var trained: [Int] = []
        for (i, name) in named {
            let node = file.nodes[i]
            if node.op is Leaf.Input {
                error("'backward.wrt' names '\(name.text)', an input; with 'train', only params are trained", at: name.location,
                      notes: [.init("leave 'wrt' out to train every param")])
                ok = false
            } else if let (holder, port) = state[i] {
                error("'backward.wrt' names '\(name.text)', the running '\(port)' of batchnorm '\(file.nodes[holder].name)'; it is state, updated from the batch statistics, not by the optimizer",
                      at: name.location)
                ok = false
            } else if !reaching.contains(i) {
                error("'backward.wrt' names '\(name.text)', which has no path to the loss '\(fromName)'; its gradient is always zero",
                      at: name.location, notes: [.init("'\(name.text)' is declared here", at: node.location)])
                ok = false
            } else {
                trained.append(i)
            }
        }
        return ok ? trained.sorted() : nil
    }

    /// Checks `train` against the graph and binds its data files; `nil` when the graph has
    /// no `train` or it has errors (reported).
    mutating func resolveTrain(index: [String: Int], built: [Graph.Node?], backward: Graph.Backward?) -> Graph.Train? {
        guard let section = file.train else { return nil }
        var ok = backward != nil
        let nodes = file.nodes

        // Batchnorm statistics: params feeding only their batchnorm.
        var consumers = Array(repeating: [Int](), count: built.count)
        for (i, node) in built.enumerated() {
            for p in Set(node?.inputs ?? []).sorted() { consumers[p].append(i) }
        }
        for (p, (holder, port)) in Self.stateHolders(built).sorted(by: { $0.key < $1.key }) {
            let bn = nodes[holder].name
            if !(nodes[p].op is Leaf.Param) {
                error("batchnorm '\(bn)' takes its running '\(port)' from '\(nodes[p].name)', a \(nodes[p].op.name) node; with 'train' it must be a param",
                      at: nodes[p].location, notes: [.init("batchnorm '\(bn)' is declared here", at: nodes[holder].location)])
                ok = false
            } else if let other = consumers[p].first(where: { $0 != holder }) {
                error("param '\(nodes[p].name)' is the running '\(port)' of batchnorm '\(bn)' and must feed only it, but it also feeds '\(nodes[other].name)'",
                      at: nodes[p].location, notes: [.init("'\(nodes[other].name)' is declared here", at: nodes[other].location)])
                ok = false
            } else if (built[holder]?.inputs.filter { $0 == p }.count ?? 0) > 1 {
                error("param '\(nodes[p].name)' is wired into batchnorm '\(bn)' twice; its running 'mean' and 'var' need a param each",
                      at: nodes[p].location)
                ok = false
            }
        }

        // `data`: input nodes, one batch size, every input without `init`.
        let data = resolveDataFiles(section.data, index: index, part: "data")
        ok = ok && data != nil
        var batchSize: Int?
        var first: (name: String, at: SourceLocation)?
        for file in data ?? [] {
            guard let shape = built[file.node]?.shape, let n = shape.dims.first else { ok = false; continue }
            let name = nodes[file.node].name
            if let b = batchSize, let first, n != b {
                error("'train.data' feeds '\(name)' with batch size N = \(n), but '\(first.name)' with N = \(b); every data node needs the same N",
                      at: file.location, notes: [.init("'\(first.name)' is named here", at: first.at)])
                ok = false
            } else if batchSize == nil {
                batchSize = n
                first = (name, file.location)
            }
        }
        if !trainIncomplete.contains("data") {
            let named = Set(section.data.map(\.node.text))
            for (i, node) in nodes.enumerated() where node.op is Leaf.Input && (node.op as? any LeafOp)?.initSpec == nil && !named.contains(node.name) {
                error("input '\(node.name)' has no 'init' and is not named in 'train.data'",
                      at: section.dataLocation ?? section.location,
                      notes: [.init("'\(node.name)' is declared here", at: nodes[i].location),
                              .init("add it, as in '\(node.name): FILE.npy'")])
                ok = false
            }
        }

        // `eval.data`: exactly the nodes of `data`; inference mode needs batchnorm statistics.
        var evalData: [Graph.Train.DataFile]?
        if let written = section.evalData {
            evalData = resolveDataFiles(written, index: index, part: "eval.data")
            ok = ok && evalData != nil
            if let evalData, let data, !trainIncomplete.contains("data"), !trainIncomplete.contains("eval.data") {
                let trainNodes = Set(data.map(\.node))
                let evalNodes = Set(evalData.map(\.node))
                for (file, name) in zip(evalData, written.map(\.node)) where !trainNodes.contains(file.node) {
                    error("'train.eval.data' names '\(name.text)', which 'train.data' does not; eval.data names exactly the nodes of data",
                          at: name.location)
                    ok = false
                }
                for (file, name) in zip(data, section.data.map(\.node)) where !evalNodes.contains(file.node) {
                    error("'train.eval.data' lacks '\(name.text)', which 'train.data' feeds; eval.data names exactly the nodes of data",
                          at: section.evalDataLocation ?? section.location, notes: [.init("'\(name.text)' is named here", at: name.location)])
                    ok = false
                }
            }
            for (i, node) in built.enumerated() {
                guard let bn = node?.op as? BatchNorm, !bn.hasRunningStatistics else { continue }
                error("'train.eval' runs in inference mode, which needs batchnorm '\(nodes[i].name)' to have its 'mean' and 'var' ports wired",
                      at: section.evalDataLocation ?? section.location, notes: [.init("'\(nodes[i].name)' is declared here", at: nodes[i].location)])
                ok = false
            }
        }

        guard ok, let backward, let data, let batchSize else { return nil }
        return Graph.Train(section: section, data: data, evalData: evalData, seed: section.seed ?? file.seed,
                           trained: backward.wrt, batchSize: batchSize)
    }

    /// The data files bound to their nodes, each an `input`; `nil` when one is not.
    mutating func resolveDataFiles(_ files: [TrainSection.DataFile], index: [String: Int], part: String) -> [Graph.Train.DataFile]? {
        var out: [Graph.Train.DataFile] = []
        var ok = true
        for file in files {
            guard let i = resolveDataName(file.node, index: index, part: part) else {
                ok = false
                continue
            }
            out.append(.init(node: i, path: file.path, location: file.pathLocation))
        }
        return ok ? out : nil
    }

    /// An input node named in `data`: an unknown name has a did-you-mean note among the
    /// inputs; a node of another op is an error.
    mutating func resolveDataName(_ name: GraphFile.Name, index: [String: Int], part: String) -> Int? {
        guard let i = index[name.text] else {
            if failedNodes.contains(name.text) { return nil }
            let inputs = file.nodes.filter { $0.op is Leaf.Input }.map(\.name)
            error("unknown node '\(NameRules.printable(name.text))' in 'train.\(part)'", at: name.location,
                  notes: Diagnostic.didYouMean(name.text, among: inputs + failedNodes.filter(NameRules.isValidNodeName).sorted())
                      + [.init(inputs.isEmpty ? "the graph has no input nodes" : "the input nodes are \(inputs.joined(separator: ", "))")])
            return nil
        }
        guard file.nodes[i].op is Leaf.Input else {
            error("'train.\(part)' names '\(name.text)', a \(file.nodes[i].op.name) node; only input nodes take data", at: name.location,
                  notes: [.init("'\(name.text)' is declared here", at: file.nodes[i].location)])
            return nil
        }
        return i
    }
}
