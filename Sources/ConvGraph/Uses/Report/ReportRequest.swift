#if canImport(Glibc)
import Glibc
#endif

/// `convgraph report RUN [--out FILE.html]` (SPEC §11.3): reads a run directory and writes
/// one self-contained HTML page about it (``RunReport/html``).
///
/// What is read: `RUN/manifest.json` (required: a directory without it holds no run); the
/// graph, rebuilt from the manifest's `config` (`ConfigGraph`); every tensor the manifest
/// lists, from its file under `RUN`; and, when the manifest has a `train` object,
/// `RUN/metrics.jsonl`. A graph that cannot be rebuilt, a tensor file that is gone or
/// damaged, or unreadable metrics do not stop the report: the page says what is missing and
/// ``Outcome/warnings`` repeats it. A tensor `file` that is absolute or climbs out of `RUN`
/// (`..`) is not read.
public struct ReportRequest: Sendable {
    /// The run directory.
    public var run: String
    /// Where to write the page; nil: `RUN/report.html`.
    public var out: String?
    /// The limits every file is read with.
    public var limits: Limits

    /// A request for the report of the run in `run`.
    public init(run: String, out: String? = nil, limits: Limits = .default) {
        (self.run, self.out, self.limits) = (run, out, limits)
    }

    /// What a written report tells its caller.
    public struct Outcome: Sendable {
        /// The file written.
        public var path: String
        /// The parts of the run that could not be shown, one line each.
        public var warnings: [String]
    }

    /// The largest `manifest.json` and `metrics.jsonl` read (a manifest holds the config of
    /// a graph of at most 16 MiB, which its JSON may double).
    static let maxTextBytes = 256 << 20

    /// Reads the run and writes the report atomically (a temporary file renamed into place).
    /// - Throws: 66 when `run` does not exist; 65 when it is not a directory or holds no
    ///   run (no `manifest.json`, or one that is not a JSON object); 73 when the page cannot
    ///   be written.
    public func write() throws(ConvGraphError) -> Outcome {
        let report = try read()
        let path = out ?? (run.hasSuffix("/") ? run : run + "/") + "report.html"
        do {
            try writeFileAtomically(Array(report.html.utf8), toPath: path)
        } catch {
            throw ConvGraphError(.cannotCreate, Diagnostic("cannot write the report: \(error.description)", file: path))
        }
        var warnings: [String] = []
        if let problem = report.graphProblem { warnings.append("the graph is not drawn: it could not be rebuilt from the manifest:\n" + problem) }
        for t in report.tensors { if let problem = t.problem { warnings.append("\(t.file): \(problem)") } }
        if let problem = report.metricsProblem { warnings.append(problem) }
        return Outcome(path: path, warnings: warnings)
    }

    /// Reads the run directory into a ``RunReport`` (without writing anything).
    public func read() throws(ConvGraphError) -> RunReport {
        var info = stat()
        guard stat(run, &info) == 0 else {
            throw ConvGraphError(.noInput, Diagnostic("no such directory", file: run))
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            throw ConvGraphError(.invalidInput, Diagnostic("not a run directory (a run is a directory holding manifest.json)", file: run))
        }
        let base = run.hasSuffix("/") ? run : run + "/"
        let manifestPath = base + "manifest.json"
        let manifest: JSONValue
        do {
            manifest = try JSONParser.parse(readRegularFile(atPath: manifestPath, maxBytes: Self.maxTextBytes), maxDepth: limits.maxYAMLDepth + 8)
        } catch let error as FileReadError {
            if case .notFound = error {
                throw ConvGraphError(.invalidInput, Diagnostic("holds no run: no manifest.json (a run writes it last, when complete)", file: run))
            }
            throw ConvGraphError(.invalidInput, Diagnostic("cannot read the manifest: \(error.description)", file: manifestPath))
        } catch {
            throw ConvGraphError(.invalidInput, Diagnostic("not a run manifest: \(error)", file: manifestPath))
        }
        guard case .object(let fields) = manifest else {
            throw ConvGraphError(.invalidInput, Diagnostic("not a run manifest: not a JSON object", file: manifestPath))
        }
        func field(_ key: String) -> JSONValue? { fields.first { $0.0 == key }?.1 }

        var graph: Graph?
        var graphProblem: String?
        if let config = field("config") {
            let graphFile: String
            if case .string(let f)? = field("graph_file") { graphFile = f } else { graphFile = "graph.yaml" }
            do {
                let built = try ConfigGraph.build(config: config, graphFile: graphFile, limits: limits)
                // A training's `inputs` are its data sets (S samples), not a batch.
                graph = field("train") == nil ? FedBatch.adjusted(built, inputs: field("inputs"), limits: limits) : built
            } catch {
                graphProblem = error.description
            }
        } else {
            graphProblem = "the manifest has no config"
        }

        var tensors: [RunReport.Tensor] = []
        if case .array(let items)? = field("tensors") {
            for item in items { tensors.append(tensor(item, base: base)) }
        }

        var metrics: [MetricsRecord]?
        var metricsProblem: String?
        if case .object? = field("train") {
            let path = base + "metrics.jsonl"
            do {
                let bytes = try readRegularFile(atPath: path, maxBytes: Self.maxTextBytes)
                metrics = try MetricsRecord.records(jsonLines: String(decoding: bytes, as: UTF8.self))
            } catch let error as FileReadError {
                metricsProblem = "cannot read \(path): \(error.description)"
            } catch {
                metricsProblem = "\(path): not a metrics file: \(error)"
            }
        }
        return RunReport(directory: run, manifest: manifest, graph: graph, graphProblem: graphProblem, tensors: tensors,
                         metrics: metrics, metricsProblem: metricsProblem)
    }

    /// One entry of the manifest's `tensors`, read from its file.
    func tensor(_ item: JSONValue, base: String) -> RunReport.Tensor {
        func text(_ key: String) -> String? {
            if case .string(let s)? = item.members.first(where: { $0.0 == key })?.1 { return s }
            return nil
        }
        let name = text("name") ?? "?", kind = text("kind") ?? "value", file = text("file") ?? ""
        var entry = RunReport.Tensor(name: name, kind: kind, file: file, shape: nil, dtype: text("dtype") ?? "?", digest: nil, problem: nil)
        let parts = file.split(separator: "/", omittingEmptySubsequences: false)
        guard !file.isEmpty, !file.hasPrefix("/"), !parts.contains("..") else {
            entry.problem = "not read: the manifest names a file outside the run directory"
            return entry
        }
        switch TensorFileLoader.loadFile(file, relativeTo: String(base.dropLast()), limits: limits, as: Double.self) {
        case .success(let loaded):
            entry.shape = loaded.tensor.shape
            entry.dtype = loaded.storedDType
            entry.digest = TensorDigest(loaded.tensor.scalars)
        case .failure(let error):
            entry.problem = error.diagnostics.map(\.message).joined(separator: "; ")
        }
        return entry
    }
}
