import Testing
@testable import ConvGraph

/// `SweepGrid` parsing and `SweepPlan` (SPEC §11.2): the values of a grid as `--set`
/// texts, the order of the product, the directory names and the size limit.
@Suite struct SweepPlanTests {
    /// The runs' overrides, worked out with nested loops (the last grid innermost).
    @Test func theProductIsInGridOrderWithTheLastFastest() throws {
        let a = SweepGrid(key: "nodes.conv.stride", values: ["1", "2"])
        let b = SweepGrid(key: "nodes.pooled.window", values: ["2", "[3, 2]", "3"])
        let c = SweepGrid(key: "seed", values: ["7", "8"])
        let plan = try SweepPlan(graphPath: "g.yaml", grids: [a, b, c], sets: ["dtype=float32"])
        var expected: [[String]] = []
        for x in a.values { for y in b.values { for z in c.values {
            expected.append(["nodes.conv.stride=\(x)", "nodes.pooled.window=\(y)", "seed=\(z)"])
        } } }
        #expect(plan.count == 12)
        #expect((0..<12).map(plan.overrides) == expected)
        #expect(plan.allOverrides(5) == ["dtype=float32"] + expected[5])
        #expect((0..<12).map(plan.directoryName) == (0..<12).map { i in i < 10 ? "000\(i)" : "00\(i)" })
    }

    /// max(4, digits of the last index), computed from the grid sizes alone.
    @Test func directoryNamesArePaddedToTheLastIndex() throws {
        func plan(_ sizes: [Int]) throws -> SweepPlan {
            try SweepPlan(graphPath: "g.yaml", grids: sizes.enumerated().map { k, n in
                SweepGrid(key: "k\(k)", values: (0..<n).map(String.init))
            }, sets: [])
        }
        #expect(try plan([1]).directoryName(0) == "0000")
        #expect(try plan([100, 100]).directoryName(9999) == "9999")  // 10,000 runs: last index 9999
        let big = try plan([100, 101])                               // 10,100 runs: last index 10099
        #expect(big.count == 10_100)
        #expect(big.directoryName(0) == "00000")
        #expect(big.directoryName(10_099) == "10099")
        #expect(big.overrides(10_099) == ["k0=99", "k1=100"])
        #expect(big.overrides(101) == ["k0=1", "k1=0"])
        #expect(try plan([1000, 100]).directoryName(99_999) == "99999")  // exactly the limit
    }

    /// Over 100,000 runs → 65 before anything runs, naming every --grid and the product.
    @Test func theSweepSizeIsLimited() throws {
        let grids = [SweepGrid(key: "a", values: (0..<317).map(String.init)), SweepGrid(key: "b", values: (0..<317).map(String.init))]
        do {
            _ = try SweepPlan(graphPath: "g.yaml", grids: grids, sets: [])
            Issue.record("accepted 100,489 runs")
        } catch {
            #expect(error.kind == .invalidInput)
            let text = error.description
            #expect(text.contains("100489 runs (317 × 317)") && text.contains("100000"), "\(text)")
            #expect(text.contains("--grid 'a=[0, 1") && text.contains("--grid 'b=[0, 1"), "\(text)")
        }
        // A product past Int.max is counted exactly, without overflow.
        let huge = (0..<5).map { k in SweepGrid(key: "k\(k)", values: (0..<10_000).map(String.init)) }
        #expect(throws: ConvGraphError.self) { try SweepPlan(graphPath: "g.yaml", grids: huge, sets: []) }
        #expect(SweepPlan.productText([10_000, 10_000, 10_000, 10_000, 10_000]) == "1" + String(repeating: "0", count: 20))
        #expect(SweepPlan.productText([317, 317]) == String(317 * 317))
    }

    /// Each element comes back as flow YAML that `--set` parses to the same value.
    @Test func gridValuesAreFlowYAMLTextsOfEachElement() throws {
        #expect(try SweepGrid(parsing: "nodes.p.window=[2, [3, 2]]").values == ["2", "[3, 2]"])
        #expect(try SweepGrid(parsing: "nodes.p.window=[2, [3, 2]]").override(1) == "nodes.p.window=[3, 2]")
        let strings = try SweepGrid(parsing: #"name=['a b', "c\"d", e, "2", !!str 3, '', null, [[1], {x: 'y z'}], {sgd: {lr: 0.1}}]"#)
        #expect(strings.key == "name")
        #expect(strings.values == [#""a b""#, #""c\"d""#, "e", #""2""#, "!!str 3", #""""#, "null",
                                   #"[[1], {x: "y z"}]"#, "{sgd: {lr: 0.1}}"])
        // Round trip: each text parses to the element it came from.
        let source = try YAMLParser(file: "t").parse(Array(#"['a b', "c\"d", e, "2", !!str 3, '', null, [[1], {x: 'y z'}], {sgd: {lr: 0.1}}]"#.utf8))
        for (element, text) in zip(source.elements ?? [], strings.values) {
            #expect(try YAMLParser(file: "t").parse(Array(text.utf8)).json == element.json, "\(text)")
        }
    }

    /// Malformed options are usage errors (64).
    @Test func badGridsAreUsageErrors() {
        for text in ["nodes.p.window", "=[1]", "nodes..window=[1]", "k=[]", "k=2", "k=[1, 2", "k=- 1\n- 2", "k={a: 1}", "k="] {
            do {
                _ = try SweepGrid(parsing: text)
                Issue.record("accepted \(text)")
            } catch {
                #expect(error.kind == .usage, "\(text): \(error)")
            }
        }
    }

    /// A key twice in --grid, or in --grid and --set → 64.
    @Test func duplicateKeysAreUsageErrors() throws {
        let a = SweepGrid(key: "nodes.conv.stride", values: ["1"])
        for (grids, sets) in [([a, a], [String]()), ([a], ["nodes.conv.stride=2"]), ([a, SweepGrid(key: "seed", values: ["1"])], ["dtype=float32", "nodes.conv.stride=1"])] {
            do {
                _ = try SweepPlan(graphPath: "g.yaml", grids: grids, sets: sets)
                Issue.record("accepted \(grids.map(\.key)) with \(sets)")
            } catch {
                #expect(error.kind == .usage)
                #expect(error.description.contains("nodes.conv.stride"))
            }
        }
        #expect(throws: ConvGraphError.self) { try SweepPlan(graphPath: "g.yaml", grids: [], sets: []) }
        // Different paths are not duplicates, even when one is inside the other.
        #expect(try SweepPlan(graphPath: "g.yaml", grids: [SweepGrid(key: "nodes.p.window", values: ["[2, 2]"]), SweepGrid(key: "nodes.p.window.0", values: ["3"])], sets: []).count == 1)
    }
}
