import CKernels
#if canImport(Glibc)
import Glibc
#endif

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
