import Foundation
import Testing
@testable import ConvGraph

/// `compare` (SPEC §11.3) through the library: which directories are runs, their statuses,
/// the numbers read back against the manifests, the differing-override columns, sorting, and
/// the JSON and CSV forms.
@Suite struct CompareTests {
    typealias F = CompareFixtures

    /// Two runs of the seed graph differing in `nodes.conv.stride` (both set `seed=1`), a
    /// junk folder and a stray file beside them: two rows, one override column.
    @Test func seedRunsShowOnlyTheOverrideThatDiffers() throws {
        let tmp = try F.temporaryDirectory()
        defer { RunDirectory.removeTree(tmp) }
        try F.seedRun(out: tmp + "/all/a", overrides: ["seed=1", "nodes.conv.stride=2"])
        try F.seedRun(out: tmp + "/all/b", overrides: ["seed=1", "nodes.conv.stride=1"])
        try F.junk(at: tmp + "/all/junk")
        try F.write("stray", to: tmp + "/all/readme.txt")

        let runs = try RunDiscovery.runs(at: [tmp + "/all"])
        #expect(runs.map(\.directory) == [tmp + "/all/a", tmp + "/all/b"])
        #expect(runs.map(\.status) == [.complete, .complete])
        #expect(runs.map(\.graph) == ["seed-convnet", "seed-convnet"])
        let comparison = try Comparison(runs: runs)
        #expect(comparison.overrideKeys == ["nodes.conv.stride"])
        #expect(comparison.overrideCells == [["2"], ["1"]])
        for run in runs {
            let m = try F.manifest(run.directory)
            let path = run.directory + "/manifest.json"
            #expect(try run.wallMilliseconds == F.rawNumber("forward_ms", inFile: path) + F.rawNumber("backward_ms", inFile: path))
            #expect(run.trainLoss == nil && run.evalLoss == nil && run.accuracy == nil)
            #expect(run.overrides == m["overrides"] as? [String])
        }
        // A run directory named itself is one row; the same run named twice is one row.
        #expect(try RunDiscovery.runs(at: [tmp + "/all/a", tmp + "/all/../all/a/"]).count == 1)

        let lines = comparison.table.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(lines[0].split(separator: " ", omittingEmptySubsequences: true).prefix(3) == ["run", "nodes.conv.stride", "status"])
        #expect(lines[2].split(separator: " ").prefix(3) == [Substring(tmp + "/all/a"), "2", "complete"])
        #expect(lines[3].split(separator: " ").prefix(3) == [Substring(tmp + "/all/b"), "1", "complete"])
    }

    /// A finished training: the losses and wall time equal the manifest's `train` object and
    /// `timings`, and agree with the last records of `metrics.jsonl` and the trainer's outcome.
    @Test func trainingNumbersAreTheManifests() throws {
        let tmp = try F.temporaryDirectory()
        defer { RunDirectory.removeTree(tmp) }
        let outcome = try F.training(out: tmp + "/fit")
        let run = try #require(try RunSummary.read(directory: tmp + "/fit"))
        #expect(run.status == .complete)
        let path = tmp + "/fit/manifest.json"
        let train = try #require(try F.manifest(tmp + "/fit")["train"] as? [String: Any])
        #expect(try run.trainLoss == F.rawNumber("train_loss", inFile: path))
        #expect(try run.evalLoss == F.rawNumber("eval_loss", inFile: path))
        #expect(run.accuracy == nil && train["eval_accuracy"] is NSNull)  // an mse loss has no accuracy
        #expect(try run.wallMilliseconds == F.rawNumber("train_ms", inFile: path) + F.rawNumber("eval_ms", inFile: path))
        #expect(run.trainLoss == outcome.trainLoss && run.evalLoss == outcome.evalLoss)

        // The same numbers from the last lines of metrics.jsonl.
        let text = try String(contentsOfFile: tmp + "/fit/metrics.jsonl", encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)
        let lastTrain = try #require(lines.last { $0.hasPrefix(#"{"kind":"train""#) })
        let lastEval = try #require(lines.last { $0.hasPrefix(#"{"kind":"eval""#) })
        #expect(try [run.trainLoss] == F.rawNumbers("loss", in: lastTrain))
        #expect(try [run.evalLoss] == F.rawNumbers("loss", in: lastEval))
        try FileManager.default.removeItem(atPath: tmp + "/fit/manifest.json")
        let cut = try #require(try RunSummary.read(directory: tmp + "/fit"))
        #expect(cut.status == .interrupted)
        #expect(cut.trainLoss == run.trainLoss && cut.evalLoss == run.evalLoss && cut.wallMilliseconds == nil)
    }

