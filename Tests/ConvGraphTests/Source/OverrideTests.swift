import Testing
@testable import ConvGraph

/// `--set KEY=VALUE` (SPEC §7, §8): dotted paths, list indices, YAML values, keys the op
/// allows but the file omits; a bad path is a usage error (64), a value that makes the
/// graph invalid is an invalid-input error (65).
@Suite struct OverrideTests {
    func seed(_ overrides: String...) throws(ConvGraphError) -> Graph {
        try GT.graph(GT.seedGraph, overrides: overrides)
    }

    func seedError(_ overrides: String...) -> ConvGraphError? {
        GT.error(GT.seedGraph, overrides: overrides)
    }

    /// A conv with list padding [1, 2] on a 5×5 input and a 3×3 kernel: [1, 1, 5, 7].
    static let listPadding = """
        nodes:
          x: {op: input, shape: [1, 1, 5, 5], init: zeros}
          w: {op: param, shape: [1, 1, 3, 3], init: zeros}
          conv: {op: conv, padding: [1, 2]}
        edges: [x -> conv, w -> conv.weight]
        """

    @Test func topLevelScalars() throws {
        let g = try seed("seed=3", "dtype=float32")
        #expect(g.seed == 3)
        #expect(g.dtype == .float32)
        #expect(try seed().seed == 1)
    }

    @Test func addsATopLevelKeyTheFileOmits() throws {
        let g = try GT.graph(GT.singleOp(input: [1, 1, 2, 2], "{op: relu}"), overrides: ["seed=7", "graph=renamed"])
        #expect(g.seed == 7)
        #expect(g.name == "renamed")
    }

    @Test func nodeAttribute() throws {
        // stride 1: ⌊(8−2)/1⌋+1 = 7; pooled: ⌊(7−3)/2⌋+1 = 3
        let g = try seed("nodes.conv.stride=1")
        #expect(GT.shape(g, "conv") == [10, 8, 7, 7])
        #expect(GT.shape(g, "pooled") == [10, 8, 3, 3])
    }

    @Test func listElementByIndex() throws {
        #expect(GT.shape(try GT.graph(Self.listPadding), "conv") == [1, 1, 5, 7])
        // padding [1, 0]: H = 5+2−3+1 = 5, W = 5+0−3+1 = 3
        let g = try GT.graph(Self.listPadding, overrides: ["nodes.conv.padding.1=0"])
        #expect(GT.shape(g, "conv") == [1, 1, 5, 3])
    }

    @Test func yamlListValue() throws {
        // window [2, 2] (stride stays 2): ⌊(4−2)/2⌋+1 = 2
        let g = try seed("nodes.pooled.window=[2,2]")
        #expect(GT.shape(g, "pooled") == [10, 8, 2, 2])
        #expect(GT.shape(try seed("nodes.pooled.window= [2, 2] "), "pooled") == [10, 8, 2, 2])
    }

    @Test func addsAnAttributeTheOpAllows() throws {
        // dilation 2 on an 8×8 padded input, k = 2: ⌊(8−3)/2⌋+1 = 3; pooled ⌊(3−3)/2⌋+1 = 1
        let g = try seed("nodes.conv.dilation=2")
        #expect(GT.shape(g, "conv") == [10, 8, 3, 3])
        #expect(GT.shape(g, "pooled") == [10, 8, 1, 1])
        // The effective tree (kept for the manifest) holds the new key.
        #expect(g.file.tree["nodes"]?["conv"]?["dilation"]?.resolved == .int(2))
    }

    @Test func laterOverridesWin() throws {
        let g = try seed("nodes.conv.stride=1", "nodes.conv.stride=2")
        #expect(GT.shape(g, "conv") == [10, 8, 4, 4])
    }

