#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `DIR/sweep.json` (SPEC §11.2): the sweep's graph, grids and `--set`s, and every run's
/// index, directory, grid overrides, status and exit code.
///
/// ```json
/// {"graph": "g.yaml", "grids": [{"key": "nodes.p.window", "values": ["2", "[3, 2]"]}],
///  "sets": [], "runs": [{"index": 0, "dir": "0000", "overrides": ["nodes.p.window=2"],
///                        "status": "complete", "exit_code": 0}, ...]}
/// ```
///
/// Every shard writes the whole list. `update` takes an exclusive `flock` on
/// `DIR/.sweep.lock`, reads the current file, changes only the entries it was given and
/// renames a new file into place, so shards that share `DIR` (on one machine or on a
/// cluster's shared file system) never lose each other's statuses and a reader never
/// sees half a file.
public struct SweepRecord: Sendable, Hashable {
    /// A run's state as the sweep knows it.
    public enum Status: String, Sendable, Hashable {
        /// Not attempted yet (by any shard).
        case notRun = "not run"
        /// Finished now, or found complete and skipped.
        case complete
        /// Started and not finished: running now, or its process was stopped.
        case interrupted
        /// Ended with an error; `exitCode` is the code `run`/`train` would have exited with.
        case failed
    }

    /// One run's entry.
    public struct Entry: Sendable, Hashable {
        /// 0-based position in the product.
        public var index: Int
        /// `NNNN`, relative to the sweep directory.
        public var directory: String
        /// The grid overrides only, in grid order.
        public var overrides: [String]
        /// What is known of the run.
        public var status: Status
        /// 0 when complete, the error's exit code when failed, else `nil`.
        public var exitCode: Int?
    }

    /// The graph path, as given.
    public var graph: String
    /// Each grid's key and values (each value as `--set` takes it).
    public var grids: [(key: String, values: [String])]
    /// The `--set` overrides every run shares.
    public var sets: [String]
    /// Every run of the sweep, by index.
    public var runs: [Entry]

    /// Equal when their JSON is.
    public static func == (a: SweepRecord, b: SweepRecord) -> Bool { a.json == b.json }
    /// Hashes the JSON.
    public func hash(into hasher: inout Hasher) { hasher.combine(json) }

    /// Every run of `plan`, not run.
    public init(plan: SweepPlan) {
        graph = plan.graphPath
        grids = plan.grids.map { ($0.key, $0.values) }
        sets = plan.sets
        runs = (0..<plan.count).map { i in
            Entry(index: i, directory: plan.directoryName(i), overrides: plan.overrides(i), status: .notRun, exitCode: nil)
        }
    }

    /// The file's JSON, keys in the documented order.
    public var json: JSONValue {
        .object([
            ("graph", .string(graph)),
            ("grids", .array(grids.map { .object([("key", .string($0.key)), ("values", .array($0.values.map { .string($0) }))]) })),
            ("sets", .array(sets.map { .string($0) })),
            ("runs", .array(runs.map { r in
                .object([("index", .int(r.index)), ("dir", .string(r.directory)), ("overrides", .array(r.overrides.map { .string($0) })),
                         ("status", .string(r.status.rawValue)), ("exit_code", r.exitCode.map { .int($0) } ?? .null)])
            })),
        ])
    }

    /// The bytes of `sweep.json`.
    public var bytes: [UInt8] { Array((json.serialized() + "\n").utf8) }

    /// Reads a record from its JSON; `nil` when it is not a sweep record.
    public init?(json: JSONValue) {
        guard let graph = json.sweepField("graph")?.sweepString,
              let gridList = json.sweepField("grids")?.sweepArray, let setList = json.sweepField("sets")?.sweepArray,
              let runList = json.sweepField("runs")?.sweepArray else { return nil }
        var grids: [(key: String, values: [String])] = []
        for g in gridList {
            guard let key = g.sweepField("key")?.sweepString, let values = g.sweepField("values")?.sweepArray?.map(\.sweepString),
                  !values.contains(where: { $0 == nil }) else { return nil }
            grids.append((key, values.compactMap { $0 }))
        }
        let sets = setList.compactMap(\.sweepString)
        guard sets.count == setList.count else { return nil }
        var runs: [Entry] = []
        for r in runList {
            guard case .int(let index)? = r.sweepField("index"), let dir = r.sweepField("dir")?.sweepString,
                  let overrides = r.sweepField("overrides")?.sweepArray?.compactMap(\.sweepString),
                  let status = r.sweepField("status")?.sweepString.flatMap(Status.init(rawValue:)) else { return nil }
            var code: Int?
            if case .int(let c)? = r.sweepField("exit_code") { code = c }
            runs.append(Entry(index: index, directory: dir, overrides: overrides, status: status, exitCode: code))
        }
        self.graph = graph
        self.grids = grids
        self.sets = sets
        self.runs = runs
    }

