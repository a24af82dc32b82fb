import Testing

@testable import ConvGraph

/// gradcheck's default `wrt` (SPEC §7): leaves that reach `from` only through an input an op
/// says carries no gradient (`Op.propagatesGradient`, a `cross_entropy` index target) are
/// left out; an explicit `wrt` is kept as written.
@Suite struct GradCheckDefaultWrtTests {
    /// A loss whose second input (a target) carries no gradient: Σ input.
    struct TargetLoss: Op {
        static let name = "test_target_loss"
        static let ports = [Port.input, Port("target")]
        static let attributeNames: [String] = []
        static let reference = Relu.reference
        static func decode(_ a: inout AttributeReader) -> TargetLoss? { TargetLoss() }
        func outputShape(inputs: [Shape]) throws(ShapeError) -> ShapeInference { ShapeInference(Shape([])) }
        func flops(inputs: [Shape], output: Shape) -> Int { 0 }
        func forward<T: TensorScalar>(_ inputs: [Tensor<T>]) -> ForwardResult<T> {
            ForwardResult(Tensor(shape: Shape([]), scalars: [inputs[0].scalars.reduce(0, +)]))
        }
        func backward<T: TensorScalar>(_ c: BackwardContext<T>) -> [Tensor<T>?] {
            [Tensor(repeating: c.upstream.scalars[0], shape: c.inputShapes[0]), nil]
        }
        func propagatesGradient(toInput index: Int, inputShapes: [Shape]) -> Bool { index == 0 }
        func unsupportedReason(in mode: Mode) -> String? { mode == .eval ? "it has no inference mode" : nil }
    }

    /// `yaml` with node `loss` (an `mse`) given `TargetLoss` as its op.
    static func graph(_ yaml: String) throws -> Graph {
        let g = try Graph.parse(yaml: yaml)
        let nodes = g.nodes.map { n in
            n.name != "loss" ? n : Graph.Node(name: n.name, op: TargetLoss(), inputs: n.inputs, shape: n.shape, explanation: [],
                                              location: n.location, flops: 0, parameterCount: 0)
        }
        return Graph(name: g.name, path: g.path, seed: g.seed, dtype: g.dtype, nodes: nodes, order: g.order, backward: g.backward,
                     saveValues: g.saveValues, saveGrads: g.saveGrads, file: g.file)
    }

    static let yaml = """
        graph: t
        nodes:
          x:     {op: input, shape: [1, 1, 2, 2], init: randn}
          label: {op: input, shape: [1, 1, 2, 2], init: zeros}
          w:     {op: param, shape: [1, 1, 2, 2], init: randn}
          both:  {op: param, shape: [1, 1, 2, 2], init: randn}
          tw:    {op: add}
          tgt:   {op: add}
          loss:  {op: mse}
        edges:
          - x -> tw
          - w -> tw
          - both -> tw
          - label -> tgt
          - both -> tgt
          - tw -> loss
          - tgt -> loss.target
        backward: {from: loss}
        """

    @Test func defaultWrtLeavesOutLeavesReachingOnlyThroughATarget() throws {
        let graph = try Self.graph(Self.yaml)
        let names = GradCheck.defaultWrt(graph).map { graph.nodes[$0].name }
        // `label` reaches `loss` only as its target; `both` also reaches it through `tw`.
        #expect(names == ["x", "w", "both"])
        var check = GradCheck()
        check.maxSamples = 4
        let reports = try check.check(graph)
        #expect(reports.map(\.name) == ["x", "w", "both"])
        #expect(check.table(reports).passed)
    }

    @Test func explicitWrtIsKept() throws {
        let graph = try Self.graph(Self.yaml.replacingOccurrences(of: "backward: {from: loss}", with: "backward: {from: loss, wrt: [label, w]}"))
        var check = GradCheck()
        check.maxSamples = 4
        #expect(try check.check(graph).map(\.name) == ["label", "w"])
    }

    @Test func aGraphAnOpCannotRunInEvalIsRefused() throws {
        let graph = try Self.graph(Self.yaml)
        var check = GradCheck()
        check.mode = .eval
        #expect(throws: ConvGraphError.self) { try check.check(graph) }
        do {
            _ = try check.check(graph)
        } catch {
            #expect(error.exitCode == 65)
            #expect(error.description == "graph.yaml:9:3: error: node 'loss' cannot run in eval mode: it has no inference mode")
        }
    }
}
