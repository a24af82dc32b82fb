/// The rows of `convgraph compare` (SPEC §11.3): one per run, with the overrides that differ
/// between the rows as columns, then status, final train loss, eval loss, accuracy and wall
/// time; optionally sorted.
///
/// An override column is a `KEY` of some row's `KEY=VALUE` overrides whose value is not the
/// same in every row (a row without the key counts as a value of its own). Columns come in
/// the order their keys first appear, row by row. When a run gives a key twice, the last
/// value counts (as `--set` applies them).
public struct Comparison: Sendable {
    /// The sort keys that name a fixed column (any override `KEY` of a row is one too).
    public static let fixedSortKeys = ["run", "status", "train_loss", "eval_loss", "accuracy", "wall_ms"]

    /// The runs, one per row, in display order.
    public var rows: [RunSummary]
    /// The override keys that differ between the rows: the override columns, in order.
    public var overrideKeys: [String]

    /// The comparison of `runs`, in their order or sorted by `sortKey`.
    ///
    /// Sorting is ascending and stable: numbers by value, override values numerically when
    /// both read as numbers and else by their bytes, statuses in the order complete,
    /// interrupted, failed, not run; a missing (or NaN) value sorts after every other.
    /// - Throws: 64 when `sortKey` is neither a fixed key (``fixedSortKeys``) nor an override
    ///   key of some row.
    public init(runs: [RunSummary], sortBy sortKey: String? = nil) throws(ConvGraphError) {
        var keys: [String] = []
        var known: Set<String> = []
        for run in runs {
            for (key, _) in run.overridePairs where known.insert(key).inserted { keys.append(key) }
        }
        let values = runs.map(Self.lastValues)
        overrideKeys = keys.filter { key in Set(values.map { $0[key] }).count > 1 }
        rows = runs
        guard let sortKey else { return }
        guard Self.fixedSortKeys.contains(sortKey) || known.contains(sortKey) else {
            throw ConvGraphError(.usage, Diagnostic(
                "--sort: no column '\(NameRules.printable(sortKey))'", file: nil,
                notes: Diagnostic.didYouMean(sortKey, among: Self.fixedSortKeys + keys)
                    + [.init("sort keys: \((Self.fixedSortKeys + keys).joined(separator: ", "))")]))
        }
        let order = Array(zip(runs, values).enumerated()).sorted { x, y in
            switch Self.compare(x.element, y.element, by: sortKey) {
            case .some(let less): less
            case .none: x.offset < y.offset
            }
        }
        rows = order.map(\.element.0)
    }

    /// Each key's last value in `run`'s overrides.
    static func lastValues(_ run: RunSummary) -> [String: String] {
        var out: [String: String] = [:]
        for (key, value) in run.overridePairs { out[key] = value }
        return out
    }

    /// Whether `a` sorts before `b` by `key`; nil when they tie.
    static func compare(_ a: (RunSummary, [String: String]), _ b: (RunSummary, [String: String]), by key: String) -> Bool? {
        func numbers(_ x: Double?, _ y: Double?) -> Bool? {
            let x = x.flatMap { $0.isNaN ? nil : $0 }, y = y.flatMap { $0.isNaN ? nil : $0 }
            switch (x, y) {
            case (nil, nil): return nil
            case (nil, _): return false
            case (_, nil): return true
            case (let x?, let y?): return x == y ? nil : x < y
            }
        }
        func texts(_ x: String, _ y: String) -> Bool? {
            x == y ? nil : Array(x.utf8).lexicographicallyPrecedes(Array(y.utf8))
        }
        switch key {
        case "run": return texts(a.0.directory, b.0.directory)
        case "status":
            let order = RunStatus.allCases
            return numbers(order.firstIndex(of: a.0.status).map(Double.init), order.firstIndex(of: b.0.status).map(Double.init))
        case "train_loss": return numbers(a.0.trainLoss, b.0.trainLoss)
        case "eval_loss": return numbers(a.0.evalLoss, b.0.evalLoss)
        case "accuracy": return numbers(a.0.accuracy, b.0.accuracy)
        case "wall_ms": return numbers(a.0.wallMilliseconds, b.0.wallMilliseconds)
        default:
            switch (a.1[key], b.1[key]) {
            case (nil, nil): return nil
            case (nil, _): return false
            case (_, nil): return true
            case (let x?, let y?):
                if let u = Double(x), let v = Double(y), !u.isNaN, !v.isNaN, u != v { return u < v }
                return texts(x, y)
            }
        }
    }

    /// Each row's value of each override column (nil where the row lacks the key).
    public var overrideCells: [[String?]] {
        rows.map { run in
            let values = Self.lastValues(run)
            return overrideKeys.map { values[$0] }
        }
    }
}
