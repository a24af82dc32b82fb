/// The dtype-erased face of a session's compiled core.
protocol SessionCore: AnyObject {
    var lastStepAllocatedBytes: Int { get }
    /// Bytes of the buffers kept for the next step.
    var keptBytes: Int { get }
    /// dL/d(from) as drawn at compile time (`nil` without a `backward` section).
    var backwardSeed: AnyTensor? { get }
    func step(store: ParameterStore, overrides: [Int: AnyTensor], parallelism: Parallelism,
              progress: (@Sendable (RunProgress) -> Void)?, hashKinks: Bool) throws(ConvGraphError) -> (result: RunResult, kinks: Int)
}

/// A session's compiled core in scalar type `T`: the plan, the node order of each phase,
/// the backward seed, and the buffers kept from the last step (in pools shared by the nodes).
///
/// A step follows the plan exactly: forward computes only what is needed and frees each
/// intermediate after its last reader unless backward or the caller needs it; backward
/// frees each gradient once propagated. The meter counts live tensor bytes as the plan
/// does (`Graph.plannedPeakBytes`), whatever buffers are kept for reuse.
final class SessionCoreOf<T: TensorScalar>: SessionCore {
    let graph: Graph
    let plan: RunPlan
    let mode: Mode
    let forwardNodes: [Int]
    let backwardNodes: [Int]
    /// dL/d(from): ones for a scalar, else the `backward.grad` init drawn at compile time.
    let seed: Tensor<T>?
    /// Each node's buffers, drawn from the shared pools and kept there from one step to
    /// the next.
    private let workspaces: [Workspace<T>]
    private let pool: BufferPool<T>
    private let indexPool: BufferPool<Int32>
    private(set) var lastStepAllocatedBytes = 0
    var backwardSeed: AnyTensor? { seed.map { AnyTensor($0) } }

    /// - Parameter sharing: a core of the same scalar type whose pools this one draws from
    ///   too (its `keepsBuffers` then applies); `nil` for pools of its own.
    init(graph: Graph, plan: RunPlan, mode: Mode, keepsBuffers: Bool, sharing: SessionCoreOf<T>? = nil, initializer: inout Initializer) {
        self.graph = graph
        self.plan = plan
        self.mode = mode
        let n = graph.nodes.count
        forwardNodes = graph.order.filter { plan.computed[$0] && !graph.nodes[$0].isLeaf }
        backwardNodes = graph.order.reversed().filter { plan.region[$0] && !graph.nodes[$0].isLeaf }
        if let b = graph.backward {
            let shape = graph.nodes[b.from].shape
            if let spec = b.grad {
                seed = Tensor(shape: shape, scalars: initializer.values(spec, shape: shape, fans: Initializer.fans(shape, iohw: false), as: T.self))
            } else {
                seed = Tensor(repeating: 1, shape: shape)
            }
        } else {
            seed = nil
        }
        let pool = sharing?.pool ?? BufferPool<T>(keepsBuffers: keepsBuffers)
        let indexPool = sharing?.indexPool ?? BufferPool<Int32>(keepsBuffers: keepsBuffers)
        self.pool = pool
        self.indexPool = indexPool
        workspaces = (0..<n).map { _ in Workspace<T>(pool: pool, indexPool: indexPool) }
    }

