import CKernels
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// How many threads the kernels of one run may use.
///
/// Kernels cut their work into tasks by shape alone; each task owns disjoint outputs and
/// computes them in a fixed order. Threads only pick which task runs where, so results are
/// bit-identical for every thread count (SPEC §6).
public struct Parallelism: Sendable, Hashable {
    /// Threads used, ≥ 1.
    public let threads: Int

    /// `threads` below 1 is taken as 1.
    public init(threads: Int) {
        self.threads = max(1, threads)
    }

    /// One thread: every task runs on the calling thread, in order.
    public static let serial = Parallelism(threads: 1)

    /// One thread per online CPU core.
    public static let allCores = Parallelism(threads: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

    /// Runs `body(task)` for every task in `0..<count`, on up to `threads` threads (the
    /// calling thread among them), and returns when all have finished. Tasks are handed
    /// out dynamically, so a slow core does not hold the others back.
    func forEach(_ count: Int, _ body: (Int) -> Void) {
        let workers = min(threads, count)
        if workers <= 1 {
            for task in 0..<count { body(task) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let counter = UnsafeMutablePointer<Int>.allocate(capacity: 1)
            counter.initialize(to: 0)
            defer { counter.deallocate() }
            let shared = SendableBox(body: body, counter: counter)
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                while true {
                    let task = cg_next_task(shared.counter)
                    if task >= count { break }
                    shared.body(task)
                }
            }
        }
    }
}

/// The task body and counter shared by the workers of one `forEach`; the body writes
/// disjoint outputs and the counter is only touched atomically.
private struct SendableBox: @unchecked Sendable {
    let body: (Int) -> Void
    let counter: UnsafeMutablePointer<Int>
}
