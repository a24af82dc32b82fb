#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What a path names, as `compare` and `diff` look at it (symbolic links followed, as for
/// any path the user names).
enum PathKind: Equatable {
    case missing
    case directory
    case regularFile
    /// A FIFO, device or socket: never opened.
    case other

    /// The kind of `path`.
    static func of(_ path: String) -> PathKind {
        var st = stat()
        guard stat(path, &st) == 0 else { return .missing }
        switch st.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFREG: return .regularFile
        default: return .other
        }
    }

    /// `base/name`, without doubling a trailing slash of `base`.
    static func join(_ base: String, _ name: String) -> String {
        base.hasSuffix("/") ? base + name : base + "/" + name
    }

    /// The canonical absolute path of an existing `path` (for telling two spellings of one
    /// directory apart), or `path` itself when it cannot be resolved.
    static func canonical(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
