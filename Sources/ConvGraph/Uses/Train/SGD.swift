/// Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight
/// decay: `torch.optim.SGD` with dampening 0 (SPEC §10).
///
/// Per element, each operation rounding to the graph dtype `T`:
/// 1. g ← g + wd·p, skipped when wd == 0 (as PyTorch does; adding 0·p could turn −0 into +0);
/// 2. with μ > 0: b ← g at k = 1 (a copy, as PyTorch clones the gradient), else
///    b ← (μ·b) + g; then g ← g + μ·b with `nesterov`, else g ← b;
/// 3. p ← p + (−lr)·g (PyTorch's `param.add_(grad, alpha=-lr)`; bitwise equal to p − lr·g,
///    since rounding is symmetric: T(−lr) = −T(lr) and (−lr)·g = −(lr·g)).
///
/// Slots: `["momentum_buffer"]` when μ > 0, else none. `nesterov` with μ == 0 is rejected
/// when the graph file is checked (error 65), before an `SGD` exists; here it just behaves
/// like plain SGD.
public struct SGD: Optimizer, Hashable {
    public var learningRate: Double
    /// μ ≥ 0; 0 keeps no momentum buffer.
    public var momentum: Double
    public var nesterov: Bool
    /// The L2 coefficient wd added to the gradient as wd·p.
    public var weightDecay: Double

    public init(learningRate: Double, momentum: Double = 0, nesterov: Bool = false, weightDecay: Double = 0) {
        self.learningRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
    }

    public var slotNames: [String] { momentum != 0 ? ["momentum_buffer"] : [] }

    @_specialize(where T == Float) @_specialize(where T == Double)
    public func update<T: TensorScalar>(param: inout [T], gradient: [T], slots: inout [[T]], step k: Int, lr: Double) {
        checkCounts(param: param, gradient: gradient, slots: slots, step: k)
        let negativeLR = T(-lr)
        let wd = T(weightDecay)
        let decay = weightDecay != 0
        let mu = T(momentum)
        if momentum == 0 {
            param.withUnsafeMutableBufferPointer { p in
                gradient.withUnsafeBufferPointer { g in
                    if decay {
                        for i in p.indices { p[i] = p[i] + negativeLR * (g[i] + wd * p[i]) }
                    } else {
                        for i in p.indices { p[i] = p[i] + negativeLR * g[i] }
                    }
                }
            }
            return
        }
        // Move the buffer out of `slots` (no copy) so that both can be borrowed at once.
        var buffer: [T] = []
        swap(&buffer, &slots[0])
        defer { swap(&buffer, &slots[0]) }
        let first = k == 1
        let nesterov = self.nesterov
        param.withUnsafeMutableBufferPointer { p in
            gradient.withUnsafeBufferPointer { g in
                buffer.withUnsafeMutableBufferPointer { b in
                    for i in p.indices {
                        let gi = decay ? g[i] + wd * p[i] : g[i]
                        let bi = first ? gi : mu * b[i] + gi
                        b[i] = bi
                        let step = nesterov ? gi + mu * bi : bi
                        p[i] = p[i] + negativeLR * step
                    }
                }
            }
        }
    }
}
