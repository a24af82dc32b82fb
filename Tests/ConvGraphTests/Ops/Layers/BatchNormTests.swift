@testable import ConvGraph
import Testing

/// `batchnorm` beyond the conformance table: the running-statistics update against a hand
/// computation, inference mode through a session and gradcheck, and its errors.
@Suite struct BatchNormTests {
    /// Channel 0 holds 1, 3, 5, 7 (μ = 4, σ² = 5, unbiased 20/3); channel 1 holds −1, 1, 2, 2
    /// (μ = 1, σ² = 1.5, unbiased 2).
    @Test func runningStatisticsFollowPyTorch() {
        var op = BatchNorm(eps: 1e-5, momentum: 0.1)
        op.connect(inputPorts: [0, 3, 4])  // input, mean, var
        let x = Tensor<Double>(shape: [2, 2, 1, 2], scalars: [1, 3, -1, 1, 5, 7, 2, 2])
        let mean = Tensor<Double>(shape: [2], scalars: [0.5, -1]), variance = Tensor<Double>(shape: [2], scalars: [2, 3])
        let result = op.forward([x, mean, variance])
        #expect(result.savedTensors.map(\.scalars) == [[4, 1], [5, 1.5]])
        let updates = op.stateUpdates(inputs: [x, mean, variance], result: result)
        #expect(Set(updates.keys) == [1, 2])
        let newMean = updates[1]?.scalars ?? [], newVar = updates[2]?.scalars ?? []
        for (got, want) in zip(newMean, [0.9 * 0.5 + 0.1 * 4, 0.9 * -1 + 0.1 * 1]) { #expect(abs(got - want) <= 1e-15) }
        for (got, want) in zip(newVar, [0.9 * 2 + 0.1 * 20 / 3, 0.9 * 3 + 0.1 * 2]) { #expect(abs(got - want) <= 1e-15) }
        // Unwired statistics, or a forward in inference mode: nothing to update.
        #expect(BatchNorm().stateUpdates(inputs: [x], result: BatchNorm().forward([x])).isEmpty)
        var context = ForwardContext<Double>(mode: .eval)
        let evalResult = try? op.forward([x, mean, variance], context: &context)
        #expect(evalResult.map { op.stateUpdates(inputs: [x, mean, variance], result: $0).isEmpty } == true)
    }

    @Test func trainingNormalizesEachChannelAndIgnoresTheRunningStatistics() throws {
        var op = BatchNorm()
        op.connect(inputPorts: [0, 3, 4])
        let x = Tensor<Double>(shape: [2, 2, 1, 2], scalars: [1, 3, -1, 1, 5, 7, 2, 2])
        let stats = [Tensor<Double>(shape: [2], scalars: [9, 9]), Tensor<Double>(shape: [2], scalars: [9, 9])]
        let y = op.forward([x] + stats).output.scalars
        let inv0 = 1 / (5 + 1e-5).squareRoot()
        #expect(abs(y[0] - (1 - 4) * inv0) <= 1e-15 && abs(y[5] - (7 - 4) * inv0) <= 1e-15)
        let g = OpRunner.run(op, [x] + stats, upstream: Tensor(repeating: 1, shape: x.shape))
        // dx of a constant upstream is 0 through the batch statistics; mean and var get 0.
        #expect(g.grads[0]?.scalars.allSatisfy { abs($0) <= 1e-15 } == true)
        #expect(g.grads[1]?.scalars == [0, 0] && g.grads[2]?.scalars == [0, 0])
    }

    @Test func inferenceModeGradientsPassGradcheck() throws {
        let graph = try ET.load("batchnorm.yaml")
        var check = GradCheck()
        check.mode = .eval
        let reports = try check.check(graph)
        #expect(reports.count == 7)
        for r in reports {
            #expect(r.error <= 1e-6, "\(r.name): analytic \(r.analytic), numeric \(r.numeric)")
            #expect(r.skipped == 0)
        }
        // Here the running statistics get their true, nonzero gradients.
        let eval = try Session(graph: graph, mode: .eval).step()
        #expect(ET.grad(eval, "mean").contains { $0 != 0 } && ET.grad(eval, "var").contains { $0 != 0 })
        let train = try Session(graph: graph, mode: .train).step()
        #expect(ET.grad(train, "mean").allSatisfy { $0 == 0 } && ET.grad(train, "var").allSatisfy { $0 == 0 })
        #expect(ET.value(eval, "norm") != ET.value(train, "norm"))
    }

    @Test(arguments: ["batchnorm.yaml", "lenet.yaml"])
    func graphsPassGradcheckInInferenceMode(_ file: String) throws {
        var check = GradCheck()
        check.mode = .eval
        for r in try check.check(try ET.load(file)) {
            #expect(r.error <= 1e-6 && r.skipped <= r.checked / 10, "\(file) \(r.name): analytic \(r.analytic), numeric \(r.numeric), \(r.skipped) skipped")
        }
    }

    /// Every buffer of the layers (outputs, gradients, batchnorm's saved statistics and
    /// scratch, cross_entropy's per-position losses) comes back to the workspace.
    @Test(arguments: ["batchnorm.yaml", "lenet.yaml", "activations.yaml", "cross-entropy.yaml"])
    func stepsAfterTheFirstAllocateNothing(_ file: String) throws {
        let graph = try ET.load(file)
        for mode in file == "batchnorm.yaml" || file == "lenet.yaml" ? [Mode.train, .eval] : [.train] {
            let session = try Session(graph: graph, mode: mode)
            let first = try session.step()
            #expect(session.lastStepAllocatedBytes > 0)
            for _ in 0..<2 {
                let step = try session.step()
                #expect(session.lastStepAllocatedBytes == 0, "\(file) \(mode)")
                #expect(step.values.map(\.tensor) == first.values.map(\.tensor))
                #expect(step.peakTensorBytes == graph.plannedPeakBytes())
            }
        }
    }

    @Test func inferenceModeWithoutRunningStatisticsIsRefused() throws {
        let graph = try ET.parse("""
            nodes:
              x: {op: input, shape: [2, 3, 2, 2], init: randn}
              m: {op: param, shape: [3], init: zeros}
              n: {op: batchnorm}
              loss: {op: sum}
            edges:
              - x -> n -> loss
              - m -> n.mean
            """)
        #expect(throws: ConvGraphError.self) { try Session(graph: graph, mode: .eval) }
        do {
            _ = try Session(graph: graph, mode: .eval)
        } catch {
            #expect(error.kind == .invalidInput)
            #expect("\(error)".contains("node 'n' cannot run in eval mode") && "\(error)".contains("'var' is not"))
        }
        _ = try Session(graph: graph, mode: .train).step()
    }

    @Test(arguments: [
        ("x: {op: input, shape: [1, 3, 1, 1], init: randn}", "", "M = N·H·W ≥ 2", "M = 1·1·1 = 1"),
        ("x: {op: input, shape: [2, 3, 2, 2], init: randn}\n  s: {op: param, shape: [4], init: ones}", "- s -> n.scale",
         "batchnorm scale [4] must have C = 3 elements", ""),
    ])
    func shapeErrorsShowTheArithmetic(_ nodes: String, _ edge: String, _ message: String, _ arithmetic: String) {
        let yaml = "nodes:\n  \(nodes)\n  n: {op: batchnorm}\nedges:\n  - x -> n\n" + (edge.isEmpty ? "" : "  \(edge)\n")
        do {
            _ = try ET.parse(yaml)
            Issue.record("no error for \(yaml)")
        } catch {
            #expect("\(error)".contains(message) && (arithmetic.isEmpty || "\(error)".contains(arithmetic)), "\(error)")
        }
    }

    @Test(arguments: ["eps: 0", "eps: -1", "momentum: 1.5", "momentum: -0.1", "epsilon: 1"])
    func badAttributesAreErrors(_ attributes: String) {
        let yaml = "nodes:\n  x: {op: input, shape: [2, 3, 2, 2], init: randn}\n  n: {op: batchnorm, \(attributes)}\nedges:\n  - x -> n\n"
        #expect(throws: ConvGraphError.self) { try ET.parse(yaml) }
    }
}
