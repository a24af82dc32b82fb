import Testing
@testable import ConvGraph

/// Shape inference of every op and attribute form (SPEC §3), against sizes computed by hand.
/// Conv/pool per axis: out = ⌊(H+t+b−d(k−1)−1)/s⌋+1 (⌈⌉ with ceil_mode, minus 1 when
/// (out−1)·s ≥ H+t). `same`: out = ⌈H/s⌉, total = max(0, (out−1)·s + d(k−1) + 1 − H),
/// top = ⌊total/2⌋, bottom = total − top.
@Suite struct ShapeInferenceTests {
    func conv(_ input: [Int], _ weight: [Int], _ attributes: String, bias: [Int]? = nil) throws -> Graph {
        try GT.graph("""
            nodes:
              x: {op: input, shape: \(input), init: zeros}
              w: {op: param, shape: \(weight), init: zeros}
            \(bias.map { "  b: {op: param, shape: \($0), init: zeros}" } ?? "")
              y: {op: conv\(attributes.isEmpty ? "" : ", " + attributes)}
            edges:
              - x -> y
              - w -> y.weight
            \(bias == nil ? "" : "  - b -> y.bias")
            """)
    }

    func convShape(_ input: [Int], _ weight: [Int], _ attributes: String) throws -> [Int]? {
        GT.shape(try conv(input, weight, attributes), "y")
    }

    func single(_ input: [Int], _ node: String) throws -> Graph {
        try GT.graph(GT.singleOp(input: input, node))
    }

    func shape(_ input: [Int], _ node: String) throws -> [Int]? {
        GT.shape(try single(input, node), "y")
    }

    // MARK: pad — N, C, H+t+b, W+l+r

    @Test func padForms() throws {
        let x = [2, 3, 5, 7]
        #expect(try shape(x, "{op: pad, pads: 2}") == [2, 3, 9, 11])                // 5+2+2, 7+2+2
        #expect(try shape(x, "{op: pad, pads: [1, 2]}") == [2, 3, 7, 11])           // 5+1+1, 7+2+2
        #expect(try shape(x, "{op: pad, pads: [1, 2, 3, 4]}") == [2, 3, 8, 14])     // 5+1+2, 7+3+4
        #expect(try shape(x, "{op: pad, pads: [0, 0, 0, 0]}") == x)
        #expect(try shape(x, "{op: pad, pads: [4, 6], mode: reflect}") == [2, 3, 13, 19]) // 4<5, 6<7
        #expect(try shape(x, "{op: pad, pads: 10, mode: edge}") == [2, 3, 25, 27])
        #expect(try shape(x, "{op: pad, pads: 1, value: -2.5}") == [2, 3, 7, 9])
    }

    @Test func padExplanation() throws {
        let g = try single([1, 1, 5, 7], "{op: pad, pads: [1, 2, 3, 4]}")
        #expect(g.nodes[1].explanation == ["H = 5+1+2 = 8", "W = 7+3+4 = 14"])
    }

    // MARK: conv — input [2, 4, 9, 11], weight OIHW [6, 4, 3, 3]

    @Test func convStrideAndPadding() throws {
        let x = [2, 4, 9, 11], w = [6, 4, 3, 3]
        #expect(try convShape(x, w, "") == [2, 6, 7, 9])                          // (9−3)+1, (11−3)+1
        #expect(try convShape(x, w, "stride: 2") == [2, 6, 4, 5])                 // ⌊6/2⌋+1, ⌊8/2⌋+1
        #expect(try convShape(x, w, "stride: [1, 3]") == [2, 6, 7, 3])            // ⌊8/3⌋+1 = 3
        #expect(try convShape(x, w, "padding: 1") == [2, 6, 9, 11])               // 9+2−3+1
        #expect(try convShape(x, w, "padding: [1, 2]") == [2, 6, 9, 13])          // 11+4−3+1 = 13
        #expect(try convShape(x, w, "padding: [0, 1, 2, 3]") == [2, 6, 8, 14])    // 9+0+1−3+1, 11+2+3−3+1
        #expect(try convShape(x, w, "padding: valid") == [2, 6, 7, 9])
        #expect(try convShape(x, w, "padding: 1, stride: 2") == [2, 6, 5, 6])     // ⌊8/2⌋+1, ⌊10/2⌋+1
    }

