import Testing
import ConvGraph

/// The leaves (`input`, `param`) are not run by the conformance harness; they get these
/// checks instead: the declared or data shape is the output shape, they have no ports,
/// and their init fills the value the executor hands on.
@Suite("Leaf conformance")
struct LeafConformanceTests {
    @Test(arguments: ["input", "param"])
    func leafShapeIsTheDeclaredShapeAndItHasNoPorts(_ kind: String) throws {
        let graph = try Graph.parse(yaml: """
            nodes:
              a: {op: \(kind), shape: [2, 3, 4, 5], init: zeros}
            """, path: "graph.yaml")
        let node = graph.nodes[try #require(graph.index(of: "a"))]
        #expect(node.shape == [2, 3, 4, 5])
        #expect(node.isLeaf)
        #expect(try node.op.outputShape(inputs: []).shape == [2, 3, 4, 5])
        let type = try #require(OpRegistry.byName[kind])
        #expect(type.ports.isEmpty)
        #expect(Set(type.attributeNames) == ["shape", "init"])
    }

    @Test(arguments: ["input", "param"])
    func leafShapeComesFromValuesWhenOmitted(_ kind: String) throws {
        let graph = try Graph.parse(yaml: """
            nodes:
              a: {op: \(kind), init: {values: [[[[1, 2, 3], [4, 5, 6]]]]}}
            """, path: "graph.yaml")
        #expect(GTShape.of(graph, "a") == [1, 1, 2, 3])
    }

    @Test(arguments: [("zeros", 0.0), ("ones", 1.0), ("{constant: 0.5}", 0.5)])
    func leafInitFillsTheValue(_ spec: String, _ value: Double) throws {
        for kind in ["input", "param"] {
            let r = try OpCheck.runGraph("""
                nodes:
                  a: {op: \(kind), shape: [1, 2, 1, 3], init: \(spec)}
                  l: {op: sum}
                edges:
                  - a -> l
                backward: {from: l, wrt: [a]}
                save: {values: [a], grads: [a]}
                """)
            #expect(r.values["a"] == Array(repeating: value, count: 6), "\(kind) \(spec)")
            #expect(r.grads["a"] == Array(repeating: 1, count: 6), "\(kind) \(spec)")
        }
    }

    @Test func leafValuesInitKeepsRowMajorOrder() throws {
        let r = try OpCheck.runGraph("""
            nodes:
              p: {op: param, init: {values: [[[[1, 2, 3], [4, 5, 6]]]]}}
            save: {values: [p]}
            """)
        #expect(r.values["p"] == [1, 2, 3, 4, 5, 6])
    }

    /// SPEC §3: "An `input` node is always 4-D; a wrong rank is an error at its `shape`."
    @Test(arguments: ["[2, 3]", "[1, 2, 3, 4, 5]", "[6]"])
    func inputOfWrongRankIsAnErrorAtItsShape(_ shape: String) {
        var located: [ConvGraph.SourceLocation] = []
        do {
            _ = try Graph.parse(yaml: "nodes:\n  a: {op: input, shape: \(shape), init: zeros}\n", path: "graph.yaml")
        } catch {
            located = error.diagnostics.compactMap(\.location)
        }
        #expect(located.contains { $0.line == 2 && $0.column == 25 }, "\(located)")
    }

    @Test func shapeThatDisagreesWithTheDataIsAnError() {
        let messages = OpCheck.graphErrors("""
            nodes:
              a: {op: param, shape: [1, 1, 1, 2], init: {values: [[[[1, 2, 3]]]]}}
            """)
        #expect(messages.contains { $0.contains("does not match the data's shape") }, "\(messages)")
    }
}

/// The output shape of a named node.
private enum GTShape {
    static func of(_ graph: Graph, _ name: String) -> Shape? {
        graph.index(of: name).map { graph.nodes[$0].shape }
    }
}
