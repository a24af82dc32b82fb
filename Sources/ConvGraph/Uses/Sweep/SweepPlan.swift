/// The runs of a sweep (SPEC §11.2): the cartesian product of the grids in the order
/// given, the last grid varying fastest, each run in `DIR/NNNN` (0-based, zero-padded to
/// max(4, the digits of the last index)).
///
/// The plan is arithmetic only: run `i`'s overrides are computed from `i` (mixed radix
/// over the grid sizes), so a plan of any size costs nothing until a run is asked for.
public struct SweepPlan: Sendable, Hashable {
    /// The most runs a sweep may hold (SPEC §8), checked from the grid sizes before any run.
    public static let defaultMaxRuns = 100_000

    /// The graph file, as given.
    public var graphPath: String
    /// The `--grid` options, in order.
    public var grids: [SweepGrid]
    /// The `--set` overrides every run shares, applied before the grid's.
    public var sets: [String]
    /// The number of runs: the product of the grid sizes.
    public let count: Int

    /// One run of the plan.
    public struct Run: Sendable, Hashable {
        /// 0-based position in the product.
        public var index: Int
        /// `NNNN`, relative to the sweep directory.
        public var directoryName: String
        /// The grid's overrides, in grid order, each `KEY=VALUE` as `--set` takes it.
        public var overrides: [String]
    }

    /// - Throws: `.usage` (64) without a grid, or for a KEY given twice or in both
    ///   `--grid` and `--set`; `.invalidInput` (65) when the product of the grid sizes
    ///   exceeds `maxRuns` (the message names the `--grid` options and the product).
    public init(graphPath: String, grids: [SweepGrid], sets: [String], maxRuns: Int = SweepPlan.defaultMaxRuns) throws(ConvGraphError) {
        guard !grids.isEmpty else {
            throw ConvGraphError(.usage, Diagnostic("a sweep needs at least one --grid KEY=VALUES", file: nil))
        }
        var seen: [String: String] = [:]
        for set in sets {
            let override = try Override(parsing: set)
            seen[override.dottedPath] = "--set '\(set)'"
        }
        var gridKeys = Set<String>()
        for grid in grids {
            if let first = seen[grid.key] {
                let twice = gridKeys.contains(grid.key)
                throw ConvGraphError(.usage, Diagnostic("--grid '\(grid.text)': the key '\(grid.key)' is also given by \(first)", file: nil,
                                                        notes: [.init(twice ? "give each KEY one --grid with all its values" : "a key is either swept by --grid or fixed by --set, not both")]))
            }
            seen[grid.key] = "--grid '\(grid.text)'"
            gridKeys.insert(grid.key)
        }
        // The product, checked before any run (and without overflow).
        var product = 1
        var exceeded = false
        for grid in grids {
            let (p, overflow) = product.multipliedReportingOverflow(by: grid.values.count)
            if overflow || p > maxRuns { exceeded = true }
            product = overflow ? Int.max : p
            if exceeded { break }
        }
        if exceeded {
            let sizes = grids.map { String($0.values.count) }.joined(separator: " × ")
            let total = Self.productText(grids.map(\.values.count))
            throw ConvGraphError(.invalidInput, Diagnostic(
                "the sweep has \(total) runs (\(sizes)), more than the limit of \(maxRuns)", file: nil,
                notes: grids.map { .init("--grid '\($0.text)' has \($0.values.count) values") }
                    + [.init("split the sweep into several with fewer values per --grid")]))
        }
        self.graphPath = graphPath
        self.grids = grids
        self.sets = sets
        self.count = product
    }

    /// The digits of each run's directory name: max(4, the digits of the last index).
    public var directoryDigits: Int { max(4, String(max(count - 1, 0)).count) }

    /// `NNNN` for `index`.
    public func directoryName(_ index: Int) -> String {
        let digits = String(index)
        return String(repeating: "0", count: max(0, directoryDigits - digits.count)) + digits
    }

    /// The grid overrides of run `index` (0 ≤ index < count): the last grid varies fastest.
    public func overrides(_ index: Int) -> [String] {
        var rest = index
        var chosen = [Int](repeating: 0, count: grids.count)
        for g in grids.indices.reversed() {
            chosen[g] = rest % grids[g].values.count
            rest /= grids[g].values.count
        }
        return grids.indices.map { grids[$0].override(chosen[$0]) }
    }

    /// Run `index`.
    public func run(_ index: Int) -> Run {
        Run(index: index, directoryName: directoryName(index), overrides: overrides(index))
    }

    /// Every override of run `index`: the `--set`s, then the grid's (so the grid wins on a
    /// deeper path).
    public func allOverrides(_ index: Int) -> [String] { sets + overrides(index) }

    /// The exact product of `sizes` as decimal text, even past `Int.max`.
    static func productText(_ sizes: [Int]) -> String {
        var digits: [Int] = [1]  // little-endian base 10
        for size in sizes {
            var carry = 0
            for i in digits.indices {
                let v = digits[i] * size + carry
                digits[i] = v % 10
                carry = v / 10
            }
            while carry > 0 { digits.append(carry % 10); carry /= 10 }
        }
        while digits.count > 1 && digits.last == 0 { digits.removeLast() }
        return digits.reversed().map(String.init).joined()
    }
}
