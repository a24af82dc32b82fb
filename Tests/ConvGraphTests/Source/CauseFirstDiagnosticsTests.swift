import Foundation
import Testing
@testable import ConvGraph

/// Issue 10 part 2, "the cause first, at its position, once": each case is a graph and
/// the exact, complete list of diagnostics it gets (every line of every diagnostic, in
/// order), so that a cascade of follow-on errors fails the test as surely as a wrong
/// position or a missing note.
@Suite struct CauseFirstDiagnosticsTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var yaml: String
        /// The diagnostics' descriptions, joined by newlines.
        var expected: String
        var testDescription: String { name }
        init(_ name: String, _ yaml: String, _ expected: String) {
            self.name = name
            self.yaml = yaml
            self.expected = expected
        }
    }

    /// `x` (input [1, 2, 8, 8]) feeding `y`, declared on line 3 (`  y: NODE`).
    static func single(_ node: String) -> String { GT.singleOp(input: [1, 2, 8, 8], node) }

    /// SPEC §2's seed nodes (lines 5–12) followed by `rest` from line 13 (line 14 after
    /// the blank line `seedNodes` ends with).
    static func seed(_ rest: String, nodes: String = GT.seedNodes) -> String {
        let head = nodes.split(separator: "\n", omittingEmptySubsequences: false).prefix(13).joined(separator: "\n")
        return head + "\n" + rest
    }

    static let edgesOfSeed = """
        edges:
          - image -> padded -> conv -> pooled
          - kernel -> conv.weight
          - bias -> conv.bias
          - conv -> loss

        """

    // MARK: no cascades

    static let noCascades: [Case] = [
        Case("misspelled top-level 'edge'", seed("""
            edge:
              - image -> padded -> conv -> pooled
              - kernel -> conv.weight
              - bias -> conv.bias
              - conv -> loss
            """), """
            graph.yaml:14:1: error: unknown key 'edge' in the graph file
            note: did you mean 'edges'?
            """),
        Case("misspelled top-level 'node'", """
            node:
              x: {op: input, shape: [1, 2, 8, 8], init: zeros}
            edges:
              - x -> y
            """, """
            graph.yaml:1:1: error: unknown key 'node' in the graph file
            note: did you mean 'nodes'?
            """),
        Case("misspelled 'backward' with 'save.grads'", seed(edgesOfSeed + """
            backwrd:
              from: loss
            save:
              grads: [kernel]
            """), """
            graph.yaml:19:1: error: unknown key 'backwrd' in the graph file
            note: did you mean 'backward'?
            """),
        Case("edges under another name", seed("""
            links:
              - image -> padded -> conv -> pooled
              - kernel -> conv.weight
              - bias -> conv.bias
              - conv -> loss
            """), """
            graph.yaml:14:1: error: unknown key 'links' in the graph file
            """),
        Case("'edges' written as a mapping", seed("""
            edges:
              image: padded
            """), """
            graph.yaml:15:3: error: 'edges' takes a list of edges such as '- a -> b', not a mapping
            note: write each edge as a list item: '- a -> b'
            """),
        Case("malformed arrow in a chain", seed("""
            edges:
              - image => padded -> conv -> pooled
              - kernel -> conv.weight
              - bias -> conv.bias
              - conv -> loss
            """), """
            graph.yaml:15:11: error: malformed edge: '=>' is not an arrow
            note: write '->' between nodes, not '=>'
            """),
        Case("malformed edge without an arrow", """
            nodes:
              x: {op: input, shape: [1, 2, 8, 8], init: zeros}
              y: {op: relu}
            edges:
              - x => y
            """, """
            graph.yaml:5:5: error: an edge needs '->' between two nodes, as in 'a -> b'
            note: write '->' between nodes, not '=>'
            """),
        Case("two names without an arrow between them", """
            nodes:
              x: {op: input, shape: [1, 2, 8, 8], init: zeros}
              y: {op: relu}
            edges:
              - x y -> y
            """, """
            graph.yaml:5:5: error: malformed edge: 'x y' is not a node name
            note: separate nodes with '->', as in 'a -> b -> c'
            """),
        Case("pool without window does not also lack stride", single("{op: pool, mode: max}"), """
            graph.yaml:3:3: error: op 'pool' requires the attribute 'window'
            """),
        Case("wrt names a node that failed to decode",
             seed(edgesOfSeed + """
                backward:
                  from: loss
                  wrt: [image, kernel]
                """, nodes: GT.seedNodes.replacingOccurrences(of: "kernel: {op: param, shape: [3, 8, 2, 2], init: randn}",
                                                               with: "kernel: {op: param, shape: [3, 8, 2, 2]}")), """
            graph.yaml:7:3: error: op 'param' requires the attribute 'init'
            """),
        Case("unknown source and unknown port leave their destinations unreported", seed("""
            edges:
              - imag -> padded -> conv -> pooled
              - kernel -> conv.wieght
              - bias -> conv.bias
              - conv -> loss
            """), """
            graph.yaml:15:5: error: unknown node 'imag' in edge
            note: did you mean 'image'?
            graph.yaml:16:20: error: op 'conv' has no port 'wieght'
            note: did you mean 'weight'?
            note: the ports of 'conv' are input, weight, bias
            """),
    ]

    // MARK: every section in one run

    static let everySection: [Case] = [
        Case("unknown op and unknown wrt name", seed(edgesOfSeed + """
                backward:
                  from: loss
                  wrt: [image, kernel, bais]
                """, nodes: GT.seedNodes.replacingOccurrences(of: "{op: l2}", with: "{op: l3}")), """
            graph.yaml:12:16: error: unknown op 'l3'
            note: did you mean 'l2'?
            note: ops are input, param, pad, conv, pool, relu, add, concat, sum, mean, l2, mse, linear, conv_transpose, batchnorm, sigmoid, tanh, leaky_relu, softmax, cross_entropy
            graph.yaml:21:24: error: unknown node 'bais' in 'backward.wrt'
            note: did you mean 'bias'?
            """),
        Case("wrt is checked when 'from' is not a name", seed(edgesOfSeed + """
                backward:
                  from: [loss]
                  wrt: [image, kernl]
                """), """
            graph.yaml:20:9: error: 'from' takes a string, not a list
            graph.yaml:21:16: error: unknown node 'kernl' in 'backward.wrt'
            note: did you mean 'kernel'?
            """),
    ]

    // MARK: did-you-mean with swaps, top-level keys included

    static let didYouMean: [Case] = [
        Case("top-level 'egdes' and 'backwrd'", seed("""
            egdes:
              - image -> padded
            backwrd:
              from: loss
            """), """
            graph.yaml:14:1: error: unknown key 'egdes' in the graph file
            note: did you mean 'edges'?
            graph.yaml:16:1: error: unknown key 'backwrd' in the graph file
            note: did you mean 'backward'?
            """),
        Case("op 'rleu'", single("{op: rleu}"), """
            graph.yaml:3:11: error: unknown op 'rleu'
            note: did you mean 'relu'?
            note: ops are input, param, pad, conv, pool, relu, add, concat, sum, mean, l2, mse, linear, conv_transpose, batchnorm, sigmoid, tanh, leaky_relu, softmax, cross_entropy
            """),
        Case("attribute 'strdie'", single("{op: conv, strdie: 2}"), """
            graph.yaml:3:17: error: unknown attribute 'strdie' for op 'conv'
            note: did you mean 'stride'?
            note: op 'conv' takes stride, padding, dilation, groups, weight_layout
            """),
        Case("dtype 'flaot32'", "dtype: flaot32\n" + single("{op: relu}"), """
            graph.yaml:1:8: error: 'dtype' takes 'float64' or 'float32', not the string 'flaot32'
            note: did you mean 'float32'?
            """),
    ]

    // MARK: YAML mistakes

    static let yamlMistakes: [Case] = [
        Case("tab at the start of the indentation", "nodes:\n\tx: {op: relu}\n", """
            graph.yaml:2:1: error: a tab in the indentation
            note: YAML does not allow tabs for indentation; use spaces
            """),
        Case("tab after spaces in the indentation",
             "nodes:\n  x: {op: input, shape: [1, 2, 8, 8], init: zeros}\n  \ty: {op: relu}\n", """
            graph.yaml:3:3: error: a tab in the indentation
            note: YAML does not allow tabs for indentation; use spaces
            """),
        Case("tab before a key after a scalar value", "seed: 1\n\tdtype: float32\n", """
            graph.yaml:2:1: error: a tab in the indentation
            note: YAML does not allow tabs for indentation; use spaces
            """),
        Case("key indented less than the keys around it", """
            nodes:
              x:
                op: input
              shape: [1, 2, 8, 8]
                init: zeros
            """, """
            graph.yaml:4:3: error: 'shape' is indented wrongly: it starts in column 3, but the keys above and below it start in column 5
            note: YAML read it as a key of the mapping on line 2; indent it like the keys on lines 3 and 5
            """),
        Case("key in the column of a list", """
            save:
              values:
                - x
                grads: [x]
            """, """
            graph.yaml:4:5: error: 'grads' is indented wrongly: it is in the column of the list on line 3
            note: indent it less to make it a key of the mapping that holds the list, or write '- ' before it to make it a list item
            """),
        Case("key indented deeper than the key above it", """
            backward:
              from: loss
                wrt: [x]
            """, """
            graph.yaml:3:5: error: 'wrt' is indented wrongly: YAML read it as part of the value on line 2
            note: the keys of one mapping start in the same column; the key on line 2 starts in column 3
            """),
        Case("key not aligned with its mapping", """
            nodes:
              x: {op: input, shape: [1, 2, 8, 8], init: zeros}
               y: {op: relu}
            edges:
              - x -> y
            """, """
            graph.yaml:3:4: error: 'y' is indented wrongly: it starts in column 4, but the keys of the mapping on line 2 start in column 3
            note: the keys of one mapping start in the same column; indent with spaces to match the key it belongs with
            """),
        Case("a value with ': ' in it", "graph: a: b\n", """
            graph.yaml:1:9: error: a second ': ' where YAML expects a value
            note: a value that contains ': ' must be quoted, as in 'key: "a: b"'; a nested mapping starts on its own line
            """),
        Case("unclosed '{'", """
            nodes:
              x: {op: input, shape: [1, 2, 8, 8], init: zeros
              y: {op: relu}
            edges:
              - x -> y
            """, """
            graph.yaml:2:6: error: '{' is never closed
            graph.yaml:3:4: note: YAML was still looking for ',' or '}' here
            note: close it with '}', or write the mapping in block style
            """),
        Case("unclosed '[' at the end of the file", "nodes:\n  x: {op: input, shape: [1, 2,\n", """
            graph.yaml:2:25: error: '[' is never closed
            graph.yaml:3:1: note: YAML was still looking for a value or ']' here
            note: close it with ']', or write the list in block style
            """),
        Case("'[' closed by '}'", """
            nodes:
              x: {op: input, shape: [1, 2, 8, 8}
              y: {op: relu}
            edges:
              - x -> y
            """, """
            graph.yaml:2:25: error: '[' is never closed
            graph.yaml:2:36: note: YAML was still looking for ',' or ']' here
            note: close it with ']', or write the list in block style
            """),
        Case("a missing comma is not an unclosed '{'", """
            nodes:
              x: {op: input shape: [1, 2, 8, 8]}
            """, """
            graph.yaml:2:22: error: did not find expected ',' or '}' while parsing a flow mapping
            graph.yaml:2:6: note: the mapping starts here; separate its items with ', '
            """),
        Case("'{op:relu}' without a space", """
            nodes:
              x: {op: input, shape: [1, 2, 8, 8], init: zeros}
              y: {op:relu}
            edges:
              - x -> y
            """, """
            graph.yaml:3:7: error: node 'y' has no 'op'
            note: YAML read 'op:relu' as one key with no value, because ':' is not followed by a space
            note: write a space after ':', as in 'op: relu'
            """),
        Case("an attribute without a space is not also missing", single("{op: pool, mode:max, window: 2}"), """
            graph.yaml:3:17: error: unknown attribute 'mode:max' for op 'pool'
            note: YAML read 'mode:max' as one key with no value, because ':' is not followed by a space
            note: write a space after ':', as in 'mode: max'
            """),
        Case("'op:relu' in block style", """
            nodes:
              x: {op: input, shape: [1, 2, 8, 8], init: zeros}
              y:
                op:relu
            edges:
              - x -> y
            """, """
            graph.yaml:4:5: error: node 'y' takes a mapping such as {op: relu}, not the string 'op:relu'
            note: YAML read 'op:relu' as one string, because ':' is not followed by a space
            note: write a space after ':', as in 'op: relu'
            """),
    ]

    // MARK: attributes with no effect, input rank

    static let attributesAndRank: [Case] = [
        Case("count_include_pad on max pooling, at its key",
             single("{op: pool, mode: max, window: 2, count_include_pad: true}"), """
            graph.yaml:3:39: error: 'count_include_pad' has no effect on max pooling
            note: remove it, or use mode: average
            """),
        Case("value on reflect padding, at its key", single("{op: pad, pads: 1, mode: reflect, value: 2}"), """
            graph.yaml:3:40: error: 'value' has no effect with mode 'reflect'
            note: only mode 'constant' fills with a value
            """),
        Case("value on edge padding, at its key", single("{op: pad, pads: 1, mode: edge, value: 2}"), """
            graph.yaml:3:37: error: 'value' has no effect with mode 'edge'
            note: only mode 'constant' fills with a value
            """),
        Case("3-D input shape, at the shape", """
            nodes:
              x: {op: input, shape: [2, 8, 8], init: zeros}
              y: {op: pool, mode: max, window: 2}
            edges:
              - x -> y
            """, """
            graph.yaml:2:25: error: an input must be 4-D (N, C, H, W), but 'shape' is [2, 8, 8]
            note: add the batch size N in front, as in [1, 2, 8, 8]
            """),
        Case("2-D input data, at the init", """
            nodes:
              x: {op: input, init: {values: [[1, 2], [3, 4]]}}
              y: {op: relu}
            edges:
              - x -> y
            """, """
            graph.yaml:2:24: error: an input must be 4-D (N, C, H, W), but the data of 'init' is [2, 2]
            note: write the shape as [N, C, H, W]: batch size, channels, height, width
            """),
    ]

    func check(_ c: Case) {
        let e = GT.error(c.yaml)
        #expect(e?.kind == .invalidInput)
        let actual = (e?.diagnostics ?? []).map(\.description).joined(separator: "\n")
        #expect(actual == c.expected)
    }

    @Test(arguments: noCascades) func noCascade(_ c: Case) { check(c) }
    @Test(arguments: everySection) func independentSections(_ c: Case) { check(c) }
    @Test(arguments: didYouMean) func suggestion(_ c: Case) { check(c) }
    @Test(arguments: yamlMistakes) func yamlMistake(_ c: Case) { check(c) }
    @Test(arguments: attributesAndRank) func attributeOrRank(_ c: Case) { check(c) }

    /// One error in each of dtype, nodes, edges, backward and save: all five are
    /// reported, in file order, and nothing else.
    @Test func oneErrorInEverySection() {
        let e = GT.error("""
            dtype: float46
            nodes:
              image:  {op: input, shape: [10, 3, 4, 4], init: randn}
              kernel: {op: param, shape: [3, 8, 2, 2], init: randn}
              bias:   {op: param, shape: [1, 8, 1, 1], init: randn}
              conv:   {op: conv, stride: 2, weight_layout: IOHW}
              loss:   {op: l3}
            edges:
              - image -> conv
              - kernel -> conv.wieght
              - bias -> conv.bias
              - conv -> loss
            backward:
              from: loss
              wrt: [image, kernel, bais]
            save:
              values: [conv, lss]
            """)
        #expect(e?.kind == .invalidInput)
        #expect(e?.diagnostics.map(\.description) == [
            """
            graph.yaml:1:8: error: 'dtype' takes 'float64' or 'float32', not the string 'float46'
            note: did you mean 'float64'?
            """,
            """
            graph.yaml:7:16: error: unknown op 'l3'
            note: did you mean 'l2'?
            note: ops are input, param, pad, conv, pool, relu, add, concat, sum, mean, l2, mse, linear, conv_transpose, batchnorm, sigmoid, tanh, leaky_relu, softmax, cross_entropy
            """,
            """
            graph.yaml:10:20: error: op 'conv' has no port 'wieght'
            note: did you mean 'weight'?
            note: the ports of 'conv' are input, weight, bias
            """,
            """
            graph.yaml:15:24: error: unknown node 'bais' in 'backward.wrt'
            note: did you mean 'bias'?
            """,
            """
            graph.yaml:17:18: error: unknown node 'lss' in 'save'
            note: did you mean 'loss'?
            """,
        ])
    }

    @Test func swapOfNeighbouringLettersIsOneEdit() {
        #expect(Spelling.editDistance("rleu", "relu") == 1)
        #expect(Spelling.editDistance("egdes", "edges") == 1)
        #expect(Spelling.editDistance("ca", "abc") == 3)  // OSA, not unrestricted Damerau (2)
        #expect(Spelling.editDistance("kitten", "sitting") == 3)
        #expect(Spelling.editDistance("", "abc") == 3)
        #expect(Spelling.closest(to: "egdes", among: GraphFileDecoder.topLevelKeys) == "edges")
    }

    /// The explanations read the text around libyaml's marks: a graph with the characters
    /// of the usual mistakes inserted anywhere (tabs, brackets, colons, line breaks, a
    /// multi-byte character) ends in a graph or a typed error, never a trap.
    @Test func mistakesInsertedAnywhereNeverTrap() {
        let base = Array((GT.seedGraph).unicodeScalars)
        let inserts: [String] = ["\t", "{", "[", "}", "]", ":", " ", "\n", "\n   ", "'", "\"", "#", "=>", ",", "é", "\r", "-"]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        for _ in 0..<400 {
            var text = base
            for _ in 0..<(1 + next(3)) {
                let at = next(text.count + 1)
                text.insert(contentsOf: inserts[next(inserts.count)].unicodeScalars, at: at)
            }
            var view = String.UnicodeScalarView()
            view.append(contentsOf: text)
            if let e = GT.error(String(view)) {
                #expect(!e.diagnostics.isEmpty)
            }
        }
    }

    /// The explanations look around libyaml's mark; a huge line or file stays linear.
    @Test func unclosedBracketInAHugeFileIsFast() {
        let start = ContinuousClock.now
        let body = String(repeating: "  - a -> b\n", count: 200_000)
        let e = GT.error("nodes:\n  x: {op: input, shape: [1, 2\nedges:\n" + body)
        #expect(ContinuousClock.now - start < .seconds(5))
        #expect(e?.diagnostics.first?.message == "'[' is never closed")
    }
}
