/// Where a run stands (SPEC §11.3), as `compare` reports it.
///
/// A run directory read on its own is `complete` (it holds `manifest.json`, written last) or
/// `interrupted` (a training's `metrics.jsonl` or `checkpoints/` without a manifest). A run
/// of a sweep has the status its `sweep.json` records, which may also be `failed` or
/// `notRun`.
public enum RunStatus: String, Sendable, Hashable, CaseIterable {
    /// The run finished: its `manifest.json` exists.
    case complete
    /// A training that was started and stopped before its manifest was written.
    case interrupted
    /// The sweep ran it and it exited with an error.
    case failed
    /// The sweep has not run it yet.
    case notRun = "not run"
}
