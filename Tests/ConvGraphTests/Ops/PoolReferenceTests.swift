import ConvGraph
import Testing

// Tests of the reference pool kernels (Pool+Reference.swift) against hand-checked values,
// an independent numpy implementation, the ONNX conformance cases, SPEC §9 and
// finite differences. Generated data: gen/generate_pool_cases.py in the pool scratch
// package (PoolGeneratedCases.swift, SeedConvOutput.swift).

private typealias Support = PoolTestSupport

private func arange(_ shape: Shape) -> Tensor<Double> {
    Tensor(shape: shape, scalars: (0..<shape.count).map(Double.init))
}

private func geometry(
    _ mode: Pool.Mode, window: Spatial, stride: Spatial, dilation: Spatial = Spatial(1),
    pads: Pads = .zero, ceil: Bool = false, includePad: Bool = false
) -> Pool.Geometry {
    Pool.Geometry(
        mode: mode, window: window, stride: stride, dilation: dilation, pads: pads,
        ceilMode: ceil, countIncludePad: includePad)
}

// MARK: - Output size

struct PoolOutputSizeCase: Sendable, CustomStringConvertible {
    var size: Int, k: Int, s: Int, d: Int, padBegin: Int, padEnd: Int, ceil: Bool, expected: Int
    var description: String {
        "H\(size) k\(k) s\(s) d\(d) p\(padBegin),\(padEnd) ceil \(ceil) -> \(expected)"
    }
}

private let outputSizeCases: [PoolOutputSizeCase] = [
    .init(size: 4, k: 2, s: 2, d: 1, padBegin: 0, padEnd: 0, ceil: false, expected: 2),
    .init(size: 5, k: 2, s: 2, d: 1, padBegin: 0, padEnd: 0, ceil: false, expected: 2),
    .init(size: 5, k: 2, s: 2, d: 1, padBegin: 0, padEnd: 0, ceil: true, expected: 3),
    // ceil gives ⌈5/2⌉+1 = 4, but window 3 would start at 6 = H+t (end padding): dropped.
    .init(size: 5, k: 2, s: 2, d: 1, padBegin: 1, padEnd: 1, ceil: true, expected: 3),
    .init(size: 5, k: 2, s: 2, d: 1, padBegin: 1, padEnd: 1, ceil: false, expected: 3),
    // ONNX test_maxpool_2d_ceil: 4, k 3, s 2 → 2 (floor would give 1).
    .init(size: 4, k: 3, s: 2, d: 1, padBegin: 0, padEnd: 0, ceil: true, expected: 2),
    .init(size: 4, k: 3, s: 2, d: 1, padBegin: 0, padEnd: 0, ceil: false, expected: 1),
    // dilation: effective window d(k−1)+1 = 5.
    .init(size: 7, k: 3, s: 1, d: 2, padBegin: 0, padEnd: 0, ceil: false, expected: 3),
    .init(size: 7, k: 3, s: 3, d: 2, padBegin: 2, padEnd: 1, ceil: true, expected: 3),
    .init(size: 7, k: 2, s: 3, d: 2, padBegin: 1, padEnd: 0, ceil: true, expected: 3),
    // stride larger than the window.
    .init(size: 8, k: 2, s: 3, d: 1, padBegin: 0, padEnd: 0, ceil: false, expected: 3),
    .init(size: 8, k: 2, s: 3, d: 1, padBegin: 0, padEnd: 0, ceil: true, expected: 3),
    .init(size: 9, k: 2, s: 3, d: 1, padBegin: 0, padEnd: 0, ceil: true, expected: 3),
    // padding 2 with window 3, stride 1 (ONNX test_*pool_2d_pads): 28 → 30.
    .init(size: 28, k: 3, s: 1, d: 1, padBegin: 2, padEnd: 2, ceil: false, expected: 30),
    // window larger than the padded input: no output.
    .init(size: 2, k: 4, s: 1, d: 1, padBegin: 0, padEnd: 0, ceil: true, expected: 0),
]

