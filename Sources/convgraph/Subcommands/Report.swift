import ArgumentParser
import ConvGraph

extension ConvGraphCommand {
    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a self-contained HTML report of a run directory.",
            discussion: """
                One HTML file with everything inline (no network, no script): the graph drawn \
                as a DAG with shapes on the edges, the manifest, each saved tensor's statistics \
                and histogram, and for a trained run the curves and the evaluation table. \
                Exit 66 for a missing RUN, 65 for a directory holding no run, 73 when FILE \
                cannot be written.
                """)

        @Argument(help: ArgumentHelp("The run directory (written by run or train).", valueName: "RUN"))
        var directory: String

        @Option(help: ArgumentHelp("Where to write the page (default RUN/report.html).", valueName: "FILE.html"))
        var out: String?

        func run() throws {
            try reportingErrors { () throws(ConvGraphError) in
                let outcome = try ReportRequest(run: directory, out: out).write()
                for warning in outcome.warnings { printError("warning: " + warning) }
                printOutput("wrote \(outcome.path)\n")
            }
        }
    }
}
