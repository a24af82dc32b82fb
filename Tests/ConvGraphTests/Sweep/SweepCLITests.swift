import Foundation
import Testing
@testable import ConvGraph

/// `convgraph sweep` (SPEC §11.2): its lines, exit codes and default directory.
@Suite struct SweepCLITests {
    static func folder() throws -> String {
        let dir = try CLIProcess.makeTemporaryDirectory("sweep-cli")
        try FileManager.default.copyItem(atPath: CLIProcess.root + "/Graphs/seed.yaml", toPath: dir + "/seed.yaml")
        return dir
    }

    @Test func sweepPrintsOneLinePerRunAndSkipsTheSecondTime() throws {
        let dir = try Self.folder()
        let args = ["sweep", "seed.yaml", "--grid", "nodes.conv.stride=[1, 2]", "--grid", "nodes.pooled.window=[2, [3, 2]]", "--set", "seed=3", "--jobs", "2"]
        let first = try CLIProcess.run(args, in: dir, timeout: 60)
        #expect(first.status == 0, "\(first.stderr)")
        let lines = first.stdout.split(separator: "\n").map(String.init).sorted()
        #expect(lines == ["0000  nodes.conv.stride=1 nodes.pooled.window=2  complete  loss -",
                          "0001  nodes.conv.stride=1 nodes.pooled.window=[3, 2]  complete  loss -",
                          "0002  nodes.conv.stride=2 nodes.pooled.window=2  complete  loss -",
                          "0003  nodes.conv.stride=2 nodes.pooled.window=[3, 2]  complete  loss -"])
        // The default directory: runs/<graph>-sweep.
        for i in 0..<4 { #expect(FileManager.default.fileExists(atPath: dir + "/runs/seed-convnet-sweep/000\(i)/manifest.json")) }
        let second = try CLIProcess.run(args + ["--shard", "1/2"], in: dir, timeout: 60)
        #expect(second.status == 0, "\(second.stderr)")
        // With --jobs 2 the lines come as the runs end, in either order.
        #expect(second.stdout.split(separator: "\n").map(String.init).sorted()
                == ["0001  nodes.conv.stride=1 nodes.pooled.window=[3, 2]  complete (skipped)  loss -",
                    "0003  nodes.conv.stride=2 nodes.pooled.window=[3, 2]  complete (skipped)  loss -"])
    }

    @Test func exitCodes() throws {
        let dir = try Self.folder()
        func status(_ extra: [String]) throws -> CLIProcess.Outcome {
            try CLIProcess.run(["sweep", "seed.yaml", "--out", "s"] + extra, in: dir, timeout: 60)
        }
        #expect(try status([]).status == 64)  // no --grid
        #expect(try status(["--grid", "seed=[1]", "--grid", "seed=[2]"]).status == 64)
        #expect(try status(["--grid", "seed=[1]", "--set", "seed=2"]).status == 64)
        #expect(try status(["--grid", "seed=[1]", "--shard", "2/2"]).status == 64)
        #expect(try status(["--grid", "seed=[1]", "--jobs", "0"]).status == 64)
        #expect(try status(["--grid", "seed=1"]).status == 64)
        #expect(try status(["--grid", "nodes.nosuch.stride=[1]"]).status == 64)
        let values = "[" + (0..<317).map(String.init).joined(separator: ",") + "]"
        let big = try status(["--grid", "seed=\(values)", "--grid", "nodes.conv.stride=\(values)"])
        #expect(big.status == 65)
        #expect(big.stderr.contains("100489") && big.stderr.contains("--grid 'seed=[0,1,2"), "\(big.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/s"))
        let failing = try status(["--grid", "nodes.pooled.window=[9, 2]"])
        #expect(failing.status == 1)
        #expect(failing.stdout.hasPrefix("0000  nodes.pooled.window=9  failed (exit 65)  loss -\n0001  nodes.pooled.window=2  complete  loss -"), "\(failing.stdout)")
        #expect(failing.stderr.contains("s/0000:"), "\(failing.stderr)")
    }
}
