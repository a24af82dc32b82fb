import ConvGraph
#if canImport(Glibc)
import Glibc
#endif

/// A one-line progress display on stderr for long runs (node n of N, phase, elapsed).
/// It appears only when stderr is a terminal and the work has taken more than a second,
/// refreshes at most ten times a second, and is erased when the work ends.
final class ProgressLine: @unchecked Sendable {
    private let enabled = isatty(2) == 1
    private let start = ProgressLine.now()
    private var lastDraw = 0.0
    private var drawn = false

    /// Called by the executor on the thread that runs the graph.
    var callback: (@Sendable (RunProgress) -> Void)? {
        guard enabled else { return nil }
        return { [self] progress in draw(progress) }
    }

    private func draw(_ p: RunProgress) {
        let now = ProgressLine.now()
        guard now - start > 1, now - lastDraw >= 0.1 else { return }
        lastDraw = now
        drawn = true
        let seconds = Int((now - start) * 10)
        writeAll(2, "\r\u{1B}[K\(p.phase.rawValue) node \(p.step + 1) of \(p.steps) (\(p.node)), \(seconds / 10).\(seconds % 10) s")
    }

    /// Erases the line if one was drawn.
    func finish() {
        if drawn { writeAll(2, "\r\u{1B}[K") }
        drawn = false
    }

    private static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
