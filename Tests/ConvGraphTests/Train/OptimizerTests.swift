import Foundation
import Testing
@testable import ConvGraph

/// SGD, Adam and AdamW (SPEC §10) against closed forms worked out by hand for the quadratic
/// loss L = ½·a·p² (gradient g = a·p), against `Scripts/optimizer-reference.py` (NumPy, float64,
/// PyTorch's operation order), and in float32 bit for bit against a scalar loop written here
/// with every operation rounded to `Float`.
@Suite struct OptimizerTests {
    /// Runs `steps` updates of `optimizer` on L = Σ ½·a·p² (g = a·p) from `p0`.
    static func descend<T: TensorScalar>(
        _ optimizer: some Optimizer, a: [T], p0: [T], steps: Int, lr: Double? = nil
    ) -> (param: [T], slots: [[T]]) {
        var p = p0
        var slots = optimizer.slotNames.map { _ in [T](repeating: 0, count: p0.count) }
        for k in 1...steps {
            let g = zip(a, p).map { $0 * $1 }
            optimizer.update(param: &p, gradient: g, slots: &slots, step: k, lr: lr ?? optimizer.learningRate)
        }
        return (p, slots)
    }

    static func close(_ x: Double, _ y: Double, rtol: Double = 1e-14) -> Bool {
        abs(x - y) <= rtol * max(abs(x), abs(y))
    }

    // MARK: SGD

    @Test func plainSGDOnAQuadraticShrinksByOneMinusLrA() {
        // 1 − lr·a = 1 − 0.25·2 = 0.5: p_k = 3·0.5^k, exact in binary.
        for k in 1...6 {
            let r = Self.descend(SGD(learningRate: 0.25), a: [2.0], p0: [3.0], steps: k)
            let expected: Double = 3 * pow(0.5, Double(k))
            #expect(r.param == [expected])
            #expect(r.slots.isEmpty)
        }
        // Inexact factors: p_k = p0·(1 − lr·a)^k up to rounding.
        let r = Self.descend(SGD(learningRate: 0.1), a: [3.0, 0.7], p0: [1.3, -2.1], steps: 5)
        let expected0: Double = 1.3 * pow(1 - 0.1 * 3.0, 5)
        let expected1: Double = -2.1 * pow(1 - 0.1 * 0.7, 5)
        #expect(Self.close(r.param[0], expected0))
        #expect(Self.close(r.param[1], expected1))
    }

    @Test func momentumBufferIsTheGradientAtTheFirstStep() {
        // p0 = 8, a = 1, lr = 0.5, μ = 0.25. k = 1: b = g = 8, p = 8 − 4 = 4.
        // k = 2: g = 4, b = 0.25·8 + 4 = 6, p = 4 − 3 = 1 = p0·((1 − lr·a)² − lr·a·μ).
        let sgd = SGD(learningRate: 0.5, momentum: 0.25)
        #expect(sgd.slotNames == ["momentum_buffer"])
        let one = Self.descend(sgd, a: [1.0], p0: [8.0], steps: 1)
        #expect(one.param == [4] && one.slots == [[8]])
        let two = Self.descend(sgd, a: [1.0], p0: [8.0], steps: 2)
        let p2: Double = 8 * ((1 - 0.5) * (1 - 0.5) - 0.5 * 0.25)
        #expect(two.param == [p2])
        #expect(two.slots == [[6]])
        // Inexact: p2 = p0·((1 − lr·a)² − lr·a·μ).
        let r = Self.descend(SGD(learningRate: 0.1, momentum: 0.9), a: [3.0], p0: [1.7], steps: 2)
        let inexact: Double = 1.7 * ((1 - 0.3) * (1 - 0.3) - 0.3 * 0.9)
        #expect(Self.close(r.param[0], inexact))
    }

    @Test func firstMomentumBufferIsACopyAndZeroDecayIsSkipped() {
        // A −0 gradient: b ← g keeps −0 (μ·0 + (−0) would give +0), and wd == 0 adds nothing
        // (−0 + 0·p would give +0).
        var p: [Double] = [5]
        var slots: [[Double]] = [[0]]
        SGD(learningRate: 0.1, momentum: 0.9).update(param: &p, gradient: [-0.0], slots: &slots, step: 1, lr: 0.1)
        #expect(slots[0][0] == 0 && slots[0][0].sign == .minus)
        #expect(p == [5])
    }

