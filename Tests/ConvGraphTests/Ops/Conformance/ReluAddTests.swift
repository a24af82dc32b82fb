import Testing
import ConvGraph

/// Hand-checked `relu` and `add`: literal outputs and gradients in both dtypes, plus the
/// shape rule's errors.
@Suite("relu and add, by hand")
struct ReluAddTests {
    typealias L = OpCheck.Literal

    @Test(arguments: DType.allCases)
    func reluZeroesNonPositivesAndPassesGradientOnlyWherePositive(_ dtype: DType) throws {
        let x = L([1, 1, 1, 5], [-2, -1, 0, 1, 2])
        let op = try OpCheck.load("relu", [x])
        let r = OpCheck.run(op, [x], upstream: [10, 20, 30, 40, 50], dtype: dtype)
        #expect(r.output.shape == [1, 1, 1, 5])
        #expect(r.output.scalars == [0, 0, 0, 1, 2])
        // relu′(0) = 0 (SPEC §2).
        #expect(r.grads == [[0, 0, 0, 40, 50]])
    }

    @Test func reluOfNegativeZeroIsPositiveZero() throws {
        let x = L([1, 1, 1, 2], [-0.0, -3])
        let r = OpCheck.run(try OpCheck.load("relu", [x]), [x], upstream: [1, 1])
        #expect(r.output.scalars.map(\.bitPattern) == [0, 0])
    }

    /// The implementation propagates NaN (as `np.maximum(x, 0)` does) and gives it a zero
    /// gradient, since NaN is not > 0.
    @Test(arguments: DType.allCases)
    func reluPropagatesNaNWithZeroGradient(_ dtype: DType) throws {
        let x = L([1, 1, 1, 3], [.nan, -1, 1])
        let r = OpCheck.run(try OpCheck.load("relu", [x]), [x], upstream: [5, 6, 7], dtype: dtype)
        #expect(r.output.scalars[0].isNaN)
        #expect(Array(r.output.scalars.dropFirst()) == [0, 1])
        #expect(r.grads == [[0, 0, 7]])
    }

    @Test func reluKeepsAnyShape() throws {
        let op = try OpCheck.load("relu", [L([2, 3, 4, 5], [])])
        #expect(try op.outputShape(inputs: [[2, 3, 4, 5]]).shape == [2, 3, 4, 5])
        #expect(try op.outputShape(inputs: [[7, 1, 1, 1]]).shape == [7, 1, 1, 1])
    }

    @Test(arguments: DType.allCases)
    func addSumsThreeInputsAndCopiesTheGradientToEach(_ dtype: DType) throws {
        let a = OpCheck.arange([1, 1, 2, 3], port: "inputs")
        let b = L("inputs", [1, 1, 2, 3], [0, 10, 20, 30, 40, 50])
        let c = L("inputs", [1, 1, 2, 3], [100, 100, 100, 100, 100, 100])
        let op = try OpCheck.load("add", [a, b, c])
        #expect(try op.outputShape(inputs: [[1, 1, 2, 3], [1, 1, 2, 3], [1, 1, 2, 3]]).shape == [1, 1, 2, 3])
        let r = OpCheck.run(op, [a, b, c], upstream: [1, 2, 3, 4, 5, 6], dtype: dtype)
        #expect(r.output.scalars == [100, 111, 122, 133, 144, 155])
        #expect(r.grads == [[1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6]])
    }

    @Test func addOfTheSameEdgeTwiceDoublesValueAndGradient() throws {
        let r = try OpCheck.runGraph("""
            nodes:
              x: {op: param, init: {values: [[[[1, 2, 3]]]]}}
              s: {op: add}
              l: {op: sum}
            edges:
              - x -> s
              - x -> s
              - s -> l
            backward: {from: l, wrt: [x]}
            save: {values: [s, l], grads: [x]}
            """)
        #expect(r.values["s"] == [2, 4, 6])
        #expect(r.values["l"] == [12])
        #expect(r.grads["x"] == [2, 2, 2])
    }

    @Test func addCombinesScalars() throws {
        let op = try OpCheck.load("add", [L("inputs", [1, 1, 1, 1], [0]), L("inputs", [1, 1, 1, 1], [0])])
        #expect(try op.outputShape(inputs: [[], []]).shape == [])
        let r = OpCheck.run(op, [L("inputs", [], [1.5]), L("inputs", [], [2])], upstream: [3])
        #expect(r.output.shape == [])
        #expect(r.output.scalars == [3.5])
        #expect(r.grads == [[3], [3]])
    }

    @Test func addRejectsMismatchedShapes() throws {
        let op = try OpCheck.load("add", [L("inputs", [1, 2, 3, 3], []), L("inputs", [1, 2, 3, 3], [])])
        let error = OpCheck.shapeError(op, [[1, 2, 3, 3], [1, 2, 3, 3], [1, 2, 3, 4]])
        #expect(error?.message == "add inputs must have the same shape, but input 1 is [1, 2, 3, 3] and input 3 is [1, 2, 3, 4]")
        #expect(error?.inputs == [0, 2])
        #expect(OpCheck.shapeError(op, [[1, 2, 3, 3]])?.message == "add needs at least 2 inputs, but has 1")
    }

    @Test func addShapeErrorIsReportedByTheGraphLoader() {
        let messages = OpCheck.graphErrors("""
            nodes:
              a: {op: input, shape: [1, 2, 3, 3], init: zeros}
              b: {op: input, shape: [1, 2, 3, 4], init: zeros}
              s: {op: add}
            edges:
              - a -> s
              - b -> s
            """)
        #expect(messages.contains { $0.contains("add inputs must have the same shape") })
    }
}