    @Test func convSameStride1KeepsTheSizeWithOddTotal() throws {
        // k = 4: total = (9−1)·1 + 3 + 1 − 9 = 3 → top 1, bottom 2 (odd cell at the bottom).
        let g = try conv([1, 1, 9, 11], [1, 1, 4, 4], "padding: same")
        #expect(GT.shape(g, "y") == [1, 1, 9, 11])
        #expect(g.nodes[2].explanation == ["H = ⌊(9+1+2−4)/1⌋+1 = 9", "W = ⌊(11+1+2−4)/1⌋+1 = 11"])
    }

    @Test func convSameStride2() throws {
        // H = 9: out = ⌈9/2⌉ = 5, total = 4·2 + 2 + 1 − 9 = 2 → 1, 1.
        // W = 10: out = 5, total = 8 + 3 − 10 = 1 → left 0, right 1.
        let g = try conv([1, 1, 9, 10], [1, 1, 3, 3], "padding: same, stride: 2")
        #expect(GT.shape(g, "y") == [1, 1, 5, 5])
        #expect(g.nodes[2].explanation == ["H = ⌊(9+1+1−3)/2⌋+1 = 5", "W = ⌊(10+0+1−3)/2⌋+1 = 5"])
    }

    @Test func convSameWithDilation() throws {
        // k = 3, d = 2: d(k−1) = 4; s = 1: total = 4 → 2, 2; out = H.
        #expect(try convShape([1, 1, 7, 8], [1, 1, 3, 3], "padding: same, dilation: 2") == [1, 1, 7, 8])
        // s = 3, H = 7: out = ⌈7/3⌉ = 3, total = 2·3 + 4 + 1 − 7 = 4 → 2, 2: ⌊(7+4−5)/3⌋+1 = 3.
        #expect(try convShape([1, 1, 7, 7], [1, 1, 3, 3], "padding: same, dilation: 2, stride: 3") == [1, 1, 3, 3])
    }

    @Test func convDilation() throws {
        // span d(k−1)+1 = 5: 9−5+1 = 5, 11−5+1 = 7; [1, 2]: H span 3 → 7, W span 5 → 7
        #expect(try convShape([2, 4, 9, 11], [6, 4, 3, 3], "dilation: 2") == [2, 6, 5, 7])
        #expect(try convShape([2, 4, 9, 11], [6, 4, 3, 3], "dilation: [1, 2]") == [2, 6, 7, 7])
    }

    @Test func convGroupsLayoutAndBias() throws {
        // groups 2: OIHW weight [6, 4/2, 3, 3].
        #expect(try convShape([2, 4, 9, 11], [6, 2, 3, 3], "groups: 2") == [2, 6, 7, 9])
        // depthwise: groups = C = 4, weight [8, 1, 3, 3].
        #expect(try convShape([2, 4, 9, 11], [8, 1, 3, 3], "groups: 4") == [2, 8, 7, 9])
        // IOHW weight [C=4, O=6, 3, 3].
        #expect(try convShape([2, 4, 9, 11], [4, 6, 3, 3], "weight_layout: IOHW") == [2, 6, 7, 9])
        // Bias of any shape with O elements.
        for bias in [[6], [1, 6, 1, 1], [2, 3]] {
            let g = try conv([2, 4, 9, 11], [6, 4, 3, 3], "", bias: bias)
            #expect(GT.shape(g, "y") == [2, 6, 7, 9], "bias \(bias)")
            #expect(g.nodes[g.index(of: "y")!].inputs.count == 3)
        }
    }

