#if canImport(Glibc)
import Glibc
#endif

/// Runs a checked graph: fills the leaves, runs forward in topological order, then
/// reverse-mode backward from `backward.from` over the values it cached.
///
/// - Forward computes only what is needed: nodes saved, nodes feeding a computed node,
///   and nodes on a path from a `wrt` leaf to `from`; backward visits every path to `from`
///   from a `wrt` leaf or a node whose gradient is saved, so each saved gradient is the
///   true dL/d(node) (zero only for a node with no path to `from`).
/// - It caches exactly what backward reads (each op declares it) and frees every other
///   intermediate as soon as its last reader ran; backward frees as it goes.
/// - Gradients of a node read by several others are summed, in a fixed order.
/// - The same graph and inputs give bit-identical results on every run.
///
/// `Executor` is a value; a `Graph` is immutable, so several executors may run the same
/// graph on several threads at once.
public struct Executor: Sendable {
    /// The graph this executor runs.
    public let graph: Graph
    /// Tensors fed to `input` nodes, by node index.
    public private(set) var fed: [Int: AnyTensor] = [:]
    /// Threads the kernels use (default: every core). Results are the same bytes for any
    /// thread count.
    public var parallelism: Parallelism
    /// Told before each node runs, forward then backward (for a progress line). It is
    /// called on the thread that called `run`.
    public var progress: (@Sendable (RunProgress) -> Void)?

    /// An executor for `graph`, with nothing fed, using `parallelism` threads.
    public init(graph: Graph, parallelism: Parallelism = .allCores) {
        self.graph = graph
        self.parallelism = parallelism
    }

    /// Feeds `tensor` to the `input` node `name` (its init still consumes its draws, so the
    /// other nodes' values do not change). Converted to the graph dtype.
    /// - Throws: `.usage` for an unknown or non-input node, `.invalidInput` for a shape
    ///   that differs from the node's.
    public mutating func feed<T: TensorScalar>(_ name: String, _ tensor: Tensor<T>) throws(ConvGraphError) {
        try feed(name, AnyTensor(tensor))
    }

    /// Feeds `tensor` (either dtype; converted to the graph's) to the `input` node `name`; see ``feed(_:_:)-(String,Tensor<T>)``.
    public mutating func feed(_ name: String, _ tensor: AnyTensor) throws(ConvGraphError) {
        guard let i = graph.index(of: name) else {
            throw ConvGraphError(.usage, Diagnostic("the graph has no node '\(NameRules.printable(name))' to feed", file: nil,
                                                    notes: Diagnostic.didYouMean(name, among: graph.nodes.filter { $0.isFed }.map(\.name))))
        }
        guard graph.nodes[i].isFed else {
            throw ConvGraphError(.usage, Diagnostic("node '\(name)' is a \(graph.nodes[i].op.name), not an input; only input nodes can be fed", file: nil))
        }
        guard tensor.shape == graph.nodes[i].shape else {
            throw ConvGraphError(.invalidInput, Diagnostic("the tensor fed to '\(name)' has shape \(tensor.shape.bracketed), but the node has shape \(graph.nodes[i].shape.bracketed)", file: nil))
        }
        fed[i] = tensor
    }

    /// Runs forward (and backward when the graph declares it and `forwardOnly` is false).
    /// - Parameters:
    ///   - forwardOnly: skip backward even when the graph declares it (`--forward-only`).
    ///   - keepAll: keep every computed value and gradient in the result, not only
    ///     the saved ones (for inspection; uses more memory, and is not held to the limit).
    /// - Throws: `.invalidInput` before anything is allocated when the run's planned peak
    ///   exceeds `graph.maxMemoryBytes` (the limit the graph was loaded with).
    public func run(forwardOnly: Bool = false, keepAll: Bool = false) throws(ConvGraphError) -> RunResult {
        if !keepAll {
            var limits = Limits()
            limits.maxMemoryBytes = graph.maxMemoryBytes
            try graph.checkMemoryLimit(limits, for: forwardOnly ? .forwardOnly : .full)
        }
        // One step: buffers are dropped as tensors die, so memory follows the plan.
        let session = try Session(graph: graph, mode: .train, forwardOnly: forwardOnly, keepAll: keepAll, parallelism: parallelism,
                                  fed: Dictionary(uniqueKeysWithValues: fed.map { (graph.nodes[$0.key].name, $0.value) }),
                                  computeIn: graph.dtype, selection: nil, keepsBuffers: false)
        session.progress = progress
        return try session.step()
    }
}

/// What a run produced.
public struct RunResult: Sendable {
    /// Saved values (all computed values with `keepAll`), in declaration order.
    public var values: [(name: String, tensor: AnyTensor)]
    /// Saved gradients dL/d(node), in declaration order; empty for a forward-only run.
    public var grads: [(name: String, tensor: AnyTensor)]
    /// Wall time of the forward compute alone (no loading or saving).
    public var forwardMilliseconds: Double
    /// Wall time of the backward compute alone; 0 for a forward-only run.
    public var backwardMilliseconds: Double
    /// The most tensor bytes alive at once during the run.
    public var peakTensorBytes: Int
    /// Whether backward ran.
    public var ranBackward: Bool
    /// Compute time of each node that ran (not leaves), in topological order.
    public var nodeTimings: [NodeTiming] = []
    /// New values of the leaves an op holds as state (batchnorm's running `mean` and
    /// `var`), computed from this step's batch in training mode, by leaf name. A step
    /// never applies them itself: a trainer writes them into the `ParameterStore`.
    public var stateUpdates: [(name: String, tensor: AnyTensor)] = []

    /// The value of node `name`, if the run kept it (saved, or any computed node with `keepAll`).
    public func value(_ name: String) -> AnyTensor? { values.first(where: { $0.name == name })?.tensor }
    /// dL/d(node `name`), if the run kept it (saved, or any node backward reached with `keepAll`).
    public func grad(_ name: String) -> AnyTensor? { grads.first(where: { $0.name == name })?.tensor }
}

/// One node's compute time in a run.
public struct NodeTiming: Sendable, Hashable {
    /// The node's name.
    public var name: String
    /// The node's op (`conv`, `pool`, …).
    public var op: String
    /// Forward compute time, in milliseconds.
    public var forwardMilliseconds: Double
    /// 0 when backward did not visit the node.
    public var backwardMilliseconds: Double
    /// Forward FLOPs (a multiply-add counts 2).
    public var flops: Int
}

/// Where a run is: told before each node runs.
public struct RunProgress: Sendable, Hashable {
    /// Which pass is running.
    public enum Phase: String, Sendable { case forward, backward }
    /// The pass the next node belongs to.
    public var phase: Phase
    /// The node about to run: `step` of `steps` (from 0) in this phase.
    public var step: Int
    /// How many nodes this pass computes.
    public var steps: Int
    /// The node about to run.
    public var node: String
    /// Milliseconds since this phase began.
    public var elapsedMilliseconds: Double
}

/// Monotonic wall clock in milliseconds.
func monotonicMilliseconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec) / 1_000_000
}
