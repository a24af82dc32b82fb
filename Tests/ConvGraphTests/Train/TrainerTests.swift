import Foundation
import Testing
@testable import ConvGraph

/// `Trainer` and `convgraph train` (SPEC §10): the loop against a hand-computed reference,
/// the numbering of metrics and checkpoints, exact resume, determinism across threads,
/// and the run directory's rules.
@Suite struct TrainerTests {
    /// y = w·x fitted to targets by `mse`: dL/dw = (2/B)·Σ (w·x_i − y_i)·x_i.
    static func regressionGraph(train: String) -> String {
        """
        graph: fit
        seed: 3
        dtype: float64
        nodes:
          x:    {op: input, shape: [2, 1, 1, 1]}
          y:    {op: input, shape: [2, 1, 1, 1]}
          w:    {op: param, shape: [1, 1], init: {constant: 0.5}}
          pred: {op: linear}
          loss: {op: mse}
        edges:
          - x -> pred -> loss
          - w -> pred.weight
          - y -> loss.target
        backward: {from: loss}
        train:
        \(train.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))

        """
    }

    static let xs: [Double] = [1, 2, -1, 0.5, 3]
    static let ys: [Double] = [2, 3.5, -2.5, 1, 6.5]

    /// A folder with the graph and its data files.
    static func fixture(train: String, xs: [Double] = xs, ys: [Double] = ys) throws -> String {
        let dir = try CLIProcess.makeTemporaryDirectory("trainer")
        try Data(NPY.encode(Tensor(shape: [xs.count], scalars: xs))).write(to: URL(fileURLWithPath: dir + "/x.npy"))
        try Data(NPY.encode(Tensor(shape: [ys.count], scalars: ys))).write(to: URL(fileURLWithPath: dir + "/y.npy"))
        try regressionGraph(train: train).write(toFile: dir + "/fit.yaml", atomically: true, encoding: .utf8)
        return dir
    }

    /// SGD with momentum and nesterov under a cosine schedule with warmup, file order:
    /// each step's w against the closed loop of SPEC §10 in float64.
    @Test func sgdStepsMatchTheHandComputedLoop() throws {
        let dir = try Self.fixture(train: """
            data: {x: x.npy, y: y.npy}
            epochs: 3
            shuffle: false
            optimizer: {sgd: {lr: 0.1, momentum: 0.9, nesterov: true, weight_decay: 0.01}}
            schedule: {cosine: {warmup: 2, min_lr: 0.01}}
            log: {every: 1}
            """)
        let trainer = try Trainer(graphAt: dir + "/fit.yaml")
        var seen: [(Int, Double, Double)] = []
        trainer.onStep = { step in
            seen.append((step.step, step.loss, step.lr))
            return .continue
        }
        let outcome = try trainer.run(out: nil)

        // The reference: S = 5, B = 2, ⌊S/B⌋ = 2 steps per epoch (sample 4 skipped), T = 6.
        var w = 0.5, b = 0.0
        let (lr0, mu, wd, warmup, minLR, total) = (0.1, 0.9, 0.01, 2, 0.01, 6)
        for t in 0..<total {
            let batch = [(t % 2) * 2, (t % 2) * 2 + 1]
            let residuals = batch.map { w * Self.xs[$0] - Self.ys[$0] }
            let loss = residuals.map { $0 * $0 }.reduce(0, +) / 2
            var g = batch.indices.map { 2 * residuals[$0] * Self.xs[batch[$0]] }.reduce(0, +) / 2
            let lr = t < warmup ? lr0 * Double(t + 1) / Double(warmup)
                : minLR + (lr0 - minLR) * (1 + cos(Double.pi * Double(t - warmup) / Double(total - warmup))) / 2
            g += wd * w
            b = t == 0 ? g : mu * b + g
            g += mu * b
            w -= lr * g
            #expect(seen[t].0 == t + 1)
            #expect(abs(seen[t].1 - loss) <= 1e-15 * max(1, loss))
            #expect(seen[t].2 == lr)
        }
        let trained = try #require(outcome.parameters.first { $0.name == "w" }?.tensor.doubles.scalars.first)
        #expect(abs(trained - w) <= 1e-14)
        #expect(outcome.steps == 6 && outcome.epochs == 3)
    }

