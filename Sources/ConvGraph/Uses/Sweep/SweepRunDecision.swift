#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What a sweep does with one run's directory (SPEC §11.2), decided before the run.
enum SweepRunDecision: Equatable {
    /// It holds a complete run (`manifest.json`) of the same identity: nothing to do.
    case skip(manifest: JSONValue)
    /// It holds a training that started and did not finish: continue from its newest
    /// checkpoint (`Trainer.run(out:resume: true)`).
    case resume
    /// Missing or empty, or an earlier complete run of another identity that the writer
    /// replaces atomically when the new run is complete.
    case run
    /// Anything else (a file, other files, a run of the other kind, an unfinished `run`):
    /// removed, then the run is made.
    case clearThenRun

    /// Looks at `directory` for a run with `identity`; `training` tells whether the run
    /// is a training.
    static func decide(directory: String, identity: SweepRunIdentity, training: Bool, maxDepth: Int) -> SweepRunDecision {
        var st = stat()
        guard lstat(directory, &st) == 0 else { return errno == ENOENT ? .run : .clearThenRun }
        guard (st.st_mode & S_IFMT) == S_IFDIR else { return .clearThenRun }
        let names = Set(RunDirectory.listDirectory(directory) ?? ["?"])
        if names.isEmpty { return .run }
        // What the writer of this kind of run accepts in place (and replaces atomically).
        let accepted: TrainDirectory.Existing?
        if training {
            accepted = try? TrainDirectory.inspect(directory)
        } else {
            accepted = (try? RunDirectory.checkTarget(directory)) != nil && names.contains("manifest.json") ? .finished : nil
        }
        if names.contains("manifest.json") {
            if accepted == .finished,
               let bytes = try? readRegularFile(atPath: "\(directory)/manifest.json", maxBytes: 1 << 30),
               let manifest = try? JSONParser.parse(bytes, maxDepth: maxDepth),
               let found = SweepRunIdentity(manifest: manifest), found == identity {
                return .skip(manifest: manifest)
            }
            return accepted == .finished ? .run : .clearThenRun
        }
        return accepted == .unfinished ? .resume : .clearThenRun
    }
}
