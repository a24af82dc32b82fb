import CKernels
import Dispatch

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