@Test("output size: floor, ceil and the ceil drop rule", arguments: outputSizeCases)
func poolOutputSize(_ c: PoolOutputSizeCase) {
    let g = geometry(
        .max, window: Spatial(c.k, 1), stride: Spatial(c.s, 1), dilation: Spatial(c.d, 1),
        pads: Pads(top: c.padBegin, bottom: c.padEnd, left: 0, right: 0), ceil: c.ceil)
    #expect(Pool.outputSize(inputHeight: c.size, inputWidth: 3, geometry: g) == Spatial(c.expected, 3))
    // The same on the width axis.
    let gw = geometry(
        .average, window: Spatial(1, c.k), stride: Spatial(1, c.s), dilation: Spatial(1, c.d),
        pads: Pads(top: 0, bottom: 0, left: c.padBegin, right: c.padEnd), ceil: c.ceil)
    #expect(Pool.outputSize(inputHeight: 3, inputWidth: c.size, geometry: gw) == Spatial(3, c.expected))
}

// MARK: - Hand-checkable arange cases

@Test func poolArangeWindow2Stride2() {
    // x = np.arange(16.).reshape(1,1,4,4)
    // max:  x.reshape(2,2,2,2).max(axis=(1,3))  → [[5,7],[13,15]]
    // mean: x.reshape(2,2,2,2).mean(axis=(1,3)) → [[2.5,4.5],[10.5,12.5]]
    let x = arange([1, 1, 4, 4])
    let (m, am) = Pool.referenceForward(input: x, geometry: geometry(.max, window: Spatial(2), stride: Spatial(2)))
    #expect(m.shape == [1, 1, 2, 2])
    #expect(m.scalars == [5, 7, 13, 15])
    #expect(am == [5, 7, 13, 15])
    let (a, none) = Pool.referenceForward(input: x, geometry: geometry(.average, window: Spatial(2), stride: Spatial(2)))
    #expect(a.scalars == [2.5, 4.5, 10.5, 12.5])
    #expect(none == nil)
}

@Test func poolArangePaddedAverageBothDivisors() {
    // x = np.arange(16.).reshape(4,4); window 3, stride 2, padding 1.
    // Window (0,0) covers rows/cols −1…1: in-input cells 0,1,4,5 (sum 10);
    // window (0,1) covers cols 1…3: 1,2,3,5,6,7 (sum 24).
    // exclude pad: [[10/4, 24/6], [51/6, 90/9]]; include pad: everything / 9.
    let x = arange([1, 1, 4, 4])
    let exclude = Pool.referenceForward(
        input: x, geometry: geometry(.average, window: Spatial(3), stride: Spatial(2), pads: Pads(1))).output
    #expect(exclude.scalars == [2.5, 4, 8.5, 10])
    let include = Pool.referenceForward(
        input: x,
        geometry: geometry(.average, window: Spatial(3), stride: Spatial(2), pads: Pads(1), includePad: true)
    ).output
    let includeExpected: [Double] = [10.0 / 9, 24.0 / 9, 51.0 / 9, 10]
    #expect(include.scalars == includeExpected)
    // Max pads with −∞, so the padded cells never win even against 0.
    let (m, am) = Pool.referenceForward(
        input: x, geometry: geometry(.max, window: Spatial(3), stride: Spatial(2), pads: Pads(1)))
    #expect(m.scalars == [5, 7, 13, 15])
    #expect(am == [5, 7, 13, 15])
}

@Test func poolArangeCeilMode() {
    // x = np.arange(25.).reshape(5,5); window 2, stride 2, ceil_mode: 3×3 with partial
    // last windows. max: [[6,8,9],[16,18,19],[21,23,24]];
    // mean over in-input taps: [[3,5,6.5],[13,15,16.5],[20.5,22.5,24]].
    let x = arange([1, 1, 5, 5])
    let m = Pool.referenceForward(
        input: x, geometry: geometry(.max, window: Spatial(2), stride: Spatial(2), ceil: true)).output
    #expect(m.shape == [1, 1, 3, 3])
    #expect(m.scalars == [6, 8, 9, 16, 18, 19, 21, 23, 24])
    let a = Pool.referenceForward(
        input: x, geometry: geometry(.average, window: Spatial(2), stride: Spatial(2), ceil: true)).output
    #expect(a.scalars == [3, 5, 6.5, 13, 15, 16.5, 20.5, 22.5, 24])
    // count_include_pad without padding: the taps past the input are past the padded
    // input too, so they never count: same result.
    let ai = Pool.referenceForward(
        input: x,
        geometry: geometry(.average, window: Spatial(2), stride: Spatial(2), ceil: true, includePad: true)
    ).output
    #expect(ai.scalars == a.scalars)
}

