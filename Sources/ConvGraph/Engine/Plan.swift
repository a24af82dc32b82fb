/// What one run computes, keeps and frees, decided from the graph alone (before any
/// tensor exists). The executor follows it; `plannedPeakBytes` walks it with byte counts.
struct RunPlan {
    let doBackward: Bool
    /// Whether every computed value and gradient is returned.
    let keepAll: Bool
    /// Nodes backward visits: descendants of a `wrt` leaf or of a saved-gradient node that
    /// are ancestors of `from` (SPEC §2: every saved gradient is the true dL/d(node)).
    let region: [Bool]
    /// Nodes forward computes: ancestors of the saved values and of `from`.
    let computed: [Bool]
    /// Values backward reads (each op declares what it reads).
    let keepForBackward: [Bool]
    /// Values returned to the caller.
    let saved: [Bool]
    /// Forward readers of each value; it is freed after the last.
    let readers: [Int]
    /// Gradients returned to the caller (others are freed once propagated).
    let keptGrads: Set<Int>

    /// What `graph` saves, or `selection` when given (gradcheck asks for `from` and the
    /// `wrt` gradients only).
    let selection: Selection

    /// The values and gradients a step returns.
    struct Selection: Hashable {
        var values: [Int]
        var grads: [Int]
    }

    init(graph: Graph, forwardOnly: Bool, keepAll: Bool, selection: Selection? = nil) {
        let selection = selection ?? Selection(values: graph.saveValues, grads: graph.saveGrads)
        self.selection = selection
        let n = graph.nodes.count
        doBackward = graph.backward != nil && !forwardOnly
        self.keepAll = keepAll
        region = doBackward ? Self.backwardRegion(graph) : Array(repeating: false, count: n)

        var computed = Array(repeating: false, count: n)
        for i in selection.values { computed[i] = true }
        if doBackward, let b = graph.backward { computed[b.from] = true }
        if keepAll { computed = Array(repeating: true, count: n) }
        for i in graph.order.reversed() where computed[i] {
            for p in graph.nodes[i].inputs { computed[p] = true }
        }
        self.computed = computed

        var keep = Array(repeating: false, count: n)
        if doBackward {
            for i in 0..<n where region[i] && !graph.nodes[i].isLeaf {
                let op = graph.nodes[i].op
                if op.backwardReadsOutput { keep[i] = true }
                for (k, p) in graph.nodes[i].inputs.enumerated() where op.backwardReadsInput(k) { keep[p] = true }
            }
        }
        keepForBackward = keep

        var saved = Array(repeating: false, count: n)
        for i in selection.values { saved[i] = true }
        if keepAll { saved = Array(repeating: true, count: n) }
        self.saved = saved

        var readers = Array(repeating: 0, count: n)
        for i in 0..<n where computed[i] { for p in graph.nodes[i].inputs { readers[p] += 1 } }
        self.readers = readers
        keptGrads = keepAll ? Set(0..<n) : Set(selection.grads)
    }

    private static func backwardRegion(_ graph: Graph) -> [Bool] {
        guard let b = graph.backward else { return Array(repeating: false, count: graph.nodes.count) }
        let n = graph.nodes.count
        // Sources: the `wrt` leaves and every node whose gradient is saved. A node off
        // every `wrt` path still needs the paths from it to `from` for its true gradient.
        var fromSource = Array(repeating: false, count: n)
        for leaf in b.wrt { fromSource[leaf] = true }
        for i in graph.saveGrads { fromSource[i] = true }
        for i in graph.order where !fromSource[i] {
            fromSource[i] = graph.nodes[i].inputs.contains { fromSource[$0] }
        }
        var toFrom = Array(repeating: false, count: n)
        toFrom[b.from] = true
        for i in graph.order.reversed() where toFrom[i] {
            for p in graph.nodes[i].inputs { toFrom[p] = true }
        }
        return (0..<n).map { fromSource[$0] && toFrom[$0] }
    }
}

extension Graph {
    /// The most tensor bytes alive at once in a default run (forward, then backward when
    /// declared): leaves, the values backward reads, gradients, and each intermediate until
    /// its last reader. Computed from shapes alone; a run's `peakTensorBytes` equals it.
    public func plannedPeakBytes(forwardOnly: Bool = false) -> Int {
        plannedPeakBytes(RunPlan(graph: self, forwardOnly: forwardOnly, keepAll: false), scalarBytes: dtype.byteSize)
    }

