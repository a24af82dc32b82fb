import Foundation
import Testing
@testable import ConvGraph

/// `Sweep` on real graphs (SPEC §11.2): each run equals `run`/`train` with the same
/// overrides, `sweep.json`, skipping of complete runs, replacement of anything else,
/// resume of an interrupted training, failing runs, `--jobs` and concurrent shards.
@Suite struct SweepRunTests {
    static let seed = CLIProcess.root + "/Graphs/seed.yaml"

    /// The seed graph over stride × window (4 runs, a few milliseconds each).
    static func seedPlan(sets: [String] = ["seed=5"], windows: String = "[2, [3, 2]]") throws -> SweepPlan {
        try SweepPlan(graphPath: seed, grids: [SweepGrid(parsing: "nodes.conv.stride=[1, 2]"), SweepGrid(parsing: "nodes.pooled.window=\(windows)")], sets: sets)
    }

    /// A run directory without its manifest (which holds timings), and the manifest's
    /// config, overrides and tensor digests.
    static func content(_ directory: String) throws -> [String: [UInt8]] {
        var files = try InterruptionTests.snapshot(directory)
        let removed = files.removeValue(forKey: "manifest.json")
        let manifest = try #require(removed)
        let json = try JSONParser.parse(manifest)
        for key in ["config", "overrides", "tensors", "graph_sha256", "files", "inputs"] {
            files["manifest:" + key] = Array((json.sweepField(key)?.serialized() ?? "absent").utf8)
        }
        return files
    }