    /// An interrupted training (checkpoint and metrics, no manifest): the last train loss,
    /// eval loss and accuracy of the hand-written metrics; a checkpoint alone is a run too.
    @Test func interruptedRunsReadTheirMetrics() throws {
        let tmp = try F.temporaryDirectory()
        defer { RunDirectory.removeTree(tmp) }
        try F.interruptedTraining(at: tmp + "/cut")
        try F.write("{}", to: tmp + "/bare/checkpoints/epoch-0001/state.json")
        let runs = try RunDiscovery.runs(at: [tmp + "/cut", tmp + "/bare"])
        #expect(runs.map(\.status) == [.interrupted, .interrupted])
        #expect(runs[0].trainLoss == 0.375 && runs[0].evalLoss == 0.25 && runs[0].accuracy == 0.75)
        #expect(runs[0].wallMilliseconds == nil && runs[0].overrides == [])
        #expect(runs[1].trainLoss == nil && runs[1].evalLoss == nil)
        let row = try #require(try Comparison(runs: runs).table.split(separator: "\n").dropFirst(2).first)
        #expect(row.split(separator: " ").suffix(5) == ["interrupted", "0.375", "0.25", "75%", "-"])
    }

    /// The sweep.json of the shared format: every run it lists, in its order, with its
    /// recorded status (complete, failed, not run, interrupted), its overrides (`sets` then
    /// the grid's), and the numbers of the runs that have a directory.
    static func craftSweep(at sweep: String) throws {
        try F.seedRun(out: sweep + "/0000", overrides: ["seed=1", "nodes.conv.stride=2"])
        try F.interruptedTraining(at: sweep + "/0003")
        try F.write("""
            {"graph": "Graphs/seed.yaml", "grids": [{"key": "nodes.conv.stride", "values": ["2", "10", "1", "3"]}],
             "sets": ["seed=1"],
             "runs": [
              {"index": 0, "dir": "0000", "overrides": ["nodes.conv.stride=2"], "status": "complete", "exit_code": 0},
              {"index": 1, "dir": "0001", "overrides": ["nodes.conv.stride=10"], "status": "failed", "exit_code": 65},
              {"index": 2, "dir": "0002", "overrides": ["nodes.conv.stride=1"], "status": "not run", "exit_code": null},
              {"index": 3, "dir": "0003", "overrides": ["nodes.conv.stride=3"], "status": "interrupted", "exit_code": 143}
             ]}
            """, to: sweep + "/sweep.json")
    }

