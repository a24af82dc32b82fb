import ArgumentParser
import ConvGraph
#if canImport(Glibc)
import Glibc
#endif

/// Writes a line to stderr.
func printError(_ text: String) {
    writeAll(2, text.hasSuffix("\n") ? text : text + "\n")
}

/// Runs library work, printing its diagnostics on stderr exactly once and mapping the
/// error kind to the exit code of SPEC §7 (64, 65, 66, 73).
func reportingErrors(_ body: () throws(ConvGraphError) -> Void) throws {
    do {
        try body()
    } catch {
        printError(error.description)
        throw ExitCode(error.exitCode)
    }
}

/// Writes to stdout without buffering surprises.
func printOutput(_ text: String) {
    writeAll(1, text)
}

/// Writes every byte to a file descriptor, retrying short writes and EINTR.
func writeAll(_ fd: Int32, _ text: String) {
    var bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
        let n = bytes.withUnsafeMutableBufferPointer { p in write(fd, p.baseAddress! + offset, p.count - offset) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { return }
        offset += n
    }
}
