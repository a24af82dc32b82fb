import Testing
@testable import ConvGraph

/// Edges, ports and the DAG (SPEC §2): chains, `NODE.PORT`, unknown names and ports at
/// their column, double and missing sources, cycles named in full, a stable order.
@Suite struct EdgesAndOrderTests {
    static let leaves = """
        nodes:
          x: {op: input, shape: [1, 2, 6, 6], init: zeros}
          w: {op: param, shape: [3, 2, 3, 3], init: zeros}
          b: {op: param, shape: [3], init: zeros}
        """

    @Test func chainIsSeveralEdges() throws {
        let g = try GT.graph("""
            nodes:
              a: {op: input, shape: [1, 1, 2, 2], init: zeros}
              b: {op: relu}
              c: {op: relu}
              d: {op: sum}
            edges:
              - a -> b -> c -> d
            """)
        let index = { (n: String) in g.index(of: n)! }
        #expect(g.nodes[index("b")].inputs == [index("a")])
        #expect(g.nodes[index("c")].inputs == [index("b")])
        #expect(g.nodes[index("d")].inputs == [index("c")])
        #expect(GT.names(g, g.order) == ["a", "b", "c", "d"])
        #expect(GT.shape(g, "d") == [])
    }

    @Test func portsBindInPortOrder() throws {
        // Edges listed bias, weight, input: inputs still come in port order.
        let g = try GT.graph(Self.leaves + """

              c: {op: conv}
            edges:
              - b -> c.bias
              - w -> c.weight
              - x -> c.input
            """)
        #expect(GT.names(g, g.nodes[g.index(of: "c")!].inputs) == ["x", "w", "b"])
        #expect(GT.shape(g, "c") == [1, 3, 4, 4])
    }

    @Test func edgeWithoutPortGoesToTheFirstPort() throws {
        let g = try GT.graph(Self.leaves + """

              c: {op: conv}
            edges:
              - x -> c
              - w -> c.weight
            """)
        #expect(GT.names(g, g.nodes[g.index(of: "c")!].inputs) == ["x", "w"])
    }

    @Test func variadicPortsKeepTheListedOrderAndRepeats() throws {
        let g = try GT.graph("""
            nodes:
              p: {op: input, shape: [1, 1, 2, 2], init: zeros}
              q: {op: input, shape: [1, 3, 2, 2], init: zeros}
              s: {op: add}
              k: {op: concat}
            edges:
              - p -> s
              - p -> s
              - q -> k
              - p -> k
            """)
        #expect(GT.names(g, g.nodes[g.index(of: "s")!].inputs) == ["p", "p"])
        #expect(GT.names(g, g.nodes[g.index(of: "k")!].inputs) == ["q", "p"])
        #expect(GT.shape(g, "k") == [1, 4, 2, 2])
    }

    @Test func unknownNodeWithSuggestionAtItsColumn() {
        let e = GT.error("""
            nodes:
              image: {op: input, shape: [1, 1, 2, 2], init: zeros}
              r: {op: relu}
              s: {op: relu}
            edges:
              - imag -> r
              - image -> r -> sx
            """)
        #expect(e?.kind == .invalidInput)
        let source = GT.diagnostic(e, containing: "unknown node 'imag'")
        #expect(source?.location == GT.at(6, 5))
        #expect(source?.notes.first?.message == "did you mean 'image'?")
        // "  - image -> r -> sx": 'sx' at column 19
        let destination = GT.diagnostic(e, containing: "unknown node 'sx'")
        #expect(destination?.location == GT.at(7, 19))
        #expect(destination?.notes.first?.message == "did you mean 's'?")
    }

    @Test func quotedEdgeColumnsSkipTheQuote() {
        let e = GT.error("""
            nodes:
              a: {op: input, shape: [1, 1, 2, 2], init: zeros}
              r: {op: relu}
            edges:
              - "a -> rr"
            """)
        #expect(GT.diagnostic(e, containing: "unknown node 'rr'")?.location == GT.at(5, 11))
    }

    @Test func unknownPortAtItsColumn() {
        let e = GT.error(Self.leaves + """

              c: {op: conv}
            edges:
              - x -> c
              - w -> c.wieght
            """)
        // line 8: "  - w -> c.wieght": 'c' at 10, the port at 12
        let d = GT.diagnostic(e, containing: "op 'conv' has no port 'wieght'")
        #expect(d?.location == GT.at(8, 12))
        #expect(d?.notes.first?.message == "did you mean 'weight'?")
        #expect(GT.notes(d).contains("the ports of 'conv' are input, weight, bias"))
    }

    @Test func edgeIntoALeaf() {
        let e = GT.error(Self.leaves + "\nedges:\n  - x -> w\n")
        #expect(GT.diagnostic(e, containing: "takes no inputs")?.location == GT.at(6, 10))
    }

