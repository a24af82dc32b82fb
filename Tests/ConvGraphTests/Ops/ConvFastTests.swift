@testable import ConvGraph
import Testing

/// The fast conv kernels (`Conv+Fast.swift`, `Sources/CKernels`) against the reference
/// loops: forward and every gradient, float32 and float64, on shapes that hit every edge
/// (sizes not divisible by the register tile, stride > kernel, dilation, groups,
/// asymmetric padding, batch 1, one channel, reduction and pixel blocks split). Also: the
/// bytes do not depend on the thread count or on the instruction-set path.
@Suite(.serialized) struct ConvFastTests {
    struct Case: CustomStringConvertible, Sendable {
        var x: Shape, w: Shape
        var geometry: Conv.Geometry
        var description: String { "x \(x) w \(w) \(geometry)" }
    }

    static func g(stride: (Int, Int) = (1, 1), dilation: (Int, Int) = (1, 1), pads: (Int, Int, Int, Int) = (0, 0, 0, 0), groups: Int = 1) -> Conv.Geometry {
        Conv.Geometry(stride: Spatial(stride.0, stride.1), dilation: Spatial(dilation.0, dilation.1),
                      pads: Pads(top: pads.0, bottom: pads.1, left: pads.2, right: pads.3), groups: groups)
    }

    static let cases: [Case] = [
        Case(x: [1, 1, 5, 7], w: [1, 1, 3, 3], geometry: g()),                                    // batch 1, one channel
        Case(x: [2, 3, 9, 11], w: [5, 3, 3, 3], geometry: g(pads: (1, 1, 1, 1))),                 // odd sizes, pad
        Case(x: [3, 4, 13, 10], w: [9, 4, 2, 3], geometry: g(stride: (2, 3), pads: (0, 2, 1, 0))), // asymmetric pad, stride
        Case(x: [2, 2, 12, 12], w: [3, 2, 2, 2], geometry: g(stride: (4, 5))),                     // stride > kernel
        Case(x: [2, 3, 11, 12], w: [4, 3, 3, 2], geometry: g(dilation: (2, 3), pads: (2, 1, 0, 3))), // dilation
        Case(x: [2, 6, 8, 9], w: [9, 2, 3, 3], geometry: g(pads: (1, 1, 1, 1), groups: 3)),       // groups
        Case(x: [1, 8, 6, 6], w: [8, 1, 3, 3], geometry: g(pads: (1, 1, 1, 1), groups: 8)),       // depthwise
        Case(x: [2, 31, 9, 8], w: [17, 31, 3, 3], geometry: g(pads: (1, 1, 1, 1))),               // K = 279: two reduction blocks
        Case(x: [1, 3, 40, 37], w: [8, 3, 3, 3], geometry: g(pads: (1, 1, 1, 1))),                // 1480 pixels: several pixel blocks
        Case(x: [2, 4, 5, 5], w: [300, 4, 1, 1], geometry: g()),                                   // 300 outputs: two blocks in dx
        Case(x: [5, 3, 6, 7], w: [33, 3, 5, 5], geometry: g(pads: (4, 4, 4, 4))),                // more pad than image, 5 chunks of dw
        Case(x: [2, 16, 7, 7], w: [24, 16, 1, 1], geometry: g(stride: (2, 2))),                   // strided 1×1
        Case(x: [1, 2, 3, 50], w: [3, 2, 3, 1], geometry: g(pads: (1, 1, 0, 0), groups: 1)),      // one output row spans panels
        Case(x: [2, 5, 21, 70], w: [7, 5, 5, 5], geometry: g(stride: (2, 2), pads: (2, 2, 2, 2))), // stride-2 packing, wide rows
        Case(x: [1, 3, 15, 41], w: [4, 3, 3, 3], geometry: g(stride: (1, 2), dilation: (1, 2), pads: (1, 1, 0, 3))), // stride 2, dilated
        Case(x: [2, 4, 9, 19], w: [6, 2, 3, 3], geometry: g(stride: (2, 2), pads: (1, 0, 1, 0), groups: 2)), // stride 2, narrow rows, groups
    ]

