import Foundation
import Testing

/// `check` and `run` on a graph with a `train` section (issue 13): both keep working (`run`
/// ignores `train`, but `backward.wrt` defaults to the trained params); `train` errors are
/// positioned; a `--set` path into `train` that does not exist is a usage error.
@Suite struct TrainSectionCLITests {
    /// Inputs with `init`, so `run` needs no `--input`.
    static let graph = """
        graph: tiny-train
        seed: 2
        nodes:
          image:  {op: input, shape: [4, 1, 3, 3], init: randn}
          label:  {op: input, init: {values: [[[[0]]], [[[2]]], [[[1]]], [[[1]]]]}}
          w:      {op: param, shape: [3, 1, 3, 3], init: randn}
          logits: {op: conv}
          loss:   {op: cross_entropy}
        edges:
          - image -> logits -> loss
          - w -> logits.weight
          - label -> loss.target
        backward:
          from: loss
        train:
          data: {image: x.npy, label: y.npy}
          epochs: 2
          optimizer: {adam: {lr: 0.01}}
          schedule: {cosine: {warmup: 1}}
          checkpoint: {keep: 1}

        """

    @Test func checkAndRunKeepWorking() throws {
        let path = try CLITests.temporaryFile(Self.graph)
        let check = try CLITests.convgraph(["check", path])
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.contains("backward from 'loss' with respect to 'w'\n"), "\(check.stdout)")
        // w: 3·1·3·3 = 27 elements.
        #expect(check.stdout.contains("params: 27 trained, 0 state\n"))

        let out = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("out").path
        let run = try CLITests.convgraph(["run", path, "--out", out])
        #expect(run.status == 0, "\(run.stderr)")
        // With `train`, `wrt` (and so the default `save.grads`) is the trained params only.
        #expect(FileManager.default.fileExists(atPath: out + "/grads/w.npy"))
        #expect(!FileManager.default.fileExists(atPath: out + "/grads/image.npy"))
        #expect(!FileManager.default.fileExists(atPath: out + "/checkpoints"))

        let set = try CLITests.convgraph(["check", path, "--set", "train.optimizer.adam.lr=0.5", "--set", "train.log.every=2"])
        #expect(set.status == 0, "\(set.stderr)")
    }

    @Test func trainErrorsArePositionedAndSetPathsChecked() throws {
        let path = try CLITests.temporaryFile(Self.graph.replacingOccurrences(of: "epochs: 2", with: "epochs: 0"))
        let bad = try CLITests.convgraph(["check", path])
        #expect(bad.status == 65)
        #expect(bad.stderr.hasPrefix("\(path):17:11: error: 'epochs' must be at least 1, not 0\n"), "\(bad.stderr)")

        let good = try CLITests.temporaryFile(Self.graph)
        let unknown = try CLITests.convgraph(["check", good, "--set", "train.optimizer.adam.betaz=[0.5,0.9]"])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("did you mean 'betas'?"), "\(unknown.stderr)")
        let invalid = try CLITests.convgraph(["check", good, "--set", "train.optimizer.adam.betas=[0.5,1.5]"])
        #expect(invalid.status == 65)
        #expect(invalid.stderr.contains("'betas' must be in [0, 1), not 1.5"), "\(invalid.stderr)")
    }
}
