import ArgumentParser
import ConvGraph

extension ConvGraphCommand {
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a .npy tensor's shape, dtype, statistics and leading values.")

        @Argument(help: "The .npy file.")
        var file: String

        @Option(parsing: .unconditional, help: "How many leading values to print.")
        var count = 8

        func validate() throws {
            if count < 0 { throw ValidationError(outOfRange("--count", "an integer ≥ 0", count)) }
        }

        func run() throws {
            try reportingErrors { () throws(ConvGraphError) in
                printOutput(try TensorSummary.describe(file: file, leading: count))
            }
        }
    }
}
