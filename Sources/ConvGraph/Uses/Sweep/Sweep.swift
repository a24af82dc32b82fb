import Synchronization

/// `convgraph sweep` as a library call (SPEC §11.2, <doc:Sweeps>): every run of a
/// `SweepPlan` in this shard, `jobs` at a time, each in `DIR/NNNN` as `train` (when the
/// graph has a `train` section) or `run` would make it, with `DIR/sweep.json` kept up to
/// date.
///
/// Each run is the graph with the `--set` overrides, then the run's grid overrides. Before
/// it runs, its directory is looked at (`SweepRunDecision`): a complete run of the same
/// identity is skipped, an interrupted training resumes from its checkpoint (a checkpoint
/// of another training is replaced), anything else is replaced. Every run is attempted;
/// a failing run is recorded as `failed` with the exit code `run`/`train` would give.
/// The kernels give the same bytes for any thread count, so the run directories do not
/// depend on `jobs`, the shard or the machine.
///
/// ```swift
/// let plan = try SweepPlan(graphPath: "g.yaml", grids: [try SweepGrid(parsing: "nodes.p.window=[2, 3]")], sets: [])
/// let sweep = try Sweep(plan: plan)
/// let outcome = try sweep.run { report in print(report.line) }
/// print(outcome.succeeded)
/// ```
public struct Sweep: Sendable {
    /// The runs.
    public let plan: SweepPlan
    /// `DIR`: `--out`, default `runs/<graph>-sweep` (`<graph>` as `run` names its default
    /// directory `runs/<graph>`).
    public let directory: String
    /// Runs at once (`--jobs`), ≥ 1.
    public var jobs = 1
    /// Which runs this process makes (`--shard`).
    public var shard: SweepShard = .all
    /// The cores shared by the jobs: each job's kernels use max(1, cores / jobs) threads.
    public var cores = Parallelism.allCores.threads
    /// The limits every run is read and checked with.
    public let limits: Limits
    /// The graph file's bytes, read once: every run is built from, and hashed over, them.
    let graphBytes: [UInt8]

    /// Reads the graph, checks it with the `--set` overrides, and checks that every grid
    /// value applies to it, before any run.
    /// - Throws: as `Graph.load` for the graph with the `--set` overrides (64 for a bad
    ///   `--set` or `--grid` path, 65, 66).
    public init(plan: SweepPlan, out: String? = nil, limits: Limits = .default) throws(ConvGraphError) {
        let bytes = try Graph.readGraphFile(plan.graphPath, limits: limits)
        let base = try Graph.parse(bytes, path: plan.graphPath, overrides: plan.sets, limits: limits)
        // Each grid value on the file with the --set overrides: a path the graph lacks is
        // a usage error now, not one failed run per value.
        var root = try YAMLParser(file: plan.graphPath, limits: limits).parse(bytes)
        for set in plan.sets { try Override(parsing: set).apply(to: &root, limits: limits) }
        for grid in plan.grids {
            for k in grid.values.indices {
                var copy = root
                try Override(parsing: grid.override(k)).apply(to: &copy, limits: limits)
            }
        }
        self.plan = plan
        self.graphBytes = bytes
        self.limits = limits
        self.directory = out.map { $0.count > 1 && $0.hasSuffix("/") ? String($0.dropLast()) : $0 } ?? "runs/\(base.name)-sweep"
    }

    /// The threads each job's kernels use: max(1, cores / jobs).
    public var parallelism: Parallelism { Parallelism(threads: max(1, cores / max(1, jobs))) }

    /// Makes this shard's runs, `jobs` at a time, telling `report` about each as it ends
    /// (from the job's thread, one call at a time).
    /// - Throws: `.cannotCreate` (73) when `DIR` or `DIR/sweep.json` cannot be written
    ///   before the first run. A run's own failure is in its report, not thrown.
    public func run(report: @escaping @Sendable (SweepRunReport) -> Void = { _ in }) throws(ConvGraphError) -> SweepOutcome {
        try SweepRecord.update(directory: directory, plan: plan)
        let indices = Array(shard.indices(of: plan.count))
        let next = Atomic<Int>(0)
        let reports = Lock<[SweepRunReport]>([])
        let sweep = self
        let parallelism = self.parallelism
        SweepWorkers.run(max(1, min(jobs, indices.count))) { _ in
            while true {
                let k = next.add(1, ordering: .relaxed).oldValue
                guard k < indices.count else { return }
                let done = sweep.perform(indices[k], parallelism: parallelism)
                reports.withLock { list in
                    list.append(done)
                    report(done)
                }
            }
        }
        return SweepOutcome(reports: reports.withLock { $0 }.sorted { $0.run.index < $1.run.index })
    }

    /// `DIR/NNNN` of run `index`.
    public func runDirectory(_ index: Int) -> String { "\(directory)/\(plan.directoryName(index))" }

    /// Makes run `index` and records its status; never throws.
    func perform(_ index: Int, parallelism: Parallelism) -> SweepRunReport {
        let run = plan.run(index)
        var report = SweepRunReport(run: run, directory: runDirectory(index), status: .failed, exitCode: nil, action: .ran, loss: nil, error: nil)
        do throws(ConvGraphError) {
            try SweepRecord.update(directory: directory, plan: plan, changes: [index: (.interrupted, nil)])
            try make(&report, parallelism: parallelism)
            report.status = .complete
            report.exitCode = 0
        } catch {
            report.status = .failed
            report.exitCode = Int(error.exitCode)
            report.error = error
        }
        do throws(ConvGraphError) {
            try SweepRecord.update(directory: directory, plan: plan, changes: [index: (report.status, report.exitCode)])
        } catch {
            if report.error == nil {
                report.status = .failed
                report.exitCode = Int(error.exitCode)
                report.error = error
            }
        }
        return report
    }

