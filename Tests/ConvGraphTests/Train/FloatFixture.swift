import Foundation

/// Float32 data and scalar reference loops for `OptimizerTests`: each line is one rounding to
/// `Float`, the scalar factors computed in `Double` and converted once (SPEC §10).
enum FloatFixture {
    /// 257 params and 5 gradients of mixed magnitudes (a fixed LCG, no engine code).
    static func make() -> (param: [Float], gradients: [[Float]]) {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let unit = Float(state >> 40) / Float(1 << 24)  // [0, 1)
            let scale: Float = [1, 1e-3, 10, 1e-6][Int(state >> 20) & 3]
            return (2 * unit - 1) * scale
        }
        let p = (0..<257).map { _ in next() }
        let gs = (0..<5).map { _ in (0..<257).map { _ in next() } }
        return (p, gs)
    }

    /// How many elements differ in their bits (counts must agree).
    static func differingBits(_ x: [Float], _ y: [Float]) -> Int {
        precondition(x.count == y.count)
        return zip(x, y).count(where: { $0.bitPattern != $1.bitPattern })
    }

    static func referenceSGD(
        p: inout [Float], b: inout [Float], g: [Float], k: Int, lr: Double, mu: Double, nesterov: Bool, wd: Double
    ) {
        let lrF = Float(lr), muF = Float(mu), wdF = Float(wd)
        for i in p.indices {
            var gi = g[i]
            if wd != 0 {
                let decay: Float = wdF * p[i]
                gi = gi + decay
            }
            if mu != 0 {
                if k == 1 {
                    b[i] = gi
                } else {
                    let scaled: Float = muF * b[i]
                    b[i] = scaled + gi
                }
                if nesterov {
                    let extra: Float = muF * b[i]
                    gi = gi + extra
                } else {
                    gi = b[i]
                }
            }
            let delta: Float = lrF * gi
            p[i] = p[i] - delta
        }
    }

    static func referenceAdam(
        _ s: inout (p: [Float], m: [Float], v: [Float]), g: [Float], k: Int, lr: Double, wd: Double, decoupled: Bool
    ) {
        let beta1 = 0.9, beta2 = 0.999, eps = 1e-8
        let bc1 = 1 - pow(beta1, Double(k)), bc2 = 1 - pow(beta2, Double(k))
        let stepSize = Float(lr / bc1), bc2Sqrt = Float(bc2.squareRoot())
        for i in s.p.indices {
            var gi = g[i]
            if wd != 0 && decoupled {
                s.p[i] = s.p[i] * Float(1 - lr * wd)
            } else if wd != 0 {
                let decay: Float = Float(wd) * s.p[i]
                gi = gi + decay
            }
            let m1: Float = Float(beta1) * s.m[i]
            let m2: Float = Float(1 - beta1) * gi
            s.m[i] = m1 + m2
            let v1: Float = Float(beta2) * s.v[i]
            let v2: Float = Float(1 - beta2) * gi
            let v3: Float = v2 * gi
            s.v[i] = v1 + v3
            let root: Float = s.v[i].squareRoot()
            let scaled: Float = root / bc2Sqrt
            let denom: Float = scaled + Float(eps)
            let numerator: Float = stepSize * s.m[i]
            let delta: Float = numerator / denom
            s.p[i] = s.p[i] - delta
        }
    }
}
