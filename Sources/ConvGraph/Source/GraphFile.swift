/// A graph file decoded and type-checked, but not yet resolved into a DAG: names are
/// still names, and every item keeps its position for the builder's diagnostics.
public struct GraphFile: Sendable {
    /// A name as written, with its position.
    public struct Name: Sendable, Hashable {
        public var text: String
        public var location: SourceLocation
    }

    public struct Node: Sendable {
        public var name: String
        /// Where the node's name (its key under `nodes:`) is written.
        public var location: SourceLocation
        public var op: any Op
        /// Where each attribute's value is written, by YAML key; `op` included.
        public var attributeLocations: [String: SourceLocation]
    }

    public struct Edge: Sendable {
        public var source: Name
        public var destination: Name
        /// The port named after `.`, if any.
        public var port: Name?
    }

    public struct Backward: Sendable {
        public var from: Name
        public var grad: InitSpec?
        public var gradLocation: SourceLocation?
        /// `nil`: every input and param.
        public var wrt: [Name]?
    }

    public var path: String
    public var name: String
    public var seed: UInt32
    public var dtype: DType
    public var nodes: [Node]
    public var edges: [Edge]
    public var backward: Backward?
    public var saveValues: [Name]?
    public var saveGrads: [Name]?
    /// Where `save.grads` is written (it needs `backward`).
    public var saveGradsLocation: SourceLocation?
    /// The `train` section (SPEC §10), if the file has one.
    public var train: TrainSection? = nil
    /// The effective YAML after overrides, kept for the manifest (after block expansion:
    /// plain nodes and edges, no `blocks` or `include`).
    public var tree: YAMLNode
    /// Every file the graph file includes, transitively, as resolved (relative to the
    /// working directory when the graph's path is), in the order first read (SPEC §11.1).
    public var includedFiles: [String] = []
    /// The sha256 of each included file's bytes as read, by its path in `includedFiles`.
    public var includedFileSHA256: [String: String] = [:]
    /// Every block instance, in expansion order (SPEC §11.1).
    public var blockInstances: [BlockInstance] = []
    /// An instance listed in `save.values` is saved under its own name (`values/stem.npy`,
    /// SPEC §11.1): its output node's name → the instance name.
    public var savedValueAliases: [String: String] = [:]
    /// Whether the graph was expanded from blocks or includes (node names may hold `/`).
    public var isExpanded = false

    /// A block instance of the expanded graph: its nodes are those named `NAME/…`.
    public struct BlockInstance: Sendable, Hashable {
        /// `stem`; for a `repeat`, the whole chain (`stage1`) and each repetition (`stage1/0`).
        public var name: String
        /// The block it instantiates.
        public var block: String
        /// For the whole chain of a `repeat`, the number of repetitions; `nil` otherwise.
        public var repetitions: Int?
    }
}
