import ArgumentParser
import ConvGraph

extension ConvGraphCommand {
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a graph forward (and backward if it declares one) and save the results.",
            discussion: """
                Writes the run directory (default runs/<graph>): values/<node>.npy, grads/<node>.npy \
                and manifest.json (written last). The directory appears only once the run is \
                complete; an earlier run at the same path is replaced then. --out may not be \
                the directory --params reads.
                """)

        @OptionGroup var options: GraphOptions
        @OptionGroup var threads: ThreadOptions
        @OptionGroup var feeds: FeedOptions

        @Option(help: ArgumentHelp("The run directory (default runs/<graph>).", valueName: "DIR"))
        var out: String?

        @Flag(help: "Run forward only; nothing is saved under grads/.")
        var forwardOnly = false

        func run() throws {
            // SIGINT/SIGTERM: remove the unfinished run, exit 130/143 (before any thread starts).
            Interruption.install()
            try reportingErrors { () throws(ConvGraphError) in
                var request = RunRequest(graphPath: options.graph)
                request.overrides = options.overrides
                request.limits = options.limits.resolved
                request.forwardOnly = forwardOnly
                request.out = out
                request.parallelism = threads.parallelism
                let progress = ProgressLine()
                request.progress = progress.callback
                defer { progress.finish() }
                let feeds = feeds.feeds
                request.inputs = feeds.inputs
                request.paramsDirectory = feeds.paramsDirectory
                request.mode = feeds.mode
                let outcome = try request.perform()
                printOutput(outcome.table)
                printError("wrote \(outcome.directory)")
            }
        }
    }
}
