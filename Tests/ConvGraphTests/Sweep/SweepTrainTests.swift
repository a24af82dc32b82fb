import Foundation
import Testing
@testable import ConvGraph

/// Sweeps of a training (SPEC §11.2): `--jobs 1` and `--jobs 2` give the same bytes, an
/// interrupted training resumes from its checkpoint, a checkpoint of another training is
/// replaced, and a complete training is skipped.
@Suite struct SweepTrainTests {
    static func plan(_ dir: String) throws -> SweepPlan {
        try SweepPlan(graphPath: dir + "/fit.yaml", grids: [SweepGrid(parsing: "train.optimizer.sgd.lr=[0.05, 0.1, 0.2]")], sets: ["train.shuffle=true"])
    }

    /// Every run equals `train` with the same overrides; --jobs 2 (one thread each) gives
    /// the bytes of --jobs 1 (two threads for one run).
    @Test func jobsDoNotChangeTheBytes() throws {
        let dir = try TrainerTests.fixture(train: TrainerTests.resumable)
        let plan = try Self.plan(dir)
        var one = try Sweep(plan: plan, out: dir + "/one")
        one.jobs = 1
        one.cores = 2
        var two = try Sweep(plan: plan, out: dir + "/two")
        two.jobs = 2
        two.cores = 2
        #expect(one.parallelism.threads == 2 && two.parallelism.threads == 1)
        #expect(try one.run().succeeded)
        let outcome = try two.run()
        #expect(outcome.succeeded)
        #expect(outcome.reports.allSatisfy { $0.loss?.isFinite == true })
        for i in 0..<3 {
            #expect(try TrainerTests.comparable(dir + "/one/000\(i)") == TrainerTests.comparable(dir + "/two/000\(i)"), "run \(i)")
        }
        // The reference: `train` with the same overrides.
        let lr = ["0.05", "0.1", "0.2"]
        for i in 0..<3 {
            _ = try Trainer(graphAt: dir + "/fit.yaml", overrides: ["train.shuffle=true", "train.optimizer.sgd.lr=\(lr[i])"], parallelism: .serial)
                .run(out: dir + "/ref-\(i)")
            #expect(try TrainerTests.comparable(dir + "/one/000\(i)") == TrainerTests.comparable(dir + "/ref-\(i)"), "run \(i)")
        }
        #expect(try TrainerTests.comparable(dir + "/one/0000") != TrainerTests.comparable(dir + "/one/0001"))
        // The manifests agree but for timings and memory.
        for i in 0..<3 {
            let a = try JSONParser.parse(Array(Data(contentsOf: URL(fileURLWithPath: dir + "/one/000\(i)/manifest.json"))))
            let b = try JSONParser.parse(Array(Data(contentsOf: URL(fileURLWithPath: dir + "/two/000\(i)/manifest.json"))))
            for key in ["config", "overrides", "inputs", "tensors", "graph_sha256"] {
                #expect(a.sweepField(key) == b.sweepField(key), "\(key)")
            }
            #expect(a.sweepField("train")?.sweepField("train_loss") == b.sweepField("train")?.sweepField("train_loss"))
        }
    }

    /// A run directory as an interrupted training leaves it (a checkpoint, metrics past
    /// it, no manifest) resumes and ends as the uninterrupted run; one holding another
    /// run's checkpoint is replaced; a complete training is skipped.
    @Test func interruptedTrainingsResume() throws {
        let dir = try TrainerTests.fixture(train: TrainerTests.resumable)
        let plan = try Self.plan(dir)
        _ = try Sweep(plan: plan, out: dir + "/whole").run()
        let fm = FileManager.default
        try fm.createDirectory(atPath: dir + "/cut/0000/checkpoints", withIntermediateDirectories: true)
        try fm.copyItem(atPath: dir + "/whole/0000/checkpoints/epoch-0001", toPath: dir + "/cut/0000/checkpoints/epoch-0001")
        try fm.copyItem(atPath: dir + "/whole/0000/metrics.jsonl", toPath: dir + "/cut/0000/metrics.jsonl")
        // 0001 holds run 0002's checkpoint: another training (lr differs).
        try fm.createDirectory(atPath: dir + "/cut/0001/checkpoints", withIntermediateDirectories: true)
        try fm.copyItem(atPath: dir + "/whole/0002/checkpoints/epoch-0002", toPath: dir + "/cut/0001/checkpoints/epoch-0002")
        try fm.copyItem(atPath: dir + "/whole/0002", toPath: dir + "/cut/0002")
        let outcome = try Sweep(plan: plan, out: dir + "/cut").run()
        #expect(outcome.succeeded)
        #expect(outcome.reports.map(\.action) == [.resumed, .replaced, .skipped])
        for i in 0..<3 {
            #expect(try TrainerTests.comparable(dir + "/cut/000\(i)") == TrainerTests.comparable(dir + "/whole/000\(i)"), "run \(i)")
        }
        // The skipped run reports the loss its manifest records.
        let manifest = try JSONParser.parse(Array(Data(contentsOf: URL(fileURLWithPath: dir + "/whole/0002/manifest.json"))))
        #expect(outcome.reports[2].loss == manifest.sweepField("train")?.sweepField("train_loss")?.sweepDouble)
        #expect(outcome.reports[2].loss != nil)

        // A changed data file is another run: made again.
        try Data(NPY.encode(Tensor(shape: [5], scalars: [1.0, 2, -1, 0.5, 3.5]))).write(to: URL(fileURLWithPath: dir + "/x.npy"))
        let changed = try Sweep(plan: plan, out: dir + "/cut").run()
        #expect(changed.reports.map(\.action) == [.ran, .ran, .ran])
    }
}
