#if canImport(Glibc)
import Glibc
#endif

/// Writes a run directory atomically (SPEC §6, §8): everything goes into a hidden
/// temporary directory beside the target, `manifest.json` last, and only then is it
/// renamed into place. An earlier run at the same path survives until the new one is
/// complete. A failure leaves nothing behind: no temporary files, no empty parents.
///
/// Each change to the file system is one `Interruption` step, so SIGINT or SIGTERM at any
/// moment (see `Interruption.install()`) leaves the earlier run intact or the new run
/// complete, and no temporary directory.
public enum RunDirectory {
    /// - Parameters:
    ///   - path: the run directory; a missing path, an empty directory, or an earlier run
    ///     (a directory holding `manifest.json`).
    ///   - files: relative path (`values/conv.npy`) and contents.
    ///   - manifest: the bytes of `manifest.json`.
    /// - Throws: `.cannotCreate` (73).
    public static func write(to path: String, files: [(String, [UInt8])], manifest: [UInt8]) throws(ConvGraphError) {
        try write(to: path, files: files, manifest: manifest, afterStep: nil)
    }

    /// `write`, making each file's bytes only when its turn comes, so one encoded tensor is
    /// in memory at a time: `files` pairs a relative path with the function that encodes it;
    /// `manifest` gets the sha256 of each file written, in order, and is written last.
    public static func write(to path: String, streaming files: [(String, () -> [UInt8])],
                             manifest: ([String]) -> [UInt8]) throws(ConvGraphError) {
        try write(to: path, streaming: files, manifest: manifest, afterStep: nil)
    }

    /// `write`, calling `afterStep(pending, n)` after step `n` (0: parents and the temporary
    /// directory; then one step per file, the manifest last; then the swap), outside the
    /// lock. Tests throw from it to stop the write where a signal could, after
    /// `pending.discard()` (what the watcher does).
    static func write(to path: String, files: [(String, [UInt8])], manifest: [UInt8],
                      afterStep: ((Interruption.PendingWrite, Int) throws(ConvGraphError) -> Void)?) throws(ConvGraphError) {
        try write(to: path, streaming: files.map { file in (file.0, { file.1 }) }, manifest: { _ in manifest }, afterStep: afterStep)
    }

    static func write(to path: String, streaming files: [(String, () -> [UInt8])], manifest: ([String]) -> [UInt8],
                      afterStep: ((Interruption.PendingWrite, Int) throws(ConvGraphError) -> Void)?) throws(ConvGraphError) {
        let fail = failure(path)
        let target = try checkTarget(path)
        let parent = GraphFileDecoder.directory(of: target.path)
        let base = String(target.path.split(separator: "/").last ?? Substring(target.path))
        let temporary = "\(parent)/.\(base).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let pending = Interruption.PendingWrite()
        defer { pending.end() }
        var stepsDone = 0
        func stepped() throws(ConvGraphError) {
            try afterStep?(pending, stepsDone)
            stepsDone += 1
        }
        do throws(ConvGraphError) {
            // Create missing parents, remembering them so a failure can remove them again.
            try pending.step { leftovers throws(ConvGraphError) in
                var prefix = parent.hasPrefix("/") ? "" : "."
                for component in parent.split(separator: "/") where parent != "." {
                    prefix += "/" + component
                    if mkdir(prefix, 0o755) == 0 {
                        leftovers.folders.append(prefix)
                    } else if errno != EEXIST {
                        throw fail("cannot create the folder '\(prefix)': \(String(cString: strerror(errno)))")
                    }
                }
                guard mkdir(temporary, 0o755) == 0 else {
                    throw fail("cannot create a temporary folder beside it: \(String(cString: strerror(errno)))")
                }
                leftovers.trees.append(temporary)
            }
            try stepped()
            var folders = Set<String>()
            var digests: [String] = []
            for k in 0...files.count {
                let isManifest = k == files.count
                let relative = isManifest ? "manifest.json" : files[k].0
                // Encoded now (outside the step's lock), written, dropped: one file's
                // bytes alive at a time.
                let bytes = isManifest ? manifest(digests) : files[k].1()
                if !isManifest { digests.append(SHA256.hex(bytes)) }
                try pending.step { _ throws(ConvGraphError) in
                    if let slash = relative.lastIndex(of: "/") {
                        if let message = makeSubfolders(String(relative[..<slash]), under: temporary, made: &folders) {
                            throw fail(message)
                        }
                    }
                    try writeFile(bytes, to: "\(temporary)/\(relative)", fail: fail)
                }
                try stepped()
            }
            // One step: put the new run in place and remove the earlier one; afterwards
            // nothing is left to clean up.
            try pending.step { leftovers throws(ConvGraphError) in
                if target.exists {
                    try replace(target.path, with: temporary, besides: "\(parent)/.\(base)", fail: fail)
                } else if rename(temporary, target.path) != 0 {
                    throw fail("cannot move the new run into place: \(String(cString: strerror(errno)))")
                }
                leftovers = Interruption.Leftovers()
            }
            try stepped()
        } catch {
            pending.discard()
            throw error
        }
    }

