/// Everything `convgraph report` shows of one run directory (SPEC §11.3), gathered by
/// ``ReportRequest`` and rendered by ``html``: the manifest, the graph rebuilt from it, each
/// saved tensor's digest and, for a trained run, its metrics.
///
/// A part that could not be read is not fatal: the page says what is missing and why
/// (`graphProblem`, a tensor's `problem`, `metricsProblem`), and shows the rest.
public struct RunReport: Sendable {
    /// One tensor the manifest lists.
    public struct Tensor: Sendable {
        /// The node's name.
        public var name: String
        /// `value`, `grad` or `param`.
        public var kind: String
        /// Relative to the run directory (`values/conv.npy`).
        public var file: String
        /// As read from the file (nil when it could not be read).
        public var shape: Shape?
        /// As stored in the file (`float32`, `int64`, …), else as the manifest says.
        public var dtype: String
        /// The statistics and histogram, nil when the file could not be read.
        public var digest: TensorDigest?
        /// Why the file could not be read.
        public var problem: String?

        /// A tensor entry.
        public init(name: String, kind: String, file: String, shape: Shape?, dtype: String, digest: TensorDigest?, problem: String?) {
            (self.name, self.kind, self.file, self.shape, self.dtype, self.digest, self.problem) = (name, kind, file, shape, dtype, digest, problem)
        }
    }

    /// The run directory as named on the command line.
    public var directory: String
    /// `manifest.json`, parsed (an object).
    public var manifest: JSONValue
    /// The graph rebuilt from the manifest's `config`, or nil (then `graphProblem` says why).
    public var graph: Graph?
    /// Why the graph could not be rebuilt.
    public var graphProblem: String?
    /// The manifest's tensors, in its order.
    public var tensors: [Tensor]
    /// For a trained run (the manifest has `train`): the records of `metrics.jsonl`.
    public var metrics: [MetricsRecord]?
    /// Why `metrics.jsonl` could not be read, for a trained run.
    public var metricsProblem: String?

    /// A report of the run in `directory`.
    public init(directory: String, manifest: JSONValue, graph: Graph?, graphProblem: String?, tensors: [Tensor],
                metrics: [MetricsRecord]?, metricsProblem: String?) {
        (self.directory, self.manifest, self.graph, self.graphProblem) = (directory, manifest, graph, graphProblem)
        (self.tensors, self.metrics, self.metricsProblem) = (tensors, metrics, metricsProblem)
    }

    /// The value of a top-level manifest key.
    func field(_ key: String) -> JSONValue? {
        guard case .object(let pairs) = manifest else { return nil }
        return pairs.first { $0.0 == key }?.1
    }

    /// A top-level string, or nil.
    func string(_ key: String) -> String? {
        if case .string(let s)? = field(key) { return s }
        return nil
    }

    /// Whether the run was a training (the manifest has a `train` object).
    var isTrained: Bool {
        if case .object? = field("train") { return true }
        return false
    }

    /// A member of the manifest's `train` object.
    func trainField(_ key: String) -> JSONValue? {
        guard case .object(let pairs)? = field("train") else { return nil }
        return pairs.first { $0.0 == key }?.1
    }
}

extension JSONValue {
    /// The number, for an int or a double.
    var number: Double? {
        switch self {
        case .int(let i): Double(i)
        case .double(let d): d
        default: nil
        }
    }

    /// The members of an object, else empty.
    var members: [(String, JSONValue)] {
        if case .object(let pairs) = self { return pairs }
        return []
    }

    /// The text of a scalar as the report shows it (compact JSON for arrays and objects).
    var displayText: String {
        switch self {
        case .null: "—"
        case .string(let s): s
        case .int(let i): NumberFormat.grouped(i)
        case .double(let d): NumberFormat.significant(d, 6)
        default: serialized(indent: nil)
        }
    }
}
