import Foundation
import Testing
@testable import ConvGraph

/// A `convgraph run` killed with SIGKILL mid-run leaves no run directory at `--out`
/// (SPEC §6: a run never leaves a half-written result), and an earlier run there survives.
/// Hidden `.NAME.tmp-*` folders may remain beside it: nothing can clean up after SIGKILL.
@Suite(.serialized) struct KilledRunTests {
    /// The CLI binary built with these tests (`CLIProcess.binary`), else `.build/debug/convgraph`,
    /// else any `.build*/debug/convgraph`.
    static var binary: String? {
        var candidates = (CLIProcess.binary.map { [$0] } ?? []) + [ET.root + "/.build/debug/convgraph"]
        for name in (RunDirectory.listDirectory(ET.root) ?? []).sorted() where name.hasPrefix(".build") {
            candidates.append("\(ET.root)/\(name)/debug/convgraph")
        }
        return candidates.first { access($0, X_OK) == 0 }
    }

    /// Forward and backward of a 3×3 conv on 8×16×64×64 with 32 filters: several seconds
    /// in debug (about 1 s even optimised), far longer than the 300 ms before the kill.
    static let bigGraph = """
        # big enough to be killed mid-run
        seed: 1
        nodes:
          x:    {op: input, shape: [8, 16, 160, 160], init: randn}
          w:    {op: param, shape: [32, 16, 3, 3], init: randn}
          conv: {op: conv, padding: 1}
          loss: {op: l2}
        edges:
          - x -> conv -> loss
          - w -> conv.weight
        backward: {from: loss}
        save: {values: [conv, loss]}

        """

    /// Starts `convgraph run GRAPH --out OUT`, waits `milliseconds`, sends SIGKILL and
    /// reaps it. Returns whether the process died of the signal (false: it finished first).
    static func runAndKill(graph: String, out: String, after milliseconds: UInt32) throws -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(binary, "no convgraph binary under \(ET.root)/.build*/debug"))
        process.arguments = ["run", graph, "--out", out]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        usleep(milliseconds * 1000)
        let sent = kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        return sent == 0 && process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL
    }

    static func setUp() throws -> (tmp: String, graph: String) {
        let tmp = try RunDirectoryTests.temporaryDirectory()
        let graph = tmp + "/big.yaml"
        try bigGraph.write(toFile: graph, atomically: false, encoding: .utf8)
        return (tmp, graph)
    }

    @Test func killedRunLeavesNoDirectory() throws {
        let (tmp, graph) = try Self.setUp()
        defer { RunDirectory.removeTree(tmp) }
        let out = tmp + "/runs/big"
        let killed = try Self.runAndKill(graph: graph, out: out, after: 300)
        #expect(killed, "the run finished before the kill; the graph is too small to test this")
        var st = stat()
        #expect(lstat(out, &st) != 0, "a directory exists at the --out path of a killed run")
        // Only hidden temporary folders may remain beside it.
        for name in RunDirectory.listDirectory(tmp + "/runs") ?? [] {
            #expect(name.hasPrefix(".big.tmp-"), "unexpected \(name) beside the killed run")
        }
        #expect(Set(RunDirectory.listDirectory(tmp) ?? []).isSubset(of: ["big.yaml", "runs"]))
    }

    @Test func killedRunKeepsTheEarlierRun() throws {
        let (tmp, graph) = try Self.setUp()
        defer { RunDirectory.removeTree(tmp) }
        let out = tmp + "/run"
        var request = RunRequest(graphPath: ET.graphPath("seed.yaml"))
        request.out = out
        _ = try request.perform()
        let manifest = try RunDirectoryTests.bytes(out + "/manifest.json")
        let conv = try RunDirectoryTests.bytes(out + "/values/conv.npy")
        let killed = try Self.runAndKill(graph: graph, out: out, after: 300)
        #expect(killed, "the run finished before the kill; the graph is too small to test this")
        #expect(try RunDirectoryTests.bytes(out + "/manifest.json") == manifest)
        #expect(try RunDirectoryTests.bytes(out + "/values/conv.npy") == conv)
        #expect(RunDirectoryTests.entries(out) == ["grads", "manifest.json", "values"])
    }
}
