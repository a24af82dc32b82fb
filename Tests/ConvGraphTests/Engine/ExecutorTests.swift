import Testing
@testable import ConvGraph

/// The executor's contract (SPEC §2, §4, §5): determinism, forward-only runs, gradient
/// accumulation at fan-out, zero gradients off the path, feeding, float32, init specs.
@Suite struct ExecutorTests {
    // MARK: determinism and forward-only

    @Test(arguments: ["seed.yaml", "residual.yaml", "float32.yaml"])
    func twoRunsGiveIdenticalBits(_ file: String) throws {
        let graph = try ET.load(file)
        let a = try ET.run(graph), b = try ET.run(graph)
        #expect(!a.grads.isEmpty)
        #expect(ET.fingerprint(a) == ET.fingerprint(b))
        // A second executor on a freshly loaded graph agrees too.
        #expect(ET.fingerprint(try ET.run(try ET.load(file))) == ET.fingerprint(a))
    }

    @Test func forwardOnlyGivesNoGradients() throws {
        let graph = try ET.load("seed.yaml")
        let r = try ET.run(graph, forwardOnly: true)
        #expect(r.grads.isEmpty)
        #expect(!r.ranBackward)
        #expect(r.backwardMilliseconds == 0)
        // The forward values are those of a full run.
        let full = try ET.run(graph)
        #expect(ET.bits(ET.value(r, "conv")) == ET.bits(ET.value(full, "conv")))
        #expect(ET.bits(ET.value(r, "pooled")) == ET.bits(ET.value(full, "pooled")))
    }

    // MARK: gradient flow

    @Test func fanOutGradientsAreSummed() throws {
        // y = 2·x (1×1 conv) + (−0.5)·x (1×1 conv); loss = Σy, so dL/dx = 2 − 0.5 = 1.5
        // everywhere, dL/dw1 = dL/dw2 = Σx.
        let r = try ET.run(try ET.parse("""
            seed: 9
            nodes:
              x:    {op: input, shape: [2, 1, 3, 3], init: randn}
              w1:   {op: param, init: {values: [[[[2.0]]]]}}
              w2:   {op: param, init: {values: [[[[-0.5]]]]}}
              a:    {op: conv}
              b:    {op: conv}
              s:    {op: add}
              loss: {op: sum}
            edges:
              - x -> a -> s
              - x -> b -> s
              - s -> loss
              - w1 -> a.weight
              - w2 -> b.weight
            backward: {from: loss}
            save: {values: [x]}
            """))
        #expect(ET.grad(r, "x") == Array(repeating: 1.5, count: 18))
        let sumX = ET.value(r, "x").reduce(0, +)
        #expect(abs(ET.grad(r, "w1")[0] - sumX) <= 1e-12)
        #expect(abs(ET.grad(r, "w2")[0] - sumX) <= 1e-12)
    }

    @Test func sameEdgeTwiceAddsTheNodeToItself() throws {
        let r = try ET.run(try ET.parse("""
            seed: 2
            nodes:
              x:    {op: input, shape: [1, 2, 3, 3], init: randn}
              s:    {op: add}
              loss: {op: sum}
            edges:
              - x -> s
              - x -> s
              - s -> loss
            backward: {from: loss}
            save: {values: [x, s]}
            """))
        let x = ET.value(r, "x"), s = ET.value(r, "s")
        #expect(s.count == 18)
        #expect(s == x.map { $0 + $0 })
        #expect(ET.grad(r, "x") == Array(repeating: 2.0, count: 18))
    }

    @Test func mseGradientFlowsToInputAndTarget() throws {
        let r = try ET.run(try ET.parse("""
            nodes:
              x:    {op: input, init: {values: [[[[1.0, 2.0], [3.0, 4.0]]]]}}
              t:    {op: input, init: {values: [[[[0.5, 2.5], [3.0, -4.0]]]]}}
              loss: {op: mse}
            edges:
              - x -> loss
              - t -> loss.target
            backward: {from: loss, wrt: [x, t]}
            """))
        // mean((x−t)²) = (0.25 + 0.25 + 0 + 64) / 4; d/dx = 2(x−t)/4; d/dt = −d/dx.
        #expect(ET.value(r, "loss") == [64.5 / 4])
        #expect(ET.grad(r, "x") == [0.25, -0.25, 0, 4])
        #expect(ET.grad(r, "t") == [-0.25, 0.25, 0, -4])
    }

