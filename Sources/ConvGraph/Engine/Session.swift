/// A graph compiled for many steps: the plan (what to compute, keep and free), the
/// topological order and the buffers are made once per (graph, mode, gradient set); the
/// leaves are initialised once and kept in a `ParameterStore`.
///
/// `step(feeds:)` runs forward (and backward, unless the session is forward-only) with any
/// leaf fed for that step, params included, and returns the saved values and gradients by
/// node. Tensor buffers are pooled by size across nodes and kept from one step to the next,
/// so a session holds about the plan's peak of live bytes and, after the first step, a step
/// on fixed shapes allocates no tensor memory (`lastStepAllocatedBytes` is 0).
///
/// Results are the same bytes for any thread count, and the same as a one-shot `Executor`
/// run of the same graph. A session is not thread-safe; several sessions may run the same
/// `Graph` at once.
public final class Session {
    public let graph: Graph
    public let mode: Mode
    /// Whether steps skip backward.
    public let forwardOnly: Bool
    /// Whether steps return every computed value and gradient, not only the saved ones.
    public let keepAll: Bool
    /// Threads the kernels use; results do not depend on it.
    public var parallelism: Parallelism
    /// Told before each node runs, forward then backward.
    public var progress: (@Sendable (RunProgress) -> Void)?
    /// The leaves' values, kept across steps.
    public var parameters: ParameterStore
    /// The graph's random stream after every init (and an unseeded `backward.grad` seed)
    /// drew: what a later draw would continue from. Read and restore it to resume exactly.
    public var randomState: RandomState
    /// Tensor bytes the last step had to allocate (0 once the buffers are warm).
    public var lastStepAllocatedBytes: Int { core.lastStepAllocatedBytes }
    /// Bytes of the tensor buffers kept for the next step (after a step on fixed shapes:
    /// about the plan's peak of intermediates, plus results the caller drops).
    var keptBytes: Int { core.keptBytes }

    let core: any SessionCore

    /// Compiles `graph` and fills its leaves from their inits, in declaration order.
    /// - Parameters:
    ///   - graph: the checked graph.
    ///   - mode: `.train` (batch statistics) or `.eval` (inference); an op that cannot run
    ///     in it as wired is refused.
    ///   - forwardOnly: skip backward in every step.
    ///   - keepAll: return every computed value and gradient, not only the saved ones.
    ///   - parallelism: threads the kernels use (results do not depend on it).
    ///   - fed: leaves fed at every step (`--input`): they consume their init's draws but
    ///     keep no initialised value; their tensors are stored as given.
    /// - Throws: `.invalidInput` for a fed tensor of the wrong shape or a mode an op cannot
    ///   run in, `.usage` for a fed name that is not a leaf.
    public convenience init(graph: Graph, mode: Mode = .train, forwardOnly: Bool = false, keepAll: Bool = false,
                            parallelism: Parallelism = .allCores, fed: [String: AnyTensor] = [:]) throws(ConvGraphError) {
        try self.init(graph: graph, mode: mode, forwardOnly: forwardOnly, keepAll: keepAll, parallelism: parallelism,
                      fed: fed, computeIn: graph.dtype, selection: nil, keepsBuffers: true)
    }

