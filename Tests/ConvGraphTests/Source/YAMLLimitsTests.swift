import Foundation
import Testing
@testable import ConvGraph

/// Whole-file errors and the limits that guard the loader (SPEC §8): file size, nesting
/// depth, alias expansion, nodes per graph; libyaml syntax errors with a position; one
/// document per file.
@Suite struct YAMLLimitsTests {
    // MARK: limits

    @Test func fileSizeLimit() {
        var limits = Limits()
        limits.maxGraphFileBytes = 16
        let text = "nodes: {x: {op: input, shape: [1, 1, 1, 1], init: zeros}}\n"
        let e = GT.error(text, limits: limits)
        #expect(e?.kind == .invalidInput)
        #expect(e?.exitCode == 65)
        let d = GT.diagnostic(e, containing: "larger than the limit of 16 bytes")
        #expect(d?.message.contains("\(text.utf8.count) bytes") == true)
        #expect(d?.location == GT.at(1, 1))
    }

    @Test func fileExactlyAtTheSizeLimitIsAccepted() throws {
        let text = GT.singleOp(input: [1, 1, 2, 2], "{op: relu}")
        var limits = Limits()
        limits.maxGraphFileBytes = text.utf8.count
        let graph = try GT.graph(text, limits: limits)
        #expect(GT.shape(graph, "y") == [1, 1, 2, 2])
    }

    @Test func depthLimitBoundary() throws {
        var limits = Limits()
        limits.maxYAMLDepth = 3
        let ok = try GT.yaml("[[[1]]]", limits: limits)
        #expect(ok.elements?.first?.elements?.first?.elements?.first?.resolved == .int(1))
        let e = GT.yamlError("[[[[1]]]]", limits: limits)
        #expect(e?.kind == .invalidInput)
        let d = GT.diagnostic(e, containing: "deeper than the limit of 3 levels")
        #expect(d?.location == GT.at(1, 4)) // the fourth '['
    }

    @Test func deepFlowNestingFailsAtTheDefaultDepthWithoutRecursion() {
        let depth = 100_000
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        let start = ContinuousClock.now
        let e = GT.yamlError(text)
        #expect(ContinuousClock.now - start < .seconds(2))
        let d = GT.diagnostic(e, containing: "deeper than the limit of 256 levels")
        #expect(d?.location == GT.at(1, 257))
    }

    @Test func deepBlockNestingInAGraphFile() {
        var limits = Limits()
        limits.maxYAMLDepth = 4
        // root mapping (1) → nodes (2) → x (3) → shape list (4) → nested list (5)
        let e = GT.error("""
            nodes:
              x:
                op: input
                shape: [[1], 1, 1, 1]
            """, limits: limits)
        let d = GT.diagnostic(e, containing: "deeper than the limit of 4 levels")
        #expect(d?.location == GT.at(4, 13))
    }

    @Test func billionLaughsFailsFast() {
        let text = """
            a: &a ["x","x","x","x","x","x","x","x","x","x"]
            b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]
            c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]
            d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]
            e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]
            f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]
            g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]
            h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g,*g]
            i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h,*h]
            """
        let start = ContinuousClock.now
        let e = GT.error(text)
        #expect(ContinuousClock.now - start < .seconds(2))
        #expect(e?.kind == .invalidInput)
        let d = GT.diagnostic(e, containing: "expands to more than 1000000 nodes")
        // Expanded nodes before `f`'s list: root 1 + keys a…e 5 + lists 11+111+1111+11111+111111
        // = 123,461; key f and its '[' make 123,463; each `*e` adds 111,111, so the 8th
        // alias (123,463 + 888,888 > 1,000,000) crosses the limit: line 6, column 8 + 3·7 = 29.
        #expect(d?.location == GT.at(6, 29))
    }