    @Test func portWithTwoSources() {
        let e = GT.error("""
            nodes:
              a: {op: input, shape: [1, 1, 2, 2], init: zeros}
              b: {op: input, shape: [1, 1, 2, 2], init: zeros}
              r: {op: relu}
            edges:
              - a -> r
              - b -> r
            """)
        #expect(e?.diagnostics.count == 1)
        let d = GT.diagnostic(e, containing: "port 'r.input' has two sources: 'a' and 'b'")
        #expect(d?.location == GT.at(7, 5))
        #expect(d?.notes.first?.location == GT.at(6, 5))
    }

    @Test func requiredPortWithoutAnEdge() {
        let e = GT.error(Self.leaves + """

              c: {op: conv}
            edges:
              - x -> c
            """)
        #expect(e?.diagnostics.count == 1)
        let d = GT.diagnostic(e, containing: "node 'c' has no edge into its port 'weight'")
        #expect(d?.location == GT.at(5, 3))
        #expect(GT.notes(d).contains("SOURCE -> c.weight"))
    }

    @Test func optionalBiasMayStayUnconnected() throws {
        let g = try GT.graph(Self.leaves + "\n  c: {op: conv}\nedges:\n  - x -> c\n  - w -> c.weight\n")
        #expect(g.nodes[g.index(of: "c")!].inputs.count == 2)
    }

    @Test func twoCycleIsNamed() {
        let e = GT.error("""
            nodes:
              a: {op: relu}
              b: {op: relu}
            edges:
              - a -> b -> a
            """)
        #expect(e?.kind == .invalidInput)
        let d = GT.diagnostic(e, containing: "cycle")
        #expect(d?.message == "the graph has a cycle: a -> b -> a")
        #expect(d?.location == GT.at(2, 3))
    }

    @Test func threeCycleDownstreamOfAnInputIsNamed() {
        let e = GT.error("""
            nodes:
              x: {op: input, shape: [1, 1, 2, 2], init: zeros}
              c: {op: relu}
              s: {op: add}
              b: {op: relu}
            edges:
              - x -> s
              - s -> b -> c -> s
            """)
        // Declared first among the cycle's nodes: c, so the cycle reads from c.
        #expect(GT.diagnostic(e, containing: "cycle")?.message == "the graph has a cycle: c -> s -> b -> c")
    }

    @Test func selfLoopIsACycle() {
        let e = GT.error("nodes:\n  s: {op: add}\nedges:\n  - s -> s\n  - s -> s\n")
        #expect(GT.diagnostic(e, containing: "cycle")?.message == "the graph has a cycle: s -> s")
    }

    @Test func topologicalOrderIsStableByDeclaration() throws {
        let g = try GT.graph("""
            nodes:
              r2: {op: relu}
              x:  {op: input, shape: [1, 1, 2, 2], init: zeros}
              r1: {op: relu}
              y:  {op: input, shape: [1, 1, 2, 2], init: zeros}
              s:  {op: add}
              z:  {op: input, shape: [1, 1, 2, 2], init: zeros}
            edges:
              - x -> r1 -> r2
              - y -> s
              - r2 -> s
            """)
        // Kahn, lowest declaration index first among the ready nodes:
        // ready {x, y, z} → x; {r1, y, z} → r1; {r2, y, z} → r2; {y, z} → y; {s, z} → s; z.
        #expect(g.order == [1, 2, 0, 3, 4, 5])
        #expect(GT.names(g, g.order) == ["x", "r1", "r2", "y", "s", "z"])
        // Nodes stay in declaration order.
        #expect(g.nodes.map(\.name) == ["r2", "x", "r1", "y", "s", "z"])
    }

    @Test func seedGraphOrder() throws {
        let g = try GT.graph(GT.seedGraph)
        #expect(GT.names(g, g.order) == ["image", "kernel", "bias", "padded", "conv", "pooled", "loss"])
    }

    @Test func malformedEdges() {
        let e = GT.error("""
            nodes:
              a: {op: input, shape: [1, 1, 2, 2], init: zeros}
              r: {op: relu}
            edges:
              - a r
              - a -> 
              - a.input -> r
            """)
        // Three malformed edges; that 'r' has no input only follows from them (issue 10:
        // no cascades), so it is not reported.
        #expect(e?.diagnostics.count == 3)
        #expect(GT.diagnostic(e, containing: "has no edge into its port") == nil)
        #expect(GT.diagnostic(e, containing: "an edge needs '->'")?.location == GT.at(5, 5))
        #expect(GT.diagnostic(e, containing: "empty node name") != nil)
        #expect(GT.diagnostic(e, containing: "an edge's source is a node, not a port")?.location == GT.at(7, 5))
    }
}