    @Test func leafWithoutPathToFromGetsZeroGradient() throws {
        let r = try ET.run(try ET.parse("""
            seed: 4
            nodes:
              x:     {op: input, shape: [1, 1, 2, 2], init: randn}
              y:     {op: param, shape: [1, 3, 2, 2], init: randn}
              loss:  {op: l2}
              other: {op: sum}
            edges:
              - x -> loss
              - y -> other
            backward: {from: loss, wrt: [x, y]}
            save: {values: [x, loss, other]}
            """))
        let gy = try #require(r.grad("y"))
        #expect(gy.shape == [1, 3, 2, 2])
        #expect(gy.doubles.scalars == Array(repeating: 0.0, count: 12))
        #expect(ET.grad(r, "x") == ET.value(r, "x"))   // l2's gradient is x
        #expect(ET.value(r, "other").count == 1)
    }

    // MARK: feeding

    @Test func feedingAnInputChangesOnlyThatNode() throws {
        let graph = try ET.load("seed.yaml")
        let plain = try Executor(graph: graph).run(keepAll: true)
        var executor = Executor(graph: graph)
        let fedImage = Tensor<Double>(shape: [10, 3, 4, 4], scalars: (0..<480).map { Double($0 % 7) - 3 })
        try executor.feed("image", fedImage)
        let fed = try executor.run(keepAll: true)
        #expect(fed.value("image") == AnyTensor(fedImage))
        #expect(fed.value("kernel") == plain.value("kernel"))
        #expect(fed.value("bias") == plain.value("bias"))
        #expect(fed.value("conv") != plain.value("conv"))
        // Bias-only border cells of the conv are unchanged, the inner ones moved.
        #expect(ET.value(fed, "conv")[0] == SeedGraphTests.border)
    }

    @Test func feedingAFloat32TensorConvertsToTheGraphDtype() throws {
        var executor = Executor(graph: try ET.load("seed.yaml"))
        let image = Tensor<Float>(shape: [10, 3, 4, 4], scalars: (0..<480).map { Float($0) / 8 })
        try executor.feed("image", image)
        let r = try executor.run(keepAll: true)
        #expect(r.value("image")?.dtype == .float64)
        #expect(ET.value(r, "image") == image.scalars.map(Double.init))
    }

    @Test func feedingTheWrongShapeOrANonInputThrows() throws {
        var executor = Executor(graph: try ET.load("seed.yaml"))
        #expect(ET.errorKind { try executor.feed("image", Tensor<Double>(zeros: [10, 3, 4, 5])) } == .invalidInput)
        #expect(ET.errorKind { try executor.feed("image", Tensor<Double>(zeros: [3, 4, 4])) } == .invalidInput)
        #expect(ET.errorKind { try executor.feed("kernel", Tensor<Double>(zeros: [3, 8, 2, 2])) } == .usage)
        #expect(ET.errorKind { try executor.feed("imag", Tensor<Double>(zeros: [10, 3, 4, 4])) } == .usage)
        #expect(executor.fed.isEmpty)
    }

    // MARK: float32

    @Test func float32GraphIsCloseToFloat64() throws {
        let g32 = try ET.load("float32.yaml")
        let g64 = try ET.load("float32.yaml", overrides: ["dtype=float64"])
        #expect(g32.dtype == .float32 && g64.dtype == .float64)
        let r32 = try ET.run(g32, keepAll: true), r64 = try ET.run(g64, keepAll: true)
        #expect(r32.values.map(\.name) == r64.values.map(\.name))
        #expect(r32.grads.map(\.name) == r64.grads.map(\.name))
        for (a, b) in zip(r32.values + r32.grads, r64.values + r64.grads) {
            #expect(a.tensor.dtype == .float32, "\(a.name)")
            #expect(b.tensor.dtype == .float64, "\(b.name)")
            #expect(a.tensor.shape == b.tensor.shape)
            // 1e-5 relative, measured against the tensor's largest magnitude for values
            // that cancel to near zero (inputs themselves differ by float32 rounding).
            let scale = b.tensor.doubles.scalars.reduce(0) { max($0, abs($1)) }
            for (x, y) in zip(a.tensor.doubles.scalars, b.tensor.doubles.scalars) {
                #expect(abs(x - y) <= 1e-5 * max(abs(y), 1e-2 * scale), "\(a.name): \(x) vs \(y)")
            }
        }
        // Literal and constant inits are rounded once to float32.
        #expect(r32.value("w")?.as(Float.self).scalars.prefix(5) == [0.25, -0.5, 0.75, 0.125, -0.3])
        #expect(r32.value("b")?.as(Float.self).scalars == [0.5, 0.5])
        // Backward from the non-scalar `pooled` seeded with ones: Σ over 9 windows.
        #expect(r32.grad("b")?.doubles.scalars == [9, 9])
    }
}
