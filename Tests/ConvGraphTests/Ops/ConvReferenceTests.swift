import ConvGraph
import Testing

/// Tests of the reference conv kernels (`Conv+Reference.swift`), the oracle of every fast
/// conv kernel: hand-checked arange cases, independent numpy results, the seed notebook's
/// numbers (SPEC §9), finite-difference gradients and Float ↔ Double agreement.
@Suite struct ConvReferenceTests {
    typealias Geometry = Conv.Geometry

    static func arange(_ shape: Shape) -> Tensor<Double> {
        Tensor(shape: shape, scalars: (0..<shape.count).map(Double.init))
    }

    static func forward(_ x: Tensor<Double>, _ w: Tensor<Double>, _ b: Tensor<Double>? = nil,
                        _ g: Geometry = Geometry()) -> Tensor<Double> {
        Conv.referenceForward(input: x, weight: w, bias: b, geometry: g)
    }

    // MARK: - Output size

    @Test func outputSizeFormula() {
        // ⌊(H+t+b−d(k−1)−1)/s⌋+1
        let g = Geometry(stride: Spatial(2, 3), dilation: Spatial(1, 2), pads: Pads(top: 1, bottom: 0, left: 2, right: 1))
        let out = Conv.outputSize(inputHeight: 5, inputWidth: 6, kernel: Spatial(2, 3), geometry: g)
        // h: (5+1+0−1−1)/2+1 = 3; w: (6+2+1−4−1)/3+1 = 2
        #expect(out == Spatial(3, 2))
        // stride larger than the kernel: (7−2)/3+1 = 2
        #expect(Conv.outputSize(inputHeight: 7, inputWidth: 7, kernel: Spatial(2), geometry: Geometry(stride: Spatial(3))) == Spatial(2))
        // the kernel does not fit: 0 (the one rule conv and pool share; callers reject it)
        let tooBig = Conv.outputSize(inputHeight: 2, inputWidth: 1, kernel: Spatial(3, 4), geometry: Geometry(stride: Spatial(2)))
        #expect(tooBig == Spatial(0, 0))
        // the seed graph: pad 2 outside, 8×8, kernel 2, stride 2 → 4
        #expect(Conv.outputSize(inputHeight: 8, inputWidth: 8, kernel: Spatial(2), geometry: Geometry(stride: Spatial(2))) == Spatial(4))
    }

    // MARK: - Hand-checked arange cases

    @Test func arangeValid() {
        // x = arange(16).reshape(1,1,4,4), w = arange(4).reshape(1,1,2,2):
        // y[i,j] = 1·x[i,j+1] + 2·x[i+1,j] + 3·x[i+1,j+1] = 24i + 6j + 24
        let y = Self.forward(Self.arange([1, 1, 4, 4]), Self.arange([1, 1, 2, 2]))
        #expect(y.shape == [1, 1, 3, 3])
        #expect(y.scalars == [24, 30, 36, 48, 54, 60, 72, 78, 84])
    }

    @Test func arangePaddedStridedWithBias() {
        // 3×3 ones kernel, pad 1, stride 2 on arange(16) 4×4, bias 0.5:
        // windows x[0...1,0...1], x[0...1,1...3], x[1...3,0...1], x[1...3,1...3] → 10, 24, 51, 90
        let w = Tensor<Double>(repeating: 1, shape: [1, 1, 3, 3])
        let b = Tensor<Double>(shape: [1], scalars: [0.5])
        let y = Self.forward(Self.arange([1, 1, 4, 4]), w, b, Geometry(stride: Spatial(2), pads: Pads(1)))
        #expect(y.shape == [1, 1, 2, 2])
        #expect(y.scalars == [10.5, 24.5, 51.5, 90.5])
    }

    @Test func arangeDilated() {
        // 2×2 ones kernel, dilation 2 on arange(25) 5×5 (x = 5i + j):
        // y[i,j] = x[i,j] + x[i,j+2] + x[i+2,j] + x[i+2,j+2] = 20i + 4j + 24
        let w = Tensor<Double>(repeating: 1, shape: [1, 1, 2, 2])
        let y = Self.forward(Self.arange([1, 1, 5, 5]), w, nil, Geometry(dilation: Spatial(2)))
        #expect(y.shape == [1, 1, 3, 3])
        #expect(y.scalars == [24, 28, 32, 44, 48, 52, 64, 68, 72])
    }