    static func modified(_ path: String) throws -> Date {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date)
    }

    /// Each run directory equals `convgraph run` with the `--set`s then the grid's
    /// overrides; sweep.json lists every run; a second sweep skips every run.
    @Test func runsAreTheGraphWithTheOverridesAndASecondSweepSkipsThem() throws {
        let dir = try CLIProcess.makeTemporaryDirectory("sweep")
        let plan = try Self.seedPlan()
        let sweep = try Sweep(plan: plan, out: dir + "/s")
        let first = try sweep.run()
        #expect(first.succeeded)
        #expect(first.reports.map(\.action) == [.ran, .ran, .ran, .ran])
        let expected = [["nodes.conv.stride=1", "nodes.pooled.window=2"], ["nodes.conv.stride=1", "nodes.pooled.window=[3, 2]"],
                        ["nodes.conv.stride=2", "nodes.pooled.window=2"], ["nodes.conv.stride=2", "nodes.pooled.window=[3, 2]"]]
        for (i, overrides) in expected.enumerated() {
            var request = RunRequest(graphPath: Self.seed)
            request.overrides = ["seed=5"] + overrides
            request.out = dir + "/ref-\(i)"
            _ = try request.perform()
            #expect(try Self.content(dir + "/s/000\(i)") == Self.content(dir + "/ref-\(i)"), "run \(i)")
        }
        // Different overrides give different values (the grid reached the graph).
        #expect(try Self.content(dir + "/s/0000")["values/pooled.npy"] != Self.content(dir + "/s/0001")["values/pooled.npy"])

        let record = try JSONParser.parse(Array(Data(contentsOf: URL(fileURLWithPath: dir + "/s/sweep.json"))))
        let want = JSONValue.object([
            ("graph", .string(Self.seed)),
            ("grids", .array([.object([("key", .string("nodes.conv.stride")), ("values", .array([.string("1"), .string("2")]))]),
                              .object([("key", .string("nodes.pooled.window")), ("values", .array([.string("2"), .string("[3, 2]")]))])])),
            ("sets", .array([.string("seed=5")])),
            ("runs", .array(expected.enumerated().map { i, o in
                .object([("index", .int(i)), ("dir", .string("000\(i)")), ("overrides", .array(o.map { .string($0) })),
                         ("status", .string("complete")), ("exit_code", .int(0))])
            })),
        ])
        #expect(record == want)

        // Again: nothing is written, every run is skipped.
        let before = try InterruptionTests.snapshot(dir + "/s")
        let times = try (0..<4).map { try Self.modified(dir + "/s/000\($0)/manifest.json") }
        Thread.sleep(forTimeInterval: 0.02)
        let second = try sweep.run()
        #expect(second.succeeded)
        #expect(second.reports.map(\.action) == [.skipped, .skipped, .skipped, .skipped])
        #expect(try (0..<4).map { try Self.modified(dir + "/s/000\($0)/manifest.json") } == times)
        #expect(try InterruptionTests.snapshot(dir + "/s") == before)
        #expect(second.reports[1].line == "0001  nodes.conv.stride=1 nodes.pooled.window=[3, 2]  complete (skipped)  loss -")

        // Another --set is another config: every run is made again (replacing the old).
        let other = try Sweep(plan: try Self.seedPlan(sets: ["seed=6"]), out: dir + "/s").run()
        #expect(other.reports.map(\.action) == [.ran, .ran, .ran, .ran])
        let record2 = try #require(SweepRecord.read(directory: dir + "/s"))
        #expect(record2.sets == ["seed=6"] && record2.runs.allSatisfy { $0.status == .complete })
    }

    /// A run directory holding other files is replaced; a run of the other kind too.
    @Test func aDirectoryHoldingAnythingElseIsReplaced() throws {
        let dir = try CLIProcess.makeTemporaryDirectory("sweep")
        let sweep = try Sweep(plan: try Self.seedPlan(), out: dir + "/s")
        _ = try sweep.run()
        let reference = try Self.content(dir + "/s/0002")
        try FileManager.default.removeItem(atPath: dir + "/s/0002")
        try FileManager.default.createDirectory(atPath: dir + "/s/0002/sub", withIntermediateDirectories: true)
        try Data("junk".utf8).write(to: URL(fileURLWithPath: dir + "/s/0002/notes.txt"))
        try FileManager.default.removeItem(atPath: dir + "/s/0003")
        try Data("a file".utf8).write(to: URL(fileURLWithPath: dir + "/s/0003"))
        let again = try sweep.run()
        #expect(again.reports.map(\.action) == [.skipped, .skipped, .replaced, .replaced])
        #expect(try Self.content(dir + "/s/0002") == reference)
        #expect(!FileManager.default.fileExists(atPath: dir + "/s/0002/notes.txt"))
    }

    /// A value that makes the graph invalid fails its run (65), the others complete, and
    /// the outcome fails (exit 1).
    @Test func aFailingRunIsRecordedAndTheOthersComplete() throws {
        let dir = try CLIProcess.makeTemporaryDirectory("sweep")
        let outcome = try Sweep(plan: try Self.seedPlan(windows: "[2, 9]"), out: dir + "/s").run()
        #expect(!outcome.succeeded)
        #expect(outcome.reports.map(\.status) == [.complete, .failed, .complete, .failed])
        #expect(outcome.reports.map(\.exitCode) == [0, 65, 0, 65])
        #expect(outcome.reports[1].error?.description.contains("seed.yaml") == true)
        #expect(outcome.reports[1].line.hasPrefix("0001  nodes.conv.stride=1 nodes.pooled.window=9  failed (exit 65)"))
        let record = try #require(SweepRecord.read(directory: dir + "/s"))
        #expect(record.runs.map(\.status) == [.complete, .failed, .complete, .failed])
        #expect(record.runs.map(\.exitCode) == [0, 65, 0, 65])
        #expect(FileManager.default.fileExists(atPath: dir + "/s/0000/manifest.json"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/s/0001"))
    }

    /// Problems of the whole sweep are found before any run: a bad --set or --grid path (64).
    @Test func badPathsAreFoundBeforeAnyRun() throws {
        let dir = try CLIProcess.makeTemporaryDirectory("sweep")
        for (grid, sets) in [("nodes.nosuch.stride=[1]", [String]()), ("nodes.conv.stride=[1]", ["nodes.conv.nosuch=2"])] {
            do {
                _ = try Sweep(plan: SweepPlan(graphPath: Self.seed, grids: [SweepGrid(parsing: grid)], sets: sets), out: dir + "/s")
                Issue.record("accepted \(grid) \(sets)")
            } catch {
                #expect(error.kind == .usage)
            }
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/s"))
        // The default directory is runs/<graph>-sweep, <graph> as `run` names runs/<graph>.
        let sweep = try Sweep(plan: try Self.seedPlan())
        #expect(sweep.directory == "runs/seed-convnet-sweep")
    }

    /// Two shards on one directory at the same time: each makes its runs, and sweep.json
    /// ends with every status (the lock keeps one shard from losing the other's).
    @Test func concurrentShardsShareSweepJSON() throws {
        let dir = try CLIProcess.makeTemporaryDirectory("sweep")
        let plan = try SweepPlan(graphPath: Self.seed, grids: [SweepGrid(parsing: "nodes.conv.stride=[1, 2]"), SweepGrid(parsing: "seed=[1, 2, 3, 4]")], sets: [])
        var shards: [Sweep] = []
        for i in 0..<3 {
            var sweep = try Sweep(plan: plan, out: dir + "/s")
            sweep.shard = try SweepShard(index: i, count: 3)
            sweep.cores = 1
            shards.append(sweep)
        }
        let done = DispatchGroup()
        let results = ResultBox()
        for sweep in shards {
            DispatchQueue.global().async(group: done) {
                let outcome = try? sweep.run()
                results.add(outcome?.reports.map(\.run.index) ?? [-1])
            }
        }
        done.wait()
        #expect(results.all.sorted() == Array(0..<8))
        let record = try #require(SweepRecord.read(directory: dir + "/s"))
        #expect(record.runs.map(\.status) == Array(repeating: .complete, count: 8))
        #expect(record.runs.map(\.overrides[1]) == (0..<8).map { "seed=\($0 % 4 + 1)" })
    }

    final class ResultBox: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [Int] = []
        func add(_ v: [Int]) { lock.lock(); values += v; lock.unlock() }
        var all: [Int] { lock.lock(); defer { lock.unlock() }; return values }
    }
}

