#if canImport(Glibc)
import Glibc
#endif

/// What `run`, `gradcheck` and `bench` take besides the graph (SPEC §7): `--input` files,
/// `--params DIR` and the mode (`--eval`).
///
/// `load` reads the graph and every named file once, checks them, and returns the graph to
/// run (loaded again with a new batch size N when the `--input` arrays ask for one), the
/// tensors to feed, the params to start from, and what the manifest records of them.
public struct GraphFeeds: Sendable {
    /// `NODE=FILE.npy` pairs (paths relative to the working directory).
    public var inputs: [(node: String, path: String)] = []
    /// A directory holding `params/<node>.npy` (a trained run), a `.safetensors` file (a
    /// path ending in `.safetensors`), or `nil`.
    public var paramsDirectory: String?
    /// `.eval` for `--eval`.
    public var mode: Mode = .train

    public init() {}

    /// A graph with its feeds, ready to build a session from.
    public struct Loaded: Sendable {
        public var graph: Graph
        /// The bytes the graph was read from (the manifest's `graph_sha256`).
        public var graphBytes: [UInt8]
        /// By input node, in the graph dtype.
        public var fed: [String: AnyTensor]
        /// By param node, in the graph dtype: the values loaded from `--params`.
        public var params: [(node: String, tensor: AnyTensor)]
        /// The manifest's `inputs`: node → file and sha256 of the very bytes decoded.
        public var inputRecords: [(node: String, file: String, sha256: String)]
        /// The manifest's `params.files`: node → file and sha256.
        public var paramRecords: [(node: String, file: String, sha256: String)]
    }

    /// Reads the graph at `path` with `overrides`, then the `--input` and `--params` files.
    ///
    /// An `--input` array matches its node when its shape, padded with 1s on the right to
    /// rank 4, equals the node's shape, except perhaps its first dimension N: when the fed
    /// arrays' N differs from the nodes', every fed input must agree on one N, and the graph
    /// is loaded again with those inputs' `shape` overridden (so shapes are inferred again).
    /// - Throws: 64 for a node the graph lacks or that is not an input; 65 for a file that
    ///   is not a tensor, a shape that does not match, fed inputs that disagree on N, a
    ///   `--params` file whose shape differs; 66 for a missing file or `DIR/params`.
    /// - Parameters:
    ///   - path: the graph file.
    ///   - overrides: the `--set` strings.
    ///   - limits: the limits every file is read and checked with.
    ///   - run: the run whose planned peak is held to `limits.maxMemoryBytes`, checked on
    ///     the graph actually run (after a change of N) before any param is read.
    ///   - beforeFiles: told the graph before any `--input` or `--params` file is read
    ///     (`run` checks its `--out` there).
    public func load(graphPath path: String, overrides: [String], limits: Limits, checking run: PlannedRun,
                     beforeFiles: (Graph) throws(ConvGraphError) -> Void = { _ throws(ConvGraphError) in }) throws(ConvGraphError) -> Loaded {
        let bytes = try Graph.readGraphFile(path, limits: limits)
        var graph = try Graph.parse(bytes, path: path, overrides: overrides, limits: limits)
        try beforeFiles(graph)

        var files: [(node: String, file: TensorFile<Double>, shape: Shape)] = []
        for (node, file) in inputs {
            guard let index = graph.index(of: node) else {
                throw ConvGraphError(.usage, Diagnostic("--input names '\(NameRules.printable(node))', which the graph lacks", file: nil,
                                                        notes: Diagnostic.didYouMean(node, among: graph.nodes.filter(\.isFed).map(\.name))))
            }
            guard graph.nodes[index].isFed else {
                throw ConvGraphError(.usage, Diagnostic("--input names '\(node)', a \(graph.nodes[index].op.name) node; only input nodes can be fed", file: nil,
                                                        notes: graph.nodes[index].op.name == "param" ? [.init("start a param from a file with --params DIR")] : []))
            }
            let loaded = try Self.read(file, limits: limits, dtype: graph.dtype)
            let want = graph.nodes[index].shape
            let shape = loaded.tensor.shape.padded(toRank: want.rank)
            guard loaded.tensor.shape.rank <= want.rank, shape.rank > 0, Array(shape.dims.dropFirst()) == Array(want.dims.dropFirst()) else {
                throw ConvGraphError(.invalidInput, Diagnostic("has shape \(loaded.tensor.shape.bracketed), but input '\(node)' has shape \(want.bracketed)", file: file,
                                                               notes: [.init("an array fills a node when its shape, padded with 1s on the right, equals the node's; only the first dimension N may differ")]))
            }
            files.append((node, loaded, shape))
        }

        // A different N: every fed input agrees on it, and the graph is inferred again.
        if let first = files.first, files.contains(where: { $0.shape != graph.nodes[graph.index(of: $0.node)!].shape }) {
            let n = first.shape[0]
            if let other = files.first(where: { $0.shape[0] != n }) {
                throw ConvGraphError(.invalidInput, Diagnostic(
                    "has N = \(other.shape[0]) (shape \(other.file.tensor.shape.bracketed)), but '\(first.file.resolvedPath)' fed to '\(first.node)' has N = \(n)",
                    file: other.file.resolvedPath,
                    notes: [.init("an --input whose first dimension differs from the node's runs the graph with that N; every fed input must then agree")]))
            }
            let resized = files.map { "nodes.\($0.node).shape=[" + $0.shape.dims.map(String.init).joined(separator: ",") + "]" }
            graph = try Graph.parse(bytes, path: path, overrides: overrides + resized, limits: limits)
        }

        var fed: [String: AnyTensor] = [:]
        for (node, file, shape) in files {
            let tensor = Tensor(shape: shape, scalars: file.tensor.scalars)
            fed[node] = graph.dtype == .float64 ? AnyTensor(tensor) : AnyTensor(tensor.converted(to: Float.self))
        }
        try graph.checkMemoryLimit(limits, for: run)
        let (params, paramRecords) = try loadParams(for: graph, limits: limits)
        return Loaded(graph: graph, graphBytes: bytes, fed: fed, params: params,
                      inputRecords: files.map { ($0.node, $0.file.resolvedPath, $0.file.sha256) }, paramRecords: paramRecords)
    }

