import Foundation
import Testing
@testable import ConvGraph
#if canImport(Glibc)
import Glibc
#endif

/// `convgraph train` through the built binary: SIGTERM mid-training leaves only complete
/// checkpoints and no manifest, and `--resume` then ends with the uninterrupted bytes.
@Suite(.serialized) struct TrainCLITests {
    static let train = """
        data: {x: x.npy, y: y.npy}
        epochs: 3
        optimizer: {adam: {lr: 0.001}}
        eval: {data: {x: x.npy, y: y.npy}}
        checkpoint: {every: 1, keep: 3}
        log: {every: 50}
        """

    /// A regression data set of `samples` pairs (big enough to take a while).
    static func fixture(samples: Int) throws -> String {
        let xs = (0..<samples).map { Double($0 % 97) / 97 - 0.5 }
        let ys = xs.map { 3 * $0 + 0.25 }
        return try TrainerTests.fixture(train: train, xs: xs, ys: ys)
    }

    @Test func sigtermThenResumeEqualsTheUninterruptedRun() throws {
        guard CLIProcess.binary != nil else { return }
        for samples in [20_000, 80_000, 200_000] {
            let dir = try Self.fixture(samples: samples)
            defer { RunDirectory.removeTree(dir) }
            let child = try CLIProcess.start(["train", "fit.yaml", "--out", "cut"], in: dir)
            // Once the first checkpoint is in place, stop it.
            while access(dir + "/cut/checkpoints/epoch-0001/state.json", F_OK) != 0, CLIProcess.now() - child.started < 60 { usleep(2_000) }
            kill(child.pid, SIGTERM)
            let outcome = child.wait(timeout: 60)
            guard outcome.status == 143 else {
                #expect(outcome.status == 0, "train ended with \(outcome.summary): \(outcome.stderr)")
                continue  // it finished first: more samples
            }
            #expect(access(dir + "/cut/manifest.json", F_OK) != 0)
            let names = RunDirectory.listDirectory(dir + "/cut/checkpoints") ?? []
            #expect(names.allSatisfy { Checkpoint.epochs(ofName: $0) != nil }, "half-written: \(names)")
            #expect(RunDirectory.listDirectory(dir)?.filter { $0.hasPrefix(".") } == [])

            let resumed = try CLIProcess.run(["train", "fit.yaml", "--out", "cut", "--resume"], in: dir, timeout: 120)
            #expect(resumed.status == 0, "\(resumed.stderr)")
            let whole = try CLIProcess.run(["train", "fit.yaml", "--out", "whole", "--threads", "1"], in: dir, timeout: 120)
            #expect(whole.status == 0, "\(whole.stderr)")
            #expect(whole.stdout.split(separator: "\n").count == 3, "one line per evaluation: \(whole.stdout)")
            #expect(whole.stdout.hasPrefix("epoch 1/3  loss "))
            #expect(try TrainerTests.comparable(dir + "/cut") == TrainerTests.comparable(dir + "/whole"))
            // Finished: --resume changes nothing and says so.
            let again = try CLIProcess.run(["train", "fit.yaml", "--out", "whole", "--resume"], in: dir)
            #expect(again.status == 0)
            #expect(again.stderr.contains("already finished"))
            return
        }
        Issue.record("every training finished before the signal")
    }
}
