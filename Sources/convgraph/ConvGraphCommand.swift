import ArgumentParser
import ConvGraph

@main
struct ConvGraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convgraph",
        abstract: "Run convolutional dataflow graphs declared in YAML.",
        discussion: """
            A graph file declares nodes (input, param, pad, conv, pool, relu, add, concat, \
            sum, mean, l2, mse) and the edges between them. `check` validates it and prints \
            shapes and costs; `run` computes forward (and backward) and saves .npy files.

            Exit codes: 0 success, 1 gradcheck beyond tolerance, 64 bad command line, \
            65 invalid graph or tensor file, 66 missing input file, 73 output cannot be written.
            """,
        version: ConvGraphVersion.string,
        subcommands: [Run.self, Train.self, Check.self, GradCheck.self, Dot.self, Show.self, Bench.self, Ops.self,
                      Sweep.self, Compare.self, Diff.self, Report.self]
    )

    /// SIGINT/SIGTERM are watched from the first moment, before the arguments are parsed
    /// (every command exits 130/143; `run` also removes its unfinished run directory).
    static func main() {
        Interruption.install()
        main(nil)
    }

    func run() throws {
        // No subcommand: usage on stderr, exit 64 (SPEC §8).
        printError(ConvGraphCommand.helpMessage())
        throw ExitCode(64)
    }
}
