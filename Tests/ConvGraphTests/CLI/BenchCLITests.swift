import Foundation
import Testing

/// `convgraph bench` and `--threads` through the built binary (SPEC §7–8).
@Suite struct BenchCLITests {
    @Test func benchJSONHasTheDocumentedFields() throws {
        let r = try CLITests.convgraph(["bench", "Graphs/seed.yaml", "--repeat", "3", "--threads", "2", "--json"])
        #expect(r.status == 0)
        #expect(r.stderr == "", "no progress line when stderr is not a terminal")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(object["graph"] as? String == "seed-convnet")
        #expect(object["dtype"] as? String == "float64")
        #expect(object["threads"] as? Int == 2)
        #expect(object["repeat"] as? Int == 3)
        for key in ["forward_ms", "backward_ms", "gflops"] {
            let value = try #require(object[key] as? Double, "\(key)")
            #expect(value >= 0 && value.isFinite, "\(key)")
        }
        let peak = try #require(object["peak_bytes"] as? Int)
        let planned = try #require(object["planned_peak_bytes"] as? Int)
        #expect(planned == 53_440)  // what `check` reports for the seed graph
        #expect(peak > planned)     // the process itself is resident too
        let nodes = try #require(object["nodes"] as? [[String: Any]])
        #expect(nodes.map { $0["name"] as? String } == ["padded", "conv", "pooled", "loss"])
        #expect(nodes.map { $0["op"] as? String } == ["pad", "conv", "pool", "l2"])
        for node in nodes {
            #expect((node["forward_ms"] as? Double ?? -1) >= 0)
            #expect((node["backward_ms"] as? Double ?? -1) >= 0)
            #expect(node["gflops"] is Double)
        }
        #expect(nodes.first { $0["name"] as? String == "conv" }?["flops"] as? Int == 32_000)
    }

    /// `peak_gflops` (the FMA probe) is positive and each node's `efficiency` is its gflops
    /// over it; nodes without FLOPs have none (null).
    @Test func benchJSONReportsPeakAndEfficiency() throws {
        let r = try CLITests.convgraph(["bench", "Graphs/seed.yaml", "--repeat", "2", "--threads", "2", "--json"])
        #expect(r.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let peak = try #require(object["peak_gflops"] as? Double)
        #expect(peak > 0 && peak.isFinite)
        let nodes = try #require(object["nodes"] as? [[String: Any]])
        for node in nodes {
            let flops = try #require(node["flops"] as? Int), gflops = try #require(node["gflops"] as? Double)
            if flops == 0 {
                #expect(node["efficiency"] is NSNull, "\(node)")
            } else {
                let efficiency = try #require(node["efficiency"] as? Double, "\(node)")
                #expect(abs(efficiency - gflops / peak) <= 1e-9 * max(1, efficiency), "\(node)")
            }
        }
        let table = try CLITests.convgraph(["bench", "Graphs/seed.yaml", "--repeat", "1"])
        #expect(table.stdout.split(separator: "\n").first?.hasSuffix("of peak") == true)
        #expect(table.stdout.contains("FMA peak"))
    }

