@testable import ConvGraph
import Testing

/// `conv_transpose`'s fast routes (the conv kernels mirrored, `ConvTranspose+Fast.swift`)
/// against its reference loops, forward and every gradient, both dtypes, every ISA path and
/// 1, 2 and 8 threads (same bytes). The fast routes sum in another order than the reference
/// (col2im adds the kernel taps by row of Wᵀ·x; the stride-1 route is one FMA chain per
/// output), so they agree within a tolerance: 1e-13 (float64) and 2e-5 (float32) of the
/// largest value, as conv's fast tests. Also: the forward is the input-gradient of `conv`.
@Suite(.serialized) struct ConvTransposeFastTests {
    struct Case: CustomStringConvertible, Sendable {
        var x: Shape, w: Shape
        var op: ConvTranspose
        var description: String { "x \(x) w \(w) s \(op.stride) p \(op.padding) op \(op.outputPadding) d \(op.dilation) g \(op.groups)" }
    }

    static func make(stride: (Int, Int) = (1, 1), pads: (Int, Int, Int, Int) = (0, 0, 0, 0), outputPadding: (Int, Int) = (0, 0),
                     dilation: (Int, Int) = (1, 1), groups: Int = 1) -> ConvTranspose {
        var op = ConvTranspose()
        op.stride = Spatial(stride.0, stride.1)
        op.padding = Pads(top: pads.0, bottom: pads.1, left: pads.2, right: pads.3)
        op.outputPadding = Spatial(outputPadding.0, outputPadding.1)
        op.dilation = Spatial(dilation.0, dilation.1)
        op.groups = groups
        return op
    }

    static let cases: [Case] = [
        Case(x: [1, 1, 5, 7], w: [1, 1, 3, 3], op: make()),                                              // batch 1, one channel
        Case(x: [2, 3, 9, 11], w: [3, 5, 3, 3], op: make(pads: (1, 1, 1, 1))),                           // odd sizes
        Case(x: [2, 16, 8, 8], w: [16, 8, 2, 2], op: make(stride: (2, 2))),                              // U-Net upsampling
        Case(x: [2, 8, 7, 9], w: [8, 5, 4, 4], op: make(stride: (2, 2), pads: (1, 1, 1, 1))),            // kernel 4, stride 2
        Case(x: [3, 4, 6, 5], w: [4, 9, 2, 3], op: make(stride: (2, 3), pads: (0, 2, 1, 0), outputPadding: (1, 2))), // op = s − 1
        Case(x: [2, 6, 8, 9], w: [6, 3, 3, 3], op: make(stride: (2, 2), pads: (1, 1, 1, 1), outputPadding: (1, 1), groups: 3)),
        Case(x: [1, 8, 6, 6], w: [8, 1, 3, 3], op: make(pads: (1, 1, 1, 1), groups: 8)),                 // depthwise
        Case(x: [2, 3, 11, 12], w: [3, 4, 3, 2], op: make(pads: (2, 1, 0, 3), outputPadding: (1, 2), dilation: (2, 3))), // op < d, s = 1
        Case(x: [2, 8, 6, 6], w: [8, 8, 3, 3], op: make(stride: (2, 2), outputPadding: (2, 2), dilation: (3, 3))), // s ≤ op < d
        Case(x: [2, 300, 3, 3], w: [300, 4, 1, 1], op: make(stride: (2, 2))),                            // K = 300: two blocks
        Case(x: [1, 5, 4, 4], w: [5, 33, 5, 5], op: make(pads: (3, 3, 3, 3))),                           // padding crops 8 × 8 to 2 × 2
        Case(x: [2, 16, 7, 7], w: [16, 24, 1, 1], op: make(stride: (3, 3), outputPadding: (2, 1))),      // strided 1×1, gaps
        Case(x: [1, 3, 20, 37], w: [3, 8, 3, 3], op: make(pads: (1, 1, 1, 1))),                          // many pixel blocks
    ]

    static func random<T: TensorScalar>(_ shape: Shape, seed: UInt32) -> Tensor<T> {
        var rng = RandomState(seed: seed)
        return Tensor(shape: shape, scalars: rng.standardNormals(count: shape.count).map { T($0) })
    }

    struct Results<T: TensorScalar>: Equatable {
        var y: Tensor<T>, dx: Tensor<T>?, dw: Tensor<T>?, db: Tensor<T>?
    }

