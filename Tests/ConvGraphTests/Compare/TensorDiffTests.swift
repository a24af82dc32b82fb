import Foundation
import Testing
@testable import ConvGraph

/// `diff` (SPEC §11.3) through the library: identical runs agree; a perturbed tensor gives
/// the max abs and max rel worked out by hand; NaN equals NaN; the tolerance is inclusive;
/// shape, dtype and presence mismatches; settings; 66 and 65.
@Suite struct TensorDiffTests {
    typealias F = CompareFixtures

    static func f64(_ values: [Double], _ shape: Shape? = nil) -> AnyTensor {
        AnyTensor(Tensor(shape: shape ?? [values.count], scalars: values))
    }

    /// The difference of `a` and `b` as `[abs, rel]`.
    static func d(_ a: Double, _ b: Double) -> [Double] {
        let e = ElementDifference(a, b)
        return [e.abs, e.rel]
    }

    @Test func elementDifferenceRules() {
        #expect(Self.d(2, 2.5) == [0.5, 0.2])
        #expect(Self.d(-3, 1) == [4, 4.0 / 3])
        #expect(Self.d(0, 0) == [0, 0])
        #expect(Self.d(0, -0.0) == [0, 0])
        #expect(Self.d(0, 0.25) == [0.25, 1])
        #expect(Self.d(.nan, .nan) == [0, 0])
        #expect(Self.d(.infinity, .infinity) == [0, 0])
        #expect(Self.d(.nan, 1) == [.infinity, .infinity])
        #expect(Self.d(.infinity, 1) == [.infinity, .infinity])
        #expect(Self.d(1e308, -1e308) == [.infinity, 2])
    }

    /// Two runs of the seed graph with the same settings agree; then one value file is
    /// perturbed: element 0 of `pooled` doubled, so max abs = |x| and max rel = |x|/|2x| = 0.5.
    @Test func identicalRunsAgreeAndAPerturbedOneDoesNot() throws {
        let tmp = try F.temporaryDirectory()
        defer { RunDirectory.removeTree(tmp) }
        try F.seedRun(out: tmp + "/a", overrides: ["seed=3"])
        try F.seedRun(out: tmp + "/b", overrides: ["seed=3"])
        let same = try TensorDiff.compare(tmp + "/a", tmp + "/b")
        #expect(same.agrees)
        #expect(same.settings == [])
        #expect(same.tensors.map(\.file) == ["values/conv.npy", "values/pooled.npy", "grads/image.npy", "grads/kernel.npy", "grads/bias.npy"])
        #expect(same.tensors.allSatisfy { $0.maxAbs == 0 && $0.maxRel == 0 && $0.dtypeA == "float64" })
        #expect(same.onlyInA == [] && same.onlyInB == [])

        let path = tmp + "/b/values/pooled.npy"
        var pooled = try NPY.decode(try readRegularFile(atPath: path, maxBytes: 1 << 20), as: Double.self)
        let x = pooled.scalars[0]
        #expect(x != 0)
        pooled.scalars[0] = 2 * x
        try F.write(NPY.encode(pooled), to: path)
        let diff = try TensorDiff.compare(tmp + "/a", tmp + "/b")
        #expect(!diff.agrees)
        let entry = try #require(diff.tensors.first { $0.file == "values/pooled.npy" })
        #expect(entry.maxAbs == abs(x) && entry.maxRel == 0.5 && entry.beyondTolerance == 1)
        #expect(diff.tensors.filter { $0.file != "values/pooled.npy" }.allSatisfy { $0.maxAbs == 0 })
        // Within a tolerance of exactly |x|: the boundary passes; just below it does not.
        #expect(try TensorDiff.compare(tmp + "/a", tmp + "/b", tolerance: abs(x)).agrees)
        #expect(try !TensorDiff.compare(tmp + "/a", tmp + "/b", tolerance: abs(x).nextDown).agrees)
    }

    /// Hand-made values: A = [1, -2, 0, NaN, 100], B = [1, -2.5, 0, NaN, 101]:
    /// |a−b| = [0, 0.5, 0, 0, 1] → max abs 1; rel = [0, 0.5/2.5, 0, 0, 1/101] → max rel 0.2.
    @Test func craftedValuesGiveTheHandComputedMaxima() throws {
        let tmp = try F.temporaryDirectory()
        defer { RunDirectory.removeTree(tmp) }
        try F.craftedRun(at: tmp + "/a", tensors: [("values/t.npy", Self.f64([1, -2, 0, .nan, 100])),
                                                   ("values/nan.npy", Self.f64([.nan, 3]))])
        try F.craftedRun(at: tmp + "/b", tensors: [("values/t.npy", Self.f64([1, -2.5, 0, .nan, 101])),
                                                   ("values/nan.npy", Self.f64([.nan, 3]))])
        let diff = try TensorDiff.compare(tmp + "/a", tmp + "/b")
        let t = try #require(diff.tensors.first)
        #expect(t.maxAbs == 1 && t.maxRel == 0.2 && t.beyondTolerance == 2)
        let nan = try #require(diff.tensors.last)
        #expect(nan.maxAbs == 0 && nan.maxRel == 0 && nan.agrees)  // NaN equals NaN
        #expect(!diff.agrees)
        // |a−b| ≤ T: T = 1 passes (the largest difference equals it), T = 0.5 leaves one element.
        #expect(try TensorDiff.compare(tmp + "/a", tmp + "/b", tolerance: 1).agrees)
        let half = try TensorDiff.compare(tmp + "/a", tmp + "/b", tolerance: 0.5)
        #expect(!half.agrees && half.tensors[0].beyondTolerance == 1)
        let text = half.rendered
        let rows = text.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(rows.contains(["values/t.npy", "[5]", "float64", "1", "0.2", "differs", "(1", "of", "5)"]))
        #expect(rows.contains(["values/nan.npy", "[2]", "float64", "0", "0", "identical"]))
        #expect(text.hasSuffix("the runs differ: 1 of 2 tensors (tolerance 0.5)\n"))
        #expect(text.contains("graph, overrides and inputs: the same"))
    }

