@testable import ConvGraph
import Testing

/// The fast pool kernels (`Pool+Fast.swift`, `Sources/CKernels/pool_impl.h`) give the same
/// bits as the reference loops, forward (values and argmax) and backward, for both modes
/// and every geometry rule, in float32 and float64, on 1, 2 and 8 threads.
@Suite struct PoolFastTests {
    typealias G = Pool.Geometry

    static let cases: [(x: Shape, g: G)] = [
        ([2, 3, 7, 9], G(mode: .max, window: Spatial(3), stride: Spatial(2))),
        ([2, 3, 7, 9], G(mode: .average, window: Spatial(3), stride: Spatial(2))),
        ([1, 1, 8, 8], G(mode: .max, window: Spatial(2), stride: Spatial(2))),
        ([3, 2, 10, 11], G(mode: .average, window: Spatial(2, 3), stride: Spatial(1, 2), pads: Pads(top: 1, bottom: 0, left: 1, right: 1))),
        ([3, 2, 10, 11], G(mode: .average, window: Spatial(3, 2), stride: Spatial(2), pads: Pads(top: 1, bottom: 1, left: 0, right: 1), countIncludePad: true)),
        ([2, 2, 9, 9], G(mode: .max, window: Spatial(3), stride: Spatial(2), pads: Pads(1), ceilMode: true)),
        ([2, 2, 9, 10], G(mode: .average, window: Spatial(3), stride: Spatial(2), pads: Pads(1), ceilMode: true, countIncludePad: true)),
        ([2, 2, 12, 12], G(mode: .max, window: Spatial(2), stride: Spatial(3), dilation: Spatial(2, 3))),
        ([2, 2, 12, 12], G(mode: .average, window: Spatial(3), stride: Spatial(1), dilation: Spatial(2), pads: Pads(2))),
        ([1, 3, 5, 5], G(mode: .average, window: Spatial(5), stride: Spatial(1))),           // global, 25 taps: pairwise order
        ([1, 2, 12, 12], G(mode: .average, window: Spatial(12), stride: Spatial(1))),        // 144 taps: pairwise recursion
        ([4, 16, 33, 31], G(mode: .max, window: Spatial(3), stride: Spatial(2), pads: Pads(1))), // several tasks
        // Wide rows: the AVX-512 average rows (2×2/2 and 3×3/2) in vector chunks, with edges.
        ([2, 3, 9, 75], G(mode: .average, window: Spatial(3), stride: Spatial(2))),
        ([2, 3, 9, 75], G(mode: .average, window: Spatial(3), stride: Spatial(2), pads: Pads(1))),
        ([2, 3, 9, 76], G(mode: .average, window: Spatial(3), stride: Spatial(2), pads: Pads(1), countIncludePad: true)),
        ([2, 3, 8, 70], G(mode: .average, window: Spatial(2), stride: Spatial(2))),
        ([2, 3, 8, 69], G(mode: .average, window: Spatial(2), stride: Spatial(2), pads: Pads(top: 1, bottom: 0, left: 1, right: 0))),
        // Wide rows: the AVX-512 max rows, ties, −∞ and a NaN included (see `input`).
        ([2, 3, 9, 75], G(mode: .max, window: Spatial(3), stride: Spatial(2))),
        ([2, 3, 9, 76], G(mode: .max, window: Spatial(3), stride: Spatial(2), pads: Pads(1), ceilMode: true)),
        ([2, 3, 8, 70], G(mode: .max, window: Spatial(2), stride: Spatial(2), pads: Pads(top: 0, bottom: 1, left: 1, right: 0))),
        // Narrow planes: the whole-plane 2×2/2 max pool (odd sizes drop the last row or column).
        ([2, 3, 8, 8], G(mode: .max, window: Spatial(2), stride: Spatial(2))),
        ([3, 2, 4, 4], G(mode: .max, window: Spatial(2), stride: Spatial(2))),
        ([2, 2, 5, 7], G(mode: .max, window: Spatial(2), stride: Spatial(2))),
        ([4, 3, 2, 2], G(mode: .max, window: Spatial(2), stride: Spatial(2))),
        ([2, 4, 3, 3], G(mode: .max, window: Spatial(2), stride: Spatial(2))),
        ([2, 2, 6, 31], G(mode: .max, window: Spatial(2), stride: Spatial(2))),
        ([2, 2, 5, 5], G(mode: .max, window: Spatial(2), stride: Spatial(2), ceilMode: true)),
        ([2, 2, 4, 4], G(mode: .max, window: Spatial(2), stride: Spatial(2), pads: Pads(1))),
    ]

    static func input<T: TensorScalar>(_ shape: Shape, seed: UInt32, specials: Bool) -> Tensor<T> {
        var rng = RandomState(seed: seed)
        var values = rng.standardNormals(count: shape.count).map { T($0) }
        // Ties, −∞ and a NaN exercise the max rules.
        if specials && values.count > 20 {
            values[3] = values[4]
            values[7] = -.infinity
            values[values.count / 2] = .nan
        }
        return Tensor(shape: shape, scalars: values)
    }

