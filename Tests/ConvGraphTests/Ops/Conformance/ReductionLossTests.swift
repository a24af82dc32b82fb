import Testing
import ConvGraph

/// Hand-checked `sum`, `mean`, `l2` and `mse`: scalar outputs of arange inputs and their
/// gradients, in both dtypes (every literal is exact in float32).
@Suite("sum, mean, l2 and mse, by hand")
struct ReductionLossTests {
    typealias L = OpCheck.Literal

    /// 0 + 1 + … + 23 = 276.
    static let x24 = OpCheck.arange([2, 3, 2, 2])

    @Test(arguments: DType.allCases)
    func sumOfArangeAndItsBroadcastGradient(_ dtype: DType) throws {
        let op = try OpCheck.load("sum", [Self.x24])
        #expect(try op.outputShape(inputs: [[2, 3, 2, 2]]).shape == [])
        let r = OpCheck.run(op, [Self.x24], upstream: [3], dtype: dtype)
        #expect(r.output.shape == [])
        #expect(r.output.scalars == [276])
        #expect(r.grads == [Array(repeating: 3, count: 24)])
    }

    @Test(arguments: DType.allCases)
    func meanOfArangeAndItsSpreadGradient(_ dtype: DType) throws {
        let op = try OpCheck.load("mean", [Self.x24])
        #expect(try op.outputShape(inputs: [[2, 3, 2, 2]]).shape == [])
        let r = OpCheck.run(op, [Self.x24], upstream: [6], dtype: dtype)
        #expect(r.output.shape == [])
        #expect(r.output.scalars == [11.5])
        // 6 / 24 = 0.25 per element.
        #expect(r.grads == [Array(repeating: 0.25, count: 24)])
    }

    @Test(arguments: DType.allCases)
    func l2IsHalfTheSumOfSquaresWithGradientX(_ dtype: DType) throws {
        let x = L([1, 1, 1, 5], [-2, -1, 0, 1, 2])
        let op = try OpCheck.load("l2", [x])
        #expect(try op.outputShape(inputs: [x.shape]).shape == [])
        // ½·(4 + 1 + 0 + 1 + 4) = 5.
        let unit = OpCheck.run(op, [x], upstream: [1], dtype: dtype)
        #expect(unit.output.scalars == [5])
        #expect(unit.grads == [[-2, -1, 0, 1, 2]])
        // The upstream scalar scales the gradient.
        #expect(OpCheck.run(op, [x], upstream: [3], dtype: dtype).grads == [[-6, -3, 0, 3, 6]])
    }

    @Test(arguments: DType.allCases)
    func l2OfArange(_ dtype: DType) throws {
        let r = OpCheck.run(try OpCheck.load("l2", [Self.x24]), [Self.x24], upstream: [1], dtype: dtype)
        // Σ k² for k < 24 = 23·24·47/6 = 4324; half is 2162.
        #expect(r.output.scalars == [2162])
        #expect(r.grads == [Self.x24.values])
    }

    @Test(arguments: DType.allCases)
    func mseIsTheMeanSquaredDifferenceWithGradientsToInputAndTarget(_ dtype: DType) throws {
        let x = L("input", [1, 1, 2, 2], [1, 2, 3, 4])
        let t = L("target", [1, 1, 2, 2], [0, 2, 5, 1])
        let op = try OpCheck.load("mse", [x, t])
        #expect(try op.outputShape(inputs: [x.shape, t.shape]).shape == [])
        // x − t = [1, 0, −2, 3]; squares 1 + 0 + 4 + 9 = 14; / 4 = 3.5.
        let unit = OpCheck.run(op, [x, t], upstream: [1], dtype: dtype)
        #expect(unit.output.scalars == [3.5])
        // 2(x − t)/n and −2(x − t)/n.
        #expect(unit.grads == [[0.5, 0, -1, 1.5], [-0.5, 0, 1, -1.5]])
        #expect(OpCheck.run(op, [x, t], upstream: [2], dtype: dtype).grads == [[1, 0, -2, 3], [-1, 0, 2, -3]])
    }

    @Test func mseOfEqualTensorsIsZero() throws {
        let x = OpCheck.arange([1, 2, 1, 2]), t = OpCheck.arange([1, 2, 1, 2], port: "target")
        let r = OpCheck.run(try OpCheck.load("mse", [x, t]), [x, t], upstream: [1])
        #expect(r.output.scalars == [0])
        #expect(r.grads == [[0, 0, 0, 0], [0, 0, 0, 0]])
    }

    @Test func mseGradientReachesTheTargetThroughTheExecutor() throws {
        let r = try OpCheck.runGraph("""
            nodes:
              x: {op: param, init: {values: [[[[1, 2], [3, 4]]]]}}
              t: {op: param, init: {values: [[[[0, 2], [5, 1]]]]}}
              m: {op: mse}
            edges:
              - x -> m
              - t -> m.target
            backward: {from: m, wrt: [x, t]}
            save: {values: [m], grads: [x, t]}
            """)
        #expect(r.values["m"] == [3.5])
        #expect(r.grads["x"] == [0.5, 0, -1, 1.5])
        #expect(r.grads["t"] == [-0.5, 0, 1, -1.5])
    }

    @Test func mseRejectsMismatchedShapes() throws {
        let op = try OpCheck.load("mse", [L("input", [1, 1, 1, 4], []), L("target", [1, 1, 1, 4], [])])
        let error = OpCheck.shapeError(op, [[1, 1, 1, 4], [1, 1, 2, 2]])
        #expect(error?.message == "mse input [1, 1, 1, 4] and target [1, 1, 2, 2] must have the same shape")
        #expect(error?.inputs == [0, 1])
    }

    @Test(arguments: ["sum", "mean", "l2"])
    func reductionsGiveAScalarForEveryInputShape(_ op: String) throws {
        let loaded = try OpCheck.load(op, [L([1, 1, 1, 1], [])])
        for shape: Shape in [[1, 1, 1, 1], [2, 3, 4, 5], [7]] {
            #expect(try loaded.outputShape(inputs: [shape]).shape == [], "\(op) of \(shape)")
        }
    }
}
