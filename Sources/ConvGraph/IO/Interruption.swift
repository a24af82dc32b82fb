#if canImport(Glibc)
import Glibc
#endif

/// A clean stop on SIGINT or SIGTERM (issue 6): whatever the moment, the unfinished run's
/// temporary files are removed, an earlier run is left intact (or the new one is complete),
/// and the process exits with 128 + the signal (130 for SIGINT, 143 for SIGTERM).
///
/// - `install()` blocks both signals in the calling thread, and so in every thread it
///   starts later (threads inherit the mask), and starts one watcher thread that takes
///   them with `sigwait`. A thread that was started before and does not block them hands
///   the signal to the watcher (its handler only calls `pthread_kill`, which is
///   async-signal-safe). No other code runs in a signal handler.
/// - Writers (`RunDirectory`) register what they would leave behind in a `PendingWrite`,
///   and make every change to the file system inside one of its `step`s. Steps and the
///   watcher take the same lock, so the watcher sees the state before or after a step,
///   never half of one. It removes what is registered and calls `_exit` while it still
///   holds the lock, so no further step starts.
/// - A signal that the parent process set to be ignored (`nohup`, a background job of a
///   shell without job control) stays ignored.
///
/// Without `install()` (the library embedded in another program) nothing changes: the
/// registration costs one uncontended lock per file.
public enum Interruption {
    /// Starts watching SIGINT and SIGTERM. Call it once, early, before starting threads
    /// (the command line calls it before `convgraph run` loads anything). Later calls do
    /// nothing.
    public static func install() {
        let first = installed.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        var set = sigset_t()
        sigemptyset(&set)
        for signal in [SIGINT, SIGTERM] where !isIgnored(signal) { sigaddset(&set, signal) }
        watchedSignals = set
        pthread_sigmask(SIG_BLOCK, &set, nil)
        var thread = pthread_t()
        guard pthread_create(&thread, nil, { _ in Interruption.watch() }, nil) == 0 else {
            // No watcher: let the signals act as before rather than leave them blocked.
            pthread_sigmask(SIG_UNBLOCK, &set, nil)
            return
        }
        pthread_detach(thread)
        watcher = thread
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { signal in _ = pthread_kill(Interruption.watcher, signal) }
        action.sa_flags = SA_RESTART
        sigfillset(&action.sa_mask)
        for signal in [SIGINT, SIGTERM] where sigismember(&set, signal) == 1 { sigaction(signal, &action, nil) }
    }

    /// What one writer would leave behind if the process stopped now.
    struct Leftovers: Sendable {
        /// Directory trees to remove whole (a temporary run directory).
        var trees: [String] = []
        /// Folders the writer created, removed (last first) only if empty.
        var folders: [String] = []

        var isEmpty: Bool { trees.isEmpty && folders.isEmpty }

        /// Removes everything listed.
        func remove() {
            for tree in trees { RunDirectory.removeTree(tree) }
            for folder in folders.reversed() { rmdir(folder) }
        }
    }

    /// One writer's registration. Make every file-system change in a `step`; call `end()`
    /// when done (after a failure, `discard()` first).
    struct PendingWrite: Sendable {
        let id: Int

        init() {
            id = Interruption.state.withLock { s in
                s.next += 1
                return s.next
            }
        }

        /// Runs `body` as one step that the watcher never cuts in half; `body` updates what
        /// this writer would leave behind.
        func step(_ body: (inout Leftovers) throws(ConvGraphError) -> Void) throws(ConvGraphError) {
            let id = self.id
            try Interruption.state.withLock { (s: inout State) throws(ConvGraphError) -> Void in
                var leftovers = s.pending[id] ?? Leftovers()
                defer { s.pending[id] = leftovers.isEmpty ? nil : leftovers }
                try body(&leftovers)
            }
        }

        /// Removes what this writer would leave behind (after a failure).
        func discard() {
            let id = self.id
            Interruption.state.withLock { s in
                s.pending[id]?.remove()
                s.pending[id] = nil
            }
        }

        /// Forgets the registration; what is registered stays on disk.
        func end() {
            let id = self.id
            Interruption.state.withLock { s in s.pending[id] = nil }
        }
    }

    struct State: Sendable {
        var next = 0
        var pending: [Int: Leftovers] = [:]
    }

    static let state = Lock(State())
    private static let installed = Lock(false)
    /// Written once by `install()` before the watcher and the handlers exist.
    nonisolated(unsafe) private static var watcher = pthread_t()
    nonisolated(unsafe) private static var watchedSignals = sigset_t()

    /// The watcher thread: waits for a signal, cleans up under the lock, exits.
    private static func watch() -> Never {
        var set = watchedSignals
        var signal: Int32 = 0
        while sigwait(&set, &signal) != 0 {}
        state.withLock { s -> Never in
            let removed = !s.pending.isEmpty
            for leftovers in s.pending.values { leftovers.remove() }
            let name = signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "signal \(signal)"
            let error = ConvGraphError(.interrupted(signal: signal), Diagnostic(
                "interrupted by \(name)" + (removed ? "; the unfinished run was removed" : ""), file: nil))
            var text = (isatty(2) == 1 ? "\r\u{1B}[K" : "") + error.description + "\n"
            text.withUTF8 { bytes in _ = Glibc.write(2, bytes.baseAddress, bytes.count) }
            _exit(error.exitCode)
        }
    }

    /// Whether `signal` is set to be ignored (inherited from the parent process).
    private static func isIgnored(_ signal: Int32) -> Bool {
        var current = sigaction()
        guard sigaction(signal, nil, &current) == 0 else { return false }
        return unsafeBitCast(current.__sigaction_handler.sa_handler, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self)
    }
}
