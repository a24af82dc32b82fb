import Testing
@testable import ConvGraph

/// Init specs against NumPy's legacy `RandomState` (numpy 2.4.6; floats printed with
/// `repr(float(v))`). Sums are `np.sum` of the whole array, equal to `pairwiseSum`.
@Suite struct InitSpecTests {
    private func values(_ yaml: String) throws -> RunResult { try ET.run(try ET.parse(yaml), keepAll: true) }

    // python3 -c "import numpy as np; np.random.seed(3); p=np.random.randn(3);
    //   a=0.01*np.random.RandomState(7).randn(6); b=np.random.randn(6); print(p, a, b)"
    static let p: [Double] = [1.7886284734303186, 0.43650985051198943, 0.09649746807200862]
    static let a: [Double] = [0.016905257038003562, -0.004659373705408328, 0.000328201636785844,
                              0.004075162829965079, -0.007889230286257386, 2.0655729059481302e-05]
    static let b: [Double] = [-1.8634927033644908, -0.27738820251439905, -0.35475897926898675,
                              -0.08274148148245977, -0.6270006768238473, -0.04381816897592824]

    static func seededGraph(_ middle: String) -> String {
        """
        seed: 3
        nodes:
          p: {op: param, shape: [1, 1, 1, 3], init: randn}
          a: {op: param, shape: [1, 1, 2, 3], init: \(middle)}
          b: {op: param, shape: [1, 1, 2, 3], init: randn}
        save: {values: [p, a, b]}
        """
    }

    @Test func seededRandnIsScaledAndLeavesTheStreamUntouched() throws {
        let r = try values(Self.seededGraph("{randn: {seed: 7, scale: 0.01}}"))
        #expect(ET.value(r, "p") == Self.p)
        #expect(ET.value(r, "a") == Self.a)
        // b continues the graph stream, including the Gaussian p's odd draw kept.
        #expect(ET.value(r, "b") == Self.b)
        let zeros = try values(Self.seededGraph("zeros"))
        #expect(ET.value(zeros, "a") == Array(repeating: 0, count: 6))
        #expect(ET.bits(ET.value(zeros, "b")) == ET.bits(ET.value(r, "b")))
    }

    // python3 -c "import numpy as np; np.random.seed(3); p=np.random.randn(3);
    //   u=np.random.uniform(-2,3,4); q=np.random.randn(2); print(u, q)"
    @Test func uniformFromTheStreamKeepsTheCachedGaussian() throws {
        let r = try values("""
            seed: 3
            nodes:
              p: {op: param, shape: [1, 1, 1, 3], init: randn}
              u: {op: param, shape: [1, 1, 2, 2], init: {uniform: {low: -2, high: 3}}}
              q: {op: param, shape: [1, 1, 1, 2], init: randn}
            save: {values: [p, u, q]}
            """)
        #expect(ET.value(r, "u") == [2.4647347717382733, 2.48146544466719, -1.3720734476808187, -0.9637856093090662])
        #expect(ET.value(r, "q") == [-1.8634927033644908, -0.08274148148245977])
    }

    // python3 -c "import numpy as np; print(np.random.RandomState(42).uniform(0,1,2))";
    // v is SPEC §5's seed-0 randn(5): the seeded uniform leaves the graph stream (seed 0) alone.
    @Test func seededUniform() throws {
        let r = try values("""
            seed: 0
            nodes:
              u: {op: param, shape: [1, 1, 1, 2], init: {uniform: {low: 0, high: 1, seed: 42}}}
              v: {op: param, shape: [1, 1, 1, 5], init: randn}
            save: {values: [u, v]}
            """)
        #expect(ET.value(r, "u") == [0.3745401188473625, 0.9507143064099162])
        #expect(ET.value(r, "v") == [1.764052345967664, 0.4001572083672233, 0.9787379841057392,
                                     2.240893199201458, 1.8675579901499675])
    }

    // python3 -c "import numpy as np; np.random.seed(5); w1=np.random.randn(4,3,2,2)*np.sqrt(2/12);
    //   l=np.sqrt(6/28); w2=np.random.uniform(-l,l,(4,3,2,2)); w3=np.random.randn(3,4,2,2)*np.sqrt(2/12);
    //   [print(repr(float(w.flat[0])), repr(float(w.flat[1])), repr(float(w.flat[-1])), repr(float(w.sum()))) for w in (w1,w2,w3)]"
    // w3 feeds an IOHW conv weight: its OIHW view [4, 3, 2, 2] gives fan_in 12, not 16.
    @Test func fansOfHeNormalAndXavierUniform() throws {
        let r = try values("""
            seed: 5
            nodes:
              x:  {op: input, shape: [1, 3, 3, 3], init: zeros}
              w1: {op: param, shape: [4, 3, 2, 2], init: {he_normal: {}}}
              w2: {op: param, shape: [4, 3, 2, 2], init: {xavier_uniform: {}}}
              w3: {op: param, shape: [3, 4, 2, 2], init: {he_normal: {}}}
              c:  {op: conv, weight_layout: IOHW}
            edges:
              - x -> c
              - w3 -> c.weight
            save: {values: [w1, w2, w3, c]}
            """)
        let expected: [(String, [Double], Double)] = [
            ("w1", [0.1801303672264847, -0.13507717387627996, 0.2018544472692061], 2.1469228998378656),
            ("w2", [0.3950313414162969, 0.38201815154106156, 0.41998024007236545], 0.5114700086260331),
            ("w3", [0.35625975729144976, -0.08251440048522793, -0.5804982663380399], 1.7029434343361314),
        ]
        for (name, firstSecondLast, sum) in expected {
            let v = ET.value(r, name)
            #expect(v.count == 48, "\(name)")
            guard v.count == 48 else { continue }
            #expect([v[0], v[1], v[47]] == firstSecondLast, "\(name)")
            #expect(pairwiseSum(v) == sum, "\(name)")
        }
        let limit = (6.0 / 28).squareRoot()
        #expect(ET.value(r, "w2").allSatisfy { abs($0) < limit })
    }

    @Test func constantAndOnesAndValues() throws {
        let r = try values("""
            nodes:
              c: {op: param, shape: [1, 1, 1, 3], init: {constant: 0.5}}
              o: {op: param, shape: [1, 1, 1, 2], init: ones}
              v: {op: param, init: {values: [[[[1, 2], [3, 4]]]]}}
            save: {values: [c, o, v]}
            """)
        #expect(ET.value(r, "c") == [0.5, 0.5, 0.5])
        #expect(ET.value(r, "o") == [1, 1])
        #expect(r.value("v")?.shape == [1, 1, 2, 2])
        #expect(ET.value(r, "v") == [1, 2, 3, 4])
    }
}
