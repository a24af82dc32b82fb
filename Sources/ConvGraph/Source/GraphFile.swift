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
    /// The effective YAML after overrides, kept for the manifest.
    public var tree: YAMLNode
}
