#if canImport(Glibc)
import Glibc
#endif

/// The live line of `convgraph train` on stderr: drawn only on a terminal, at most ten
/// times a second, erased before other output and at the end.
final class TrainingProgressLine {
    private let enabled = isatty(2) == 1
    private var lastDraw = 0.0
    private var drawn = false

    func draw(_ text: @autoclosure () -> String) {
        guard enabled else { return }
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        let now = Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
        guard now - lastDraw >= 0.1 else { return }
        lastDraw = now
        drawn = true
        writeAll(2, "\r\u{1B}[K" + text())
    }

    func finish() {
        if drawn { writeAll(2, "\r\u{1B}[K") }
        drawn = false
    }
}
