import CKernels
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// `convgraph bench` as a library call: runs a graph `repeat` times after one warm-up run
/// and reports medians per node and in total, with the measured peak memory.
public struct BenchmarkRequest: Sendable {
    public var graphPath: String
    public var overrides: [String] = []
    public var limits: Limits = .default
    /// `--input`, `--params` and `--eval` (SPEC §7).
    public var feeds = GraphFeeds()
    /// Timed runs (after one untimed warm-up), ≥ 1.
    public var repeatCount = 10
    public var parallelism: Parallelism = .allCores
    /// Told before each node of each run (see `Executor.progress`).
    public var progress: (@Sendable (RunProgress) -> Void)?

    public init(graphPath: String) { self.graphPath = graphPath }
}

/// Medians over the timed runs of a benchmark.
public struct BenchmarkReport: Sendable {
    public struct Node: Sendable, Hashable {
        public var name: String
        public var op: String
        public var forwardMilliseconds: Double
        public var backwardMilliseconds: Double
        public var flops: Int
        /// Forward FLOPs over the forward median time, in 10⁹ per second.
        public var gflops: Double { forwardMilliseconds > 0 ? Double(flops) / forwardMilliseconds / 1e6 : 0 }
        /// `gflops` over the report's `peakGFLOPS`; nil for nodes without FLOPs or without a peak.
        public var efficiency: Double?
    }

    public var graph: Graph
    public var threads: Int
    public var repeatCount: Int
    public var kernelPath: KernelPath
    /// Whole-graph medians, compute alone.
    public var forwardMilliseconds: Double
    public var backwardMilliseconds: Double
    public var nodes: [Node]
    /// Peak resident memory of the process (`VmHWM`) through the warm-up run, bytes.
    public var peakResidentBytes: Int
    /// The most tensor bytes alive at once in a run (the executor's own count).
    public var peakTensorBytes: Int
    /// The plan's peak (what `check` reports).
    public var plannedPeakBytes: Int
    /// Resident memory before the graph was loaded, bytes.
    public var baselineResidentBytes: Int
    /// The FMA peak of this machine for the graph's dtype on `threads` threads, GFLOP/s:
    /// the micro-kernel on L1-resident panels (`PeakProbe`), probed just before and just
    /// after the timed runs (the higher of the two: a probe the host descheduled reads low),
    /// never cached.
    public var peakGFLOPS: Double
    /// `train`, or `eval` for `--eval`.
    public var mode: Mode = .train

    /// Forward FLOPs of the whole graph over the forward median, in 10⁹ per second.
    public var gflops: Double {
        let flops = nodes.reduce(0) { $0 + $1.flops }
        return forwardMilliseconds > 0 ? Double(flops) / forwardMilliseconds / 1e6 : 0
    }
}

extension BenchmarkRequest {
    public func perform() throws(ConvGraphError) -> BenchmarkReport {
        let baseline = ResidentMemory.current
        let loaded = try feeds.load(graphPath: graphPath, overrides: overrides, limits: limits, checking: .full)
        let graph = loaded.graph
        // Compiled once and stepped, as a training loop would: the leaves are filled once
        // and every node keeps its buffers, so the timed steps allocate no tensor memory.
        let session = try Session(loaded, mode: feeds.mode, parallelism: parallelism, keepsBuffers: true)
        session.progress = progress
        let runs = max(1, repeatCount)
        // Step 0 warms caches, pages and threads; it alone sets the reported peak memory.
        // The timed steps then keep freed memory for reuse (no page faults).
        _ = try session.step()
        let peak = ResidentMemory.peak
        HeapPolicy.keepFreedMemory()
        // The peak is probed around the timed runs: these hosts change speed by the minute.
        let before = PeakProbe.measure(dtype: graph.dtype, threads: parallelism.threads)
        var results: [RunResult] = []
        for _ in 0..<runs { results.append(try session.step()) }
        let peakGFLOPS = max(before, PeakProbe.measure(dtype: graph.dtype, threads: parallelism.threads))
        let first = results[0].nodeTimings
        let nodes = first.indices.map { k in
            var node = BenchmarkReport.Node(name: first[k].name, op: first[k].op,
                                            forwardMilliseconds: median(results.map { $0.nodeTimings[k].forwardMilliseconds }),
                                            backwardMilliseconds: median(results.map { $0.nodeTimings[k].backwardMilliseconds }),
                                            flops: first[k].flops)
            if node.flops > 0 && peakGFLOPS > 0 { node.efficiency = node.gflops / peakGFLOPS }
            return node
        }
        return BenchmarkReport(
            graph: graph, threads: parallelism.threads, repeatCount: runs, kernelPath: .current,
            forwardMilliseconds: median(results.map(\.forwardMilliseconds)),
            backwardMilliseconds: median(results.map(\.backwardMilliseconds)),
            nodes: nodes, peakResidentBytes: peak,
            peakTensorBytes: results.map(\.peakTensorBytes).max() ?? 0,
            plannedPeakBytes: graph.plannedPeakBytes(), baselineResidentBytes: baseline, peakGFLOPS: peakGFLOPS, mode: feeds.mode)
    }
}