    @Test func arangeGroups() {
        // groups 2, 1×1 kernels [1] and [2]; C = O = 2: y[0] = x[0], y[1] = 2·x[1];
        // a third case with 2 filters per group: O = 4, w = [1, −1, 2, 3]
        let x = Self.arange([1, 2, 2, 2])
        let w = Tensor<Double>(shape: [2, 1, 1, 1], scalars: [1, 2])
        let y = Self.forward(x, w, nil, Geometry(groups: 2))
        #expect(y.scalars == [0, 1, 2, 3, 8, 10, 12, 14])
        let w4 = Tensor<Double>(shape: [4, 1, 1, 1], scalars: [1, -1, 2, 3])
        let y4 = Self.forward(x, w4, nil, Geometry(groups: 2))
        #expect(y4.shape == [1, 4, 2, 2])
        #expect(y4.scalars == [0, 1, 2, 3, 0, -1, -2, -3, 8, 10, 12, 14, 12, 15, 18, 21])
    }

    @Test func arangeMultiChannelSum() {
        // x = arange(8).reshape(1,2,2,2), w = ones(1,2,2,2): one output = Σx = 28, plus bias −3
        let y = Self.forward(Self.arange([1, 2, 2, 2]), Tensor(repeating: 1, shape: [1, 2, 2, 2]),
                             Tensor(shape: [1, 1, 1, 1], scalars: [-3]))
        #expect(y.shape == [1, 1, 1, 1])
        #expect(y.scalars == [25])
    }

    @Test func arangeBackwardByHand() {
        // The arangeValid case with upstream ones(1,1,3,3):
        // dx[a,b] = Σ of the kernel taps that read x[a,b];
        // dw[p,q] = Σ_{i,j<3} x[i+p, j+q] = 9·(4p+q) + 45; db = 9.
        let x = Self.arange([1, 1, 4, 4]), w = Self.arange([1, 1, 2, 2])
        let up = Tensor<Double>(repeating: 1, shape: [1, 1, 3, 3])
        let g = Conv.referenceBackward(input: x, weight: w, upstream: up, geometry: Geometry(),
                                       wantInput: true, wantWeight: true, wantBias: true)
        #expect(g.input?.scalars == [0, 1, 1, 1, 2, 6, 6, 4, 2, 6, 6, 4, 2, 5, 5, 3])
        #expect(g.weight?.scalars == [45, 54, 81, 90])
        #expect(g.weight?.shape == [1, 1, 2, 2])
        #expect(g.bias?.scalars == [9])
        #expect(g.bias?.shape == [1])
    }

