import Foundation
import Testing
@testable import ConvGraph

/// `linear` and `conv_transpose` errors as users see them: `convgraph check` exits 65 with
/// `FILE:LINE:COL: error: …` at the offending value, the arithmetic behind a shape rule and a
/// did-you-mean note for a misspelt attribute.
@Suite struct LayerErrorTests {
    static func check(_ yaml: String) throws -> CLIProcess.Outcome {
        let dir = try CLIProcess.makeTemporaryDirectory("convgraph-layer-errors")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try yaml.write(toFile: dir + "/g.yaml", atomically: true, encoding: .utf8)
        return try CLIProcess.run(["check", "g.yaml"], in: dir)
    }

    static func graph(_ x: Shape, _ w: Shape, _ node: String) -> String {
        """
        nodes:
          x: {op: input, shape: \(x.bracketed), init: randn}
          w: {op: param, shape: \(w.bracketed), init: randn}
          y: \(node)
        edges:
          - x -> y
          - w -> y.weight

        """
    }

    @Test func linearWeightNotF() throws {
        let out = try Self.check(Self.graph([2, 3, 4, 5], [10, 48], "{op: linear}"))
        #expect(out.status == 65)
        #expect(out.stdout.isEmpty)
        #expect(out.stderr.contains(
            "g.yaml:4:11: error: node 'y': linear weight [10, 48] does not fit the input [2, 3, 4, 5]: its second dimension must be F = C·H·W = 3·4·5 = 60"),
            "\(out.stderr)")
        #expect(out.stderr.contains("note: expected a weight of shape [10, 60]"))
    }

    @Test func linearWeightNot2D() throws {
        let messages = OpCheck.graphErrors(Self.graph([2, 3, 1, 1], [4, 3, 1, 1], "{op: linear}"))
        #expect(messages == ["node 'y': linear weight must be 2-D [out, F], but has shape [4, 3, 1, 1]"])
    }

    @Test func linearBiasCount() throws {
        let yaml = Self.graph([2, 3, 1, 1], [4, 3], "{op: linear}") + "  - b -> y.bias\n"
        let messages = OpCheck.graphErrors(yaml.replacingOccurrences(of: "  y:", with: "  b: {op: param, shape: [5], init: zeros}\n  y:"))
        #expect(messages == ["node 'y': linear bias has 5 elements (shape [5]) but the layer has 4 outputs"])
    }

    @Test func linearUnknownAttribute() throws {
        let out = try Self.check(Self.graph([2, 3, 1, 1], [4, 3], "{op: linear, bias: 1}"))
        #expect(out.status == 65)
        #expect(out.stderr.contains("g.yaml:4:19: error: unknown attribute 'bias' for op 'linear'"), "\(out.stderr)")
        #expect(out.stderr.contains("note: op 'linear' takes no attributes"))
    }

    @Test func outputPaddingAtStrideIsAnError() throws {
        // 2 = stride and ≥ dilation 1: refused at the value.
        let out = try Self.check(Self.graph([1, 2, 3, 3], [2, 2, 3, 3], "{op: conv_transpose, stride: 2, output_padding: 2}"))
        #expect(out.status == 65)
        #expect(out.stderr.contains(
            "g.yaml:4:54: error: output_padding 2 on axis H must be less than the stride (2) or the dilation (1) of its axis"),
            "\(out.stderr)")
        // Per axis: W's 3 ≥ stride 3 and dilation 2.
        let w = OpCheck.graphErrors(Self.graph([1, 2, 3, 3], [2, 2, 3, 3],
                                               "{op: conv_transpose, stride: [2, 3], dilation: 2, output_padding: [1, 3]}"))
        #expect(w == ["output_padding 3 on axis W must be less than the stride (3) or the dilation (2) of its axis"])
        // At the limits (stride − 1; dilation − 1 with stride 1) it is accepted.
        #expect(OpCheck.graphErrors(Self.graph([1, 2, 3, 3], [2, 2, 3, 3], "{op: conv_transpose, stride: 3, output_padding: 2}")).isEmpty)
        #expect(OpCheck.graphErrors(Self.graph([1, 2, 3, 3], [2, 2, 3, 3], "{op: conv_transpose, dilation: 3, output_padding: 2}")).isEmpty)
    }

    @Test func convTransposeUnknownAttribute() throws {
        let out = try Self.check(Self.graph([1, 2, 3, 3], [2, 2, 3, 3], "{op: conv_transpose, strides: 2, outputpadding: 1}"))
        #expect(out.status == 65)
        #expect(out.stderr.contains("g.yaml:4:27: error: unknown attribute 'strides' for op 'conv_transpose'"), "\(out.stderr)")
        #expect(out.stderr.contains("note: did you mean 'stride'?"))
        #expect(out.stderr.contains("g.yaml:4:39: error: unknown attribute 'outputpadding' for op 'conv_transpose'"))
        #expect(out.stderr.contains("note: did you mean 'output_padding'?"))
    }

    @Test func convTransposeShapeErrors() throws {
        let out = try Self.check(Self.graph([1, 2, 3, 3], [3, 2, 3, 3], "{op: conv_transpose}"))
        #expect(out.status == 65)
        #expect(out.stderr.contains(
            "g.yaml:4:11: error: node 'y': conv_transpose weight [3, 2, 3, 3] does not fit an input with 2 channels: its first dimension must be in = 2"),
            "\(out.stderr)")
        #expect(OpCheck.graphErrors(Self.graph([1, 2, 3, 3], [2, 2, 3, 3], "{op: conv_transpose, padding: 3}")) ==
                ["node 'y': conv_transpose output would be empty: H = (3−1)·1 − 3 − 3 + 1·(3−1) + 0 + 1 = -1"])
        #expect(OpCheck.graphErrors(Self.graph([1, 3, 3, 3], [3, 2, 3, 3], "{op: conv_transpose, groups: 2}")) ==
                ["node 'y': conv_transpose input has 3 channels, not divisible by groups = 2"])
        #expect(OpCheck.graphErrors(Self.graph([1, 2, 3, 3], [2, 2, 3, 3], "{op: conv_transpose, padding: same}")) ==
                ["'padding' takes an integer, [h, w] or [top, bottom, left, right], not the string 'same'"])
    }

    /// `check` prints the output sizes' arithmetic and the SPEC's FLOPs.
    @Test func checkShowsShapesAndFlops() throws {
        let out = try Self.check(Self.graph([8, 64, 7, 7], [64, 32, 2, 2], "{op: conv_transpose, stride: 2}"))
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.stdout.contains("8×32×14×14"), "\(out.stdout)")
        #expect(out.stdout.contains("6,422,528"))   // 2·8·64·7·7·32·2·2
    }
}
