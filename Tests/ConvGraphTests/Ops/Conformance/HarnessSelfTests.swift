import Testing
import ConvGraph

/// The conformance harness catches what it is meant to catch: a registered op without a
/// row, a backward that is not the derivative, and results that depend on the thread
/// count. Each check runs on a deliberately broken test-only op.
@Suite("Op conformance harness catches broken ops")
struct HarnessSelfTests {
    /// relu's forward with the identity as its backward: wrong wherever x < 0.
    struct IgnoresKinkOp: Op {
        static let name = "ignores_kink"
        static let ports = [Port.input]
        static let attributeNames: [String] = []
        static func decode(_ a: inout AttributeReader) -> Self? { Self() }
        func outputShape(inputs: [Shape]) throws(ShapeError) -> ShapeInference { ShapeInference(inputs[0]) }
        func flops(inputs: [Shape], output: Shape) -> Int { 0 }
        func forward<T: TensorScalar>(_ inputs: [Tensor<T>]) -> ForwardResult<T> { Relu().forward(inputs) }
        func backward<T: TensorScalar>(_ c: BackwardContext<T>) -> [Tensor<T>?] { [c.upstream] }
    }

    /// The identity, plus one ulp on the first element when run on several threads.
    struct ThreadDependentOp: Op {
        static let name = "thread_dependent"
        static let ports = [Port.input]
        static let attributeNames: [String] = []
        static func decode(_ a: inout AttributeReader) -> Self? { Self() }
        func outputShape(inputs: [Shape]) throws(ShapeError) -> ShapeInference { ShapeInference(inputs[0]) }
        func flops(inputs: [Shape], output: Shape) -> Int { 0 }
        func forward<T: TensorScalar>(_ inputs: [Tensor<T>]) -> ForwardResult<T> { ForwardResult(inputs[0]) }
        func forward<T: TensorScalar>(_ inputs: [Tensor<T>], parallelism: Parallelism) -> ForwardResult<T> {
            var y = inputs[0]
            if parallelism.threads > 1 { y.scalars[0] = y.scalars[0].nextUp }
            return ForwardResult(y)
        }
        func backward<T: TensorScalar>(_ c: BackwardContext<T>) -> [Tensor<T>?] { [c.upstream] }
    }

    @Test func aRegisteredOpWithoutRowsIsReported() {
        let names = OpRegistry.names + ["hardswish"]
        #expect(OpConformanceTests.uncovered(names, by: OpConformanceTable.cases) == ["hardswish"])
        #expect(OpConformanceTests.uncovered(["input", "param"], by: []) == [])
    }

    @Test func aWrongBackwardFailsTheGradientCheck() throws {
        let c = OpCase("relu", inputs: [OpCase.Input(port: "input", shape: [1, 2, 3, 3], values: .awayFromZero)], expected: [1, 2, 3, 3])
        let inputs = c.inputValues()
        let op = IgnoresKinkOp()
        let result = OpRunner.forward(op, inputs)
        let upstream = FD.randomTensor(result.output.shape, seed: 99)
        let grad = try #require(OpRunner.backward(op, inputs, result, upstream: upstream)[0])
        #expect(OpConformanceTests.gradientError(op, inputs, upstream, analytic: grad, port: 0) > 0.5)
        // relu's own backward passes on the same inputs.
        let relu = Relu(), reluResult = OpRunner.forward(relu, inputs)
        let reluGrad = try #require(OpRunner.backward(relu, inputs, reluResult, upstream: upstream)[0])
        #expect(OpConformanceTests.gradientError(relu, inputs, upstream, analytic: reluGrad, port: 0) <= FD.tolerance)
    }

    @Test func aThreadCountDependentForwardIsReported() {
        let x = FD.randomTensor([1, 1, 2, 2], seed: 3)
        let mismatches = OpConformanceTests.threadMismatches(ThreadDependentOp(), [x], FD.randomTensor([1, 1, 2, 2], seed: 4))
        #expect(mismatches.contains("forward on 2 threads"))
        #expect(mismatches.contains("forward on 8 threads"))
        #expect(OpConformanceTests.threadMismatches(Relu(), [x], x) == [])
    }

    @Test func probesCoverSmallInputsWhollyAndLargeOnesFromEndToEnd() {
        #expect(OpConformanceTests.probeIndices(5) == [0, 1, 2, 3, 4])
        let probes = OpConformanceTests.probeIndices(10_000)
        #expect(probes.count == OpConformanceTests.maxProbes)
        #expect(probes.first == 0 && probes.last == 9_999)
        #expect(Set(probes).count == probes.count)
    }
}
