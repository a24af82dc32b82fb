@testable import ConvGraph
import Foundation
import Testing

/// `cross_entropy` by hand (K = 2, a target per pixel), its refusal of targets that are not
/// class indices (in the library and through the CLI: exit 65, nothing written), and its
/// shape rule; `leaky_relu`'s kinks.
@Suite struct CrossEntropyTests {
    /// Pixel 0: logits (0, 0), label 0 → log 2; pixel 1: logits (2, 0), label 1 → log(1 + e²).
    @Test func twoClassesPerPixelByHand() {
        let x = Tensor<Double>(shape: [1, 2, 1, 2], scalars: [0, 2, 0, 0])
        let labels = Tensor<Double>(shape: [1, 1, 1, 2], scalars: [0, 1])
        let r = OpRunner.run(CrossEntropy(), [x, labels], upstream: Tensor(scalar: 1))
        let expected = (log(2.0) + log(1 + exp(2.0))) / 2
        #expect(abs(r.output.scalars[0] - expected) <= 1e-15)
        let p1 = exp(2.0) / (1 + exp(2.0))
        let dx = r.grads[0]?.scalars ?? []
        for (got, want) in zip(dx, [(0.5 - 1) / 2, p1 / 2, 0.5 / 2, (1 - p1 - 1) / 2]) { #expect(abs(got - want) <= 1e-15) }
        #expect(r.grads[1] == nil)
        // The same targets as probabilities give the same loss and dx, and a gradient for t.
        let onehot = Tensor<Double>(shape: [1, 2, 1, 2], scalars: [1, 0, 0, 1])
        let p = OpRunner.run(CrossEntropy(), [x, onehot], upstream: Tensor(scalar: 1))
        #expect(abs(p.output.scalars[0] - expected) <= 1e-15)
        for (a, b) in zip(p.grads[0]?.scalars ?? [], dx) { #expect(abs(a - b) <= 1e-15) }
        #expect(p.grads[1]?.scalars.count == 4)
        #expect(!CrossEntropy().propagatesGradient(toInput: 1, inputShapes: [x.shape, labels.shape]))
        #expect(CrossEntropy().propagatesGradient(toInput: 1, inputShapes: [x.shape, onehot.shape]))
    }

    @Test(arguments: [(0.5, "0.5"), (-1.0, "-1.0"), (3.0, "3.0"), (Double.nan, "nan"), (-0.25, "-0.25")])
    func targetsThatAreNotClassIndicesFail(_ bad: Double, _ text: String) {
        let x = Tensor<Double>(shape: [1, 3, 2, 2], scalars: (0..<12).map { Double($0) / 10 })
        let t = Tensor<Double>(shape: [1, 1, 2, 2], scalars: [0, 2, bad, 1])
        var context = ForwardContext<Double>()
        do {
            _ = try CrossEntropy().forward([x, t], context: &context)
            Issue.record("no failure for \(bad)")
        } catch {
            #expect(error.message == "target value \(text) at index [0, 0, 1, 0] is not a class index")
            #expect(error.notes == ["an index target holds whole numbers 0…2 (K = 3 classes)"])
        }
        var floatContext = ForwardContext<Float>()
        #expect(throws: OpFailure.self) { try CrossEntropy().forward([x.converted(to: Float.self), t.converted(to: Float.self)], context: &floatContext) }
        // Without a context (no way to fail), the value is NaN.
        #expect(CrossEntropy().forward([x, t]).output.scalars[0].isNaN)
    }

    @Test func aBadLabelExitsWith65NamingNodeIndexAndValueAndWritesNothing() throws {
        let path = try CLITests.temporaryFile("""
            graph: bad-labels
            nodes:
              logits: {op: input, shape: [2, 3, 1, 2], init: randn}
              labels: {op: input, init: {values: [[[[0, 2]]], [[[1, 7]]]]}}
              loss:   {op: cross_entropy}
            edges:
              - logits -> loss
              - labels -> loss.target
            backward: {from: loss, wrt: [logits]}
            """)
        let out = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("out").path
        let r = try CLITests.convgraph(["run", path, "--out", out])
        #expect(r.status == 65)
        #expect(r.stderr.contains("error: node 'loss': target value 7.0 at index [1, 0, 0, 1] is not a class index"), "\(r.stderr)")
        #expect(r.stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test(arguments: [
        ([1, 1, 2, 2], [1, 1, 2, 2], "K ≥ 2 classes, but the logits [1, 1, 2, 2] have K = 1"),
        ([2, 3, 2, 2], [2, 2, 2, 2], "target [2, 2, 2, 2] must be class indices [2, 1, 2, 2] or probabilities [2, 3, 2, 2]"),
        ([2, 3, 2, 2], [1, 1, 2, 2], "target [1, 1, 2, 2] must be class indices [2, 1, 2, 2]"),
    ] as [([Int], [Int], String)])
    func shapeErrors(_ logits: [Int], _ target: [Int], _ message: String) {
        do {
            _ = try CrossEntropy().outputShape(inputs: [Shape(logits), Shape(target)])
            Issue.record("no error")
        } catch {
            #expect(error.message.contains(message), "\(error.message)")
        }
    }

    /// A sign change of a leaky_relu input changes the kink hash (gradcheck skips such
    /// entries); a change that keeps the signs does not.
    @Test func leakyReluSignChangesAreKinks() {
        func hash(_ values: [Double]) -> Int {
            var h = Hasher()
            LeakyRelu(slope: 0.1).hashKinks(LeakyRelu(slope: 0.1).forward([Tensor(shape: [1, 1, 1, 3], scalars: values)]), into: &h)
            return h.finalize()
        }
        #expect(hash([0.5, -1e-7, 2]) != hash([0.5, 1e-7, 2]))
        #expect(hash([0.5, -1e-7, 2]) == hash([0.6, -2e-7, 3]))
        let y = LeakyRelu(slope: 0.1).forward([Tensor<Double>(shape: [1, 1, 1, 3], scalars: [-2, 0, 3])]).output.scalars
        #expect(y == [-0.2, 0, 3])
    }

    @Test(arguments: ["slope: -0.5", "slope: .nan", "slope: .inf", "slop: 0.1"])
    func badLeakySlopesAreErrors(_ attributes: String) {
        let yaml = "nodes:\n  x: {op: input, shape: [2, 3, 2, 2], init: randn}\n  n: {op: leaky_relu, \(attributes)}\nedges:\n  - x -> n\n"
        #expect(throws: ConvGraphError.self) { try ET.parse(yaml) }
    }

    @Test func softmaxNeedsFourDimensions() {
        #expect(throws: ShapeError.self) { try Softmax().outputShape(inputs: [Shape([3, 4])]) }
    }
}
