import Testing
@testable import ConvGraph

/// Shape errors (SPEC §2, §3, §8): the message shows the arithmetic, notes name the
/// producing nodes with theirs; the element and memory limits are checked before anything
/// is allocated.
@Suite struct ShapeErrorTests {
    @Test func poolWindowLargerThanThePaddedInput() {
        // line 3: "  y: {op: pool, mode: max, window: 5}" → the window's value at column 36
        let e = GT.error(GT.singleOp(input: [1, 1, 3, 3], "{op: pool, mode: max, window: 5}"))
        #expect(e?.kind == .invalidInput)
        #expect(e?.diagnostics.count == 1)
        let d = GT.diagnostic(e, containing: "pool output would be empty")
        #expect(d?.message == "node 'y': pool output would be empty: H = ⌊(3+0+0−5)/5⌋+1 < 1")
        #expect(d?.location == GT.at(3, 36))
        #expect(GT.notes(d).contains("larger than the padded input 3×3"))
        let producer = d?.notes.first { $0.message.contains("comes from 'x'") }
        #expect(producer?.message == "input 1 comes from 'x' (input) with shape [1, 1, 3, 3]")
        #expect(producer?.location == GT.at(2, 3))
    }

    @Test func poolPaddingLargerThanTheWindowAllows() {
        // "  y: {op: pool, mode: average, window: 2, padding: 2}" → padding's value at column 52
        let e = GT.error(GT.singleOp(input: [1, 1, 6, 6], "{op: pool, mode: average, window: 2, padding: 2}"))
        let d = GT.diagnostic(e, containing: "pool padding 2 is larger than the window allows")
        #expect(d?.message.contains("at most d·(k−1) = 1") == true)
        #expect(d?.location == GT.at(3, 52))
    }

    @Test func convKernelLargerThanTheInput() {
        let e = GT.error("""
            nodes:
              x: {op: input, shape: [1, 1, 3, 3], init: zeros}
              w: {op: param, shape: [1, 1, 5, 2], init: zeros}
              y: {op: conv}
            edges:
              - x -> y
              - w -> y.weight
            """)
        let d = GT.diagnostic(e, containing: "conv output would be empty")
        #expect(d?.message == "node 'y': conv output would be empty: H = ⌊(3+0+0−5)/1⌋+1 < 1")
        #expect(d?.location == GT.at(4, 11)) // its `op` value
    }

    @Test func concatOfCeilAndFloorPoolsNamesBothProducers() {
        let e = GT.error("""
            nodes:
              x: {op: input, shape: [1, 1, 51, 51], init: zeros}
              pf: {op: pool, mode: max, window: 2}
              pc: {op: pool, mode: max, window: 2, ceil_mode: true}
              k: {op: concat}
            edges:
              - x -> pf -> k
              - x -> pc -> k
            """)
        #expect(e?.diagnostics.count == 1)
        let d = GT.diagnostic(e, containing: "concat inputs must match")
        // ⌊49/2⌋+1 = 25; ⌈49/2⌉+1 = 26 and (26−1)·2 = 50 < 51, so ceil_mode keeps 26.
        #expect(d?.message == "node 'k': concat inputs must match except along axis 1 (C), but input 1 is [1, 1, 25, 25] and input 2 is [1, 1, 26, 26]: H is 25 vs 26")
        #expect(d?.location == GT.at(5, 11))
        let floorNote = d?.notes.first { $0.message.contains("'pf'") }
        #expect(floorNote?.location == GT.at(3, 3))
        #expect(floorNote?.message.contains("input 1 comes from 'pf' (pool) with shape [1, 1, 25, 25]") == true)
        #expect(floorNote?.message.contains("H = ⌊(51+0+0−2)/2⌋+1 = 25 (ceil_mode would give 26)") == true)
        let ceilNote = d?.notes.first { $0.message.contains("'pc'") }
        #expect(ceilNote?.location == GT.at(4, 3))
        #expect(ceilNote?.message.contains("input 2 comes from 'pc' (pool) with shape [1, 1, 26, 26]") == true)
        #expect(ceilNote?.message.contains("H = ⌈(51+0+0−2)/2⌉+1 = 26") == true)
    }

    @Test func addOfDifferentShapes() {
        let e = GT.error("""
            nodes:
              a: {op: input, shape: [1, 2, 4, 4], init: zeros}
              b: {op: input, shape: [1, 3, 4, 4], init: zeros}
              s: {op: add}
            edges: [a -> s, b -> s]
            """)
        let d = GT.diagnostic(e, containing: "add inputs must have the same shape")
        #expect(d?.message.contains("input 1 is [1, 2, 4, 4] and input 2 is [1, 3, 4, 4]") == true)
        #expect(d?.notes.contains { $0.location == GT.at(3, 3) && $0.message.contains("'b'") } == true)
    }

    @Test func addWithOneInput() {
        let e = GT.error(GT.singleOp(input: [1, 1, 2, 2], "{op: add}"))
        #expect(GT.diagnostic(e, containing: "add needs at least 2 inputs, but has 1") != nil)
    }

    @Test func convWeightDoesNotFitTheInput() {
        let e = GT.error("""
            nodes:
              x: {op: input, shape: [1, 4, 5, 5], init: zeros}
              w: {op: param, shape: [6, 3, 3, 3], init: zeros}
              b: {op: param, shape: [5], init: zeros}
              y: {op: conv}
              z: {op: conv}
            edges:
              - x -> y
              - w -> y.weight
              - x -> z
              - w -> z.weight
            """)
        let d = GT.diagnostic(e, containing: "conv weight [6, 3, 3, 3] (OIHW) does not fit an input with 4 channels")
        #expect(GT.notes(d).contains("expected a weight of shape [6, 4, 3, 3]"))
        #expect(e?.diagnostics.count == 2) // y and z each
    }

