#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `--jobs J`: J threads that each run `body(worker)` to the end, the calling thread
/// among them. Threads of their own (not a dispatch pool, which may run fewer at once
/// than asked), started with the caller's signal mask (so `Interruption` still sees
/// SIGINT/SIGTERM) and a 64 MiB stack.
enum SweepWorkers {
    private final class Work: @unchecked Sendable {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    static func run(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        guard count > 1 else {
            body(0)
            return
        }
        var threads: [pthread_t] = []
        for worker in 1..<count {
            let work = Unmanaged.passRetained(Work { body(worker) }).toOpaque()
            var attributes = pthread_attr_t()
            pthread_attr_init(&attributes)
            pthread_attr_setstacksize(&attributes, 64 << 20)
            var thread = pthread_t()
            let started = pthread_create(&thread, &attributes, { raw in
                guard let raw else { return nil }
                Unmanaged<Work>.fromOpaque(raw).takeRetainedValue().body()
                return nil
            }, work)
            pthread_attr_destroy(&attributes)
            if started == 0 {
                threads.append(thread)
            } else {
                // No thread: do its share here.
                Unmanaged<Work>.fromOpaque(work).takeRetainedValue().body()
            }
        }
        body(0)
        for thread in threads { pthread_join(thread, nil) }
    }
}