    /// Checks that `path` may receive a run (SPEC §8: a missing path, an empty directory or
    /// an earlier run; anything else is left untouched), before any work is done.
    /// - Returns: the path without a trailing `/`, and whether something exists there.
    /// - Throws: `.cannotCreate` (73).
    @discardableResult
    public static func checkTarget(_ path: String) throws(ConvGraphError) -> (path: String, exists: Bool) {
        let fail = failure(path)
        guard !path.isEmpty else {
            throw ConvGraphError(.cannotCreate, Diagnostic("the run directory path is empty", file: nil))
        }
        let target = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        var st = stat()
        guard lstat(target, &st) == 0 else {
            if errno == ENOTDIR { throw fail("cannot be created: a component of the path is not a directory") }
            return (target, false)
        }
        guard (st.st_mode & S_IFMT) == S_IFDIR else { throw fail("exists and is not a directory; refusing to replace it") }
        let entries = listDirectory(target) ?? ["?"]
        guard entries.isEmpty || entries.contains("manifest.json") else {
            throw fail("is a directory that holds other files and no manifest.json (not an earlier run); refusing to replace it")
        }
        return (target, true)
    }

    /// Whether `a` and `b` name the same existing directory (after symlinks, `.` and `..`).
    public static func isSameDirectory(_ a: String, _ b: String) -> Bool {
        guard let ra = realpath(a, nil) else { return false }
        defer { free(ra) }
        guard let rb = realpath(b, nil) else { return false }
        defer { free(rb) }
        return strcmp(ra, rb) == 0
    }

    private static func failure(_ path: String) -> (String) -> ConvGraphError {
        { message in ConvGraphError(.cannotCreate, Diagnostic(message, file: path)) }
    }

    /// Puts the directory `temporary` at `target` (an earlier run or an empty directory)
    /// and removes what was there. Atomic where the system can exchange two paths
    /// (`renameat2` with `RENAME_EXCHANGE`, Linux ≥ 3.15), so even SIGKILL finds either run
    /// in place; elsewhere the earlier run is moved aside first, and moved back if the new
    /// one cannot take its place.
    static func replace(_ target: String, with temporary: String, besides prefix: String,
                                fail: (String) -> ConvGraphError) throws(ConvGraphError) {
        if let exchange = exchangeFunction, exchange(AT_FDCWD, temporary, AT_FDCWD, target, renameExchange) == 0 {
            removeTree(temporary)  // now holds the earlier run
            return
        }
        let old = "\(prefix).old-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard rename(target, old) == 0 else { throw fail("cannot move the earlier run aside: \(String(cString: strerror(errno)))") }
        guard rename(temporary, target) == 0 else {
            let reason = String(cString: strerror(errno))
            guard rename(old, target) == 0 else {
                throw fail("cannot move the new run into place: \(reason); the earlier run is at '\(old)'")
            }
            throw fail("cannot move the new run into place: \(reason)")
        }
        removeTree(old)
    }

    /// `RENAME_EXCHANGE` from `<linux/fs.h>`.
    private static let renameExchange: UInt32 = 2

    /// glibc's `renameat2` (2.28 and later), looked up at run time: the Swift Glibc module
    /// does not declare it. `nil` where it is missing.
    private static let exchangeFunction: (@convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32)? = {
        guard let symbol = dlsym(nil, "renameat2") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32).self)
    }()

    /// Writes `bytes` to a new file at `path` (`O_EXCL`), or appends them with `appending`.
    static func writeFile(_ bytes: [UInt8], to path: String, appending: Bool = false,
                          fail: (String) -> ConvGraphError) throws(ConvGraphError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (appending ? O_APPEND : O_EXCL), 0o644)
        guard fd >= 0 else { throw fail("cannot create '\(path)': \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBufferPointer { p in Glibc.write(fd, p.baseAddress! + offset, p.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw fail("cannot write '\(path)': \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }

    /// The names in a directory (without `.` and `..`), or nil when it cannot be read.
    static func listDirectory(_ path: String) -> [String]? {
        guard let dir = opendir(path) else { return nil }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { p in
                p.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Removes a directory tree written by a run (iteratively; no symlinks followed).
    static func removeTree(_ root: String) {
        var stack = [root]
        var directories: [String] = []
        while let path = stack.popLast() {
            var st = stat()
            guard lstat(path, &st) == 0 else { continue }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                directories.append(path)
                for name in listDirectory(path) ?? [] { stack.append(path + "/" + name) }
            } else {
                unlink(path)
            }
        }
        for dir in directories.reversed() { rmdir(dir) }
    }
}
