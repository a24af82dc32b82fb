/// One run of a graph in scalar type `T`: the plan (what to compute, keep and free), the
/// leaf values, forward, backward.
struct Execution<T: TensorScalar> {
    let graph: Graph
    let fed: [Int: AnyTensor]
    let forwardOnly: Bool
    let keepAll: Bool
    let parallelism: Parallelism
    /// Leaf values that replace the initialised ones (gradcheck perturbs through this).
    var leafOverrides: [Int: Tensor<T>] = [:]
    /// Whether to fingerprint the kinks met (relu signs, max-pool argmaxes), for gradcheck.
    var collectKinks = false
    /// Told before each node runs (forward and backward), for progress lines.
    var progress: (@Sendable (RunProgress) -> Void)?
    /// The fingerprint of the last `run` (0 unless `collectKinks`).
    var lastKinkSignature: Int { kinkBox.value }
    private let kinkBox = KinkBox()

    init(executor: Executor, forwardOnly: Bool, keepAll: Bool) {
        graph = executor.graph
        fed = executor.fed
        self.forwardOnly = forwardOnly
        self.keepAll = keepAll
        parallelism = executor.parallelism
        progress = executor.progress
    }

    /// The leaf values in declaration order; every leaf's init draws, fed or not.
    func leafValues(_ initializer: inout Initializer) throws(ConvGraphError) -> [Int: Tensor<T>] {
        var iohw = Set<Int>()
        for node in graph.nodes {
            if let conv = node.op as? Conv, conv.weightLayout == .IOHW, node.inputs.count > 1 { iohw.insert(node.inputs[1]) }
        }
        var values: [Int: Tensor<T>] = [:]
        for (i, node) in graph.nodes.enumerated() {
            guard let leaf = node.leaf else { continue }
            let replacement: Tensor<T>? = leafOverrides[i] ?? fed[i].map { $0.as(T.self) }
            if let replacement {
                // Its init still draws, so the other leaves' values do not change.
                if let spec = leaf.initSpec { initializer.skip(spec, shape: node.shape) }
                values[i] = replacement
            } else if let spec = leaf.initSpec {
                let fans = Initializer.fans(node.shape, iohw: iohw.contains(i))
                values[i] = Tensor(shape: node.shape, scalars: initializer.values(spec, shape: node.shape, fans: fans, as: T.self))
            } else {
                throw ConvGraphError(.usage, Diagnostic("input '\(node.name)' has no init and was not fed", at: node.location,
                                                        notes: [.init("feed it with --input \(node.name)=FILE.npy, or give it an init")]))
            }
        }
        return values
    }

    func run() throws(ConvGraphError) -> RunResult {
        let n = graph.nodes.count
        let plan = RunPlan(graph: graph, forwardOnly: forwardOnly, keepAll: keepAll)
        let doBackward = plan.doBackward, region = plan.region, computed = plan.computed
        let keepForBackward = plan.keepForBackward, saved = plan.saved
        var readers = plan.readers

        var memory = MemoryMeter()
        var initializer = Initializer(seed: graph.seed)
        var values: [Tensor<T>?] = Array(repeating: nil, count: n)
        var savedState: [[Int32]?] = Array(repeating: nil, count: n)
        // Moved, not copied: `values` must hold the only reference, or a leaf freed after
        // its last reader would stay resident for the whole run.
        for (i, t) in try leafValues(&initializer) where computed[i] {
            values[i] = t
            memory.allocate(t)
        }

        let forwardStart = monotonicMilliseconds()
        var keptValues: [Tensor<T>?] = Array(repeating: nil, count: n)
        var forwardNodeMs = Array(repeating: 0.0, count: n)
        let forwardNodes = graph.order.filter { computed[$0] && !graph.nodes[$0].isLeaf }
        for (step, i) in forwardNodes.enumerated() {
            let node = graph.nodes[i]
            progress?(RunProgress(phase: .forward, step: step, steps: forwardNodes.count, node: node.name,
                                  elapsedMilliseconds: monotonicMilliseconds() - forwardStart))
            var inputs: [Tensor<T>] = []
            inputs.reserveCapacity(node.inputs.count)
            for p in node.inputs {
                guard let v = values[p] else { preconditionFailure("forward read a value that was freed") }
                inputs.append(v)
            }
            let nodeStart = monotonicMilliseconds()
            let result = node.op.forward(inputs, parallelism: parallelism)
            forwardNodeMs[i] = monotonicMilliseconds() - nodeStart
            if collectKinks {
                var hasher = Hasher()
                hasher.combine(kinkBox.value)
                if let argmax = result.saved { hasher.combine(argmax) }
                if node.op is Relu { for v in result.output.scalars { hasher.combine(v > 0) } }
                kinkBox.value = hasher.finalize()
            }
            memory.allocate(result.output)
            values[i] = result.output
            savedState[i] = region[i] ? result.saved : nil
            for p in node.inputs {
                readers[p] -= 1
                if readers[p] == 0 {
                    release(p, &values, &keptValues, keep: keepForBackward[p] || saved[p], &memory)
                }
            }
            if readers[i] == 0 { release(i, &values, &keptValues, keep: keepForBackward[i] || saved[i], &memory) }
        }
        // Leaves no computed node read (saved leaves, or leaves feeding nothing computed).
        for i in 0..<n where values[i] != nil { keptValues[i] = values[i] }
        let forwardMs = monotonicMilliseconds() - forwardStart

        var grads: [Tensor<T>?] = Array(repeating: nil, count: n)
        var backwardNodeMs = Array(repeating: 0.0, count: n)
        var backwardMs = 0.0
        if doBackward, let b = graph.backward {
            let backwardStart = monotonicMilliseconds()
            try backward(b, region: region, values: &keptValues, savedState: savedState, grads: &grads,
                         initializer: &initializer, keepGrad: plan.keptGrads, memory: &memory, nodeMs: &backwardNodeMs)
            backwardMs = monotonicMilliseconds() - backwardStart
        }

        let valueList = (0..<n).filter { saved[$0] }.compactMap { i in keptValues[i].map { (graph.nodes[i].name, AnyTensor($0)) } }
        var gradList: [(name: String, tensor: AnyTensor)] = []
        if doBackward {
            let names = keepAll ? Array(0..<n).filter { region[$0] || graph.saveGrads.contains($0) } : graph.saveGrads.sorted()
            for i in names {
                let g = grads[i] ?? Tensor(zeros: graph.nodes[i].shape)
                gradList.append((graph.nodes[i].name, AnyTensor(g)))
            }
        }
        let timings = forwardNodes.map { i in
            NodeTiming(name: graph.nodes[i].name, op: graph.nodes[i].op.name, forwardMilliseconds: forwardNodeMs[i],
                       backwardMilliseconds: backwardNodeMs[i], flops: graph.nodes[i].flops)
        }
        return RunResult(values: valueList, grads: gradList, forwardMilliseconds: forwardMs, backwardMilliseconds: backwardMs,
                         peakTensorBytes: memory.peak, ranBackward: doBackward, nodeTimings: timings)
    }


