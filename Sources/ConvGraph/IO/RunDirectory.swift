#if canImport(Glibc)
import Glibc
#endif

/// Writes a run directory atomically (SPEC §6, §8): everything goes into a hidden
/// temporary directory beside the target, `manifest.json` last, and only then is it
/// renamed into place. An earlier run at the same path survives until the new one is
/// complete. A failure leaves nothing behind: no temporary files, no empty parents.
public enum RunDirectory {
    /// - Parameters:
    ///   - path: the run directory; a missing path, an empty directory, or an earlier run
    ///     (a directory holding `manifest.json`).
    ///   - files: relative path (`values/conv.npy`) and contents.
    ///   - manifest: the bytes of `manifest.json`.
    /// - Throws: `.cannotCreate` (73).
    public static func write(to path: String, files: [(String, [UInt8])], manifest: [UInt8]) throws(ConvGraphError) {
        func fail(_ message: String) -> ConvGraphError {
            ConvGraphError(.cannotCreate, Diagnostic(message, file: path))
        }
        let target = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        var st = stat()
        let exists = lstat(target, &st) == 0
        if exists {
            guard (st.st_mode & S_IFMT) == S_IFDIR else { throw fail("exists and is not a directory; refusing to replace it") }
            let entries = listDirectory(target) ?? ["?"]
            guard entries.isEmpty || entries.contains("manifest.json") else {
                throw fail("is a directory that holds other files and no manifest.json (not an earlier run); refusing to replace it")
            }
        }
        let parent = GraphFileDecoder.directory(of: target)
        let base = String(target.split(separator: "/").last ?? Substring(target))
        var created: [String] = []
        func cleanupParents() { for dir in created.reversed() { rmdir(dir) } }
        // Create missing parents, remembering them so a failure can remove them again.
        var prefix = parent.hasPrefix("/") ? "" : "."
        for component in parent.split(separator: "/") where parent != "." {
            prefix += "/" + component
            if mkdir(prefix, 0o755) == 0 {
                created.append(prefix)
            } else if errno != EEXIST {
                let reason = String(cString: strerror(errno))
                cleanupParents()
                throw fail("cannot create the folder '\(prefix)': \(reason)")
            }
        }
        let temporary = "\(parent)/.\(base).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard mkdir(temporary, 0o755) == 0 else {
            let reason = String(cString: strerror(errno))
            cleanupParents()
            throw fail("cannot create a temporary folder beside it: \(reason)")
        }
        do throws(ConvGraphError) {
            var folders = Set<String>()
            for (relative, bytes) in files {
                if let slash = relative.lastIndex(of: "/") {
                    let folder = String(relative[..<slash])
                    if !folders.contains(folder) {
                        guard mkdir("\(temporary)/\(folder)", 0o755) == 0 else { throw fail("cannot create '\(folder)': \(String(cString: strerror(errno)))") }
                        folders.insert(folder)
                    }
                }
                try writeFile(bytes, to: "\(temporary)/\(relative)", fail: fail)
            }
            try writeFile(manifest, to: "\(temporary)/manifest.json", fail: fail)
            if exists {
                let old = "\(parent)/.\(base).old-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
                guard rename(target, old) == 0 else { throw fail("cannot move the earlier run aside: \(String(cString: strerror(errno)))") }
                guard rename(temporary, target) == 0 else {
                    let reason = String(cString: strerror(errno))
                    rename(old, target)
                    throw fail("cannot move the new run into place: \(reason)")
                }
                removeTree(old)
            } else {
                guard rename(temporary, target) == 0 else { throw fail("cannot move the new run into place: \(String(cString: strerror(errno)))") }
            }
        } catch {
            removeTree(temporary)
            cleanupParents()
            throw error
        }
    }

    private static func writeFile(_ bytes: [UInt8], to path: String, fail: (String) -> ConvGraphError) throws(ConvGraphError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
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
