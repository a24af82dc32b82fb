/// `convgraph run` as a library call: load and check the graph, feed `--input` files, run,
/// and write the run directory with its manifest (SPEC §6).
public struct RunRequest: Sendable {
    public var graphPath: String
    public var overrides: [String] = []
    /// `NODE=FILE.npy` pairs.
    public var inputs: [(node: String, path: String)] = []
    /// A directory holding `params/<node>.npy`, or a `.safetensors` file, to start the params
    /// from (`--params`).
    public var paramsDirectory: String?
    /// `.eval` for inference mode (`--eval`).
    public var mode: Mode = .train
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
    /// - Throws: besides the graph's and the feeds' errors (see `GraphFeeds.load`), 73
    ///   when `out` cannot receive a run or is the directory `--params` reads.
    public func perform() throws(ConvGraphError) -> RunOutcome {
        var feeds = GraphFeeds()
        feeds.inputs = inputs
        feeds.paramsDirectory = paramsDirectory
        feeds.mode = mode
        var chosen = out
        // Read once: the graph is built from, and hashed over, the same bytes; each input
        // file likewise. An --out that cannot receive the run is refused before any tensor
        // file is read (SPEC §8).
        let loaded = try feeds.load(graphPath: graphPath, overrides: overrides, limits: limits,
                                    checking: forwardOnly ? .forwardOnly : .full) { graph throws(ConvGraphError) in
            let target = chosen ?? "runs/\(graph.name)"
            chosen = target
            if let paramsDirectory, RunDirectory.isSameDirectory(target, paramsDirectory) {
                throw ConvGraphError(.cannotCreate, Diagnostic("is the directory --params reads; refusing to replace it", file: target,
                                                               notes: [.init("write the new run elsewhere with --out DIR")]))
            }
            try RunDirectory.checkTarget(target)
        }
        let graph = loaded.graph
        let directory = chosen ?? "runs/\(graph.name)"
        let session = try Session(loaded, mode: mode, forwardOnly: forwardOnly, parallelism: parallelism, keepsBuffers: false)
        session.progress = progress
        let result = try session.step()

        // Encoded one at a time as the directory is written; the manifest gets their digests.
        var entries: [(kind: String, name: String, tensor: AnyTensor)] = []
        for (name, tensor) in result.values { entries.append(("value", graph.file.savedValueAliases[name] ?? name, tensor)) }
        for (name, tensor) in result.grads { entries.append(("grad", name, tensor)) }
        let files = entries.map { e in ("\(e.kind == "value" ? "values" : "grads")/\(e.name).npy", { e.tensor.npyBytes }) }
        var manifest = RunManifest(
            graph: graph.name, graphFile: graphPath, graphSHA256: SHA256.hex(loaded.graphBytes), config: graph.file.tree.json,
            overrides: overrides, inputs: loaded.inputRecords.map { ($0.node, .init(file: $0.file, sha256: $0.sha256)) },
            files: Self.fileInitRecords(graph), seed: graph.seed, dtype: graph.dtype, mode: mode,
            params: paramsDirectory.map { ($0, loaded.paramRecords.map { ($0.node, .init(file: $0.file, sha256: $0.sha256)) }) },
            forwardOnly: !result.ranBackward, tensors: [], peakTensorBytes: result.peakTensorBytes,
            forwardMilliseconds: result.forwardMilliseconds, backwardMilliseconds: result.backwardMilliseconds)
        manifest.includes = graph.file.includedFiles.map { .init(file: $0, sha256: graph.file.includedFileSHA256[$0] ?? "") }
        try RunDirectory.write(to: directory, streaming: files) { digests in
            manifest.tensors = zip(entries, zip(files, digests)).map { e, f in
                RunManifest.TensorRecord(name: e.name, kind: e.kind, file: f.0.0, shape: e.tensor.shape, dtype: e.tensor.dtype, sha256: f.1)
            }
            return manifest.bytes
        }
        return RunOutcome(graph: graph, result: result, directory: directory)
    }
}

extension RunRequest {
    /// The manifest's `files` (SPEC §6): each `{file:}` init, node → the path as resolved
    /// and the sha256 of the bytes read when the graph was checked; a `{file:}` seed of
    /// `backward.grad` appears as `backward.grad` (no node name has a dot).
    static func fileInitRecords(_ graph: Graph) -> [(node: String, record: RunManifest.FileRecord)] {
        func record(_ spec: InitSpec?) -> RunManifest.FileRecord? {
            guard case .file(_, let resolved, let sha256, _) = spec else { return nil }
            return RunManifest.FileRecord(file: resolved, sha256: sha256)
        }
        var records: [(node: String, record: RunManifest.FileRecord)] = []
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
