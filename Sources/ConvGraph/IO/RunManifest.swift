/// A run directory's `manifest.json` (SPEC §6), as one value: the run writer fills it, and
/// `json` renders it with its keys in a fixed order (so two runs differ only in `timings`).
public struct RunManifest: Sendable {
    /// A file named by the run (`inputs`, `files`, `params.files`): its path and sha256.
    public struct FileRecord: Sendable, Hashable {
        public var file: String
        public var sha256: String
    }

    /// One saved tensor.
    public struct TensorRecord: Sendable, Hashable {
        public var name: String
        /// `value` or `grad`.
        public var kind: String
        /// Relative to the run directory (`values/conv.npy`).
        public var file: String
        public var shape: Shape
        public var dtype: DType
        public var sha256: String
    }

    public var tool = "convgraph"
    public var version = ConvGraphVersion.string
    public var graph: String
    public var graphFile: String
    public var graphSHA256: String
    /// The effective graph after overrides.
    public var config: JSONValue
    public var overrides: [String]
    /// Fed node → file.
    public var inputs: [(node: String, record: FileRecord)]
    /// Each `{file:}` init: node (or `backward.grad`) → the path as resolved.
    public var files: [(node: String, record: FileRecord)]
    public var seed: UInt32
    public var dtype: DType
    public var mode: Mode
    /// The `--params` directory and each file loaded from it; `nil` without `--params`.
    public var params: (directory: String, files: [(node: String, record: FileRecord)])?
    public var forwardOnly: Bool
    public var tensors: [TensorRecord]
    public var peakTensorBytes: Int
    public var forwardMilliseconds: Double
    public var backwardMilliseconds: Double
    /// For a training (SPEC §10): the `train` object (steps, epochs, final losses and
    /// accuracy), and the timings `train_ms` and `eval_ms` in place of forward/backward.
    public var training: (summary: JSONValue, trainMilliseconds: Double, evalMilliseconds: Double)? = nil
    /// The files the graph file includes (SPEC §11.1), as resolved, with the sha256 of the
    /// bytes read; written as `includes` after `files` only when there are any.
    public var includes: [FileRecord] = []

    /// `includes` (after `files`), only when the graph includes files.
    private var includesEntry: [(String, JSONValue)] {
        guard !includes.isEmpty else { return [] }
        let records: [JSONValue] = includes.map { .object([("file", .string($0.file)), ("sha256", .string($0.sha256))]) }
        return [("includes", .array(records))]
    }

    /// The manifest as JSON, keys in the order of SPEC §6.
    public var json: JSONValue {
        func records(_ list: [(node: String, record: FileRecord)]) -> JSONValue {
            .object(list.map { ($0.node, .object([("file", .string($0.record.file)), ("sha256", .string($0.record.sha256))])) })
        }
        return .object([
            ("tool", .string(tool)),
            ("version", .string(version)),
            ("graph", .string(graph)),
            ("graph_file", .string(graphFile)),
            ("graph_sha256", .string(graphSHA256)),
            ("config", config),
            ("overrides", .array(overrides.map { .string($0) })),
            ("inputs", records(inputs)),
            ("files", records(files)),
        ] + includesEntry + [
            ("seed", .int(Int(seed))),
            ("dtype", .string(dtype.rawValue)),
            ("mode", .string(mode.rawValue)),
            ("params", params.map { .object([("dir", .string($0.directory)), ("files", records($0.files))]) } ?? .null),
            ("forward_only", .bool(forwardOnly)),
            ("tensors", .array(tensors.map { t in
                .object([("name", .string(t.name)), ("kind", .string(t.kind)), ("file", .string(t.file)),
                         ("shape", .array(t.shape.dims.map { .int($0) })), ("dtype", .string(t.dtype.rawValue)),
                         ("sha256", .string(t.sha256))])
            })),
            ("peak_tensor_bytes", .int(peakTensorBytes)),
            ("timings", training.map { .object([("train_ms", .double($0.trainMilliseconds)), ("eval_ms", .double($0.evalMilliseconds))]) }
                ?? .object([("forward_ms", .double(forwardMilliseconds)), ("backward_ms", .double(backwardMilliseconds))])),
        ] + (training.map { [("train", $0.summary)] } ?? []))
    }

    /// The bytes of `manifest.json`.
    public var bytes: [UInt8] { Array((json.serialized() + "\n").utf8) }
}
