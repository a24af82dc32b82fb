import Testing
@testable import ConvGraph

/// Helpers shared by the Source/ and Graph/ suites: parse a graph or a YAML text and get
/// the typed error back, find a diagnostic by a fragment of its message, build positions.
enum GT {
    /// The file name every helper passes to the parser.
    static let file = "graph.yaml"

    /// A position in `graph.yaml` (1-based line and column).
    static func at(_ line: Int, _ column: Int, file: String = GT.file) -> ConvGraph.SourceLocation {
        ConvGraph.SourceLocation(file: file, line: line, column: column)
    }

    /// The error `Graph.parse` throws, or `nil` when the graph is valid.
    static func error(_ yaml: String, overrides: [String] = [], limits: Limits = .default) -> ConvGraphError? {
        do {
            _ = try Graph.parse(yaml: yaml, path: file, overrides: overrides, limits: limits)
            return nil
        } catch {
            return error
        }
    }

    static func graph(_ yaml: String, overrides: [String] = [], limits: Limits = .default) throws(ConvGraphError) -> Graph {
        try Graph.parse(yaml: yaml, path: file, overrides: overrides, limits: limits)
    }

    /// The root of a YAML text parsed by `YAMLParser`.
    static func yaml(_ text: String, limits: Limits = .default) throws(ConvGraphError) -> YAMLNode {
        try YAMLParser(file: file, limits: limits).parse(Array(text.utf8))
    }

    static func yamlError(_ bytes: [UInt8], limits: Limits = .default) -> ConvGraphError? {
        do {
            _ = try YAMLParser(file: file, limits: limits).parse(bytes)
            return nil
        } catch {
            return error
        }
    }

    static func yamlError(_ text: String, limits: Limits = .default) -> ConvGraphError? {
        yamlError(Array(text.utf8), limits: limits)
    }

    /// The first diagnostic whose message contains `fragment`.
    static func diagnostic(_ error: ConvGraphError?, containing fragment: String) -> Diagnostic? {
        error?.diagnostics.first { $0.message.contains(fragment) }
    }

    /// Every note message of a diagnostic, joined (for `contains` checks).
    static func notes(_ d: Diagnostic?) -> String {
        (d?.notes ?? []).map(\.message).joined(separator: "\n")
    }

    /// The output shape of the node called `name`.
    static func shape(_ graph: Graph, _ name: String) -> [Int]? {
        graph.index(of: name).map { graph.nodes[$0].shape.dims }
    }

    /// The names of `indices`, for readable expectations.
    static func names(_ graph: Graph, _ indices: [Int]) -> [String] {
        indices.map { graph.nodes[$0].name }
    }

    /// SPEC §2's seed graph without the `backward` and `save` sections.
    static let seedNodes = """
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

        """

    /// SPEC §2's seed graph, verbatim (comments included).
    static let seedGraph = seedNodes + """
        backward:                    # optional; without it only the forward pass runs
          from: loss                 # scalar: seeded with 1; non-scalar: seeded with `grad`
          # grad: ones
          wrt: [image, kernel, bias] # leaves to differentiate; default: every input and param

        save:                        # optional
          values: [conv, pooled]     # default: every node without outgoing edges
          grads: [image, kernel, bias]   # default: backward.wrt; any node may be named (dL/d output)

        """

    /// A graph with an input `x` of `shape` feeding node `y` declared as `{op: …}` text.
    static func singleOp(input shape: [Int], _ node: String) -> String {
        """
        nodes:
          x: {op: input, shape: \(shape), init: zeros}
          y: \(node)
        edges:
          - x -> y

        """
    }
}
