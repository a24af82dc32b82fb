import Testing
@testable import ConvGraph

/// `linear` and `conv_transpose` in a session: on their fast paths a step on fixed shapes
/// takes every output, gradient and scratch buffer from the nodes' workspaces, so steps after
/// the first allocate no tensor memory; and the steps give the same bytes on 1 and 8 threads.
@Suite struct LayerSessionTests {
    static func graph(_ dtype: String) throws -> Graph {
        try Graph.parse(yaml: """
            dtype: \(dtype)
            nodes:
              x:    {op: input, shape: [2, 16, 8, 8], init: randn}
              w1:   {op: param, shape: [16, 8, 2, 2], init: randn}
              b1:   {op: param, shape: [8], init: randn}
              w2:   {op: param, shape: [8, 8, 3, 3], init: randn}
              w3:   {op: param, shape: [300, 2048], init: {randn: {scale: 0.01}}}
              b3:   {op: param, shape: [300], init: randn}
              up:   {op: conv_transpose, stride: 2}
              same: {op: conv_transpose, padding: 1}
              fc:   {op: linear}
              loss: {op: l2}
            edges:
              - x -> up -> same -> fc -> loss
              - w1 -> up.weight
              - b1 -> up.bias
              - w2 -> same.weight
              - w3 -> fc.weight
              - b3 -> fc.bias
            backward: {from: loss}
            """, path: "layers.yaml")
    }

    @Test(arguments: ["float32", "float64"])
    func stepsAfterTheFirstAllocateNoTensorMemory(dtype: String) throws {
        let session = try Session(graph: try Self.graph(dtype), parallelism: Parallelism(threads: 2))
        _ = try session.step()
        for _ in 0..<3 {
            _ = try session.step()
            #expect(session.lastStepAllocatedBytes == 0)
        }
    }

    @Test(arguments: ["float32", "float64"])
    func sameBytesOnOneAndEightThreads(dtype: String) throws {
        let one = try Session(graph: try Self.graph(dtype), parallelism: .serial).step()
        let eight = try Session(graph: try Self.graph(dtype), parallelism: Parallelism(threads: 8)).step()
        #expect(one.grads.map(\.tensor) == eight.grads.map(\.tensor))
        #expect(one.values.map(\.tensor) == eight.values.map(\.tensor))
    }
}
