import ConvGraph
import Testing

/// Tests of the reference pad kernels (`Pad+Reference.swift`): hand-checked cases (numpy
/// one-liners in the comments), independent numpy results, and finite-difference gradients.
@Suite struct PadReferenceTests {
    /// x = np.arange(6.).reshape(1,1,2,3) = [[0 1 2] [3 4 5]]
    static let x23 = Tensor<Double>(shape: [1, 1, 2, 3], scalars: [0, 1, 2, 3, 4, 5])
    static func ones(_ shape: Shape) -> Tensor<Double> { Tensor(repeating: 1, shape: shape) }

    static func pads(_ t: Int, _ b: Int, _ l: Int, _ r: Int) -> Pads {
        Pads(top: t, bottom: b, left: l, right: r)
    }

    @Test func outputShape() {
        #expect(Pad.outputShape(input: [2, 3, 4, 5], pads: Self.pads(1, 2, 3, 4)) == [2, 3, 7, 12])
        #expect(Pad.outputShape(input: [1, 1, 1, 1], pads: .zero) == [1, 1, 1, 1])
    }

    @Test func constantAsymmetric() {
        // np.pad(x, ((0,0),(0,0),(1,1),(0,1)), constant_values=7)
        let y = Pad.referenceForward(input: Self.x23, pads: Self.pads(1, 1, 0, 1), mode: .constant, value: 7)
        #expect(y.shape == [1, 1, 4, 4])
        #expect(y.scalars == [7, 7, 7, 7, 0, 1, 2, 7, 3, 4, 5, 7, 7, 7, 7, 7])
        // backward crops: the interior of arange(16)
        let up = Tensor<Double>(shape: [1, 1, 4, 4], scalars: (0..<16).map(Double.init))
        let dx = Pad.referenceBackward(upstream: up, inputShape: Self.x23.shape, pads: Self.pads(1, 1, 0, 1), mode: .constant)
        #expect(dx.scalars == [4, 5, 6, 8, 9, 10])
    }

    @Test func reflectAsymmetric() {
        // np.pad(x, ((0,0),(0,0),(1,0),(2,1)), mode='reflect'): rows [1 0 1], cols [2 1 0 1 2 1]
        let p = Self.pads(1, 0, 2, 1)
        let y = Pad.referenceForward(input: Self.x23, pads: p, mode: .reflect, value: 0)
        #expect(y.shape == [1, 1, 3, 6])
        #expect(y.scalars == [5, 4, 3, 4, 5, 4, 2, 1, 0, 1, 2, 1, 5, 4, 3, 4, 5, 4])
        // ones upstream: each cell gets (times its row is read)·(times its column is read):
        // rows read [1, 2] times, cols [1, 3, 2] times
        let dx = Pad.referenceBackward(upstream: Self.ones(y.shape), inputShape: Self.x23.shape, pads: p, mode: .reflect)
        #expect(dx.scalars == [1, 3, 2, 2, 6, 4])
    }

    @Test func reflectPadIsDimMinusOne() {
        // np.pad(x, ((0,0),(0,0),(1,1),(2,2)), mode='reflect') — pad = dim − 1 on both axes
        let p = Pads(top: 1, bottom: 1, left: 2, right: 2)
        let y = Pad.referenceForward(input: Self.x23, pads: p, mode: .reflect, value: 0)
        #expect(y.shape == [1, 1, 4, 7])
        #expect(y.scalars == [5, 4, 3, 4, 5, 4, 3, 2, 1, 0, 1, 2, 1, 0, 5, 4, 3, 4, 5, 4, 3, 2, 1, 0, 1, 2, 1, 0])
        // rows read [2, 2] times, cols [2, 3, 2]
        let dx = Pad.referenceBackward(upstream: Self.ones(y.shape), inputShape: Self.x23.shape, pads: p, mode: .reflect)
        #expect(dx.scalars == [4, 6, 4, 4, 6, 4])
    }

    @Test func edgeAsymmetric() {
        // np.pad(x, ((0,0),(0,0),(0,2),(1,0)), mode='edge')
        let p = Self.pads(0, 2, 1, 0)
        let y = Pad.referenceForward(input: Self.x23, pads: p, mode: .edge, value: 0)
        #expect(y.shape == [1, 1, 4, 4])
        #expect(y.scalars == [0, 0, 1, 2, 3, 3, 4, 5, 3, 3, 4, 5, 3, 3, 4, 5])
        // rows read [1, 3] times, cols [2, 1, 1]
        let dx = Pad.referenceBackward(upstream: Self.ones(y.shape), inputShape: Self.x23.shape, pads: p, mode: .edge)
        #expect(dx.scalars == [2, 1, 1, 6, 3, 3])
    }

    @Test(arguments: Pad.Mode.allCases)
    func zeroPadsIsIdentity(_ mode: Pad.Mode) {
        let x = FD.randomTensor([2, 3, 4, 5], seed: 5)
        #expect(Pad.referenceForward(input: x, pads: .zero, mode: mode, value: 9) == x)
        #expect(Pad.referenceBackward(upstream: x, inputShape: x.shape, pads: .zero, mode: mode) == x)
    }