@Test func poolArangeCeilDropRuleWithPadding() {
    // x = np.arange(25.).reshape(5,5); window 2, stride 2, padding 1, ceil_mode: ⌈5/2⌉+1 = 4
    // dropped to 3. count_include_pad divides every window by 4 (all taps in the padded
    // input): [[0, 3/4, 7/4], [15/4, 9, 11], [35/4, 19, 21]].
    let x = arange([1, 1, 5, 5])
    let g = geometry(.average, window: Spatial(2), stride: Spatial(2), pads: Pads(1), ceil: true, includePad: true)
    let y = Pool.referenceForward(input: x, geometry: g).output
    #expect(y.shape == [1, 1, 3, 3])
    #expect(y.scalars == [0, 0.75, 1.75, 3.75, 9, 11, 8.75, 19, 21])
    var ge = g
    ge.countIncludePad = false
    #expect(Pool.referenceForward(input: x, geometry: ge).output.scalars == [0, 1.5, 3.5, 7.5, 9, 11, 17.5, 19, 21])
}

@Test func poolArangeDilation() {
    // x = np.arange(25.).reshape(5,5); window 2, dilation 2, stride 1: taps x[h,w],
    // x[h,w+2], x[h+2,w], x[h+2,w+2]. max = x[h+2,w+2]; mean = 5h+w+6.
    let x = arange([1, 1, 5, 5])
    let (m, am) = Pool.referenceForward(
        input: x, geometry: geometry(.max, window: Spatial(2), stride: Spatial(1), dilation: Spatial(2)))
    #expect(m.scalars == [12, 13, 14, 17, 18, 19, 22, 23, 24])
    #expect(am == [12, 13, 14, 17, 18, 19, 22, 23, 24])
    let a = Pool.referenceForward(
        input: x, geometry: geometry(.average, window: Spatial(2), stride: Spatial(1), dilation: Spatial(2))).output
    #expect(a.scalars == [6, 7, 8, 11, 12, 13, 16, 17, 18])
}

@Test func poolArangeBackwardByHand() {
    // Average, window 2, stride 1 on 3×3: output 2×2; upstream ones → each input cell
    // gets (number of windows covering it)/4: corners 1/4, edges 2/4, centre 4/4.
    let g = geometry(.average, window: Spatial(2), stride: Spatial(1))
    let dx = Pool.referenceBackward(
        upstream: Tensor<Double>(repeating: 1, shape: [1, 1, 2, 2]), inputShape: [1, 1, 3, 3],
        argmax: nil, geometry: g)
    #expect(dx.scalars == [0.25, 0.5, 0.25, 0.5, 1, 0.5, 0.25, 0.5, 0.25])
    // Max, window 2, stride 1 on arange 3×3: every window's max is its bottom-right cell.
    let gm = geometry(.max, window: Spatial(2), stride: Spatial(1))
    let (_, am) = Pool.referenceForward(input: arange([1, 1, 3, 3]), geometry: gm)
    #expect(am == [4, 5, 7, 8])
    let dxm = Pool.referenceBackward(
        upstream: Tensor(shape: [1, 1, 2, 2], scalars: [1.0, 2, 3, 4]), inputShape: [1, 1, 3, 3],
        argmax: am, geometry: gm)
    #expect(dxm.scalars == [0, 0, 0, 0, 1, 2, 0, 3, 4])
}

