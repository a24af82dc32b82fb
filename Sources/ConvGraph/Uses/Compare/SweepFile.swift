/// A sweep directory's `sweep.json` as `compare` reads it: the list of runs, each with its
/// directory, grid overrides, status and exit code (the format shared with `convgraph sweep`:
/// `{"graph", "grids", "sets": ["k=v"…], "runs": [{"index", "dir", "overrides", "status",
/// "exit_code"}…]}`).
struct SweepFile {
    /// One run of the sweep.
    struct Run {
        var index: Int
        /// The run's directory name inside the sweep directory (`0003`).
        var directory: String
        /// The grid overrides, `KEY=VALUE`, in grid order.
        var overrides: [String]
        var status: RunStatus
        var exitCode: Int?
    }

    /// The largest `sweep.json` read (100,000 runs of a few hundred bytes each fit).
    static let maxBytes = 256 << 20

    /// The sweep's `--set` strings (common to every run).
    var sets: [String]
    var runs: [Run]

    /// Whether `directory` holds a `sweep.json`.
    static func exists(in directory: String) -> Bool {
        PathKind.of(PathKind.join(directory, "sweep.json")) != .missing
    }

    /// Reads `DIRECTORY/sweep.json`; nil when the directory holds none.
    /// - Throws: 65 when it is not the shared format (a run's `dir` must be one path
    ///   component, not `.` or `..`), 66 when it cannot be read.
    static func read(directory: String) throws(ConvGraphError) -> SweepFile? {
        let path = PathKind.join(directory, "sweep.json")
        func invalid(_ message: String) -> ConvGraphError {
            ConvGraphError(.invalidInput, Diagnostic("not a sweep file: \(message)", file: path))
        }
        guard let members = try JSONObjectFile.read(path, kind: "sweep file", maxBytes: maxBytes, maxDepth: 16) else { return nil }
        func member(_ pairs: [(String, JSONValue)], _ key: String) -> JSONValue? { pairs.first { $0.0 == key }?.1 }
        let sets = try member(members, "sets").map { v throws(ConvGraphError) in try ManifestFile.strings(v, what: "sets", file: path) } ?? []
        guard case .array(let items)? = member(members, "runs") else { throw invalid("'runs' is missing or not a list") }
        var runs: [Run] = []
        for (position, item) in items.enumerated() {
            guard case .object(let fields) = item else { throw invalid("run \(position) is not an object") }
            guard case .string(let dir)? = member(fields, "dir"), !dir.isEmpty, !dir.contains("/"), dir != ".", dir != ".." else {
                throw invalid("run \(position) has no 'dir' naming a folder of the sweep")
            }
            let index: Int
            switch member(fields, "index") {
            case .int(let i)?: index = i
            case nil: index = position
            default: throw invalid("run \(position) has an 'index' that is not an integer")
            }
            let overrides = try member(fields, "overrides").map { v throws(ConvGraphError) in
                try ManifestFile.strings(v, what: "runs[\(position)].overrides", file: path)
            } ?? []
            let status: RunStatus
            switch member(fields, "status") {
            case .string(let s)?:
                guard let known = RunStatus(rawValue: s) else {
                    throw invalid("run \(position) has the status '\(NameRules.printable(String(s.prefix(40))))', not one of \(RunStatus.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", "))")
                }
                status = known
            case nil, .null?: status = .notRun
            default: throw invalid("run \(position) has a 'status' that is not a string")
            }
            let exitCode: Int?
            switch member(fields, "exit_code") {
            case .int(let code)?: exitCode = code
            case nil, .null?: exitCode = nil
            default: throw invalid("run \(position) has an 'exit_code' that is not an integer or null")
            }
            runs.append(Run(index: index, directory: dir, overrides: overrides, status: status, exitCode: exitCode))
        }
        return SweepFile(sets: sets, runs: runs)
    }
}