    @Test func backwardComputesOnlyWhatIsAsked() {
        let x = FD.randomTensor([1, 2, 4, 4], seed: 1), w = FD.randomTensor([3, 2, 2, 2], seed: 2)
        let up = FD.randomTensor([1, 3, 3, 3], seed: 3)
        let all = Conv.referenceBackward(input: x, weight: w, upstream: up, geometry: Geometry(),
                                         wantInput: true, wantWeight: true, wantBias: true)
        for mask in 0..<8 {
            let (wi, ww, wb) = (mask & 1 != 0, mask & 2 != 0, mask & 4 != 0)
            let g = Conv.referenceBackward(input: x, weight: w, upstream: up, geometry: Geometry(),
                                           wantInput: wi, wantWeight: ww, wantBias: wb)
            #expect((g.input != nil) == wi && (g.weight != nil) == ww && (g.bias != nil) == wb)
            if wi { #expect(g.input == all.input) }
            if ww { #expect(g.weight == all.weight) }
            if wb { #expect(g.bias == all.bias) }
        }
    }

    @Test func biasShapeDoesNotMatterAndNilIsZero() {
        let x = FD.randomTensor([2, 2, 5, 5], seed: 11), w = FD.randomTensor([4, 2, 3, 3], seed: 12)
        let b = FD.randomTensor([4], seed: 13)
        let g = Geometry(pads: Pads(1))
        let flat = Self.forward(x, w, b, g)
        #expect(Self.forward(x, w, b.reshaped([1, 4, 1, 1]), g) == flat)
        #expect(Self.forward(x, w, b.reshaped([2, 2]), g) == flat)
        #expect(Self.forward(x, w, nil, g) == Self.forward(x, w, Tensor(zeros: [4]), g))
    }

    @Test func swapLeadingAxes() {
        // arange(2·3·1·2) IOHW [2,3,1,2] → OIHW [3,2,1,2]: np.arange(12).reshape(2,3,1,2).transpose(1,0,2,3)
        let w = Self.arange([2, 3, 1, 2])
        let s = Conv.swapLeadingAxes(w)
        #expect(s.shape == [3, 2, 1, 2])
        #expect(s.scalars == [0, 1, 6, 7, 2, 3, 8, 9, 4, 5, 10, 11])
        #expect(Conv.swapLeadingAxes(s) == w)
        let f = Tensor<Float>(shape: [2, 2], scalars: [1, 2, 3, 4])
        #expect(Conv.swapLeadingAxes(f).scalars == [1, 3, 2, 4])
    }

    // MARK: - Independent numpy results

    static func formula(_ shape: [Int], _ a: Int, _ b: Int, _ m: Int) -> Tensor<Double> {
        let s = Shape(shape)
        return Tensor(shape: s, scalars: (0..<s.count).map { Double((($0 * a + b) % m) - m / 2) / 4 })
    }

    @Test(arguments: ConvPadNumpyCases.conv.map(\.name))
    func matchesNumpy(_ name: String) throws {
        let c = try #require(ConvPadNumpyCases.conv.first { $0.name == name })
        let x = Self.formula(c.input, 7, 3, 11)
        let w = Self.formula(c.weight, 5, 1, 9)
        let b = c.hasBias ? Self.formula([c.weight[0]], 3, 2, 7) : nil
        let g = Geometry(stride: Spatial(c.stride.0, c.stride.1), dilation: Spatial(c.dilation.0, c.dilation.1),
                         pads: Pads(top: c.pads.0, bottom: c.pads.1, left: c.pads.2, right: c.pads.3),
                         groups: c.groups)
        let y = Self.forward(x, w, b, g)
        #expect(y.shape == Shape(c.output))
        // Inputs are multiples of 1/4 and small: every sum is exact, in any order.
        #expect(y.scalars == c.y)
        let up = Self.formula(c.output, 11, 5, 13)
        let grads = Conv.referenceBackward(input: x, weight: w, upstream: up, geometry: g,
                                           wantInput: true, wantWeight: true, wantBias: c.hasBias)
        #expect(grads.input?.scalars == c.dx)
        #expect(grads.weight?.scalars == c.dw)
        if c.hasBias { #expect(grads.bias?.scalars == c.db) } else { #expect(grads.bias == nil) }
    }

    // MARK: - The seed notebook (SPEC §9)

    @Test func seedNotebook() throws {
        let image = Tensor(shape: [10, 3, 4, 4], scalars: SeedTensors.image)
        let kernelIOHW = Tensor(shape: [3, 8, 2, 2], scalars: SeedTensors.kernel)
        let bias = Tensor(shape: [1, 8, 1, 1], scalars: SeedTensors.bias)
        let pads = Pads(2)
        let padded = Pad.referenceForward(input: image, pads: pads, mode: .constant, value: 0)
        let kernel = Conv.swapLeadingAxes(kernelIOHW)
        #expect(kernel.shape == [8, 3, 2, 2])
        let g = Geometry(stride: Spatial(2))
        let conv = Conv.referenceForward(input: padded, weight: kernel, bias: bias, geometry: g)
        #expect(conv.shape == [10, 8, 4, 4])

        func close(_ a: Double, _ b: Double, _ rel: Double = 1e-13) -> Bool {
            abs(a - b) <= rel * max(abs(a), abs(b))
        }
        func mean(_ t: Tensor<Double>) -> Double { t.scalars.reduce(0, +) / Double(t.count) }

        // conv[0,0]: border 0.3724568515114425 (the bias: the windows see only padding),
        // inner rows [2.5997336509514923, 0.9876812220804146], [2.3030972301882016, 4.016909022551844]
        let plane = Array(conv.scalars[0..<16])
        let border = 0.3724568515114425
        for k in [0, 1, 2, 3, 4, 7, 8, 11, 12, 13, 14, 15] { #expect(plane[k] == border) }
        #expect(close(plane[5], 2.5997336509514923))
        #expect(close(plane[6], 0.9876812220804146))
        #expect(close(plane[9], 2.3030972301882016))
        #expect(close(plane[10], 4.016909022551844))
        #expect(close(mean(conv), 0.07020741102320409, 1e-12))

        // backward from l2(conv): upstream = conv's value
        let grads = Conv.referenceBackward(input: padded, weight: kernel, upstream: conv, geometry: g,
                                           wantInput: true, wantWeight: true, wantBias: true)
        let dPadded = try #require(grads.input)
        let dImage = Pad.referenceBackward(upstream: dPadded, inputShape: image.shape, pads: pads, mode: .constant)
        #expect(dImage.shape == [10, 3, 4, 4])
        let dKernel = Conv.swapLeadingAxes(try #require(grads.weight))
        #expect(dKernel.shape == [3, 8, 2, 2])
        let dBias = try #require(grads.bias)
        #expect(dBias.shape == [8])
        #expect(close(mean(dImage), 0.1200770342854924, 1e-12))
        #expect(close(mean(dKernel), 1.597554753756692, 1e-12))
        #expect(close(mean(dBias), 11.233185763712534, 1e-12))
    }

    // MARK: - Finite differences

    struct FDCase: CustomTestStringConvertible, Sendable {
        var name: String
        var input: Shape
        var weight: Shape
        var geometry: Geometry
        var testDescription: String { name }
    }

    static let fdCases: [FDCase] = [
        FDCase(name: "odd sizes", input: [2, 3, 7, 5], weight: [4, 3, 3, 3],
               geometry: Geometry(pads: Pads(1))),
        FDCase(name: "asymmetric padding", input: [2, 2, 5, 6], weight: [3, 2, 2, 3],
               geometry: Geometry(pads: Pads(top: 2, bottom: 0, left: 1, right: 3))),
        FDCase(name: "stride > kernel", input: [2, 2, 9, 10], weight: [3, 2, 2, 1],
               geometry: Geometry(stride: Spatial(3, 4), pads: Pads(top: 0, bottom: 1, left: 1, right: 0))),
        FDCase(name: "dilation 2", input: [1, 2, 7, 7], weight: [2, 2, 3, 3],
               geometry: Geometry(dilation: Spatial(2), pads: Pads(2))),
        FDCase(name: "mixed stride/dilation per axis", input: [2, 2, 8, 7], weight: [2, 2, 2, 3],
               geometry: Geometry(stride: Spatial(2, 1), dilation: Spatial(1, 3), pads: Pads(top: 1, bottom: 2, left: 0, right: 3))),
        FDCase(name: "groups 2", input: [2, 4, 5, 5], weight: [6, 2, 3, 3],
               geometry: Geometry(pads: Pads(1), groups: 2)),
        FDCase(name: "depthwise", input: [2, 3, 6, 6], weight: [3, 1, 3, 3],
               geometry: Geometry(stride: Spatial(2), pads: Pads(1), groups: 3)),
        FDCase(name: "depthwise multiplier 2", input: [1, 3, 5, 5], weight: [6, 1, 2, 2],
               geometry: Geometry(groups: 3)),
        FDCase(name: "batch 1, single channel", input: [1, 1, 6, 5], weight: [1, 1, 3, 2],
               geometry: Geometry(pads: Pads(top: 1, bottom: 0, left: 0, right: 1))),
        FDCase(name: "non-square kernel 1×3", input: [2, 2, 4, 7], weight: [2, 2, 1, 3],
               geometry: Geometry(stride: Spatial(1, 2))),
        FDCase(name: "kernel covers padded input", input: [1, 2, 3, 3], weight: [2, 2, 5, 5],
               geometry: Geometry(pads: Pads(1))),
    ]

    @Test(arguments: fdCases)
    func gradientsMatchFiniteDifferences(_ c: FDCase) {
        let x = FD.randomTensor(c.input, seed: 100)
        let w = FD.randomTensor(c.weight, seed: 200)
        let b = FD.randomTensor([c.weight[0]], seed: 300)
        let g = c.geometry
        func back(_ x: Tensor<Double>, _ w: Tensor<Double>, _ up: Tensor<Double>)
            -> (input: Tensor<Double>?, weight: Tensor<Double>?, bias: Tensor<Double>?)
        {
            Conv.referenceBackward(input: x, weight: w, upstream: up, geometry: g,
                                   wantInput: true, wantWeight: true, wantBias: true)
        }
        FD.checkGradient("\(c.name) dx", input: x, upstreamSeed: 400,
                         forward: { Self.forward($0, w, b, g) },
                         analytic: { x, up in back(x, w, up).input ?? Tensor(zeros: []) })
        FD.checkGradient("\(c.name) dw", input: w, upstreamSeed: 400,
                         forward: { Self.forward(x, $0, b, g) },
                         analytic: { w, up in back(x, w, up).weight ?? Tensor(zeros: []) })
        FD.checkGradient("\(c.name) db", input: b, upstreamSeed: 400,
                         forward: { Self.forward(x, w, $0, g) },
                         analytic: { b, up in back(x, w, up).bias ?? Tensor(zeros: []) })
    }

    @Test func finiteDifferenceCheckerCatchesAWrongGradient() {
        // The checker itself: a gradient 0.1% off must be reported (as a known issue here).
        let x = FD.randomTensor([1, 1, 5, 5], seed: 1), w = FD.randomTensor([1, 1, 2, 2], seed: 2)
        let g = Geometry(stride: Spatial(2))
        var error = 0.0
        withKnownIssue {
            error = FD.checkGradient("scaled dw", input: w, upstreamSeed: 3,
                                     forward: { Self.forward(x, $0, nil, g) },
                                     analytic: { w, up in
                                         let dw = Conv.referenceBackward(input: x, weight: w, upstream: up, geometry: g,
                                                                         wantInput: false, wantWeight: true, wantBias: false).weight
                                         return Tensor(shape: w.shape, scalars: (dw?.scalars ?? []).map { $0 * 1.001 })
                                     })
        }
        #expect(error > 5e-4 && error < 2e-3)
    }

    // MARK: - Float agrees with Double

    @Test(arguments: fdCases)
    func floatMatchesDouble(_ c: FDCase) {
        // Inputs are rounded to Float first, so the two paths see the same numbers.
        let x = FD.randomTensor(c.input, seed: 7).converted(to: Float.self)
        let w = FD.randomTensor(c.weight, seed: 8).converted(to: Float.self)
        let b = FD.randomTensor([c.weight[0]], seed: 9).converted(to: Float.self)
        let xd = x.converted(to: Double.self), wd = w.converted(to: Double.self), bd = b.converted(to: Double.self)
        let g = c.geometry
        let yf = Conv.referenceForward(input: x, weight: w, bias: b, geometry: g)
        let yd = Conv.referenceForward(input: xd, weight: wd, bias: bd, geometry: g)
        #expect(Self.normwiseError(yf, yd) <= 1e-5, "forward")
        let up = FD.randomTensor(yd.shape, seed: 10).converted(to: Float.self)
        let gf = Conv.referenceBackward(input: x, weight: w, upstream: up, geometry: g,
                                        wantInput: true, wantWeight: true, wantBias: true)
        let gd = Conv.referenceBackward(input: xd, weight: wd, upstream: up.converted(to: Double.self), geometry: g,
                                        wantInput: true, wantWeight: true, wantBias: true)
        for (name, f, d) in [("dx", gf.input, gd.input), ("dw", gf.weight, gd.weight), ("db", gf.bias, gd.bias)] {
            if let f, let d {
                #expect(Self.normwiseError(f, d) <= 1e-5, "\(name)")
            } else {
                Issue.record("\(name) missing")
            }
        }
    }

    /// max |f − d| / max |d|.
    static func normwiseError(_ f: Tensor<Float>, _ d: Tensor<Double>) -> Double {
        guard f.shape == d.shape else { return .infinity }
        var diff = 0.0, scale = 0.0
        for k in 0..<d.count {
            diff = max(diff, abs(Double(f.scalars[k]) - d.scalars[k]))
            scale = max(scale, abs(d.scalars[k]))
        }
        return scale > 0 ? diff / scale : diff
    }
}
