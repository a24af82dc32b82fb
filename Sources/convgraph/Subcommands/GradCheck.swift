import ArgumentParser
import ConvGraph

extension ConvGraphCommand {
    struct GradCheck: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "gradcheck",
            abstract: "Compare backward with central finite differences in float64 for every wrt leaf.",
            discussion: """
                Prints per leaf the worst element: index, analytic a, numeric n and \
                error = |a−n| / max(|a|, |n|, 1e-3 · the leaf's largest |a|). Entries whose \
                perturbation crosses a kink (a max-pool tie changes, a relu input changes sign) \
                are skipped and counted. Exits 1 when an error exceeds --tol. Without a wrt \
                list, leaves that reach from only as a cross_entropy index target are left out.
                """)

        @OptionGroup var options: GraphOptions
        @OptionGroup var threads: ThreadOptions
        @OptionGroup var feeds: FeedOptions

        @Option(parsing: .unconditional, help: "Finite-difference step.")
        var eps = 1e-4

        @Option(parsing: .unconditional, help: "Largest accepted error.")
        var tol = 1e-6

        @Option(parsing: .unconditional, help: "Entries checked per leaf (an evenly spaced sample of larger leaves).")
        var samples = 256

        func validate() throws {
            guard eps.isFinite, eps > 0 else { throw ValidationError(outOfRange("--eps", "finite and > 0", eps)) }
            guard tol.isFinite, tol > 0 else { throw ValidationError(outOfRange("--tol", "finite and > 0", tol)) }
            guard samples >= 2 else { throw ValidationError(outOfRange("--samples", "an integer ≥ 2", samples)) }
        }

        func run() throws {
            var passed = true
            try reportingErrors { () throws(ConvGraphError) in
                let loaded = try feeds.feeds.load(graphPath: options.graph, overrides: options.overrides,
                                                  limits: options.limits.resolved, checking: .gradcheck)
                var check = ConvGraph.GradCheck()
                check.mode = feeds.feeds.mode
                check.eps = eps
                check.tolerance = tol
                check.maxSamples = samples
                check.parallelism = threads.parallelism
                check.limits = options.limits.resolved
                let (text, ok) = check.table(try check.check(loaded))
                printOutput(text)
                passed = ok
            }
            if !passed { throw ExitCode(1) }
        }
    }
}
