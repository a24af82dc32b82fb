import ArgumentParser
import ConvGraph

extension ConvGraphCommand {
    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train a graph's params from its train section.",
            discussion: """
                Writes the run directory (default runs/<graph>) as training goes: metrics.jsonl, \
                checkpoints/epoch-EEEE/ every checkpoint.every epochs (the newest checkpoint.keep \
                kept), then params/<node>.npy, params.safetensors, curves.svg and manifest.json \
                (last). Each evaluation prints one line. SIGINT/SIGTERM stop at once (exit \
                130/143) leaving only complete checkpoints; --resume continues from the newest.
                """)

        @OptionGroup var options: GraphOptions
        @OptionGroup var threads: ThreadOptions

        @Option(help: ArgumentHelp("The run directory (default runs/<graph>).", valueName: "DIR"))
        var out: String?

        @Flag(help: "Continue the training in --out from its newest checkpoint (exit 0 if it has finished).")
        var resume = false

        func run() throws {
            Interruption.install()
            try reportingErrors { () throws(ConvGraphError) in
                let trainer = try Trainer(graphAt: options.graph, overrides: options.overrides, limits: options.limits.resolved,
                                          parallelism: threads.parallelism)
                let progress = TrainingProgressLine()
                trainer.onStep = { step in
                    progress.draw(TrainingReport.progressLine(step))
                    return .continue
                }
                trainer.onEvaluation = { record, trainLoss in
                    progress.finish()
                    printOutput(TrainingReport.evaluationLine(record, totalEpochs: trainer.totalEpochs, trainLoss: trainLoss) + "\n")
                }
                defer { progress.finish() }
                let outcome = try trainer.run(out: out ?? trainer.defaultDirectory, resume: resume)
                progress.finish()
                printError(TrainingReport.summaryLine(outcome))
            }
        }
    }
}
