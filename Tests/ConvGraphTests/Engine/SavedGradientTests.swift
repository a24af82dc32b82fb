import Testing
@testable import ConvGraph

/// SPEC §2: every saved gradient is the true dL/d(node), whether or not the node is in
/// `wrt` — a param left out of `wrt`, an input, an intermediate whose only route to `from`
/// avoids the `wrt` leaves, an intermediate of a graph whose `from` is non-scalar — and a
/// node with no path to `from` has a zero gradient.
///
/// Each saved gradient is compared with float64 central differences through the whole
/// graph: the node's output gets a probe added (`node + delta`, `delta` a zero input fed
/// to every reader of the node), and L is differenced in `delta`. The runs under test are
/// float64 and float32, on 1 and 2 threads; the graphs have fan-out.
@Suite struct SavedGradientTests {
    /// A graph written edge by edge, so that a probe can be spliced after any node.
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var nodes: [(String, String)]
        var edges: [(String, String)]
        var from: String
        /// The seed of a non-scalar `from` (nil: scalar, seeded with 1).
        var seed: [Double]?
        var backward: String
        var saveGrads: [String]
        var description: String { name }

        func yaml(dtype: String, probe: (node: String, shape: String)? = nil) -> String {
            var text = "seed: 11\ndtype: \(dtype)\nnodes:\n"
            for (name, body) in nodes { text += "  \(name): \(body)\n" }
            if let probe { text += "  probe_delta: {op: param, shape: \(probe.shape), init: zeros}\n  probe_sum: {op: add}\n" }
            text += "edges:\n"
            for (src, dst) in edges { text += "  - \(src == probe?.node ? "probe_sum" : src) -> \(dst)\n" }
            if let probe {
                text += "  - \(probe.node) -> probe_sum\n  - probe_delta -> probe_sum\n"
                // The finite-difference graph is only run forward, saving `from`.
                let out = from == probe.node ? "probe_sum" : from
                text += "save: {values: [\(out)]}\n"
            } else {
                text += "backward: \(backward)\nsave: {grads: [\(saveGrads.joined(separator: ", "))]}\n"
            }
            return text
        }
    }

    /// Scalar loss. `wrt` is only `w1`; `x` fans out to two branches, `c2` to `s` and `m`.
    /// `w2` (a param left out of `wrt`), `x` (an input), `r2` and `c2` (intermediates whose
    /// only route to `from` avoids `w1`), `w3` (a param downstream of both); `w4` and `side`
    /// have no path to `loss`.
    static let scalar = Case(
        name: "scalar loss",
        nodes: [("x", "{op: input, shape: [2, 2, 5, 5], init: randn}"),
                ("w1", "{op: param, shape: [3, 2, 3, 3], init: randn}"),
                ("w2", "{op: param, shape: [3, 2, 3, 3], init: randn}"),
                ("w3", "{op: param, shape: [2, 3, 1, 1], init: randn}"),
                ("w4", "{op: param, shape: [1, 2, 2, 2], init: randn}"),
                ("c1", "{op: conv}"), ("r2", "{op: relu}"), ("c2", "{op: conv}"),
                ("s", "{op: add}"), ("c3", "{op: conv}"), ("l", "{op: l2}"), ("m", "{op: mean}"),
                ("loss", "{op: add}"), ("side", "{op: sum}")],
        edges: [("x", "c1"), ("w1", "c1.weight"), ("x", "r2"), ("r2", "c2"), ("w2", "c2.weight"),
                ("c1", "s"), ("c2", "s"), ("s", "c3"), ("w3", "c3.weight"), ("c3", "l"), ("c2", "m"),
                ("l", "loss"), ("m", "loss"), ("w4", "side")],
        from: "loss", seed: nil,
        backward: "{from: loss, wrt: [w1]}",
        saveGrads: ["w1", "w2", "w3", "w4", "x", "r2", "c1", "c2", "s", "side"])

    /// Non-scalar `from` seeded with literal values; `wrt` is only `v`, so `w`, `x`, `c`
    /// and `r` are off every `wrt` path. `c` fans out to `r` and `y`.
    static let nonScalar = Case(
        name: "non-scalar from",
        nodes: [("x", "{op: input, shape: [1, 2, 4, 4], init: randn}"),
                ("w", "{op: param, shape: [2, 2, 3, 3], init: randn}"),
                ("v", "{op: param, shape: [2, 2, 1, 1], init: randn}"),
                ("c", "{op: conv}"), ("r", "{op: relu}"), ("h", "{op: conv}"), ("y", "{op: add}")],
        edges: [("x", "c"), ("w", "c.weight"), ("c", "r"), ("r", "h"), ("v", "h.weight"), ("h", "y"), ("c", "y")],
        from: "y", seed: [0.3, -1.2, 0.7, 0.5, -0.4, 1.1, 0.9, -0.8],
        backward: "{from: y, grad: {values: [[[[0.3, -1.2], [0.7, 0.5]], [[-0.4, 1.1], [0.9, -0.8]]]]}, wrt: [v]}",
        saveGrads: ["v", "w", "x", "c", "r", "h", "y"])

    static let cases: [(Case, String)] =
        scalar.saveGrads.map { (scalar, $0) } + nonScalar.saveGrads.map { (nonScalar, $0) }

    /// dL/d(node) by float64 central differences through the whole graph.
    static func numericGradient(_ c: Case, node: String, eps: Double = 1e-5) throws -> [Double] {
        let graph = try Graph.parse(yaml: c.yaml(dtype: "float64"), path: "g.yaml")
        let shape = try #require(graph.index(of: node).map { graph.nodes[$0].shape })
        let probe = try Graph.parse(yaml: c.yaml(dtype: "float64", probe: (node, "[" + shape.dims.map(String.init).joined(separator: ", ") + "]")),
                                    path: "probe.yaml")
        let out = c.from == node ? "probe_sum" : c.from
        let session = try Session(graph: probe, forwardOnly: true, parallelism: .serial)
        func output(_ k: Int, _ h: Double) throws -> [Double] {
            var d = Tensor<Double>(zeros: shape)
            d.scalars[k] = h
            return ET.value(try session.step(feeds: ["probe_delta": AnyTensor(d)]), out)
        }
        var numeric: [Double] = []
        for k in 0..<shape.count {
            let plus = try output(k, eps), minus = try output(k, -eps)
            let seed = c.seed ?? Array(repeating: 1, count: plus.count)
            #expect(seed.count == plus.count)
            numeric.append(pairwiseSum((0..<plus.count).map { seed[$0] * (plus[$0] - minus[$0]) }) / (2 * eps))
        }
        return numeric
    }

    @Test(arguments: cases)
    func savedGradientIsTheTrueDerivative(_ c: Case, _ node: String) throws {
        let numeric = try Self.numericGradient(c, node: node)
        let hasPath = !numeric.allSatisfy { $0 == 0 }
        for (dtype, tolerance) in [("float64", 1e-6), ("float32", 1e-4)] {
            let graph = try Graph.parse(yaml: c.yaml(dtype: dtype), path: "g.yaml")
            for threads in [1, 2] {
                let result = try Executor(graph: graph, parallelism: Parallelism(threads: threads)).run()
                let analytic = ET.grad(result, node)
                #expect(analytic.count == numeric.count, "\(c) \(node) \(dtype)")
                guard analytic.count == numeric.count else { continue }
                let error = FD.maxRelativeError(analytic, numeric)
                #expect(error <= tolerance, "\(c): grad(\(node)) in \(dtype) on \(threads) threads: error \(error)")
                if !hasPath { #expect(analytic.allSatisfy { $0 == 0 }, "\(c): \(node) has no path to from") }
                #expect(graph.plannedPeakBytes() == result.peakTensorBytes, "\(c) \(dtype)")
            }
        }
    }

    @Test func nodesWithoutAPathKeepZeroGradients() throws {
        let r = try ET.run(try Graph.parse(yaml: Self.scalar.yaml(dtype: "float64"), path: "g.yaml"))
        #expect(ET.grad(r, "w4") == Array(repeating: 0, count: 8))
        #expect(ET.grad(r, "side") == [0])
        // The nodes off every `wrt` path do get a gradient now.
        for name in ["w2", "x", "r2", "c2", "w3"] { #expect(ET.grad(r, name).contains { $0 != 0 }, "\(name)") }
    }

    @Test(arguments: [scalar, nonScalar])
    func extraSavedGradientsLeaveTheOthersBitIdentical(_ c: Case) throws {
        let all = try ET.run(try Graph.parse(yaml: c.yaml(dtype: "float64"), path: "g.yaml"))
        var wrtOnly = c
        wrtOnly.saveGrads = [c.name == "scalar loss" ? "w1" : "v"]
        let few = try ET.run(try Graph.parse(yaml: wrtOnly.yaml(dtype: "float64"), path: "g.yaml"))
        let name = wrtOnly.saveGrads[0]
        #expect(ET.bits(ET.grad(all, name)) == ET.bits(ET.grad(few, name)))
        #expect(!ET.grad(few, name).isEmpty)
    }
}
