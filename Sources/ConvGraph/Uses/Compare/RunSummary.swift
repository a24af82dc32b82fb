/// What one run directory says about its run (SPEC §6, §10, §11.3): its status, the
/// overrides it was made with, its final losses and accuracy, and its wall time.
///
/// Read from, in order of preference:
/// - `manifest.json` (a complete run): `overrides`; the `train` object's `train_loss`,
///   `eval_loss` and `eval_accuracy`; `timings` (`forward_ms + backward_ms` for a `run`,
///   `train_ms + eval_ms` for a training). A `run` has no losses.
/// - `metrics.jsonl` (a training, complete or interrupted), for what the manifest lacks: the
///   loss of the last `train` record and the loss and accuracy of the last `eval` record.
///   Lines that do not read as records are skipped (the file is the run's log, not its result).
/// - `sweep.json`, for a run of a sweep: its status, and its overrides when the run
///   directory holds no manifest.
public struct RunSummary: Sendable, Hashable {
    /// The run directory, as found (`PATH` or `PATH/NAME`).
    public var directory: String
    /// Complete, interrupted, failed or not run (``RunStatus``).
    public var status: RunStatus
    /// The graph's name (the manifest's `graph`), when known.
    public var graph: String?
    /// The `--set` strings the run was made with, `KEY=VALUE`, in their order.
    public var overrides: [String]
    /// The final training loss; NaN when training diverged.
    public var trainLoss: Double?
    /// The last evaluation's loss.
    public var evalLoss: Double?
    /// The last evaluation's accuracy, a fraction in [0, 1].
    public var accuracy: Double?
    /// The wall time of the compute (without loading and saving), in milliseconds.
    public var wallMilliseconds: Double?
    /// The exit code `sweep.json` records for the run, if any.
    public var exitCode: Int?

    /// A summary with the given fields (the rest unknown).
    public init(directory: String, status: RunStatus, graph: String? = nil, overrides: [String] = [],
                trainLoss: Double? = nil, evalLoss: Double? = nil, accuracy: Double? = nil,
                wallMilliseconds: Double? = nil, exitCode: Int? = nil) {
        self.directory = directory
        self.status = status
        self.graph = graph
        self.overrides = overrides
        self.trainLoss = trainLoss
        self.evalLoss = evalLoss
        self.accuracy = accuracy
        self.wallMilliseconds = wallMilliseconds
        self.exitCode = exitCode
    }

    /// The overrides as `(KEY, VALUE)`, split at the first `=` (a string without `=` is a key
    /// with an empty value).
    public var overridePairs: [(key: String, value: String)] {
        overrides.map { text in
            guard let eq = text.firstIndex(of: "=") else { return (text, "") }
            return (String(text[..<eq]), String(text[text.index(after: eq)...]))
        }
    }

    /// Whether `directory` holds a run on its own: a `manifest.json`, or a training's
    /// `metrics.jsonl` or `checkpoints/`.
    public static func isRunDirectory(_ directory: String) -> Bool {
        PathKind.of(PathKind.join(directory, "manifest.json")) != .missing
            || PathKind.of(PathKind.join(directory, "metrics.jsonl")) == .regularFile
            || PathKind.of(PathKind.join(directory, "checkpoints")) == .directory
    }

    /// Reads the run directory at `directory`: complete when it holds `manifest.json`,
    /// interrupted when it holds only a training's `metrics.jsonl` or `checkpoints/`; nil
    /// when it holds neither (not a run).
    /// - Throws: 65 for a manifest that is not a JSON object or whose `overrides` is not a list
    ///   of strings; 66 when it cannot be read.
    public static func read(directory: String) throws(ConvGraphError) -> RunSummary? {
        guard isRunDirectory(directory) else { return nil }
        var summary = RunSummary(directory: directory, status: .interrupted)
        try summary.fill(from: directory)
        return summary
    }

    /// Fills in what `directory` holds (manifest first, then metrics), setting `status` to
    /// complete when there is a manifest and `keepStatus` is false.
    mutating func fill(from directory: String, keepStatus: Bool = false) throws(ConvGraphError) {
        if let manifest = try ManifestFile.read(directory: directory) {
            if !keepStatus { status = .complete }
            graph = manifest.string("graph")
            overrides = try manifest.overrides()
            if case .object(let train)? = manifest["train"] {
                func member(_ key: String) -> JSONValue? { train.first { $0.0 == key }?.1 }
                // The manifest writes null for a non-finite loss (a diverged training).
                trainLoss = member("train_loss").map { ManifestFile.number($0) ?? .nan }
                evalLoss = ManifestFile.number(member("eval_loss"))
                accuracy = ManifestFile.number(member("eval_accuracy"))
            }
            wallMilliseconds = manifest.wallMilliseconds
        }
        if trainLoss == nil || evalLoss == nil {
            let (train, eval) = Self.lastRecords(PathKind.join(directory, "metrics.jsonl"))
            if trainLoss == nil, case .train(_, _, _, let loss, _)? = train { trainLoss = loss }
            if evalLoss == nil, case .eval(_, _, let loss, let acc)? = eval {
                evalLoss = loss
                if accuracy == nil { accuracy = acc }
            }
        }
    }

    /// The largest `metrics.jsonl` read (about five million records).
    static let maxMetricsBytes = 1 << 30

    /// The last `train` and the last `eval` record of the metrics file at `path` (nil each
    /// when there is none, the file is missing or unreadable), read from the end.
    static func lastRecords(_ path: String) -> (train: MetricsRecord?, eval: MetricsRecord?) {
        guard let bytes = try? readRegularFile(atPath: path, maxBytes: maxMetricsBytes) else { return (nil, nil) }
        var train: MetricsRecord?
        var eval: MetricsRecord?
        var end = bytes.count
        while end > 0, train == nil || eval == nil {
            var start = end
            while start > 0, bytes[start - 1] != UInt8(ascii: "\n") { start -= 1 }
            let line = bytes[start..<end]
            end = start > 0 ? start - 1 : 0
            guard !line.isEmpty, let record = try? MetricsRecord(jsonLine: line) else { continue }
            switch record {
            case .train: if train == nil { train = record }
            case .eval: if eval == nil { eval = record }
            }
        }
        return (train, eval)
    }
}