    static func random<T: TensorScalar>(_ shape: Shape, seed: UInt32) -> Tensor<T> {
        var rng = RandomState(seed: seed)
        return Tensor(shape: shape, scalars: rng.standardNormals(count: shape.count).map { T($0) })
    }

    /// max |a − b| / max(1, max |b|).
    static func error<T: TensorScalar>(_ a: Tensor<T>?, _ b: Tensor<T>?) -> Double {
        guard let a, let b else { return a == nil && b == nil ? 0 : .infinity }
        guard a.shape == b.shape else { return .infinity }
        var worst = 0.0, scale = 1.0
        for (x, y) in zip(a.scalars, b.scalars) {
            worst = max(worst, abs(Double(x) - Double(y)))
            scale = max(scale, abs(Double(y)))
        }
        return worst / scale
    }

    struct Results<T: TensorScalar>: Equatable {
        var y: Tensor<T>, dx: Tensor<T>?, dw: Tensor<T>?, db: Tensor<T>?
    }

    static func fast<T: TensorScalar>(_ c: Case, _ x: Tensor<T>, _ w: Tensor<T>, _ b: Tensor<T>, _ dy: Tensor<T>, threads: Int) -> Results<T> {
        let p = Parallelism(threads: threads)
        let y = Conv.fastForward(input: x, weight: w, bias: b, geometry: c.geometry, parallelism: p)
        let grads = Conv.fastBackward(input: x, weight: w, upstream: dy, geometry: c.geometry,
                                      wantInput: true, wantWeight: true, wantBias: true, parallelism: p)
        return Results(y: y, dx: grads.input, dw: grads.weight, db: grads.bias)
    }

    func check<T: TensorScalar>(_ type: T.Type, tolerance: Double, cases: [Case]) {
        for (index, c) in cases.enumerated() {
            let seed = UInt32(index * 4)
            let x: Tensor<T> = Self.random(c.x, seed: seed)
            let w: Tensor<T> = Self.random(c.w, seed: seed + 1)
            let b: Tensor<T> = Self.random([c.w[0]], seed: seed + 2)
            let reference = Conv.referenceForward(input: x, weight: w, bias: b, geometry: c.geometry)
            let dy: Tensor<T> = Self.random(reference.shape, seed: seed + 3)
            let grads = Conv.referenceBackward(input: x, weight: w, upstream: dy, geometry: c.geometry,
                                               wantInput: true, wantWeight: true, wantBias: true)
            var first: Results<T>?
            for path in KernelPath.available {
                KernelPath.current = path
                defer { KernelPath.current = .best }
                for threads in [1, 2, 8] {
                    let r = Self.fast(c, x, w, b, dy, threads: threads)
                    #expect(Self.error(r.y, reference) <= tolerance, "y: \(c) \(path) \(threads) threads")
                    #expect(Self.error(r.dx, grads.input) <= tolerance, "dx: \(c) \(path) \(threads) threads")
                    #expect(Self.error(r.dw, grads.weight) <= tolerance, "dw: \(c) \(path) \(threads) threads")
                    #expect(r.db == grads.bias, "db: \(c)")
                    if let first {
                        #expect(r == first, "bytes differ: \(c) \(path) \(threads) threads")
                    } else {
                        first = r
                    }
                }
            }
        }
    }

    @Test func float64MatchesReference() { check(Double.self, tolerance: 1e-13, cases: Self.cases) }
    @Test func float32MatchesReference() { check(Float.self, tolerance: 2e-5, cases: Self.cases) }

