#if canImport(Glibc)
import Glibc
#endif
@testable import ConvGraph

/// Runs the built `convgraph` binary as a child process, for the tests of the command line
/// (Hostile/, CLI/): in a chosen working directory, with default signal dispositions and an
/// empty signal mask (whatever the test runner inherited), an optional address-space limit,
/// stdout and stderr captured in files, a deadline, and the child's peak memory.
struct CLIProcess {
    /// The package root: this file lives in `Tests/ConvGraphTests/Support/`.
    static let root: String = {
        var parts = String(#filePath).split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(4)
        return parts.joined(separator: "/")
    }()

    /// The binary built with these tests: beside the test executable (`swift test
    /// --scratch-path X` builds both into `X/debug/`), else `.build/debug/convgraph`.
    static let binary: String? = {
        var candidates: [String] = []
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if n > 0 {
            let exe = String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if let slash = exe.lastIndex(of: "/") { candidates.append(exe[..<slash] + "/convgraph") }
        }
        candidates.append(root + "/.build/debug/convgraph")
        return candidates.first { access($0, X_OK) == 0 }
    }()

    /// The sanitizer runtime linked into this (test) process, if any; the binary beside it
    /// was built with the same one. A sanitized binary cannot start under an address-space
    /// limit (its shadow memory is terabytes of reservations) and is slower and larger.
    static let sanitizer: String? = {
        let all = dlopen(nil, RTLD_NOW)
        defer { if let all { dlclose(all) } }
        if dlsym(all, "__asan_init") != nil { return "AddressSanitizer" }
        if dlsym(all, "__tsan_init") != nil { return "ThreadSanitizer" }
        return nil
    }()

    /// How a child ended.
    struct Outcome {
        /// The exit status, or nil when a signal ended it.
        var status: Int32?
        /// The signal that ended it, if one did.
        var signal: Int32?
        var stdout: String
        var stderr: String
        /// Wall time from start to exit.
        var seconds: Double
        /// Peak resident memory (`ru_maxrss`).
        var peakBytes: Int
        /// Whether it outlived the deadline (it was then killed).
        var timedOut: Bool

        /// `exit 65`, `signal 9`, `killed after 20 s`, for messages.
        var summary: String {
            timedOut ? "still running after \(Int(seconds)) s (killed)" : signal.map { "killed by signal \($0)" } ?? "exit \(status ?? -1)"
        }
    }

    enum Failure: Error, CustomStringConvertible {
        case noBinary
        /// A system call failed: what was done, and `errno`.
        case system(String, Int32)
        var description: String {
            switch self {
            case .noBinary: "no convgraph binary beside the test executable or at \(CLIProcess.root)/.build/debug"
            case .system(let what, let code): "\(what) failed: \(String(cString: strerror(code)))"
            }
        }
    }

    let pid: pid_t
    /// Holds `stdout` and `stderr` (outside the working directory, which tests list).
    let captureDirectory: String
    let started: Double

    /// Starts `convgraph ARGUMENTS` in `directory`, under `/bin/sh` (which sets the limit,
    /// changes directory and `exec`s the binary, keeping the pid).
    static func start(_ arguments: [String], in directory: String, memoryLimitBytes: Int? = nil) throws -> CLIProcess {
        guard let binary else { throw Failure.noBinary }
        let capture = try makeTemporaryDirectory("convgraph-cli-capture")
        let script = (memoryLimitBytes.map { "ulimit -v \($0 / 1024) || exit 125; " } ?? "")
            + #"cd "$1" || exit 126; shift; exec "$@""#
        let argv = ["/bin/sh", "-c", script, "sh", directory, binary] + arguments

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, capture + "/stdout", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, capture + "/stderr", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var cArgs = argv.map { strdup($0) }
        cArgs.append(nil)
        defer { for p in cArgs { free(p) } }
        var pid = pid_t()
        let started = now()
        let code = posix_spawn(&pid, "/bin/sh", &actions, &attributes, cArgs, environ)
        guard code == 0 else { throw Failure.system("posix_spawn", code) }
        return CLIProcess(pid: pid, captureDirectory: capture, started: started)
    }

    /// Runs `convgraph ARGUMENTS` to the end (killed after `timeout` seconds).
    static func run(_ arguments: [String], in directory: String, memoryLimitBytes: Int? = nil, timeout: Double = 20) throws -> Outcome {
        try start(arguments, in: directory, memoryLimitBytes: memoryLimitBytes).wait(timeout: timeout)
    }

    /// The child's CPU time so far (user + system), from `/proc/PID/stat`; nil once it is gone.
    var cpuSeconds: Double? {
        guard let bytes = try? readRegularFile(atPath: "/proc/\(pid)/stat", maxBytes: 1 << 16) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        // Fields after the command name (which is in parentheses and may hold spaces).
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is the state (field 3); utime and stime are fields 14 and 15.
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Waits for the child, killing it with SIGKILL after `timeout` seconds, and reaps it.
    func wait(timeout: Double = 20) -> Outcome {
        var status: Int32 = 0
        var usage = rusage()
        var timedOut = false
        while true {
            let r = wait4(pid, &status, WNOHANG, &usage)
            if r == pid { break }
            if r < 0 && errno != EINTR { break }
            if !timedOut && CLIProcess.now() - started > timeout {
                kill(pid, SIGKILL)
                timedOut = true
            }
            usleep(2_000)
        }
        let seconds = CLIProcess.now() - started
        let exited = (status & 0x7f) == 0
        let out = Outcome(status: exited ? (status >> 8) & 0xff : nil, signal: exited ? nil : status & 0x7f,
                          stdout: Self.text(captureDirectory + "/stdout"), stderr: Self.text(captureDirectory + "/stderr"),
                          seconds: seconds, peakBytes: Int(usage.ru_maxrss) * 1024, timedOut: timedOut)
        RunDirectory.removeTree(captureDirectory)
        return out
    }

    private static func text(_ path: String) -> String {
        String(decoding: (try? readRegularFile(atPath: path, maxBytes: 64 << 20)) ?? [], as: UTF8.self)
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// A fresh empty directory under /tmp.
    static func makeTemporaryDirectory(_ prefix: String) throws -> String {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw Failure.system("mkdtemp", errno)
        }
        return String(cString: made)
    }
}

extension Array where Element == UInt8 {
    /// Writes the bytes to a new file (replacing one).
    func write(to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CLIProcess.Failure.system("open \(path)", errno) }
        defer { close(fd) }
        var offset = 0
        while offset < count {
            let n = withUnsafeBufferPointer { Glibc.write(fd, $0.baseAddress! + offset, count - offset) }
            guard n > 0 else { throw CLIProcess.Failure.system("write \(path)", errno) }
            offset += n
        }
    }
}