    @Test func convFlopsAndParameterCounts() throws {
        // Output [1, 4, 3, 3] = 36 cells, each 3·3·3 = 27 MACs: FLOPs = 2·972 + 36 (bias) = 1980.
        let g = try conv([1, 3, 5, 5], [4, 3, 3, 3], "", bias: [4])
        let y = g.nodes[g.index(of: "y")!]
        #expect(y.shape.dims == [1, 4, 3, 3])
        #expect(y.flops == 1980)
        #expect(y.parameterCount == 0)
        #expect(g.nodes[g.index(of: "w")!].parameterCount == 108)  // 4·3·3·3
        #expect(g.nodes[g.index(of: "b")!].parameterCount == 4)
        #expect(g.nodes[g.index(of: "x")!].parameterCount == 0)     // an input is not a parameter
        // Without bias; groups 2 halves the MACs per cell: [4, 2, 3, 3] on C = 4 → 36·18 MACs.
        let grouped = try conv([1, 4, 5, 5], [4, 2, 3, 3], "groups: 2")
        #expect(grouped.nodes[2].flops == 2 * 36 * 18)
    }

    // MARK: pool — input [1, 2, 7, 7]

    @Test func poolForms() throws {
        let x = [1, 2, 7, 7]
        #expect(try shape(x, "{op: pool, mode: max, window: 3}") == [1, 2, 2, 2])               // stride = window: ⌊4/3⌋+1
        #expect(try shape(x, "{op: pool, mode: average, window: 3, stride: 2}") == [1, 2, 3, 3]) // ⌊4/2⌋+1
        #expect(try shape(x, "{op: pool, mode: max, window: 3, stride: 2, padding: 1}") == [1, 2, 4, 4]) // ⌊6/2⌋+1
        #expect(try shape(x, "{op: pool, mode: max, window: [3, 2], stride: [2, 1]}") == [1, 2, 3, 6])  // ⌊4/2⌋+1, ⌊5/1⌋+1
        #expect(try shape(x, "{op: pool, mode: max, window: 3, stride: 1, dilation: 2}") == [1, 2, 3, 3]) // 7−5+1
        #expect(try shape(x, "{op: pool, mode: average, window: 2, padding: [1, 0, 0, 1]}") == [1, 2, 4, 4]) // ⌊(7+1−2)/2⌋+1, ⌊(7+1−2)/2⌋+1
        #expect(try shape(x, "{op: pool, mode: max, window: 3, stride: 2, padding: same}") == [1, 2, 4, 4]) // ⌈7/2⌉
    }

    @Test func poolCeilMode() throws {
        // H = 7, k = 2, s = 2: floor ⌊5/2⌋+1 = 3; ceil ⌈5/2⌉+1 = 4, (4−1)·2 = 6 < 7: kept.
        let g = try single([1, 1, 7, 7], "{op: pool, mode: max, window: 2, ceil_mode: true}")
        #expect(GT.shape(g, "y") == [1, 1, 4, 4])
        #expect(g.nodes[1].explanation.first == "H = ⌈(7+0+0−2)/2⌉+1 = 4")
        let floor = try single([1, 1, 7, 7], "{op: pool, mode: max, window: 2}")
        #expect(GT.shape(floor, "y") == [1, 1, 3, 3])
        #expect(floor.nodes[1].explanation.first == "H = ⌊(7+0+0−2)/2⌋+1 = 3 (ceil_mode would give 4)")
    }

    @Test func poolCeilModeDropRule() throws {
        // H = 5, k = 2, s = 2, pad 1: ⌈(5+1+1−2)/2⌉+1 = 4, but (4−1)·2 = 6 ≥ H+t = 6 → the
        // last window would start in the end padding: 3 (PyTorch gives 3 as well).
        let g = try single([1, 1, 5, 5], "{op: pool, mode: max, window: 2, padding: 1, ceil_mode: true}")
        #expect(GT.shape(g, "y") == [1, 1, 3, 3])
        #expect(g.nodes[1].explanation.first?.hasPrefix("H = ⌈(5+1+1−2)/2⌉+1−1 = 3") == true)
        // H = 6, k = 3, s = 2, pad 1: ⌈5/2⌉+1 = 4, (4−1)·2 = 6 < 7: kept (floor gives 3).
        #expect(try shape([1, 1, 6, 6], "{op: pool, mode: average, window: 3, stride: 2, padding: 1, ceil_mode: true}") == [1, 1, 4, 4])
        #expect(try shape([1, 1, 6, 6], "{op: pool, mode: average, window: 3, stride: 2, padding: 1}") == [1, 1, 3, 3])
    }

