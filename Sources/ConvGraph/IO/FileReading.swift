#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a file could not be read (SPEC §8: a missing or unreadable file is exit 66, a path
/// that is not a regular file or is over a limit is 65).
public enum FileReadError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Nothing exists at the path (or a path component is not a directory).
    case notFound(path: String)
    /// The path names a directory, FIFO, device or socket.
    case notRegularFile(path: String)
    /// The file exists but could not be opened or read; `reason` is the system's message.
    case unreadable(path: String, reason: String)
    /// The file holds `size` bytes (at least), over the limit of `limit`.
    case tooLarge(path: String, size: Int, limit: Int)

    public var description: String {
        switch self {
        case .notFound(let path): "\(path): no such file"
        case .notRegularFile(let path): "\(path): not a regular file"
        case .unreadable(let path, let reason): "\(path): cannot be read (\(reason))"
        case .tooLarge(let path, let size, let limit):
            "\(path): the file is \(size) bytes, over the limit of \(limit) bytes"
        }
    }
}

/// Why a file could not be written.
public enum FileWriteError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The temporary file next to `path` could not be created.
    case cannotCreate(path: String, reason: String)
    /// Writing or syncing the temporary file failed.
    case writeFailed(path: String, reason: String)
    /// The temporary file could not be renamed to `path`.
    case cannotRename(path: String, reason: String)

    public var description: String {
        switch self {
        case .cannotCreate(let path, let reason): "\(path): cannot be created (\(reason))"
        case .writeFailed(let path, let reason): "\(path): cannot be written (\(reason))"
        case .cannotRename(let path, let reason): "\(path): cannot be put in place (\(reason))"
        }
    }
}

private func systemMessage(_ code: Int32) -> String {
    guard let message = strerror(code) else { return "error \(code)" }
    return String(cString: message).lowercased()
}

private func isRegular(_ mode: mode_t) -> Bool {
    (mode & S_IFMT) == S_IFREG
}

/// Reads a whole regular file, refusing anything else without blocking on it.
///
/// The path is checked with `stat` before it is opened (so a FIFO or device is never
/// opened), then opened with `O_NONBLOCK` and checked again with `fstat` on the descriptor.
/// A file over `maxBytes` is refused before reading, and again if it grows while read.
public func readRegularFile(atPath path: String, maxBytes: Int) throws(FileReadError) -> [UInt8] {
    var info = stat()
    if stat(path, &info) != 0 {
        let code = errno
        if code == ENOENT || code == ENOTDIR { throw .notFound(path: path) }
        throw .unreadable(path: path, reason: systemMessage(code))
    }
    guard isRegular(info.st_mode) else { throw .notRegularFile(path: path) }
    guard Int(info.st_size) <= maxBytes else {
        throw .tooLarge(path: path, size: Int(info.st_size), limit: maxBytes)
    }

    var fd: Int32
    repeat {
        fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
    } while fd < 0 && errno == EINTR
    guard fd >= 0 else {
        let code = errno
        if code == ENOENT || code == ENOTDIR { throw .notFound(path: path) }
        if code == ENXIO || code == EISDIR { throw .notRegularFile(path: path) }
        throw .unreadable(path: path, reason: systemMessage(code))
    }
    defer { _ = close(fd) }

    guard fstat(fd, &info) == 0 else { throw .unreadable(path: path, reason: systemMessage(errno)) }
    guard isRegular(info.st_mode) else { throw .notRegularFile(path: path) }
    let size = Int(info.st_size)
    guard size <= maxBytes else { throw .tooLarge(path: path, size: size, limit: maxBytes) }

    // Read until end of file, at most maxBytes + 1 bytes (to notice growth past the limit).
    let cap = maxBytes < Int.max ? maxBytes + 1 : maxBytes
    var bytes = [UInt8]()
    bytes.reserveCapacity(size)
    let chunkSize = 1 << 16
    var chunk = [UInt8](repeating: 0, count: min(chunkSize, max(cap, 1)))
    while bytes.count < cap {
        let want = min(chunk.count, cap - bytes.count)
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, want) }
        if n < 0 {
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { throw .notRegularFile(path: path) }
            throw .unreadable(path: path, reason: systemMessage(code))
        }
        if n == 0 { break }
        bytes.append(contentsOf: chunk[0..<n])
    }
    guard bytes.count <= maxBytes else {
        throw .tooLarge(path: path, size: bytes.count, limit: maxBytes)
    }
    return bytes
}

/// Writes `bytes` to `path` so that readers see either the old file or the whole new one:
/// the data goes to `.<name>.tmp-<pid>-<random>` in the same directory, is synced, and is
/// renamed over `path`. The temporary file is removed on any failure.
public func writeFileAtomically(_ bytes: [UInt8], toPath path: String) throws(FileWriteError) {
    let directory: String
    let name: String
    if let slash = path.lastIndex(of: "/") {
        let dir = String(path[..<slash])
        directory = dir.isEmpty ? "/" : dir
        name = String(path[path.index(after: slash)...])
    } else {
        directory = "."
        name = path
    }
    guard !name.isEmpty else {
        throw .cannotCreate(path: path, reason: "the path names a directory")
    }
    let random = String(UInt64.random(in: 0...UInt64.max), radix: 36)
    let separator = directory.hasSuffix("/") ? "" : "/"
    let tempPath = "\(directory)\(separator).\(name).tmp-\(getpid())-\(random)"

    var fd: Int32
    repeat {
        fd = open(tempPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(0o644))
    } while fd < 0 && errno == EINTR
    guard fd >= 0 else { throw .cannotCreate(path: path, reason: systemMessage(errno)) }

    var failure: FileWriteError?
    var written = 0
    bytes.withUnsafeBytes { raw in
        while written < raw.count {
            let n = write(fd, raw.baseAddress.map { $0 + written }, raw.count - written)
            if n < 0 {
                if errno == EINTR { continue }
                failure = .writeFailed(path: path, reason: systemMessage(errno))
                return
            }
            written += n
        }
    }
    if failure == nil, fsync(fd) != 0 {
        failure = .writeFailed(path: path, reason: systemMessage(errno))
    }
    if close(fd) != 0, failure == nil {
        failure = .writeFailed(path: path, reason: systemMessage(errno))
    }
    if failure == nil, rename(tempPath, path) != 0 {
        failure = .cannotRename(path: path, reason: systemMessage(errno))
    }
    if let failure {
        _ = unlink(tempPath)
        throw failure
    }
    // Make the rename durable; a failure here does not undo the write.
    let dirFD = open(directory, O_RDONLY | O_CLOEXEC)
    if dirFD >= 0 {
        _ = fsync(dirFD)
        _ = close(dirFD)
    }
}
