/// Which runs of a sweep this process runs (SPEC §11.2): those whose index ≡ `index`
/// (mod `count`). Shards 0..<N of one sweep are disjoint and together cover every run.
public struct SweepShard: Sendable, Hashable, CustomStringConvertible {
    /// I, with 0 ≤ I < N.
    public let index: Int
    /// N ≥ 1.
    public let count: Int

    /// Every run.
    public static let all = SweepShard(uncheckedIndex: 0, count: 1)

    private init(uncheckedIndex index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// - Throws: `.usage` (64) unless 0 ≤ `index` < `count`.
    public init(index: Int, count: Int) throws(ConvGraphError) {
        guard count >= 1, index >= 0, index < count else {
            throw ConvGraphError(.usage, Diagnostic("--shard \(index)/\(count): I/N needs 0 ≤ I < N", file: nil))
        }
        self.init(uncheckedIndex: index, count: count)
    }

    /// Parses `--shard I/N`.
    /// - Throws: `.usage` (64) for text that is not `I/N` with 0 ≤ I < N.
    public init(parsing text: String) throws(ConvGraphError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Self.integer(parts[0]), let n = Self.integer(parts[1]) else {
            throw ConvGraphError(.usage, Diagnostic("--shard takes I/N (two integers, 0 ≤ I < N, as in 0/4), not '\(NameRules.printable(text))'", file: nil))
        }
        try self.init(index: i, count: n)
    }

    /// The shard a Slurm array task runs: `SLURM_ARRAY_TASK_ID` (less
    /// `SLURM_ARRAY_TASK_MIN` when set, so `--array=1-4` works as `--array=0-3`) of
    /// `SLURM_ARRAY_TASK_COUNT`, when both are set; else every run (0/1).
    /// - Parameter environment: the process environment (tests pass their own).
    /// - Throws: `.usage` (64) when the variables are set but not integers with 0 ≤ I < N.
    public init(environment: [String: String]) throws(ConvGraphError) {
        guard let idText = environment["SLURM_ARRAY_TASK_ID"], let countText = environment["SLURM_ARRAY_TASK_COUNT"] else {
            self = .all
            return
        }
        let minText = environment["SLURM_ARRAY_TASK_MIN"]
        let parsedMinimum: Int? = minText.map { Self.integer(Substring($0)) } ?? 0
        guard let id = Self.integer(Substring(idText)), let n = Self.integer(Substring(countText)), let minimum = parsedMinimum else {
            throw ConvGraphError(.usage, Diagnostic(
                "SLURM_ARRAY_TASK_ID=\(NameRules.printable(idText)), SLURM_ARRAY_TASK_COUNT=\(NameRules.printable(countText)) are not integers", file: nil))
        }
        guard n >= 1, id - minimum >= 0, id - minimum < n else {
            throw ConvGraphError(.usage, Diagnostic(
                "SLURM_ARRAY_TASK_ID=\(id) (minimum \(minimum)) is not a task of SLURM_ARRAY_TASK_COUNT=\(n)", file: nil,
                notes: [.init("submit the sweep with sbatch --array=0-\(max(n - 1, 0)), or pass --shard I/N")]))
        }
        self.init(uncheckedIndex: id - minimum, count: n)
    }

    /// Whether run `index` belongs to this shard.
    public func contains(_ index: Int) -> Bool { index % count == self.index }

    /// This shard's runs of a sweep of `total` runs, in order.
    public func indices(of total: Int) -> StrideTo<Int> { stride(from: index, to: total, by: count) }

    /// `I/N`.
    public var description: String { "\(index)/\(count)" }

    /// A decimal integer (ASCII digits, at most 18 of them).
    private static func integer(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.count <= 18, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }
}