@Test func poolPlanesAreIndependent() {
    // N=2, C=3: each plane pooled on its own; argmax indices are plane-local.
    let x = arange([2, 3, 2, 2])
    let (m, am) = Pool.referenceForward(input: x, geometry: geometry(.max, window: Spatial(2), stride: Spatial(2)))
    #expect(m.shape == [2, 3, 1, 1])
    #expect(m.scalars == [3, 7, 11, 15, 19, 23])
    #expect(am == [3, 3, 3, 3, 3, 3])
    let dx = Pool.referenceBackward(
        upstream: Tensor(shape: [2, 3, 1, 1], scalars: [1.0, 2, 3, 4, 5, 6]), inputShape: x.shape,
        argmax: am, geometry: geometry(.max, window: Spatial(2), stride: Spatial(2)))
    #expect(dx.scalars == [0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0, 6])
}

// MARK: - Ties, NaN, infinities

@Test func poolMaxTiesRouteToFirstMaximum() {
    // Window 3, stride 1 on a 4×4 plane of equal values: every window's argmax is its
    // top-left tap (first in row-major tap order).
    let x = Tensor<Double>(repeating: 2, shape: [1, 1, 4, 4])
    let g = geometry(.max, window: Spatial(3), stride: Spatial(1))
    let (y, am) = Pool.referenceForward(input: x, geometry: g)
    #expect(y.scalars == [2, 2, 2, 2])
    #expect(am == [0, 1, 4, 5])
    let dx = Pool.referenceBackward(
        upstream: Tensor(shape: [1, 1, 2, 2], scalars: [1.0, 10, 100, 1000]), inputShape: x.shape,
        argmax: am, geometry: g)
    #expect(dx.scalars == [1, 10, 0, 0, 100, 1000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])

    // Two tied maxima at (0,2) and (1,0) of one 2×3 window: (0,2) comes first.
    let t = Tensor<Double>(shape: [1, 1, 2, 3], scalars: [0, 1, 7, 7, 3, 7])
    let gt = geometry(.max, window: Spatial(2, 3), stride: Spatial(1))
    let (_, amt) = Pool.referenceForward(input: t, geometry: gt)
    #expect(amt == [2])

    // With padding, the first in-input tap (not a padded one) wins a tie of −∞ inputs and
    // ties with overlapping windows accumulate into the shared first maximum.
    let flat = Tensor<Double>(repeating: -5, shape: [1, 1, 3, 3])
    let gp = geometry(.max, window: Spatial(2), stride: Spatial(1), pads: Pads(1))
    let (yp, amp) = Pool.referenceForward(input: flat, geometry: gp)
    #expect(yp.shape == [1, 1, 4, 4])
    #expect(yp.scalars.allSatisfy { $0 == -5 })
    #expect(amp == [0, 0, 1, 2, 0, 0, 1, 2, 3, 3, 4, 5, 6, 6, 7, 8])
    let dxp = Pool.referenceBackward(
        upstream: Tensor<Double>(repeating: 1, shape: [1, 1, 4, 4]), inputShape: flat.shape,
        argmax: amp, geometry: gp)
    #expect(dxp.scalars == [4, 2, 2, 2, 1, 1, 2, 1, 1])
    #expect(dxp.scalars.reduce(0, +) == 16)
}

@Test func poolMaxOverlappingWindowsAccumulate() {
    // A single peak in the middle of 5×5; window 3, stride 1 → all 9 windows pick it.
    var scalars = [Double](repeating: 0, count: 25)
    scalars[12] = 9
    let x = Tensor(shape: [1, 1, 5, 5], scalars: scalars)
    let g = geometry(.max, window: Spatial(3), stride: Spatial(1))
    let (_, am) = Pool.referenceForward(input: x, geometry: g)
    #expect(am == [Int32](repeating: 12, count: 9))
    let dx = Pool.referenceBackward(
        upstream: Tensor<Double>(repeating: 0.5, shape: [1, 1, 3, 3]), inputShape: x.shape,
        argmax: am, geometry: g)
    var expected = [Double](repeating: 0, count: 25)
    expected[12] = 4.5
    #expect(dx.scalars == expected)
}

