#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Trains a graph's params from its `train` section (SPEC §10): `convgraph train` in a
/// library.
///
/// One `Session` runs the training steps (training mode, forward and backward, keeping
/// only the loss and the trained params' gradients); the `Evaluation` runs inference
/// sessions over the eval set with the params copied from the training's store. Step t:
/// the batch of the epoch's order, forward and backward, every trained param updated by
/// the optimizer with lr(t), then the batchnorm running statistics. Results are the same
/// bytes for any thread count, and a resumed training ends as an uninterrupted one.
///
/// ```swift
/// let trainer = try Trainer(graphAt: "Examples/digits/digits.yaml")
/// trainer.onStep = { step in step.loss.isFinite ? .continue : .stop }
/// let outcome = try trainer.run(out: "runs/digits")
/// print(outcome.evalAccuracy ?? .nan)
/// ```
public final class Trainer {
    /// What `onStep` is told after every step.
    public struct Step: Sendable {
        /// Steps completed (1 after the first step).
        public var step: Int
        public var totalSteps: Int
        /// Epochs begun (from 1).
        public var epoch: Int
        public var totalEpochs: Int
        /// This step's batch loss.
        public var loss: Double
        /// The learning rate the step used.
        public var lr: Double
        /// Training samples per second since the start (or the resume).
        public var samplesPerSecond: Double
        /// The time the remaining steps will take at the pace so far, in seconds.
        public var secondsLeft: Double
    }

    /// Whether training goes on after a step.
    public enum Control: Sendable {
        case `continue`
        /// Ends training after this step as if it were the last: evaluation, checkpoint,
        /// final params and manifest follow.
        case stop
    }

    /// How a training ended.
    public struct Outcome: Sendable {
        /// The run directory (`nil` when training wrote none).
        public var directory: String?
        /// Steps completed in all (with those before a resume).
        public var steps: Int
        public var epochs: Int
        /// The last `train` line's loss.
        public var trainLoss: Double?
        public var evalLoss: Double?
        public var evalAccuracy: Double?
        /// Whether `--resume` found the training already finished (nothing was done).
        public var alreadyFinished: Bool
        /// Wall time of the training steps and of the evaluations in this process.
        public var trainMilliseconds: Double
        public var evalMilliseconds: Double
        /// Every `param` after training (trained, batchnorm statistics, frozen), in
        /// declaration order; empty when `alreadyFinished`.
        public var parameters: [(name: String, tensor: AnyTensor)] = []
        /// Resident memory when the trainer was made (before any data was read), and the
        /// process's peak at the end, in bytes (0 where the system does not tell).
        public var baselineResidentBytes = 0
        public var peakResidentBytes = 0
    }

    public let graph: Graph
    public let train: Graph.Train
    /// Threads the kernels use; results do not depend on it.
    public var parallelism: Parallelism
    /// Told after every step; `.stop` ends training there.
    public var onStep: ((Step) -> Control)?
    /// Told after every evaluation, with its `eval` record.
    public var onEvaluation: ((MetricsRecord, _ trainLoss: Double) -> Void)?
    /// Told every record written to `metrics.jsonl`.
    public var onRecord: ((MetricsRecord) -> Void)?

    let overrides: [String]
    let graphSHA256: String
    let baselineResidentBytes = ResidentMemory.current
    let limits: Limits
    let trainData: TrainingData
    let evalData: TrainingData?
    /// ⌊S/B⌋, T and the epochs T spans (a part-done last one counts).
    let stepsPerEpoch: Int
    let totalSteps: Int
    /// The epochs the training spans (a part-done last one counts).
    public let totalEpochs: Int

    /// Loads the graph file at `path` (with `--set` overrides) and its data.
    /// - Throws: as `Graph.load`; `.invalidInput` (65) for a graph without `train`, a data
    ///   set that does not fit it, or a schedule that does not fit the step count.
    public convenience init(graphAt path: String, overrides: [String] = [], limits: Limits = .default,
                            parallelism: Parallelism = .allCores) throws(ConvGraphError) {
        let bytes = try Graph.readGraphFile(path, limits: limits)
        let graph = try Graph.parse(bytes, path: path, overrides: overrides, limits: limits)
        try self.init(graph: graph, graphSHA256: SHA256.hex(bytes), overrides: overrides, limits: limits, parallelism: parallelism)
    }

    /// Trains `graph` (built in code or loaded); its data files resolve against the folder
    /// of `graph.path`. The training's identity (what `--resume` checks) is the effective
    /// graph after overrides.
    public convenience init(graph: Graph, limits: Limits = .default, parallelism: Parallelism = .allCores) throws(ConvGraphError) {
        let config = Array(graph.file.tree.json.serialized().utf8)
        try self.init(graph: graph, graphSHA256: SHA256.hex(config), overrides: [], limits: limits, parallelism: parallelism)
    }

    init(graph: Graph, graphSHA256: String, overrides: [String], limits: Limits, parallelism: Parallelism) throws(ConvGraphError) {
        guard let train = graph.train else {
            throw ConvGraphError(.invalidInput, Diagnostic("the graph has no 'train' section", at: SourceLocation(file: graph.path, line: 1, column: 1),
                                                           notes: [.init("add one (see `convgraph ops` and the README's training section)")]))
        }
        self.graph = graph
        self.train = train
        self.graphSHA256 = graphSHA256
        self.overrides = overrides
        self.limits = limits
        self.parallelism = parallelism
        trainData = try TrainingData.load(train.data.map { ($0.node, $0.path, $0.location) }, for: graph, limits: limits, requireFullBatch: true)
        evalData = try train.evalData.map { files throws(ConvGraphError) in
            try TrainingData.load(files.map { ($0.node, $0.path, $0.location) }, for: graph, limits: limits, requireFullBatch: false)
        }
        stepsPerEpoch = trainData.sampleCount / train.batchSize
        switch train.section.length {
        case .epochs(let e):
            totalSteps = e * stepsPerEpoch
        case .steps(let t):
            totalSteps = t
        }
        totalEpochs = (totalSteps + stepsPerEpoch - 1) / stepsPerEpoch
        if case .cosine(let warmup, _) = train.section.schedule, warmup >= totalSteps {
            throw ConvGraphError(.invalidInput, Diagnostic("the cosine schedule's warmup of \(warmup) steps is not shorter than the training's \(totalSteps) steps",
                                                           at: train.section.scheduleLocation ?? train.section.location))
        }
    }

    /// Trains, writing the run directory as it goes (<doc:Training>).
    /// - Parameters:
    ///   - out: the run directory; `nil`: nothing is written (the trained params are in the
    ///     outcome's `parameters`).
    ///   - resume: continue the training in `out` from its newest checkpoint; a finished one
    ///     is left as it is.
    /// - Throws: `.cannotCreate` (73) for an `out` that is not a training's directory or
    ///   cannot be written; `.invalidInput` (65) for a checkpoint that does not match.
    public func run(out: String?, resume: Bool = false) throws(ConvGraphError) -> Outcome {
        switch graph.dtype {
        case .float32: try TrainingLoop<Float>(self).run(out: out, resume: resume)
        case .float64: try TrainingLoop<Double>(self).run(out: out, resume: resume)
        }
    }

    /// The default run directory, `runs/<graph>`.
    public var defaultDirectory: String { "runs/\(graph.name)" }
}
