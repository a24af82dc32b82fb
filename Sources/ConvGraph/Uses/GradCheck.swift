/// Compares backward with central finite differences in float64 (SPEC §7 `gradcheck`),
/// whatever the graph's dtype.
///
/// The checked function is f = Σ seed ⊙ from (just `from` for a scalar). For each `wrt`
/// leaf, entries are checked (all of them up to `maxSamples`, else an evenly spaced sample
/// that includes the first and last); each costs two forward passes. An entry whose ±eps
/// perturbation changes a max-pool argmax or a relu's sign pattern crosses a kink: it is
/// skipped and counted, not failed.
/// error = |a − n| / max(|a|, |n|, 10⁻³ · the leaf's largest |a|).
public struct GradCheck: Sendable {
    public struct LeafReport: Sendable {
        public var name: String
        public var checked: Int
        public var skipped: Int
        public var worstIndex: [Int]
        public var analytic: Double
        public var numeric: Double
        public var error: Double
    }

    public var eps: Double = 1e-4
    public var tolerance: Double = 1e-6
    public var maxSamples: Int = 256
    /// Threads the kernels use (results do not depend on it).
    public var parallelism: Parallelism = .allCores
    /// `maxMemoryBytes` is compared with the float64 plan of the check (SPEC §8).
    public var limits: Limits = .default

    /// The mode both the analytic and the numeric passes run in (`--eval`).
    public var mode: Mode = .train

    public init() {}

    public func check(_ graph: Graph, executor base: Executor? = nil) throws(ConvGraphError) -> [LeafReport] {
        let fed = Dictionary(uniqueKeysWithValues: (base?.fed ?? [:]).map { (graph.nodes[$0.key].name, $0.value) })
        return try check(graph, fed: fed, params: [])
    }

    /// Checks a graph loaded with its `--input` and `--params` files (see `GraphFeeds`).
    public func check(_ loaded: GraphFeeds.Loaded) throws(ConvGraphError) -> [LeafReport] {
        try check(loaded.graph, fed: loaded.fed, params: loaded.params)
    }

    func check(_ graph: Graph, fed: [String: AnyTensor], params: [(node: String, tensor: AnyTensor)]) throws(ConvGraphError) -> [LeafReport] {
        guard let backward = graph.backward else {
            throw ConvGraphError(.invalidInput, Diagnostic("the graph declares no 'backward' section; there is nothing to check", file: graph.path))
        }
        try graph.checkMemoryLimit(limits, for: .gradcheck)
        let wrt = graph.file.backward?.wrt == nil ? Self.defaultWrt(graph) : backward.wrt
        // float64 whatever the graph's dtype; only `from` and the `wrt` gradients are kept.
        let selection = RunPlan.Selection(values: [backward.from], grads: wrt)
        let analyticSession = try Session(graph: graph, mode: mode, forwardOnly: false, keepAll: false, parallelism: parallelism,
                                          fed: fed, computeIn: .float64, selection: selection, keepsBuffers: false)
        let probe = try Session(graph: graph, mode: mode, forwardOnly: true, keepAll: false, parallelism: parallelism,
                                fed: fed, computeIn: .float64, selection: selection, keepsBuffers: true)
        // After both sessions drew every init: a loaded param still consumed its draws.
        for (node, tensor) in params {
            try analyticSession.parameters.set(node, tensor)
            try probe.parameters.set(node, tensor)
        }
        let analytic = try analyticSession.step()
        // The seed of a non-scalar `from`, as the session drew it.
        let seed: [Double]? = backward.grad == nil ? nil : analyticSession.core.backwardSeed?.doubles.scalars
        let fromName = graph.nodes[backward.from].name

        func evaluate(_ leaf: Int, _ value: Tensor<Double>) throws(ConvGraphError) -> (Double, Int) {
            let (result, kinks) = try probe.stepHashingKinks(feeds: [leaf: AnyTensor(value)])
            let out = result.value(fromName)?.doubles.scalars ?? []
            let f = seed.map { s in zip(s, out).map { $0 * $1 } }.map { pairwiseSum($0) } ?? (out.first ?? .nan)
            return (f, kinks)
        }

        var reports: [LeafReport] = []
        for leaf in wrt {
            let node = graph.nodes[leaf]
            guard let x = analyticSession.parameters[node.name]?.doubles, let grad = analytic.grad(node.name)?.doubles else { continue }
            let n = x.count
            let indices: [Int] = n <= maxSamples ? Array(0..<n) : (0..<maxSamples).map { $0 * (n - 1) / (maxSamples - 1) }
            let scale = grad.scalars.reduce(0) { max($0, abs($1)) }
            var report = LeafReport(name: node.name, checked: 0, skipped: 0, worstIndex: [], analytic: 0, numeric: 0, error: 0)
            for i in indices {
                var plus = x, minus = x
                plus.scalars[i] += eps
                minus.scalars[i] -= eps
                let (fp, kp) = try evaluate(leaf, plus)
                let (fm, km) = try evaluate(leaf, minus)
                if kp != km {
                    report.skipped += 1
                    continue
                }
                let numeric = (fp - fm) / (2 * eps)
                let a = grad.scalars[i]
                let error = abs(a - numeric) / max(abs(a), abs(numeric), 1e-3 * scale, .leastNormalMagnitude)
                report.checked += 1
                if error > report.error || report.worstIndex.isEmpty {
                    report.error = error
                    report.analytic = a
                    report.numeric = numeric
                    report.worstIndex = Self.multiIndex(i, node.shape)
                }
            }
            reports.append(report)
        }
        return reports
    }