    /// Shapes, dtypes and presence: each makes the runs differ whatever the tolerance.
    @Test func mismatchesOfShapeDtypeAndPresence() throws {
        let tmp = try F.temporaryDirectory()
        defer { RunDirectory.removeTree(tmp) }
        try F.craftedRun(at: tmp + "/a", tensors: [
            ("values/s.npy", Self.f64([1, 2, 3, 4])),
            ("values/d.npy", Self.f64([0.5, 1.5])),
            ("grads/only-a.npy", Self.f64([1])),
        ], overrides: ["seed=1", "nodes.conv.stride=2"], seed: 1,
           inputs: #"{"image": {"file": "x.npy", "sha256": "aaaaaaaaaaaaaaaa"}}"#)
        try F.craftedRun(at: tmp + "/b", tensors: [
            ("values/s.npy", Self.f64([1, 2, 3, 4], [2, 2])),
            ("values/d.npy", AnyTensor(Tensor<Float>(shape: [2], scalars: [0.5, 1.5]))),
            ("values/only-b.npy", Self.f64([1])),
        ], overrides: ["seed=2"], seed: 2,
           inputs: #"{"image": {"file": "x.npy", "sha256": "bbbbbbbbbbbbbbbb"}}"#)
        let diff = try TensorDiff.compare(tmp + "/a", tmp + "/b", tolerance: 1e9)
        #expect(!diff.agrees)
        let s = diff.tensors[0], d = diff.tensors[1]
        #expect(s.shapeA == [4] && s.shapeB == [2, 2] && s.maxAbs == nil && !s.agrees)
        #expect(d.dtypeA == "float64" && d.dtypeB == "float32" && d.maxAbs == 0 && !d.agrees)
        #expect(diff.onlyInA == ["grads/only-a.npy"] && diff.onlyInB == ["values/only-b.npy"])
        #expect(diff.settings.map(\.key) == ["seed", "config.seed", "--set seed", "--set nodes.conv.stride", "inputs.image"])
        #expect(diff.settings[3] == TensorDiff.Setting(key: "--set nodes.conv.stride", a: "2", b: nil))
        #expect(diff.settings[4].a == "x.npy (sha256 aaaaaaaaaaaa)")
        let text = diff.rendered
        #expect(text.contains("[4] vs [2, 2]"))
        #expect(text.contains("float64 vs float32"))
        #expect(text.contains("only in A: grads/only-a.npy\nonly in B: values/only-b.npy\n"))
        #expect(text.contains("--set nodes.conv.stride  2"))
        #expect(text.contains("(absent)"))
    }

    @Test func missingDirectoryAndNoRun() throws {
        let tmp = try F.temporaryDirectory()
        defer { RunDirectory.removeTree(tmp) }
        try F.craftedRun(at: tmp + "/a", tensors: [("values/t.npy", Self.f64([1]))])
        try F.junk(at: tmp + "/junk")
        try F.interruptedTraining(at: tmp + "/cut")
        let missing = #expect(throws: ConvGraphError.self) { try TensorDiff.compare(tmp + "/a", tmp + "/nope") }
        #expect(missing?.exitCode == 66)
        for dir in ["/junk", "/cut", "/junk/notes.txt"] {
            let none = #expect(throws: ConvGraphError.self) { try TensorDiff.compare(tmp + dir, tmp + "/a") }
            #expect(none?.exitCode == 65, "\(dir)")
        }
        // A manifest naming a file outside the run, or a tensor file that is not .npy: 65.
        try F.write(#"{"tensors": [{"file": "../a/values/t.npy"}]}"#, to: tmp + "/escape/manifest.json")
        #expect(throws: ConvGraphError.self) { try TensorDiff.compare(tmp + "/escape", tmp + "/a") }
        try F.craftedRun(at: tmp + "/b", tensors: [("values/t.npy", Self.f64([1]))])
        try F.write("garbage", to: tmp + "/b/values/t.npy")
        let garbage = #expect(throws: ConvGraphError.self) { try TensorDiff.compare(tmp + "/a", tmp + "/b") }
        #expect(garbage?.exitCode == 65)
        #expect(garbage?.description.hasPrefix(tmp + "/b/values/t.npy: error:") == true)
    }
}
