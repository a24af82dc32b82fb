/// An optimizer's arithmetic (SPEC §10): a value holding hyperparameters; the per-param state
/// lives in explicit slots the caller owns, so a step is a function call and a checkpoint is
/// the slots (`optimizer/<node>.<slot>.npy`) plus the step.
///
/// Rounding: the scalar factors (lr, 1 − β^k, their square roots, 1 − lr·wd, …) are computed
/// in `Double`, converted to the graph dtype `T` once, and then every elementwise operation
/// rounds to `T` (no fused multiply-add). The rules are PyTorch's `torch.optim` ones with
/// k = t + 1.
public protocol Optimizer: Sendable {
    /// The base learning rate lr0.
    var learningRate: Double { get }
    /// The names of this optimizer's per-param state slots, in order (PyTorch's `state_dict`
    /// names): sgd with momentum `["momentum_buffer"]`, without `[]`; adam and adamw
    /// `["exp_avg", "exp_avg_sq"]`.
    var slotNames: [String] { get }
    /// One update of one param in place.
    ///
    /// - Parameters:
    ///   - param: the param's values, updated in place.
    ///   - gradient: the loss's gradient for `param`, same count; never modified.
    ///   - slots: `slots[i]` is the buffer for `slotNames[i]`, same count as `param`, all
    ///     zeros before step k = 1; updated in place.
    ///   - k: the 1-based step (k = t + 1), k ≥ 1.
    ///   - lr: lr(t) from the schedule.
    ///
    /// Counts that disagree are a programming error (a precondition), never user input.
    /// - Complexity: O(n) in `param.count`, with no allocation.
    func update<T: TensorScalar>(param: inout [T], gradient: [T], slots: inout [[T]], step k: Int, lr: Double)
}

extension OptimizerSpec {
    /// The optimizer value for this spec.
    public var optimizer: any Optimizer {
        switch self {
        case .sgd(let lr, let momentum, let nesterov, let weightDecay):
            SGD(learningRate: lr, momentum: momentum, nesterov: nesterov, weightDecay: weightDecay)
        case .adam(let lr, let beta1, let beta2, let eps, let weightDecay, let decoupled):
            Adam(
                learningRate: lr, beta1: beta1, beta2: beta2, eps: eps, weightDecay: weightDecay,
                decoupled: decoupled)
        }
    }
}

extension Optimizer {
    /// Checks the shapes `update` was handed (the caller's contract).
    func checkCounts<T>(param: [T], gradient: [T], slots: [[T]], step k: Int) {
        precondition(gradient.count == param.count, "gradient count \(gradient.count) != param count \(param.count)")
        precondition(slots.count == slotNames.count, "\(slots.count) slots given, \(slotNames.count) expected")
        for slot in slots {
            precondition(slot.count == param.count, "slot count \(slot.count) != param count \(param.count)")
        }
        precondition(k >= 1, "step k = \(k) must be 1-based")
    }
}
