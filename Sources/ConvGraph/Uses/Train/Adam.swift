import Foundation

/// Adam, or AdamW when `decoupled` (SPEC §10): `torch.optim.Adam` / `AdamW` on their
/// single-tensor path (no amsgrad, not capturable, not maximizing).
///
/// Scalars in `Double`: bc1 = 1 − β1^k and bc2 = 1 − β2^k (`pow`), stepSize = lr / bc1,
/// √bc2 (`squareRoot`, correctly rounded; PyTorch writes `bc2 ** 0.5`), and 1 − lr·wd. Each is
/// converted to the graph dtype `T` once. Then per element, each operation rounding to `T`:
/// 1. decoupled: p ← p·(1 − lr·wd); otherwise g ← g + wd·p. Both are skipped when wd == 0
///    (as in PyTorch: p·1 changes nothing, and g + 0·p could turn −0 into +0);
/// 2. m ← (β1·m) + ((1 − β1)·g) — SPEC §10's formula as written. PyTorch computes
///    `exp_avg.lerp_(grad, 1 - beta1)`, i.e. m + (1 − β1)·(g − m), which can differ in the
///    last bit; SPEC is the contract;
/// 3. v ← (β2·v) + (((1 − β2)·g)·g) — PyTorch's `mul_(beta2).addcmul_(grad, grad,
///    value=1-beta2)`, whose kernel multiplies left to right;
/// 4. denom ← (√v / √bc2) + eps;
/// 5. p ← p + ((−stepSize)·m) / denom — PyTorch's `addcdiv_(exp_avg, denom,
///    value=-step_size)`, whose kernel computes `self + value * t1 / t2` left to right
///    (bitwise equal to p − (stepSize·m)/denom).
///
/// Slots: `["exp_avg", "exp_avg_sq"]` (m, v).
public struct Adam: Optimizer, Hashable {
    public var learningRate: Double
    public var beta1: Double
    public var beta2: Double
    public var eps: Double
    public var weightDecay: Double
    /// AdamW: decay the param by 1 − lr·wd instead of adding wd·p to the gradient.
    public var decoupled: Bool

    /// The defaults are PyTorch's (and SPEC §10's) for `adam`; `adamw`'s weight decay
    /// default, 0.01, is the graph file decoder's business.
    public init(
        learningRate: Double = 0.001, beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8,
        weightDecay: Double = 0, decoupled: Bool = false
    ) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.weightDecay = weightDecay
        self.decoupled = decoupled
    }

    public var slotNames: [String] { ["exp_avg", "exp_avg_sq"] }

    /// The scalar factors of step k, in `Double` (exposed for tests and reports).
    public func factors(step k: Int, lr: Double) -> (stepSize: Double, biasCorrection2Sqrt: Double) {
        let bc1 = 1 - pow(beta1, Double(k))
        let bc2 = 1 - pow(beta2, Double(k))
        return (lr / bc1, bc2.squareRoot())
    }

    @_specialize(where T == Float) @_specialize(where T == Double)
    public func update<T: TensorScalar>(param: inout [T], gradient: [T], slots: inout [[T]], step k: Int, lr: Double) {
        checkCounts(param: param, gradient: gradient, slots: slots, step: k)
        let (stepSize, bc2SqrtDouble) = factors(step: k, lr: lr)
        let negativeStepSize = T(-stepSize)
        let bc2Sqrt = T(bc2SqrtDouble)
        let epsT = T(eps)
        let b1 = T(beta1), oneMinusB1 = T(1 - beta1)
        let b2 = T(beta2), oneMinusB2 = T(1 - beta2)
        let decay = weightDecay != 0
        let l2 = decay && !decoupled
        let wd = T(weightDecay)
        let decoupledDecay = decay && decoupled
        let shrink = T(1 - lr * weightDecay)

        // Move the buffers out of `slots` (no copy) so that all can be borrowed at once.
        var expAvg: [T] = [], expAvgSq: [T] = []
        swap(&expAvg, &slots[0])
        swap(&expAvgSq, &slots[1])
        defer {
            swap(&expAvg, &slots[0])
            swap(&expAvgSq, &slots[1])
        }
        param.withUnsafeMutableBufferPointer { p in
            gradient.withUnsafeBufferPointer { g in
                expAvg.withUnsafeMutableBufferPointer { m in
                    expAvgSq.withUnsafeMutableBufferPointer { v in
                        for i in p.indices {
                            let pi = decoupledDecay ? p[i] * shrink : p[i]
                            let gi = l2 ? g[i] + wd * pi : g[i]
                            let mi = b1 * m[i] + oneMinusB1 * gi
                            let vi = b2 * v[i] + oneMinusB2 * gi * gi
                            m[i] = mi
                            v[i] = vi
                            let denom = vi.squareRoot() / bc2Sqrt + epsT
                            p[i] = pi + negativeStepSize * mi / denom
                        }
                    }
                }
            }
        }
    }
}
