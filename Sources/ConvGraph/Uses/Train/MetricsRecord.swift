/// One line of a training run's `metrics.jsonl` (SPEC §10).
public enum MetricsRecord: Sendable, Hashable {
    /// After every `log.every` steps and after the last step: `loss` is the mean of the
    /// batch losses since the previous train line.
    case train(step: Int, epoch: Int, lr: Double, loss: Double, samplesPerSecond: Double)
    /// After evaluating: `accuracy` is `nil` unless the loss is a `cross_entropy` with
    /// index targets.
    case eval(step: Int, epoch: Int, loss: Double, accuracy: Double?)

    /// The step (steps completed) the record was made after.
    public var step: Int {
        switch self {
        case .train(let step, _, _, _, _), .eval(let step, _, _, _): step
        }
    }
}
