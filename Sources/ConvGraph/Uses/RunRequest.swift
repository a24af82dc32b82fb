/// `convgraph run` as a library call: load and check the graph, feed `--input` files, run,
/// and write the run directory with its manifest (SPEC §6).
public struct RunRequest: Sendable {
    public var graphPath: String
    public var overrides: [String] = []
    /// `NODE=FILE.npy` pairs.
    public var inputs: [(node: String, path: String)] = []
    public var forwardOnly = false
    /// The run directory; default `runs/<graph>`.
    public var out: String?
    public var limits: Limits = .default
    /// Threads the kernels use; the results are the same bytes for any count.
    public var parallelism: Parallelism = .allCores
    /// Told before each node runs (see `Executor.progress`).
    public var progress: (@Sendable (RunProgress) -> Void)?

    public init(graphPath: String) { self.graphPath = graphPath }
}

public struct RunOutcome: Sendable {
    public var graph: Graph
    public var result: RunResult
    /// Where the run directory was written.
    public var directory: String

    /// The stdout table: node, op, shape, mean, std, min, max for each saved tensor.
    public var table: String {
        var table = TextTable(headers: ["node", "op", "shape", "mean", "std", "min", "max"], rightAligned: [3, 4, 5, 6])
        func add(_ name: String, _ kind: String?, _ tensor: AnyTensor) {
            let s = tensor.statistics
            let op = graph.index(of: name).map { graph.nodes[$0].op.name } ?? ""
            table.append([kind.map { "\($0)(\(name))" } ?? name, op, tensor.shape.description,
                          NumberFormat.significant(s.mean), NumberFormat.significant(s.std),
                          NumberFormat.significant(s.min), NumberFormat.significant(s.max)])
        }
        for (name, t) in result.values { add(name, nil, t) }
        for (name, t) in result.grads { add(name, "grad", t) }
        return table.rendered
    }
}

extension RunRequest {
    /// Runs and writes the run directory.
    public func perform() throws(ConvGraphError) -> RunOutcome {
        // Read once: the graph is built from, and hashed over, the same bytes.
        let graphBytes = try Graph.readGraphFile(graphPath, limits: limits)
        let graph = try Graph.parse(graphBytes, path: graphPath, overrides: overrides, limits: limits)
        // An --out that cannot receive the run is refused before any work (SPEC §8).
        try RunDirectory.checkTarget(out ?? "runs/\(graph.name)")
        // --max-memory against the plan of this very run, before any tensor is read (SPEC §8).
        try graph.checkMemoryLimit(limits, for: forwardOnly ? .forwardOnly : .full)
        var executor = Executor(graph: graph, parallelism: parallelism)
        executor.progress = progress
        var inputRecords: [(String, JSONValue)] = []
        for (node, path) in inputs {
            guard let index = graph.index(of: node) else {
                throw ConvGraphError(.usage, Diagnostic("--input names '\(NameRules.printable(node))', which the graph lacks", file: nil,
                                                        notes: Diagnostic.didYouMean(node, among: graph.nodes.map(\.name))))
            }
            let loaded: Result<TensorFile<Double>, ConvGraphError> = TensorFileLoader.loadFile(path, limits: limits)
            let file: TensorFile<Double>
            switch loaded {
            case .success(let f): file = f
            case .failure(let e): throw e
            }
            let tensor = file.tensor
            guard tensor.shape == graph.nodes[index].shape else {
                throw ConvGraphError(.invalidInput, Diagnostic("has shape \(tensor.shape.bracketed), but input '\(node)' has shape \(graph.nodes[index].shape.bracketed)", file: path))
            }
            try executor.feed(node, graph.dtype == .float64 ? AnyTensor(tensor) : AnyTensor(tensor.converted(to: Float.self)))
            // The digest of the bytes decoded, not of a second read.
            inputRecords.append((node, .object([("file", .string(path)), ("sha256", .string(file.sha256))])))
        }
        let result = try executor.run(forwardOnly: forwardOnly)

        let directory = out ?? "runs/\(graph.name)"
        var files: [(String, [UInt8])] = []
        var tensors: [JSONValue] = []
        for (kind, list) in [("value", result.values), ("grad", result.grads)] {
            for (name, tensor) in list {
                let file = "\(kind == "value" ? "values" : "grads")/\(name).npy"
                let bytes = tensor.npyBytes
                files.append((file, bytes))
                tensors.append(.object([("name", .string(name)), ("kind", .string(kind)), ("file", .string(file)),
                                        ("shape", .array(tensor.shape.dims.map { .int($0) })), ("dtype", .string(tensor.dtype.rawValue)),
                                        ("sha256", .string(SHA256.hex(bytes)))]))
            }
        }
        let manifest = JSONValue.object([
            ("tool", .string("convgraph")),
            ("version", .string(ConvGraphVersion.string)),
            ("graph", .string(graph.name)),
            ("graph_file", .string(graphPath)),
            ("graph_sha256", .string(SHA256.hex(graphBytes))),
            ("config", graph.file.tree.json),
            ("overrides", .array(overrides.map { .string($0) })),
            ("inputs", .object(inputRecords)),
            ("files", .object(Self.fileInitRecords(graph))),
            ("seed", .int(Int(graph.seed))),
            ("dtype", .string(graph.dtype.rawValue)),
            ("forward_only", .bool(!result.ranBackward)),
            ("tensors", .array(tensors)),
            ("peak_tensor_bytes", .int(result.peakTensorBytes)),
            ("timings", .object([("forward_ms", .double(result.forwardMilliseconds)), ("backward_ms", .double(result.backwardMilliseconds))])),
        ])
        try RunDirectory.write(to: directory, files: files, manifest: Array((manifest.serialized() + "\n").utf8))
        return RunOutcome(graph: graph, result: result, directory: directory)
    }
}

extension RunRequest {
    /// The manifest's `files` (SPEC §6): each `{file:}` init, node → the path as resolved
    /// and the sha256 of the bytes read when the graph was checked; a `{file:}` seed of
    /// `backward.grad` appears as `backward.grad` (no node name has a dot).
    static func fileInitRecords(_ graph: Graph) -> [(String, JSONValue)] {
        func record(_ spec: InitSpec?) -> JSONValue? {
            guard case .file(_, let resolved, let sha256, _) = spec else { return nil }
            return .object([("file", .string(resolved)), ("sha256", .string(sha256))])
        }
        var records: [(String, JSONValue)] = []
        for node in graph.nodes {
            if let r = record(node.leaf?.initSpec) { records.append((node.name, r)) }
        }
        if let r = record(graph.backward?.grad) { records.append(("backward.grad", r)) }
        return records
    }
}

public enum ConvGraphVersion {
    public static let string = "0.1.0"
}
