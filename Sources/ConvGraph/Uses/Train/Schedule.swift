import Foundation

extension ScheduleSpec {
    /// lr(t), the learning rate of step t (0-based), in `Double` (SPEC §10), with
    /// epoch(t) = ⌊t / stepsPerEpoch⌋:
    /// - `constant`: lr0;
    /// - `multistep`: lr0·γ^(number of milestones ≤ epoch(t)), milestones in epochs;
    /// - `cosine`: t < W: lr0·(t + 1)/W (so step W − 1 already reaches lr0); else
    ///   m + (lr0 − m)·(1 + cos(π·(t − W)/(T − W)))/2, which is lr0 at t = W, (lr0 + m)/2
    ///   halfway and tends to m at t = T (the last step, t = T − 1, stays just above m).
    ///
    /// The caller guarantees stepsPerEpoch ≥ 1 and, for `cosine`, W < T (the graph file check
    /// rejects W ≥ T with error 65); γ^n is `pow(γ, n)`.
    /// - Parameters:
    ///   - lr0: the optimizer's `lr`.
    ///   - t: the 0-based step.
    ///   - totalSteps: T, the number of steps of the whole training.
    ///   - stepsPerEpoch: ⌊S/B⌋.
    public func learningRate(base lr0: Double, step t: Int, totalSteps: Int, stepsPerEpoch: Int) -> Double {
        switch self {
        case .constant:
            return lr0
        case .multistep(let milestones, let gamma):
            let epoch = t / max(stepsPerEpoch, 1)
            let passed = milestones.count(where: { $0 <= epoch })
            return lr0 * pow(gamma, Double(passed))
        case .cosine(let warmup, let minLR):
            if t < warmup {
                return lr0 * Double(t + 1) / Double(warmup)
            }
            let span = Double(max(totalSteps - warmup, 1))
            let progress = Double(t - warmup) / span
            return minLR + (lr0 - minLR) * (1 + cos(Double.pi * progress)) / 2
        }
    }
}
