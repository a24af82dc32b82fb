// A graph compiled once and stepped many times: plain gradient descent on the params of
// Graphs/small-cnn.yaml, written with the library's `Session` (from the package root:
// `swift run session-example`).
import ConvGraph

#if canImport(Glibc)
import Glibc
#endif

do {
    let graph = try Graph.load(contentsOf: "Graphs/small-cnn.yaml")
    // Plan, order and buffers are made once; the leaves are drawn once, in declaration order.
    let session = try Session(graph: graph, parallelism: Parallelism(threads: 1))
    let params = graph.nodes.filter { $0.parameterCount > 0 }.map(\.name)   // w1, b1, w2, b2
    // The random stream's position after the inits: an exact resume restores it.
    let streamAfterInit = session.randomState

    let learningRate = 0.05
    for step in 1...20 {
        let result = try session.step()
        // p ← p − lr·g for every param (the loss is a saved value of this graph).
        for name in params {
            guard let p = session.parameters[name]?.doubles, let g = result.grad(name)?.doubles else { continue }
            let updated = Tensor(shape: p.shape, scalars: zip(p.scalars, g.scalars).map { $0 - learningRate * $1 })
            try session.parameters.set(name, AnyTensor(updated))
        }
        if step == 1 || step % 5 == 0 {
            let loss = result.value("loss")?.doubles.scalars.first ?? .nan
            print("step \(step): loss \(loss), tensor bytes allocated by this step: \(session.lastStepAllocatedBytes)")
        }
    }
    session.randomState = streamAfterInit
} catch {
    print(error)
    exit(error.exitCode)
}
