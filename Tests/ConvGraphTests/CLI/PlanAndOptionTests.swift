import Foundation
import Testing
@testable import ConvGraph

/// The numbers the tool prints agree (SPEC §7–8): `check` prints the planned peak for a
/// full run and for `--forward-only`, `--max-memory` is compared with the plan of the
/// command actually run (gradcheck's in float64), and the error states both numbers.
/// Also: negative numeric options are out of range (64), the gradcheck kink report, and
/// the manifest's `files` (SPEC §6).
@Suite struct PlanAndOptionTests {
    static func run(_ arguments: [String]) throws -> CLITests.Output { try CLITests.convgraph(arguments) }

    /// The two plan lines of `check`: (full, forward-only) in bytes.
    static func checkedPlans(_ graph: String) throws -> (full: Int, forwardOnly: Int) {
        let r = try run(["check", graph])
        #expect(r.status == 0)
        func number(after prefix: String) -> Int? {
            guard let line = r.stdout.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) else { return nil }
            let digits = line.dropFirst(prefix.count).prefix { $0.isNumber || $0 == "," }.filter { $0 != "," }
            return Int(String(digits))
        }
        return (try #require(number(after: "planned peak tensor memory: ")),
                try #require(number(after: "planned peak tensor memory with --forward-only: ")))
    }

    @Test(arguments: ["small-cnn.yaml", "seed.yaml", "float32.yaml"], [false, true])
    func theLimitIsComparedWithThePlanCheckPrints(_ file: String, _ forwardOnly: Bool) throws {
        let graph = "Graphs/" + file
        let plans = try Self.checkedPlans(graph)
        let loaded = try ET.load(file)
        #expect(plans.full == loaded.plannedPeakBytes())
        #expect(plans.forwardOnly == loaded.plannedPeakBytes(forwardOnly: true))
        let plan = forwardOnly ? plans.forwardOnly : plans.full
        let mode = forwardOnly ? ["--forward-only"] : []
        let tmp = try RunDirectoryTests.temporaryDirectory()
        defer { RunDirectory.removeTree(tmp) }

        // Just below the plan: refused, naming both numbers, nothing written.
        let below = try Self.run(["run", graph, "--max-memory", String(plan - 1), "--out", tmp + "/below"] + mode)
        #expect(below.status == 65)
        #expect(below.stdout == "")
        #expect(below.stderr.hasPrefix("\(graph):1:1: error: planned peak tensor memory \(NumberFormat.grouped(plan)) bytes"), "\(below.stderr)")
        #expect(below.stderr.contains(forwardOnly ? "for a --forward-only run" : "for a full run"))
        #expect(below.stderr.contains("exceeds --max-memory \(NumberFormat.grouped(plan - 1)) bytes"), "\(below.stderr)")
        #expect(RunDirectoryTests.entries(tmp).isEmpty)

        // At the plan: runs, and measures exactly the plan.
        let at = try Self.run(["run", graph, "--max-memory", String(plan), "--out", tmp + "/at", "--threads", "1"] + mode)
        #expect(at.status == 0, "\(at.stderr)")
        let manifest = try RunDirectoryTests.manifest(tmp + "/at")
        #expect((manifest["peak_tensor_bytes"] as? NSNumber)?.intValue == plan)
    }

    @Test func theIssueExampleRunsWithinFortyKiB() throws {
        // `check` plans 31,128 bytes for small-cnn; 40K is enough (it used to be refused).
        let plans = try Self.checkedPlans("Graphs/small-cnn.yaml")
        #expect(plans.full == 31_128)
        let tmp = try RunDirectoryTests.temporaryDirectory()
        defer { RunDirectory.removeTree(tmp) }
        let r = try Self.run(["run", "Graphs/small-cnn.yaml", "--max-memory", "40K", "--out", tmp + "/run", "--threads", "1"])
        #expect(r.status == 0, "\(r.stderr)")
    }

    @Test func aFullRunOverTheLimitPointsAtForwardOnly() throws {
        let plans = try Self.checkedPlans("Graphs/small-cnn.yaml")
        let r = try Self.run(["run", "Graphs/small-cnn.yaml", "--max-memory", String(plans.full - 1)])
        #expect(r.status == 65)
        #expect(r.stderr.contains("note: a --forward-only run plans \(NumberFormat.grouped(plans.forwardOnly)) bytes"), "\(r.stderr)")
    }