    @Test func sweepDirectoryGivesEveryRunWithItsRecordedStatus() throws {
        let tmp = try F.temporaryDirectory()
        defer { RunDirectory.removeTree(tmp) }
        try Self.craftSweep(at: tmp + "/sweep")
        for path in [tmp + "/sweep", tmp] {  // the sweep itself, or the folder holding it
            let runs = try RunDiscovery.runs(at: [path])
            #expect(runs.map(\.directory) == ["0000", "0001", "0002", "0003"].map { tmp + "/sweep/" + $0 })
            #expect(runs.map(\.status) == [.complete, .failed, .notRun, .interrupted])
            #expect(runs.map(\.exitCode) == [0, 65, nil, 143])
            let comparison = try Comparison(runs: runs)
            #expect(comparison.overrideKeys == ["nodes.conv.stride"])  // seed=1 is common to all
            #expect(comparison.overrideCells == [["2"], ["10"], ["1"], ["3"]])
            let path = tmp + "/sweep/0000/manifest.json"
            #expect(try runs[0].wallMilliseconds == F.rawNumber("forward_ms", inFile: path) + F.rawNumber("backward_ms", inFile: path))
            #expect(runs[3].trainLoss == 0.375 && runs[3].accuracy == 0.75)
            #expect(runs[1].trainLoss == nil && runs[1].wallMilliseconds == nil)
        }
        // A folder holding both a sweep and a lone run: the sweep's runs, then the run (by name).
        try F.seedRun(out: tmp + "/z-lone", overrides: ["seed=2"])
        let both = try Comparison(runs: RunDiscovery.runs(at: [tmp]))
        #expect(both.rows.map(\.directory).last == tmp + "/z-lone")
        #expect(both.overrideKeys == ["seed", "nodes.conv.stride"])
        #expect(both.overrideCells.last == ["2", nil])
    }

    @Test func sortOrders() throws {
        let tmp = try F.temporaryDirectory()
        defer { RunDirectory.removeTree(tmp) }
        try Self.craftSweep(at: tmp + "/sweep")
        let runs = try RunDiscovery.runs(at: [tmp + "/sweep"])
        func order(_ key: String) throws -> [String] {
            try Comparison(runs: runs, sortBy: key).rows.map { String($0.directory.suffix(4)) }
        }
        // Numerically (10 after 3, which bytes would not give).
        #expect(try order("nodes.conv.stride") == ["0002", "0000", "0003", "0001"])
        #expect(try order("status") == ["0000", "0003", "0001", "0002"])
        // Unknown values last, ties in discovery order.
        #expect(try order("train_loss") == ["0003", "0000", "0001", "0002"])
        #expect(try order("wall_ms") == ["0000", "0001", "0002", "0003"])
        #expect(try order("run") == ["0000", "0001", "0002", "0003"])
        #expect(try order("seed") == ["0000", "0001", "0002", "0003"])  // a key of every row, not a column
        let error = #expect(throws: ConvGraphError.self) { try Comparison(runs: runs, sortBy: "train-loss") }
        #expect(error?.exitCode == 64)
        #expect(error?.description.contains("did you mean 'train_loss'?") == true)
    }

    /// `--json` parses (with Foundation) and carries the same values; `--csv` parses back
    /// (with a separate RFC 4180 reader) to the same cells, quoting included.
    @Test func jsonAndCSVCarryTheRows() throws {
        let tmp = try F.temporaryDirectory()
        defer { RunDirectory.removeTree(tmp) }
        try Self.craftSweep(at: tmp + "/sweep")
        try F.interruptedTraining(at: tmp + "/odd \"run\", 1")
        let runs = try RunDiscovery.runs(at: [tmp])
        let comparison = try Comparison(runs: runs)

        let text = comparison.json.serialized()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["columns"] as? [String] == ["seed", "nodes.conv.stride"])
        let rows = try #require(object["runs"] as? [[String: Any]])
        #expect(rows.map { $0["run"] as? String } == runs.map(\.directory))
        #expect(rows.map { $0["status"] as? String } == ["interrupted", "complete", "failed", "not run", "interrupted"])
        #expect(try F.rawNumbers("wall_ms", in: text) == [runs[1].wallMilliseconds!])
        #expect(rows[0]["accuracy"] as? Double == 0.75)
        #expect(rows[2]["exit_code"] as? Int == 65)
        #expect(rows[2]["train_loss"] is NSNull)
        #expect((rows[1]["overrides"] as? [String: Any])?["nodes.conv.stride"] as? String == "2")
        #expect((rows[0]["overrides"] as? [String: Any])?["seed"] is NSNull)

