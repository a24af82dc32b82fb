/// A checked, shape-inferred DAG: every edge resolved, every port complete, no cycle,
/// every shape inferred, every attribute in range, within the limits. Immutable and
/// `Sendable`: one graph may be run by several executors at once.
public struct Graph: Sendable {
    /// One checked node: its op with decoded attributes, its inputs in port order, its inferred shape.
    public struct Node: Sendable {
        /// The name declared in the graph file.
        public var name: String
        /// The op with its decoded attributes (``Conv``, ``Pool``, …).
        public var op: any Op
        /// Producers of the inputs, flattened in port order.
        public var inputs: [Int]
        /// The inferred output shape.
        public var shape: Shape
        /// The arithmetic behind the spatial output size, for messages.
        public var explanation: [String]
        /// Where the node is declared.
        public var location: SourceLocation
        /// Forward FLOPs (a multiply-add counts 2).
        public var flops: Int
        /// Elements of a `param` (0 for every other op).
        public var parameterCount: Int

        /// The leaf op, for `input` and `param` nodes.
        public var leaf: (any LeafOp)? { op as? any LeafOp }
        /// Whether the node is an `input` or a `param`.
        public var isLeaf: Bool { leaf != nil }
    }

    /// The checked `backward` section.
    public struct Backward: Sendable {
        /// The node differentiated (a scalar is seeded with 1).
        public var from: Int
        /// The seed of a non-scalar `from` (`nil` for a scalar `from`).
        public var grad: InitSpec?
        /// The leaves differentiated.
        public var wrt: [Int]
    }

    /// The `graph` name (or the one derived from the file name).
    public var name: String
    /// The path the graph was loaded from (``parse(yaml:path:overrides:limits:)``'s `path`).
    public var path: String
    /// The `seed` of the graph's random stream.
    public var seed: UInt32
    /// The dtype of every tensor.
    public var dtype: DType
    /// In declaration order (which fixes RNG draws).
    public var nodes: [Node]
    /// A topological order; declaration order breaks ties.
    public var order: [Int]
    /// The `backward` section, if the graph declares one.
    public var backward: Backward?
    /// Indices of the nodes whose values a run saves (`save.values`, or its default).
    public var saveValues: [Int]
    /// Indices of the nodes whose gradients a run saves (`save.grads`, or its default).
    public var saveGrads: [Int]
    /// The decoded file (with the effective YAML after overrides).
    public var file: GraphFile
    /// The memory limit of the `Limits` the graph was checked with. It is not checked when
    /// the graph is built (what a graph needs depends on the run): `Executor.run` compares
    /// the plan of each run with it, as `run`, `bench` and `gradcheck` do with theirs.
    public var maxMemoryBytes: Int = Limits.defaultMemoryBytes

    /// The index of the node called `name`.
    public func index(of name: String) -> Int? {
        nodes.firstIndex(where: { $0.name == name })
    }

    /// Consumers of each node, in topological order of the consumer.
    public var consumers: [[Int]] {
        var out = Array(repeating: [Int](), count: nodes.count)
        for i in order {
            for p in Set(nodes[i].inputs).sorted() { out[p].append(i) }
        }
        return out
    }
}
