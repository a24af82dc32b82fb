import Foundation
import Testing
@testable import ConvGraph

/// `convgraph compare` and `convgraph diff` through the built binary: outputs and exit codes
/// of SPEC §11.3, on run directories made by `convgraph run` itself.
@Suite(.serialized) struct CompareCLITests {
    typealias F = CompareFixtures

    static func seedRun(_ dir: String, _ out: String, _ sets: [String]) throws {
        let outcome = try CLIProcess.run(["run", ET.graphPath("seed.yaml"), "--out", out]
                                         + sets.flatMap { (s: String) -> [String] in ["--set", s] }, in: dir)
        try #require(outcome.status == 0, "\(outcome.stderr)")
    }

    @Test func compareExitCodesAndForms() throws {
        guard CLIProcess.binary != nil else { return }
        let tmp = try F.temporaryDirectory()
        defer { RunDirectory.removeTree(tmp) }
        try Self.seedRun(tmp, "runs/s2", ["nodes.conv.stride=2"])
        try Self.seedRun(tmp, "runs/s1", ["nodes.conv.stride=1"])
        try F.interruptedTraining(at: tmp + "/runs/cut")
        try F.junk(at: tmp + "/runs/junk")

        let table = try CLIProcess.run(["compare", "runs", "--sort", "nodes.conv.stride"], in: tmp)
        #expect(table.status == 0, "\(table.stderr)")
        let rows = table.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(rows.count == 5)
        #expect(rows[0] == ["run", "nodes.conv.stride", "status", "train", "loss", "eval", "loss", "accuracy", "wall", "time"])
        #expect(rows[2].prefix(3) == ["runs/s1", "1", "complete"])
        #expect(rows[3].prefix(3) == ["runs/s2", "2", "complete"])
        #expect(rows[4] == ["runs/cut", "-", "interrupted", "0.375", "0.25", "75%", "-"])

        let json = try CLIProcess.run(["compare", "runs", "--json"], in: tmp)
        #expect(json.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let runs = try #require(object["runs"] as? [[String: Any]])
        #expect(runs.map { $0["run"] as? String } == ["runs/cut", "runs/s1", "runs/s2"])
        let path = tmp + "/runs/s1/manifest.json"
        #expect(try F.rawNumbers("wall_ms", in: json.stdout)[0] == F.rawNumber("forward_ms", inFile: path) + F.rawNumber("backward_ms", inFile: path))

        let csv = try CLIProcess.run(["compare", "runs/s1", "runs/s2", "--csv"], in: tmp)
        #expect(csv.status == 0)
        let cells = try CompareTests.readCSV(csv.stdout)
        #expect(cells.map { $0.prefix(3) } == [["run", "nodes.conv.stride", "status"], ["runs/s1", "1", "complete"], ["runs/s2", "2", "complete"]])

        let missing = try CLIProcess.run(["compare", "runs", "nope"], in: tmp)
        #expect(missing.status == 66 && missing.stdout.isEmpty)
        #expect(missing.stderr.hasPrefix("nope: error:"))
        let none = try CLIProcess.run(["compare", "runs/junk"], in: tmp)
        #expect(none.status == 65 && none.stdout.isEmpty)
        #expect(try CLIProcess.run(["compare", "runs", "--json", "--csv"], in: tmp).status == 64)
        #expect(try CLIProcess.run(["compare", "runs", "--sort", "nope"], in: tmp).status == 64)
        #expect(try CLIProcess.run(["compare"], in: tmp).status == 64)
    }

    @Test func diffExitCodes() throws {
        guard CLIProcess.binary != nil else { return }
        let tmp = try F.temporaryDirectory()
        defer { RunDirectory.removeTree(tmp) }
        try Self.seedRun(tmp, "a", [])
        try Self.seedRun(tmp, "b", [])
        try Self.seedRun(tmp, "c", ["seed=2"])
        let same = try CLIProcess.run(["diff", "a", "b"], in: tmp)
        #expect(same.status == 0, "\(same.stderr)")
        #expect(same.stdout.contains("graph, overrides and inputs: the same"))
        #expect(same.stdout.hasSuffix("the runs agree: 5 tensors, |a - b| <= 0 everywhere\n"))

        let other = try CLIProcess.run(["diff", "a", "c"], in: tmp)
        #expect(other.status == 1)
        #expect(other.stdout.contains("--set seed"))
        #expect(other.stdout.hasSuffix("the runs differ: 5 of 5 tensors (tolerance 0)\n"))

        // Element 7 of conv set to 1.5 in a and 2.5 in b (every other element equal):
        // max abs = 1, max rel = 1 / 2.5 = 0.4.
        for (run, value) in [("a", 1.5), ("b", 2.5)] {
            let path = tmp + "/" + run + "/values/conv.npy"
            var conv = try NPY.decode(try readRegularFile(atPath: path, maxBytes: 1 << 20), as: Double.self)
            conv.scalars[7] = value
            try F.write(NPY.encode(conv), to: path)
        }
        let perturbed = try CLIProcess.run(["diff", "a", "b"], in: tmp)
        #expect(perturbed.status == 1)
        let row = try #require(perturbed.stdout.split(separator: "\n").first { $0.hasPrefix("values/conv.npy") })
        #expect(row.split(separator: " ") == ["values/conv.npy", "[10,", "8,", "4,", "4]", "float64", "1", "0.4", "differs", "(1", "of", "1280)"])
        #expect(perturbed.stdout.hasSuffix("the runs differ: 1 of 5 tensors (tolerance 0)\n"))
        #expect(try CLIProcess.run(["diff", "a", "b", "--tol", "1"], in: tmp).status == 0)
        #expect(try CLIProcess.run(["diff", "a", "b", "--tol", "0.999"], in: tmp).status == 1)

        try F.junk(at: tmp + "/junk")
        #expect(try CLIProcess.run(["diff", "a", "nope"], in: tmp).status == 66)
        #expect(try CLIProcess.run(["diff", "junk", "a"], in: tmp).status == 65)
        #expect(try CLIProcess.run(["diff", "a", "b", "--tol", "-1"], in: tmp).status == 64)
    }
}