@Test func poolMaxNaNPropagates() {
    // A NaN in a window makes that output NaN (as PyTorch); its argmax is the NaN tap.
    let x = Tensor<Float>(shape: [1, 1, 2, 4], scalars: [1, .nan, 3, 4, 5, 6, 7, 8])
    let (y, am) = Pool.referenceForward(input: x, geometry: geometry(.max, window: Spatial(2), stride: Spatial(2)))
    #expect(y.scalars[0].isNaN)
    #expect(y.scalars[1] == 8)
    #expect(am == [1, 7])
    // Average: NaN propagates through the sum.
    let a = Pool.referenceForward(input: x, geometry: geometry(.average, window: Spatial(2), stride: Spatial(2))).output
    #expect(a.scalars[0].isNaN)
    #expect(a.scalars[1] == 5.5)
}

@Test func poolMaxInfinities() {
    // All taps −∞: the output is −∞ and the argmax is the first in-input tap (not −1).
    let x = Tensor<Double>(shape: [1, 1, 2, 2], scalars: [-.infinity, -.infinity, -.infinity, -.infinity])
    let g = geometry(.max, window: Spatial(2), stride: Spatial(1), pads: Pads(1))
    let (y, am) = Pool.referenceForward(input: x, geometry: g)
    #expect(y.scalars.allSatisfy { $0 == -.infinity })
    #expect(am == [0, 0, 1, 0, 0, 1, 2, 2, 3])
    let p = Tensor<Double>(shape: [1, 1, 1, 3], scalars: [1, .infinity, 2])
    let (yp, amp) = Pool.referenceForward(input: p, geometry: geometry(.max, window: Spatial(1, 3), stride: Spatial(1)))
    #expect(yp.scalars == [.infinity])
    #expect(amp == [1])
}

// MARK: - numpy cross-checks

@Test("independent numpy computation", arguments: PoolGeneratedCases.crossChecks)
func poolNumpyCrossCheck(_ c: PoolCrossCheckCase) {
    let x = Tensor(shape: Shape(c.shape), scalars: c.input)
    let y = Pool.referenceForward(input: x, geometry: c.geometry).output
    #expect(y.shape == Shape(c.expectedShape))
    #expect(Support.maxMixedError(y.scalars, c.expected) <= 1e-14)
    let yf = Pool.referenceForward(input: x.converted(to: Float.self), geometry: c.geometry).output
    #expect(Support.maxMixedError(yf.scalars.map(Double.init), c.expected) <= 1e-6)
    if c.geometry.mode == .max {
        // Max selects exactly.
        #expect(y.scalars == c.expected)
    }
}

// MARK: - ONNX conformance

@Test("ONNX backend node tests", arguments: PoolGeneratedCases.onnx)
func poolOnnxConformance(_ c: PoolOnnxCase) throws {
    let input = try #require(Support.float32s(base64: c.inputBase64))
    let expected = try #require(Support.float32s(base64: c.expectedBase64))
    let x = Tensor(shape: Shape(c.inputShape), scalars: input)
    let y = Pool.referenceForward(input: x, geometry: c.geometry).output
    #expect(y.shape == Shape(c.expectedShape))
    #expect(y.scalars.count == expected.count)
    // The cases' tolerance: rtol 1e-5, atol 1e-6.
    var failures = 0
    for (a, e) in zip(y.scalars, expected) where !(abs(a - e) <= 1e-6 + 1e-5 * abs(e)) {
        failures += 1
    }
    #expect(failures == 0)
    // Double precision agrees too.
    let yd = Pool.referenceForward(input: x.converted(to: Double.self), geometry: c.geometry).output
    #expect(Support.maxMixedError(yd.scalars, expected.map(Double.init)) <= 1e-6)
}

// MARK: - SPEC §9