    /// Drops a value from the live set, keeping it aside when backward or saving needs it.
    private func release(_ i: Int, _ values: inout [Tensor<T>?], _ kept: inout [Tensor<T>?], keep: Bool, _ memory: inout MemoryMeter) {
        guard let v = values[i] else { return }
        values[i] = nil
        if keep { kept[i] = v } else { memory.free(v) }
    }

    private func backward(_ b: Graph.Backward, region: [Bool], values: inout [Tensor<T>?], savedState: [[Int32]?],
                          grads: inout [Tensor<T>?], initializer: inout Initializer, keepGrad: Set<Int>,
                          memory: inout MemoryMeter, nodeMs: inout [Double]) throws(ConvGraphError) {
        let fromShape = graph.nodes[b.from].shape
        let seed: Tensor<T>
        if let spec = b.grad {
            seed = Tensor(shape: fromShape, scalars: initializer.values(spec, shape: fromShape, fans: Initializer.fans(fromShape, iohw: false), as: T.self))
        } else {
            seed = Tensor(repeating: 1, shape: fromShape)
        }
        guard region[b.from] else { return }
        grads[b.from] = seed
        memory.allocate(seed)
        let start = monotonicMilliseconds()
        let steps = graph.order.reversed().filter { region[$0] && !graph.nodes[$0].isLeaf }
        for (step, i) in steps.enumerated() {
            let node = graph.nodes[i]
            guard let upstream = grads[i] else { continue }
            progress?(RunProgress(phase: .backward, step: step, steps: steps.count, node: node.name,
                                  elapsedMilliseconds: monotonicMilliseconds() - start))
            let op = node.op
            var context = BackwardContext(
                inputs: node.inputs.enumerated().map { k, p in op.backwardReadsInput(k) ? values[p] : nil },
                inputShapes: node.inputs.map { graph.nodes[$0].shape },
                output: op.backwardReadsOutput ? values[i] : nil,
                saved: savedState[i], upstream: upstream,
                wants: node.inputs.map { region[$0] })
            context.parallelism = parallelism
            let nodeStart = monotonicMilliseconds()
            let inputGrads = op.backward(context)
            nodeMs[i] = monotonicMilliseconds() - nodeStart
            precondition(inputGrads.count == node.inputs.count, "op '\(op.name)' returned \(inputGrads.count) gradients for \(node.inputs.count) inputs")
            for (k, p) in node.inputs.enumerated() where region[p] {
                guard let g = inputGrads[k] else { continue }
                if let existing = grads[p] {
                    memory.free(existing)
                    let sum = existing + g
                    memory.allocate(sum)
                    grads[p] = sum
                } else {
                    grads[p] = g
                    memory.allocate(g)
                }
            }
            if !keepGrad.contains(i) {
                if let g = grads[i] { memory.free(g) }
                grads[i] = nil
            }
        }
    }
}

/// Holds the kink fingerprint across the non-mutating `run`.
final class KinkBox: @unchecked Sendable {
    var value = 0
}

/// Counts live tensor bytes and their peak.
struct MemoryMeter {
    private(set) var live = 0
    private(set) var peak = 0

    mutating func allocate<T>(_ t: Tensor<T>) {
        live += t.count * MemoryLayout<T>.stride
        peak = max(peak, live)
    }

    mutating func free<T>(_ t: Tensor<T>) {
        live -= t.count * MemoryLayout<T>.stride
    }
}
