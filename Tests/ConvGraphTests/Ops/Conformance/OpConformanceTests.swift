import Testing
import ConvGraph

/// The op conformance harness: every row of `OpConformanceTable` gets its shape rule
/// (against the hand-written shape, the graph's inferred shape and forward's output),
/// float64 finite-difference gradients for every port, float32 agreement with float64,
/// bit-identical results on 1, 2 and 8 threads in both dtypes, gradients only for wanted
/// ports, and untouched arguments; forward and backward are called the way the executor
/// calls them (`OpRunner`). A new op gets all of this by being registered and given rows
/// in the table; registering it without rows fails the first test.
@Suite("Op conformance")
struct OpConformanceTests {
    static let leaves: Set<String> = ["input", "param"]
    static let threadCounts = [1, 2, 8]
    /// Finite differences probe at most this many elements per input (evenly spaced).
    static let maxProbes = 160

    @Test func everyRegisteredOpHasConformanceCases() {
        #expect(Self.uncovered(OpRegistry.names, by: OpConformanceTable.cases) == [],
                "registered ops without a row in OpConformanceTable")
        for name in Set(OpConformanceTable.cases.map(\.op)) {
            #expect(OpRegistry.byName[name] != nil, "OpConformanceTable has rows for '\(name)', which is not registered")
        }
    }

    /// The non-leaf names in `registered` that no case covers.
    static func uncovered(_ registered: [String], by cases: [OpCase]) -> [String] {
        let covered = Set(cases.map(\.op))
        return registered.filter { !leaves.contains($0) && !covered.contains($0) }
    }

    @Test(arguments: OpConformanceTable.cases)
    func shapeRuleMatchesHandWrittenShapeAndForward(_ c: OpCase) throws {
        let (op, graphShape) = try c.load()
        let inferred = try op.outputShape(inputs: c.inputs.map(\.shape)).shape
        #expect(inferred == c.expected, "shape rule")
        #expect(graphShape == c.expected, "shape the graph inferred")
        let inputs = c.inputValues()
        #expect(OpRunner.forward(op, inputs, mode: c.mode).output.shape == c.expected, "float64 forward")
        let floats = inputs.map { $0.converted(to: Float.self) }
        #expect(OpRunner.forward(op, floats, mode: c.mode).output.shape == c.expected, "float32 forward")
    }

    @Test(arguments: OpConformanceTable.cases)
    func backwardMatchesCentralDifferencesOnEveryPort(_ c: OpCase) throws {
        let (op, _) = try c.load()
        let inputs = c.inputValues()
        let result = OpRunner.forward(op, inputs, mode: c.mode)
        let upstream = FD.randomTensor(result.output.shape, seed: 99)
        let grads = OpRunner.backward(op, inputs, result, upstream: upstream, mode: c.mode)
        try #require(grads.count == inputs.count, "backward returned \(grads.count) gradients for \(inputs.count) inputs")
        for k in inputs.indices {
            let port = "input \(k) (\(c.inputs[k].port))"
            guard op.propagatesGradient(toInput: k, inputShapes: inputs.map(\.shape)) else {
                #expect(grads[k] == nil, "\(port): a gradient for an input that carries none")
                continue
            }
            let g = try #require(grads[k], "\(port): no gradient although wanted")
            try #require(g.shape == inputs[k].shape, "\(port): gradient shape \(g.shape) ≠ \(inputs[k].shape)")
            guard c.checksFiniteDifferences else { continue }
            let error = Self.gradientError(op, inputs, upstream, analytic: g, port: k, mode: c.mode)
            #expect(error <= FD.tolerance, "\(port): max gradient error \(error)")
        }
    }

    @Test(arguments: OpConformanceTable.cases)
    func backwardGivesOnlyWantedPortsTheirUsualGradient(_ c: OpCase) throws {
        let (op, _) = try c.load()
        let inputs = c.inputValues()
        let result = OpRunner.forward(op, inputs, mode: c.mode)
        let upstream = FD.randomTensor(result.output.shape, seed: 99)
        let all = OpRunner.backward(op, inputs, result, upstream: upstream, mode: c.mode)
        let none = OpRunner.backward(op, inputs, result, upstream: upstream, wants: inputs.map { _ in false }, mode: c.mode)
        #expect(none.count == inputs.count)
        #expect(none.allSatisfy { $0 == nil }, "gradients computed for ports nobody wants")
        for k in inputs.indices where inputs.count > 1 {
            let only = OpRunner.backward(op, inputs, result, upstream: upstream, wants: inputs.indices.map { $0 == k }, mode: c.mode)
            try #require(only.count == inputs.count)
            #expect(OpRunner.bits(only[k]) == OpRunner.bits(all[k]), "gradient \(k) changes when the other ports are not wanted")
            #expect(only.indices.allSatisfy { $0 == k || only[$0] == nil }, "gradients computed for ports nobody wants")
        }
    }

    @Test(arguments: OpConformanceTable.cases)
    func float32AgreesWithFloat64(_ c: OpCase) throws {
        let (op, _) = try c.load()
        let inputs = c.inputValues()
        let upstream = FD.randomTensor(try op.outputShape(inputs: c.inputs.map(\.shape)).shape, seed: 99)
        let double = OpRunner.run(op, inputs, upstream: upstream, mode: c.mode)
        let single = OpRunner.run(op, inputs.map { $0.converted(to: Float.self) }, upstream: upstream.converted(to: Float.self), mode: c.mode)
        Self.expectClose(single.output, double.output, "output")
        #expect(single.grads.count == double.grads.count)
        for (k, (s, d)) in zip(single.grads, double.grads).enumerated() {
            #expect((s == nil) == (d == nil), "gradient \(k) present in one dtype only")
            if let s, let d { Self.expectClose(s, d, "gradient \(k)") }
        }
    }

    @Test(arguments: OpConformanceTable.cases)
    func resultsAreBitIdenticalForEveryThreadCount(_ c: OpCase) throws {
        let (op, _) = try c.load()
        let inputs = c.inputValues()
        let upstream = FD.randomTensor(try op.outputShape(inputs: c.inputs.map(\.shape)).shape, seed: 99)
        #expect(Self.threadMismatches(op, inputs, upstream, mode: c.mode) == [], "float64")
        #expect(Self.threadMismatches(op, inputs.map { $0.converted(to: Float.self) }, upstream.converted(to: Float.self), mode: c.mode) == [],
                "float32")
    }

    /// The kernels read inputs through unsafe pointers; none may write through them (the
    /// executor hands the same storage to every reader of a value).
    @Test(arguments: OpConformanceTable.cases)
    func forwardAndBackwardLeaveTheirArgumentsUntouched(_ c: OpCase) throws {
        let (op, _) = try c.load()
        let inputs = c.inputValues()
        let upstream = FD.randomTensor(try op.outputShape(inputs: c.inputs.map(\.shape)).shape, seed: 99)
        let before = inputs.map { OpRunner.bits($0) } + [OpRunner.bits(upstream)]
        let floats = inputs.map { $0.converted(to: Float.self) }, floatUpstream = upstream.converted(to: Float.self)
        let floatsBefore = floats.map { OpRunner.bits($0) } + [OpRunner.bits(floatUpstream)]
        for threads in Self.threadCounts {
            _ = OpRunner.run(op, inputs, upstream: upstream, threads: threads, mode: c.mode)
            _ = OpRunner.run(op, floats, upstream: floatUpstream, threads: threads, mode: c.mode)
        }
        #expect(inputs.map { OpRunner.bits($0) } + [OpRunner.bits(upstream)] == before, "float64")
        #expect(floats.map { OpRunner.bits($0) } + [OpRunner.bits(floatUpstream)] == floatsBefore, "float32")
    }

    // MARK: - Helpers

    /// Every index of a small input; evenly spaced ones (first and last included) of a large one.
    static func probeIndices(_ count: Int) -> [Int] {
        guard count > maxProbes else { return Array(0..<count) }
        return (0..<maxProbes).map { $0 * (count - 1) / (maxProbes - 1) }
    }

    /// |f − d| ≤ 1e-5 · (|d| + max|d|) element-wise: float32 rounding, relative to the
    /// tensor's scale so that cancellations near 0 pass.
    static func expectClose(_ single: Tensor<Float>, _ double: Tensor<Double>, _ what: String,
                            sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        #expect(single.shape == double.shape, "\(what): shape", sourceLocation: sourceLocation)
        guard single.shape == double.shape else { return }
        let scale = double.scalars.map(abs).max() ?? 0
        var worst = 0.0, at = -1
        for (i, (s, d)) in zip(single.scalars, double.scalars).enumerated() {
            let excess = abs(Double(s) - d) / (1e-5 * (abs(d) + scale) + .leastNonzeroMagnitude)
            if excess > worst { worst = excess; at = i }
        }
        #expect(worst <= 1, "\(what): float32 differs from float64 at \(at) by \(worst)× the tolerance", sourceLocation: sourceLocation)
    }

    /// The FD error of `analytic`, input `k`'s gradient, at `probeIndices` of that input.
    static func gradientError(_ op: any Op, _ inputs: [Tensor<Double>], _ upstream: Tensor<Double>,
                              analytic: Tensor<Double>, port k: Int, mode: Mode = .train) -> Double {
        let probes = probeIndices(inputs[k].count)
        var numeric: [Double] = []
        for i in probes {
            var plus = inputs, minus = inputs
            plus[k].scalars[i] += FD.epsilon
            minus[k].scalars[i] -= FD.epsilon
            let yPlus = OpRunner.forward(op, plus, mode: mode).output, yMinus = OpRunner.forward(op, minus, mode: mode).output
            var s = 0.0
            for j in 0..<upstream.count { s += upstream.scalars[j] * (yPlus.scalars[j] - yMinus.scalars[j]) }
            numeric.append(s / (2 * FD.epsilon))
        }
        return FD.maxRelativeError(probes.map { analytic.scalars[$0] }, numeric)
    }

    /// What differs between 1 thread and `threadCounts` (empty when nothing does).
    static func threadMismatches<T: TensorScalar>(_ op: any Op, _ inputs: [Tensor<T>], _ upstream: Tensor<T>, mode: Mode = .train) -> [String] {
        var mismatches: [String] = []
        let serial = OpRunner.run(op, inputs, upstream: upstream, threads: 1, mode: mode)
        if mode == .train, OpRunner.bits(op.forward(inputs).output) != OpRunner.bits(serial.output) {
            mismatches.append("forward(_:) differs from forward(_:parallelism: .serial)")
        }
        for threads in threadCounts.dropFirst() {
            let parallel = OpRunner.run(op, inputs, upstream: upstream, threads: threads, mode: mode)
            if OpRunner.bits(parallel.output) != OpRunner.bits(serial.output) { mismatches.append("forward on \(threads) threads") }
            if parallel.grads.count != serial.grads.count { mismatches.append("gradient count on \(threads) threads"); continue }
            for k in serial.grads.indices where OpRunner.bits(parallel.grads[k]) != OpRunner.bits(serial.grads[k]) {
                mismatches.append("gradient \(k) on \(threads) threads")
            }
        }
        return mismatches
    }
}
