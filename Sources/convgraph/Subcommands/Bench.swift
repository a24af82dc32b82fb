import ArgumentParser
import ConvGraph

extension ConvGraphCommand {
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time a graph: per node and in total, forward and backward median ms, GFLOP/s and peak memory.",
            discussion: """
                Runs the graph once to warm up, then --repeat times, and prints medians of the \
                compute alone (no loading or saving). Nothing is written. --json prints one JSON \
                object instead of the table (fields in the README).
                """)

        @OptionGroup var options: GraphOptions
        @OptionGroup var threads: ThreadOptions
        @OptionGroup var feeds: FeedOptions

        @Option(name: .customLong("repeat"), parsing: .unconditional, help: ArgumentHelp("Timed runs after the warm-up.", valueName: "N"))
        var repeatCount = 10

        @Flag(help: "Print one JSON object on stdout.")
        var json = false

        func validate() throws {
            guard repeatCount >= 1 else { throw ValidationError(outOfRange("--repeat", "an integer ≥ 1", repeatCount)) }
        }

        func run() throws {
            try reportingErrors { () throws(ConvGraphError) in
                var request = BenchmarkRequest(graphPath: options.graph)
                request.overrides = options.overrides
                request.limits = options.limits.resolved
                request.repeatCount = repeatCount
                request.feeds = feeds.feeds
                request.parallelism = threads.parallelism
                let progress = ProgressLine()
                request.progress = progress.callback
                let report = try request.perform()
                progress.finish()
                printOutput(json ? report.json.serialized() + "\n" : report.table)
            }
        }
    }
}
