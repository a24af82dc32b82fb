@testable import ConvGraph
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The fast element-wise, reduction, loss, pad and concat kernels (`Elementwise+Fast.swift`,
/// `Pad+Fast.swift`, `Sources/CKernels/elementwise.c`) give the same bits as plain loops
/// (the code they replaced) and as `pairwiseSum`, in float32 and float64, on 1 and 2
/// threads, on every kernel path, for sizes 0, 1, odd, around the 8/128 pairwise blocks and
/// the task sizes, and large.
@Suite struct ElementwiseFastTests {
    static let sizes = [0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 63, 64, 65, 127, 128, 129, 130, 135, 136, 255, 256, 257, 263,
                        1000, 1023, 1024, 1025, 4097, 65_535, 65_536, 65_537, 65_543, 131_071, 131_072, 131_080, 300_001]
    static let threads = [Parallelism.serial, Parallelism(threads: 2)]

    /// Random normals with NaN, ±0, ±∞ and subnormals sprinkled in (when `specials`).
    static func values<T: TensorScalar>(_ n: Int, seed: UInt32, specials: Bool = true) -> [T] {
        var rng = RandomState(seed: seed)
        var v = rng.standardNormals(count: n).map { T($0) }
        if specials && n > 12 {
            v[1] = -0.0; v[2] = 0; v[3] = .nan; v[5] = .infinity; v[6] = -.infinity
            v[n / 2] = -.nan; v[n - 1] = T.leastNonzeroMagnitude; v[n - 2] = -T.leastNonzeroMagnitude
        }
        return v
    }

    /// The same bytes (memcmp: a per-element loop is slow in debug builds).
    static func same<T: TensorScalar>(_ a: [T], _ b: [T]) -> Bool {
        a.count == b.count && a.withUnsafeBytes { a in
            b.withUnsafeBytes { b in a.count == 0 || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0 }
        }
    }
    static func same<T: TensorScalar>(_ a: T, _ b: T) -> Bool { a.bitPattern64 == b.bitPattern64 }

    /// Runs `body` on every kernel path this CPU has (all must give the same bytes).
    static func onEveryPath(_ body: () -> Void) {
        for path in KernelPath.available {
            KernelPath.current = path
            defer { KernelPath.current = .best }
            body()
        }
    }

    func elementwise<T: TensorScalar>(_: T.Type) {
        Self.onEveryPath {
            for n in Self.sizes {
                let x: [T] = Self.values(n, seed: UInt32(n)), g: [T] = Self.values(n, seed: UInt32(n) + 1)
                let z: [T] = Self.values(n, seed: UInt32(n) + 2)
                // The loops the fast kernels replaced.
                var relu = x
                for i in relu.indices where !(relu[i] > 0) && !relu[i].isNaN { relu[i] = 0 }
                var reluGrad = g
                for i in reluGrad.indices where !(relu[i] > 0) { reluGrad[i] = 0 }
                var sum2 = x, sum3 = x
                for i in sum2.indices { sum2[i] += g[i]; sum3[i] += g[i] }
                for i in sum3.indices { sum3[i] += z[i] }
                let u = T(0.37)
                let scaled = x.map { $0 * u }
                let diff = zip(x, g).map { u * ($0 - $1) }
                for p in Self.threads {
                    #expect(Self.same(Elementwise.relu(x, parallelism: p), relu), "relu \(T.self) n=\(n) \(p.threads)T")
                    #expect(Self.same(Elementwise.reluBackward(output: relu, upstream: g, parallelism: p), reluGrad), "relu′ n=\(n)")
                    #expect(Self.same(Elementwise.add([x, g], parallelism: p), sum2), "add n=\(n)")
                    #expect(Self.same(Elementwise.add([x, g, z], parallelism: p), sum3), "add3 n=\(n)")
                    #expect(Self.same(Elementwise.scale(x, by: u, parallelism: p), scaled), "scale n=\(n)")
                    #expect(Self.same(Elementwise.filled(u, count: n, parallelism: p), [T](repeating: u, count: n)), "fill n=\(n)")
                    let both = Elementwise.scaledDifference(x, g, scale: u, wantPositive: true, wantNegative: true, parallelism: p)
                    #expect(Self.same(both.positive!, diff) && Self.same(both.negative!, diff.map { -$0 }), "mse′ n=\(n)")
                    let one = Elementwise.scaledDifference(x, g, scale: u, wantPositive: false, wantNegative: true, parallelism: p)
                    #expect(one.positive == nil && Self.same(one.negative!, diff.map { -$0 }), "mse′ t n=\(n)")
                    let other = Elementwise.scaledDifference(x, g, scale: u, wantPositive: true, wantNegative: false, parallelism: p)
                    #expect(other.negative == nil && Self.same(other.positive!, diff), "mse′ x n=\(n)")
                }
            }
        }
    }
    @Test func float64ElementwiseSameBits() { elementwise(Double.self) }
    @Test func float32ElementwiseSameBits() { elementwise(Float.self) }

    /// The fast pairwise sums against `pairwiseSum` (PairwiseSum.swift) on materialised
    /// terms, with `==` on the bits; finite data, so any change of order would show.
    func sums<T: TensorScalar>(_: T.Type) {
        Self.onEveryPath {
            for n in Self.sizes + [3 * 65_536 + 13] {
                let x: [T] = Self.values(n, seed: UInt32(n) + 5, specials: false).map { $0 * 1000 + 1 / 3 }
                let t: [T] = Self.values(n, seed: UInt32(n) + 6, specials: false)
                let expected = (pairwiseSum(x), pairwiseSum(x.map { $0 * $0 }), pairwiseSum(zip(x, t).map { ($0 - $1) * ($0 - $1) }))
                for p in Self.threads + [Parallelism(threads: 3)] {
                    #expect(Self.same(Elementwise.pairwiseSum(x, terms: .values, parallelism: p), expected.0), "Σx \(T.self) n=\(n) \(p.threads)T")
                    #expect(Self.same(Elementwise.pairwiseSum(x, terms: .squares, parallelism: p), expected.1), "Σx² n=\(n)")
                    #expect(Self.same(Elementwise.pairwiseSum(x, t, terms: .squaredDifferences, parallelism: p), expected.2), "Σ(x−t)² n=\(n)")
                }
            }
        }
    }
    @Test func float64SumsKeepNumPyOrder() { sums(Double.self) }
    @Test func float32SumsKeepNumPyOrder() { sums(Float.self) }

    /// The ops themselves (forward and backward) against the formulas they replaced.
    func ops<T: TensorScalar>(_: T.Type) {
        for n in [0, 1, 9, 129, 70_001] {
            let shape: Shape = [n]
            let x = Tensor<T>(shape: shape, scalars: Self.values(n, seed: 9, specials: false))
            let t = Tensor<T>(shape: shape, scalars: Self.values(n, seed: 10, specials: false))
            let up = Tensor<T>(scalar: T(1.7))
            for p in Self.threads {
                func grad(_ op: some Op, _ inputs: [Tensor<T>]) -> [Tensor<T>?] {
                    var c = BackwardContext(inputs: inputs, inputShapes: inputs.map(\.shape), output: nil, saved: nil, upstream: up,
                                            wants: inputs.map { _ in true })
                    c.parallelism = p
                    return op.backward(c)
                }
                #expect(Self.same(Sum().forward([x], parallelism: p).output.scalars[0], pairwiseSum(x.scalars)))
                #expect(Self.same(Mean().forward([x], parallelism: p).output.scalars[0], pairwiseSum(x.scalars) / T(n)))
                #expect(Self.same(L2().forward([x], parallelism: p).output.scalars[0], 0.5 * pairwiseSum(x.scalars.map { $0 * $0 })))
                let squares = zip(x.scalars, t.scalars).map { ($0 - $1) * ($0 - $1) }
                #expect(Self.same(MSE().forward([x, t], parallelism: p).output.scalars[0], pairwiseSum(squares) / T(n)))
                #expect(Self.same(grad(Sum(), [x])[0]!.scalars, [T](repeating: T(1.7), count: n)))
                #expect(Self.same(grad(Mean(), [x])[0]!.scalars, [T](repeating: T(1.7) / T(n), count: n)))
                #expect(Self.same(grad(L2(), [x])[0]!.scalars, x.scalars.map { $0 * T(1.7) }))
                let scale = 2 * T(1.7) / T(n)
                let dx = zip(x.scalars, t.scalars).map { scale * ($0 - $1) }
                let mse = grad(MSE(), [x, t])
                #expect(Self.same(mse[0]!.scalars, dx) && Self.same(mse[1]!.scalars, dx.map { -$0 }))
            }
        }
    }
    @Test func float64OpsSameBits() { ops(Double.self) }
    @Test func float32OpsSameBits() { ops(Float.self) }

    func pad<T: TensorScalar>(_: T.Type) {
        let shapes: [Shape] = [[1, 1, 1, 1], [2, 3, 5, 7], [1, 2, 1, 9], [3, 2, 8, 1], [4, 8, 33, 31], [2, 40, 64, 64]]
        let padsList = [Pads.zero, Pads(1), Pads(top: 0, bottom: 2, left: 3, right: 0), Pads(top: 2, bottom: 1, left: 1, right: 4)]
        for shape in shapes {
            let x = Tensor<T>(shape: shape, scalars: Self.values(shape.count, seed: 3))
            for pads in padsList {
                for mode in Pad.Mode.allCases {
                    if mode == .reflect && (max(pads.top, pads.bottom) >= shape[2] || max(pads.left, pads.right) >= shape[3]) { continue }
                    var op = Pad()
                    op.pads = pads
                    op.mode = mode
                    op.value = -2.5
                    let ref = Pad.referenceForward(input: x, pads: pads, mode: mode, value: T(-2.5))
                    let up = Tensor<T>(shape: ref.shape, scalars: Self.values(ref.count, seed: 4, specials: false))
                    let refGrad = Pad.referenceBackward(upstream: up, inputShape: shape, pads: pads, mode: mode)
                    for p in Self.threads {
                        let y = op.forward([x], parallelism: p).output
                        #expect(y.shape == ref.shape && Self.same(y.scalars, ref.scalars), "pad \(mode) \(shape) \(pads)")
                        var c = BackwardContext(inputs: [nil], inputShapes: [shape], output: nil, saved: nil, upstream: up, wants: [true])
                        c.parallelism = p
                        #expect(Self.same(op.backward(c)[0]!.scalars, refGrad.scalars), "pad′ \(mode) \(shape) \(pads)")
                    }
                }
            }
        }
    }
    @Test func float64PadSameBits() { pad(Double.self) }
    @Test func float32PadSameBits() { pad(Float.self) }

    func concat<T: TensorScalar>(_: T.Type) {
        let cases: [(axis: Int, shapes: [Shape])] = [
            (1, [[2, 3, 4, 5], [2, 1, 4, 5], [2, 2, 4, 5]]),
            (0, [[1, 3, 4, 5], [2, 3, 4, 5]]),
            (2, [[2, 3, 1, 5], [2, 3, 4, 5]]),
            (3, [[2, 3, 4, 1], [2, 3, 4, 7], [2, 3, 4, 2]]),
            (1, [[2, 0, 4, 5], [2, 3, 4, 5]]),
            (1, [[4, 8, 64, 64], [4, 5, 64, 64]]),
            (0, [[4, 8, 64, 64], [4, 8, 64, 64]]),
            (3, [[8, 8, 64, 61], [8, 8, 64, 3]]),
        ]
        for (axis, shapes) in cases {
            let inputs = shapes.enumerated().map { k, s in Tensor<T>(shape: s, scalars: Self.values(s.count, seed: UInt32(k))) }
            let op = Concat(axis: axis)
            // The loops the fast copies replaced.
            let outer = shapes[0].dims[..<axis].reduce(1, *)
            let blocks = shapes.map { $0.dims[axis...].reduce(1, *) }
            var expected: [T] = []
            for o in 0..<outer {
                for (k, input) in inputs.enumerated() { expected += input.scalars[(o * blocks[k])..<((o + 1) * blocks[k])] }
            }
            for p in Self.threads {
                let y = op.forward(inputs, parallelism: p).output
                #expect(Self.same(y.scalars, expected), "concat axis \(axis) \(shapes)")
                let up = Tensor<T>(shape: y.shape, scalars: Self.values(y.count, seed: 8))
                for wants in [shapes.map { _ in true }, shapes.indices.map { $0 % 2 == 1 }] {
                    var c = BackwardContext(inputs: shapes.map { _ in nil }, inputShapes: shapes, output: nil, saved: nil, upstream: up, wants: wants)
                    c.parallelism = p
                    let grads = op.backward(c)
                    var offset = 0
                    for k in shapes.indices {
                        defer { offset += blocks[k] }
                        guard wants[k] else { #expect(grads[k] == nil); continue }
                        var g: [T] = []
                        for o in 0..<outer {
                            let start = o * blocks.reduce(0, +) + offset
                            g += up.scalars[start..<(start + blocks[k])]
                        }
                        #expect(grads[k]?.shape == shapes[k] && Self.same(grads[k]!.scalars, g), "concat′ axis \(axis) input \(k)")
                    }
                }
            }
        }
    }
    @Test func float64ConcatSameBits() { concat(Double.self) }
    @Test func float32ConcatSameBits() { concat(Float.self) }
}
