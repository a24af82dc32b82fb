import Testing
import ConvGraph

/// Hand-checked `concat` along every axis, spelled from the front and from the end.
///
/// Each case joins a = [0, 1] and b = [10, 11, 12, 13], shaped so that the axis before the
/// concat axis (if any) has size 2: along axis 0 the pieces are simply appended; along the
/// others each of the two outer rows takes one value of a, then two of b.
@Suite("concat, by hand")
struct ConcatTests {
    typealias L = OpCheck.Literal

    struct AxisCase: Sendable, CustomTestStringConvertible {
        var axis: Int
        var a: Shape
        var b: Shape
        var expected: Shape
        var output: [Double]
        /// Gradients of a and b for the upstream 100, 101, …, 105.
        var gradA: [Double]
        var gradB: [Double]
        var testDescription: String { "axis \(axis)" }
    }

    static let interleaved: [Double] = [0, 10, 11, 1, 12, 13]
    static let front: [AxisCase] = [
        AxisCase(axis: 0, a: [1, 1, 1, 2], b: [2, 1, 1, 2], expected: [3, 1, 1, 2],
                 output: [0, 1, 10, 11, 12, 13], gradA: [100, 101], gradB: [102, 103, 104, 105]),
        AxisCase(axis: 1, a: [2, 1, 1, 1], b: [2, 2, 1, 1], expected: [2, 3, 1, 1],
                 output: interleaved, gradA: [100, 103], gradB: [101, 102, 104, 105]),
        AxisCase(axis: 2, a: [1, 2, 1, 1], b: [1, 2, 2, 1], expected: [1, 2, 3, 1],
                 output: interleaved, gradA: [100, 103], gradB: [101, 102, 104, 105]),
        AxisCase(axis: 3, a: [1, 1, 2, 1], b: [1, 1, 2, 2], expected: [1, 1, 2, 3],
                 output: interleaved, gradA: [100, 103], gradB: [101, 102, 104, 105]),
    ]
    /// The same cases with the axis counted from the end (−4…−1).
    static let all: [AxisCase] = front + front.map { var c = $0; c.axis -= 4; return c }

    @Test(arguments: all, DType.allCases)
    func concatJoinsAlongTheAxisAndSlicesTheGradientBack(_ c: AxisCase, _ dtype: DType) throws {
        let a = L("inputs", c.a, [0, 1]), b = L("inputs", c.b, [10, 11, 12, 13])
        let op = try OpCheck.load("concat", "axis: \(c.axis)", [a, b])
        #expect(try op.outputShape(inputs: [c.a, c.b]).shape == c.expected)
        let r = OpCheck.run(op, [a, b], upstream: [100, 101, 102, 103, 104, 105], dtype: dtype)
        #expect(r.output.shape == c.expected)
        #expect(r.output.scalars == c.output)
        #expect(r.grads == [c.gradA, c.gradB])
    }

    @Test func concatDefaultsToTheChannelAxis() throws {
        let a = L("inputs", [1, 1, 1, 2], [1, 2]), b = L("inputs", [1, 2, 1, 2], [3, 4, 5, 6])
        let op = try OpCheck.load("concat", [a, b])
        #expect(try op.outputShape(inputs: [a.shape, b.shape]).shape == [1, 3, 1, 2])
        #expect(OpCheck.run(op, [a, b], upstream: [0, 0, 0, 0, 0, 0]).output.scalars == [1, 2, 3, 4, 5, 6])
    }

    @Test func concatOfOneInputIsTheIdentity() throws {
        let a = OpCheck.arange([1, 2, 1, 2], port: "inputs")
        let r = OpCheck.run(try OpCheck.load("concat", "axis: 2", [a]), [a], upstream: [5, 6, 7, 8])
        #expect(r.output.shape == [1, 2, 1, 2])
        #expect(r.output.scalars == [0, 1, 2, 3])
        #expect(r.grads == [[5, 6, 7, 8]])
    }

    @Test func concatOfTheSameEdgeTwiceSumsBothSlicesIntoItsGradient() throws {
        let r = try OpCheck.runGraph("""
            nodes:
              x: {op: param, init: {values: [[[[1, 2]]]]}}
              c: {op: concat, axis: 3}
              w: {op: param, init: {values: [[[[1, 10, 100, 1000]]]]}}
              p: {op: mse}
            edges:
              - x -> c
              - x -> c
              - c -> p
              - w -> p.target
            backward: {from: p, wrt: [x]}
            save: {values: [c], grads: [x]}
            """)
        #expect(r.values["c"] == [1, 2, 1, 2])
        // d/dc mean((c − w)²) = (c − w)/2 = [0, −4, −49.5, −499]; x gets slices 0+2 and 1+3.
        #expect(r.grads["x"] == [-49.5, -503])
    }

    @Test func concatRejectsMismatchedDimensions() throws {
        let op = try OpCheck.load("concat", [L("inputs", [1, 2, 3, 3], []), L("inputs", [1, 2, 3, 3], [])])
        let error = OpCheck.shapeError(op, [[1, 2, 3, 3], [1, 5, 3, 3], [1, 2, 4, 3]])
        #expect(error?.message == "concat inputs must match except along axis 1 (C), but input 1 is [1, 2, 3, 3] and input 3 is [1, 2, 4, 3]: H is 3 vs 4")
        #expect(error?.inputs == [0, 2])
    }

    @Test func concatRejectsNonNCHWInputs() throws {
        let op = try OpCheck.load("concat", [L("inputs", [1, 2, 3, 3], []), L("inputs", [1, 2, 3, 3], [])])
        #expect(OpCheck.shapeError(op, [[1, 2, 3, 3], [2, 3, 3]]) != nil)
    }

    @Test(arguments: [4, -5])
    func concatRejectsAnAxisOutOfRange(_ axis: Int) {
        let messages = OpCheck.graphErrors("""
            nodes:
              a: {op: input, shape: [1, 2, 3, 3], init: zeros}
              c: {op: concat, axis: \(axis)}
            edges:
              - a -> c
            """)
        #expect(messages.contains { $0.contains("axis") && $0.contains("\(axis)") }, "\(messages)")
    }
}