    /// The peak of `plan` with tensors of `scalar`-byte elements.
    func plannedPeakBytes(_ plan: RunPlan, scalarBytes scalar: Int) -> Int {
        func bytes(_ i: Int) -> Int { nodes[i].shape.count * scalar }
        var live = 0, peak = 0
        func allocate(_ b: Int) { live += b; peak = max(peak, live) }
        var alive = Array(repeating: false, count: nodes.count)
        var readers = plan.readers
        for i in order where plan.computed[i] && nodes[i].isLeaf { allocate(bytes(i)); alive[i] = true }
        func release(_ i: Int) {
            guard alive[i] else { return }
            alive[i] = false
            if !(plan.keepForBackward[i] || plan.saved[i]) { live -= bytes(i) }
        }
        for i in order where plan.computed[i] && !nodes[i].isLeaf {
            allocate(bytes(i))
            alive[i] = true
            for p in nodes[i].inputs {
                readers[p] -= 1
                if readers[p] == 0 { release(p) }
            }
            if readers[i] == 0 { release(i) }
        }
        guard plan.doBackward, let b = backward, plan.region[b.from] else { return peak }
        var hasGrad = Array(repeating: false, count: nodes.count)
        allocate(bytes(b.from))
        hasGrad[b.from] = true
        for i in order.reversed() where plan.region[i] && !nodes[i].isLeaf && hasGrad[i] {
            for p in nodes[i].inputs where plan.region[p] && !hasGrad[p] {
                allocate(bytes(p))
                hasGrad[p] = true
            }
            if !plan.keptGrads.contains(i) {
                live -= bytes(i)
                hasGrad[i] = false
            }
        }
        return peak
    }
}

/// The run whose plan is compared with the memory limit (SPEC §8: the plan of the command
/// actually run).
public enum PlannedRun: Sendable, Hashable {
    /// `run` (forward, then backward when declared), `bench`.
    case full
    /// `run --forward-only`.
    case forwardOnly
    /// `gradcheck`: the analytic run, planned in float64 whatever the graph's dtype.
    case gradcheck

    var description: String {
        switch self {
        case .full: "for a full run"
        case .forwardOnly: "for a --forward-only run"
        case .gradcheck: "for gradcheck (in float64)"
        }
    }
}

extension Graph {
    /// The planned peak of `run` (what `check` prints for it and what `--max-memory` is
    /// compared with).
    public func plannedPeakBytes(for run: PlannedRun) -> Int {
        switch run {
        case .full: return plannedPeakBytes()
        case .forwardOnly: return plannedPeakBytes(forwardOnly: true)
        case .gradcheck:
            guard let b = backward else { return plannedPeakBytes() }
            let selection = RunPlan.Selection(values: [b.from], grads: b.wrt)
            return [false, true].map { forwardOnly in
                plannedPeakBytes(RunPlan(graph: self, forwardOnly: forwardOnly, keepAll: false, selection: selection),
                                 scalarBytes: DType.float64.byteSize)
            }.max() ?? 0
        }
    }

    /// Refuses (65) a run whose planned peak tensor memory exceeds `limits.maxMemoryBytes`,
    /// before anything is allocated; the error states both numbers. Reported at the graph
    /// file's first line (the limit concerns the whole graph).
    public func checkMemoryLimit(_ limits: Limits, for run: PlannedRun) throws(ConvGraphError) {
        let planned = plannedPeakBytes(for: run)
        guard planned > limits.maxMemoryBytes else { return }
        func both(_ n: Int) -> String { "\(NumberFormat.grouped(n)) bytes (\(GraphBuilder.formatBytes(n)))" }
        var notes: [Diagnostic.Note] = []
        if run == .full, backward != nil {
            let forward = plannedPeakBytes(forwardOnly: true)
            if forward <= limits.maxMemoryBytes { notes.append(.init("a --forward-only run plans \(both(forward)), within the limit")) }
        }
        notes.append(.init("raise the limit with --max-memory, or make the shapes smaller"))
        throw ConvGraphError(.invalidInput, Diagnostic(
            "planned peak tensor memory \(both(planned)) \(run.description) exceeds --max-memory \(both(limits.maxMemoryBytes))",
            at: SourceLocation(file: path, line: 1, column: 1), notes: notes))
    }
}