    func check<T: TensorScalar>(_: T.Type, tolerance: Double, cases: [Case]) {
        for (index, c) in cases.enumerated() {
            let seed = UInt32(index * 4)
            let x: Tensor<T> = Self.random(c.x, seed: seed), w: Tensor<T> = Self.random(c.w, seed: seed + 1)
            let b: Tensor<T> = Self.random([c.w[1] * c.op.groups], seed: seed + 2)
            let y = c.op.referenceForward(input: x, weight: w, bias: b)
            let dy: Tensor<T> = Self.random(y.shape, seed: seed + 3)
            let g = c.op.referenceBackward(input: x, weight: w, upstream: dy, wantInput: true, wantWeight: true, wantBias: true)
            var first: Results<T>?
            for path in KernelPath.available {
                KernelPath.current = path
                defer { KernelPath.current = .best }
                for threads in [1, 2, 8] {
                    let p = Parallelism(threads: threads)
                    let fy = c.op.fastForward(input: x, weight: w, bias: b, parallelism: p)
                    let fg = c.op.fastBackward(input: x, weight: w, upstream: dy, wantInput: true, wantWeight: true, wantBias: true,
                                               parallelism: p)
                    let r = Results(y: fy, dx: fg.input, dw: fg.weight, db: fg.bias)
                    #expect(ConvFastTests.error(r.y, y) <= tolerance, "y: \(c) \(path) \(threads)")
                    #expect(ConvFastTests.error(r.dx, g.input) <= tolerance, "dx: \(c) \(path) \(threads)")
                    #expect(ConvFastTests.error(r.dw, g.weight) <= tolerance, "dw: \(c) \(path) \(threads)")
                    #expect(r.db == g.bias, "db: \(c)")
                    if let first { #expect(r == first, "bytes differ: \(c) \(path) \(threads) threads") } else { first = r }
                }
            }
        }
    }

    @Test func float64MatchesReference() { check(Double.self, tolerance: 1e-13, cases: Self.cases) }
    @Test func float32MatchesReference() { check(Float.self, tolerance: 2e-5, cases: Self.cases) }

    /// 40 random geometries (seeded): kernel 1–4, stride 1–3, dilation 1–3, pads 0–2,
    /// output_padding below the stride or the dilation, groups 1–3, batch 1–2, sizes 1–12.
    static let randomCases: [Case] = {
        var rng = RandomState(seed: 2027)
        func pick(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(rng.randomSample() * Double(range.count)) }
        var cases: [Case] = []
        while cases.count < 40 {
            let groups = pick(1...3), s = (pick(1...3), pick(1...3)), d = (pick(1...3), pick(1...3))
            let op = make(stride: s, pads: (pick(0...2), pick(0...2), pick(0...2), pick(0...2)),
                          outputPadding: (pick(0...(max(s.0, d.0) - 1)), pick(0...(max(s.1, d.1) - 1))), dilation: d, groups: groups)
            let x: Shape = [pick(1...2), pick(1...4) * groups, pick(1...12), pick(1...12)]
            let w: Shape = [x[1], pick(1...5), pick(1...4), pick(1...4)]
            let size = op.outputSize(input: x, kernel: Spatial(w[2], w[3]))
            guard size.h >= 1 && size.w >= 1 else { continue }
            cases.append(Case(x: x, w: w, op: op))
        }
        return cases
    }()

    @Test func randomShapesFloat64() { check(Double.self, tolerance: 1e-13, cases: Self.randomCases) }
    @Test func randomShapesFloat32() { check(Float.self, tolerance: 2e-5, cases: Self.randomCases) }

    /// The forward equals `conv`'s input-gradient with the weight read as OIHW (the SPEC's
    /// definition), for an output_padding of 0.
    @Test func forwardIsConvInputGradient() {
        for c in Self.cases where c.op.outputPadding == Spatial(0) {
            let x: Tensor<Double> = Self.random(c.x, seed: 5), w: Tensor<Double> = Self.random(c.w, seed: 6)
            let y = c.op.referenceForward(input: x, weight: w, bias: nil)
            let geometry = Conv.Geometry(stride: c.op.stride, dilation: c.op.dilation, pads: c.op.padding, groups: c.op.groups)
            let convGrad = Conv.referenceBackward(input: Tensor(zeros: y.shape), weight: w, upstream: x, geometry: geometry,
                                                  wantInput: true, wantWeight: false, wantBias: false).input
            #expect(convGrad == y, "\(c)")
        }
    }

    /// By hand: stride 2, kernel 2 of ones on x = [[1, 2]] gives [[1, 1, 2, 2], [1, 1, 2, 2]];
    /// output_padding 1 adds a zero column and row.
    @Test func handChecked() throws {
        let inputs = [OpCheck.Literal([1, 1, 1, 2], [1, 2]), OpCheck.Literal("weight", [1, 1, 2, 2], [1, 1, 1, 1])]
        let op = try OpCheck.load("conv_transpose", "stride: 2, output_padding: 1", inputs)
        let r = OpCheck.run(op, inputs, upstream: (0..<15).map(Double.init))
        #expect(r.output.shape == [1, 1, 3, 5])
        #expect(r.output.scalars == [1, 1, 2, 2, 0, 1, 1, 2, 2, 0, 0, 0, 0, 0, 0])
        // dx[j] = Σ of dy over its 2×2 window: (0+1+5+6), (2+3+7+8).
        #expect(r.grads[0] == [12, 20])
        // dW[p, q] = Σ_j x[j]·dy[p, 2j + q]: 1·0 + 2·2, 1·1 + 2·3, 1·5 + 2·7, 1·6 + 2·8.
        #expect(r.grads[1] == [4, 7, 19, 22])
    }

    @Test func pathChoiceAndFlops() {
        let op = ConvTranspose()
        #expect(!op.usesFastPath(input: [1, 2, 3, 3], weight: [2, 2, 2, 2]))
        #expect(op.usesFastPath(input: [8, 64, 56, 56], weight: [64, 32, 2, 2]))
        #expect(op.flops(inputs: [[8, 64, 56, 56], [64, 32, 2, 2]], output: [8, 32, 112, 112]) == 2 * 8 * 64 * 56 * 56 * 32 * 4)
    }
}
