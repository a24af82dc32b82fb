import Foundation
import ConvGraph
import Testing

/// `Session`: compiled once, leaves initialised once, buffers reused across steps.
@Suite struct SessionTests {
    static let digitsLike = """
        graph: digits_like
        seed: 0
        dtype: DTYPE
        nodes:
          x: {op: input, shape: [8, 1, 8, 8], init: randn}
          w1: {op: param, shape: [16, 1, 3, 3], init: randn}
          w2: {op: param, shape: [32, 16, 3, 3], init: randn}
          b2: {op: param, shape: [32], init: randn}
          w3: {op: param, shape: [10, 32, 2, 2], init: randn}
          t: {op: input, shape: [8, 10, 1, 1], init: randn}
          c1: {op: conv, padding: 1}
          r1: {op: relu}
          p1: {op: pool, mode: max, window: 2}
          c2: {op: conv, padding: 1, stride: 2}
          r2: {op: relu}
          p2: {op: pool, mode: average, window: 1}
          fc: {op: conv}
          loss: {op: mse}
        edges: [x -> c1 -> r1 -> p1 -> c2 -> r2 -> p2 -> fc -> loss, w1 -> c1.weight, w2 -> c2.weight, b2 -> c2.bias, w3 -> fc.weight, t -> loss.target]
        backward: {from: loss, wrt: [w1, w2, b2, w3]}
        """

    static func graph(_ dtype: String) throws -> Graph {
        try Graph.parse(yaml: digitsLike.replacingOccurrences(of: "DTYPE", with: dtype), path: "digits.yaml")
    }

    @Test(arguments: ["float32", "float64"])
    func stepsGiveTheBytesOfAOneShotRun(dtype: String) throws {
        let graph = try Self.graph(dtype)
        let oneShot = try Executor(graph: graph, parallelism: .serial).run()
        let session = try Session(graph: graph, parallelism: Parallelism(threads: 2))
        for _ in 0..<3 {
            let step = try session.step()
            #expect(step.values.map(\.tensor) == oneShot.values.map(\.tensor))
            #expect(step.grads.map(\.tensor) == oneShot.grads.map(\.tensor))
            #expect(step.peakTensorBytes == graph.plannedPeakBytes())
        }
    }

    @Test(arguments: ["float32", "float64"])
    func stepsAfterTheFirstAllocateNoTensorMemory(dtype: String) throws {
        let graph = try Self.graph(dtype)
        let session = try Session(graph: graph)
        _ = try session.step()
        #expect(session.lastStepAllocatedBytes > 0)
        for _ in 0..<3 {
            _ = try session.step()
            #expect(session.lastStepAllocatedBytes == 0)
        }
    }

    /// The workspace counter only sees buffers taken through it; this checks the storage
    /// itself: from the second step on, every value and gradient lives at the same address
    /// (a copy-on-write copy anywhere would move it).
    @Test(arguments: ["float32", "float64"])
    func stepsReuseTheSameStorage(dtype: String) throws {
        let session = try Session(graph: try Self.graph(dtype), keepAll: true)
        func addresses() throws -> [Int] {
            let result = try session.step()
            return (result.values + result.grads).map { _, tensor in
                switch tensor {
                case .float32(let t): t.scalars.withUnsafeBufferPointer { Int(bitPattern: $0.baseAddress) }
                case .float64(let t): t.scalars.withUnsafeBufferPointer { Int(bitPattern: $0.baseAddress) }
                }
            }
        }
        _ = try addresses()
        let second = try addresses()
        #expect(try addresses() == second)
        #expect(try addresses() == second)
    }

    @Test func feedingAParamReplacesItForThatStepOnly() throws {
        let graph = try Self.graph("float64")
        let session = try Session(graph: graph, parallelism: .serial)
        let before = try session.step()
        let w3 = try #require(session.parameters["w3"])
        let zeros = AnyTensor(Tensor<Double>(zeros: w3.shape))
        let fed = try session.step(feeds: ["w3": zeros])
        // fc is all zeros, so the loss is mean(t²) and dL/dw1 vanishes.
        #expect(fed.grad("w1")?.doubles.scalars.allSatisfy { $0 == 0 } == true)
        #expect(fed.grad("w3") != before.grad("w3"))
        let after = try session.step()
        #expect(after.grads.map(\.tensor) == before.grads.map(\.tensor))
        #expect(session.parameters["w3"] == w3)
    }

    @Test func updatedParametersAreUsedByLaterSteps() throws {
        let graph = try Self.graph("float64")
        let session = try Session(graph: graph, parallelism: .serial)
        let zeros = AnyTensor(Tensor<Double>(zeros: [10, 32, 2, 2]))
        let fed = try session.step(feeds: ["w3": zeros])
        try session.parameters.set("w3", zeros)
        let stored = try session.step()
        #expect(stored.grads.map(\.tensor) == fed.grads.map(\.tensor))
    }

    @Test func resultsHandedOutAreNeverChangedByLaterSteps() throws {
        let graph = try Self.graph("float32")
        let session = try Session(graph: graph)
        let first = try session.step()
        let copy = first.grads.map(\.tensor)
        _ = try session.step(feeds: ["x": AnyTensor(Tensor<Float>(repeating: 3, shape: [8, 1, 8, 8]))])
        #expect(first.grads.map(\.tensor) == copy)
    }

    @Test func randomStateContinuesTheGraphStream() throws {
        let graph = try Self.graph("float64")
        let session = try Session(graph: graph)
        // x, w1, w2, b2, w3, t: 512 + 144 + 4608 + 32 + 1280 + 80 draws from seed 0.
        var expected = RandomState(seed: 0)
        _ = expected.standardNormals(count: 512 + 144 + 4608 + 32 + 1280 + 80)
        var state = session.randomState
        #expect(state.standardNormal() == expected.standardNormal())
        session.randomState = RandomState(seed: 5)
        var restored = session.randomState
        var five = RandomState(seed: 5)
        #expect(restored.uniform(low: 0, high: 1) == five.uniform(low: 0, high: 1))
    }

    @Test func unknownFeedIsAUsageError() throws {
        let session = try Session(graph: try Self.graph("float64"))
        #expect(throws: ConvGraphError.self) { try session.step(feeds: ["c1": AnyTensor(Tensor<Double>(zeros: [1]))]) }
        #expect(throws: ConvGraphError.self) { try session.step(feeds: ["x": AnyTensor(Tensor<Double>(zeros: [1]))]) }
    }
}