    private func make(_ report: inout SweepRunReport, parallelism: Parallelism) throws(ConvGraphError) {
        let overrides = plan.allOverrides(report.run.index)
        let out = report.directory
        let graph = try Graph.parse(graphBytes, path: plan.graphPath, overrides: overrides, limits: limits)
        let sha256 = SHA256.hex(graphBytes)
        let maxDepth = limits.maxYAMLDepth + 16

        guard graph.train != nil else {
            let identity = SweepRunIdentity(graph: graph, graphSHA256: sha256, trainer: nil)
            let decision = SweepRunDecision.decide(directory: out, identity: identity, training: false, maxDepth: maxDepth)
            if case .skip = decision {
                report.action = .skipped
                report.loss = Self.savedLoss(of: graph, in: out, limits: limits)
                return
            }
            if decision == .clearThenRun {
                RunDirectory.removeTree(out)
                report.action = .replaced
            }
            var request = RunRequest(graphPath: plan.graphPath)
            request.overrides = overrides
            request.out = out
            request.limits = limits
            request.parallelism = parallelism
            let outcome = try request.perform()
            report.loss = Self.loss(of: graph, in: outcome.result.values)
            return
        }

        let trainer = try Trainer(graph: graph, graphSHA256: sha256, overrides: overrides, limits: limits, parallelism: parallelism)
        let identity = SweepRunIdentity(graph: graph, graphSHA256: sha256, trainer: trainer)
        let outcome: Trainer.Outcome
        switch SweepRunDecision.decide(directory: out, identity: identity, training: true, maxDepth: maxDepth) {
        case .skip(let manifest):
            report.action = .skipped
            report.loss = manifest.sweepField("train")?.sweepField("train_loss")?.sweepDouble
            return
        case .resume:
            do throws(ConvGraphError) {
                outcome = try trainer.run(out: out, resume: true)
                report.action = .resumed
            } catch where error.kind == .invalidInput {
                // A checkpoint of another training (or a damaged one): not this run's.
                RunDirectory.removeTree(out)
                outcome = try trainer.run(out: out)
                report.action = .replaced
            }
        case .run:
            outcome = try trainer.run(out: out)
        case .clearThenRun:
            RunDirectory.removeTree(out)
            report.action = .replaced
            outcome = try trainer.run(out: out)
        }
        report.loss = outcome.trainLoss
    }

    /// The scalar value of `backward.from` among a run's saved values, if it is there.
    static func loss(of graph: Graph, in values: [(name: String, tensor: AnyTensor)]) -> Double? {
        guard let from = graph.backward.map({ graph.nodes[$0.from].name }),
              let tensor = values.first(where: { $0.name == from })?.tensor, tensor.shape.count == 1 else { return nil }
        return tensor.doubles.scalars.first
    }

    /// `loss` for a complete run found on disk: its `values/<from>.npy`.
    static func savedLoss(of graph: Graph, in directory: String, limits: Limits) -> Double? {
        guard let from = graph.backward.map({ graph.nodes[$0.from].name }),
              case .success(let file) = TensorFileLoader.loadFile("\(directory)/values/\(from).npy", limits: limits, as: Double.self),
              file.tensor.shape.count == 1 else { return nil }
        return file.tensor.scalars.first
    }
}

/// How one run of a sweep ended.
public struct SweepRunReport: Sendable {
    /// What the sweep did with the run's directory.
    public enum Action: String, Sendable {
        /// Made the run (in a missing or empty directory, or replacing an earlier complete
        /// run of another identity).
        case ran
        /// Found it complete with the same identity.
        case skipped
        /// Continued an interrupted training from its checkpoint.
        case resumed
        /// Removed what the directory held (not a run of this kind), then made the run.
        case replaced
    }

    /// Which run.
    public var run: SweepPlan.Run
    /// `DIR/NNNN`.
    public var directory: String
    /// `.complete` or `.failed`.
    public var status: SweepRecord.Status
    /// 0, or the failure's exit code.
    public var exitCode: Int?
    /// What was done with its directory.
    public var action: Action
    /// The final train loss (`train`), or the value of `backward.from` when it is a saved
    /// scalar (`run`).
    public var loss: Double?
    /// Why the run failed.
    public var error: ConvGraphError?

    /// The line `convgraph sweep` prints: `NNNN  OVERRIDES  STATUS  loss L`, as in
    /// `0001  nodes.p.window=[3, 2]  complete (skipped)  loss 0.25`.
    public var line: String {
        let state: String
        switch status {
        case .complete: state = action == .ran ? "complete" : "complete (\(action.rawValue))"
        case .failed: state = "failed (exit \(exitCode ?? 1))"
        default: state = status.rawValue
        }
        return "\(run.directoryName)  \(run.overrides.joined(separator: " "))  \(state)  loss \(loss.map { NumberFormat.significant($0) } ?? "-")"
    }
}

/// Every run this process made, by index.
public struct SweepOutcome: Sendable {
    /// One per run of the shard, in index order.
    public var reports: [SweepRunReport]
    /// Whether every run succeeded (`sweep` exits 0, else 1).
    public var succeeded: Bool { reports.allSatisfy { $0.status == .complete } }
}