@Test func poolSeedReferenceValues() {
    let conv = Tensor(shape: Shape(SeedConvOutput.shape), scalars: SeedConvOutput.values)
    // Sanity: the embedded conv output is the one of SPEC §9.
    // (The einsum conv differs from the notebook's printed values in the last bit or two,
    // so §9 numbers are compared within 1e-14; checks/seed-values allows 1e-12.)
    #expect(abs(conv.scalars[0] - 0.3724568515114425) <= 1e-14)
    #expect(abs(conv.scalars[6] - 0.9876812220804146) <= 1e-14)
    #expect(abs(conv.scalars[10] - 4.016909022551844) <= 1e-14)
    #expect(abs(conv.scalars.reduce(0, +) / Double(conv.count) - 0.07020741102320409) < 1e-15)

    let maxPool = geometry(.max, window: Spatial(3), stride: Spatial(2))
    let (pooled, argmax) = Pool.referenceForward(input: conv, geometry: maxPool)
    #expect(pooled.shape == [10, 8, 1, 1])
    let specMax = [
        4.016909022551844, 0.2849723960779018, 3.580472585643438, 1.1010002026684818,
        5.023002799033184, 4.453772191926365, 1.7871512441393094, 4.993418567043646,
    ]
    #expect(Support.maxMixedError(Array(pooled.scalars[0..<8]), specMax) <= 1e-14)
    #expect(pooled.scalars == SeedConvOutput.pooledMax)
    #expect(argmax?[0] == 10)  // conv[0,0] inner [2,2]

    let avgPool = geometry(.average, window: Spatial(3), stride: Spatial(2))
    let averaged = Pool.referenceForward(input: conv, geometry: avgPool).output
    let specAverage = [
        1.3077450425921293, -1.08361425078209, 0.766884270636929, 0.28853562273627403,
        0.9600075531341533, -1.020721407978737, -0.6225379652170844, 0.6111244192585316,
    ]
    #expect(Support.maxMixedError(Array(averaged.scalars[0..<8]), specAverage) <= 1e-14)
    #expect(Support.maxMixedError(averaged.scalars, SeedConvOutput.pooledAverage) <= 1e-15)
}

// MARK: - Finite differences

struct PoolForm: Sendable, CustomStringConvertible {
    var name: String
    var shape: [Int]
    /// Window, stride, dilation, padding, ceil_mode; mode and count_include_pad are set
    /// per variant. `nil` window = global.
    var window: Spatial?
    var stride = Spatial(1)
    var dilation = Spatial(1)
    var pads = Pads.zero
    var ceil = false
    var description: String { name }

    func geometry(_ variant: PoolVariant) -> Pool.Geometry {
        guard let window else {
            var g = Pool.Geometry.global(mode: variant.mode, height: shape[2], width: shape[3])
            g.countIncludePad = variant.includePad
            return g
        }
        return Pool.Geometry(
            mode: variant.mode, window: window, stride: stride, dilation: dilation, pads: pads,
            ceilMode: ceil, countIncludePad: variant.includePad)
    }
}

struct PoolVariant: Sendable, CustomStringConvertible {
    var mode: Pool.Mode
    var includePad: Bool
    var description: String { includePad ? "\(mode) count_include_pad" : "\(mode)" }
}

private let poolForms: [PoolForm] = [
    PoolForm(name: "odd sizes", shape: [2, 3, 7, 5], window: Spatial(3), stride: Spatial(2)),
    PoolForm(
        name: "asymmetric padding", shape: [1, 2, 6, 7], window: Spatial(3, 2), stride: Spatial(2, 1),
        pads: Pads(top: 1, bottom: 2, left: 0, right: 1)),
    PoolForm(name: "stride > window", shape: [1, 2, 8, 7], window: Spatial(2), stride: Spatial(3)),
    PoolForm(
        name: "dilation", shape: [1, 2, 7, 8], window: Spatial(3), stride: Spatial(1),
        dilation: Spatial(2, 1), pads: Pads(top: 2, bottom: 1, left: 1, right: 0)),
    PoolForm(
        name: "ceil_mode drop rule", shape: [1, 2, 5, 5], window: Spatial(2), stride: Spatial(2),
        pads: Pads(1), ceil: true),
    PoolForm(name: "ceil_mode partial window", shape: [1, 2, 6, 7], window: Spatial(3), stride: Spatial(2), ceil: true),
    PoolForm(
        name: "ceil_mode dilation asymmetric", shape: [1, 1, 7, 6], window: Spatial(2, 3), stride: Spatial(3, 2),
        dilation: Spatial(2, 1), pads: Pads(top: 1, bottom: 0, left: 2, right: 1), ceil: true),
    PoolForm(name: "global", shape: [2, 3, 4, 5], window: nil),
]

