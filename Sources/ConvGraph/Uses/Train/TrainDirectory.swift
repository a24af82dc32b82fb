#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The run directory of a training (SPEC §10), written in place as training goes: every
/// change is one `Interruption` step, so SIGINT/SIGTERM finds each file whole or absent.
///
/// Layout: `metrics.jsonl` (appended), `checkpoints/epoch-EEEE/` (each written beside
/// and renamed into place), then at the end `params/`, `params.safetensors`,
/// `curves.svg` and `manifest.json`, the manifest last.
///
/// A fresh training over the directory of an earlier one is written to a hidden folder
/// beside it and replaces it only when it finishes; interrupted, that folder is removed
/// and the earlier training is left as it was.
final class TrainDirectory {
    /// What `--out` holds before training starts.
    enum Existing: Equatable {
        case nothing
        /// A training that finished (it has a manifest).
        case finished
        /// A training that was started and did not finish.
        case unfinished
    }

    /// Where the files go now (the target, or the hidden staging folder).
    let path: String
    /// The directory `--out` names.
    let target: String
    /// Whether `path` is a staging folder that replaces `target` when training ends.
    let staged: Bool
    private let pending = Interruption.PendingWrite()

    static let entries: Set<String> = ["manifest.json", "metrics.jsonl", "curves.svg", "params", "params.safetensors", "checkpoints"]

    /// What the directory at `path` holds: nothing (missing or empty), a training, or
    /// something else (`.cannotCreate`, 73: a `run` or `sweep` directory, a file, other files).
    static func inspect(_ path: String) throws(ConvGraphError) -> Existing {
        var st = stat()
        guard lstat(path, &st) == 0 else {
            if errno == ENOTDIR { throw failure(path, "cannot be created: a component of the path is not a directory") }
            return .nothing
        }
        guard (st.st_mode & S_IFMT) == S_IFDIR else { throw failure(path, "exists and is not a directory; refusing to replace it") }
        let names = Set(RunDirectory.listDirectory(path) ?? ["?"])
        if names.isEmpty { return .nothing }
        guard names.isSubset(of: entries), names.contains("metrics.jsonl") || names.contains("checkpoints") else {
            throw failure(path, "is not the directory of a training (it holds \(names.sorted().prefix(4).joined(separator: ", "))); refusing to replace it",
                          notes: names.contains("manifest.json") ? [.init("it looks like the directory of a `run`; give `train` another --out")] : [])
        }
        return names.contains("manifest.json") ? .finished : .unfinished
    }

    /// Opens `target` for a training: in place when it is missing, empty, or continued
    /// (`inPlace`); else in a hidden folder beside it.
    init(target: String, inPlace: Bool) throws(ConvGraphError) {
        let target = target.count > 1 && target.hasSuffix("/") ? String(target.dropLast()) : target
        self.target = target
        let existing = try Self.inspect(target)
        if existing == .nothing || inPlace {
            path = target
            staged = false
            let pending = self.pending
            try pending.step { leftovers throws(ConvGraphError) in
                try Self.makeFolders(target, leftovers: &leftovers)
                leftovers = Interruption.Leftovers()  // the directory itself stays
            }
        } else {
            let parent = GraphFileDecoder.directory(of: target)
            let base = String(target.split(separator: "/").last ?? Substring(target))
            let staging = "\(parent)/.\(base).train-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            path = staging
            staged = true
            let pending = self.pending
            try pending.step { leftovers throws(ConvGraphError) in
                guard mkdir(staging, 0o755) == 0 else {
                    throw Self.failure(target, "cannot create a folder beside it: \(String(cString: strerror(errno)))")
                }
                leftovers.trees.append(staging)
            }
        }
    }

    deinit { pending.end() }

