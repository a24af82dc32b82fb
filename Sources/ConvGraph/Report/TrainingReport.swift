#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The lines `convgraph train` prints (SPEC §10).
public enum TrainingReport {
    /// After each evaluation, on stdout:
    /// `epoch 3/20  loss 0.1234  eval loss 0.0987  accuracy 97.2%` (no accuracy without one).
    public static func evaluationLine(_ record: MetricsRecord, totalEpochs: Int, trainLoss: Double) -> String {
        guard case .eval(_, let epoch, let loss, let accuracy) = record else { return "" }
        var line = "epoch \(epoch)/\(totalEpochs)  loss \(fixed(trainLoss, 4))  eval loss \(fixed(loss, 4))"
        if let accuracy { line += "  accuracy \(fixed(accuracy * 100, 1))%" }
        return line
    }

    /// The live progress line on a terminal: epoch, step, loss, samples/s, time left.
    public static func progressLine(_ step: Trainer.Step) -> String {
        let left = Int(step.secondsLeft.rounded(.up))
        return "epoch \(step.epoch)/\(step.totalEpochs)  step \(step.step)/\(step.totalSteps)  loss \(fixed(step.loss, 4))  "
            + "\(fixed(step.samplesPerSecond, 0)) samples/s  \(left / 60):\(left % 60 < 10 ? "0" : "")\(left % 60) left"
    }

    /// The line after training: where the run went, and its final numbers.
    public static func summaryLine(_ outcome: Trainer.Outcome) -> String {
        if outcome.alreadyFinished { return "the training in \(outcome.directory ?? ".") has already finished; nothing to do" }
        var line = "trained \(outcome.steps) steps (\(outcome.epochs) epochs) in \(fixed(outcome.trainMilliseconds / 1000, 1)) s"
        if let loss = outcome.trainLoss { line += ", loss \(fixed(loss, 4))" }
        if let loss = outcome.evalLoss { line += ", eval loss \(fixed(loss, 4))" }
        if let accuracy = outcome.evalAccuracy { line += ", accuracy \(fixed(accuracy * 100, 1))%" }
        if let directory = outcome.directory { line += "; wrote \(directory)" }
        return line
    }

    /// `value` with `digits` decimals, independent of the locale.
    static func fixed(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf") }
        var buffer = [CChar](repeating: 0, count: 64)
        _ = withVaList([digits, value]) { vsnprintf(&buffer, 64, "%.*f", $0) }
        return String(cString: buffer)
    }
}