    /// - Parameters:
    ///   - dtype: the scalar type steps compute in (gradcheck runs a float32 graph in
    ///     float64); leaves are drawn in float64 and rounded once to it.
    ///   - other: a session computing in the same scalar type whose buffer pools this one
    ///     shares (a training's evaluation sessions: their steps never overlap the training's,
    ///     so both together keep about the larger plan's peak, not the sum); ignored for
    ///     another scalar type. The two must be stepped by one thread at a time.
    init(graph: Graph, mode: Mode, forwardOnly: Bool, keepAll: Bool, parallelism: Parallelism,
         fed: [String: AnyTensor], computeIn dtype: DType, selection: RunPlan.Selection?, keepsBuffers: Bool,
         sharingBuffersWith other: Session? = nil) throws(ConvGraphError) {
        self.graph = graph
        self.mode = mode
        self.forwardOnly = forwardOnly
        self.keepAll = keepAll
        self.parallelism = parallelism
        for node in graph.nodes {
            if let reason = node.op.unsupportedReason(in: mode) {
                throw ConvGraphError(.invalidInput, Diagnostic("node '\(node.name)' cannot run in \(mode.rawValue) mode: \(reason)", at: node.location))
            }
        }
        var names: [String: Int] = [:]
        for (i, node) in graph.nodes.enumerated() where node.isLeaf { names[node.name] = i }
        var store = ParameterStore(count: graph.nodes.count, names: names, shapes: graph.nodes.map(\.shape), dtype: dtype)
        var fedIndices = Set<Int>()
        for (name, tensor) in fed {
            try store.set(name, tensor)
            if let i = names[name] { fedIndices.insert(i) }
        }
        let plan = RunPlan(graph: graph, forwardOnly: forwardOnly, keepAll: keepAll, selection: selection)
        var initializer = Initializer(seed: graph.seed)
        switch dtype {
        case .float64:
            Self.initialize(graph, plan: plan, skipping: fedIndices, &store, &initializer, as: Double.self)
            core = SessionCoreOf<Double>(graph: graph, plan: plan, mode: mode, keepsBuffers: keepsBuffers,
                                         sharing: other?.core as? SessionCoreOf<Double>, initializer: &initializer)
        case .float32:
            Self.initialize(graph, plan: plan, skipping: fedIndices, &store, &initializer, as: Float.self)
            core = SessionCoreOf<Float>(graph: graph, plan: plan, mode: mode, keepsBuffers: keepsBuffers,
                                        sharing: other?.core as? SessionCoreOf<Float>, initializer: &initializer)
        }
        parameters = store
        randomState = initializer.stream
    }

    /// Runs one step. `feeds` replace leaf values for this step only (by node name).
    /// - Throws: `.usage` for a feed naming no leaf or an unfed input without init,
    ///   `.invalidInput` for a feed of the wrong shape or a forward that fails on the data.
    public func step(feeds: [String: AnyTensor] = [:]) throws(ConvGraphError) -> RunResult {
        var overrides: [Int: AnyTensor] = [:]
        for (name, tensor) in feeds {
            guard let i = parameters.names[name] else {
                throw ConvGraphError(.usage, Diagnostic("the graph has no leaf '\(NameRules.printable(name))' to feed", file: nil,
                                                        notes: Diagnostic.didYouMean(name, among: Array(parameters.names.keys))))
            }
            guard tensor.shape == graph.nodes[i].shape else {
                throw ConvGraphError(.invalidInput, Diagnostic("the tensor fed to '\(name)' has shape \(tensor.shape.bracketed), but the node has shape \(graph.nodes[i].shape.bracketed)", file: nil))
            }
            overrides[i] = ParameterStore.converted(tensor, to: parameters.dtype)
        }
        return try core.step(store: parameters, overrides: overrides, parallelism: parallelism, progress: progress, hashKinks: false).result
    }

    /// One forward-only step that also fingerprints the kinks met (gradcheck).
    func stepHashingKinks(feeds: [Int: AnyTensor]) throws(ConvGraphError) -> (result: RunResult, kinks: Int) {
        try core.step(store: parameters, overrides: feeds, parallelism: parallelism, progress: progress, hashKinks: true)
    }

    /// The leaves' values in `T`, for leaves the plan computes.
    private static func initialize<T: TensorScalar>(_ graph: Graph, plan: RunPlan, skipping fed: Set<Int>,
                                                    _ store: inout ParameterStore, _ initializer: inout Initializer, as _: T.Type) {
        var layouts: [Int: FanLayout] = [:]
        for node in graph.nodes {
            for (k, p) in node.inputs.enumerated() where graph.nodes[p].isLeaf {
                let layout = node.op.fanLayout(ofInput: k)
                if layout != .standard { layouts[p] = layout }
            }
        }
        for (i, node) in graph.nodes.enumerated() {
            guard let leaf = node.leaf, let spec = leaf.initSpec else { continue }
            if fed.contains(i) {
                // Its init still draws, so the other leaves' values do not change.
                initializer.skip(spec, shape: node.shape)
            } else {
                let fans = Initializer.fans(node.shape, iohw: layouts[i] == .swappedLeadingAxes)
                store.set(index: i, AnyTensor(Tensor(shape: node.shape, scalars: initializer.values(spec, shape: node.shape, fans: fans, as: T.self))))
            }
        }
    }
}
