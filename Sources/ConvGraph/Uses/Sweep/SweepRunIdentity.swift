/// What makes two runs of a sweep the same run (SPEC §11.2): the effective config (the
/// manifest's `config`: the graph after every override), the sha256 of the graph file, of
/// every included file and of every data file (`{file:}` inits, `train.data`,
/// `train.eval.data`). A run directory whose manifest has the same identity is skipped.
struct SweepRunIdentity: Equatable {
    /// The config as it reads back from a manifest (serialized and parsed again, so a
    /// number compares as the manifest holds it).
    var config: String
    var graphSHA256: String
    /// `files/NODE`, `inputs/NODE`, `eval_data/NODE`, `include/PATH` → sha256.
    var digests: [String: String]

    /// The identity of the run about to be made: `graph` after its overrides, the sha256
    /// of the graph file's bytes, and the trainer's data when it trains.
    init(graph: Graph, graphSHA256: String, trainer: Trainer?) {
        config = Self.normalized(graph.file.tree.json)
        self.graphSHA256 = graphSHA256
        var digests: [String: String] = [:]
        for (node, record) in RunRequest.fileInitRecords(graph) { digests["files/\(node)"] = record.sha256 }
        if let trainer {
            for file in trainer.train.data {
                let name = graph.nodes[file.node].name
                digests["inputs/\(name)"] = trainer.trainData.sha256[name] ?? ""
            }
            if let evalData = trainer.evalData {
                for file in trainer.train.evalData ?? [] {
                    let name = graph.nodes[file.node].name
                    digests["eval_data/\(name)"] = evalData.sha256[name] ?? ""
                }
            }
        }
        for (path, sha256) in Self.includedFiles(of: graph) { digests["include/\(path)"] = sha256 }
        self.digests = digests
    }

    /// The identity recorded in a run's `manifest.json`, or `nil` when it is not a manifest.
    init?(manifest: JSONValue) {
        guard let config = manifest.sweepField("config"), let sha = manifest.sweepField("graph_sha256")?.sweepString else { return nil }
        self.config = config.serialized()
        graphSHA256 = sha
        var digests: [String: String] = [:]
        func add(_ prefix: String, _ object: JSONValue?) -> Bool {
            guard let object else { return true }
            if case .null = object { return true }
            guard case .object(let members) = object else { return false }
            for (node, record) in members {
                guard let sha256 = record.sweepField("sha256")?.sweepString else { return false }
                digests["\(prefix)/\(node)"] = sha256
            }
            return true
        }
        guard add("files", manifest.sweepField("files")), add("inputs", manifest.sweepField("inputs")),
              add("eval_data", manifest.sweepField("train")?.sweepField("eval_data")) else { return nil }
        for (path, sha256) in Self.includedFiles(ofManifest: manifest) { digests["include/\(path)"] = sha256 }
        self.digests = digests
    }

    // MARK: Included files

    /// Path → sha256 of each file `graph` included (SPEC §11.1), as the loader read it.
    static func includedFiles(of graph: Graph) -> [(path: String, sha256: String)] {
        graph.file.includedFiles.map { ($0, graph.file.includedFileSHA256[$0] ?? "") }
    }

    /// Path → sha256 of each included file a manifest records (its `includes` list).
    static func includedFiles(ofManifest manifest: JSONValue) -> [(path: String, sha256: String)] {
        guard case .array(let records)? = manifest.sweepField("includes") else { return [] }
        return records.compactMap { record in
            guard let file = record.sweepField("file")?.sweepString, let sha256 = record.sweepField("sha256")?.sweepString else { return nil }
            return (file, sha256)
        }
    }

    /// `json` serialized as it reads back from a file.
    private static func normalized(_ json: JSONValue) -> String {
        let text = json.serialized()
        guard let parsed = try? JSONParser.parse(Array(text.utf8), maxDepth: 1 << 20) else { return text }
        return parsed.serialized()
    }
}