    @Test func benchTable() throws {
        let r = try CLITests.convgraph(["bench", "Graphs/seed.yaml", "--repeat", "2"])
        #expect(r.status == 0)
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("node") == true)
        #expect(lines.contains { $0.hasPrefix("total") })
        #expect(r.stdout.contains("median of 2 runs after a warm-up"))
        #expect(r.stdout.contains("planned tensor peak"))
    }

    @Test func badCountsAreUsageErrors() throws {
        for args in [["bench", "Graphs/seed.yaml", "--repeat", "0"], ["bench", "Graphs/seed.yaml", "--repeat", "x"],
                     ["run", "Graphs/seed.yaml", "--threads", "0"], ["gradcheck", "Graphs/seed.yaml", "--threads", "-1"],
                     ["bench", "Graphs/seed.yaml", "--threads", "two"]] {
            let r = try CLITests.convgraph(args)
            #expect(r.status == 64, "\(args)")
            #expect(r.stdout == "", "\(args)")
        }
    }

    /// The tensor files are the same bytes for 1, 2 and 8 threads; the manifests differ only
    /// in their timings.
    @Test func runFilesAreTheSameForAnyThreadCount() throws {
        let graph = try CLITests.temporaryFile("""
            graph: threads
            seed: 3
            nodes:
              x:    {op: input, shape: [4, 5, 17, 15], init: randn}
              w:    {op: param, shape: [9, 5, 3, 3], init: randn}
              conv: {op: conv, padding: 1}
              pool: {op: pool, mode: average, window: 3, stride: 2}
              loss: {op: l2}
            edges:
              - x -> conv -> pool -> loss
              - w -> conv.weight
            backward: {from: loss}
            save: {values: [conv, pool, loss], grads: [x, w]}
            """)
        let dir = (graph as NSString).deletingLastPathComponent
        var manifests: [String] = []
        var files: [[Data]] = []
        for threads in [1, 2, 8] {
            let out = "\(dir)/run-\(threads)"
            let r = try CLITests.convgraph(["run", graph, "--threads", "\(threads)", "--out", out])
            #expect(r.status == 0, "\(r.stderr)")
            let names = ["values/conv.npy", "values/pool.npy", "values/loss.npy", "grads/x.npy", "grads/w.npy"]
            files.append(try names.map { try Data(contentsOf: URL(fileURLWithPath: "\(out)/\($0)")) })
            var manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(out)/manifest.json"))) as? [String: Any])
            #expect(manifest["timings"] != nil)
            manifest["timings"] = nil
            manifests.append(String(decoding: try JSONSerialization.data(withJSONObject: manifest, options: [.sortedKeys]), as: UTF8.self))
        }
        #expect(files[0] == files[1] && files[1] == files[2])
        #expect(manifests[0] == manifests[1] && manifests[1] == manifests[2])
    }
}

/// The progress line (issue 5): shown on a terminal once work passes a second, never
/// when stderr is a file or pipe.
@Suite struct ProgressLineTests {
    static let slowGraph: String = {
        var nodes = "  x: {op: input, shape: [8, 16, 64, 64], init: randn}\n"
        var edges = "  - x -> c0\n"
        for i in 0..<24 {
            nodes += "  w\(i): {op: param, shape: [16, 16, 3, 3], init: randn}\n  c\(i): {op: conv, padding: 1}\n"
            edges += "  - w\(i) -> c\(i).weight\n" + (i > 0 ? "  - c\(i - 1) -> c\(i)\n" : "")
        }
        return "graph: slow\nnodes:\n\(nodes)edges:\n\(edges)save: {values: [c23]}\n"
    }()

    @Test func shownOnATerminalOnly() throws {
        guard access("/usr/bin/script", X_OK) == 0, let binary = CLIProcess.binary else { return }
        let graph = try CLITests.temporaryFile(Self.slowGraph)
        let dir = (graph as NSString).deletingLastPathComponent
        // `script` gives the child a pseudo-terminal; its output (stdout and stderr) is captured.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qec", "\(binary) run \(graph) --out \(dir)/out --threads 1", "/dev/null"]
        let pipe = Pipe()
        process.standardOutput = pipe
        let start = Date()
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let seconds = Date().timeIntervalSince(start)
        #expect(process.terminationStatus == 0)
        if seconds > 1.6 {
            #expect(output.contains("forward node"), "no progress line after \(seconds) s on a terminal")
            #expect(output.contains("\r\u{1B}[K"), "the line is not erased")
        }
        // The same run with stderr on a pipe: nothing but the closing line.
        let piped = try CLITests.convgraph(["run", graph, "--out", "\(dir)/out2", "--threads", "1"])
        #expect(piped.status == 0)
        #expect(piped.stderr == "wrote \(dir)/out2\n")
    }
}
