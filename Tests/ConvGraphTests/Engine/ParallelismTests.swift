import Testing
@testable import ConvGraph

/// SPEC §6: the same graph gives the same bytes with any number of threads, and (our own
/// promise) on every kernel instruction-set path. Also: the planned peak memory that
/// `check` reports is what a run holds at most.
@Suite(.serialized) struct ParallelismTests {
    /// Big enough for the fast conv path (≥ 2¹⁶ multiply-adds) and several pool tasks,
    /// with odd sizes, padding, stride, groups and a residual fan-out.
    static let graph = """
        graph: parallel
        seed: 7
        dtype: DTYPE
        nodes:
          x:     {op: input, shape: [3, 6, 23, 19], init: randn}
          w1:    {op: param, shape: [12, 6, 3, 3], init: {he_normal: {}}}
          b1:    {op: param, shape: [12], init: randn}
          c1:    {op: conv, padding: 1}
          r1:    {op: relu}
          w2:    {op: param, shape: [12, 4, 3, 3], init: {he_normal: {}}}
          c2:    {op: conv, padding: [1, 2, 1, 1], groups: 3, stride: [1, 2]}
          w3:    {op: param, shape: [12, 12, 1, 1], init: randn}
          c3:    {op: conv, stride: [1, 2], padding: [1, 0, 0, 0]}
          sum:   {op: add}
          mp:    {op: pool, mode: max, window: 3, stride: 2, padding: 1}
          ap:    {op: pool, mode: average, window: 2, stride: 1, ceil_mode: true}
          loss:  {op: l2}
        edges:
          - x -> c1 -> r1 -> c2 -> sum
          - w1 -> c1.weight
          - b1 -> c1.bias
          - w2 -> c2.weight
          - r1 -> c3 -> sum
          - w3 -> c3.weight
          - sum -> mp -> ap -> loss
        backward: {from: loss}
        save: {values: [c1, sum, ap, loss], grads: [x, w1, b1, w2, w3]}
        """

    static func run(_ yaml: String, threads: Int) throws -> RunResult {
        let graph = try Graph.parse(yaml: yaml, path: "parallel.yaml")
        return try Executor(graph: graph, parallelism: Parallelism(threads: threads)).run()
    }

    static func bits(_ r: RunResult) -> [[UInt64]] {
        (r.values + r.grads).map { $0.tensor.doubles.scalars.map(\.bitPattern) }
    }

    @Test(arguments: ["float32", "float64"])
    func sameBytesForAnyThreadCountAndKernelPath(_ dtype: String) throws {
        let yaml = Self.graph.replacingOccurrences(of: "DTYPE", with: dtype)
        let graph = try Graph.parse(yaml: yaml, path: "parallel.yaml")
        #expect(graph.nodes.contains { $0.op is Conv && $0.flops >= 2 * Conv.fastPathMinimumMACs }, "the graph must take the fast conv path")
        let reference = Self.bits(try Self.run(yaml, threads: 1))
        for path in KernelPath.available {
            KernelPath.current = path
            defer { KernelPath.current = .best }
            for threads in [1, 2, 3, 8] {
                #expect(Self.bits(try Self.run(yaml, threads: threads)) == reference, "\(dtype): \(threads) threads, \(path)")
            }
        }
    }

    @Test(arguments: ET.graphFiles)
    func graphsFolderSameBytesOnOneAndEightThreads(_ file: String) throws {
        let graph = try ET.load(file)
        let one = try Executor(graph: graph, parallelism: .serial).run()
        let eight = try Executor(graph: graph, parallelism: Parallelism(threads: 8)).run()
        #expect(Self.bits(one) == Self.bits(eight), "\(file)")
    }

    @Test(arguments: ET.graphFiles)
    func plannedPeakIsTheMeasuredPeak(_ file: String) throws {
        let graph = try ET.load(file)
        let result = try ET.run(graph)
        #expect(graph.plannedPeakBytes() == result.peakTensorBytes, "\(file)")
        let forward = try ET.run(graph, forwardOnly: true)
        #expect(graph.plannedPeakBytes(forwardOnly: true) == forward.peakTensorBytes, "\(file) forward only")
    }

    @Test func threadsBelowOneMeanOne() {
        #expect(Parallelism(threads: 0).threads == 1)
        #expect(Parallelism(threads: -3).threads == 1)
        #expect(Parallelism.allCores.threads >= 1)
    }

    /// Tasks hand out every index exactly once, whatever the thread count.
    @Test func forEachVisitsEveryTaskOnce() {
        for threads in [1, 2, 7] {
            let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: 1000)
            counts.initialize(repeating: 0)
            defer { counts.deallocate() }
            let box = CountsBox(counts: counts)
            Parallelism(threads: threads).forEach(1000) { box.counts[$0] += 1 }
            #expect(counts.allSatisfy { $0 == 1 }, "\(threads) threads")
        }
    }
}

private struct CountsBox: @unchecked Sendable {
    let counts: UnsafeMutableBufferPointer<Int>
}