    @Test func convBiasWithTheWrongCount() {
        let e = GT.error("""
            nodes:
              x: {op: input, shape: [1, 3, 5, 5], init: zeros}
              w: {op: param, shape: [6, 3, 3, 3], init: zeros}
              b: {op: param, shape: [1, 5, 1, 1], init: zeros}
              y: {op: conv}
            edges: [x -> y, w -> y.weight, b -> y.bias]
            """)
        let d = GT.diagnostic(e, containing: "conv bias has 5 elements (shape [1, 5, 1, 1]) but the conv has 6 output channels")
        #expect(d?.notes.contains { $0.location == GT.at(4, 3) } == true)
    }

    @Test func channelsNotDivisibleByGroups() {
        let e = GT.error("""
            nodes:
              x: {op: input, shape: [1, 3, 5, 5], init: zeros}
              w: {op: param, shape: [4, 1, 3, 3], init: zeros}
              y: {op: conv, groups: 2}
            edges: [x -> y, w -> y.weight]
            """)
        // "  y: {op: conv, groups: 2}" → groups' value at column 25
        #expect(GT.diagnostic(e, containing: "3 channels, not divisible by groups = 2")?.location == GT.at(4, 25))
    }

    @Test func reflectPaddingNotSmallerThanTheDimension() {
        // "  y: {op: pad, pads: [5, 1], mode: reflect}" → pads' value at column 22
        let e = GT.error(GT.singleOp(input: [1, 1, 5, 7], "{op: pad, pads: [5, 1], mode: reflect}"))
        let d = GT.diagnostic(e, containing: "reflect padding [5, 1] needs each pad smaller than its dimension, but the input is 5×7")
        #expect(d?.location == GT.at(3, 22))
    }

    @Test func mseOfDifferentShapes() {
        let e = GT.error("""
            nodes:
              x: {op: input, shape: [1, 1, 2, 2], init: zeros}
              t: {op: input, shape: [1, 1, 2, 3], init: zeros}
              e: {op: mse}
            edges: [x -> e, t -> e.target]
            """)
        #expect(GT.diagnostic(e, containing: "mse input [1, 1, 2, 2] and target [1, 1, 2, 3] must have the same shape") != nil)
    }

    @Test func nonFourDimensionalInputToASpatialOp() {
        let pool = GT.error(GT.singleOp(input: [3, 4], "{op: pool, mode: max, window: 1}"))
        #expect(GT.diagnostic(pool, containing: "pool input must be 4-D (N, C, H, W), but has shape [3, 4]") != nil)
    }

    @Test func hugeDeclaredShapeIsRefusedFastWithoutAllocating() {
        let start = ContinuousClock.now
        let e = GT.error("""
            nodes:
              x: {op: input, shape: [100000, 100000, 100000, 100000], init: zeros}
              y: {op: relu}
            edges: [x -> y]
            """)
        #expect(ContinuousClock.now - start < .seconds(1))
        #expect(e?.kind == .invalidInput)
        let d = GT.diagnostic(e, containing: "more than the limit of 2147483648 elements per tensor")
        #expect(d?.message.contains("node 'x' would have shape [100000, 100000, 100000, 100000]") == true)
        #expect(d?.location == GT.at(2, 25))
    }

    @Test func elementLimitOnAnInferredShape() {
        var limits = Limits()
        limits.maxTensorElements = 100
        #expect(GT.error(GT.singleOp(input: [1, 1, 10, 10], "{op: relu}"), limits: limits) == nil)
        let e = GT.error(GT.singleOp(input: [1, 1, 10, 10], "{op: pad, pads: 1}"), limits: limits)
        let d = GT.diagnostic(e, containing: "more than the limit of 100 elements per tensor")
        #expect(d?.message.contains("node 'y' would have shape [1, 1, 12, 12]") == true)
        #expect(d?.location == GT.at(3, 3))
    }

    @Test func totalMemoryOverTheLimit() throws {
        // The limit is compared with the plan of the run (SPEC §8), not when the graph is
        // checked: x and y, 100 elements each, both alive once y is computed: 1,600 B.
        var limits = Limits()
        limits.maxMemoryBytes = 1000
        let text = GT.singleOp(input: [1, 1, 10, 10], "{op: relu}")
        let g = try GT.graph(text, limits: limits)
        #expect(g.plannedPeakBytes(for: .full) == 1600)
        var e: ConvGraphError?
        do { try g.checkMemoryLimit(limits, for: .full) } catch { e = error }
        #expect(e?.kind == .invalidInput)
        let d = GT.diagnostic(e, containing: "planned peak tensor memory 1,600 bytes (1.6 KiB) for a full run exceeds --max-memory 1,000 bytes")
        #expect(d?.location == GT.at(1, 1))
        // The library's executor holds a run to the limit the graph was loaded with.
        #expect(g.maxMemoryBytes == 1000)
        var runError: ConvGraphError?
        do { _ = try Executor(graph: g).run() } catch { runError = error }
        #expect(runError?.description.contains("exceeds --max-memory 1,000 bytes") == true)
        // In float32 the same graph plans 800 B: within the limit.
        let f = try GT.graph("dtype: float32\n" + text, limits: limits)
        try f.checkMemoryLimit(limits, for: .full)
        #expect(try Executor(graph: f).run().peakTensorBytes == 800)
    }
}
