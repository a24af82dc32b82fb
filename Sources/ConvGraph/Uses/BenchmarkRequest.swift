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

/// This machine's FMA peak at this moment: the GEMM micro-kernel of the current kernel path
/// (`KernelPath.current`) on L1-resident panels, its accumulators in registers, run on
/// `threads` threads at once for a short while.
public enum PeakProbe {
    /// GFLOP/s of `threads` concurrent probes of `seconds` each: all their FLOPs over the
    /// wall time of the whole (so threads that had to wait for a core do not count twice).
    public static func measure(dtype: DType, threads: Int, seconds: Double = 0.02) -> Double {
        let workers = max(1, threads)
        let f64: Int32 = dtype == .float64 ? 1 : 0
        let flops = UnsafeMutableBufferPointer<Double>.allocate(capacity: workers)
        defer { flops.deallocate() }
        flops.initialize(repeating: 0)
        let out = KernelPointer(flops.baseAddress)
        let start = DispatchTime.now().uptimeNanoseconds
        DispatchQueue.concurrentPerform(iterations: workers) { i in
            out.f64(i)!.pointee = cg_fma_probe(f64, seconds, nil)
        }
        let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return wall > 0 ? flops.reduce(0, +) / wall / 1e9 : 0
    }
}

/// The median (mean of the middle two for an even count); 0 for none.
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return 0 }
    let mid = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/// The process's resident memory, from the kernel.
public enum ResidentMemory {
    /// Peak resident set size of this process image (`VmHWM` in `/proc/self/status`), bytes;
    /// 0 if unreadable. Unlike getrusage's `ru_maxrss`, it does not inherit a parent's peak
    /// across fork and exec.
    public static var peak: Int {
        guard let bytes = try? readRegularFile(atPath: "/proc/self/status", maxBytes: 1 << 16),
              let text = String(validating: bytes, as: UTF8.self),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kib = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return 0 }
        return kib * 1024
    }

    /// Current resident set size (`/proc/self/statm`), bytes; 0 if unreadable.
    public static var current: Int {
        guard let bytes = try? readRegularFile(atPath: "/proc/self/statm", maxBytes: 4096),
              let text = String(validating: bytes, as: UTF8.self) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}

/// How the process heap treats freed tensors.
public enum HeapPolicy {
    /// Keep freed memory (tensors up to 32 MiB) for reuse instead of returning it to the
    /// system, so a later run does not page-fault its tensors in again (15 % of a resnet
    /// conv's time here). The cost is resident memory: what a run frees stays with the
    /// process, and fragmentation can raise the peak (up to 1.3× on max pooling here).
    /// `bench` sets it after its warm-up; embedders that run a graph repeatedly may choose
    /// it (glibc only, a no-op elsewhere).
    public static func keepFreedMemory() { cg_keep_heap() }
}
