/// Inference-mode evaluation over a whole data set (SPEC §10): in file order, in batches
/// of B, the last batch smaller when S mod B ≠ 0 (run on the graph inferred again for
/// that N). Reports the loss, the mean over samples of the batch losses weighted by batch
/// size, and, when the loss is a `cross_entropy` with index targets, the accuracy: the
/// fraction of target positions whose logits' argmax (the first maximum) is the label.
///
/// Its sessions are forward-only and planned once; each evaluation copies the trained
/// params (and batchnorm statistics) into them from the training's store. They draw their
/// buffers from the training session's pools (an evaluation never runs during a step): a
/// full batch's tensors have the training's forward sizes and reuse buffers the training
/// keeps, so evaluating adds only the smaller last batch's buffers.
final class Evaluation {
    private let data: TrainingData
    private let batchSize: Int
    private let full: Session?
    private let remainder: Session?
    private let loss: String
    /// The logits and target nodes of a `cross_entropy` loss with index targets.
    private let accuracyNodes: (logits: String, target: String)?
    /// The `param` nodes copied in before each evaluation.
    private let params: [String]

    /// Plans the sessions (the smaller last batch's graph is built here, so a graph that
    /// does not fit it fails before the first training step).
    /// - Parameter training: the training session whose buffer pools the evaluation
    ///   sessions share (`nil`: pools of their own).
    init(graph: Graph, data: TrainingData, dataNodes: [Int], batchSize: Int, limits: Limits,
         parallelism: Parallelism, sharingBuffersWith training: Session? = nil) throws(ConvGraphError) {
        guard let backward = graph.backward else { preconditionFailure("a training graph has a backward section") }
        self.data = data
        self.batchSize = batchSize
        let from = graph.nodes[backward.from]
        loss = from.name
        if from.op is CrossEntropy, from.inputs.count == 2, CrossEntropy.hasIndexTarget(from.inputs.map { graph.nodes[$0].shape }) {
            accuracyNodes = (graph.nodes[from.inputs[0]].name, graph.nodes[from.inputs[1]].name)
        } else {
            accuracyNodes = nil
        }
        params = graph.nodes.filter { $0.op.name == "param" }.map(\.name)
        let accuracyNodes = self.accuracyNodes
        func session(_ g: Graph) throws(ConvGraphError) -> Session {
            var values = [g.index(of: from.name)].compactMap { $0 }
            if let (logits, target) = accuracyNodes {
                values += [g.index(of: logits), g.index(of: target)].compactMap { $0 }
            }
            return try Session(graph: g, mode: .eval, forwardOnly: true, keepAll: false, parallelism: parallelism, fed: [:],
                               computeIn: g.dtype, selection: RunPlan.Selection(values: values, grads: []), keepsBuffers: true,
                               sharingBuffersWith: training)
        }
        let s = data.sampleCount
        full = s >= batchSize ? try session(graph) : nil
        let rest = s % batchSize
        if rest > 0 {
            let resized: Graph
            do {
                resized = try graph.resized(batch: rest, inputs: dataNodes, limits: limits)
            } catch {
                var e = error
                e.diagnostics.insert(Diagnostic("the evaluation set's last batch of \(rest) samples (\(s) = \(s / batchSize)·\(batchSize) + \(rest)) does not fit the graph",
                                                file: graph.path), at: 0)
                throw ConvGraphError(.invalidInput, e.diagnostics)
            }
            remainder = try session(resized)
        } else {
            remainder = nil
        }
    }

    /// Evaluates the params of `store` (those it names) over the whole set.
    func run(with store: ParameterStore, parallelism: Parallelism) throws(ConvGraphError) -> (loss: Double, accuracy: Double?) {
        var lossSum = 0.0
        var correct = 0
        var positions = 0
        var start = 0
        let s = data.sampleCount
        while start < s {
            let n = min(batchSize, s - start)
            guard let session = n == batchSize ? full : remainder else { break }
            for name in params {
                if let value = store[name] { try session.parameters.set(name, value) }
            }
            session.parallelism = parallelism
            let result = try session.step(feeds: data.batch(start..<(start + n)))
            guard let value = result.value(loss) else { break }
            lossSum += value.doubles.scalars.first.map { $0 * Double(n) } ?? .nan
            if let (logits, target) = accuracyNodes, let l = result.value(logits), let t = result.value(target) {
                let (c, p) = Self.hits(logits: l.doubles, labels: t.doubles)
                correct += c
                positions += p
            }
            start += n
        }
        let accuracy = accuracyNodes == nil || positions == 0 ? nil : Double(correct) / Double(positions)
        return (lossSum / Double(s), accuracy)
    }

    /// Positions whose first maximum over the K channels equals the label, and positions.
    static func hits(logits: Tensor<Double>, labels: Tensor<Double>) -> (correct: Int, positions: Int) {
        let d = logits.shape.dims
        let (n, k, hw) = (d[0], d[1], d[2] * d[3])
        var correct = 0
        logits.scalars.withUnsafeBufferPointer { x in
            for b in 0..<n {
                for p in 0..<hw {
                    var best = 0
                    var bestValue = x[b * k * hw + p]
                    for c in 1..<k where x[(b * k + c) * hw + p] > bestValue {
                        best = c
                        bestValue = x[(b * k + c) * hw + p]
                    }
                    if Double(best) == labels.scalars[b * hw + p] { correct += 1 }
                }
            }
        }
        return (correct, n * hw)
    }
}