    /// The record in `DIR/sweep.json`, or `nil` when there is none or it is not valid.
    public static func read(directory: String) -> SweepRecord? {
        guard let bytes = try? readRegularFile(atPath: "\(directory)/sweep.json", maxBytes: 1 << 30),
              let json = try? JSONParser.parse(bytes, maxDepth: 16) else { return nil }
        return SweepRecord(json: json)
    }

    /// Whether `other` describes the same sweep (graph, grids, sets, runs' overrides), so
    /// that its statuses apply to this one.
    func describesSameSweep(as other: SweepRecord) -> Bool {
        graph == other.graph && sets == other.sets && grids.map(\.key) == other.grids.map(\.key)
            && grids.map(\.values) == other.grids.map(\.values) && runs.count == other.runs.count
            && zip(runs, other.runs).allSatisfy { $0.index == $1.index && $0.directory == $1.directory && $0.overrides == $1.overrides }
    }

    /// Writes `DIR/sweep.json` for `plan`, under the lock: the statuses already recorded
    /// for the same sweep are kept (others start as not run), then `changes` (index →
    /// status, exit code) are applied; the file is replaced atomically. `DIR` is created
    /// when missing.
    /// - Returns: the record written.
    /// - Throws: `.cannotCreate` (73) when `DIR` or the file cannot be written.
    @discardableResult
    public static func update(directory: String, plan: SweepPlan, changes: [Int: (Status, Int?)] = [:]) throws(ConvGraphError) -> SweepRecord {
        let lock = try SweepLock(directory: directory)
        defer { lock.release() }
        var record = SweepRecord(plan: plan)
        if let existing = read(directory: directory), existing.describesSameSweep(as: record) {
            record.runs = existing.runs
        }
        for (index, change) in changes where record.runs.indices.contains(index) {
            record.runs[index].status = change.0
            record.runs[index].exitCode = change.1
        }
        let path = "\(directory)/sweep.json"
        let bytes = record.bytes
        let pending = Interruption.PendingWrite()
        defer { pending.end() }
        try pending.step { _ throws(ConvGraphError) in
            do throws(FileWriteError) {
                try writeFileAtomically(bytes, toPath: path)
            } catch {
                throw ConvGraphError(.cannotCreate, Diagnostic(error.description, file: path))
            }
        }
        return record
    }
}

/// The exclusive lock on `DIR/.sweep.lock` that `SweepRecord.update` holds while it reads
/// and replaces `sweep.json` (`flock`, which Linux also takes on NFS as a POSIX lock).
/// Within one process, the lock file is opened anew each time, so two threads exclude
/// each other as two processes do.
struct SweepLock {
    private let fd: Int32

    init(directory: String) throws(ConvGraphError) {
        try SweepLock.makeDirectory(directory)
        let path = "\(directory)/.sweep.lock"
        var fd: Int32
        repeat { fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644) } while fd < 0 && errno == EINTR
        guard fd >= 0 else {
            throw ConvGraphError(.cannotCreate, Diagnostic("cannot open the sweep's lock file: \(String(cString: strerror(errno)))", file: path))
        }
        var result: Int32
        repeat { result = flock(fd, LOCK_EX) } while result != 0 && errno == EINTR
        guard result == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw ConvGraphError(.cannotCreate, Diagnostic("cannot lock the sweep's lock file: \(reason)", file: path))
        }
        self.fd = fd
    }

    func release() {
        flock(fd, LOCK_UN)
        close(fd)
    }

    /// Creates `path` and its missing parents.
    static func makeDirectory(_ path: String) throws(ConvGraphError) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw ConvGraphError(.cannotCreate, Diagnostic("cannot create the folder '\(prefix)': \(String(cString: strerror(errno)))", file: path))
            }
        }
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
            throw ConvGraphError(.cannotCreate, Diagnostic("is not a directory", file: path))
        }
    }
}
