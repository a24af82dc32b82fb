import Testing
@testable import ConvGraph

/// Every ready-to-run graph in `Graphs/` loads, runs, and passes a gradient check.
@Suite struct GraphsFolderTests {
    @Test func theFolderHoldsTheExpectedGraphs() {
        let files = ET.graphFiles
        for name in ["seed", "small-cnn", "residual", "conv-variants", "pad-modes", "pooling", "float32", "linear", "conv-transpose",
                     "encoder-decoder", "activations", "batchnorm", "cross-entropy", "lenet"] {
            #expect(files.contains(name + ".yaml"), "Graphs/\(name).yaml is missing")
        }
    }

    @Test(arguments: ET.graphFiles)
    func loadsAndRuns(_ file: String) throws {
        let graph = try ET.load(file)
        #expect(!graph.nodes.isEmpty)
        let r = try ET.run(graph)
        #expect(!r.values.isEmpty)
        for (name, t) in r.values + r.grads {
            #expect(t.dtype == graph.dtype, "\(file): \(name)")
            let finite = t.doubles.scalars.allSatisfy { $0.isFinite }
            #expect(finite, "\(file): \(name) has a non-finite element")
        }
        // Every graph here declares backward with respect to its inputs and params, except
        // leaves that only feed inputs carrying no gradient (a `cross_entropy` index target).
        let backward = try #require(graph.backward, "\(file) declares no backward")
        let leaves = graph.nodes.indices.filter { graph.nodes[$0].isLeaf && Self.carriesGradient(graph, $0) }
        #expect(Set(backward.wrt) == Set(leaves), "\(file): wrt should name every input and param")
        #expect(r.ranBackward)
    }

    @Test(arguments: ET.graphFiles)
    func gradientsMatchFiniteDifferences(_ file: String) throws {
        let graph = try ET.load(file)
        let reports = try GradCheck().check(graph)
        #expect(reports.map(\.name) == (graph.backward?.wrt ?? []).map { graph.nodes[$0].name })
        for report in reports {
            #expect(report.checked > 0, "\(file): \(report.name) checked nothing (\(report.skipped) skipped)")
            #expect(report.skipped <= report.checked / 10, "\(file): \(report.name) skipped \(report.skipped) of \(report.checked + report.skipped)")
            #expect(report.error <= 1e-6, "\(file): \(report.name) at \(report.worstIndex): analytic \(report.analytic), numeric \(report.numeric)")
        }
    }

    /// Whether some node reads leaf `i` through an input that can carry a gradient.
    static func carriesGradient(_ graph: Graph, _ i: Int) -> Bool {
        graph.nodes.contains { node in
            node.inputs.indices.contains { k in
                node.inputs[k] == i && node.op.propagatesGradient(toInput: k, inputShapes: node.inputs.map { graph.nodes[$0].shape })
            }
        }
    }
}