    @Test func edgeOnSingleCell() {
        // np.pad(np.array([[[[2.]]]]), ((0,0),(0,0),(1,2),(2,0)), mode='edge') = 2 everywhere
        let x = Tensor<Float>(shape: [1, 1, 1, 1], scalars: [2])
        let p = Self.pads(1, 2, 2, 0)
        let y = Pad.referenceForward(input: x, pads: p, mode: .edge, value: 0)
        #expect(y.shape == [1, 1, 4, 3])
        #expect(y.scalars == [Float](repeating: 2, count: 12))
        let dx = Pad.referenceBackward(upstream: Tensor<Float>(repeating: 0.5, shape: y.shape), inputShape: x.shape,
                                       pads: p, mode: .edge)
        #expect(dx.scalars == [6])
    }

    @Test func planesAreIndependent() {
        // N = 2, C = 2: each plane padded on its own (reflect), np.pad on axes 2, 3 only
        let x = Tensor<Double>(shape: [2, 2, 2, 2], scalars: (0..<16).map(Double.init))
        let y = Pad.referenceForward(input: x, pads: Self.pads(0, 1, 1, 0), mode: .reflect, value: 0)
        #expect(y.shape == [2, 2, 3, 3])
        // plane k: [[b a b] [d c d] [b a b]] with a..d = 4k ... 4k+3
        var expected: [Double] = []
        for k in 0..<4 {
            let a = Double(4 * k)
            expected += [a + 1, a, a + 1, a + 3, a + 2, a + 3, a + 1, a, a + 1]
        }
        #expect(y.scalars == expected)
    }

    // MARK: - Independent numpy results

    static func formula(_ shape: Shape, _ a: Int, _ b: Int, _ m: Int) -> Tensor<Double> {
        Tensor(shape: shape, scalars: (0..<shape.count).map { Double((($0 * a + b) % m) - m / 2) / 4 })
    }

    @Test(arguments: ConvPadNumpyCases.pad.map(\.name))
    func matchesNumpy(_ name: String) throws {
        let c = try #require(ConvPadNumpyCases.pad.first { $0.name == name })
        let mode = try #require(Pad.Mode(rawValue: c.mode))
        let p = Self.pads(c.pads.0, c.pads.1, c.pads.2, c.pads.3)
        let x = Self.formula(Shape(c.input), 7, 3, 11)
        let y = Pad.referenceForward(input: x, pads: p, mode: mode, value: c.value)
        #expect(y.scalars == c.y)
        let up = Self.formula(y.shape, 11, 5, 13)
        let dx = Pad.referenceBackward(upstream: up, inputShape: x.shape, pads: p, mode: mode)
        #expect(dx.scalars == c.dx)
    }

    // MARK: - Finite differences

    struct FDCase: CustomTestStringConvertible, Sendable {
        var name: String
        var input: Shape
        var pads: Pads
        var mode: Pad.Mode
        var testDescription: String { name }
    }

    static let fdCases: [FDCase] = [
        FDCase(name: "constant asymmetric", input: [2, 2, 3, 4], pads: pads(1, 0, 3, 2), mode: .constant),
        FDCase(name: "reflect asymmetric", input: [2, 2, 4, 5], pads: pads(3, 1, 0, 2), mode: .reflect),
        FDCase(name: "reflect pad = dim − 1", input: [1, 2, 3, 4], pads: pads(2, 2, 3, 3), mode: .reflect),
        FDCase(name: "edge asymmetric", input: [2, 1, 3, 3], pads: pads(0, 4, 2, 0), mode: .edge),
        FDCase(name: "edge single row", input: [1, 2, 1, 4], pads: pads(2, 1, 1, 1), mode: .edge),
    ]

    @Test(arguments: fdCases)
    func gradientsMatchFiniteDifferences(_ c: FDCase) {
        let x = FD.randomTensor(c.input, seed: 42)
        FD.checkGradient(c.name, input: x, upstreamSeed: 43,
                         forward: { Pad.referenceForward(input: $0, pads: c.pads, mode: c.mode, value: 0.25) },
                         analytic: { x, up in Pad.referenceBackward(upstream: up, inputShape: x.shape, pads: c.pads, mode: c.mode) })
    }

    @Test(arguments: Pad.Mode.allCases)
    func floatMatchesDouble(_ mode: Pad.Mode) {
        // pad is a pure copy / sum of copies: Float equals Double up to the final rounding
        let xd = FD.randomTensor([2, 2, 4, 3], seed: 3)
        let x = xd.converted(to: Float.self)
        let p = Self.pads(1, 2, 2, 1)
        let yf = Pad.referenceForward(input: x, pads: p, mode: mode, value: Float(0.1))
        let yd = Pad.referenceForward(input: x.converted(to: Double.self), pads: p, mode: mode, value: Double(Float(0.1)))
        #expect(yf == yd.converted(to: Float.self))
        let up = FD.randomTensor(yd.shape, seed: 4).converted(to: Float.self)
        let df = Pad.referenceBackward(upstream: up, inputShape: x.shape, pads: p, mode: mode)
        let dd = Pad.referenceBackward(upstream: up.converted(to: Double.self), inputShape: x.shape, pads: p, mode: mode)
        for k in 0..<dd.count {
            #expect(abs(Double(df.scalars[k]) - dd.scalars[k]) <= 1e-6 * max(1, abs(dd.scalars[k])))
        }
    }
}