    @Test func nesterovFirstTwoStepsByHand() {
        // p0 = 8, a = 1, lr = 0.5, μ = 0.5.
        // k = 1: g = 8, b = 8, g' = g + μ·b = 12, p = 8 − 6 = 2 = p0·(1 − lr·a·(1 + μ)).
        // k = 2: g = 2, b = μ·8 + 2 = 6, g' = 2 + 3 = 5, p = 2 − 2.5 = −0.5.
        let sgd = SGD(learningRate: 0.5, momentum: 0.5, nesterov: true)
        let one = Self.descend(sgd, a: [1.0], p0: [8.0], steps: 1)
        let first: Double = 8 * (1 - 0.5 * 1 * 1.5)
        #expect(one.param == [first] && one.slots == [[8]])
        let two = Self.descend(sgd, a: [1.0], p0: [8.0], steps: 2)
        #expect(two.param == [-0.5] && two.slots == [[6]])
        // The same in closed form with inexact numbers: p1 = p0·(1 − lr·a·(1 + μ)),
        // p2 = p1 − lr·(a·p1·(1 + μ) + μ²·a·p0).
        let (p0, a, lr, mu) = (1.3, 2.5, 0.05, 0.8)
        let p1 = p0 * (1 - lr * a * (1 + mu))
        let p2 = p1 - lr * (a * p1 * (1 + mu) + mu * mu * a * p0)
        let r = Self.descend(SGD(learningRate: lr, momentum: mu, nesterov: true), a: [a], p0: [p0], steps: 2)
        #expect(Self.close(r.param[0], p2))
    }

    @Test func weightDecayAddsToTheCurvature() {
        // g + wd·p = (a + wd)·p: 1 − lr·(a + wd) = 1 − 0.25·(1.5 + 0.5) = 0.5.
        let r = Self.descend(SGD(learningRate: 0.25, weightDecay: 0.5), a: [1.5], p0: [3.0], steps: 4)
        let p4: Double = 3 * 0.0625
        #expect(r.param == [p4])
        let s = Self.descend(SGD(learningRate: 0.1, weightDecay: 0.01), a: [2.0], p0: [0.9], steps: 3)
        let p3: Double = 0.9 * pow(1 - 0.1 * 2.01, 3)
        #expect(Self.close(s.param[0], p3))
    }

    // MARK: Adam

    @Test func adamFirstStepMovesByLrTimesGOverAbsGPlusEps() {
        // k = 1: m = (1 − β1)·g, v = (1 − β2)·g², so m/(1 − β1) = g and √v/√(1 − β2) = |g|:
        // p1 = p0 − lr·g/(|g| + eps) ≈ p0 − lr·sign(g); eps matters when |g| ~ eps.
        let adam = Adam(learningRate: 0.01)
        #expect(adam.slotNames == ["exp_avg", "exp_avg_sq"])
        let g: [Double] = [2, -0.5, 1e-3, 1e-9, 0]
        var p: [Double] = [1, 1, 1, 1, 1]
        var slots: [[Double]] = [Array(repeating: 0, count: 5), Array(repeating: 0, count: 5)]
        adam.update(param: &p, gradient: g, slots: &slots, step: 1, lr: 0.01)
        for i in 0..<5 {
            let expected = 1 - 0.01 * g[i] / (abs(g[i]) + 1e-8)
            #expect(Self.close(p[i], expected), "element \(i): \(p[i]) vs \(expected)")
            let m: Double = 0.1 * g[i], v: Double = 0.001 * g[i] * g[i]
            #expect(Self.close(slots[0][i], m) && Self.close(slots[1][i], v))
        }
        #expect(p[4] == 1)  // no gradient, no move
        let moved: Double = 1 - p[3], tiny: Double = 0.01 / 11  // g = 1e-9: lr·1e-9/(1.1e-8)
        #expect(Self.close(moved, tiny, rtol: 1e-11))
    }