    /// `DIR/params/<node>.npy` for every param of `graph` whose file exists; files for
    /// nodes the graph lacks are ignored.
    func loadParams(for graph: Graph, limits: Limits) throws(ConvGraphError) -> ([(node: String, tensor: AnyTensor)], [(node: String, file: String, sha256: String)]) {
        guard let directory = paramsDirectory else { return ([], []) }
        if directory.hasSuffix(".safetensors") { return try Self.loadSafetensors(directory, for: graph, limits: limits) }
        let folder = Self.paramsFolder(directory)
        var st = stat()
        guard stat(folder, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
            throw ConvGraphError(.noInput, Diagnostic("no params folder: --params reads \(Self.paramsFolder("DIR"))/<node>.npy", file: folder,
                                                      notes: [.init("--params names a trained run, whose params/ holds one .npy per param")]))
        }
        var params: [(node: String, tensor: AnyTensor)] = []
        var records: [(node: String, file: String, sha256: String)] = []
        for node in graph.nodes where node.isLeaf && !node.isFed {
            let path = "\(folder)/\(node.name).npy"
            var entry = stat()
            guard lstat(path, &entry) == 0 else { continue }
            let loaded = try Self.read(path, limits: limits, dtype: graph.dtype)
            guard loaded.tensor.shape == node.shape else {
                throw ConvGraphError(.invalidInput, Diagnostic("has shape \(loaded.tensor.shape.bracketed), but param '\(node.name)' has shape \(node.shape.bracketed)", file: path))
            }
            params.append((node.name, graph.dtype == .float64 ? AnyTensor(loaded.tensor) : AnyTensor(loaded.tensor.converted(to: Float.self))))
            records.append((node.name, path, loaded.sha256))
        }
        return (params, records)
    }

