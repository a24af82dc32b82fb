/// The `train` section of a graph file (SPEC §10), decoded and type-checked but with node
/// names still unresolved. Each value keeps its position for later diagnostics.
public struct TrainSection: Sendable {
    /// One `.npy` file named in `data` (or `eval.data`): the input node it feeds.
    public struct DataFile: Sendable {
        public var node: GraphFile.Name
        /// As written (relative paths resolve against the graph file's folder).
        public var path: String
        /// Where the path is written.
        public var pathLocation: SourceLocation
    }

    /// How long training runs: exactly one of `epochs` and `steps`.
    public enum Length: Sendable, Hashable {
        case epochs(Int)
        case steps(Int)
    }

    /// Where `train:` is written.
    public var location: SourceLocation
    public var data: [DataFile]
    public var length: Length
    public var lengthLocation: SourceLocation
    /// `shuffle` (default true).
    public var shuffle: Bool
    /// The data order's seed; `nil`: the graph's seed.
    public var seed: UInt32?
    public var optimizer: OptimizerSpec
    public var optimizerLocation: SourceLocation
    /// Default `.constant`.
    public var schedule: ScheduleSpec
    public var scheduleLocation: SourceLocation?
    /// `eval.data`; `nil` when there is no `eval`.
    public var evalData: [DataFile]?
    /// `eval.every`, in epochs (default 1).
    public var evalEvery: Int
    /// `checkpoint.every`, in epochs (default 1).
    public var checkpointEvery: Int
    /// `checkpoint.keep`: the newest `keep` checkpoints are kept (default 2).
    public var checkpointKeep: Int
    /// `log.every`, in steps (default 10).
    public var logEvery: Int
    /// Where the `data` mapping is written.
    public var dataLocation: SourceLocation? = nil
    /// Where the `eval.data` mapping is written.
    public var evalDataLocation: SourceLocation? = nil
    /// Where `cosine.warmup` is written (with `epochs`, W < T is checked once the data's
    /// sample count is known).
    public var warmupLocation: SourceLocation? = nil
    /// Where `multistep.milestones` is written.
    public var milestonesLocation: SourceLocation? = nil
}

/// An optimizer and its hyperparameters as the graph file writes them (SPEC §10). The
/// arithmetic lives in `Uses/Train` (`SGD`, `Adam`).
public enum OptimizerSpec: Sendable, Hashable {
    /// `sgd: {lr (required), momentum: 0, nesterov: false, weight_decay: 0}`.
    case sgd(lr: Double, momentum: Double, nesterov: Bool, weightDecay: Double)
    /// `adam` (`decoupled: false`, weight_decay default 0) or `adamw` (`decoupled: true`,
    /// weight_decay default 0.01): `{lr: 0.001, betas: [0.9, 0.999], eps: 1e-8, weight_decay}`.
    case adam(lr: Double, beta1: Double, beta2: Double, eps: Double, weightDecay: Double, decoupled: Bool)

    /// The base learning rate lr0 the schedule scales.
    public var learningRate: Double {
        switch self {
        case .sgd(let lr, _, _, _), .adam(let lr, _, _, _, _, _): lr
        }
    }
}

/// A learning-rate schedule as the graph file writes it (SPEC §10); `lr(t)` is in
/// `Uses/Train/Schedule.swift`.
public enum ScheduleSpec: Sendable, Hashable {
    case constant
    /// Milestones in epochs, strictly increasing; lr0·γ^(milestones ≤ epoch(t)).
    case multistep(milestones: [Int], gamma: Double)
    /// Linear warmup over `warmup` steps, then cosine from lr0 to `minLR`.
    case cosine(warmup: Int, minLR: Double)
}