        let csv = comparison.csv
        #expect(csv.hasSuffix("\r\n"))
        let table = try Self.readCSV(csv)
        #expect(table[0] == ["run", "seed", "nodes.conv.stride", "status", "train_loss", "eval_loss", "accuracy", "wall_ms"])
        #expect(table.count == 6)
        #expect(table[1] == [tmp + "/odd \"run\", 1", "", "", "interrupted", "0.375", "0.25", "0.75", ""])
        #expect(table[3] == [tmp + "/sweep/0001", "1", "10", "failed", "", "", "", ""])
        #expect(Double(table[2][7]) == runs[1].wallMilliseconds)  // round-trips exactly
        #expect(csv.contains("\"\(tmp)/odd \"\"run\"\", 1\""))
    }

    /// An RFC 4180 reader (written for this test): fields separated by commas, records by
    /// CRLF, a quoted field may hold commas, CRLF and doubled quotes.
    static func readCSV(_ text: String) throws -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false
        var chars = Array(text.unicodeScalars)[...]
        while let c = chars.popFirst() {
            if quoted {
                if c == "\"" {
                    if chars.first == "\"" { chars.removeFirst(); field.unicodeScalars.append("\"") } else { quoted = false }
                } else {
                    field.unicodeScalars.append(c)
                }
            } else if c == "\"" && field.isEmpty {
                quoted = true
            } else if c == "," {
                record.append(field); field = ""
            } else if c == "\r" {
                try #require(chars.popFirst() == "\n", "a bare CR")
                record.append(field); field = ""
                records.append(record); record = []
            } else {
                try #require(c != "\n" && c != "\"", "a bare LF or quote")
                field.unicodeScalars.append(c)
            }
        }
        try #require(record.isEmpty && field.isEmpty && !quoted, "the last record has no CRLF")
        return records
    }

    @Test func missingPathsAndFoldersWithoutRuns() throws {
        let tmp = try F.temporaryDirectory()
        defer { RunDirectory.removeTree(tmp) }
        try F.junk(at: tmp + "/junk")
        let missing = #expect(throws: ConvGraphError.self) { try RunDiscovery.runs(at: [tmp + "/junk", tmp + "/nope"]) }
        #expect(missing?.exitCode == 66)
        #expect(missing?.description == tmp + "/nope: error: no such file or directory")
        let none = #expect(throws: ConvGraphError.self) { try RunDiscovery.runs(at: [tmp + "/junk", tmp]) }
        #expect(none?.exitCode == 65)
        #expect(none?.description.hasPrefix("error: no run found at or directly under") == true)
        let file = #expect(throws: ConvGraphError.self) { try RunDiscovery.runs(at: [tmp + "/junk/notes.txt"]) }
        #expect(file?.exitCode == 65)
        // A manifest that is not JSON, and a sweep.json with an unknown status: 65 naming the file.
        try F.write("{oops", to: tmp + "/bad/manifest.json")
        let bad = #expect(throws: ConvGraphError.self) { try RunDiscovery.runs(at: [tmp + "/bad"]) }
        #expect(bad?.exitCode == 65)
        #expect(bad?.description.hasPrefix(tmp + "/bad/manifest.json: error: not a run manifest") == true)
        try F.write(#"{"runs": [{"index": 0, "dir": "0000", "overrides": [], "status": "exploded"}]}"#, to: tmp + "/sw/sweep.json")
        let sweep = #expect(throws: ConvGraphError.self) { try RunDiscovery.runs(at: [tmp + "/sw"]) }
        #expect(sweep?.exitCode == 65)
        #expect(sweep?.description.contains("'exploded'") == true)
        try F.write(#"{"runs": [{"index": 0, "dir": "../x", "overrides": [], "status": "complete"}]}"#, to: tmp + "/sw/sweep.json")
        #expect(throws: ConvGraphError.self) { try RunDiscovery.runs(at: [tmp + "/sw"]) }
    }
}