/// An included file is part of a run's identity (SPEC §11.2): a sweep run again skips every
/// run, and after an edit to the block library that leaves the expanded graph as it was (a
/// comment), every run is made again.
@Suite struct SweepIncludeTests {
    @Test func anEditedIncludedFileMakesTheRunsAgain() throws {
        let library = """
        blocks:
          cr:
            inputs: [x]
            args: {c: 2}
            output: act
            nodes:
              w:    {op: param, shape: [$c, $c, 3, 3], init: randn}
              conv: {op: conv, padding: 1}
              act:  {op: relu}
            edges: [x -> conv -> act, w -> conv.weight]

        """
        let graph = """
        include: [lib/blocks.yaml]
        seed: 1
        nodes:
          image: {op: input, shape: [1, 2, 4, 4], init: randn}
          body:  {block: cr}
          loss:  {op: l2}
        edges: [image -> body -> loss]
        backward: {from: loss}
        """
        let dir = try BlocksTests.folder(["g.yaml": graph, "lib/blocks.yaml": library])
        let plan = try SweepPlan(graphPath: dir + "/g.yaml", grids: [SweepGrid(parsing: "seed=[1, 2]")], sets: [])
        let first = try Sweep(plan: plan, out: dir + "/s").run()
        #expect(first.reports.map(\.action) == [.ran, .ran])
        let manifest = try JSONParser.parse(Array(Data(contentsOf: URL(fileURLWithPath: dir + "/s/0000/manifest.json"))))
        #expect(manifest.sweepField("includes")?.serialized().contains(SHA256.hex(Array(library.utf8))) == true)
        #expect(try Sweep(plan: plan, out: dir + "/s").run().reports.map(\.action) == [.skipped, .skipped])
        try Array((library + "# the same blocks, one comment more\n").utf8).write(to: dir + "/lib/blocks.yaml")
        let again = try Sweep(plan: plan, out: dir + "/s").run()
        #expect(again.reports.allSatisfy { $0.action != .skipped })
        #expect(again.succeeded)
    }
}
