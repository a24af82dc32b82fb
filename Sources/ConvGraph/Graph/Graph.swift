/// A checked, shape-inferred DAG: every edge resolved, every port complete, no cycle,
/// every shape inferred, every attribute in range, within the limits. Immutable and
/// `Sendable`: one graph may be run by several executors at once.
///
/// Nodes are addressed by their index in declaration order; `index(of:)` finds a name in
/// O(1).
public struct Graph: Sendable {
    /// One checked node: its op with decoded attributes, its inputs in port order, its inferred shape.
    public struct Node: Sendable {
        /// The name declared in the graph file.
        public let name: String
        /// The op with its decoded attributes (``Conv``, ``Pool``, …).
        public let op: any Op
        /// Producers of the inputs, flattened in port order.
        public let inputs: [Int]
        /// The inferred output shape.
        public let shape: Shape
        /// The arithmetic behind the spatial output size, for messages.
        public let explanation: [String]
        /// Where the node is declared.
        public let location: SourceLocation
        /// Forward FLOPs (a multiply-add counts 2).
        public let flops: Int
        /// Elements of a `param` (0 for every other op).
        public let parameterCount: Int

        /// The leaf op, for `input` and `param` nodes.
        public var leaf: (any LeafOp)? { op as? any LeafOp }
        /// Whether the node is an `input` or a `param`.
        public var isLeaf: Bool { leaf != nil }
        /// An `input`: a leaf a run may feed.
        public var isFed: Bool { leaf.map { type(of: $0).isFed } ?? false }
    }

    /// The checked `backward` section.
    public struct Backward: Sendable {
        /// The node differentiated (a scalar is seeded with 1).
        public let from: Int
        /// The seed of a non-scalar `from` (`nil` for a scalar `from`).
        public let grad: InitSpec?
        /// The leaves differentiated.
        public let wrt: [Int]
    }

    /// The `graph` name (or the one derived from the file name).
    public let name: String
    /// The path the graph was loaded from (``parse(yaml:path:overrides:limits:)``'s `path`).
    public let path: String
    /// The `seed` of the graph's random stream.
    public let seed: UInt32
    /// The dtype of every tensor.
    public let dtype: DType
    /// In declaration order (which fixes RNG draws).
    public let nodes: [Node]
    /// A topological order; declaration order breaks ties.
    public let order: [Int]
    /// The `backward` section, if the graph declares one.
    public let backward: Backward?
    /// Indices of the nodes whose values a run saves (`save.values`, or its default).
    public let saveValues: [Int]
    /// Indices of the nodes whose gradients a run saves (`save.grads`, or its default).
    public let saveGrads: [Int]
    /// The decoded file (with the effective YAML after overrides).
    public let file: GraphFile
    /// The checked `train` section, if the graph declares one (`run` ignores it).
    public let train: Train?
    /// Node index by name.
    private let indexByName: [String: Int]

    init(name: String, path: String, seed: UInt32, dtype: DType, nodes: [Node], order: [Int], backward: Backward?,
         saveValues: [Int], saveGrads: [Int], file: GraphFile, train: Train? = nil) {
        self.name = name
        self.path = path
        self.seed = seed
        self.dtype = dtype
        self.nodes = nodes
        self.order = order
        self.backward = backward
        self.saveValues = saveValues
        self.saveGrads = saveGrads
        self.file = file
        self.train = train
        indexByName = Dictionary(nodes.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
    }
    /// The memory limit of the `Limits` the graph was checked with. It is not checked when
    /// the graph is built (what a graph needs depends on the run): `Executor.run` compares
    /// the plan of each run with it, as `run`, `bench` and `gradcheck` do with theirs.
    public internal(set) var maxMemoryBytes: Int = Limits.defaultMemoryBytes

    /// The index of the node called `name`.
    /// - Complexity: O(1) on average.
    public func index(of name: String) -> Int? {
        indexByName[name]
    }

    /// The node called `name`.
    public subscript(name: String) -> Node? {
        indexByName[name].map { nodes[$0] }
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
