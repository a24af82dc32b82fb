/// Finds the runs `compare` shows (SPEC §11.3): for each PATH, in order,
/// - a sweep directory (it holds `sweep.json`): every run `sweep.json` lists, in its order,
///   with the status recorded there and the numbers its directory holds;
/// - a run directory (see ``RunSummary/isRunDirectory(_:)``): that run;
/// - any other directory: the sweeps and runs directly under it, by name (byte order);
///   anything else there is ignored.
///
/// A run reached twice (the same directory under two spellings) is listed once, first
/// where it was first found.
public enum RunDiscovery {
    /// The runs at or directly under each of `paths`.
    /// - Throws: 66 naming the first PATH that does not exist; 65 for a PATH that is not a
    ///   directory, for a malformed `sweep.json` or manifest, and when no run is found at all.
    public static func runs(at paths: [String]) throws(ConvGraphError) -> [RunSummary] {
        var found: [RunSummary] = []
        var seen: Set<String> = []
        func add(_ summary: RunSummary) {
            if seen.insert(PathKind.canonical(summary.directory)).inserted || PathKind.of(summary.directory) == .missing {
                found.append(summary)
            }
        }
        for path in paths {
            switch PathKind.of(path) {
            case .missing:
                throw ConvGraphError(.noInput, Diagnostic("no such file or directory", file: path))
            case .regularFile, .other:
                throw ConvGraphError(.invalidInput, Diagnostic("not a directory: give a run directory, a sweep directory or a folder of them", file: path))
            case .directory:
                break
            }
            if let sweep = try sweepRuns(path) {
                sweep.forEach(add)
            } else if let run = try RunSummary.read(directory: path) {
                add(run)
            } else {
                for name in (RunDirectory.listDirectory(path) ?? []).sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
                where !name.hasPrefix(".") {
                    let child = PathKind.join(path, name)
                    guard PathKind.of(child) == .directory else { continue }
                    if let sweep = try sweepRuns(child) {
                        sweep.forEach(add)
                    } else if let run = try RunSummary.read(directory: child) {
                        add(run)
                    }
                }
            }
        }
        guard !found.isEmpty else {
            throw ConvGraphError(.invalidInput, Diagnostic(
                "no run found at or directly under \(paths.map { "'\(NameRules.printable($0))'" }.joined(separator: ", "))", file: nil,
                notes: [.init("a run directory holds manifest.json (or a training's metrics.jsonl or checkpoints/); a sweep directory holds sweep.json")]))
        }
        return found
    }

    /// The runs of the sweep at `directory`, nil when it holds no `sweep.json`.
    static func sweepRuns(_ directory: String) throws(ConvGraphError) -> [RunSummary]? {
        guard let sweep = try SweepFile.read(directory: directory) else { return nil }
        var out: [RunSummary] = []
        for run in sweep.runs {
            let runDirectory = PathKind.join(directory, run.directory)
            var summary = RunSummary(directory: runDirectory, status: run.status,
                                     overrides: sweep.sets + run.overrides, exitCode: run.exitCode)
            if PathKind.of(runDirectory) == .directory {
                try summary.fill(from: runDirectory, keepStatus: true)
            }
            out.append(summary)
        }
        return out
    }
}