    /// 60 random geometries (seeded, so a failure reproduces): kernel 1–5, stride 1–4,
    /// dilation 1–3, each pad 0–3, groups 1–3, batch 1–3, sizes 1–24.
    static let randomCases: [Case] = {
        var rng = RandomState(seed: 2026)
        func pick(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(rng.randomSample() * Double(range.count)) }
        var cases: [Case] = []
        while cases.count < 60 {
            let groups = pick(1...3)
            let cg = pick(1...4), og = pick(1...5)
            let kh = pick(1...5), kw = pick(1...5)
            let geometry = g(stride: (pick(1...4), pick(1...4)), dilation: (pick(1...3), pick(1...3)),
                             pads: (pick(0...3), pick(0...3), pick(0...3), pick(0...3)), groups: groups)
            let x: Shape = [pick(1...3), cg * groups, pick(1...24), pick(1...24)]
            let out = Conv.outputSize(inputHeight: x[2], inputWidth: x[3], kernel: Spatial(kh, kw), geometry: geometry)
            guard out.h >= 1 && out.w >= 1 else { continue }
            cases.append(Case(x: x, w: [og * groups, cg, kh, kw], geometry: geometry))
        }
        return cases
    }()

    /// Small images (the padded-copy packers of narrow outputs): H, W ∈ {2, 3, 4, 5, 8},
    /// stride 1 and 2, padding 0 and 1, plus the digits-sized CNN's convs and a weight
    /// gradient whose column blocks start past the first channel.
    static let smallImageCases: [Case] = {
        var cases: [Case] = []
        let sizes = [(2, 2), (3, 3), (4, 4), (5, 5), (8, 8), (2, 5), (8, 3), (4, 5), (5, 8)]
        for (index, (h, w)) in sizes.enumerated() {
            for stride in [1, 2] {
                for pad in [0, 1] {
                    let k = min(3, h + 2 * pad, w + 2 * pad) - (index + stride) % 2   // kernel 1–3
                    cases.append(Case(x: [2, 3, h, w], w: [5, 3, max(1, k), max(1, k)],
                                      geometry: g(stride: (stride, stride), pads: (pad, pad, pad, pad))))
                }
            }
        }
        cases.append(Case(x: [3, 1, 8, 8], w: [16, 1, 3, 3], geometry: g(pads: (1, 1, 1, 1))))      // digits c1
        cases.append(Case(x: [3, 16, 4, 4], w: [32, 16, 3, 3], geometry: g(pads: (1, 1, 1, 1))))    // digits c2
        cases.append(Case(x: [3, 32, 2, 2], w: [10, 32, 2, 2], geometry: g()))                      // digits fc
        cases.append(Case(x: [2, 64, 3, 3], w: [9, 64, 3, 3], geometry: g(pads: (1, 1, 1, 1))))     // K = 576: column blocks
        cases.append(Case(x: [2, 6, 5, 4], w: [8, 3, 3, 2], geometry: g(stride: (2, 1), dilation: (2, 1), pads: (1, 2, 0, 1), groups: 2)))
        return cases
    }()

    @Test func smallImagesFloat64() { check(Double.self, tolerance: 1e-13, cases: Self.smallImageCases) }
    @Test func smallImagesFloat32() { check(Float.self, tolerance: 2e-5, cases: Self.smallImageCases) }

    @Test func randomShapesFloat64() { check(Double.self, tolerance: 1e-13, cases: Self.randomCases) }
    @Test func randomShapesFloat32() { check(Float.self, tolerance: 2e-5, cases: Self.randomCases) }

    /// Only the wanted gradients are computed.
    @Test func onlyWantedGradients() {
        let c = Self.cases[1]
        let x: Tensor<Double> = Self.random(c.x, seed: 1), w: Tensor<Double> = Self.random(c.w, seed: 2)
        let y = Conv.referenceForward(input: x, weight: w, bias: nil, geometry: c.geometry)
        let g = Conv.fastBackward(input: x, weight: w, upstream: y, geometry: c.geometry,
                                  wantInput: false, wantWeight: true, wantBias: false, parallelism: .serial)
        #expect(g.input == nil && g.bias == nil && g.weight != nil)
    }

    /// The graph path: small convs keep the reference (NumPy order, SPEC §9 exact); larger
    /// ones take the fast kernels.
    @Test func pathChoice() {
        #expect(!Conv.usesFastPath(input: [10, 3, 8, 8], weight: [8, 3, 2, 2], output: [10, 8, 4, 4]))
        #expect(Conv.usesFastPath(input: [8, 64, 56, 56], weight: [64, 64, 3, 3], output: [8, 64, 56, 56]))
    }
}