    @Test func gradcheckPlansInFloat64() throws {
        let graph = try ET.load("float32.yaml")
        let plan = graph.plannedPeakBytes(for: .gradcheck)
        // float64 doubles every byte of the float32 plan of the same runs.
        var g = graph
        g.dtype = .float64
        #expect(plan >= graph.plannedPeakBytes())
        #expect(plan == g.plannedPeakBytes(for: .gradcheck))
        let below = try Self.run(["gradcheck", "Graphs/float32.yaml", "--samples", "2", "--threads", "1", "--max-memory", String(plan - 1)])
        #expect(below.status == 65)
        #expect(below.stderr.contains("planned peak tensor memory \(NumberFormat.grouped(plan)) bytes"), "\(below.stderr)")
        #expect(below.stderr.contains("for gradcheck (in float64) exceeds --max-memory \(NumberFormat.grouped(plan - 1)) bytes"), "\(below.stderr)")
        let at = try Self.run(["gradcheck", "Graphs/float32.yaml", "--samples", "2", "--threads", "1", "--max-memory", String(plan)])
        #expect(at.status == 0, "\(at.stderr)")
    }

    @Test func benchComparesTheLimitWithTheFullPlan() throws {
        let plan = try ET.load("seed.yaml").plannedPeakBytes()
        let r = try Self.run(["bench", "Graphs/seed.yaml", "--repeat", "1", "--max-memory", String(plan - 1)])
        #expect(r.status == 65)
        #expect(r.stderr.contains("planned peak tensor memory \(NumberFormat.grouped(plan)) bytes"), "\(r.stderr)")
    }

