import ArgumentParser
import ConvGraph

extension ConvGraphCommand {
    struct Compare: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare runs side by side: overrides that differ, status, losses, accuracy, wall time.",
            discussion: """
                One row per run directory at or directly under each PATH; a sweep directory \
                (sweep.json) gives all its runs with the status sweep.json records (complete, \
                interrupted, failed, not run). Of the overrides, only those that differ between \
                the rows are shown. --sort takes run, status, train_loss, eval_loss, accuracy, \
                wall_ms or an override KEY (ascending; unknown values last). \
                Exit 0; 66 for a missing PATH; 65 when no run is found.
                """)

        @Argument(help: ArgumentHelp("Run directories, sweep directories, or folders of them.", valueName: "PATH"))
        var paths: [String]

        @Flag(help: "Print one JSON object instead of the table.")
        var json = false

        @Flag(help: "Print RFC 4180 CSV instead of the table.")
        var csv = false

        @Option(help: ArgumentHelp("Sort the rows by this column.", valueName: "KEY"))
        var sort: String?

        func validate() throws {
            if paths.isEmpty { throw ValidationError("give at least one PATH") }
            if json && csv { throw ValidationError("--json and --csv exclude each other") }
        }

        func run() throws {
            try reportingErrors { () throws(ConvGraphError) in
                let comparison = try Comparison(runs: try RunDiscovery.runs(at: paths), sortBy: sort)
                printOutput(json ? comparison.json.serialized() + "\n" : csv ? comparison.csv : comparison.table)
            }
        }
    }
}
