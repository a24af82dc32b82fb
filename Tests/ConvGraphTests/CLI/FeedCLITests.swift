import Foundation
import Testing

@testable import ConvGraph

/// `--input`, `--params` and `--eval` on `run`, `gradcheck` and `bench` (SPEC §6–8), through
/// the built binary: exit codes, positions and messages, draws still consumed, the manifest.
@Suite struct FeedCLITests {
    /// A conv net with a batch of 2, two params and a loss; `N` replaces the batch.
    static func graph(batch: Int = 2, dtype: String = "float64") -> String {
        """
        graph: feeds
        seed: 5
        dtype: \(dtype)
        nodes:
          x:    {op: input, shape: [\(batch), 2, 4, 4], init: randn}
          w1:   {op: param, shape: [3, 2, 3, 3], init: randn}
          w2:   {op: param, shape: [1, 3, 1, 1], init: {uniform: {low: -1, high: 1}}}
          c1:   {op: conv}
          c2:   {op: conv}
          loss: {op: mean}
        edges:
          - x -> c1 -> c2 -> loss
          - w1 -> c1.weight
          - w2 -> c2.weight
        backward: {from: loss}
        save: {values: [w1, w2, c2, loss]}
        """
    }

    /// A fresh folder holding `graph.yaml` and whatever `files` names (path → bytes).
    static func folder(_ yaml: String, _ files: [String: [UInt8]] = [:]) throws -> String {
        let dir = (try CLITests.temporaryFile(yaml) as NSString).deletingLastPathComponent
        for (path, bytes) in files {
            let url = URL(fileURLWithPath: dir + "/" + path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        }
        return dir
    }

    static func npy(_ dims: [Int], _ value: (Int) -> Double) -> [UInt8] {
        NPY.encode(Tensor(shape: Shape(dims), scalars: (0..<Shape(dims).count).map(value)))
    }

    static func read(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }

    static func manifest(_ run: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run + "/manifest.json"))) as? [String: Any] ?? [:]
    }

    @Test func aDifferentNRunsTheGraphWithThatN() throws {
        let x5 = Self.npy([5, 2, 4, 4]) { Double($0 % 7) - 3 }
        let dir = try Self.folder(Self.graph(), ["x5.npy": x5, "five.yaml": Array(Self.graph(batch: 5).utf8)])
        let fed = try CLITests.convgraph(["run", dir + "/graph.yaml", "--out", dir + "/fed", "--input", "x=\(dir)/x5.npy"])
        #expect(fed.status == 0, "\(fed.stderr)")
        let five = try CLITests.convgraph(["run", dir + "/five.yaml", "--out", dir + "/five", "--input", "x=\(dir)/x5.npy"])
        #expect(five.status == 0, "\(five.stderr)")
        for file in ["values/c2.npy", "values/loss.npy", "values/w1.npy", "grads/w1.npy", "grads/w2.npy"] {
            #expect(try Self.read("\(dir)/fed/\(file)") == Self.read("\(dir)/five/\(file)"), "\(file)")
        }
        #expect(fed.stdout.contains("5×1×2×2"))
        let inputs = try Self.manifest(dir + "/fed")["inputs"] as? [String: [String: String]]
        #expect(inputs?["x"]?["sha256"] == SHA256.hex(x5))
    }

    @Test func fedInputsMustAgreeOnN() throws {
        // Two inputs feeding one graph: N = 5 and N = 4.
        let two = """
            graph: two
            nodes:
              a: {op: input, shape: [2, 1, 2, 2]}
              b: {op: input, shape: [2, 1, 2, 2]}
              s: {op: add}
            edges: [a -> s, b -> s]
            """
        let dir = try Self.folder(two, ["a.npy": Self.npy([5, 1, 2, 2]) { Double($0) }, "b.npy": Self.npy([4, 1, 2, 2]) { Double($0) }])
        let r = try CLITests.convgraph(["run", dir + "/graph.yaml", "--out", dir + "/r", "--input", "a=\(dir)/a.npy", "--input", "b=\(dir)/b.npy"])
        #expect(r.status == 65)
        #expect(r.stderr == """
            \(dir)/b.npy: error: has N = 4 (shape [4, 1, 2, 2]), but '\(dir)/a.npy' fed to 'a' has N = 5
            note: an --input whose first dimension differs from the node's runs the graph with that N; every fed input must then agree

            """)
        #expect(!FileManager.default.fileExists(atPath: dir + "/r"))
        try Data(Self.npy([5, 3, 2, 2]) { Double($0) }).write(to: URL(fileURLWithPath: dir + "/c.npy"))
        let wrongC = try CLITests.convgraph(["run", dir + "/graph.yaml", "--out", dir + "/r", "--input", "a=\(dir)/a.npy",
                                             "--input", "b=\(dir)/c.npy"])
        #expect(wrongC.status == 65)
        #expect(wrongC.stderr == """
            \(dir)/c.npy: error: has shape [5, 3, 2, 2], but input 'b' has shape [2, 1, 2, 2]
            note: an array fills a node when its shape, padded with 1s on the right, equals the node's; only the first dimension N may differ

            """)
    }

    @Test func integerArraysFillWithTrailingOnes() throws {
        let yaml = """
            graph: labels
            dtype: float32
            nodes:
              y: {op: input, shape: [5, 1, 1, 1]}
              s: {op: sum}
            edges: [y -> s]
            save: {values: [y, s]}
            """
        let labels = try npyFixture("int/i4_labels_5.npy")
        let big = try npyFixture("int/i4_past_2p24.npy")
        let dir = try Self.folder(yaml, ["labels.npy": labels, "big.npy": big])
        let r = try CLITests.convgraph(["run", dir + "/graph.yaml", "--out", dir + "/r", "--input", "y=\(dir)/labels.npy"])
        #expect(r.status == 0, "\(r.stderr)")
        let y = try NPY.decode(Self.read(dir + "/r/values/y.npy"), as: Float.self)
        #expect(y.shape == [5, 1, 1, 1])
        #expect(y.scalars == [0, 2, 1, 1, 0])
        // The same file with its N changed: an [N] array is [N, 1, 1, 1].
        let bigRun = try CLITests.convgraph(["run", dir + "/graph.yaml", "--out", dir + "/b", "--input", "y=\(dir)/big.npy"])
        #expect(bigRun.status == 65)
        #expect(bigRun.stderr == "\(dir)/big.npy: error: the value 16777218 at index [1, 0] exceeds 2^24 in magnitude, past the whole numbers a float32 graph holds exactly\n")
        // A {file:} in the graph is held to float32 too, and an [N] file fills an input.
        let fileGraph = try Self.folder("""
            graph: f
            dtype: float32
            nodes:
              y: {op: input, init: {file: labels.npy}}
              z: {op: input, init: {file: big.npy}}
            """, ["labels.npy": labels, "big.npy": big])
        let check = try CLITests.convgraph(["check", fileGraph + "/graph.yaml"])
        #expect(check.status == 65)
        #expect(check.stderr.contains("\(fileGraph)/big.npy: error: the value 16777218 at index [1, 0] exceeds 2^24"))
        #expect(!check.stderr.contains("labels.npy"))
        let show = try CLITests.convgraph(["show", dir + "/labels.npy"])
        #expect(show.status == 0)
        #expect(show.stdout.contains("shape [5], int32, 5 elements"))
    }

    @Test func paramsStartFromFilesAndStillConsumeDraws() throws {
        let ones = Self.npy([3, 2, 3, 3]) { _ in 1 }
        let dir = try Self.folder(Self.graph(), ["trained/params/w1.npy": ones, "trained/params/gone.npy": Self.npy([2]) { _ in 0 }])
        let plain = try CLITests.convgraph(["run", dir + "/graph.yaml", "--out", dir + "/plain"])
        #expect(plain.status == 0)
        let loaded = try CLITests.convgraph(["run", dir + "/graph.yaml", "--out", dir + "/loaded", "--params", dir + "/trained", "--eval"])
        #expect(loaded.status == 0, "\(loaded.stderr)")
        #expect(try Self.read(dir + "/loaded/values/w1.npy") == ones)
        // w2 draws after w1: loading w1 from a file leaves it identical.
        #expect(try Self.read(dir + "/loaded/values/w2.npy") == Self.read(dir + "/plain/values/w2.npy"))
        let m = try Self.manifest(dir + "/loaded")
        #expect(m["mode"] as? String == "eval")
        let params = m["params"] as? [String: Any]
        #expect(params?["dir"] as? String == dir + "/trained")
        #expect(params?["files"] as? [String: [String: String]] == ["w1": ["file": dir + "/trained/params/w1.npy", "sha256": SHA256.hex(ones)]])
        let p = try Self.manifest(dir + "/plain")
        #expect(p["mode"] as? String == "train")
        #expect(p["params"] is NSNull)
    }

    @Test func paramsErrors() throws {
        let dir = try Self.folder(Self.graph(), ["bad/params/w2.npy": Self.npy([3]) { _ in 0 }, "noparams/x.txt": [1]])
        let shape = try CLITests.convgraph(["run", dir + "/graph.yaml", "--out", dir + "/r", "--params", dir + "/bad"])
        #expect(shape.status == 65)
        #expect(shape.stderr == "\(dir)/bad/params/w2.npy: error: has shape [3], but param 'w2' has shape [1, 3, 1, 1]\n")
        let missing = try CLITests.convgraph(["run", dir + "/graph.yaml", "--out", dir + "/r", "--params", dir + "/noparams"])
        #expect(missing.status == 66)
        #expect(missing.stderr.hasPrefix("\(dir)/noparams/params: error: no params folder: --params reads DIR/params/<node>.npy\n"))
        let safetensors = try CLITests.convgraph(["run", dir + "/graph.yaml", "--out", dir + "/r", "--params", dir + "/w.safetensors"])
        #expect(safetensors.status == 66)  // a missing file; SafetensorsTests has the rest
        #expect(!FileManager.default.fileExists(atPath: dir + "/r"))
        // An earlier run given both as --params and --out is left untouched.
        #expect(try CLITests.convgraph(["run", dir + "/graph.yaml", "--out", dir + "/prev"]).status == 0)
        try FileManager.default.createDirectory(atPath: dir + "/prev/params", withIntermediateDirectories: true)
        let before = try Self.read(dir + "/prev/manifest.json")
        let same = try CLITests.convgraph(["run", dir + "/graph.yaml", "--out", dir + "/prev/", "--params", dir + "/prev"])
        #expect(same.status == 73)
        #expect(same.stderr == "\(dir)/prev/: error: is the directory --params reads; refusing to replace it\nnote: write the new run elsewhere with --out DIR\n")
        #expect(try Self.read(dir + "/prev/manifest.json") == before)
        let param = try CLITests.convgraph(["run", dir + "/graph.yaml", "--out", dir + "/r", "--input", "w1=\(dir)/bad/params/w2.npy"])
        #expect(param.status == 64)
        #expect(param.stderr.hasPrefix("error: --input names 'w1', a param node; only input nodes can be fed\n"))
    }

    @Test func gradcheckAndBenchTakeTheFeeds() throws {
        let dir = try Self.folder(Self.graph(), ["trained/params/w1.npy": Self.npy([3, 2, 3, 3]) { Double($0 % 5) / 4 },
                                                 "x3.npy": Self.npy([3, 2, 4, 4]) { Double($0 % 3) }])
        let g = try CLITests.convgraph(["gradcheck", dir + "/graph.yaml", "--params", dir + "/trained", "--input", "x=\(dir)/x3.npy", "--eval", "--samples", "4"])
        #expect(g.status == 0, "\(g.stderr)")
        #expect(g.stdout.contains("w1 "))
        let b = try CLITests.convgraph(["bench", dir + "/graph.yaml", "--params", dir + "/trained", "--input", "x=\(dir)/x3.npy", "--eval", "--repeat", "1", "--json"])
        #expect(b.status == 0, "\(b.stderr)")
        #expect(b.stdout.contains("\"mode\": \"eval\""))
        let missing = try CLITests.convgraph(["bench", dir + "/graph.yaml", "--params", dir + "/none", "--repeat", "1"])
        #expect(missing.status == 66)
    }

    @Test func malformedFeedsAreUsageErrors() throws {
        for command in ["run", "gradcheck", "bench"] {
            let r = try CLITests.convgraph([command, "Graphs/seed.yaml", "--input", "image"])
            #expect(r.status == 64, "\(command)")
            #expect(r.stderr.hasPrefix("Error: --input takes NODE=FILE.npy, not 'image'\n"), "\(command): \(r.stderr)")
        }
    }

    @Test func unfedInputNamesTheFlag() throws {
        let dir = try Self.folder("graph: u\nnodes:\n  x: {op: input, shape: [1, 1, 2, 2]}\n  s: {op: sum}\nedges: [x -> s]\n")
        let r = try CLITests.convgraph(["run", dir + "/graph.yaml", "--out", dir + "/r"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("note: feed it with --input x=FILE.npy, or give it an init"))
    }
}
