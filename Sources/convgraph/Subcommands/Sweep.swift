import ArgumentParser
import ConvGraph
#if canImport(Glibc)
import Glibc
#endif

extension ConvGraphCommand {
    struct Sweep: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a graph over the cartesian product of --grid values (SPEC §11.2).",
            discussion: """
                Each run is the graph with the --set overrides, then one value of each --grid \
                (the last grid varying fastest), run as `train` when the graph has a train \
                section and as `run` otherwise, in DIR/NNNN (default DIR runs/<graph>-sweep). \
                DIR/sweep.json lists every run's overrides, status and exit code. A complete \
                run with the same config, graph and data is skipped, an interrupted training \
                resumes from its checkpoint, anything else in a run's directory is replaced. \
                Without --shard, SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT choose the shard \
                when both are set. At most 100,000 runs. Prints one line per run; exits 0 when \
                every run succeeded, else 1.
                """)

        @OptionGroup var options: GraphOptions

        @Option(name: .customLong("grid"), help: ArgumentHelp(
            "A key and a YAML flow sequence of values, each as --set takes it, e.g. --grid 'nodes.p.window=[2, [3, 2]]'. Repeatable; at least one.",
            valueName: "KEY=VALUES"))
        var grids: [String] = []

        @Option(help: ArgumentHelp("The sweep directory (default runs/<graph>-sweep).", valueName: "DIR"))
        var out: String?

        @Option(parsing: .unconditional, help: ArgumentHelp("Runs at once, each with its share of the cores (default 1).", valueName: "J"))
        var jobs = 1

        @Option(help: ArgumentHelp("Run only the runs whose index ≡ I (mod N), 0 ≤ I < N (default: from the Slurm array variables, else 0/1).", valueName: "I/N"))
        var shard: String?

        func validate() throws {
            guard !grids.isEmpty else { throw ValidationError("sweep needs at least one --grid KEY=VALUES") }
            guard jobs >= 1 else { throw ValidationError(outOfRange("--jobs", "an integer ≥ 1", jobs)) }
        }

        func run() throws {
            Interruption.install()
            var succeeded = true
            try reportingErrors { () throws(ConvGraphError) in
                let limits = options.limits.resolved
                var parsed: [SweepGrid] = []
                for grid in grids { parsed.append(try SweepGrid(parsing: grid, limits: limits)) }
                let plan = try SweepPlan(graphPath: options.graph, grids: parsed, sets: options.overrides)
                let chosen: SweepShard
                if let shard {
                    chosen = try SweepShard(parsing: shard)
                } else {
                    chosen = try SweepShard(environment: processEnvironment())
                }
                var sweep = try ConvGraph.Sweep(plan: plan, out: out, limits: limits)
                sweep.jobs = jobs
                sweep.shard = chosen
                let mine = Array(chosen.indices(of: plan.count)).count
                printError("sweep: \(plan.count) runs in \(sweep.directory), shard \(chosen): \(mine) runs, \(jobs) at once")
                let outcome = try sweep.run { report in
                    printOutput(report.line + "\n")
                    if let error = report.error { printError("\(report.directory): \(error.description)") }
                }
                succeeded = outcome.succeeded
            }
            if !succeeded { throw ExitCode(1) }
        }
    }
}

/// The process environment as a dictionary (the first of duplicate names wins).
private func processEnvironment() -> [String: String] {
    var result: [String: String] = [:]
    var entry = environ
    while let pointer = entry.pointee {
        let text = String(cString: pointer)
        if let eq = text.firstIndex(of: "="), result[String(text[..<eq])] == nil {
            result[String(text[..<eq])] = String(text[text.index(after: eq)...])
        }
        entry += 1
    }
    return result
}