    @Test func adamBiasCorrectionMakesAConstantGradientMoveByTheSameStep() {
        // With g constant, m_k = (1 − β1^k)·g and v_k = (1 − β2^k)·g²: the corrected moments
        // are g and g² at every k, so p_k = p0 − k·lr·g/(|g| + eps).
        let adam = Adam(learningRate: 0.05, beta1: 0.8, beta2: 0.99, eps: 1e-6)
        let g: [Double] = [0.3, -4]
        var p: [Double] = [0, 0]
        var slots: [[Double]] = [[0, 0], [0, 0]]
        for k in 1...10 {
            adam.update(param: &p, gradient: g, slots: &slots, step: k, lr: 0.05)
            for i in 0..<2 {
                let pk: Double = -Double(k) * 0.05 * g[i] / (abs(g[i]) + 1e-6)
                let mk: Double = (1 - pow(0.8, Double(k))) * g[i]
                #expect(Self.close(p[i], pk, rtol: 1e-13))
                #expect(Self.close(slots[0][i], mk, rtol: 1e-13))
            }
        }
    }

    @Test func adamWDecaysTheParamWhereAdamAddsToTheGradient() {
        // p0 = 2, g = 0.5, wd = 0.1, lr = 0.01, first step:
        // AdamW: p1 = p0·(1 − lr·wd) − lr·g/(|g| + eps) ≈ 1.998 − 0.01 = 1.988;
        // Adam (L2): g' = g + wd·p0 = 0.7, p1 = p0 − lr·g'/(|g'| + eps) ≈ 1.99.
        func first(_ decoupled: Bool) -> Double {
            var p: [Double] = [2]
            var slots: [[Double]] = [[0], [0]]
            Adam(learningRate: 0.01, weightDecay: 0.1, decoupled: decoupled)
                .update(param: &p, gradient: [0.5], slots: &slots, step: 1, lr: 0.01)
            return p[0]
        }
        let adamW = first(true), adamL2 = first(false)
        let shrunk: Double = 2 * (1 - 0.01 * 0.1)
        let expectedW: Double = shrunk - 0.01 * 0.5 / (0.5 + 1e-8)
        let expectedL2: Double = 2 - 0.01 * 0.7 / (0.7 + 1e-8)
        #expect(Self.close(adamW, expectedW))
        #expect(Self.close(adamL2, expectedL2))
        #expect(abs(adamW - adamL2) > 1e-3)
        // With no gradient AdamW only decays: p·(1 − lr·wd), the factor rounded once.
        var p: [Double] = [2, -3]
        var slots: [[Double]] = [[0, 0], [0, 0]]
        Adam(learningRate: 0.01, weightDecay: 0.1, decoupled: true)
            .update(param: &p, gradient: [0, 0], slots: &slots, step: 1, lr: 0.01)
        let factor: Double = 1 - 0.01 * 0.1
        #expect(p == [2 * factor, -3 * factor])
    }

    @Test func theScheduleLearningRateIsTheOneUsed() {
        // The `lr` argument, not `learningRate`, scales the step: plain SGD with lr = 0.5.
        var p: [Double] = [3]
        var slots: [[Double]] = []
        SGD(learningRate: 100).update(param: &p, gradient: [2], slots: &slots, step: 1, lr: 0.5)
        #expect(p == [2])
    }

    // MARK: NumPy reference (float64)

    // Printed by `/root/anchors/bin/python Scripts/optimizer-reference.py` (numpy 2.4.6):
    // 4 steps on L = Σ ½·a·p² with a = [0.5, 2, −1.5, 3.25], p0 = [1, −0.75, 0.3, 2.5].
    static let a: [Double] = [0.5, 2.0, -1.5, 3.25]
    static let p0: [Double] = [1.0, -0.75, 0.3, 2.5]

    @Test(arguments: [
        (SGD(learningRate: 0.1, momentum: 0.9, weightDecay: 0.01) as any Optimizer,
         [0.5735908335009999, 0.23465921692425007, 0.8033990918103001, -1.7525259275600003]),
        (SGD(learningRate: 0.05, momentum: 0.8, nesterov: true),
         [0.753580400625, -0.15164171999999992, 0.5895660151875, -0.19772247646484398]),
        (Adam(learningRate: 0.01, weightDecay: 0.1),
         [0.9600239401926819, -0.710032552511205, 0.34006111876164585, 2.460009240713445]),
        (Adam(learningRate: 0.01, weightDecay: 0.1, decoupled: true),
         [0.9560924116806715, -0.7070996106850914, 0.3388014388085265, 2.450086555110787]),
        (Adam(learningRate: 0.2, beta1: 0.5, beta2: 0.75, eps: 1e-3),
         [0.2567093529519129, -0.0416825402278139, 1.1250675753479464, 1.71520571626347]),
    ])
    func fourStepsMatchTheNumPyTranscriptionOfPyTorch(optimizer: any Optimizer, expected: [Double]) {
        let r = Self.descend(optimizer, a: Self.a, p0: Self.p0, steps: 4)
        // Same operations in the same order, both IEEE float64 with glibc's pow: bit for bit.
        #expect(r.param == expected)
    }

