import Testing
@testable import ConvGraph

/// The strict decoder (SPEC §2, §3): every unknown key, wrong type or out-of-range value is
/// an error at the exact line:col of the offending key or value, with notes where they help.
@Suite struct DecoderDiagnosticsTests {
    /// `x` (input) feeding node `y`, declared on line 3 from column 6 (`y: {op: …}`).
    func one(_ node: String, input: [Int] = [1, 2, 8, 8]) -> ConvGraphError? {
        GT.error(GT.singleOp(input: input, node))
    }

    @Test func unknownTopLevelKeyWithSuggestion() {
        let e = GT.error("""
            seeds: 3
            nodes:
              x: {op: input, shape: [1, 1, 2, 2], init: zeros}
            """)
        #expect(e?.kind == .invalidInput)
        #expect(e?.diagnostics.count == 1)
        let d = GT.diagnostic(e, containing: "unknown key 'seeds'")
        #expect(d?.location == GT.at(1, 1))
        #expect(d?.notes.first?.message == "did you mean 'seed'?")
        #expect(d?.description == """
            graph.yaml:1:1: error: unknown key 'seeds' in the graph file
            note: did you mean 'seed'?
            """)
    }

    @Test func unknownAttributeWithSuggestion() {
        //             line 3: "  y: {op: conv, strid: 2}" → 'strid' at column 17
        let e = one("{op: conv, strid: 2}")
        let d = GT.diagnostic(e, containing: "unknown attribute 'strid' for op 'conv'")
        #expect(d?.location == GT.at(3, 17))
        #expect(d?.notes.first?.message == "did you mean 'stride'?")
        #expect(GT.notes(d).contains("op 'conv' takes stride, padding, dilation, groups, weight_layout"))
    }

    @Test func attributeOnAnOpThatTakesNone() {
        let e = one("{op: relu, axis: 1}")
        let d = GT.diagnostic(e, containing: "unknown attribute 'axis' for op 'relu'")
        #expect(d?.location == GT.at(3, 17))
        #expect(GT.notes(d).contains("op 'relu' takes no attributes") || GT.notes(d).contains("takes "))
    }

    @Test func unknownOpWithSuggestion() {
        let e = one("{op: reluu}")
        let d = GT.diagnostic(e, containing: "unknown op 'reluu'")
        #expect(d?.location == GT.at(3, 11))
        #expect(d?.notes.first?.message == "did you mean 'relu'?")
        #expect(GT.notes(d).contains("ops are input, param, pad, conv, pool, relu, add, concat, sum, mean, l2, mse"))
    }

    @Test func missingOp() {
        let e = one("{mode: max}")
        #expect(GT.diagnostic(e, containing: "node 'y' has no 'op'")?.location == GT.at(3, 3))
    }

    @Test func wrongType() {
        //  "  y: {op: conv, stride: \"two\"}" → the value starts at column 25
        let e = one("{op: conv, stride: \"two\"}")
        let d = GT.diagnostic(e, containing: "'stride' takes an integer, not the string 'two'")
        #expect(d?.location == GT.at(3, 25))
    }

    @Test func wrongTypeInAList() {
        let e = one("{op: pool, mode: max, window: [2, 1.5]}")
        let d = GT.diagnostic(e, containing: "'window' takes an integer, not the number 1.5")
        #expect(d?.location == GT.at(3, 40))
    }

    @Test func missingRequiredAttribute() {
        let e = one("{op: pool, window: 2}")
        #expect(e?.diagnostics.count == 1)
        let d = GT.diagnostic(e, containing: "op 'pool' requires the attribute 'mode'")
        #expect(d?.location == GT.at(3, 3))
    }

    @Test func padWithoutPads() {
        let e = one("{op: pad}")
        #expect(GT.diagnostic(e, containing: "op 'pad' requires the attribute 'pads'")?.location == GT.at(3, 3))
    }

    @Test func strideZero() {
        let e = one("{op: pool, mode: max, window: 2, stride: 0}")
        let d = GT.diagnostic(e, containing: "'stride' must be at least 1, not 0")
        #expect(d?.location == GT.at(3, 47))
    }

    @Test func negativePadding() {
        let e = one("{op: pad, pads: [1, -1]}")
        #expect(GT.diagnostic(e, containing: "'pads' must be at least 0, not -1")?.location == GT.at(3, 26))
    }

    @Test func threeValuePaddingIsRejected() {
        let e = one("{op: pad, pads: [1, 2, 3]}")
        #expect(GT.diagnostic(e, containing: "not 3")?.location == GT.at(3, 22))
    }

    @Test func badChoiceWithSuggestion() {
        let e = one("{op: pool, mode: maxx, window: 2}")
        let d = GT.diagnostic(e, containing: "'mode' takes one of 'max', 'average', not 'maxx'")
        #expect(d?.location == GT.at(3, 23))
        #expect(d?.notes.first?.message == "did you mean 'max'?")
    }

    @Test func countIncludePadOnMaxPooling() {
        let e = one("{op: pool, mode: max, window: 2, count_include_pad: true}")
        let d = GT.diagnostic(e, containing: "'count_include_pad' has no effect on max pooling")
        // At the key: the attribute should not be written at all.
        #expect(d?.location == GT.at(3, 39))
        #expect(e?.diagnostics.count == 1)
    }

    @Test func valueOnReflectAndEdgePadding() {
        for mode in ["reflect", "edge"] {
            let e = one("{op: pad, pads: 1, mode: \(mode), value: 2}")
            let d = GT.diagnostic(e, containing: "'value' has no effect with mode '\(mode)'")
            // "  y: {op: pad, pads: 1, mode: MODE, value: 2}": at the key 'value'
            #expect(d?.location == GT.at(3, 33 + mode.count), "\(mode)")
        }
    }

    @Test func globalCombinedWithWindowAndStride() {
        let e = one("{op: pool, mode: average, global: true, window: 2, stride: 1}")
        #expect(e?.diagnostics.count == 2)
        #expect(GT.diagnostic(e, containing: "'window' cannot be combined with 'global: true'")?.location == GT.at(3, 54))
        #expect(GT.diagnostic(e, containing: "'stride' cannot be combined with 'global: true'")?.location == GT.at(3, 65))
    }

    @Test func badNodeNames() {
        let e = GT.error("""
            nodes:
              1abc: {op: input, shape: [1, 1, 2, 2], init: zeros}
              a-b: {op: relu}
              ../x: {op: relu}
              ok: {op: input, shape: [1, 1, 2, 2], init: zeros}
            edges:
              - 1abc -> a-b
            """)
        #expect(e?.kind == .invalidInput)
        #expect(e?.diagnostics.count == 3)
        #expect(GT.diagnostic(e, containing: "invalid node name '1abc'")?.location == GT.at(2, 3))
        #expect(GT.diagnostic(e, containing: "invalid node name 'a-b'")?.location == GT.at(3, 3))
        #expect(GT.diagnostic(e, containing: "invalid node name '../x'")?.location == GT.at(4, 3))
    }

    @Test func nodeNameLongerThan128() {
        let long = String(repeating: "n", count: 129)
        let e = GT.error("nodes:\n  \(long): {op: input, shape: [1, 1, 2, 2], init: zeros}\n")
        #expect(GT.diagnostic(e, containing: "invalid node name")?.location == GT.at(2, 3))
        #expect(GT.error("nodes:\n  \(String(long.dropLast())): {op: input, shape: [1, 1, 2, 2], init: zeros}\n") == nil)
    }

    @Test func namesEqualIgnoringCase() {
        let e = GT.error("""
            nodes:
              Image: {op: input, shape: [1, 1, 2, 2], init: zeros}
              image: {op: input, shape: [1, 1, 2, 2], init: zeros}
            """)
        let d = GT.diagnostic(e, containing: "node name 'image' differs from 'Image' only in case")
        #expect(d?.location == GT.at(3, 3))
        #expect(d?.notes.first?.location == GT.at(2, 3))
    }

    @Test func invalidGraphName() {
        let e = GT.error("graph: my graph\nnodes:\n  x: {op: input, shape: [1, 1, 2, 2], init: zeros}\n")
        #expect(GT.diagnostic(e, containing: "invalid graph name 'my graph'")?.location == GT.at(1, 8))
    }

    @Test func defaultGraphNameFromThePath() throws {
        let text = "nodes:\n  x: {op: input, shape: [1, 1, 2, 2], init: zeros}\n"
        #expect(try Graph.parse(yaml: text, path: "dir/my net.v2.yaml").name == "my_net_v2")
        #expect(try Graph.parse(yaml: text, path: "3d-model.yaml").name == "_3d-model")
        #expect(try Graph.parse(yaml: "graph: seed-convnet\n" + text).name == "seed-convnet")
    }

    @Test func seedRange() {
        let body = "\nnodes:\n  x: {op: input, shape: [1, 1, 2, 2], init: zeros}\n"
        #expect(GT.diagnostic(GT.error("seed: -1" + body), containing: "'seed' must be at least 0")?.location == GT.at(1, 7))
        #expect(GT.diagnostic(GT.error("seed: 4294967296" + body), containing: "below 2^32")?.location == GT.at(1, 7))
        #expect(GT.error("seed: 4294967295" + body) == nil)
        #expect(GT.diagnostic(GT.error("seed: 1.5" + body), containing: "'seed' takes an integer")?.location == GT.at(1, 7))
    }

    @Test func iohwWithGroups2() {
        let e = GT.error("""
            nodes:
              x: {op: input, shape: [1, 4, 5, 5], init: zeros}
              w: {op: param, shape: [4, 2, 3, 3], init: zeros}
              y: {op: conv, weight_layout: IOHW, groups: 2}
            edges:
              - x -> y
              - w -> y.weight
            """)
        #expect(e?.diagnostics.count == 1)
        let d = GT.diagnostic(e, containing: "weight_layout IOHW supports groups = 1 only, not 2")
        #expect(d?.location == GT.at(4, 46))
    }

    @Test func declaredShapeDiffersFromInitValues() {
        let e = GT.error("""
            nodes:
              w: {op: param, shape: [2, 2], init: {values: [[1, 2, 3], [4, 5, 6]]}}
            """)
        let d = GT.diagnostic(e, containing: "'shape' [2, 2] does not match the data's shape [2, 3]")
        #expect(d?.location == GT.at(2, 25))
        #expect(e?.exitCode == 65)
    }

    @Test func initValuesGiveTheShape() throws {
        let g = try GT.graph("nodes:\n  w: {op: param, init: {values: [[1, 2, 3], [4, 5, 6]]}}\n")
        #expect(GT.shape(g, "w") == [2, 3])
        #expect(g.nodes[0].parameterCount == 6)
    }

    @Test func paramWithoutInit() {
        let e = GT.error("nodes:\n  w: {op: param, shape: [2, 2]}\n")
        #expect(GT.diagnostic(e, containing: "op 'param' requires the attribute 'init'")?.location == GT.at(2, 3))
    }

    @Test func unknownInitWithSuggestion() {
        let e = GT.error("nodes:\n  w: {op: param, shape: [2, 2], init: rnadn}\n")
        let d = GT.diagnostic(e, containing: "unknown init 'rnadn'")
        #expect(d?.location == GT.at(2, 39))
    }

    @Test func threeIndependentErrorsInOneThrow() {
        let e = GT.error("""
            dtype: float16
            nodes:
              x: {op: input, shape: [1, 1, 4, 4], init: zeros}
              w: {op: param, shape: [1, 1, 2, 2], init: ones}
              c: {op: conv, strid: 2}
              r: {op: relu}
            edges:
              - x -> c
              - w -> c.weight
              - xx -> r
              - x -> r
            """)
        #expect(e?.kind == .invalidInput)
        #expect(e?.diagnostics.count == 3)
        let dtype = GT.diagnostic(e, containing: "'dtype' takes 'float64' or 'float32', not the string 'float16'")
        #expect(dtype?.location == GT.at(1, 8))
        let attribute = GT.diagnostic(e, containing: "unknown attribute 'strid'")
        #expect(attribute?.location == GT.at(5, 17))
        let edge = GT.diagnostic(e, containing: "unknown node 'xx'")
        #expect(edge?.location == GT.at(10, 5))
        #expect(edge?.notes.first?.message == "did you mean 'x'?")
        // Printed one after the other, each with its own position.
        let text = e?.description ?? ""
        #expect(text.contains("graph.yaml:1:8: error:"))
        #expect(text.contains("graph.yaml:5:17: error: unknown attribute 'strid' for op 'conv'"))
        #expect(text.contains("graph.yaml:10:5: error: unknown node 'xx'"))
    }
}