private let poolVariants: [PoolVariant] = [
    PoolVariant(mode: .max, includePad: false),
    PoolVariant(mode: .average, includePad: false),
    PoolVariant(mode: .average, includePad: true),
]

@Test("central differences", arguments: poolForms, poolVariants)
func poolGradientMatchesFiniteDifferences(_ form: PoolForm, _ variant: PoolVariant) {
    let g = form.geometry(variant)
    // Distinct values (no ties, gaps ≫ step) so the max is differentiable at x.
    let x = Support.distinctTensor(Shape(form.shape), seed: 0x5EED_0000 + UInt64(form.shape.reduce(0, +)))
    let r = Support.poolGradientError(input: x, geometry: g, seed: 17)
    #expect(r.maxError <= 1e-6, "worst at \(r.index): analytic \(r.analytic), numeric \(r.numeric)")
}

@Test func poolCeilDropRuleFormsReallyDrop() {
    // Guards the FD forms above: the drop rule fires in the "drop rule" form, and the
    // partial-window forms do reach past the input.
    let drop = geometry(.max, window: Spatial(2), stride: Spatial(2), pads: Pads(1), ceil: true)
    #expect(Pool.outputSize(inputHeight: 5, inputWidth: 5, geometry: drop) == Spatial(3, 3))
    let partial = geometry(.max, window: Spatial(3), stride: Spatial(2), ceil: true)
    #expect(Pool.outputSize(inputHeight: 6, inputWidth: 7, geometry: partial) == Spatial(3, 3))
    var floor = partial
    floor.ceilMode = false
    #expect(Pool.outputSize(inputHeight: 6, inputWidth: 7, geometry: floor) == Spatial(2, 3))
}

// MARK: - Float vs Double

@Test("float32 matches float64", arguments: poolForms, poolVariants)
func poolFloatMatchesDouble(_ form: PoolForm, _ variant: PoolVariant) {
    let g = form.geometry(variant)
    let x = Support.randomTensor(Shape(form.shape), seed: 99)
    let xf = x.converted(to: Float.self)
    // Compare from the same (rounded) inputs, so only the arithmetic differs.
    let (yd, amd) = Pool.referenceForward(input: xf.converted(to: Double.self), geometry: g)
    let (yf, amf) = Pool.referenceForward(input: xf, geometry: g)
    #expect(amd == amf)
    // Mixed relative error |a−b|/max(|b|,1) with inputs in [−1, 1).
    #expect(Support.maxMixedError(yf.scalars.map(Double.init), yd.scalars) <= 1e-5)
    let u = Support.randomTensor(yd.shape, seed: 7)
    let dxd = Pool.referenceBackward(
        upstream: u.converted(to: Float.self).converted(to: Double.self), inputShape: x.shape,
        argmax: amd, geometry: g)
    let dxf = Pool.referenceBackward(upstream: u.converted(to: Float.self), inputShape: x.shape, argmax: amf, geometry: g)
    #expect(Support.maxMixedError(dxf.scalars.map(Double.init), dxd.scalars) <= 1e-5)
}

// MARK: - Geometry resolution

@Test func poolGeometryResolvesAttributes() {
    var p = Pool()
    p.mode = .average
    p.global = true
    #expect(
        Pool.Geometry(resolving: p, inputHeight: 5, inputWidth: 7)
            == Pool.Geometry(mode: .average, window: Spatial(5, 7), stride: Spatial(1)))
    var q = Pool()
    q.window = Spatial(3)
    q.stride = Spatial(2)
    q.padding = .same
    // same: out = ⌈5/2⌉ = 3, total = (3−1)·2 + 3 − 5 = 2 → 1 and 1; width 6: out 3, total 1 → 0, 1.
    let g = Pool.Geometry(resolving: q, inputHeight: 5, inputWidth: 6)
    #expect(g.pads == Pads(top: 1, bottom: 1, left: 0, right: 1))
    #expect(g.mode == .max)
    #expect(Pool.outputSize(inputHeight: 5, inputWidth: 6, geometry: g) == Spatial(3, 3))
}