    /// The leaves checked when `backward` lists no `wrt` (SPEC §7): every leaf with a path
    /// to `from` on which each input carries a gradient (`Op.propagatesGradient`), so a leaf
    /// reaching `from` only as a `cross_entropy` index target is left out (its gradient is
    /// zero by definition). Declaration order.
    static func defaultWrt(_ graph: Graph) -> [Int] {
        guard let from = graph.backward?.from else { return [] }
        var reaches = Array(repeating: false, count: graph.nodes.count)
        reaches[from] = true
        // Reverse topological order: a node is settled before its inputs are visited.
        for i in graph.order.reversed() where reaches[i] {
            let node = graph.nodes[i]
            let shapes = node.inputs.map { graph.nodes[$0].shape }
            for (k, p) in node.inputs.enumerated() where node.op.propagatesGradient(toInput: k, inputShapes: shapes) {
                reaches[p] = true
            }
        }
        return graph.backward?.wrt.filter { reaches[$0] } ?? []
    }

    /// The share of a leaf's sampled entries skipped as kinks from which `gradcheck`
    /// suggests a smaller `--eps`.
    public static let largeKinkShare = 0.1

    /// One line per leaf that skipped entries: how many of its sampled entries crossed a
    /// kink, with a smaller `--eps` suggested when they are a large share (SPEC §7).
    public func kinkReport(_ reports: [LeafReport]) -> String {
        var text = ""
        for r in reports where r.skipped > 0 {
            let sampled = r.checked + r.skipped
            let share = Double(r.skipped) / Double(sampled)
            let percent = share < 0.01 ? "<1" : String(Int((share * 100).rounded()))
            text += "leaf '\(r.name)': \(r.skipped) of \(sampled) sampled entries (\(percent)%) skipped as kinks (a ±eps step crosses a max-pool tie or a relu sign change)"
            if share >= Self.largeKinkShare {
                text += "; a large share: try a smaller --eps, such as \(NumberFormat.significant(eps / 10))"
            }
            text += "\n"
        }
        return text
    }

    static func multiIndex(_ flat: Int, _ shape: Shape) -> [Int] {
        var rest = flat
        var out = Array(repeating: 0, count: shape.rank)
        for axis in stride(from: shape.rank - 1, through: 0, by: -1) {
            out[axis] = rest % shape[axis]
            rest /= shape[axis]
        }
        return out
    }

    /// The report table; `passed` is false when any leaf's worst error exceeds the tolerance.
    public func table(_ reports: [LeafReport]) -> (text: String, passed: Bool) {
        var table = TextTable(headers: ["leaf", "checked", "skipped", "worst index", "analytic", "numeric", "error", ""], rightAligned: [1, 2, 4, 5, 6])
        var passed = true
        for r in reports {
            let ok = r.error <= tolerance
            passed = passed && ok
            table.append([r.name, String(r.checked), String(r.skipped), "[" + r.worstIndex.map(String.init).joined(separator: ", ") + "]",
                          NumberFormat.significant(r.analytic, 10), NumberFormat.significant(r.numeric, 10),
                          NumberFormat.significant(r.error, 3), ok ? "ok" : "FAIL"])
        }
        var text = table.rendered
        text += kinkReport(reports)
        text += "float64 central differences, eps \(NumberFormat.significant(eps)), tolerance \(NumberFormat.significant(tolerance)); skipped entries cross a kink (max-pool tie or relu sign change).\n"
        return (text, passed)
    }
}