    func step(store: ParameterStore, overrides: [Int: AnyTensor], parallelism: Parallelism,
              progress: (@Sendable (RunProgress) -> Void)?, hashKinks: Bool) throws(ConvGraphError) -> (result: RunResult, kinks: Int) {
        let n = graph.nodes.count
        var readers = plan.readers
        var memory = MemoryMeter()
        var values: [Tensor<T>?] = Array(repeating: nil, count: n)
        for i in 0..<n where graph.nodes[i].isLeaf {
            guard let value = overrides[i] ?? store.values[i] else {
                let node = graph.nodes[i]
                throw ConvGraphError(.usage, Diagnostic("input '\(node.name)' has no init and was not fed", at: node.location,
                                                        notes: [.init("feed it with --input \(node.name)=FILE.npy, or give it an init")]))
            }
            guard plan.computed[i] else { continue }
            let tensor = value.as(T.self)
            memory.allocate(tensor)
            values[i] = tensor
        }

        var savedIndices: [[Int32]?] = Array(repeating: nil, count: n)
        var savedTensors: [[Tensor<T>]] = Array(repeating: [], count: n)
        var kept: [Tensor<T>?] = Array(repeating: nil, count: n)
        var forwardNodeMs = Array(repeating: 0.0, count: n)
        var stateUpdates: [(name: String, tensor: AnyTensor)] = []
        var kinks = Hasher()
        let forwardStart = monotonicMilliseconds()
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
            var context = ForwardContext<T>(mode: mode, parallelism: parallelism, node: node.name, workspace: workspaces[i])
            let nodeStart = monotonicMilliseconds()
            let result: ForwardResult<T>
            do {
                result = try node.op.forward(inputs, context: &context)
            } catch {
                throw ConvGraphError(.invalidInput, Diagnostic("node '\(node.name)': \(error.message)", at: node.location,
                                                               notes: error.notes.map { .init($0) }))
            }
            forwardNodeMs[i] = monotonicMilliseconds() - nodeStart
            if mode == .train {
                for (k, tensor) in node.op.stateUpdates(inputs: inputs, result: result).sorted(by: { $0.key < $1.key }) {
                    stateUpdates.append((graph.nodes[node.inputs[k]].name, AnyTensor(tensor)))
                }
            }
            inputs.removeAll()
            if hashKinks { node.op.hashKinks(result, into: &kinks) }
            memory.allocate(result.output)
            values[i] = result.output
            if plan.region[i] {
                savedIndices[i] = result.saved
                savedTensors[i] = result.savedTensors
            } else if let indices = result.saved {
                workspaces[i].giveIndices(.output, indices)
            }
            for p in node.inputs {
                readers[p] -= 1
                if readers[p] == 0 { release(p, &values, &kept, &memory) }
            }
            if readers[i] == 0 { release(i, &values, &kept, &memory) }
        }
        // Leaves no computed node read (saved leaves, or leaves feeding nothing computed).
        for i in 0..<n where values[i] != nil { kept[i] = values[i].take() }
        let forwardMs = monotonicMilliseconds() - forwardStart

        var grads: [Tensor<T>?] = Array(repeating: nil, count: n)
        // Which node made each gradient buffer, and for which of its inputs: the buffer
        // goes back through that node's workspace once freed.
        var gradOwner: [(node: Int, input: Int)?] = Array(repeating: nil, count: n)
        var backwardNodeMs = Array(repeating: 0.0, count: n)
        var backwardMs = 0.0
        if plan.doBackward, let b = graph.backward, let seed, plan.region[b.from] {
            let backwardStart = monotonicMilliseconds()
            grads[b.from] = seed
            memory.allocate(seed)
            for (step, i) in backwardNodes.enumerated() {
                let node = graph.nodes[i]
                guard let upstream = grads[i] else { continue }
                progress?(RunProgress(phase: .backward, step: step, steps: backwardNodes.count, node: node.name,
                                      elapsedMilliseconds: monotonicMilliseconds() - backwardStart))
                let op = node.op
                var context = BackwardContext(
                    inputs: node.inputs.enumerated().map { k, p in op.backwardReadsInput(k) ? kept[p] : nil },
                    inputShapes: node.inputs.map { graph.nodes[$0].shape },
                    output: op.backwardReadsOutput ? kept[i] : nil,
                    saved: savedIndices[i], upstream: upstream,
                    wants: node.inputs.map { plan.region[$0] })
                context.savedTensors = savedTensors[i]
                context.mode = mode
                context.parallelism = parallelism
                context.workspace = workspaces[i]
                let nodeStart = monotonicMilliseconds()
                let inputGrads = op.backward(context)
                backwardNodeMs[i] = monotonicMilliseconds() - nodeStart
                precondition(inputGrads.count == node.inputs.count, "op '\(op.name)' returned \(inputGrads.count) gradients for \(node.inputs.count) inputs")
                for (k, p) in node.inputs.enumerated() where plan.region[p] {
                    guard let g = inputGrads[k] else { continue }
                    if var sum = grads[p].take() {
                        // Fan-out: summed in place, in the fixed reverse topological order.
                        sum.add(g)
                        grads[p] = sum
                        workspaces[i].give(.gradient(k), g.scalars)
                    } else {
                        grads[p] = g
                        gradOwner[p] = (i, k)
                        memory.allocate(g)
                    }
                }
                if !plan.keptGrads.contains(i), let g = grads[i].take() {
                    memory.free(g)
                    if let owner = gradOwner[i] { workspaces[owner.node].give(.gradient(owner.input), g.scalars) }
                }
            }
            backwardMs = monotonicMilliseconds() - backwardStart
        }

