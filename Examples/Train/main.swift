// Training from Swift: the digits CNN of Examples/digits trained by the library's
// `Trainer`, with a per-step callback that prints progress and stops early once the
// training loss is small (from the package root: `swift run -c release train-example`).
import ConvGraph

#if canImport(Glibc)
import Glibc
#endif

do {
    // The same file `convgraph train` reads; overrides as with --set.
    let trainer = try Trainer(graphAt: "Examples/digits/digits.yaml", overrides: ["train.epochs=4"])
    var recent: [Double] = []
    trainer.onStep = { step in
        recent = (recent + [step.loss]).suffix(20)
        let mean = recent.reduce(0, +) / Double(recent.count)
        if step.step % 40 == 0 {
            print("step \(step.step)/\(step.totalSteps)  epoch \(step.epoch)  lr \(step.lr)  loss (last 20) \(mean)")
        }
        // Early stopping: the callback may end training after any step.
        return recent.count == 20 && mean < 0.02 ? .stop : .continue
    }
    trainer.onEvaluation = { record, _ in
        if case .eval(let step, let epoch, let loss, let accuracy) = record {
            print("eval after step \(step) (epoch \(epoch)): loss \(loss), accuracy \(accuracy.map { "\($0 * 100)%" } ?? "-")")
        }
    }
    // `out: nil` keeps everything in memory; pass a directory to get the run directory of
    // `convgraph train` (metrics, checkpoints, params, curves).
    let outcome = try trainer.run(out: nil)
    print("trained \(outcome.steps) steps; test accuracy \(outcome.evalAccuracy.map { "\($0 * 100)%" } ?? "-")")
    for (name, tensor) in outcome.parameters.prefix(3) {
        print("\(name): shape \(tensor.shape.bracketed), mean \(tensor.statistics.mean)")
    }
} catch {
    print(error)
    exit(1)
}