    /// Creates `path` and its missing parents.
    private static func makeFolders(_ path: String, leftovers: inout Interruption.Leftovers) throws(ConvGraphError) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o755) == 0 {
                leftovers.folders.append(prefix)
            } else if errno != EEXIST {
                throw failure(path, "cannot create the folder '\(prefix)': \(String(cString: strerror(errno)))")
            }
        }
    }

    static func failure(_ path: String, _ message: String, notes: [Diagnostic.Note] = []) -> ConvGraphError {
        ConvGraphError(.cannotCreate, Diagnostic(message, file: path, notes: notes))
    }

    // MARK: Files

    /// Replaces `relative` with `bytes` atomically.
    func write(_ bytes: [UInt8], to relative: String) throws(ConvGraphError) {
        let full = "\(path)/\(relative)"
        try pending.step { _ throws(ConvGraphError) in
            do throws(FileWriteError) {
                try writeFileAtomically(bytes, toPath: full)
            } catch {
                throw Self.failure(full, error.description)
            }
        }
    }

    /// Appends `line` and a newline to `metrics.jsonl`.
    func appendMetrics(_ line: String) throws(ConvGraphError) {
        let full = "\(path)/metrics.jsonl"
        let bytes = Array((line + "\n").utf8)
        try pending.step { _ throws(ConvGraphError) in
            try RunDirectory.writeFile(bytes, to: full, appending: true, fail: { Self.failure(full, $0) })
        }
    }

    /// The bytes of `relative`, or `nil` when it does not exist.
    func read(_ relative: String, maxBytes: Int) throws(ConvGraphError) -> [UInt8]? {
        let full = "\(path)/\(relative)"
        do {
            return try readRegularFile(atPath: full, maxBytes: maxBytes)
        } catch {
            if case .notFound = error { return nil }
            throw ConvGraphError(.invalidInput, Diagnostic(error.description, file: full))
        }
    }

    /// Writes a folder of files (`params/`, a checkpoint) beside `relative` and renames it
    /// into place in one step, replacing what was there.
    func writeFolder(_ relative: String, files: [(String, () -> [UInt8])]) throws(ConvGraphError) {
        let final = "\(path)/\(relative)"
        let parent = GraphFileDecoder.directory(of: final)
        let base = String(final.split(separator: "/").last ?? Substring(final))
        let temporary = "\(parent)/.\(base).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let pending = self.pending
        try pending.step { leftovers throws(ConvGraphError) in
            if mkdir(parent, 0o755) != 0 && errno != EEXIST {
                throw Self.failure(parent, "cannot create the folder: \(String(cString: strerror(errno)))")
            }
            guard mkdir(temporary, 0o755) == 0 else {
                throw Self.failure(final, "cannot create a folder beside it: \(String(cString: strerror(errno)))")
            }
            leftovers.trees.append(temporary)
        }
        do throws(ConvGraphError) {
            var folders = Set<String>()
            for (name, encode) in files {
                let bytes = encode()
                try pending.step { _ throws(ConvGraphError) in
                    if let slash = name.lastIndex(of: "/") {
                        if let message = makeSubfolders(String(name[..<slash]), under: temporary, made: &folders) {
                            throw Self.failure(final, message)
                        }
                    }
                    do throws(FileWriteError) {
                        try writeFileAtomically(bytes, toPath: "\(temporary)/\(name)")
                    } catch {
                        throw Self.failure(final, error.description)
                    }
                }
            }
            try pending.step { leftovers throws(ConvGraphError) in
                var st = stat()
                if lstat(final, &st) == 0 { RunDirectory.removeTree(final) }
                guard rename(temporary, final) == 0 else {
                    throw Self.failure(final, "cannot move into place: \(String(cString: strerror(errno)))")
                }
                leftovers.trees.removeAll { $0 == temporary }
            }
        } catch {
            try? pending.step { leftovers throws(ConvGraphError) in
                RunDirectory.removeTree(temporary)
                leftovers.trees.removeAll { $0 == temporary }
            }
            throw error
        }
    }

    /// Removes `relative` (a file or a folder) in one step.
    func remove(_ relative: String) {
        let full = "\(path)/\(relative)"
        try? pending.step { _ throws(ConvGraphError) in RunDirectory.removeTree(full) }
    }

    /// The names in `relative`, or `[]`.
    func list(_ relative: String) -> [String] {
        RunDirectory.listDirectory("\(path)/\(relative)") ?? []
    }

    /// Puts a staged training in place of the target (the last thing a training does).
    func finish() throws(ConvGraphError) {
        guard staged else { return }
        let target = self.target, staging = path
        try pending.step { leftovers throws(ConvGraphError) in
            try RunDirectory.replace(target, with: staging, besides: "\(GraphFileDecoder.directory(of: target))/.\(target.split(separator: "/").last ?? "")",
                                     fail: { Self.failure(target, $0) })
            leftovers = Interruption.Leftovers()
        }
    }
}
