import Testing
@testable import ConvGraph
#if canImport(Glibc)
import Glibc
#endif

/// Hostile input for the command line (issue 6, SPEC §7–8): each case runs the built
/// binary in a fresh working directory and checks
/// - the exit status (64 usage, 65 invalid graph or tensor, 66 missing file, 73 cannot write),
///   and that no signal ended it (a crash, or an allocation refused by the memory limit);
/// - the `FILE:LINE:COL: error:` position where one applies, and a fragment of the message;
/// - that it is fast (under 5 s of wall time) and small (under a 1 GiB address-space limit,
///   peak resident memory under 256 MiB);
/// - that nothing was written: the working directory holds exactly the case's files
///   (no run directory, no `runs/`, no temporary file), byte for byte.
@Suite(.serialized) struct HostileInputTests {
    static let memoryLimit = 1 << 30
    static let peakLimit = 256 << 20
    static let secondsLimit = 5.0

    @Test func atLeastFortyCases() {
        #expect(HostileCases.all.count >= 40)
        #expect(Set(HostileCases.all.map(\.name)).count == HostileCases.all.count, "case names repeat")
    }

    @Test(arguments: HostileCases.all)
    func hostile(_ c: HostileCase) throws {
        let directory = try CLIProcess.makeTemporaryDirectory("convgraph-hostile")
        defer { RunDirectory.removeTree(directory) }
        for (path, file) in c.files { try Self.create(directory + "/" + path, file) }
        let before = try Self.listing(directory)

        // Under a sanitizer: no address-space limit, no memory bound, ten times the time.
        let sanitized = CLIProcess.sanitizer != nil
        let r = try CLIProcess.run(c.arguments, in: directory, memoryLimitBytes: sanitized ? nil : Self.memoryLimit)

        #expect(r.signal == nil && !r.timedOut, "\(r.summary); stderr: \(r.stderr.prefix(2000))")
        #expect(r.status == c.status, "expected exit \(c.status), got \(r.summary); stderr: \(r.stderr.prefix(2000))")
        if let position = c.position {
            #expect(r.stderr.hasPrefix("\(position): error: ") || r.stderr.contains("\n\(position): error: "),
                    "expected an error at \(position); stderr: \(r.stderr.prefix(2000))")
        }
        for message in c.messages {
            #expect(r.stderr.contains(message), "expected '\(message)' in stderr: \(r.stderr.prefix(2000))")
        }
        #expect(r.stdout.isEmpty || c.status == 64, "stdout: \(r.stdout.prefix(500))")
        #expect(r.stderr.utf8.count < 16 << 10, "stderr is \(r.stderr.utf8.count) bytes")
        #expect(r.seconds < Self.secondsLimit * (sanitized ? 10 : 1), "took \(r.seconds) s")
        #expect(sanitized || r.peakBytes < Self.peakLimit, "peak resident memory \(r.peakBytes) bytes")
        #expect(try Self.listing(directory) == before, "the working directory changed")
    }

    /// Creates one of a case's files (parents first).
    static func create(_ path: String, _ file: HostileCase.File) throws {
        if let slash = path.lastIndex(of: "/") { mkdir(String(path[..<slash]), 0o755) }
        switch file {
        case .text(let text): try Array(text.utf8).write(to: path)
        case .bytes(let bytes): try bytes.write(to: path)
        case .large(let prefix, let fill, let count):
            // In 64 KiB chunks: this process's memory stays small (other suites measure it).
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw CLIProcess.Failure.system("open \(path)", errno) }
            defer { close(fd) }
            let head = Array(prefix.utf8), chunk = [UInt8](repeating: fill, count: 1 << 16)
            var written = 0
            while written < count {
                let part = written == 0 ? head + chunk.prefix(min(chunk.count, count) - head.count) : Array(chunk.prefix(count - written))
                guard part.withUnsafeBufferPointer({ Glibc.write(fd, $0.baseAddress, $0.count) }) == part.count else {
                    throw CLIProcess.Failure.system("write \(path)", errno)
                }
                written += part.count
            }
        case .fifo:
            guard mkfifo(path, 0o644) == 0 else { throw CLIProcess.Failure.system("mkfifo \(path)", errno) }
        case .directory:
            guard mkdir(path, 0o755) == 0 else { throw CLIProcess.Failure.system("mkdir \(path)", errno) }
        case .symlink(let destination):
            guard symlink(destination, path) == 0 else { throw CLIProcess.Failure.system("symlink \(path)", errno) }
        }
    }

    /// Every entry under `directory` with its type and, for regular files, a digest of its
    /// bytes (size and modification time beyond 1 MiB; special files are never opened).
    static func listing(_ directory: String) throws -> [String: String] {
        var entries: [String: String] = [:]
        var stack = [""]
        while let relative = stack.popLast() {
            let path = relative.isEmpty ? directory : directory + "/" + relative
            var st = stat()
            guard lstat(path, &st) == 0 else { continue }
            switch st.st_mode & S_IFMT {
            case S_IFDIR:
                entries[relative + "/"] = "directory"
                for name in RunDirectory.listDirectory(path) ?? [] { stack.append(relative.isEmpty ? name : relative + "/" + name) }
            case S_IFREG where st.st_size > 1 << 20:
                entries[relative] = "\(st.st_size) bytes, modified \(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)"
            case S_IFREG:
                entries[relative] = SHA256.hex(try readRegularFile(atPath: path, maxBytes: 1 << 20))
            default:
                entries[relative] = "special \(st.st_mode & S_IFMT)"
            }
        }
        return entries
    }
}
