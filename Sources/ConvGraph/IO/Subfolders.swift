#if canImport(Glibc)
import Glibc
#endif

/// Creates `base/folder` and every missing folder on the way (`values/stem/0` makes
/// `values`, `values/stem`, `values/stem/0`), for files of nodes expanded from blocks
/// (SPEC §11.1: `/` in a node name is a subdirectory). Folders already made are kept in
/// `made` and skipped. Node names never hold `.` or `..` segments, so nothing escapes `base`.
/// - Returns: `nil`, or the system's message for the folder that could not be made.
func makeSubfolders(_ folder: String, under base: String, made: inout Set<String>) -> String? {
    var prefix = ""
    for component in folder.split(separator: "/") {
        prefix += prefix.isEmpty ? String(component) : "/" + component
        if made.contains(prefix) { continue }
        if mkdir("\(base)/\(prefix)", 0o755) != 0 && errno != EEXIST {
            return "cannot create '\(prefix)': \(String(cString: strerror(errno)))"
        }
        made.insert(prefix)
    }
    return nil
}