    // MARK: Float32 rounding

    @Test func float32SGDRoundsEveryOperationToFloat() {
        for (mu, nesterov, wd) in [(0.0, false, 0.0), (0.0, false, 0.003), (0.9, false, 0.0),
                                   (0.9, true, 0.0), (0.7, true, 1e-4), (0.5, false, 0.02)] {
            let sgd = SGD(learningRate: 0.1, momentum: mu, nesterov: nesterov, weightDecay: wd)
            let (p0, gs) = FloatFixture.make()
            var p = p0
            var slots = sgd.slotNames.map { _ in [Float](repeating: 0, count: p.count) }
            var refP = p
            var refB = [Float](repeating: 0, count: p.count)
            for (k, g) in gs.enumerated() {
                let lr = 0.1 / Double(k + 1)
                let gCopy = g
                sgd.update(param: &p, gradient: g, slots: &slots, step: k + 1, lr: lr)
                #expect(g == gCopy)
                FloatFixture.referenceSGD(p: &refP, b: &refB, g: g, k: k + 1, lr: lr, mu: mu, nesterov: nesterov, wd: wd)
            }
            #expect(FloatFixture.differingBits(p, refP) == 0, "μ \(mu) nesterov \(nesterov) wd \(wd)")
            if mu != 0 { #expect(FloatFixture.differingBits(slots[0], refB) == 0) }
        }
    }

    @Test func float32AdamRoundsEveryOperationToFloat() {
        for (wd, decoupled) in [(0.0, false), (0.05, false), (0.05, true), (0.0, true)] {
            let adam = Adam(learningRate: 0.003, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: wd, decoupled: decoupled)
            let (p0, gs) = FloatFixture.make()
            var p = p0
            var slots: [[Float]] = [Array(repeating: 0, count: p.count), Array(repeating: 0, count: p.count)]
            var ref = (p: p, m: slots[0], v: slots[1])
            var viaDouble = p.map(Double.init)
            var slotsDouble: [[Double]] = [Array(repeating: 0, count: p.count), Array(repeating: 0, count: p.count)]
            for (k, g) in gs.enumerated() {
                let lr = 0.003 * (1 - Double(k) / 10)
                adam.update(param: &p, gradient: g, slots: &slots, step: k + 1, lr: lr)
                FloatFixture.referenceAdam(&ref, g: g, k: k + 1, lr: lr, wd: wd, decoupled: decoupled)
                adam.update(param: &viaDouble, gradient: g.map(Double.init), slots: &slotsDouble, step: k + 1, lr: lr)
            }
            #expect(FloatFixture.differingBits(p, ref.p) == 0, "wd \(wd) decoupled \(decoupled)")
            #expect(FloatFixture.differingBits(slots[0], ref.m) == 0)
            #expect(FloatFixture.differingBits(slots[1], ref.v) == 0)
            // Computing in Double and rounding at the end would give other bits.
            #expect(FloatFixture.differingBits(p, viaDouble.map { Float($0) }) > 0)
        }
    }

    @Test func specMapsToItsOptimizer() {
        let s = OptimizerSpec.sgd(lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 5e-4).optimizer
        #expect(s as? SGD == SGD(learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 5e-4))
        let a = OptimizerSpec.adam(lr: 0.002, beta1: 0.8, beta2: 0.99, eps: 1e-7, weightDecay: 0.01, decoupled: true).optimizer
        #expect(a as? Adam == Adam(learningRate: 0.002, beta1: 0.8, beta2: 0.99, eps: 1e-7, weightDecay: 0.01, decoupled: true))
        #expect(a.learningRate == 0.002 && s.slotNames == ["momentum_buffer"])
        #expect(OptimizerSpec.sgd(lr: 1, momentum: 0, nesterov: false, weightDecay: 0).optimizer.slotNames == [])
    }
}
