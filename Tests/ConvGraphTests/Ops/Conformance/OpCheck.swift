import Testing
import ConvGraph

/// Helpers for the hand-checked per-op tests: build an op through the graph loader, run
/// it on literal values in either dtype, and get plain `[Double]`s back.
enum OpCheck {
    /// A literal input: its port, shape and row-major values.
    struct Literal {
        var port: String
        var shape: Shape
        var values: [Double]
        init(_ shape: Shape, _ values: [Double]) { self.init("input", shape, values) }
        init(_ port: String, _ shape: Shape, _ values: [Double]) {
            self.port = port
            self.shape = shape
            self.values = values
        }
    }

    /// The op `op` with no attributes, loaded from a graph whose leaves have these shapes.
    static func load(_ op: String, _ literals: [Literal]) throws -> any Op { try load(op, "", literals) }

    /// The op `op` with `attributes`, loaded from a graph whose leaves have these shapes.
    static func load(_ op: String, _ attributes: String, _ literals: [Literal]) throws -> any Op {
        let c = OpCase(op, attributes, inputs: literals.map { OpCase.Input(port: $0.port, shape: $0.shape, values: .uniform) },
                       expected: [])
        return try c.load().op
    }

    /// `0, 1, …, count−1`, shaped.
    static func arange(_ shape: Shape, port: String = "input") -> Literal {
        Literal(port, shape, (0..<shape.count).map(Double.init))
    }

    /// Forward, then backward of `upstream`, in `dtype`, exactly as the executor calls them.
    static func run(_ op: any Op, _ literals: [Literal], upstream: [Double], dtype: DType = .float64)
        -> (output: Tensor<Double>, grads: [[Double]?]) {
        switch dtype {
        case .float64: return run(op, literals, upstream: upstream, as: Double.self)
        case .float32: return run(op, literals, upstream: upstream, as: Float.self)
        }
    }

    private static func run<T: TensorScalar>(_ op: any Op, _ literals: [Literal], upstream: [Double], as _: T.Type)
        -> (output: Tensor<Double>, grads: [[Double]?]) {
        let inputs = literals.map { Tensor<T>(shape: $0.shape, scalars: $0.values.map { T($0) }) }
        let result = OpRunner.forward(op, inputs)
        let u = Tensor<T>(shape: result.output.shape, scalars: upstream.map { T($0) })
        let grads = OpRunner.backward(op, inputs, result, upstream: u)
        return (result.output.converted(to: Double.self), grads.map { $0?.scalars.map(Double.init) })
    }

    /// The `ShapeError` message of `op`'s shape rule for `shapes`, or nil when it accepts them.
    static func shapeError(_ op: any Op, _ shapes: [Shape]) -> ShapeError? {
        do {
            _ = try op.outputShape(inputs: shapes)
            return nil
        } catch {
            return error
        }
    }

    /// The diagnostics' messages of a graph text that fails to load (empty when it loads).
    static func graphErrors(_ yaml: String) -> [String] {
        do {
            _ = try Graph.parse(yaml: yaml, path: "graph.yaml")
            return []
        } catch {
            return error.diagnostics.map(\.message)
        }
    }

    /// Runs a graph text with backward and returns its saved values and gradients as doubles.
    static func runGraph(_ yaml: String) throws -> (values: [String: [Double]], grads: [String: [Double]]) {
        let result = try Executor(graph: try Graph.parse(yaml: yaml, path: "graph.yaml"), parallelism: .serial).run()
        var values: [String: [Double]] = [:], grads: [String: [Double]] = [:]
        for v in result.values { values[v.name] = v.tensor.doubles.scalars }
        for g in result.grads { grads[g.name] = g.tensor.doubles.scalars }
        return (values, grads)
    }
}