        let valueList = (0..<n).filter { plan.saved[$0] }.compactMap { i in kept[i].map { (graph.nodes[i].name, AnyTensor($0)) } }
        var gradList: [(name: String, tensor: AnyTensor)] = []
        if plan.doBackward {
            let names = keepAll ? Array(0..<n).filter { plan.region[$0] || plan.selection.grads.contains($0) } : plan.selection.grads.sorted()
            for i in names {
                gradList.append((graph.nodes[i].name, AnyTensor(grads[i] ?? Tensor(zeros: graph.nodes[i].shape))))
            }
        }
        // Keep this step's outputs for the next one (a caller still holding one makes the
        // next write copy it, so results handed out are never changed afterwards).
        for i in forwardNodes {
            if let v = kept[i].take() { workspaces[i].give(.output, v.scalars) }
            if let indices = savedIndices[i].take() { workspaces[i].giveIndices(.output, indices) }
        }
        for i in 0..<n {
            if let g = grads[i].take(), let owner = gradOwner[i] { workspaces[owner.node].give(.gradient(owner.input), g.scalars) }
        }
        lastStepAllocatedBytes = pool.allocatedBytes + indexPool.allocatedBytes
        pool.resetCounter()
        indexPool.resetCounter()
        let timings = forwardNodes.map { i in
            NodeTiming(name: graph.nodes[i].name, op: graph.nodes[i].op.name, forwardMilliseconds: forwardNodeMs[i],
                       backwardMilliseconds: backwardNodeMs[i], flops: graph.nodes[i].flops)
        }
        let result = RunResult(values: valueList, grads: gradList, forwardMilliseconds: forwardMs, backwardMilliseconds: backwardMs,
                               peakTensorBytes: memory.peak, ranBackward: plan.doBackward, nodeTimings: timings,
                               stateUpdates: stateUpdates)
        return (result, kinks.finalize())
    }

    private var keepAll: Bool { plan.keepAll }

    var keptBytes: Int { pool.freeBytes + indexPool.freeBytes }

    /// Drops a value from the live set, keeping it aside when backward or the caller needs
    /// it, else giving its buffer back to the pool for any later request.
    private func release(_ i: Int, _ values: inout [Tensor<T>?], _ kept: inout [Tensor<T>?], _ memory: inout MemoryMeter) {
        guard let v = values[i].take() else { return }
        if plan.keepForBackward[i] || plan.saved[i] {
            kept[i] = v
        } else {
            memory.free(v)
            if !graph.nodes[i].isLeaf { workspaces[i].give(.output, v.scalars) }
        }
    }
}

extension Tensor {
    /// Adds `other` element-wise in place (no copy when the storage is uniquely held).
    /// - Precondition: the shapes match.
    @_specialize(where Scalar == Float) @_specialize(where Scalar == Double)
    mutating func add(_ other: Tensor) {
        precondition(shape == other.shape, "adding tensors of different shapes")
        scalars.withUnsafeMutableBufferPointer { o in
            other.scalars.withUnsafeBufferPointer { r in
                for i in o.indices { o[i] += r[i] }
            }
        }
    }
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
