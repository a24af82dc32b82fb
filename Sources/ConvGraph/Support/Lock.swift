#if canImport(Glibc)
import Glibc
#endif

/// A value guarded by a pthread mutex: `withLock` gives one thread at a time `inout` access.
///
/// `Synchronization.Mutex` would do the same, but on Linux it waits with raw futex calls
/// that ThreadSanitizer cannot see, so it reports every guarded access from two threads as
/// a race (a sweep's `--jobs 2` did). The sanitizers intercept pthread mutexes.
final class Lock<Value>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with the value while holding the lock. O(1) besides `body`.
    func withLock<Result, E: Error>(_ body: (inout Value) throws(E) -> Result) throws(E) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