    /// Lines after every `log.every` steps and after the last; evaluation then checkpoint
    /// after every `every`-th epoch and the last step; `steps: T` ending mid-epoch counts
    /// the part-done epoch in the checkpoint's name.
    @Test func metricsAndCheckpointsAreNumberedAsTheSpecSays() throws {
        let dir = try Self.fixture(train: """
            data: {x: x.npy, y: y.npy}
            steps: 5
            optimizer: {adam: {lr: 0.01}}
            eval: {data: {x: x.npy, y: y.npy}, every: 2}
            checkpoint: {every: 2, keep: 5}
            log: {every: 2}
            """)
        let trainer = try Trainer(graphAt: dir + "/fit.yaml")
        _ = try trainer.run(out: dir + "/run")
        let lines = try String(contentsOfFile: dir + "/run/metrics.jsonl", encoding: .utf8).split(separator: "\n").map(String.init)
        let records = lines.compactMap { try? MetricsRecord(jsonLine: $0) }
        #expect(records.count == lines.count)
        // steps per epoch 2: epochs end after steps 2, 4 and (part-done) 5.
        let kinds = records.map { r -> String in
            switch r {
            case .train(let step, let epoch, _, _, _): "train \(step) e\(epoch)"
            case .eval(let step, let epoch, _, _): "eval \(step) e\(epoch)"
            }
        }
        #expect(kinds == ["train 2 e1", "train 4 e2", "eval 4 e2", "train 5 e3", "eval 5 e3"])
        let checkpoints = try FileManager.default.contentsOfDirectory(atPath: dir + "/run/checkpoints").sorted()
        #expect(checkpoints == ["epoch-0002", "epoch-0003"])
        for file in ["manifest.json", "curves.svg", "params.safetensors", "params/w.npy",
                     "checkpoints/epoch-0003/params/w.npy", "checkpoints/epoch-0003/optimizer/w.exp_avg.npy",
                     "checkpoints/epoch-0003/optimizer/w.exp_avg_sq.npy", "checkpoints/epoch-0003/state.json"] {
            #expect(FileManager.default.fileExists(atPath: dir + "/run/" + file), "\(file)")
        }
        // The eval loss over all 5 samples (the last batch of 1), weighted by batch size.
        guard case .eval(_, _, let evalLoss, let accuracy) = records[4] else { Issue.record("no eval"); return }
        let w = try #require(try NPY.decode(Array(Data(contentsOf: URL(fileURLWithPath: dir + "/run/params/w.npy"))), as: Double.self,
                                            maxHeaderLength: 4096, maxElements: 16).scalars.first)
        let want = zip(Self.xs, Self.ys).map { (w * $0 - $1) * (w * $0 - $1) }.reduce(0, +) / 5
        #expect(abs(evalLoss - want) <= 1e-14)
        #expect(accuracy == nil)
    }

    /// Every file but timings, for comparing two trainings.
    static func comparable(_ directory: String) throws -> [String: [UInt8]] {
        var files = try InterruptionTests.snapshot(directory)
        if let metrics = files["metrics.jsonl"] {
            let stripped = String(decoding: metrics, as: UTF8.self).split(separator: "\n").map { line in
                line.replacingOccurrences(of: #""samples_per_s": ?[^,}]*"#, with: "", options: .regularExpression)
            }.joined(separator: "\n")
            files["metrics.jsonl"] = Array(stripped.utf8)
        }
        files["manifest.json"] = nil
        return files
    }

    static let resumable = """
        data: {x: x.npy, y: y.npy}
        epochs: 3
        optimizer: {sgd: {lr: 0.05, momentum: 0.9}}
        schedule: {multistep: {milestones: [2], gamma: 0.5}}
        eval: {data: {x: x.npy, y: y.npy}}
        checkpoint: {every: 1, keep: 3}
        log: {every: 3}
        """

    /// A 3-epoch training stopped after each checkpoint it can write (its directory as an
    /// interrupted run leaves it: those checkpoints, and metrics written past them) and
    /// resumed ends with the same bytes as the uninterrupted training.
    @Test func resumingAfterEachCheckpointEqualsTheUninterruptedRun() throws {
        let dir = try Self.fixture(train: Self.resumable)
        let graph = dir + "/fit.yaml"
        _ = try Trainer(graphAt: graph).run(out: dir + "/whole")
        let whole = try Self.comparable(dir + "/whole")
        for k in 0...3 {
            let partial = dir + "/partial-\(k)"
            try FileManager.default.createDirectory(atPath: partial + "/checkpoints", withIntermediateDirectories: true)
            for e in 1...max(k, 1) where k > 0 {
                try FileManager.default.copyItem(atPath: "\(dir)/whole/checkpoints/epoch-000\(e)", toPath: "\(partial)/checkpoints/epoch-000\(e)")
            }
            try FileManager.default.copyItem(atPath: dir + "/whole/metrics.jsonl", toPath: partial + "/metrics.jsonl")
            let outcome = try Trainer(graphAt: graph).run(out: partial, resume: true)
            #expect(!outcome.alreadyFinished)
            #expect(try Self.comparable(partial) == whole, "resumed after \(k) checkpoints")
        }
        // A finished training is left as it is.
        let before = try InterruptionTests.snapshot(dir + "/whole")
        #expect(try Trainer(graphAt: graph).run(out: dir + "/whole", resume: true).alreadyFinished)
        #expect(try InterruptionTests.snapshot(dir + "/whole") == before)
    }

    /// `--resume` refuses a checkpoint of another graph, other overrides or a tampered file.
    @Test func resumeChecksTheCheckpoint() throws {
        let dir = try Self.fixture(train: Self.resumable)
        let graph = dir + "/fit.yaml"
        _ = try Trainer(graphAt: graph).run(out: dir + "/whole")
        try FileManager.default.removeItem(atPath: dir + "/whole/manifest.json")
        func refused(_ overrides: [String] = [], _ message: String) {
            do {
                _ = try Trainer(graphAt: graph, overrides: overrides).run(out: dir + "/whole", resume: true)
                Issue.record("resumed: \(message)")
            } catch {
                #expect(error.kind == .invalidInput)
                #expect(error.description.contains(message), "\(error.description)")
            }
        }
        refused(["train.optimizer.sgd.lr=0.06"], "overrides")
        let w = dir + "/whole/checkpoints/epoch-0003/params/w.npy"
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: w)))
        bytes[bytes.count - 1] ^= 1
        try Data(bytes).write(to: URL(fileURLWithPath: w))
        refused([], "sha256")
    }

    /// The same bytes with one thread and with two.
    @Test func threadCountDoesNotChangeTheBytes() throws {
        let dir = try Self.fixture(train: Self.resumable)
        let one = try Trainer(graphAt: dir + "/fit.yaml", parallelism: .serial)
        _ = try one.run(out: dir + "/one")
        let two = try Trainer(graphAt: dir + "/fit.yaml", parallelism: Parallelism(threads: 2))
        _ = try two.run(out: dir + "/two")
        #expect(try Self.comparable(dir + "/one") == Self.comparable(dir + "/two"))
    }

    /// `--out` may not name the directory of a `run` (73), and a fresh training over an
    /// earlier one replaces it only at the end.
    @Test func outMustBeATrainingDirectory() throws {
        let dir = try Self.fixture(train: Self.resumable)
        try FileManager.default.createDirectory(atPath: dir + "/ran", withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: URL(fileURLWithPath: dir + "/ran/manifest.json"))
        try FileManager.default.createDirectory(atPath: dir + "/ran/values", withIntermediateDirectories: true)
        #expect(throws: ConvGraphError.self) { _ = try Trainer(graphAt: dir + "/fit.yaml").run(out: dir + "/ran") }
        do {
            _ = try Trainer(graphAt: dir + "/fit.yaml").run(out: dir + "/ran")
        } catch {
            #expect(error.kind == .cannotCreate)
        }
        _ = try Trainer(graphAt: dir + "/fit.yaml").run(out: dir + "/again")
        _ = try Trainer(graphAt: dir + "/fit.yaml").run(out: dir + "/again")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix(".again") }
        #expect(leftovers.isEmpty)
    }

    /// Argmax with the first maximum on ties, over [N, K, H, W] logits.
    @Test func accuracyCountsFirstMaximumHits() {
        let logits = Tensor<Double>(shape: [2, 3, 1, 2], scalars: [
            1, 5,   2, 5,   0, 1,     // sample 0: position 0 → class 1; position 1 → class 0 (tie 5, 5)
            0, 0,   0, -1,  0, 3,     // sample 1: position 0 → class 0 (all equal); position 1 → class 2
        ])
        let labels = Tensor<Double>(shape: [2, 1, 1, 2], scalars: [1, 1, 0, 2])
        let (correct, positions) = Evaluation.hits(logits: logits, labels: labels)
        #expect(correct == 3 && positions == 4)
    }
}
