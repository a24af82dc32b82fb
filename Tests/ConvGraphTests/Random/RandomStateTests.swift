import Testing
@testable import ConvGraph

/// Reference values below were produced with numpy 2.4.6 (legacy `RandomState`);
/// each group names the python one-liner that printed them (floats via `repr(float(v))`).
struct RandomStateTests {
    /// Exact comparison on Double bit patterns.
    private func expectBits(_ actual: [Double], _ expected: [Double], sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        #expect(actual.map(\.bitPattern) == expected.map(\.bitPattern), sourceLocation: sourceLocation)
    }

    private func draws(_ count: Int, _ mt: inout MT19937) -> [UInt32] {
        (0..<count).map { _ in mt.next() }
    }

    // python3 -c "import numpy as np; r=np.random.RandomState(S).randint(0,2**32,size=1250,dtype=np.uint64); print(list(r[:5]), [r[i] for i in (623,624,1247,1248,1249)], int(r.sum()))"
    // (randint over the full 32-bit range returns the raw tempered words; cross-checked
    // against np.random.MT19937()._legacy_seeding(S); random_raw().)
    @Test(arguments: [
        (UInt32(0), [2_357_136_044, 2_546_248_239, 3_071_714_933, 3_626_093_760, 2_588_848_963] as [UInt32],
         [3_791_854_820, 341_544_762, 1_145_454_359, 4_192_857_288, 2_422_637_952] as [UInt32], UInt64(2_710_007_822_852)),
        (UInt32(1), [1_791_095_845, 4_282_876_139, 3_093_770_124, 4_005_303_368, 491_263],
         [2_006_116_153, 1_104_314_680, 1_926_754_611, 3_239_719_367, 3_879_348_080], UInt64(2_642_399_508_281)),
        (UInt32.max, [419_326_371, 479_346_978, 3_918_654_476, 2_416_749_639, 3_388_880_820],
         [1_027_084_080, 3_860_652_269, 3_512_076_445, 2_400_582_258, 3_040_777_976], UInt64(2_719_895_866_376)),
    ])
    func mt19937RawWords(seed: UInt32, first: [UInt32], aroundTwists: [UInt32], sum: UInt64) {
        var mt = MT19937(seed: seed)
        let words = draws(1250, &mt)
        #expect(Array(words.prefix(5)) == first)
        #expect([623, 624, 1247, 1248, 1249].map { words[$0] } == aroundTwists)
        #expect(words.reduce(UInt64(0)) { $0 + UInt64($1) } == sum)
    }

    @Test func copiedGeneratorForksTheStream() {
        var a = MT19937(seed: 9)
        _ = draws(700, &a)
        var b = a
        #expect(draws(10, &a) == draws(10, &b))
    }

    // SPEC §5 known values.
    @Test func specSeed0Randn5() {
        var rs = RandomState(seed: 0)
        expectBits(rs.standardNormals(count: 5), [
            1.764052345967664, 0.4001572083672233, 0.9787379841057392,
            2.240893199201458, 1.8675579901499675,
        ])
    }

    @Test func specSeed42RandnThenUniform() {
        var rs = RandomState(seed: 42)
        expectBits(rs.standardNormals(count: 3), [0.4967141530112327, -0.13826430117118466, 0.6476885381006925])
        expectBits(rs.uniforms(count: 2, low: 0, high: 1), [0.15601864044243652, 0.15599452033620265])
    }

    // python3 -c "import numpy as np; rs=np.random.RandomState(7); print(rs.random_sample(3))"
    @Test func randomSampleSeed7() {
        var rs = RandomState(seed: 7)
        expectBits((0..<3).map { _ in rs.randomSample() },
                   [0.07630828937395717, 0.7799187922401146, 0.4384092314408935])
    }

    // python3 -c "import numpy as np; np.random.seed(1); [print(repr(np.random.randn(*s).ravel())) for s in [(10,3,4,4),(3,8,2,2),(1,8,1,1)]]"
    // sums are sequential left-to-right (python `sum(map(float, x))`, not numpy's pairwise
    // `x.sum()`); checksums are `int(x.view(np.uint64).astype(object).sum()) % 2**64`.
    @Test func seed1SpecSequence() {
        var rs = RandomState(seed: 1)
        let a = rs.standardNormals(count: 10 * 3 * 4 * 4)
        let b = rs.standardNormals(count: 3 * 8 * 2 * 2)
        let c = rs.standardNormals(count: 1 * 8 * 1 * 1)
        func checksum(_ x: [Double]) -> UInt64 { x.reduce(0) { $0 &+ $1.bitPattern } }
        func sum(_ x: [Double]) -> Double { x.reduce(0, +) }

        #expect(a.count == 480)
        expectBits(Array(a.prefix(3)), [1.6243453636632417, -0.6117564136500754, -0.5281717522634557])
        expectBits(Array(a.suffix(3)), [-1.4023291454531368, 0.4511229387345986, -0.6949209011852391])
        #expect(sum(a).bitPattern == (27.01267594403936 as Double).bitPattern)
        #expect(checksum(a) == 14_170_693_367_885_860_680)

        expectBits(Array(b.prefix(3)), [0.515413801783241, -1.1148710523659369, -0.7673098263317347])
        expectBits(Array(b.suffix(3)), [1.853009485069379, 0.14225137252631778, 0.5135054799885475])
        #expect(sum(b).bitPattern == (7.050298574457509 as Double).bitPattern)
        #expect(checksum(b) == 17_673_547_306_759_167_021)

        expectBits(Array(c.prefix(3)), [0.3724568515114425, -0.14848980305939366, -0.1834001973200239])
        expectBits(Array(c.suffix(3)), [-0.62944160405378, -1.1134361029729902, -0.06741002494685439])
        #expect(sum(c).bitPattern == (0.11130645716551152 as Double).bitPattern)
        #expect(checksum(c) == 9_134_456_936_152_334_615)
    }

