import Foundation
import Testing
@testable import ConvGraph

/// The YAML layer over libyaml: positions, anchors and merge keys, core-schema resolution,
/// duplicate keys (SPEC §2, §8).
@Suite struct YAMLLoaderTests {
    // MARK: positions

    @Test func blockStyleMarksKeysAndValues() throws {
        let root = try GT.yaml("""
            a: 1
            b:
              c: hello
              d:
                - x
                - 2.5
            """)
        let pairs = try #require(root.pairs)
        #expect(pairs.map(\.key) == ["a", "b"])
        #expect(pairs[0].keyLocation == GT.at(1, 1))
        #expect(pairs[0].value.location == GT.at(1, 4))
        #expect(pairs[1].keyLocation == GT.at(2, 1))
        // A block mapping starts at its first key.
        let b = try #require(pairs[1].value.pairs)
        #expect(pairs[1].value.location == GT.at(3, 3))
        #expect(b[0].keyLocation == GT.at(3, 3))
        #expect(b[0].value.location == GT.at(3, 6))
        #expect(b[1].keyLocation == GT.at(4, 3))
        let list = try #require(b[1].value.elements)
        #expect(list[0].location == GT.at(5, 7))
        #expect(list[1].location == GT.at(6, 7))
        #expect(list[1].resolved == .float(2.5))
    }

    @Test func flowStyleMarksKeysAndValues() throws {
        // columns:      1234567890123456
        let root = try GT.yaml("""
            top: {c: [x, {y: 2}]}
            """)
        let top = try #require(root["top"])
        #expect(top.location == GT.at(1, 6))
        let c = try #require(top.pairs?.first)
        #expect(c.key == "c")
        #expect(c.keyLocation == GT.at(1, 7))
        #expect(c.value.location == GT.at(1, 10))
        let items = try #require(c.value.elements)
        #expect(items[0].location == GT.at(1, 11))
        #expect(items[1].location == GT.at(1, 14))
        let y = try #require(items[1].pairs?.first)
        #expect(y.keyLocation == GT.at(1, 15))
        #expect(y.value.location == GT.at(1, 18))
        #expect(y.value.resolved == .int(2))
    }

    // MARK: anchors, aliases, merge keys

    @Test func aliasesRepeatTheAnchoredNode() throws {
        let root = try GT.yaml("""
            base: &b {k: 1, j: [1, two]}
            copy: *b
            list: [*b, *b]
            """)
        let base = try #require(root["base"])
        let copy = try #require(root["copy"])
        #expect(copy.content == base.content)
        #expect(copy["k"]?.resolved == .int(1))
        #expect(copy["j"]?.elements?.map(\.resolved) == [.int(1), .string("two")])
        #expect(root["list"]?.elements?.count == 2)
        #expect(root["list"]?.elements?[1]["k"]?.resolved == .int(1))
    }

    @Test func singleMergeKeyWithExplicitKeysWinning() throws {
        let root = try GT.yaml("""
            defaults: &d {stride: 2, padding: 1}
            conv:
              <<: *d
              padding: 0
            """)
        let conv = try #require(root["conv"])
        #expect(Set(conv.pairs?.map(\.key) ?? []) == ["stride", "padding"])
        #expect(conv.pairs?.contains { $0.key == "<<" } == false)
        #expect(conv["stride"]?.resolved == .int(2))
        #expect(conv["padding"]?.resolved == .int(0)) // explicit wins, though written after
    }

    @Test func explicitKeyWrittenBeforeTheMergeStillWins() throws {
        let root = try GT.yaml("""
            defaults: &d {stride: 2, padding: 1}
            conv: {padding: 5, <<: *d}
            """)
        #expect(root["conv"]?["padding"]?.resolved == .int(5))
        #expect(root["conv"]?["stride"]?.resolved == .int(2))
    }

    @Test func mergeListEarlierEntriesWin() throws {
        let root = try GT.yaml("""
            a: &a {stride: 2, padding: 1}
            b: &b {stride: 3, dilation: 2, padding: 7}
            conv:
              <<: [*a, *b]
              groups: 1
            """)
        let conv = try #require(root["conv"])
        #expect(conv.pairs?.count == 4)
        #expect(conv["stride"]?.resolved == .int(2))
        #expect(conv["padding"]?.resolved == .int(1))
        #expect(conv["dilation"]?.resolved == .int(2))
        #expect(conv["groups"]?.resolved == .int(1))
    }

    @Test func mergeOfAScalarIsAnError() {
        let e = GT.yamlError("""
            a: 1
            b: {<<: 3}
            """)
        let d = GT.diagnostic(e, containing: "merge key '<<' takes a mapping or a list of mappings")
        #expect(d?.location == GT.at(2, 9))
        #expect(e?.kind == .invalidInput)
    }

    // MARK: core schema

