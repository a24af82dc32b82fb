import Testing
@testable import ConvGraph
#if canImport(Glibc)
import Glibc
#endif

/// SIGINT or SIGTERM during `convgraph run` (issue 6): exit 130 / 143, no temporary
/// directory left beside `--out`, and an earlier run there byte-identical, or (when the
/// signal comes after the swap) the new run complete.
@Suite(.serialized) struct InterruptionTests {
    /// A 3×3 conv with 32 filters, forward and backward, on `batch`×16×64×64: about a second
    /// in a debug build at batch 32. Each retry makes the batch bigger.
    static func bigGraph(batch: Int) -> String {
        """
        # big enough to be interrupted mid-run
        seed: 1
        nodes:
          x:    {op: input, shape: [\(batch), 16, 64, 64], init: randn}
          w:    {op: param, shape: [32, 16, 3, 3], init: randn}
          conv: {op: conv, padding: 1}
          loss: {op: l2}
        edges:
          - x -> conv -> loss
          - w -> conv.weight
        backward: {from: loss}
        save: {values: [conv, loss]}

        """
    }

    /// Every file under `directory` (relative path → bytes), for byte-for-byte comparisons.
    static func snapshot(_ directory: String) throws -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        var stack = [""]
        while let relative = stack.popLast() {
            let path = relative.isEmpty ? directory : directory + "/" + relative
            var st = stat()
            guard lstat(path, &st) == 0 else { continue }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                files[relative + "/"] = []
                for name in RunDirectory.listDirectory(path) ?? [] { stack.append(relative.isEmpty ? name : relative + "/" + name) }
            } else {
                files[relative] = try readRegularFile(atPath: path, maxBytes: 1 << 30)
            }
        }
        return files
    }

    /// Writes an earlier run (the seed graph) at `out` with the library.
    static func earlierRun(at out: String) throws {
        var request = RunRequest(graphPath: CLIProcess.root + "/Graphs/seed.yaml")
        request.out = out
        _ = try request.perform()
    }

    /// Runs `convgraph run big.yaml --out OUT` in `directory` on ever bigger graphs until one
    /// is still computing when `signal` comes: it is sent once the child has used 0.2 s of
    /// CPU (past start-up and loading). `prepare` sets the directory up before each try.
    /// Returns nil when every run finished before the signal (nothing was tested).
    static func interruptedRun(signal: Int32, in directory: String, out: String,
                               prepare: () throws -> Void) throws -> CLIProcess.Outcome? {
        // Batch 8 now finishes within 0.2 s of CPU (the signal then lands in the process's
        // exit, under a sanitizer in its leak check), so start at 32.
        for batch in [32, 128, 256] {
            try prepare()
            let graph = directory + "/big.yaml"
            try Array(bigGraph(batch: batch).utf8).write(to: graph)
            defer { unlink(graph) }
            let child = try CLIProcess.start(["run", "big.yaml", "--out", out], in: directory)
            while let cpu = child.cpuSeconds, cpu < 0.2, CLIProcess.now() - child.started < 30 { usleep(5_000) }
            kill(child.pid, signal)
            let outcome = child.wait(timeout: 60)
            if outcome.status != 0 { return outcome }
            // It finished first (faster kernels): try a bigger graph.
        }
        return nil
    }

    @Test(arguments: [SIGINT, SIGTERM])
    func signalKeepsTheEarlierRun(_ signal: Int32) throws {
        let tmp = try CLIProcess.makeTemporaryDirectory("convgraph-interrupt")
        defer { RunDirectory.removeTree(tmp) }
        let out = tmp + "/run"
        var before: [String: [UInt8]] = [:]
        let interrupted = try Self.interruptedRun(signal: signal, in: tmp, out: "run") {
            RunDirectory.removeTree(out)
            try Self.earlierRun(at: out)
            before = try Self.snapshot(out)
        }
        let outcome = try #require(interrupted, "convgraph run finished before the signal even on the biggest graph; make it bigger")
        #expect(outcome.status == 128 + signal, "convgraph run ended with \(outcome.summary); stderr: \(outcome.stderr)")
        #expect(outcome.stderr.contains("error: interrupted by \(signal == SIGINT ? "SIGINT" : "SIGTERM")"))
        #expect(RunDirectory.listDirectory(tmp) == ["run"], "left beside the run: \(RunDirectory.listDirectory(tmp) ?? [])")
        #expect(try Self.snapshot(out) == before, "the earlier run changed")
    }

    @Test func signalLeavesNoNewFolders() throws {
        let tmp = try CLIProcess.makeTemporaryDirectory("convgraph-interrupt")
        defer { RunDirectory.removeTree(tmp) }
        let interrupted = try Self.interruptedRun(signal: SIGINT, in: tmp, out: "runs/deep/big") {
            RunDirectory.removeTree(tmp + "/runs")
        }
        let outcome = try #require(interrupted, "convgraph run finished before the signal even on the biggest graph; make it bigger")
        #expect(outcome.status == 130, "convgraph run ended with \(outcome.summary); stderr: \(outcome.stderr)")
        #expect(RunDirectory.listDirectory(tmp) == [], "left behind: \(RunDirectory.listDirectory(tmp) ?? [])")
    }

    /// The states the signal watcher can see are the ones between two steps of
    /// `RunDirectory.write` (each step holds its lock). At each, do what the watcher does
    /// (remove what is registered, stop): the earlier run is intact, or the new one is
    /// complete after the last step; nothing else is left.
    @Test func everyStepLeavesTheOldRunOrTheNewOne() throws {
        let files: [(String, [UInt8])] = [("values/a.npy", [1, 2, 3]), ("values/b.npy", [4]), ("grads/a.npy", [5, 6])]
        let steps = files.count + 3  // the temporary directory, each file, the manifest, the swap
        for existing in [true, false] {
            for stop in 0..<steps {
                let tmp = try CLIProcess.makeTemporaryDirectory("convgraph-steps")
                defer { RunDirectory.removeTree(tmp) }
                let out = existing ? tmp + "/run" : tmp + "/new/parents/run"
                if existing { try RunDirectory.write(to: out, files: [("values/old.npy", [9, 9])], manifest: Array("{}".utf8)) }
                let before = try Self.snapshot(tmp)
                var stopped = false
                do {
                    try RunDirectory.write(to: out, files: files, manifest: Array("{\"new\": 1}".utf8)) { pending, step throws(ConvGraphError) in
                        guard step == stop else { return }
                        pending.discard()
                        stopped = true
                        throw ConvGraphError(.interrupted(signal: SIGINT), Diagnostic("stopped after step \(step)", file: nil))
                    }
                } catch {
                    #expect(error.kind == .interrupted(signal: SIGINT))
                }
                #expect(stopped, "step \(stop) never ran")
                if stop == steps - 1 {
                    #expect(try Self.snapshot(out + "/values").keys.sorted() == ["/", "a.npy", "b.npy"])
                    #expect(try readRegularFile(atPath: out + "/manifest.json", maxBytes: 100) == Array("{\"new\": 1}".utf8))
                    #expect(RunDirectory.listDirectory(existing ? tmp : tmp + "/new/parents") == ["run"])
                } else {
                    #expect(try Self.snapshot(tmp) == before, "existing: \(existing), stopped after step \(stop)")
                }
            }
        }
    }
}
