import Foundation
import Testing
@testable import ConvGraph

/// lr(t) of SPEC §10 at hand-picked steps.
@Suite struct ScheduleTests {
    @Test func constantIsTheBaseRate() {
        for t in [0, 1, 99, 1000] {
            #expect(ScheduleSpec.constant.learningRate(base: 0.3, step: t, totalSteps: 1001, stepsPerEpoch: 7) == 0.3)
        }
    }

    @Test func multistepDropsAtTheFirstStepOfEachMilestoneEpoch() {
        // 3 steps per epoch, milestones at epochs 2 and 4, γ = 0.5: epoch(t) = ⌊t/3⌋.
        let s = ScheduleSpec.multistep(milestones: [2, 4], gamma: 0.5)
        let expected: [(t: Int, lr: Double)] = [
            (0, 0.8), (5, 0.8),      // epochs 0 and 1
            (6, 0.4), (11, 0.4),     // epoch 2 is the first milestone: one factor
            (12, 0.2), (40, 0.2),    // epoch 4 onward: two factors
        ]
        for (t, lr) in expected {
            #expect(s.learningRate(base: 0.8, step: t, totalSteps: 50, stepsPerEpoch: 3) == lr, "t = \(t)")
        }
        // γ = 0.1 (the default): lr0·0.1^n.
        let d = ScheduleSpec.multistep(milestones: [1, 2, 3], gamma: 0.1)
        #expect(d.learningRate(base: 2, step: 9, totalSteps: 10, stepsPerEpoch: 3) == 2 * pow(0.1, 3.0) as Double)
        #expect(d.learningRate(base: 2, step: 2, totalSteps: 10, stepsPerEpoch: 3) == 2)
    }

    @Test func cosineWarmsUpLinearlyThenFallsToTheMinimum() {
        // W = 4, T = 14, lr0 = 0.1, m = 0.001.
        let s = ScheduleSpec.cosine(warmup: 4, minLR: 0.001)
        func lr(_ t: Int) -> Double { s.learningRate(base: 0.1, step: t, totalSteps: 14, stepsPerEpoch: 5) }
        let ramp: [Double] = [0.1 * 1 / 4, 0.1 * 2 / 4]
        #expect(lr(0) == ramp[0])
        #expect(lr(1) == ramp[1])
        #expect(lr(3) == 0.1)  // the last warmup step reaches lr0
        #expect(abs(lr(4) - 0.1) < 1e-16)  // t = W: cos 0 = 1
        let midpoint: Double = (0.1 + 0.001) / 2
        #expect(abs(lr(9) - midpoint) < 1e-16)  // halfway, t − W = (T − W)/2
        // The last step: m + (lr0 − m)·(1 + cos(0.9π))/2 with cos(0.9π) = −cos(0.1π).
        let cos01pi: Double = (10 + 2 * 5.0.squareRoot()).squareRoot() / 4  // cos 18°
        let last: Double = 0.001 + 0.099 * (1 - cos01pi) / 2
        #expect(abs(lr(13) - last) < 1e-16)
        // Toward t = T the rate tends to m.
        #expect(abs(lr(14) - 0.001) < 1e-16)
        for t in 4..<13 { #expect(lr(t + 1) < lr(t)) }
    }

    @Test func cosineWithoutWarmupStartsAtTheBaseRate() {
        let s = ScheduleSpec.cosine(warmup: 0, minLR: 0)
        #expect(s.learningRate(base: 0.5, step: 0, totalSteps: 100, stepsPerEpoch: 10) == 0.5)
        #expect(abs(s.learningRate(base: 0.5, step: 50, totalSteps: 100, stepsPerEpoch: 10) - 0.25) < 1e-16)
        // A quarter of the way: (1 + cos(π/4))/2 = (2 + √2)/4.
        let quarter: Double = 0.5 * (2 + 2.0.squareRoot()) / 4
        #expect(abs(s.learningRate(base: 0.5, step: 25, totalSteps: 100, stepsPerEpoch: 10) - quarter) < 1e-16)
    }
}
