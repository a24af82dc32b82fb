import Foundation
import Testing
@testable import ConvGraph

/// The `backward` and `save` sections (SPEC §2, §8): seeds, `wrt` leaves, defaults.
/// `GT.seedNodes` ends on line 18, so an appended section starts on line 19.
@Suite struct BackwardSaveTests {
    @Test func seedGraphSections() throws {
        let g = try GT.graph(GT.seedGraph)
        let backward = try #require(g.backward)
        #expect(g.nodes[backward.from].name == "loss")
        #expect(backward.grad == nil) // a scalar `from` is seeded with 1
        #expect(GT.names(g, backward.wrt) == ["image", "kernel", "bias"])
        #expect(GT.names(g, g.saveValues) == ["conv", "pooled"])
        #expect(GT.names(g, g.saveGrads) == ["image", "kernel", "bias"])
    }

    @Test func defaultsWithoutSave() throws {
        let g = try GT.graph(GT.seedNodes + "backward:\n  from: loss\n")
        // save.values: every node without outgoing edges, in declaration order.
        #expect(GT.names(g, g.saveValues) == ["pooled", "loss"])
        // wrt: every input and param; save.grads: wrt.
        #expect(GT.names(g, g.backward?.wrt ?? []) == ["image", "kernel", "bias"])
        #expect(GT.names(g, g.saveGrads) == ["image", "kernel", "bias"])
    }

    @Test func forwardOnlyDefaults() throws {
        let g = try GT.graph(GT.seedNodes)
        #expect(g.backward == nil)
        #expect(GT.names(g, g.saveValues) == ["pooled", "loss"])
        #expect(g.saveGrads.isEmpty)
    }

    @Test func gradWithAScalarFromIsAnError() {
        let e = GT.error(GT.seedNodes + "backward:\n  from: loss\n  grad: ones\n")
        #expect(e?.kind == .invalidInput)
        #expect(e?.diagnostics.count == 1)
        let d = GT.diagnostic(e, containing: "'backward.grad' is only for a non-scalar 'from'")
        #expect(d?.location == GT.at(21, 9))
    }

    @Test func nonScalarFromDefaultsToOnes() throws {
        let g = try GT.graph(GT.seedNodes + "backward:\n  from: conv\n")
        #expect(g.backward?.grad == .ones)
        let c = try GT.graph(GT.seedNodes + "backward:\n  from: conv\n  grad: {constant: 0.5}\n")
        #expect(c.backward?.grad == .constant(0.5))
    }

    @Test func gradDataMustMatchTheShapeOfFrom() {
        let e = GT.error(GT.seedNodes + "backward:\n  from: pooled\n  grad: {values: [[1, 2]]}\n")
        let d = GT.diagnostic(e, containing: "'backward.grad' has shape [1, 2] but 'pooled' has shape [10, 8, 1, 1]")
        #expect(d?.location == GT.at(21, 9))
    }

    @Test func saveGradsWithoutBackwardIsAnError() {
        let e = GT.error(GT.seedNodes + "save:\n  grads: [image]\n")
        #expect(e?.kind == .invalidInput)
        let d = GT.diagnostic(e, containing: "'save.grads' needs a 'backward' section")
        #expect(d?.location == GT.at(20, 3))
    }

    @Test func wrtNamingANonLeafIsAnError() {
        let e = GT.error(GT.seedNodes + "backward:\n  from: loss\n  wrt: [image, conv]\n")
        #expect(e?.diagnostics.count == 1)
        let d = GT.diagnostic(e, containing: "'backward.wrt' names 'conv', a conv node")
        #expect(d?.location == GT.at(21, 16))
        #expect(GT.notes(d).contains("save.grads"))
    }

    @Test func wrtSingleNameAndSaveGradsOfAnyNode() throws {
        let g = try GT.graph(GT.seedNodes + "backward:\n  from: loss\n  wrt: kernel\nsave:\n  grads: [conv, kernel]\n")
        #expect(GT.names(g, g.backward?.wrt ?? []) == ["kernel"])
        #expect(GT.names(g, g.saveGrads) == ["conv", "kernel"])
    }

    @Test func unknownNamesInBackwardAndSave() {
        let e = GT.error(GT.seedNodes + "backward:\n  from: los\n  wrt: [image]\nsave:\n  values: [pooledd]\n")
        #expect(e?.kind == .invalidInput)
        let from = GT.diagnostic(e, containing: "unknown node 'los'")
        #expect(from?.location == GT.at(20, 9))
        #expect(from?.notes.first?.message == "did you mean 'loss'?")
        let save = GT.diagnostic(e, containing: "unknown node 'pooledd'")
        #expect(save?.location == GT.at(23, 12))
        #expect(save?.notes.first?.message == "did you mean 'pooled'?")
    }

    @Test func unknownKeysInSections() {
        let e = GT.error(GT.seedNodes + "backward:\n  from: loss\n  wtr: [image]\nsave:\n  value: [conv]\n")
        let b = GT.diagnostic(e, containing: "unknown key 'wtr' in 'backward'")
        #expect(b?.location == GT.at(21, 3))
        let s = GT.diagnostic(e, containing: "unknown key 'value' in 'save'")
        #expect(s?.location == GT.at(23, 3))
        #expect(s?.notes.first?.message == "did you mean 'values'?")
    }

    @Test func backwardWithoutFrom() {
        let e = GT.error(GT.seedNodes + "backward:\n  wrt: [image]\n")
        #expect(GT.diagnostic(e, containing: "'backward' needs 'from'")?.location == GT.at(20, 3))
    }
    @Test func aNodeThatFailedToDecodeIsNotAlsoAnUnknownName() {
        // Only the attribute error: 'conv' is declared, so 'save', 'backward.from' and
        // 'backward.wrt' must not call it (or 'kernel') an unknown node.
        let broken = GT.seedNodes.replacingOccurrences(of: "{op: conv, stride: 2, weight_layout: IOHW}",
                                                       with: "{op: conv, stride: 0, weight_layout: IOHW}")
        let e = GT.error(broken + "backward:\n  from: conv\n  wrt: [kernel]\nsave:\n  values: [conv]\n  grads: [conv]\n")
        #expect(e?.kind == .invalidInput)
        #expect(GT.diagnostic(e, containing: "'stride' must be at least 1, not 0")?.location == GT.at(10, 30))
        #expect(GT.diagnostic(e, containing: "unknown node") == nil)
        #expect(e?.diagnostics.count == 1)
    }
}
