import ArgumentParser
import ConvGraph

extension ConvGraphCommand {
    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show how two runs differ: graph, overrides, inputs, and every saved tensor.",
            discussion: """
                Per tensor in both runs: the max absolute difference and the max relative \
                difference |a−b| / max(|a|, |b|) (0/0 = 0; NaN equals NaN); then the tensors \
                in one run only. Exit 0 when every tensor is in both with the same shape and \
                dtype and |a−b| <= --tol everywhere, 1 otherwise; 66 for a missing directory, \
                65 for one that holds no run.
                """)

        @Argument(help: ArgumentHelp("The first run directory.", valueName: "RUN_A"))
        var runA: String

        @Argument(help: ArgumentHelp("The second run directory.", valueName: "RUN_B"))
        var runB: String

        @Option(parsing: .unconditional, help: "Largest accepted |a−b| (default 0: identical values).")
        var tol = 0.0

        func validate() throws {
            guard tol.isFinite, tol >= 0 else { throw ValidationError(outOfRange("--tol", "finite and ≥ 0", tol)) }
        }

        func run() throws {
            var agrees = true
            try reportingErrors { () throws(ConvGraphError) in
                let diff = try TensorDiff.compare(runA, runB, tolerance: tol)
                printOutput(diff.rendered)
                agrees = diff.agrees
            }
            if !agrees { throw ExitCode(1) }
        }
    }
}
