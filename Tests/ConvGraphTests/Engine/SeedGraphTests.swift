import Testing
@testable import ConvGraph

/// `Graphs/seed.yaml` reproduces every number of SPEC §9 exactly (`==` on Double).
/// Means are NumPy's `np.mean`: the pairwise sum divided by the count.
@Suite struct SeedGraphTests {
    static let conv00Inner: [Double] = [2.5997336509514923, 0.9876812220804146, 2.3030972301882016, 4.016909022551844]
    static let border = 0.3724568515114425
    static let pooledMax: [Double] = [4.016909022551844, 0.2849723960779018, 3.580472585643438, 1.1010002026684818,
                                      5.023002799033184, 4.453772191926365, 1.7871512441393094, 4.993418567043646]
    static let pooledAverage: [Double] = [1.3077450425921293, -1.08361425078209, 0.766884270636929, 0.28853562273627403,
                                          0.9600075531341533, -1.020721407978737, -0.6225379652170844, 0.6111244192585316]

    /// SPEC §2's graph as a YAML string (the same content as the file, comments dropped).
    static let seedYAML = """
        graph: seed-convnet
        seed: 1
        dtype: float64
        nodes:
          image:  {op: input, shape: [10, 3, 4, 4], init: randn}
          kernel: {op: param, shape: [3, 8, 2, 2], init: randn}
          bias:   {op: param, shape: [1, 8, 1, 1], init: randn}
          padded: {op: pad, pads: 2}
          conv:   {op: conv, stride: 2, weight_layout: IOHW}
          pooled: {op: pool, mode: max, window: 3, stride: 2}
          loss:   {op: l2}
        edges:
          - image -> padded -> conv -> pooled
          - kernel -> conv.weight
          - bias -> conv.bias
          - conv -> loss
        backward:
          from: loss
          wrt: [image, kernel, bias]
        save:
          values: [conv, pooled]
          grads: [image, kernel, bias]

        """

    @Test func convValueAtImage0Channel0() throws {
        let r = try ET.run(try ET.load("seed.yaml"))
        let conv = try #require(r.value("conv"))
        #expect(conv.shape == [10, 8, 4, 4])
        #expect(conv.dtype == .float64)
        let c00 = Array(conv.doubles.scalars.prefix(16))
        for row in 0..<4 {
            for col in 0..<4 where row == 0 || row == 3 || col == 0 || col == 3 {
                #expect(c00[row * 4 + col] == Self.border, "border cell [\(row), \(col)]")
            }
        }
        #expect([c00[5], c00[6], c00[9], c00[10]] == Self.conv00Inner)
    }

    @Test func convMeanOverAll() throws {
        let r = try ET.run(try ET.load("seed.yaml"))
        let all = ET.value(r, "conv")
        #expect(all.count == 1280)
        #expect(ET.mean(all) == 0.07020741102320409)
    }

    @Test func maxPooledChannels() throws {
        let r = try ET.run(try ET.load("seed.yaml"))
        let pooled = try #require(r.value("pooled"))
        #expect(pooled.shape == [10, 8, 1, 1])
        #expect(Array(pooled.doubles.scalars.prefix(8)) == Self.pooledMax)
    }

    @Test func averagePooledChannels() throws {
        let graph = try ET.load("seed.yaml", overrides: ["nodes.pooled.mode=average"])
        let r = try ET.run(graph)
        let pooled = try #require(r.value("pooled"))
        #expect(pooled.shape == [10, 8, 1, 1])
        #expect(Array(pooled.doubles.scalars.prefix(8)) == Self.pooledAverage)
        // The conv (and so the backward numbers) are unchanged by the override.
        #expect(ET.mean(ET.value(r, "conv")) == 0.07020741102320409)
    }

    @Test func gradientMeans() throws {
        let r = try ET.run(try ET.load("seed.yaml"))
        #expect(r.ranBackward)
        #expect(r.grads.map(\.name) == ["image", "kernel", "bias"])
        #expect(r.grad("image")?.shape == [10, 3, 4, 4])
        #expect(r.grad("kernel")?.shape == [3, 8, 2, 2])
        #expect(r.grad("bias")?.shape == [1, 8, 1, 1])
        #expect(ET.mean(ET.grad(r, "image")) == 0.1200770342854924)
        #expect(ET.mean(ET.grad(r, "kernel")) == 1.597554753756692)
        #expect(ET.mean(ET.grad(r, "bias")) == 11.233185763712534)
    }

    @Test func biasGradientIsTheSumOfConvPerChannel() throws {
        // d(½Σconv²)/d bias_c = Σ over n, h, w of conv[n, c] (a hand check of the bias path).
        let r = try ET.run(try ET.load("seed.yaml"))
        let conv = ET.value(r, "conv"), gb = ET.grad(r, "bias")
        for c in 0..<8 {
            var s = 0.0
            for n in 0..<10 { for k in 0..<16 { s += conv[(n * 8 + c) * 16 + k] } }
            #expect(abs(gb[c] - s) <= 1e-12 * max(1, abs(s)))
        }
    }

    @Test func yamlStringGivesIdenticalResults() throws {
        let fromFile = try ET.run(try ET.load("seed.yaml"))
        let fromText = try ET.run(try Graph.parse(yaml: Self.seedYAML, path: "seed-inline.yaml"))
        #expect(ET.fingerprint(fromFile) == ET.fingerprint(fromText))
        #expect(!ET.fingerprint(fromText).isEmpty)
    }

    @Test func oneWindowValue() throws {
        // np.random.seed(1); a, W = randn(3,4,4), randn(3,4,4); b = randn(1,1,1); Σa·W + b
        let graph = try ET.parse("""
            seed: 1
            nodes:
              a:    {op: input, shape: [1, 3, 4, 4], init: randn}
              W:    {op: param, shape: [1, 3, 4, 4], init: randn}
              b:    {op: param, shape: [1, 1, 1, 1], init: randn}
              conv: {op: conv}
            edges:
              - a -> conv
              - W -> conv.weight
              - b -> conv.bias
            save:
              values: [conv]
            """)
        let r = try ET.run(graph)
        let conv = try #require(r.value("conv"))
        #expect(conv.shape == [1, 1, 1, 1])
        #expect(conv.doubles.scalars == [-6.999089450680221])
    }
}
