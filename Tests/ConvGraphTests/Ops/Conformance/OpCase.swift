import Testing
import ConvGraph

/// One row of the op conformance table: an op with its attributes as YAML, the shapes fed
/// to each input (in port order; a variadic port takes several), how their values are
/// drawn, and the output shape worked out by hand.
struct OpCase: Sendable, CustomTestStringConvertible {
    /// How a case's input values are drawn; each keeps finite differences off the op's kinks.
    enum Values: Sendable {
        /// Uniform in [−1, 1): for smooth ops.
        case uniform
        /// |x| in [0.25, 1) with a random sign: relu never sees a value within ε of 0.
        case awayFromZero
        /// A shuffled 0, 1/n, …, (n−1)/n, shifted to [−0.5, 0.5): no two values within ε,
        /// so max pooling has no ties.
        case distinct
        /// Uniform in [0.5, 1.5): a variance, a probability-like weight.
        case positive
        /// Whole numbers 0…k−1: class indices for a `cross_entropy` target.
        case classIndices(Int)
    }

    struct Input: Sendable {
        /// The port the edge goes to (`input`, `weight`, `inputs`, …).
        var port: String
        var shape: Shape
        var values: Values
    }

    /// The YAML `op:` name.
    var op: String
    /// Extra attribute text inside the node's flow mapping, e.g. `mode: max, window: 2`.
    var attributes: String
    var inputs: [Input]
    /// The output shape, written independently of the op's shape rule.
    var expected: Shape
    /// The mode forward and backward run in (`batchnorm` differs in `eval`).
    var mode: Mode
    /// Whether float64 central differences can check the row: not for a large row whose
    /// every output moves with each input (a mean over 65,536 logits, batch statistics over
    /// thousands of values), where rounding in the sums outweighs 1e-6; such rows are there
    /// for the thread checks, and small rows of the same op check the gradient.
    var checksFiniteDifferences: Bool

    init(_ op: String, _ attributes: String = "", inputs: [Input], expected: Shape, mode: Mode = .train,
         checksFiniteDifferences: Bool = true) {
        self.op = op
        self.attributes = attributes
        self.inputs = inputs
        self.expected = expected
        self.mode = mode
        self.checksFiniteDifferences = checksFiniteDifferences
    }

    var testDescription: String {
        let attrs = attributes.isEmpty ? "" : " {\(attributes)}"
        let inMode = mode == .train ? "" : " (\(mode.rawValue))"
        return "\(op)\(attrs) " + inputs.map { "\($0.port)\($0.shape.bracketed)" }.joined(separator: " ") + inMode
    }

    /// The graph text: one `param` leaf per input, each wired to node `y` by its port.
    var yaml: String {
        var text = "nodes:\n"
        for (k, input) in inputs.enumerated() {
            text += "  x\(k): {op: param, shape: \(input.shape.bracketed), init: zeros}\n"
        }
        let attrs = attributes.isEmpty ? "" : ", \(attributes)"
        text += "  y: {op: \(op)\(attrs)}\nedges:\n"
        for (k, input) in inputs.enumerated() {
            text += "  - x\(k) -> y.\(input.port)\n"
        }
        return text
    }

    /// The op as the graph loader decodes it, with the output shape the graph inferred.
    func load(sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> (op: any Op, shape: Shape) {
        let graph = try Graph.parse(yaml: yaml, path: "conformance.yaml")
        let node = try #require(graph.index(of: "y").map { graph.nodes[$0] }, sourceLocation: sourceLocation)
        #expect(node.inputs.count == inputs.count, "the graph wired \(node.inputs.count) of \(inputs.count) inputs",
                sourceLocation: sourceLocation)
        return (node.op, node.shape)
    }

    /// The float64 input values, each exactly representable in float32 (so both dtypes
    /// run on the same numbers).
    func inputValues(seed: UInt64 = 1) -> [Tensor<Double>] {
        inputs.enumerated().map { k, input in
            var rng = FD.SplitMix64(seed: seed &* 1000 &+ UInt64(k))
            let n = input.shape.count
            var scalars: [Double]
            switch input.values {
            case .uniform:
                scalars = (0..<n).map { _ in 2 * rng.nextUnit() - 1 }
            case .awayFromZero:
                scalars = (0..<n).map { _ in
                    let magnitude = 0.25 + 0.75 * rng.nextUnit()
                    return rng.next() & 1 == 0 ? magnitude : -magnitude
                }
            case .distinct:
                var order = Array(0..<n)
                for i in stride(from: n - 1, to: 0, by: -1) {
                    order.swapAt(i, Int(rng.next() % UInt64(i + 1)))
                }
                scalars = order.map { Double($0) / Double(n) - 0.5 }
            case .positive:
                scalars = (0..<n).map { _ in 0.5 + rng.nextUnit() }
            case .classIndices(let k):
                scalars = (0..<n).map { _ in Double(rng.next() % UInt64(k)) }
            }
            return Tensor(shape: input.shape, scalars: scalars.map { Double(Float($0)) })
        }
    }
}

/// Runs an op's forward and backward exactly as `Execution` does: inputs handed to
/// backward only where `backwardReadsInput`, the output only when `backwardReadsOutput`,
/// `saved` from forward, and the context's `parallelism` set.
enum OpRunner {
    static func forward<T: TensorScalar>(_ op: any Op, _ inputs: [Tensor<T>], threads: Int = 1, mode: Mode = .train) -> ForwardResult<T> {
        guard mode != .train else { return op.forward(inputs, parallelism: Parallelism(threads: threads)) }
        var context = ForwardContext<T>(mode: mode, parallelism: Parallelism(threads: threads))
        do {
            return try op.forward(inputs, context: &context)
        } catch {
            preconditionFailure("forward failed: \(error.message)")
        }
    }

    static func backward<T: TensorScalar>(
        _ op: any Op, _ inputs: [Tensor<T>], _ result: ForwardResult<T>, upstream: Tensor<T>,
        wants: [Bool]? = nil, threads: Int = 1, mode: Mode = .train
    ) -> [Tensor<T>?] {
        var context = BackwardContext(
            inputs: inputs.indices.map { op.backwardReadsInput($0) ? inputs[$0] : nil },
            inputShapes: inputs.map(\.shape),
            output: op.backwardReadsOutput ? result.output : nil,
            saved: result.saved, upstream: upstream,
            wants: wants ?? Array(repeating: true, count: inputs.count))
        context.parallelism = Parallelism(threads: threads)
        context.savedTensors = result.savedTensors
        context.mode = mode
        return op.backward(context)
    }

    /// Forward, then backward of `upstream`: the output and one gradient per input.
    static func run<T: TensorScalar>(_ op: any Op, _ inputs: [Tensor<T>], upstream: Tensor<T>, threads: Int = 1, mode: Mode = .train)
        -> (output: Tensor<T>, grads: [Tensor<T>?]) {
        let result = forward(op, inputs, threads: threads, mode: mode)
        return (result.output, backward(op, inputs, result, upstream: upstream, threads: threads, mode: mode))
    }

    /// Bit patterns, so that `==` also tells −0 from 0 and matches NaNs.
    static func bits<T: TensorScalar>(_ t: Tensor<T>?) -> [UInt64] {
        guard let t else { return [] }
        return t.scalars.map { UInt64(truncatingIfNeeded: Double($0).bitPattern) }
    }
}
