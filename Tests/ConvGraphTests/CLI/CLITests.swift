import Foundation
import Testing

/// Runs the built `convgraph` binary: exact stdout, stderr and exit codes (SPEC §7–8).
@Suite struct CLITests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `convgraph ARGS` in the package root.
    static func convgraph(_ arguments: [String]) throws -> Output {
        // The binary built with these tests (see `CLIProcess.binary`).
        let binary = URL(fileURLWithPath: CLIProcess.binary ?? root.appendingPathComponent(".build/debug/convgraph").path)
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = root
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }

    static func temporaryFile(_ text: String, name: String = "graph.yaml") throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cg-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func checkPrintsTheSeedTable() throws {
        let r = try Self.convgraph(["check", "Graphs/seed.yaml"])
        #expect(r.status == 0)
        #expect(r.stderr == "")
        #expect(r.stdout == Self.checkGolden + "\n")
    }

    /// SPEC §7: batchnorm's running statistics count as state, every other param as trained
    /// (lenet: 4+4 and 8+8 statistics of 702 elements).
    @Test func checkSplitsTrainedParamsFromState() throws {
        let r = try Self.convgraph(["check", "Graphs/lenet.yaml"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("\nparams: 678 trained, 24 state\n"), "\(r.stdout)")
    }

    @Test func dotPrintsShapesOnEdges() throws {
        let r = try Self.convgraph(["dot", "Graphs/seed.yaml"])
        #expect(r.status == 0)
        #expect(r.stdout == Self.dotGolden + "\n")
    }

    @Test func exitCodes() throws {
        #expect(try Self.convgraph([]).status == 64)
        #expect(try Self.convgraph(["--help"]).status == 0)
        #expect(try Self.convgraph(["check", "--help"]).status == 0)
        #expect(try Self.convgraph(["frobnicate"]).status == 64)
        #expect(try Self.convgraph(["check", "no/such/file.yaml"]).status == 66)
        #expect(try Self.convgraph(["check", "Graphs"]).status == 65)
        #expect(try Self.convgraph(["check", "Graphs/seed.yaml", "--set", "nodes.conv.strid=1"]).status == 64)
        #expect(try Self.convgraph(["check", "Graphs/seed.yaml", "--set", "nodes.conv.stride=0"]).status == 65)
        #expect(try Self.convgraph(["check", "Graphs/seed.yaml", "--set", "noequals"]).status == 64)
        #expect(try Self.convgraph(["gradcheck", "Graphs/seed.yaml", "--eps", "0"]).status == 64)
        #expect(try Self.convgraph(["gradcheck", "Graphs/seed.yaml", "--tol", "nan"]).status == 64)
        #expect(try Self.convgraph(["show", "no/such.npy"]).status == 66)
    }

    @Test func unknownSetPathSuggests() throws {
        let r = try Self.convgraph(["check", "Graphs/seed.yaml", "--set", "nodes.conv.strid=1"])
        #expect(r.stderr.contains("did you mean 'stride'?"))
        #expect(r.stdout == "")
    }

    @Test func diagnosticsArePositioned() throws {
        let path = try Self.temporaryFile("""
            nodes:
              a: {op: input, shape: [1, 1, 4, 4], init: randn}
              c: {op: relu, strid: 2}
            edges:
              - a -> c
            """)
        let r = try Self.convgraph(["check", path])
        #expect(r.status == 65)
        #expect(r.stderr.hasPrefix("\(path):3:17: error: unknown attribute 'strid' for op 'relu'\n"))
    }

    @Test func gradcheckPassesOnTheSeedGraph() throws {
        let r = try Self.convgraph(["gradcheck", "Graphs/seed.yaml"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("image"))
        #expect(!r.stdout.contains("FAIL"))
    }

    @Test func gradcheckFailsPastATinyTolerance() throws {
        let r = try Self.convgraph(["gradcheck", "Graphs/seed.yaml", "--tol", "1e-30"])
        #expect(r.status == 1)
        #expect(r.stdout.contains("FAIL"))
    }

    @Test func runWritesAndShowReads() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("cg-run-\(UUID().uuidString)").path
        let r = try Self.convgraph(["run", "Graphs/seed.yaml", "--out", out])
        #expect(r.status == 0)
        #expect(r.stdout.contains("grad(kernel)"))
        #expect(FileManager.default.fileExists(atPath: out + "/manifest.json"))
        let s = try Self.convgraph(["show", out + "/values/conv.npy"])
        #expect(s.status == 0)
        #expect(s.stdout.contains("shape [10, 8, 4, 4], float64"))
        #expect(s.stdout.contains("0.3724568515114425"))
    }

    @Test func inputShapeMismatchIsRefused() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("cg-run-\(UUID().uuidString)").path
        let first = try Self.convgraph(["run", "Graphs/seed.yaml", "--out", out])
        #expect(first.status == 0)
        let target = out + "/never"
        let r = try Self.convgraph(["run", "Graphs/seed.yaml", "--out", target, "--input", "image=\(out)/values/conv.npy"])
        #expect(r.status == 65)
        #expect(!FileManager.default.fileExists(atPath: target))
        let unknown = try Self.convgraph(["run", "Graphs/seed.yaml", "--out", target, "--input", "imag=\(out)/values/conv.npy"])
        #expect(unknown.status == 64)
    }

    @Test func outputThatIsNotARunIsRefused() throws {
        let file = try Self.temporaryFile("keep me", name: "notes.txt")
        let dir = (file as NSString).deletingLastPathComponent
        let r = try Self.convgraph(["run", "Graphs/seed.yaml", "--out", dir])
        #expect(r.status == 73)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "keep me")
    }

    static let checkGolden = """
graph seed-convnet: 7 nodes, float64, seed 1
node    op     inputs                shape     params   FLOPs   bytes
------  -----  --------------------  --------  ------  ------  ------
image   input  -                     10×3×4×4       0       0   3,840
kernel  param  -                     3×8×2×2       96       0     768
bias    param  -                     1×8×1×1        8       0      64
padded  pad    image                 10×3×8×8       0       0  15,360
conv    conv   padded, kernel, bias  10×8×4×4       0  32,000  10,240
pooled  pool   conv                  10×8×1×1       0     720     640
loss    l2     conv                  scalar         0   2,560       8
total                                             104  35,280  30,920
FLOPs count a multiply-add as 2, forward only; bytes are each node's output in float64.
backward from 'loss' with respect to 'image', 'kernel', 'bias'
params: 104 trained, 0 state
planned peak tensor memory: 53,440 bytes (forward and backward)
planned peak tensor memory with --forward-only: 26,432 bytes
"""

    static let dotGolden = """
digraph "seed-convnet" {
  rankdir=TB;
  node [shape=box, fontname="Helvetica"];
  edge [fontname="Helvetica", fontsize=10];
  "image" [label="image\\ninput 10×3×4×4", style=rounded];
  "kernel" [label="kernel\\nparam 3×8×2×2", style=rounded];
  "bias" [label="bias\\nparam 1×8×1×1", style=rounded];
  "padded" [label="padded\\npad 10×3×8×8"];
  "conv" [label="conv\\nconv 10×8×4×4"];
  "pooled" [label="pooled\\npool 10×8×1×1"];
  "loss" [label="loss\\nl2 scalar"];
  "image" -> "padded" [label="10×3×4×4"];
  "padded" -> "conv" [label="10×3×8×8"];
  "kernel" -> "conv" [label="weight: 3×8×2×2"];
  "bias" -> "conv" [label="bias: 1×8×1×1"];
  "conv" -> "pooled" [label="10×8×4×4"];
  "conv" -> "loss" [label="10×8×4×4"];
}
"""
}