    @Test func smallNodeBudgetWithoutAliases() {
        var limits = Limits()
        limits.maxYAMLNodes = 5
        // root list 1 + four scalars = 5 nodes: fine; a fifth scalar is the 6th node.
        #expect(GT.yamlError("[1, 2, 3, 4]", limits: limits) == nil)
        let e = GT.yamlError("[1, 2, 3, 4, 5]", limits: limits)
        #expect(GT.diagnostic(e, containing: "more than 5 nodes")?.location == GT.at(1, 14))
    }

    @Test func nodesPerGraphLimit() {
        var limits = Limits()
        limits.maxGraphNodes = 2
        let e = GT.error("""
            nodes:
              a: {op: input, shape: [1, 1, 1, 1], init: zeros}
              b: {op: relu}
              c: {op: relu}
            edges: [a -> b -> c]
            """, limits: limits)
        #expect(e?.kind == .invalidInput)
        let d = GT.diagnostic(e, containing: "more than the limit of 2")
        #expect(d?.message.contains("3 nodes") == true)
        #expect(d?.location == GT.at(2, 3))
    }

    // MARK: syntax errors and documents

    @Test func unclosedFlowSequenceHasAPosition() {
        let e = GT.yamlError("a: 1\nb: [1, 2\nc: 3\n")
        #expect(e?.kind == .invalidInput)
        #expect(e?.diagnostics.count == 1)
        let d = e?.diagnostics.first
        // Reported where the '[' was opened (issue 10), with a note where libyaml gave up.
        #expect(d?.message == "'[' is never closed")
        #expect(d?.location == GT.at(2, 4))
        #expect(d?.notes.first?.location == GT.at(3, 2))
        #expect(d?.description.hasPrefix("graph.yaml:2:4: error: ") == true)
    }

    @Test func tabIndentationHasAPosition() {
        let e = GT.yamlError("nodes:\n  x: 1\n\ty: 2\n")
        #expect(e?.kind == .invalidInput)
        let d = e?.diagnostics.first
        // Issue 10: said in our words, with what to do (libyaml: "found a tab character
        // that violates indentation").
        #expect(d?.message == "a tab in the indentation")
        #expect(d?.notes.first?.message == "YAML does not allow tabs for indentation; use spaces")
        #expect(d?.location == GT.at(3, 1))
    }

    @Test func invalidUTF8IsReportedAtItsLineAndColumn() {
        // SPEC §8: libyaml's byte offsets are turned into line and column.
        var bytes = Array("a: 1\nb: 2\nc: x".utf8)
        bytes.append(0xFF)
        bytes.append(contentsOf: Array("y\n".utf8))
        let e = GT.yamlError(bytes)
        #expect(e?.kind == .invalidInput)
        let d = e?.diagnostics.first
        #expect(d?.message.contains("UTF-8") == true)
        #expect(d?.location == GT.at(3, 5))
    }

    @Test func twoDocumentsAreAnError() {
        let e = GT.yamlError("a: 1\n---\nb: 2\n")
        #expect(e?.kind == .invalidInput)
        let d = GT.diagnostic(e, containing: "exactly one YAML document")
        #expect(d?.location == GT.at(2, 1))
    }

    @Test func twoDocumentsInAGraphFileExit65() {
        let e = GT.error("---\nnodes: {}\n---\nnodes: {}\n")
        #expect(e?.exitCode == 65)
        #expect(GT.diagnostic(e, containing: "exactly one YAML document")?.location == GT.at(3, 1))
    }

    @Test func emptyFileIsAnErrorAt1x1() {
        for text in ["", "# only a comment\n", "\n\n"] {
            let e = GT.error(text)
            #expect(e?.kind == .invalidInput, "\(text.debugDescription)")
            #expect(e?.diagnostics.count == 1)
            #expect(e?.diagnostics.first?.location == GT.at(1, 1), "\(text.debugDescription)")
        }
    }

    @Test func aScalarDocumentIsNotAGraph() {
        let e = GT.error("hello\n")
        #expect(GT.diagnostic(e, containing: "a graph file is a mapping")?.location == GT.at(1, 1))
    }
}