    // python3 -c "import numpy as np; rs=np.random.RandomState(3); print(rs.randn(3), rs.randn(2))"
    // equals RandomState(3).randn(5): the Gaussian kept after the odd batch carries over.
    @Test func oddBatchCarriesKeptGaussian() {
        let expected = [1.7886284734303186, 0.43650985051198943, 0.09649746807200862,
                        -1.8634927033644908, -0.27738820251439905]
        var split = RandomState(seed: 3)
        expectBits(split.standardNormals(count: 3) + split.standardNormals(count: 2), expected)
        var whole = RandomState(seed: 3)
        expectBits(whole.standardNormals(count: 5), expected)
    }

    // python3 -c "import numpy as np; rs=np.random.RandomState(5); print(rs.randn(1), rs.uniform(-1,1,2), rs.randn(2))"
    // -0.33087015189408764 is also RandomState(5).randn(2)[1]: uniform kept the cache.
    @Test func uniformNeitherUsesNorClearsKeptGaussian() {
        var rs = RandomState(seed: 5)
        expectBits([rs.standardNormal()], [0.44122748688504143])
        expectBits(rs.uniforms(count: 2, low: -1, high: 1), [-0.5865616893211472, 0.8372218158758431])
        expectBits(rs.standardNormals(count: 2), [-0.33087015189408764, 2.43077118700778])

        var plain = RandomState(seed: 5)
        expectBits(plain.standardNormals(count: 2), [0.44122748688504143, -0.33087015189408764])
    }

    // python3 -c "import numpy as np; print(np.random.RandomState(7).uniform(-1,1,6))"
    @Test func uniformMinusOneToOne() {
        let expected = [-0.8473834212520857, 0.5598375844802292, -0.123181537118213,
                        0.44693035566188244, 0.9559790239932053, 0.07699174082086735]
        var bulk = RandomState(seed: 7)
        expectBits(bulk.uniforms(count: 6, low: -1, high: 1), expected)
        var single = RandomState(seed: 7)
        expectBits((0..<6).map { _ in single.uniform(low: -1, high: 1) }, expected)
    }

    // python3 -c "import numpy as np; print(np.random.RandomState(2**32-1).randn(4))"
    @Test func maxSeedRandn() {
        var rs = RandomState(seed: UInt32.max)
        expectBits(rs.standardNormals(count: 4),
                   [0.6484086742306527, 0.6693235306338161, -1.0805437227474493, 0.2845010447986309])
    }

    // python3 -c "import numpy as np; x=np.random.RandomState(123).randn(200001); print(int(x.view(np.uint64).astype(object).sum())%2**64)"
    // python3 -c "import numpy as np; u=np.random.RandomState(123).uniform(-3,5,100000); print(int(u.view(np.uint64).astype(object).sum())%2**64)"
    // Long runs: every bit of every draw (libm `log`/`sqrt` included) must match.
    @Test func longRunChecksums() {
        var normals = RandomState(seed: 123)
        #expect(normals.standardNormals(count: 200_001).reduce(UInt64(0)) { $0 &+ $1.bitPattern }
                == 1_016_754_749_322_767_839)
        var uniforms = RandomState(seed: 123)
        #expect(uniforms.uniforms(count: 100_000, low: -3, high: 5).reduce(UInt64(0)) { $0 &+ $1.bitPattern }
                == 7_729_602_708_292_314_852)
    }

    @Test func emptyBatchesDrawNothing() {
        var a = RandomState(seed: 11)
        var b = RandomState(seed: 11)
        #expect(a.standardNormals(count: 0).isEmpty)
        #expect(a.uniforms(count: 0, low: 0, high: 1).isEmpty)
        #expect(a.standardNormal().bitPattern == b.standardNormal().bitPattern)
    }
}