    /// `--params FILE.safetensors`, by the rules of a params directory: every tensor named
    /// after a leaf param of `graph` starts it (its shape must equal the node's, else 65);
    /// tensors the graph lacks are ignored (their entries are still checked). A missing or
    /// unreadable file → 66; not a regular file, over the size limit, or not a valid
    /// safetensors file → 65. Each loaded param's record is the file and the sha256 of the
    /// whole file (the same for every param: the bytes read and checked as one).
    static func loadSafetensors(_ path: String, for graph: Graph, limits: Limits) throws(ConvGraphError) -> ([(node: String, tensor: AnyTensor)], [(node: String, file: String, sha256: String)]) {
        func fail(_ kind: ConvGraphError.Kind, _ message: String) -> ConvGraphError {
            ConvGraphError(kind, Diagnostic(message, file: path))
        }
        // The file holds at most the planned memory of the run in tensors, plus its header.
        let (total, overflow) = limits.maxMemoryBytes.addingReportingOverflow(8 + limits.maxSafetensorsHeaderBytes)
        let bytes: [UInt8]
        do {
            bytes = try readRegularFile(atPath: path, maxBytes: overflow ? Int.max : total)
        } catch {
            switch error {
            case .notFound: throw fail(.noInput, "no such file")
            case .unreadable(_, let reason): throw fail(.noInput, "cannot read the file: \(reason)")
            case .notRegularFile: throw fail(.invalidInput, "not a regular file")
            case .tooLarge(_, let size, let limit):
                throw fail(.invalidInput, "the file is \(size) bytes, larger than the memory limit and a header allow (\(limit) bytes)")
            }
        }
        let leaves = Dictionary(uniqueKeysWithValues: graph.nodes.filter { $0.isLeaf && !$0.isFed }.map { ($0.name, $0.shape) })
        let tensors: [(name: String, tensor: AnyTensor)]
        do {
            tensors = try Safetensors.decode(bytes, limits: limits, exactIn: graph.dtype, selecting: { leaves[$0] != nil })
        } catch {
            throw fail(.invalidInput, error.description)
        }
        let sha256 = SHA256.hex(bytes)
        let byName = Dictionary(tensors.map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a })
        var params: [(node: String, tensor: AnyTensor)] = []
        var records: [(node: String, file: String, sha256: String)] = []
        for node in graph.nodes where node.isLeaf && !node.isFed {
            guard let tensor = byName[node.name] else { continue }
            guard tensor.shape == node.shape else {
                throw fail(.invalidInput, "tensor '\(node.name)' has shape \(tensor.shape.bracketed), but param '\(node.name)' has shape \(node.shape.bracketed)")
            }
            params.append((node.name, graph.dtype == .float64 ? AnyTensor(tensor.as(Double.self)) : AnyTensor(tensor.as(Float.self))))
            records.append((node.name, path, sha256))
        }
        return (params, records)
    }

    /// `DIR/params`, without a doubled slash.
    static func paramsFolder(_ directory: String) -> String {
        (directory.hasSuffix("/") ? String(directory.dropLast()) : directory) + "/params"
    }

    private static func read(_ path: String, limits: Limits, dtype: DType) throws(ConvGraphError) -> TensorFile<Double> {
        switch TensorFileLoader.loadFile(path, limits: limits, as: Double.self, exactIn: dtype) {
        case .success(let file): return file
        case .failure(let error): throw error
        }
    }
}

extension Session {
    /// A session for `loaded`: its inputs fed, its params started from `--params`.
    convenience init(_ loaded: GraphFeeds.Loaded, mode: Mode, forwardOnly: Bool = false, parallelism: Parallelism,
                     keepsBuffers: Bool) throws(ConvGraphError) {
        try self.init(graph: loaded.graph, mode: mode, forwardOnly: forwardOnly, keepAll: false, parallelism: parallelism,
                      fed: loaded.fed, computeIn: loaded.graph.dtype, selection: nil, keepsBuffers: keepsBuffers)
        // After the session drew every init: a loaded param still consumed its draws.
        for (node, tensor) in loaded.params { try parameters.set(node, tensor) }
    }
}