    @Test func appliesAfterMergeKeys() throws {
        let text = """
            nodes:
              x: {op: input, shape: [1, 1, 5, 5], init: zeros}
              w: {op: param, shape: [1, 1, 1, 1], init: zeros}
              c1: &convdefaults {op: conv, stride: 2}
              c2: {<<: *convdefaults, dilation: 1}
            edges: [x -> c1, w -> c1.weight, x -> c2, w -> c2.weight]
            """
        // ⌊(5−1)/2⌋+1 = 3 with the merged stride 2.
        let g = try GT.graph(text)
        #expect(GT.shape(g, "c1") == [1, 1, 3, 3])
        #expect(GT.shape(g, "c2") == [1, 1, 3, 3])
        // The override changes the merged key of c2 only; the anchored c1 keeps stride 2.
        let o = try GT.graph(text, overrides: ["nodes.c2.stride=1"])
        #expect(GT.shape(o, "c1") == [1, 1, 3, 3])
        #expect(GT.shape(o, "c2") == [1, 1, 5, 5])
    }

    @Test func unknownPathIsAUsageErrorWithSuggestion() {
        let e = seedError("nodes.conv.strid=1")
        #expect(e?.kind == .usage)
        #expect(e?.exitCode == 64)
        let d = e?.diagnostics.first
        #expect(d?.message.contains("the graph has no 'nodes.conv.strid'") == true)
        #expect(d?.notes.first?.message == "did you mean 'stride'?")

        let node = seedError("nodes.con.stride=1")
        #expect(node?.kind == .usage)
        #expect(node?.diagnostics.first?.notes.first?.message == "did you mean 'conv'?")

        let top = seedError("sed=3")
        #expect(top?.kind == .usage)
        #expect(top?.diagnostics.first?.notes.first?.message == "did you mean 'seed'?")
    }

    @Test func attributeTheOpDoesNotTakeIsAUsageError() {
        let e = seedError("nodes.conv.window=2")
        #expect(e?.kind == .usage)
        #expect(e?.diagnostics.first?.message.contains("'nodes.conv.window'") == true)
    }

    @Test func indexOutOfRangeIsAUsageError() {
        let e = GT.error(Self.listPadding, overrides: ["nodes.conv.padding.2=0"])
        #expect(e?.kind == .usage)
        #expect(e?.diagnostics.first?.message.contains("is a list of 2") == true)
        #expect(GT.error(Self.listPadding, overrides: ["nodes.conv.padding.-1=0"])?.kind == .usage)
        #expect(GT.error(Self.listPadding, overrides: ["nodes.conv.padding.x=0"])?.kind == .usage)
    }

    @Test func pathThroughAScalarIsAUsageError() {
        #expect(seedError("seed.low=1")?.kind == .usage)
        #expect(seedError("nodes.conv.stride.0=1")?.kind == .usage)
    }

    @Test func valueThatMakesTheGraphInvalid() {
        let e = seedError("nodes.conv.stride=0")
        #expect(e?.kind == .invalidInput)
        #expect(e?.exitCode == 65)
        #expect(e?.diagnostics.count == 1)
        #expect(e?.diagnostics.first?.message == "'stride' must be at least 1, not 0")
        // A shape error caused by an override is 65 as well (window 5 on a 4×4 conv output).
        #expect(seedError("nodes.pooled.window=5")?.kind == .invalidInput)
        #expect(seedError("dtype=float16")?.kind == .invalidInput)
    }

    @Test func malformedSetIsAUsageError() {
        for text in ["nodes.conv.stride", "=3", "nodes..stride=1", ".seed=1", "seed.=1"] {
            let e = seedError(text)
            #expect(e?.kind == .usage, "\(text)")
            #expect(e?.exitCode == 64, "\(text)")
        }
    }

    @Test func malformedOverrideIsReportedBeforeTheFileIsRead() {
        // Even an invalid graph file gives the usage error of a malformed --set first.
        let e = GT.error("nodes: [", overrides: ["oops"])
        #expect(e?.kind == .usage)
    }
}