    @Test func globalPooling() throws {
        let g = try single([3, 5, 7, 4], "{op: pool, mode: average, global: true}")
        #expect(GT.shape(g, "y") == [3, 5, 1, 1])
        #expect(try shape([3, 5, 7, 4], "{op: pool, mode: average, global: true, count_include_pad: true}") == [3, 5, 1, 1])
        #expect(try shape([3, 5, 7, 4], "{op: pool, mode: max, global: true}") == [3, 5, 1, 1])
    }

    // MARK: relu, add, concat, reductions

    @Test func elementwiseAndJoins() throws {
        let g = try GT.graph("""
            nodes:
              a: {op: input, shape: [1, 2, 4, 3], init: zeros}
              b: {op: input, shape: [1, 3, 4, 3], init: zeros}
              c: {op: input, shape: [1, 2, 4, 5], init: zeros}
              r: {op: relu}
              s: {op: add}
              k1: {op: concat}
              k2: {op: concat, axis: -1}
              k3: {op: concat, axis: 0}
              one: {op: concat, axis: 2}
            edges:
              - a -> r
              - a -> s
              - r -> s
              - a -> k1
              - b -> k1
              - a -> k2
              - c -> k2
              - a -> k3
              - a -> k3
              - c -> one
            """)
        #expect(GT.shape(g, "r") == [1, 2, 4, 3])
        #expect(GT.shape(g, "s") == [1, 2, 4, 3])
        #expect(GT.shape(g, "k1") == [1, 5, 4, 3])   // 2 + 3 along C
        #expect(GT.shape(g, "k2") == [1, 2, 4, 8])   // 3 + 5 along W
        #expect(GT.shape(g, "k3") == [2, 2, 4, 3])
        #expect(GT.shape(g, "one") == [1, 2, 4, 5])
    }

    @Test func reductionsAndLossesAreScalars() throws {
        let g = try GT.graph("""
            nodes:
              x: {op: input, shape: [2, 3, 4, 5], init: zeros}
              t: {op: input, shape: [2, 3, 4, 5], init: zeros}
              s: {op: sum}
              m: {op: mean}
              l: {op: l2}
              e: {op: mse}
              total: {op: add}
            edges:
              - x -> s
              - x -> m
              - x -> l
              - x -> e
              - t -> e.target
              - l -> total
              - e -> total
            """)
        for name in ["s", "m", "l", "e", "total"] {
            #expect(GT.shape(g, name) == [], "\(name)")
            #expect(g.nodes[g.index(of: name)!].shape.isScalar)
        }
    }

    @Test func seedGraphShapes() throws {
        let g = try GT.graph(GT.seedGraph)
        #expect(g.name == "seed-convnet")
        #expect(g.seed == 1)
        #expect(g.dtype == .float64)
        #expect(GT.shape(g, "padded") == [10, 3, 8, 8])   // 4+2+2
        #expect(GT.shape(g, "conv") == [10, 8, 4, 4])     // IOHW [3, 8, 2, 2]: ⌊(8−2)/2⌋+1 = 4
        #expect(GT.shape(g, "pooled") == [10, 8, 1, 1])   // ⌊(4−3)/2⌋+1 = 1
        #expect(GT.shape(g, "loss") == [])
        let conv = g.nodes[g.index(of: "conv")!]
        // 10·8·4·4 = 1280 cells × 3·2·2 = 12 MACs → 2·15360 + 1280 (bias) = 32000
        #expect(conv.flops == 32000)
        #expect(g.nodes[g.index(of: "kernel")!].parameterCount == 96)
        #expect(g.nodes[g.index(of: "bias")!].parameterCount == 8)
    }
}
