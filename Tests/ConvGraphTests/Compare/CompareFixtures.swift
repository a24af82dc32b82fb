import Foundation
import Testing
@testable import ConvGraph

/// Run directories for the `compare` and `diff` tests: real ones made by the library (runs of
/// `Graphs/seed.yaml` with different `--set`, a short training) and hand-made ones
/// (interrupted, failed, not run, junk, crafted manifests and tensors).
enum CompareFixtures {
    /// A fresh temporary folder.
    static func temporaryDirectory() throws -> String {
        try CLIProcess.makeTemporaryDirectory("convgraph-compare")
    }

    /// `convgraph run Graphs/seed.yaml --out OUT --set …`, through the library.
    @discardableResult
    static func seedRun(out: String, overrides: [String]) throws -> RunOutcome {
        var request = RunRequest(graphPath: ET.graphPath("seed.yaml"))
        request.out = out
        request.overrides = overrides
        return try request.perform()
    }

    /// A short training (the regression graph of `TrainerTests`, 2 epochs with evaluation)
    /// into `out`; its graph and data live in a folder of their own.
    static func training(out: String, overrides: [String] = []) throws -> Trainer.Outcome {
        let dir = try TrainerTests.fixture(train: """
            data: {x: x.npy, y: y.npy}
            epochs: 2
            shuffle: false
            optimizer: {sgd: {lr: 0.05}}
            eval: {data: {x: x.npy, y: y.npy}}
            log: {every: 1}
            """)
        defer { RunDirectory.removeTree(dir) }
        return try Trainer(graphAt: dir + "/fit.yaml", overrides: overrides).run(out: out)
    }

    /// Writes `text` to `path`, creating the folders on the way.
    static func write(_ text: String, to path: String) throws {
        try write(Array(text.utf8), to: path)
    }

    /// Writes `bytes` to `path`, creating the folders on the way.
    static func write(_ bytes: [UInt8], to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
    }

    /// An interrupted training as SIGTERM leaves it: a complete checkpoint and
    /// `metrics.jsonl`, no manifest. The last train loss is 0.375, the last eval loss 0.25
    /// with accuracy 0.75 (an earlier eval and train line differ, so "last" is tested).
    static func interruptedTraining(at dir: String) throws {
        try write("{}", to: dir + "/checkpoints/epoch-0001/state.json")
        try write("""
            {"kind":"train","step":1,"epoch":1,"lr":0.1,"loss":0.5,"samples_per_s":100.0}
            {"kind":"eval","step":1,"epoch":1,"loss":0.4375,"accuracy":0.5}
            {"kind":"train","step":2,"epoch":2,"lr":0.1,"loss":0.375,"samples_per_s":100.0}
            {"kind":"eval","step":2,"epoch":2,"loss":0.25,"accuracy":0.75}

            """, to: dir + "/metrics.jsonl")
    }

    /// A folder that is not a run: a text file and an empty subfolder.
    static func junk(at dir: String) throws {
        try write("not a run\n", to: dir + "/notes.txt")
        try FileManager.default.createDirectory(atPath: dir + "/empty", withIntermediateDirectories: true)
    }

    /// The manifest at `dir/manifest.json`, parsed by Foundation (independently of the
    /// project's parser).
    static func manifest(_ dir: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/manifest.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// Every number written as `"KEY": NUMBER` (or `"KEY":NUMBER`) in `text`, in order, each
    /// read with `Double(String)` (correctly rounded; Foundation's `JSONSerialization` on
    /// Linux is not, e.g. it reads 2.3116048080027105 as 2.3116048080027114).
    static func rawNumbers(_ key: String, in text: String) throws -> [Double] {
        let regex = try NSRegularExpression(pattern: "\"\(key)\": ?(-?[0-9][0-9.eE+-]*)")
        let range = NSRange(text.startIndex..., in: text)
        return try regex.matches(in: text, range: range).map { match in
            let r = try #require(Range(match.range(at: 1), in: text))
            return try #require(Double(String(text[r])))
        }
    }

    /// The one number written as `"KEY": NUMBER` in the file at `path`.
    static func rawNumber(_ key: String, inFile path: String) throws -> Double {
        let all = try rawNumbers(key, in: String(contentsOfFile: path, encoding: .utf8))
        try #require(all.count == 1, "\(key) in \(path): \(all)")
        return all[0]
    }

    /// A number of a Foundation JSON object.
    static func number(_ value: Any?) -> Double? {
        (value as? NSNumber)?.doubleValue
    }

    /// A minimal complete run for `diff`: a manifest listing `tensors` (file → tensor), each
    /// written as `.npy`, with `extra` manifest members.
    static func craftedRun(at dir: String, tensors: [(String, AnyTensor)], overrides: [String] = [],
                           seed: Int = 1, inputs: String = "{}") throws {
        var records: [String] = []
        for (file, tensor) in tensors {
            try write(tensor.npyBytes, to: dir + "/" + file)
            records.append(#"{"name": "\#(file)", "kind": "value", "file": "\#(file)", "shape": \#(tensor.shape.dims), "dtype": "\#(tensor.dtype.rawValue)", "sha256": "x"}"#)
        }
        let sets = overrides.map { "\"\($0)\"" }.joined(separator: ", ")
        try write("""
            {"tool": "convgraph", "version": "0.1.0", "graph": "crafted", "graph_file": "crafted.yaml",
             "graph_sha256": "00", "config": {"graph": "crafted", "seed": \(seed)}, "overrides": [\(sets)],
             "inputs": \(inputs), "files": {}, "seed": \(seed), "dtype": "float64", "mode": "train", "params": null,
             "tensors": [\(records.joined(separator: ", "))],
             "timings": {"forward_ms": 1.5, "backward_ms": 0.5}}
            """, to: dir + "/manifest.json")
    }
}