    @Test func coreSchemaResolution() throws {
        let root = try GT.yaml("""
            n1: null
            n2: ~
            n3:
            t: true
            f: false
            y: yes
            n: no
            on: on
            off: off
            hex: 0x1F
            oct: 0o17
            dec: -42
            exp: 1e-3
            fl: 1.5
            inf: .inf
            ninf: -.inf
            nan: .nan
            q: '1'
            dq: "true"
            tagged: !!str 1
            tint: !!int "12"
            tfloat: !!float 3
            word: hello
            """)
        func r(_ key: String) -> YAMLScalar? { root[key]?.resolved }
        #expect(r("n1") == .null)
        #expect(r("n2") == .null)
        #expect(r("n3") == .null)
        #expect(r("t") == .bool(true))
        #expect(r("f") == .bool(false))
        #expect(r("y") == .string("yes"))
        #expect(r("n") == .string("no"))
        #expect(r("on") == .string("on"))
        #expect(r("off") == .string("off"))
        #expect(r("hex") == .int(31))
        #expect(r("oct") == .int(15))
        #expect(r("dec") == .int(-42))
        #expect(r("exp") == .float(0.001))
        #expect(r("fl") == .float(1.5))
        #expect(r("inf") == .float(.infinity))
        #expect(r("ninf") == .float(-.infinity))
        guard case .float(let nan)? = r("nan"), nan.isNaN else {
            Issue.record("'.nan' should resolve to a NaN float, got \(String(describing: root["nan"]?.resolved))")
            return
        }
        #expect(r("q") == .string("1"))
        #expect(r("dq") == .string("true"))
        #expect(r("tagged") == .string("1"))
        #expect(r("tint") == .int(12))
        #expect(r("tfloat") == .float(3))
        #expect(r("word") == .string("hello"))
    }

    @Test func nanResolvesToNaN() throws {
        let root = try GT.yaml("v: .nan")
        guard case .float(let value)? = root["v"]?.resolved else {
            Issue.record("expected a float")
            return
        }
        #expect(value.isNaN)
    }

    @Test func keysAreAlwaysStrings() throws {
        let root = try GT.yaml("1: a\ntrue: b\nnull: c")
        #expect(root.pairs?.map(\.key) == ["1", "true", "null"])
    }

    @Test func unknownTagIsAnError() {
        let e = GT.yamlError("a: 1\nb: !foo 1\n")
        #expect(e?.kind == .invalidInput)
        let d = GT.diagnostic(e, containing: "unsupported YAML tag '!foo'")
        #expect(d?.location == GT.at(2, 4))
        #expect(GT.notes(d).contains("!!str"))
    }

    @Test func nonCoreSecondaryTagIsAnError() {
        let e = GT.yamlError("x: !!python/object 1\n")
        #expect(GT.diagnostic(e, containing: "unsupported YAML tag '!!python/object'")?.location == GT.at(1, 4))
    }

    @Test func tagThatDoesNotFitItsValueIsAnError() {
        // SPEC §8: core-schema tags are honoured; one that cannot be is an error, not ignored.
        for text in ["a: !!map [1, 2]", "a: !!seq {b: 1}", "a: !!int abc", "a: !!float abc"] {
            let e = GT.yamlError(text)
            #expect(e?.kind == .invalidInput, "\(text)")
            #expect(e?.diagnostics.first?.location == GT.at(1, 4), "\(text)")
        }
        // A graph name explicitly tagged as an integer is not silently taken as a string.
        #expect(GT.error("graph: !!int abc\nnodes: {x: {op: input, shape: [1, 1, 1, 1], init: zeros}}") != nil)
    }

    @Test func nonStringKeyIsAnError() {
        let e = GT.yamlError("? [1, 2]\n: x\n")
        #expect(GT.diagnostic(e, containing: "a mapping key must be a string, not a list")?.location == GT.at(1, 3))
    }

    @Test func columnsCountUnicodeScalars() {
        // "nodes: {ä: 1, b: {op: reluu}}": 'ä' is one column, so 'reluu' starts at column 23.
        let e = GT.error("nodes: {ä: 1, b: {op: reluu}}")
        #expect(GT.diagnostic(e, containing: "invalid node name 'ä'")?.location == GT.at(1, 9))
        #expect(GT.diagnostic(e, containing: "unknown op 'reluu'")?.location == GT.at(1, 23))
    }

    // MARK: duplicate keys

    @Test func duplicateKeyReportedAtSecondOccurrence() {
        let e = GT.yamlError("""
            a: 1
            b: 2
            a: 3
            """)
        #expect(e?.kind == .invalidInput)
        #expect(e?.diagnostics.count == 1)
        let d = GT.diagnostic(e, containing: "duplicate key 'a'")
        #expect(d?.location == GT.at(3, 1))
        #expect(d?.notes.first?.message == "'a' was first defined on line 1")
        #expect(d?.notes.first?.location == GT.at(1, 1))
        #expect(d?.description == """
            graph.yaml:3:1: error: duplicate key 'a'
            graph.yaml:1:1: note: 'a' was first defined on line 1
            """)
    }

    @Test func duplicateKeyInAFlowNodeOfAGraph() {
        let e = GT.error("""
            nodes:
              x: {op: input, shape: [1, 1, 2, 2], init: zeros, init: ones}
            """)
        #expect(e?.kind == .invalidInput)
        #expect(e?.exitCode == 65)
        let d = GT.diagnostic(e, containing: "duplicate key 'init'")
        #expect(d?.location == GT.at(2, 52))
        #expect(d?.notes.first?.message.contains("line 2") == true)
    }
}
