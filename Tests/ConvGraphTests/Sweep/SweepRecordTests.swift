import Foundation
import Testing
@testable import ConvGraph

/// `sweep.json` (SPEC §11.2): its JSON, the read-modify-write of statuses, and a new
/// sweep in the same directory starting afresh.
@Suite struct SweepRecordTests {
    @Test func updatesChangeOnlyTheirRunsAndKeepTheOthers() throws {
        let dir = try CLIProcess.makeTemporaryDirectory("sweep-record") + "/a/b"
        let plan = try SweepPlan(graphPath: "g.yaml", grids: [SweepGrid(parsing: "seed=[1, 2, 3]")], sets: ["dtype=float32"])
        try SweepRecord.update(directory: dir, plan: plan)
        try SweepRecord.update(directory: dir, plan: plan, changes: [1: (.interrupted, nil)])
        try SweepRecord.update(directory: dir, plan: plan, changes: [2: (.failed, 65)])
        let text = try String(contentsOfFile: dir + "/sweep.json", encoding: .utf8)
        let json = try JSONParser.parse(Array(text.utf8))
        func run(_ i: Int, _ status: String, _ code: JSONValue) -> JSONValue {
            .object([("index", .int(i)), ("dir", .string("000\(i)")), ("overrides", .array([.string("seed=\(i + 1)")])),
                     ("status", .string(status)), ("exit_code", code)])
        }
        #expect(json == .object([
            ("graph", .string("g.yaml")),
            ("grids", .array([.object([("key", .string("seed")), ("values", .array([.string("1"), .string("2"), .string("3")]))])])),
            ("sets", .array([.string("dtype=float32")])),
            ("runs", .array([run(0, "not run", .null), run(1, "interrupted", .null), run(2, "failed", .int(65))])),
        ]))
        #expect(text.hasSuffix("}\n"))
        #expect(SweepRecord(json: json) == SweepRecord.read(directory: dir))
        // Nothing but the file and its lock is left in DIR.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == [".sweep.lock", "sweep.json"])

        // Another sweep (other --set) in the same directory starts its statuses afresh.
        let other = try SweepPlan(graphPath: "g.yaml", grids: [SweepGrid(parsing: "seed=[1, 2, 3]")], sets: [])
        let record = try SweepRecord.update(directory: dir, plan: other, changes: [0: (.complete, 0)])
        #expect(record.runs.map(\.status) == [.complete, .notRun, .notRun])
        #expect(SweepRecord.read(directory: dir) == record)
    }

    /// A file that is not a sweep record is replaced, not trusted.
    @Test func anInvalidRecordIsReplaced() throws {
        let dir = try CLIProcess.makeTemporaryDirectory("sweep-record")
        try Data("{\"graph\": 1}".utf8).write(to: URL(fileURLWithPath: dir + "/sweep.json"))
        #expect(SweepRecord.read(directory: dir) == nil)
        let plan = try SweepPlan(graphPath: "g.yaml", grids: [SweepGrid(parsing: "seed=[1]")], sets: [])
        try SweepRecord.update(directory: dir, plan: plan)
        #expect(SweepRecord.read(directory: dir) == SweepRecord(plan: plan))
    }
}
