import Testing
@testable import ConvGraph

/// Helpers for the Engine/ suites: the repository root (from `#filePath`), graph
/// loading and running, and the values of a run as plain `[Double]`.
enum ET {
    /// The repository root: this file lives in `Tests/ConvGraphTests/Engine/`.
    static let root: String = {
        var parts = String(#filePath).split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(4)
        return parts.joined(separator: "/")
    }()

    static func graphPath(_ name: String) -> String { root + "/Graphs/" + name }

    /// Every `*.yaml` in `Graphs/`, sorted.
    static var graphFiles: [String] {
        (RunDirectory.listDirectory(root + "/Graphs") ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
    }

    static func load(_ name: String, overrides: [String] = []) throws -> Graph {
        try Graph.load(contentsOf: graphPath(name), overrides: overrides)
    }

    static func parse(_ yaml: String) throws -> Graph {
        try Graph.parse(yaml: yaml, path: "test.yaml")
    }

    static func run(_ graph: Graph, forwardOnly: Bool = false, keepAll: Bool = false) throws -> RunResult {
        try Executor(graph: graph).run(forwardOnly: forwardOnly, keepAll: keepAll)
    }

    /// The saved value `name` as float64 scalars (empty when missing).
    static func value(_ r: RunResult, _ name: String) -> [Double] { r.value(name)?.doubles.scalars ?? [] }
    static func grad(_ r: RunResult, _ name: String) -> [Double] { r.grad(name)?.doubles.scalars ?? [] }

    /// NumPy's `np.mean` (pairwise sum divided by the count).
    static func mean(_ xs: [Double]) -> Double { pairwiseSum(xs) / Double(xs.count) }

    /// Bit patterns, for exact comparisons that also tell −0 from 0 and compare NaNs.
    static func bits(_ xs: [Double]) -> [UInt64] { xs.map(\.bitPattern) }

    /// Every value and gradient of a run, as (name, bit patterns), for run-to-run equality.
    static func fingerprint(_ r: RunResult) -> [String] {
        r.values.map { "v:\($0.name):\($0.tensor.shape):\(bits($0.tensor.doubles.scalars))" }
            + r.grads.map { "g:\($0.name):\($0.tensor.shape):\(bits($0.tensor.doubles.scalars))" }
    }

    /// The kind of error `body` throws, or nil.
    static func errorKind(_ body: () throws -> Void) -> ConvGraphError.Kind? {
        do {
            try body()
            return nil
        } catch let error as ConvGraphError {
            return error.kind
        } catch {
            Issue.record("not a ConvGraphError: \(error)")
            return nil
        }
    }
}