    @Test func checkIsNotRefusedByTheLimit() throws {
        // `check` computes nothing; it prints the plans whatever the limit.
        let r = try Self.run(["check", "Graphs/small-cnn.yaml", "--max-memory", "1K"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("planned peak tensor memory: 31,128 bytes (forward and backward)\n"))
    }

    // MARK: negative numeric options

    @Test(arguments: [
        (["run", "Graphs/seed.yaml", "--threads", "-1"], "--threads must be an integer ≥ 1; -1 is out of range"),
        (["gradcheck", "Graphs/seed.yaml", "--threads", "-2"], "--threads must be an integer ≥ 1; -2 is out of range"),
        (["bench", "Graphs/seed.yaml", "--repeat", "-1"], "--repeat must be an integer ≥ 1; -1 is out of range"),
        (["gradcheck", "Graphs/seed.yaml", "--eps", "-1"], "--eps must be finite and > 0; -1.0 is out of range"),
        (["gradcheck", "Graphs/seed.yaml", "--tol", "-0.5"], "--tol must be finite and > 0; -0.5 is out of range"),
        (["gradcheck", "Graphs/seed.yaml", "--samples", "-3"], "--samples must be an integer ≥ 2; -3 is out of range"),
        (["run", "Graphs/seed.yaml", "--max-nodes", "-5"], "--max-nodes must be an integer ≥ 1; -5 is out of range"),
        (["run", "Graphs/seed.yaml", "--max-memory", "-5"], "--max-memory takes a byte count ≥ 1 such as 4G, not '-5'"),
        (["show", "x.npy", "--count", "-2"], "--count must be an integer ≥ 0; -2 is out of range"),
    ])
    func negativeNumbersAreOutOfRange(_ arguments: [String], _ message: String) throws {
        let r = try Self.run(arguments)
        #expect(r.status == 64)
        #expect(r.stderr.contains(message), "\(r.stderr)")
        #expect(!r.stderr.contains("Missing value"))
    }

    // MARK: gradcheck kinks

    static let kinkGraph = """
        nodes:
          x: {op: input, init: {values: [[[[0.00005, -0.00003], [1.0, -2.0]]]]}}
          r: {op: relu}
          loss: {op: l2}
        edges:
          - x -> r -> loss
        backward: {from: loss, wrt: [x]}
        """

    @Test func gradcheckSaysHowManyEntriesItSkippedAsKinks() throws {
        let path = try CLITests.temporaryFile(Self.kinkGraph)
        // Two of the four entries lie within eps = 1e-4 of relu's kink.
        let r = try Self.run(["gradcheck", path, "--threads", "1"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("leaf 'x': 2 of 4 sampled entries (50%) skipped as kinks (a ±eps step crosses a max-pool tie or a relu sign change); a large share: try a smaller --eps, such as 1e-05\n"), "\(r.stdout)")
        // With that smaller eps, nothing is skipped and no kink line is printed.
        let smaller = try Self.run(["gradcheck", path, "--threads", "1", "--eps", "1e-5"])
        #expect(smaller.status == 0)
        #expect(!smaller.stdout.contains("skipped as kinks"), "\(smaller.stdout)")
    }

    @Test func aSmallShareOfKinksIsCountedWithoutASuggestion() {
        let check = ConvGraph.GradCheck()
        let report = GradCheck.LeafReport(name: "w", checked: 95, skipped: 5, worstIndex: [0], analytic: 1, numeric: 1, error: 0)
        #expect(check.kinkReport([report]) == "leaf 'w': 5 of 100 sampled entries (5%) skipped as kinks (a ±eps step crosses a max-pool tie or a relu sign change)\n")
        let none = GradCheck.LeafReport(name: "b", checked: 10, skipped: 0, worstIndex: [0], analytic: 1, numeric: 1, error: 0)
        #expect(check.kinkReport([none]) == "")
        #expect(check.table([report, none]).text.contains("leaf 'w': 5 of 100"))
    }

    // MARK: manifest `files`

    @Test func manifestRecordsEachFileInitWithItsDigest() throws {
        let tmp = try RunDirectoryTests.temporaryDirectory()
        defer { RunDirectory.removeTree(tmp) }
        let weight = Tensor<Double>(shape: [1, 1, 2, 2], scalars: [0.5, -1, 2, 0.25])
        let seed = Tensor<Double>(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4])
        try Data(AnyTensor(weight).npyBytes).write(to: URL(fileURLWithPath: tmp + "/w.npy"))
        try FileManager.default.createDirectory(atPath: tmp + "/data", withIntermediateDirectories: true)
        try Data(AnyTensor(seed).npyBytes).write(to: URL(fileURLWithPath: tmp + "/data/g.npy"))
        try """
            nodes:
              x: {op: input, shape: [1, 1, 3, 3], init: randn}
              w: {op: param, init: {file: w.npy}}
              c: {op: conv}
            edges:
              - x -> c
              - w -> c.weight
            backward: {from: c, grad: {file: data/g.npy}}
            """.write(toFile: tmp + "/g.yaml", atomically: true, encoding: .utf8)
        var request = RunRequest(graphPath: tmp + "/g.yaml")
        request.out = tmp + "/run"
        _ = try request.perform()
        let manifest = try RunDirectoryTests.manifest(tmp + "/run")
        let files = try #require(manifest["files"] as? [String: [String: String]])
        #expect(Set(files.keys) == ["w", "backward.grad"])
        #expect(files["w"]?["file"] == tmp + "/w.npy")
        #expect(files["w"]?["sha256"] == SHA256.hex(try RunDirectoryTests.bytes(tmp + "/w.npy")))
        #expect(files["backward.grad"]?["file"] == tmp + "/data/g.npy")
        #expect(files["backward.grad"]?["sha256"] == SHA256.hex(try RunDirectoryTests.bytes(tmp + "/data/g.npy")))
        // A graph without `{file:}` inits has an empty `files`.
        var plain = RunRequest(graphPath: ET.graphPath("seed.yaml"))
        plain.out = tmp + "/plain"
        _ = try plain.perform()
        #expect((try RunDirectoryTests.manifest(tmp + "/plain")["files"] as? [String: Any])?.isEmpty == true)
    }

    @Test func manifestDigestMatchesTheFileViaTheCLI() throws {
        // The digest is that of the file's bytes, computed independently by sha256sum.
        let tmp = try RunDirectoryTests.temporaryDirectory()
        defer { RunDirectory.removeTree(tmp) }
        try Data(AnyTensor(Tensor<Double>(shape: [1, 2, 1, 1], scalars: [3, 4])).npyBytes).write(to: URL(fileURLWithPath: tmp + "/b.npy"))
        try """
            nodes:
              x: {op: input, shape: [1, 2, 1, 1], init: ones}
              b: {op: param, init: {file: b.npy}}
              s: {op: add}
            edges: [x -> s, b -> s]
            """.write(toFile: tmp + "/g.yaml", atomically: true, encoding: .utf8)
        let r = try Self.run(["run", tmp + "/g.yaml", "--out", tmp + "/run"])
        #expect(r.status == 0, "\(r.stderr)")
        let files = try #require(try RunDirectoryTests.manifest(tmp + "/run")["files"] as? [String: [String: String]])
        let sum = Process()
        sum.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        sum.arguments = [tmp + "/b.npy"]
        let pipe = Pipe()
        sum.standardOutput = pipe
        try sum.run()
        let line = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        sum.waitUntilExit()
        #expect(files["b"]?["sha256"] == String(line.prefix(64)))
        #expect(files["b"]?["file"] == tmp + "/b.npy")
    }
}