    /// Bitwise equality (NaN included).
    static func same<T: TensorScalar>(_ a: Tensor<T>, _ b: Tensor<T>) -> Bool {
        a.shape == b.shape && zip(a.scalars, b.scalars).allSatisfy { $0.bitPattern64 == $1.bitPattern64 }
    }

    /// 40 random geometries (seeded): both modes, window 1–4, stride 1–3, dilation 1–2,
    /// pads up to half the window, ceil_mode, count_include_pad, sizes 1–40.
    static let randomCases: [(x: Shape, g: G)] = {
        var rng = RandomState(seed: 77)
        func pick(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(rng.randomSample() * Double(range.count)) }
        var cases: [(x: Shape, g: G)] = []
        while cases.count < 40 {
            let kh = pick(1...4), kw = pick(1...4)
            let g = G(mode: pick(0...1) == 0 ? .max : .average, window: Spatial(kh, kw), stride: Spatial(pick(1...3), pick(1...3)),
                      dilation: Spatial(pick(1...2), pick(1...2)),
                      pads: Pads(top: pick(0...kh / 2), bottom: pick(0...kh / 2), left: pick(0...kw / 2), right: pick(0...kw / 2)),
                      ceilMode: pick(0...1) == 1, countIncludePad: pick(0...1) == 1)
            let x: Shape = [pick(1...2), pick(1...3), pick(1...40), pick(1...40)]
            let out = Pool.outputSize(inputHeight: x[2], inputWidth: x[3], geometry: g)
            guard out.h >= 1 && out.w >= 1 else { continue }
            cases.append((x, g))
        }
        return cases
    }()

    func check<T: TensorScalar>(_: T.Type) {
        for (index, c) in (Self.cases + Self.randomCases).enumerated() {
            for specials in [false, true] {
                let x: Tensor<T> = Self.input(c.x, seed: UInt32(index), specials: specials)
                let reference = Pool.referenceForward(input: x, geometry: c.g)
                var rng = RandomState(seed: UInt32(100 + index))
                let dy = Tensor(shape: reference.output.shape, scalars: rng.standardNormals(count: reference.output.count).map { T($0) })
                let dxReference = Pool.referenceBackward(upstream: dy, inputShape: c.x, argmax: reference.argmax, geometry: c.g)
                for threads in [1, 2, 8] {
                    let p = Parallelism(threads: threads)
                    let fast = Pool.fastForward(input: x, geometry: c.g, parallelism: p)
                    #expect(Self.same(fast.output, reference.output), "forward \(c) \(threads) threads")
                    #expect(fast.argmax == reference.argmax, "argmax \(c)")
                    let dx = Pool.fastBackward(upstream: dy, inputShape: c.x, argmax: fast.argmax, geometry: c.g, parallelism: p)
                    #expect(Self.same(dx, dxReference), "backward \(c) \(threads) threads")
                }
            }
        }
    }

    @Test func float64SameBitsAsReference() { check(Double.self) }

    /// Constant input: every window is a tie, and the argmax is each window's first tap.
    @Test func tiesPickTheFirstTap() {
        for window in [2, 3] {
            let g = G(mode: .max, window: Spatial(window), stride: Spatial(2))
            let x = Tensor<Float>(repeating: 1.5, shape: [1, 2, 7, 80])
            let reference = Pool.referenceForward(input: x, geometry: g)
            let fast = Pool.fastForward(input: x, geometry: g, parallelism: .serial)
            #expect(fast.argmax == reference.argmax)
            #expect(Self.same(fast.output, reference.output))
        }
    }

    /// Sums of −0 taps are +0 in the reference (it starts from 0 below 8 taps); the vector
    /// rows must agree, forward and backward.
    @Test func negativeZerosKeepTheirBits() {
        for window in [2, 3] {
            let g = G(mode: .average, window: Spatial(window), stride: Spatial(2))
            let x = Tensor<Float>(repeating: -0.0, shape: [1, 2, 7, 80])
            let reference = Pool.referenceForward(input: x, geometry: g)
            let fast = Pool.fastForward(input: x, geometry: g, parallelism: .serial)
            #expect(Self.same(fast.output, reference.output))
            let dy = Tensor<Float>(repeating: -0.0, shape: reference.output.shape)
            #expect(Self.same(Pool.fastBackward(upstream: dy, inputShape: x.shape, argmax: nil, geometry: g, parallelism: .serial),
                              Pool.referenceBackward(upstream: dy, inputShape: x.shape, argmax: nil, geometry: g)))
        }
    }
    @Test func float32SameBitsAsReference() { check(Float.self) }
}

extension BinaryFloatingPoint {
    /// The value's bits, widened (Float → Double keeps NaN-ness and every finite value).
    var bitPattern64: UInt64 {
        if let d = self as? Double { return d.bitPattern }
        if let f = self as? Float { return UInt64(f.bitPattern) }
        return 0
    }
}
